/*
 * undo.h - "belay rollback" and "belay revert": the workspace put back as it
 * was before a step, or only a step's changes undone, from the checkpoints.
 *
 * The present is checkpointed first and the restore is recorded as a
 * session of one step, so that it can be rolled back in turn.  Ignored
 * files the steps destroyed are put back from what belay kept (keep.h).  If
 * the agent moved the user's branch since, the result says so, and moves it
 * back when asked.  The command line prints the result (tui/cmd-checkpoint.c).
 */
#ifndef BELAY_UNDO_H
#define BELAY_UNDO_H

#include <stddef.h>

#include "buf.h"
#include "shadow.h"

struct undo_result {
	char *spec;          /* the step as SESSION:N */
	int nothing;         /* the workspace already was as it would make it: nothing written */
	unsigned session;    /* the session that records it ("belay rollback SESSION:1" undoes it) */
	unsigned written, removed;
	size_t kept_put;     /* ignored files put back */
	char **refused;      /* files not restored, each with why */
	size_t nrefused;
	struct buf warnings; /* lines for standard error: failed checkpoints crossed, a branch not moved back */
	struct buf notes;    /* lines for the person: the branch the agent moved, and how to move it back */
};

/*
 * Roll back to before step spec ("N" or "S:N"), or with revert undo only
 * its changes; move_branch moves the user's branch back too.  Returns 0,
 * 1 when files were refused or (revert) later changes touch the same lines
 * (err names them; nothing was written), 2 when there is no such step
 * (err), -1 on failure (err).
 */
int undo_run(struct shadow *sh, const char *spec, int revert, int move_branch, struct undo_result *r,
	     struct buf *err);
void undo_result_release(struct undo_result *r);

/*
 * What a rollback or revert of spec ("S:N") is called: its session's
 * command, and what the restore stamps for a running session to see
 * ("rollback to before 2:3", "revert of 2:3").  Caller frees.
 */
char *undo_label(int revert, const char *spec);
/* Read such a label back: 0 and the fields, or -1 when it is not one. */
int undo_label_parse(const char *label, int *revert, unsigned *session, unsigned *step);

#endif
