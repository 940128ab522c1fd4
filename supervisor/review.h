/*
 * review.h - a step's changes file by file, for a screen that shows them:
 * the files a step (or the whole session) changed with their added and
 * removed lines, and the diff of one of them, read from the checkpoints in
 * the shadow repository (history.h).
 *
 * The history is read once and again only when told that it changed
 * (review_stale) and what is asked for is not in it; the diff of the step
 * last asked for is kept, so that moving between its files and scrolling
 * costs nothing.  No screen code.
 */
#ifndef BELAY_REVIEW_H
#define BELAY_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "history.h"
#include "shadow.h"

struct review_file {
	char *path;       /* relative to the workspace (the new name of a rename) */
	char *old_path;   /* a rename's old name, else NULL */
	char status;      /* 'A' added, 'M' modified, 'D' deleted, 'R' renamed, 'T' type changed */
	unsigned added, removed;
	int binary;
	uint64_t size;    /* bytes, after (before for a deletion) */
};

struct review_line {
	enum diff_part part;
	char *text;       /* without its newline */
	unsigned old_no, new_no; /* line numbers, 0 where there is none */
};

struct review;

struct review *review_new(struct shadow *sh);
void review_free(struct review *rv);

/* The checkpoints changed: read the history again when next asked. */
void review_stale(struct review *rv);

/* What to compare. */
enum review_what {
	REVIEW_STEP,     /* what the step changed (id 0: the whole session, baseline to newest checkpoint) */
	REVIEW_ROLLBACK, /* what a rollback to before the step would change: newest checkpoint to its before */
	REVIEW_REVERT,   /* what a revert of it would change: its changes, undone */
};

/*
 * The files that differ for step id of session (0 for the newest
 * session), as what says.  *files stays valid until the next call.
 * Returns how many, or -1 (err: not checkpointed yet, no such step).
 */
int review_files(struct review *rv, enum review_what what, unsigned session, unsigned id,
		 const struct review_file **files, struct buf *err);

/*
 * The files that differ from checkpoint commit a to b (as review_files,
 * for a step read with history_commit_steps); the same rules of validity.
 */
int review_commits(struct review *rv, const git_oid *a, const git_oid *b, const struct review_file **files,
		   struct buf *err);

/*
 * The diff of the file at index i of the last review_files(): its lines,
 * valid until the next call.  Returns how many, or -1 (err).  A binary
 * file has one DIFF_OTHER line.
 */
int review_patch(struct review *rv, size_t i, const struct review_line **out, struct buf *err);

/*
 * Lines added and removed by step id of session (what it changed, as
 * REVIEW_STEP), without touching the diff kept for review_files.
 * Returns the files it changed, or -1 (not checkpointed yet).
 */
int review_count(struct review *rv, unsigned session, unsigned id, unsigned *added, unsigned *removed);

/* Changes whenever review_files made its diff again (the files and lines before are gone). */
unsigned review_generation(const struct review *rv);

/* The history as last read (NULL before the first review_files). */
const struct history *review_history(struct review *rv);

#endif
