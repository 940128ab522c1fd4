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
 * The domain is also the agent's boundary (Landlock ABI 2 and later): it
 * reads and runs everything, but writes, makes, deletes and moves only in
 * the places belay opens (the workspace, the places the policy lets it
 * write without asking, its own terminal) and connects over TCP only to
 * the ports the policy allows (ABI 4).  Anything else the policy or a
 * person allows, belay does itself on the objects it judged (act.c): the
 * boundary never widens, and what the kernel changes is what was judged,
 * whatever the agent rewrites in its memory after belay read it.
 */
#ifndef BELAY_SANDBOX_H
#define BELAY_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

struct buf;
struct call;
struct sandbox;

enum { SANDBOX_WRITE = 1, SANDBOX_DELETE = 2 };

/* Learn what the kernel offers (the Landlock ABI).  Never fails. */
struct sandbox *sandbox_new(void);
void sandbox_free(struct sandbox *sb);

/* --no-sandbox: no boundary; the domain only keeps the agent from belay. */
void sandbox_off(struct sandbox *sb);

/*
 * Open a place to the agent: what (SANDBOX_WRITE, SANDBOX_DELETE) below a
 * folder, or writing to a character device.  A place that does not exist
 * (yet) is not opened: what is allowed there belay then does itself.
 */
void sandbox_open_place(struct sandbox *sb, const char *path, unsigned what);
/* Let TCP connections to port through the kernel (where the ABI has network rules). */
void sandbox_open_port(struct sandbox *sb, int port);
int sandbox_port_open(const struct sandbox *sb, int port);
/* A limit each process of the tree gets (setrlimit: RLIMIT_NOFILE…), at most 4. */
void sandbox_set_rlimit(struct sandbox *sb, int resource, unsigned long long value);
/* The agent's terminal: open by any name. */
void sandbox_set_tty(struct sandbox *sb, dev_t tty);
void sandbox_each_place(const struct sandbox *sb, void (*cb)(const char *path, unsigned what, void *data),
			void *data);

/*
 * In belay, before the fork: make the ruleset from the places and ports.
 * 0, or -1 with the reason in err.
 */
int sandbox_prepare(struct sandbox *sb, struct buf *err);

/*
 * True if the kernel lets call c through by itself; false when belay must
 * carry it out (act.c) once it is allowed: a write outside the places, a
 * TCP connection to a port not open.
 */
int sandbox_lets(const struct sandbox *sb, const struct call *c);

/* What holds: files (ABI 2 and not off), TCP ports (ABI 4). */
int sandbox_holds_files(const struct sandbox *sb);
int sandbox_holds_ports(const struct sandbox *sb);
/* "Landlock 7: 5 places, TCP 53 443, signals", for the screen and events. */
void sandbox_describe(const struct sandbox *sb, struct buf *out);

/*
 * In belay, before the agent starts: not dumpable.  0, or -errno.
 */
int sandbox_parent(void);

/*
 * In the child, after PR_SET_NO_NEW_PRIVS and before the filter and the
 * exec: drop capabilities and enter the Landlock domain made by
 * sandbox_prepare (with its own terminal, fd 0, added).  Async-signal-safe.  0 (also when the kernel has
 * no Landlock: sandbox_describe says so), or a positive errno.
 */
int sandbox_child(const struct sandbox *sb, int rfd);
/* The ruleset made by sandbox_prepare (-1: none), for the child to keep (spawn.h keep_fd): rfd there. */
int sandbox_ruleset_fd(const struct sandbox *sb);

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
