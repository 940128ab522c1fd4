/*
 * step.h - groups the agent's actions into steps, the unit of review and
 * (later) of rollback.
 *
 * A program the agent runs (a tool call, typically "bash -c …") starts a
 * step, and every process it starts belongs to that step.  A burst of file
 * writes by the agent process itself (its own edit tool) is a step too; the
 * burst ends after STEP_EDIT_GAP_NS without writes.  A tool step ends when
 * its first process exits (watched with a pidfd).
 */
#ifndef BELAY_STEP_H
#define BELAY_STEP_H

#include <stdint.h>
#include <sys/types.h>

#include "call.h"
#include "loop.h"

#define STEP_EDIT_GAP_NS (2000 * 1000000ull)

struct step {
	unsigned id;     /* 1, 2, 3… */
	pid_t root;      /* its first process; 0 for a burst of edits */
	char *cmd;       /* the command line, or "edit FILE" */
	uint64_t start_ns, end_ns; /* end_ns 0 while it runs */
	unsigned calls;  /* calls seen in it */
	unsigned files;  /* file calls among them */
	unsigned held;   /* calls that waited for a decision */
	unsigned denied;
};

struct steps;

/* ended(step, data) is called from the loop when a step ends. */
struct steps *steps_new(struct loop *loop, void (*ended)(const struct step *st, void *data), void *data);
void steps_free(struct steps *ss);

/*
 * The agent process, running program (a path); its calls belong to no tool
 * step.  The agent's own program run again by it (codex's
 * "/proc/self/exe --…" helper, opencode's server) is the agent too, until
 * that process runs another program: then it is a tool call, named by
 * what it runs.
 */
void steps_set_agent(struct steps *ss, pid_t agent, const char *program);
pid_t steps_agent(const struct steps *ss);

/*
 * The step a call belongs to; 0 for the agent's own calls that are not
 * edits.  *opened is set when the call starts a new step (the caller
 * announces it); *by_agent when the agent process itself made it.
 */
unsigned steps_assign(struct steps *ss, const struct call *c, int *opened, int *by_agent);

/* A step by its id; NULL if there is none. */
struct step *steps_get(const struct steps *ss, unsigned id);
/* How many steps there are (their ids are 1..n). */
unsigned steps_count(const struct steps *ss);
/* End every step still running (at the end of the session). */
void steps_end_all(struct steps *ss);

#endif
