/*
 * sandbox.h - what the kernel enforces around the agent's tree, behind two
 * calls, as OpenSSH keeps its sandbox: sandbox_parent() in belay before the
 * agent starts, sandbox_child() in the child between fork and exec.
 *
 * belay is made not dumpable, so that no process of the same user can read
 * its memory or environment, take its seccomp listener (pidfd_getfd) or
 * ptrace it.  Root ignores dumpability (CAP_SYS_PTRACE, CAP_SYS_ADMIN,
 * CAP_PERFMON), so the agent's tree never has those, and gets a Landlock
 * domain of its own: Landlock refuses a sandboxed
 * process every ptrace access (memory, /proc/PID/environ and fd, pidfd_getfd,
 * process_vm_*) to processes outside its domain, capabilities or not, and
 * from ABI 6 every signal to them.  The filter (filter.c) refuses the same by
 * pid, for kernels without signal scoping.
 *
 * The Landlock domain restricts no file access yet: the write boundary is
 * the next step (see ../shared/notes/platform.md §3).
 */
#ifndef BELAY_SANDBOX_H
#define BELAY_SANDBOX_H

#include <stdint.h>

struct sandbox;

/* Learn what the kernel offers (the Landlock ABI).  Never fails. */
struct sandbox *sandbox_new(void);
void sandbox_free(struct sandbox *sb);

/*
 * In belay, before the agent starts: not dumpable.  0, or -errno.
 */
int sandbox_parent(void);

/*
 * In the child, after PR_SET_NO_NEW_PRIVS and before the filter and the
 * exec: enter a Landlock domain of the agent's own (with signal scoping
 * where the kernel has it).  Async-signal-safe.  0 (also when the kernel has
 * no Landlock: sandbox_describe says so), or a positive errno.
 */
int sandbox_child(const struct sandbox *sb);

/*
 * The capabilities the agent's tree keeps when belay runs as root (a mask
 * of capability numbers; by default none: all are dropped from the
 * bounding set before the exec).
 */
void sandbox_keep_caps(struct sandbox *sb, uint64_t mask);
/* A capability's number from its name ("net_bind_service", "CAP_KILL"); -1: no such, -2: never kept. */
int sandbox_cap_number(const char *name);

/* The Landlock ABI (0: none) and whether signals are scoped by the kernel. */
int sandbox_abi(const struct sandbox *sb);
int sandbox_scopes_signals(const struct sandbox *sb);

/*
 * What belay cannot enforce on this kernel, as a sentence for a notice, or
 * NULL when everything above holds.
 */
const char *sandbox_gaps(const struct sandbox *sb);

#endif
