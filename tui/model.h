/*
 * model.h - the review model: what a session did, as its events tell it.
 *
 * The steps with their programs and files, the held calls, the grants, the
 * checkpoints, the undo marks: everything the review screen shows that is
 * not the agent's terminal.  Built from events only (model_event), never
 * from the session itself, so that a live session, a replay and a second
 * viewer drive the same screen from the same model.  No curses here.
 */
#ifndef BELAY_MODEL_H
#define BELAY_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../supervisor/event.h"

#define MODEL_PROCS 64 /* programs kept a step (more are counted) */
#define MODEL_PATHS 64 /* files kept a step (more are counted) */

enum step_state {
	STEP_RUNNING,
	STEP_DONE,
	STEP_HELD,   /* a call of it waits for a decision */
	STEP_DENIED, /* a call of it was refused */
};

enum step_undo {
	UNDO_NONE,
	UNDO_ROLLED_BACK, /* the workspace was put back to before it (or an earlier step) */
	UNDO_REVERTED,    /* its changes alone were undone */
};

/* A program a step ran: its tree, in the order the programs started. */
struct model_proc {
	pid_t pid, ppid;
	unsigned depth;  /* 0: the step's first process */
	char *cmd;       /* as a person reads it (fit_command) */
};

struct step_row {
	unsigned id;
	int edit;          /* a burst of the agent's own edits, not a program it ran */
	char *cmd;         /* as the supervisor named it */
	char *summary;     /* what a person reads: the script it ran, or "edit a.ts, b.ts" */
	enum step_state state;
	int was_denied;    /* a call of it was refused (it stays marked) */
	int was_held;      /* a call of it waited for a person */
	int quiet;         /* the agent's bookkeeping: edits outside the workspace only */
	enum step_undo undo;
	uint64_t start_ns;
	uint64_t duration_ns;
	struct model_proc *procs;
	size_t nprocs, procs_cap;
	char **paths;      /* the files its calls named (absolute, each once) */
	size_t npaths, paths_cap;
	unsigned paths_inside; /* of them, inside the workspace */
	int changed;       /* files it changed; -1: not checkpointed (yet) */
	unsigned with;     /* the first other step that changed some of the same files, or 0 */
	unsigned nwith;    /* how many did */
	/* lines it added and removed, when someone (the diff view) counted them */
	int lines_known;
	unsigned added, removed;
	/* people's notes on it: how many, and the newest ("alice: why?") */
	unsigned notes;
	char *note;
};

/* A call waiting for a person's decision. */
struct held_row {
	unsigned n;       /* its number, for answering it */
	uint64_t seq;     /* its call event */
	unsigned step;
	char *what;       /* in plain words: "git push --force origin main", "write ~/.bashrc" */
	char *from;       /* the program that made it ("bash"), or "" */
	char *rule;       /* what asked: "policies/default.rules:67" */
	char *text;       /* the rule as written, or NULL */
};

struct grant_row {
	int n;
	char *text;
};

struct model {
	/* the session, from its start */
	char **argv;
	char *cwd, *home;
	char *profile, *sandbox, *limits;
	char **withheld;
	size_t nwithheld;
	pid_t pid;
	/* its end */
	int exited, exit_code, exit_signal, exit_status;
	uint64_t ran_ns;
	int ended;
	/* steps, by id order */
	struct step_row *steps;
	size_t nsteps, steps_cap;
	size_t nquiet;      /* of them, the agent's bookkeeping */
	struct held_row *held;
	size_t nheld, held_cap;
	struct grant_row *grants; /* in force, oldest first */
	size_t ngrants, grants_cap;
	/* checkpoints */
	char *cp_text;      /* the checkpoint line of the side panel */
	int cp_failed;
	unsigned cp_count, cp_failures, cp_session;
	unsigned diffs;     /* changes when the workspace's recorded changes do (checkpoints) */
};

void model_init(struct model *m, const char *home);
void model_release(struct model *m);

/* Take in an event; returns 1 when it changed what the screen shows. */
int model_event(struct model *m, const struct event *ev);

/* A step by its id; NULL if there is none. */
struct step_row *model_step(const struct model *m, unsigned id);

/* A file or folder named as a person reads it (relative to the workspace, ~/…). Caller frees. */
char *model_path(const struct model *m, const char *path);

/*
 * A "belay rollback" or "revert" (label as restore.c stamps it:
 * "rollback to before S:N", "revert of S:N") marks the steps it undid.
 */
void model_mark_undo(struct model *m, const char *label);

#endif
