/*
 * restore.h - putting a checkpoint back on disk: rollback (the whole
 * workspace as a checkpoint had it) and revert (one step's changes undone,
 * later ones kept).
 *
 * Restores write only inside the workspace: every path is walked from the
 * workspace's directory one component at a time without following symbolic
 * links, never through ".." or into a .git, and each file is written beside
 * its name and renamed over it, so a hard link is replaced, not written
 * through, and no file is ever half written.  A journal in the shadow
 * repository names the tree being restored until the restore is complete:
 * after a kill or a full disk, restore_resume() says which files remain and
 * restores them.  A finished restore rewrites <shadow>/restored (its label),
 * so that a session running in the workspace records the restore's changes
 * as a checkpoint of their own, not as its agent's.
 */
#ifndef BELAY_RESTORE_H
#define BELAY_RESTORE_H

#include <git2.h>

#include "buf.h"
#include "shadow.h"

struct restore_report {
	unsigned written, removed;
	char **refused; /* paths not restored, with why ("a/b: … is a symbolic link") */
	size_t nrefused;
};

void restore_report_release(struct restore_report *r);

/*
 * Make the workspace's checkpointed files exactly `to`, given that they are
 * `from` now (a checkpoint of the present taken just before, under the
 * shadow's lock).  label names the restore in the journal.  Returns 0, or -1
 * with err saying what failed and which files remain.
 */
int restore_tree(struct shadow *sh, const git_oid *from, const git_oid *to, const char *label,
		 struct restore_report *rep, struct buf *err);

/*
 * Finish a restore a kill or an error interrupted, if there is one: says
 * on out what remains and restores it.  Returns 0 (nothing to do, or done),
 * or -1 (err).
 */
int restore_resume(struct shadow *sh, struct buf *out, struct buf *err);

/* What the newest restore stamped (its label, see undo_label) into out; "" when none. */
void restore_stamp_label(struct shadow *sh, char *out, size_t len);

/*
 * The tree that undoes the change from `before` to `after` in `present`
 * (a three-way merge).  Returns 0 and *out, or 1 when it conflicts (the
 * paths listed in conflicts, nothing written), or -1 (err).
 */
int restore_revert_tree(struct shadow *sh, const git_oid *before, const git_oid *after, const git_oid *present,
			git_oid *out, struct buf *conflicts, struct buf *err);

/*
 * The directory that holds rel (relative to the directory root), opened one
 * component at a time without following links, never through ".", "..",
 * an empty part or a name that is .git on this file system; made when
 * create is set.  *name is the last component.  Returns a descriptor, or
 * -1: errno ENOENT when a directory is missing, ELOOP/ENOTDIR when a part
 * is a link or a file, EPERM for a part it refuses.
 */
int restore_open_parent(int root, const char *rel, int create, const char **name);

#endif
