/*
 * filter.h - the seccomp program that traps the agent's actions, as a table.
 *
 * Every row names a system call and what the filter does with it: trap it
 * (the listener gets a notification and the call waits for belay's answer),
 * trap it only when its flags ask for writing, or deny it outright.  All
 * other calls run at full speed.  The program checks the architecture first:
 * a foreign one (i386 through int 0x80) kills the process, the x32 ABI gets
 * ENOSYS.  See ../shared/notes/platform.md §2.2.
 */
#ifndef BELAY_FILTER_H
#define BELAY_FILTER_H

#include <linux/filter.h>
#include <stddef.h>

enum filter_action {
	FILTER_TRAP,          /* always notify */
	FILTER_TRAP_IF_WRITE, /* notify when the flags argument asks for writing */
	FILTER_DENY,          /* fail with err, never run */
	FILTER_DENY_IF_ARG,   /* fail with err when argument arg equals the value */
	FILTER_TRAP_IF_SET,   /* notify when argument arg (a pointer) is not NULL */
};

/* What a FILTER_DENY_IF_ARG row compares its argument with. */
enum filter_value {
	FV_CONST,      /* value */
	FV_BELAY,      /* the supervisor's pid */
	FV_BELAY_PGRP, /* minus the supervisor's process group (kill(-pgrp, …)) */
};

struct filter_rule {
	int nr;
	const char *name;
	enum filter_action action;
	int arg; /* FILTER_TRAP_IF_WRITE: the index of the flags argument;
		  * FILTER_DENY_IF_ARG: the argument compared (its low 32 bits) */
	int err; /* FILTER_DENY, FILTER_DENY_IF_ARG: the errno */
	enum filter_value vkind;
	unsigned value;
};

/* The open flags that make an open a write (O_WRONLY|O_RDWR|O_CREAT|O_TRUNC). */
#define FILTER_WRITE_FLAGS 0x243

/* The table; *n gets its length. */
const struct filter_rule *filter_rules(size_t *n);
/* The row for system call nr, or NULL. */
const struct filter_rule *filter_rule_for(int nr);

/*
 * Build the BPF program from the table into prog (prog->filter is
 * malloc'd; free it with filter_free).  The caller is the supervisor: its
 * pid and process group go into the rows that protect it.
 */
void filter_build(struct sock_fprog *prog);
void filter_free(struct sock_fprog *prog);

/*
 * Install the filter on the calling thread with a user-notification
 * listener.  PR_SET_NO_NEW_PRIVS must be set.  Async-signal-safe (it runs
 * between fork and exec): prog must have been built before the fork.
 * Returns the listener fd, or -errno (EBUSY: another listener is already in
 * the chain, as inside another sandbox; EINVAL or ENOSYS: the kernel lacks
 * a feature).
 */
int filter_install(const struct sock_fprog *prog);

#endif
