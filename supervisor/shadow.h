/*
 * shadow.h - the shadow repository of one workspace: a bare git repository
 * under $XDG_STATE_HOME/belay/ holding belay's checkpoints of the workspace.
 *
 * The workspace is the repository's work tree in memory only, so nothing is
 * written into the workspace or into the user's own .git (its index, HEAD
 * and refs are never opened for writing).  Snapshots are byte-exact: the
 * user's and system git config are not read, and every attribute that would
 * convert content (eol, filters, ident) is switched off.  The private index
 * of the shadow repository is its stat cache: a scan re-reads only files
 * whose stat data changed.
 *
 * Several belay processes may open the same shadow repository (a session
 * and a "belay rollback" run beside it); shadow_lock() serialises them.
 */
#ifndef BELAY_SHADOW_H
#define BELAY_SHADOW_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SHADOW_MAX_FILE_SIZE (50ull * 1024 * 1024)
/* History kept (gc.h): the newest 20 sessions, and every session of the last 14 days. */
#define SHADOW_HISTORY 20
#define SHADOW_HISTORY_DAYS 14

struct shadow;

struct shadow_opts {
	const char *state_dir;  /* NULL: $XDG_STATE_HOME/belay, or ~/.local/state/belay */
	uint64_t max_file_size; /* larger files are not checkpointed; 0: 50 MB */
	char *const *skip;      /* gitignore patterns never checkpointed (NULL-terminated) */
	char *const *keep;      /* globs relative to the workspace, checkpointed even when ignored */
	uint64_t keep_budget;   /* bytes of files no checkpoint holds kept per session (keep.h); 0: default */
	unsigned history;       /* sessions kept at least (gc.h); 0: default */
	unsigned history_days;  /* and every session of the last history_days - 1 days; 0: default */
	int fresh_if_damaged;   /* a damaged store is moved aside and a fresh one started (a session) */
	int from_policy;        /* these are the policy's settings: saved for the command line, which opens
				 * with NULL and gets them back */
};

/* What scans left out, for the person to know. */
struct shadow_report {
	char **skipped; /* "path (61 MB)": over the size limit */
	size_t nskipped;
	char **nested;  /* repositories inside the workspace: left alone */
	size_t nnested;
};

/*
 * Open the shadow repository of workspace (created on first use).  Returns
 * NULL and says why in err when the state directory cannot be made or the
 * repository cannot be opened.
 */
struct shadow *shadow_open(const char *workspace, const struct shadow_opts *o, struct buf *err);
void shadow_free(struct shadow *sh);
/* What shadow_open did that the person must be told (a damaged store moved aside), or NULL. */
const char *shadow_notice(const struct shadow *sh);
/*
 * Is the store at dir whole (loose objects, packs, refs)?  0, or -1 with
 * err naming the damaged file and what to do.  Reads no object through
 * libgit2, which spins on some damage.
 */
int shadow_check(const char *dir, struct buf *err);

git_repository *shadow_repo(struct shadow *sh);
git_index *shadow_index(struct shadow *sh);
const char *shadow_workspace(const struct shadow *sh); /* its real path */
const char *shadow_dir(const struct shadow *sh);
/* How much history the policy keeps (gc.h): the newest sessions, and those of the last days. */
void shadow_history(const struct shadow *sh, unsigned *sessions, unsigned *days);
/* The shadow directory belay uses for workspace, without opening anything (caller frees). */
char *shadow_dir_for(const char *workspace, const char *state_dir);

/* Take and release the repository's lock (blocks while another belay holds it). */
void shadow_lock(struct shadow *sh);
void shadow_unlock(struct shadow *sh);
/*
 * Take the lock only if it is free: 0, or -1 when another belay holds it.
 * The supervising loop never waits for it: the holder may be a process of
 * the agent's tree, waiting for this very loop to answer one of its calls.
 */
int shadow_trylock(struct shadow *sh);

/*
 * Bring the shadow index up to date with the whole workspace: a stat pass
 * that reads only files that changed.  progress(files, data), when given,
 * is called every few thousand files read.  Returns 0 or -1 (err says why).
 */
int shadow_scan_all(struct shadow *sh, void (*progress)(size_t files, void *data), void *data,
		    struct buf *err);
/*
 * The same for some paths only (relative to the workspace): each may be a
 * file, a directory (walked) or gone.  Returns 0 or -1.
 */
int shadow_scan_paths(struct shadow *sh, char *const *paths, size_t n, struct buf *err);
/* True when some checkpointed files have other names (hard links): every scan re-reads them if they changed. */
int shadow_has_linked(const struct shadow *sh);
/* True when the index holds a file at rel (relative path): a checkpoint has it. */
int shadow_holds(struct shadow *sh, const char *rel);
/* True when a directory (relative path) is not checkpointed: ignored, .git, a nested repository. */
int shadow_skips_dir(struct shadow *sh, const char *rel);
/* Write the index as a tree (and the index to disk).  Returns 0 or -1. */
int shadow_write_tree(struct shadow *sh, git_oid *tree, struct buf *err);
/*
 * The same, from base (the tree of the previous checkpoint, NULL: none) and
 * the paths scanned since: only the trees on those paths are rewritten,
 * and the index stays in memory until shadow_flush_index().
 */
int shadow_write_tree_from(struct shadow *sh, const git_oid *base, git_oid *tree, struct buf *err);
/* How many files the last shadow_write_tree_from() changed; -1 when it wrote the tree whole. */
int shadow_last_changed(const struct shadow *sh);
/*
 * The tree base (NULL: empty) with these file updates (each path a file or
 * link, upserted or removed; reordered here) written, its id in out.
 * Returns 0 or -1 (err).
 */
int shadow_tree_apply(struct shadow *sh, const git_oid *base, git_tree_update *up, size_t n, git_oid *out,
		      struct buf *err);
/* Write the index to disk if it changed (its stat data is what later scans trust). */
int shadow_flush_index(struct shadow *sh, struct buf *err);

/*
 * Commit tree on ref (refs/belay/…) with the ref's current commit as parent
 * (ref NULL: a commit no ref names), then the extra parents; the message is
 * summary, a blank line and meta (one line of JSON).
 */
int shadow_commit(struct shadow *sh, const char *ref, const git_oid *tree, const git_oid *extra, size_t nextra,
		  const char *summary, const char *meta, git_oid *out, struct buf *err);

/*
 * When the repository holds more than max_packs packs, merge the small ones
 * (each step that changed many files writes one) into one.  Under the lock.
 * Returns the number of packs merged (0: nothing to do), or -1 (err).
 */
int shadow_repack(struct shadow *sh, unsigned max_packs, struct buf *err);

/* Files (blobs, links) in a tree, all the way down. */
unsigned shadow_tree_files(git_repository *repo, const git_oid *tree);

/* What scans left out so far (valid until the next scan). */
const struct shadow_report *shadow_report(const struct shadow *sh);

/* libgit2's last error as text ("unknown error" when it has none). */
const char *shadow_git_error(void);

#endif
