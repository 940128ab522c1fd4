/*
 * keep.h - files no checkpoint holds, kept before a call destroys them.
 *
 * Checkpoints hold what git would track; what .gitignore hides (build/,
 * node_modules/, .env, *.log) and files over the size limit are not in
 * them, yet they are exactly what "rm -rf" hits.  Before a delete, a
 * rename over, or a truncate of such a file is let through, belay keeps
 * it in the shadow directory: a hard link (no copy, O(1)) when the call
 * only removes a name, a copy when it empties the file itself or when the
 * store is on another file system.  A budget per session bounds what is
 * kept; past it, the call is asked about instead.
 *
 * On disk: <shadow>/kept/<session>/<n> (the file) and
 * <shadow>/kept/<session>/list, a line of JSON per kept file:
 *   {"n":1,"step":3,"path":"build/a.o","mode":33188,"size":1200,
 *    "how":"link","op":"delete","btime":1764690000.5,"time":…,"after":"<commit>"}
 * "after" is the session's newest checkpoint when the file was kept, so a
 * rollback to a checkpoint restores the files kept after it; "btime" (when
 * the file was made) tells whether the file existed at that checkpoint.
 * Paths are walked from the workspace without following links (openat2
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): a racing agent cannot make belay
 * keep, or later restore, a file from outside the workspace.
 */
#ifndef BELAY_KEEP_H
#define BELAY_KEEP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define KEEP_BUDGET_DEFAULT (2ull << 30)

enum keep_op { KEEP_DELETE, KEEP_RENAME_OVER, KEEP_TRUNCATE };

struct keeper;

/* The keeper of one session.  Returns NULL (err) when the directory cannot be made. */
struct keeper *keeper_new(const char *shadow_dir, const char *workspace, unsigned session, uint64_t budget,
			  struct buf *err);
void keeper_free(struct keeper *k);

/*
 * Keep workspace file rel (relative) before op destroys it; after: the
 * session's newest checkpoint (hex).  Returns 0 (kept, or nothing to keep:
 * gone, a directory, empty and truncated), 1 when keeping it would pass
 * the budget (nothing kept), -1 when it cannot be kept (why says).
 */
int keeper_keep(struct keeper *k, const char *rel, enum keep_op op, unsigned step, const char *after, struct buf *why);
/* What this session kept: files and bytes. */
void keeper_totals(const struct keeper *k, size_t *files, uint64_t *bytes);

/* A kept file, as read back. */
struct kept {
	unsigned session, step, n;
	char *path, *obj; /* obj: the kept file's absolute path */
	unsigned mode;
	uint64_t size;
	char how[8], op[16];
	double btime, time; /* btime 0: not known */
	char after[41];
};

struct kept_list {
	struct kept *v;
	size_t n;
};

/* Every kept file of the shadow directory, oldest first.  A damaged line is skipped. */
void kept_load(const char *shadow_dir, struct kept_list *l);
void kept_release(struct kept_list *l);

/*
 * Put a kept file back at its path in the workspace (workspace_fd): a copy
 * written beside it and renamed over it, with its mode.  Returns 0, or -1
 * (why: a static text or strerror).
 */
int kept_put(int workspace_fd, const struct kept *k, const char **why);

#endif
