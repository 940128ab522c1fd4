/*
 * history.h - the sessions and steps recorded in a workspace's shadow
 * repository, read back from the checkpoints' commit messages (see
 * checkpoint.h): what "belay log" lists and what "belay diff", "rollback"
 * and "revert" name with [SESSION:]STEP.
 */
#ifndef BELAY_HISTORY_H
#define BELAY_HISTORY_H

#include <git2.h>
#include <stddef.h>

#include "buf.h"
#include "keep.h"
#include "shadow.h"

struct hist_step {
	unsigned session, id;
	char *cmd;
	git_oid before, after; /* checkpoint commits: before it started, when it ended */
	git_oid base;          /* what its diff starts from: before, with the changes of steps that ran
				* at the same time (attrib.h) */
	unsigned *with;        /* steps that changed some of the same files */
	size_t nwith;
	char *failed;          /* why its checkpoint failed (its changes are in the next), or NULL */
	double start, end;     /* seconds since the epoch */
};

struct hist_session {
	unsigned n;
	char *cmd;
	double time;
	git_oid baseline, last; /* its first and newest checkpoint */
	size_t files;           /* in the baseline */
	struct hist_step *steps; /* by id */
	size_t nsteps;
	char **skipped, **nested; /* as the newest checkpoint says */
	size_t nskipped, nnested;
};

struct history {
	struct hist_session *s; /* oldest first */
	size_t n;
};

/*
 * The steps one checkpoint commit records (those it ends, or writes ahead
 * for), read as history_load reads them, in *steps (caller frees with
 * history_steps_free).  Returns 0, or -1 when the commit cannot be read.
 */
int history_commit_steps(struct shadow *sh, const git_oid *commit, unsigned session, struct hist_step **steps,
			 size_t *n);
void history_steps_free(struct hist_step *steps, size_t n);

/* Read every session of the shadow repository.  Returns 0 or -1 (err). */
int history_load(struct shadow *sh, struct history *h, struct buf *err);
void history_release(struct history *h);

/*
 * The step named by spec: "N" (step N of the newest session) or "S:N".
 * Step 0 is the session's baseline (before = after = the baseline).
 * Returns NULL and says why in err.
 */
const struct hist_step *history_find(const struct history *h, const char *spec, struct buf *err);

/*
 * How many files differ between two trees (added, removed or changed);
 * identical subtrees are skipped by their ids, so this costs what changed.
 */
unsigned history_count_changes(git_repository *repo, const git_oid *a, const git_oid *b);

/* The files st changed (from its base to its after), as log counts them. */
unsigned history_step_files(struct shadow *sh, const struct hist_step *st);

/* Lines of a diff, for whoever prints it. */
enum diff_part {
	DIFF_FILE_HEADER, /* "diff --git …", "--- a/…" */
	DIFF_HUNK_HEADER, /* "@@ … @@" */
	DIFF_CONTEXT,     /* text lines, without their ' ', '+' or '-' */
	DIFF_ADDED,
	DIFF_REMOVED,
	DIFF_OTHER,       /* "\ No newline at end of file", binary notes, the --stat summary */
};

/*
 * The diff of st (NULL: the newest session of h, from its baseline to the
 * files now), renames found: line(part, text, len, data) for each line of
 * the patch, or of the summary with stat.  Returns 0 or -1 (err).
 */
int history_diff(struct shadow *sh, const struct history *h, const struct hist_step *st, int stat,
		 void (*line)(enum diff_part part, const char *text, size_t len, void *data), void *data,
		 struct buf *err);

/* The tree of a checkpoint commit (caller frees); NULL on failure. */
git_tree *history_tree(struct shadow *sh, const git_oid *commit);

/* The user's HEAD recorded with a checkpoint ({"ref","oid"} JSON text, caller frees), or NULL. */
char *history_head_at(struct shadow *sh, const git_oid *commit);

/* When a checkpoint was taken (seconds since the epoch), 0 when unknown. */
double history_time_of(struct shadow *sh, const git_oid *commit);

/*
 * The kept files (keep.h) that put the workspace back as it was before st:
 * for a rollback, every file kept after that checkpoint that existed then;
 * for a revert, those st itself destroyed.  The earliest keep of each path
 * wins (it is the file as it was then).  Fills out (caller frees the array,
 * not the entries, which stay l's) and returns how many.
 */
size_t history_kept_since(struct shadow *sh, const struct hist_step *st, const struct kept_list *l, int revert,
			  const struct kept ***out);
/*
 * The steps of st's session before it whose checkpoint failed while st's
 * "before" was already taken: what they changed was never checkpointed, so
 * a rollback to before st puts back an older state.  Fills out (pointers
 * into h) and returns how many.
 */
size_t history_failed_before(struct shadow *sh, const struct history *h, const struct hist_step *st,
			     const struct hist_step ***out);

/* The files st kept (log, diff): how many, and out as above when out is given. */
size_t history_kept_by(const struct hist_step *st, const struct kept_list *l, const struct kept ***out);

#endif
