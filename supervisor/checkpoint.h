/*
 * checkpoint.h - a session's checkpoints: a baseline when it starts, one at
 * every step boundary, and one before a held truncate, unlink or rename is
 * let through (write-ahead).
 *
 * Each checkpoint is a commit in the workspace's shadow repository, on
 * refs/belay/sessions/N (N: the session's number in this workspace).  The
 * commit message carries one line of JSON: the kind of checkpoint, and the
 * steps that ended at it, each with its command and the checkpoint it
 * started from, so that "belay log", "belay diff 3" and "belay rollback 3"
 * can be answered from the repository alone, during or after the session.
 * A step that changed nothing costs no commit: it is recorded with the next
 * one (or at the latest a second later).
 */
#ifndef BELAY_CHECKPOINT_H
#define BELAY_CHECKPOINT_H

#include <stdint.h>

#include "call.h"
#include "event.h"
#include "loop.h"
#include "shadow.h"
#include "step.h"

struct checkpoints;

/* What a checkpoint did, for the event that reports it. */
struct checkpoint_info {
	enum checkpoint_kind kind;
	unsigned session;
	unsigned step;      /* 0: none */
	char commit[GIT_OID_HEXSZ + 1];
	unsigned changed;   /* files changed since the previous checkpoint */
	unsigned files;     /* files read from disk */
	uint64_t ns;        /* how long it took */
	unsigned kept;      /* files no checkpoint holds kept since the previous checkpoint (keep.h) */
	const char *error;  /* NULL, or why there is no checkpoint (valid until the next call) */
	const char *restored; /* CP_RESTORE: what belay restored ("revert of 2:3"; valid until the next call) */
	/* the step that ended ("step"): what it changed, exactly (attrib.h) */
	int step_known;     /* 0: not known yet (the checkpoint waits) */
	unsigned step_files;
	const unsigned *with; /* steps that changed some of the same files (valid until the next call) */
	size_t nwith;
};

/*
 * Open the workspace's shadow repository and watch the workspace.  Returns
 * NULL and says why in err.
 */
struct checkpoints *checkpoints_new(struct loop *loop, const char *workspace, const struct shadow_opts *o,
				    struct buf *err);
void checkpoints_free(struct checkpoints *cp);

/*
 * Number this session and take its baseline (progress as in
 * shadow_scan_all).  Returns 0, or -1 with info->error set.
 */
int checkpoints_begin(struct checkpoints *cp, char *const *argv, void (*progress)(size_t, void *), void *data,
		      struct checkpoint_info *info);
unsigned checkpoints_session(const struct checkpoints *cp);
struct shadow *checkpoints_shadow(struct checkpoints *cp);

/* A file call of the agent's tree, by a process of step (0: none): its paths are dirty, and step's. */
void checkpoints_note(struct checkpoints *cp, const struct call *c, unsigned step);

/*
 * A step starts (before its first call runs) / ended.  Return 1 when a
 * checkpoint was taken (info filled), 0 when none was needed, -1 on failure
 * (info->error).
 */
int checkpoints_step_start(struct checkpoints *cp, const struct step *st, struct checkpoint_info *info);
int checkpoints_step_end(struct checkpoints *cp, const struct step *st, struct checkpoint_info *info);

/* True when c, once let through, destroys content a checkpoint should keep first. */
int checkpoints_wants_write_ahead(const struct call *c);
/* Checkpoint before c is let through.  Returns as checkpoints_step_start. */
int checkpoints_write_ahead(struct checkpoints *cp, const struct call *c, unsigned step,
			    struct checkpoint_info *info);

/*
 * Before c is let through: keep what it destroys that no checkpoint holds
 * (an ignored file deleted, renamed over or truncated; see keep.h).
 * Returns 0 (kept, or nothing to keep), 1 when keeping it would pass the
 * session's budget, -1 when it cannot be kept; why says so.
 */
int checkpoints_keep(struct checkpoints *cp, const struct call *c, unsigned step, struct buf *why);

/*
 * Checkpoints taken by themselves (steps recorded a second later, a
 * "belay rollback" run beside the session) and upkeep that failed at the
 * end (merging packs, gc): report(rc, info, data), rc as above.  The
 * others are returned to their caller.
 */
void checkpoints_set_report(struct checkpoints *cp, void (*report)(int rc, const struct checkpoint_info *info, void *data),
			    void *data);

/* The session is over: record what is pending.  Returns as above. */
int checkpoints_end(struct checkpoints *cp, struct checkpoint_info *info);

/* Build the one-line JSON of the user's HEAD ({"ref":…,"oid":…}) or NULL (caller frees). */
char *checkpoints_user_head(const char *workspace);

#endif
