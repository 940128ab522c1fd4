/*
 * confine.c - what keeps the agent in, on both sides of the fork; see
 * confine.h.
 */
#define _GNU_SOURCE
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <grp.h>
#include <unistd.h>

#include "buf.h"
#include "dirs.h"
#include "filter.h"
#include "hide.h"
#include "policy.h"
#include "sandbox.h"
#include "spawn.h"
#include "tree.h"
#include "util.h"

#define HANDOVER_MS 10000 /* the child's filter set-up, at most */

struct confine {
	struct sandbox *sandbox;
	struct hide *hide;
	struct sock_fprog prog;
	int sp[2];          /* the listener's hand-over: belay's end, the child's */
	char *tmpdir;       /* the agent's own TMPDIR, removed at the end */
	char *sandbox_text; /* sandbox_describe */
	char *limits_text;  /* the policy's limits and what holds them, or NULL */
	/* --user: who the agent becomes before its exec (user NULL: nobody else) */
	const char *user;
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	int ngroups;
};

/* ---- in the child ---- */

/* Between fork and exec: only async-signal-safe calls. */
static int confine_child(void *data)
{
	const struct confine *cf = data;
	char ack;
	int fd, e;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	/* before Landlock, which allows no mount */
	e = hide_child(cf->hide);
	if (e)
		return e;
	e = sandbox_child(cf->sandbox, SPAWN_KEEP_FD);
	if (e)
		return e;
	if (cf->user) {
		/* the user it runs as: its terminal is its own; no
		 * capability survives the change of user */
		if (fchown(0, cf->uid, (gid_t)-1) < 0 || setgroups((size_t)cf->ngroups, cf->groups) < 0 ||
		    setresgid(cf->gid, cf->gid, cf->gid) < 0 || setresuid(cf->uid, cf->uid, cf->uid) < 0)
			return errno;
	}
	fd = filter_install(&cf->prog);
	if (fd < 0)
		return -fd;
	/* careful: from here until the exec, no call the filter traps may
	 * run (nobody holds the listener yet; sendmsg is trapped): the parent
	 * takes the listener with pidfd_getfd, told its number by a write,
	 * and says when it has it; write, read and close are not trapped */
	if (write(SPAWN_PASS_FD, &fd, sizeof(fd)) != (ssize_t)sizeof(fd))
		return errno ? errno : EPIPE;
	if (read(SPAWN_PASS_FD, &ack, 1) != 1)
		return errno ? errno : EPIPE;
	close(fd); /* the agent must never keep its own listener */
	close(SPAWN_PASS_FD);
	return 0;
}

/* ---- in belay, after the fork ---- */

int confine_listener(struct confine *cf, pid_t pid, dev_t tty)
{
	struct pollfd p = { cf->sp[0], POLLIN, 0 };
	int num, pidfd, fd;
	char ack = 'L';

	close(cf->sp[1]);
	cf->sp[1] = -1;
	if (poll(&p, 1, HANDOVER_MS) <= 0 || read(cf->sp[0], &num, sizeof(num)) != (ssize_t)sizeof(num))
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
	close(pidfd);
	if (fd < 0)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* the child closes its copy and goes on to the exec */
	if (write(cf->sp[0], &ack, 1) != 1) {
		close(fd);
		return -1;
	}
	close(cf->sp[0]);
	cf->sp[0] = -1;
	sandbox_set_tty(cf->sandbox, tty);
	return fd;
}

/* ---- in belay, before the fork ---- */

/* The agent's own TMPDIR: a folder of the session's, open to it. */
static void make_tmpdir(struct confine *cf)
{
	const char *base = getenv("TMPDIR");
	char *tmpl;

	if (!base || base[0] != '/')
		base = "/tmp";
	tmpl = xasprintf("%s/belay-%d-XXXXXX", base, (int)getpid());
	if (mkdtemp(tmpl)) {
		cf->tmpdir = tmpl;
		if (cf->user && chown(tmpl, cf->uid, cf->gid) < 0)
			warn("cannot give '%s' to %s: %s", tmpl, cf->user, strerror(errno));
		return;
	}
	/* the caller's TMPDIR as it is: writes there are judged like any other */
	free(tmpl);
}

static void open_policy_place(const char *dir, enum call_kind kind, void *data)
{
	sandbox_open_place(data, dir, kind == KIND_DELETE ? SANDBOX_DELETE : SANDBOX_WRITE);
}

static void open_policy_port(int port, void *data)
{
	sandbox_open_port(data, port);
}

/*
 * The policy's limits: processes and memory for the whole tree where a
 * cgroup holds them, else per process (rlimits: processes then count the
 * whole user's, and root's are not held); CPU time and open files per
 * process.
 */
static void apply_limits(struct confine *cf, const struct confine_opts *o)
{
	const struct policy_limits *lim = policy_limits(o->policy);
	unsigned held = tree_cgroup_limit(o->cg, lim);
	struct buf b = BUF_INIT;

	if (lim->processes) {
		if (!(held & TREE_LIMIT_PROCESSES))
			sandbox_set_rlimit(cf->sandbox, RLIMIT_NPROC, (unsigned long long)lim->processes);
		buf_addf(&b, "%s%ld processes%s", b.len ? ", " : "", lim->processes,
			 held & TREE_LIMIT_PROCESSES ? "" : geteuid() ? " (the user's)" : " (not held: root)");
	}
	if (lim->memory) {
		if (!(held & TREE_LIMIT_MEMORY))
			sandbox_set_rlimit(cf->sandbox, RLIMIT_AS, lim->memory);
		buf_addf(&b, "%smemory %lluM%s", b.len ? ", " : "", lim->memory >> 20,
			 held & TREE_LIMIT_MEMORY ? "" : " a process");
	}
	if (lim->cpu) {
		sandbox_set_rlimit(cf->sandbox, RLIMIT_CPU, (unsigned long long)lim->cpu);
		buf_addf(&b, "%scpu %lds a process", b.len ? ", " : "", lim->cpu);
	}
	if (lim->files) {
		sandbox_set_rlimit(cf->sandbox, RLIMIT_NOFILE, (unsigned long long)lim->files);
		buf_addf(&b, "%s%ld open files a process", b.len ? ", " : "", lim->files);
	}
	cf->limits_text = b.len ? buf_detach(&b, NULL) : NULL;
	buf_release(&b);
}

/* The devices every program writes to (the policy's exact names for them are files, not folders). */
static const char *const open_devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/ptmx" };

/*
 * The kernel boundary: the workspace, the agent's TMPDIR, the places and
 * ports the policy allows without asking.  -1 when it cannot be held and
 * --no-sandbox was not given (said on stderr).
 */
static int make_sandbox(struct confine *cf, const struct confine_opts *o)
{
	struct buf err = BUF_INIT;

	cf->sandbox = sandbox_new();
	sandbox_keep_caps(cf->sandbox, o->keep_caps);
	if (o->no_sandbox) {
		sandbox_off(cf->sandbox);
	} else if (!sandbox_holds_files(cf->sandbox)) {
		warn("%s", sandbox_abi(cf->sandbox) ? "the kernel's Landlock is too old to hold the agent's boundary (ABI 1; "
						      "belay needs 2, Linux 5.19)"
						    : "the kernel has no Landlock (Linux 5.19 or later, with lsm=landlock)");
		warn("not starting an agent that cannot be kept in its workspace; --no-sandbox runs it with holds only "
		     "(see belay doctor)");
		return -1;
	} else {
		make_tmpdir(cf);
		sandbox_open_place(cf->sandbox, o->workspace, SANDBOX_WRITE | SANDBOX_DELETE);
		if (cf->tmpdir)
			sandbox_open_place(cf->sandbox, cf->tmpdir, SANDBOX_WRITE | SANDBOX_DELETE);
		for (size_t i = 0; i < ARRAY_SIZE(open_devices); i++)
			sandbox_open_place(cf->sandbox, open_devices[i], SANDBOX_WRITE);
		if (o->policy) {
			policy_each_place(o->policy, open_policy_place, cf->sandbox);
			policy_each_port(o->policy, open_policy_port, cf->sandbox);
		}
	}
	apply_limits(cf, o);
	if (sandbox_prepare(cf->sandbox, &err) < 0) {
		warn("%s; --no-sandbox runs the agent without the boundary", err.data);
		buf_release(&err);
		return -1;
	}
	sandbox_describe(cf->sandbox, &err);
	cf->sandbox_text = buf_detach(&err, NULL);
	return 0;
}

/* The credential stores hidden (unless --no-hide).  -1: said on stderr. */
static int make_hide(struct confine *cf, const struct confine_opts *o)
{
	struct buf err = BUF_INIT;
	char *state, *dir;

	if (o->show_stores && !(o->covers && o->covers[0]))
		return 0;
	state = dirs_get(DIR_STATE);
	/* what a belay that died (killed, a crash) left of its stand-ins */
	remove_left_by_dead(state, "hidden-", remove_tree);
	dir = xasprintf("%s/hidden-%d", state, (int)getpid());
	/* --no-hide: belay's own folders are still covered, the stores not */
	cf->hide = hide_new(o->show_stores ? NULL : o->user ? o->home : getenv("HOME"), o->show_stores ? NULL : o->workspace,
			    dir, o->covers, policy_read_allowed, o->policy, &err);
	free(dir);
	free(state);
	if (!cf->hide)
		warn("%s; to run with the stores visible: --no-hide", err.data);
	buf_release(&err);
	return cf->hide ? 0 : -1;
}

struct confine *confine_parent(const struct confine_opts *o)
{
	struct confine *cf = xcalloc(1, sizeof(*cf));
	int e;

	cf->sp[0] = cf->sp[1] = -1;
	if (o->user) {
		int n = (int)ARRAY_SIZE(cf->groups);

		cf->user = o->user;
		cf->uid = o->uid;
		cf->gid = o->gid;
		if (getgrouplist(o->user, o->gid, cf->groups, &n) < 0)
			n = (int)ARRAY_SIZE(cf->groups); /* the first 64 */
		cf->ngroups = n;
	}
	e = sandbox_parent();
	if (e < 0) {
		warn("cannot protect belay from the agent: %s", strerror(-e));
		goto fail;
	}
	if (make_sandbox(cf, o) < 0 || make_hide(cf, o) < 0)
		goto fail;
	filter_build(&cf->prog);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cf->sp) < 0) {
		warn("cannot set up interception: socketpair: %s", strerror(errno));
		goto fail;
	}
	return cf;
fail:
	confine_free(cf);
	return NULL;
}

void confine_spawn(struct confine *cf, struct spawn_opts *so)
{
	so->child_setup = confine_child;
	so->child_data = cf;
	so->pass_fd = cf->sp[1];
	so->keep_fd = sandbox_ruleset_fd(cf->sandbox);
}

void confine_free(struct confine *cf)
{
	if (!cf)
		return;
	for (int i = 0; i < 2; i++)
		if (cf->sp[i] >= 0)
			close(cf->sp[i]);
	filter_free(&cf->prog);
	hide_free(cf->hide);
	sandbox_free(cf->sandbox);
	free(cf->sandbox_text);
	free(cf->limits_text);
	if (cf->tmpdir) {
		remove_tree(cf->tmpdir);
		free(cf->tmpdir);
	}
	free(cf);
}

const char *confine_tmpdir(const struct confine *cf)
{
	return cf ? cf->tmpdir : NULL;
}

struct sandbox *confine_sandbox(const struct confine *cf)
{
	return cf ? cf->sandbox : NULL;
}

struct hide *confine_hide(const struct confine *cf)
{
	return cf ? cf->hide : NULL;
}

const char *confine_sandbox_text(const struct confine *cf)
{
	return cf ? cf->sandbox_text : NULL;
}

const char *confine_limits_text(const struct confine *cf)
{
	return cf ? cf->limits_text : NULL;
}
