/*
 * confine.h - what keeps the agent in, behind calls on either side of the
 * fork, the way OpenSSH keeps its sandbox: confine_parent() in belay before
 * the agent starts, confine_child() in the child between fork and exec
 * (spawn.h's child_setup, set by confine_spawn), confine_listener() in
 * belay once the child has its filter.
 *
 * In order: belay made not dumpable; a TMPDIR of the session's own; the
 * kernel boundary (sandbox.h: the workspace, that TMPDIR, the places and
 * ports the policy opens, the policy's limits, in a cgroup or as rlimits);
 * the credential stores hidden (hide.h); the seccomp filter (filter.h).
 * In the child: no new privileges, the stores' mounts, capabilities
 * dropped and the Landlock domain, then the filter, whose listener belay
 * takes (pidfd_getfd) before the exec.
 */
#ifndef BELAY_CONFINE_H
#define BELAY_CONFINE_H

#include <stdint.h>
#include <sys/types.h>

struct policy;
struct tree_cgroup;
struct spawn_opts;
struct sandbox;
struct hide;

struct confine_opts {
	const char *workspace;
	struct policy *policy;  /* not owned; NULL: no policy */
	struct tree_cgroup *cg; /* the session's cgroup, for the limits; NULL: none */
	uint64_t keep_caps;     /* capabilities kept under root */
	int no_sandbox;         /* --no-sandbox */
	int show_stores;        /* --no-hide */
	const char *user;       /* --user: run the agent as this user (belay is root); NULL: as belay */
	uid_t uid;
	gid_t gid;
	const char *home;       /* that user's home folder (its stores are hidden) */
	char *const *covers;    /* belay's folders the agent's tree never reaches (hide.h), even with show_stores */
};

/*
 * In belay, before the fork.  NULL when the agent cannot be kept in (the
 * reason, and what to do, said on stderr).
 */
struct confine *confine_parent(const struct confine_opts *o);
/* Removes the session's TMPDIR and what it holds. */
void confine_free(struct confine *cf);

/* Set so's child_setup, pass_fd and keep_fd for confine_child. */
void confine_spawn(struct confine *cf, struct spawn_opts *so);

/*
 * In belay, after the fork: take the listener from the child pid, tell the
 * boundary the agent's terminal (tty).  The listener fd, or -1 when the
 * child failed before it had one (its reason is on spawn's error pipe).
 */
int confine_listener(struct confine *cf, pid_t pid, dev_t tty);

/* The agent's TMPDIR, or NULL (--no-sandbox: the caller's). */
const char *confine_tmpdir(const struct confine *cf);
struct sandbox *confine_sandbox(const struct confine *cf);
/* The hidden stores, or NULL (--no-hide). */
struct hide *confine_hide(const struct confine *cf);
/* For the first event and the side panel: sandbox_describe; the limits (NULL: none). */
const char *confine_sandbox_text(const struct confine *cf);
const char *confine_limits_text(const struct confine *cf);

#endif
