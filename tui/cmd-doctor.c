/*
 * cmd-doctor.c - "belay doctor": what this machine supports (the kernel's
 * seccomp, Landlock, namespaces, cgroups, Yama; inotify's limits; the
 * libraries' versions) and what belay therefore enforces; exit status 1
 * when a protection belay relies on by default cannot be had, with what to
 * do about it.
 */
#define _GNU_SOURCE
#include "cmd-doctor.h"

#include <git2.h>
#include <jansson.h>
#include <ncurses.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../supervisor/buf.h"
#include "../supervisor/probe.h"
#include "../supervisor/util.h"

#ifndef BELAY_LIBTSM_VERSION
#define BELAY_LIBTSM_VERSION "?"
#endif

static int problems;
static struct buf todo; /* what to do, printed last */

/* One line: what, its state, what it means for belay. */
static void line(const char *what, const char *state, const char *means)
{
	printf("%-14s %s\n", what, state);
	if (means && *means)
		printf("%-14s   %s\n", "", means);
}

static void PRINTF_LIKE(1, 2) problem(const char *fmt, ...)
{
	va_list ap;
	char text[1024];

	problems++;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	buf_addf(&todo, "  - %s\n", text);
}

static const char *yes_no(int v, char *buf, size_t len)
{
	if (v > 0)
		return "yes";
	snprintf(buf, len, "no (%s)", strerror(-v));
	return buf;
}

int cmd_doctor(int argc, char **argv)
{
	struct probe p;
	char b1[256], b2[256], b3[2048];
	int major, minor, rev;
	const struct scmp_version *sv = seccomp_version();

	(void)argv;
	if (argc > 1) {
		warn("usage: belay doctor (it takes no arguments)");
		return 2;
	}
	problems = 0;
	buf_init(&todo);
	probe_all(&p);
	printf("belay doctor: what this machine lets belay enforce\n\n");
	line("kernel", p.kernel, p.root ? "running as root" : "running as an ordinary user");

	/* seccomp: seeing and holding calls */
	snprintf(b3, sizeof(b3), "user notification: %s; ADDFD with SEND: %s; killable wait: %s",
		 yes_no(p.seccomp_listener, b1, sizeof(b1)), p.addfd ? "yes" : "no", p.killable_wait ? "yes" : "no");
	line("seccomp", b3,
	     p.seccomp_listener > 0 ? "every exec, write, delete, rename and connect of the agent's tree is seen and can be held"
				    : "belay cannot see or hold the agent's calls");
	if (p.seccomp_listener <= 0)
		problem("seccomp user notification is refused (%s): run on Linux 5.9 or later, outside a sandbox "
			"that installs its own listener (another belay, a container runtime's), or with --no-intercept "
			"(unsupervised)",
			strerror(-p.seccomp_listener));

	/* Landlock */
	if (p.landlock_abi > 0) {
		size_t n = 0;

		n += (size_t)snprintf(b3 + n, sizeof(b3) - n, "ABI %d:", p.landlock_abi);
		for (int a = 1; a <= p.landlock_abi && n < sizeof(b3); a++)
			n += (size_t)snprintf(b3 + n, sizeof(b3) - n, "%s %s", a > 1 ? ";" : "", probe_landlock_adds(a));
		line("landlock", b3,
		     p.landlock_abi >= 6 ? "the agent's tree cannot ptrace, read the memory of or signal belay (the kernel says no)"
					 : "the agent's tree cannot ptrace or read belay; signals to belay are refused by pid "
					   "only (no scoping before ABI 6)");
		/* what the boundary holds on this kernel, and what it does not */
		if (p.landlock_abi < 2) {
			line("boundary", "no", "ABI 1 fails every move across folders: belay does not fence the agent");
			problem("%s", "the kernel's Landlock is ABI 1: Linux 5.19 or later holds the workspace's boundary; "
				"until then belay starts only with --no-sandbox");
		} else {
			snprintf(b3, sizeof(b3), "writes%s%s%s", p.landlock_abi >= 3 ? ", truncate" : "",
				 p.landlock_abi >= 4 ? ", TCP ports" : "", p.landlock_abi >= 6 ? ", signals" : "");
			line("boundary", b3,
			     "the agent writes, deletes and moves only in the workspace and the places the policy "
			     "opens; belay itself does what a person allows elsewhere, on the names it judged");
			if (p.landlock_abi < 3)
				line("not fenced", "truncate outside the workspace (ABI 3): belay holds it", NULL);
			if (p.landlock_abi < 4)
				line("not fenced", "TCP ports (ABI 4): belay holds connections", NULL);
		}
		line("not fenced", "UDP, the host of a TCP connection (Landlock knows ports only): belay holds them", NULL);
		line("not fenced", "chmod, chown, times, extended attributes (no Landlock right): belay holds them", NULL);
	} else {
		line("landlock", "no", "an agent running as root could read belay's memory");
		problem("%s", "the kernel has no Landlock (or it is off): boot with lsm=...,landlock on Linux 5.19 or later; "
			"until then belay starts only with --no-sandbox");
	}

	/* namespaces, cgroups, the tree */
	snprintf(b3, sizeof(b3), "user: %s; mount: %s", yes_no(p.userns, b1, sizeof(b1)),
		 yes_no(p.mountns, b2, sizeof(b2)));
	{
		int ok = p.root ? p.mountns > 0 : p.userns > 0 && p.mountns > 0;

		line("namespaces", b3,
		     ok ? "the credential stores in the home folder (~/.aws, ~/.ssh…) are hidden from the agent"
			: "belay cannot hide the credential stores: with stores in the home folder it does not start "
			  "(--no-hide runs with them visible)");
		if (!ok)
			problem("%s", p.root ? "mount namespaces are refused: Linux with CONFIG_NAMESPACES"
					     : "user namespaces are refused to this user: sysctl kernel.unprivileged_userns_clone=1 "
					       "(Debian), or user.max_user_namespaces > 0");
	}
	if (p.cgroup2[0])
		snprintf(b3, sizeof(b3), "v2 at %s; a cgroup of belay's own: %s%s", p.cgroup2,
			 p.cgroup_writable ? "yes" : "no (not delegated to this user)",
			 p.cgroup_writable ? (p.cgroup_kill ? ", with cgroup.kill" : ", without cgroup.kill") : "");
	else
		snprintf(b3, sizeof(b3), "no cgroup v2 mounted");
	line("cgroups", b3,
	     p.cgroup_writable ? "the whole tree freezes (C-] f) and ends at once, also when belay is killed"
			       : "freezing stops each process (SIGSTOP); if belay is killed, what the agent left running "
				 "is not ended");
	line("subreaper", p.subreaper > 0 ? "yes" : "no",
	     p.subreaper > 0 ? "every process of the agent's tree (setsid, nohup, daemons) ends with the session"
			     : "a process that leaves its parent could outlive the session");
	if (p.subreaper <= 0)
		problem("%s", "PR_SET_CHILD_SUBREAPER is refused: Linux 3.4 or later");

	/* Yama: belay takes the listener from its own child with pidfd_getfd */
	if (p.yama < 0)
		snprintf(b3, sizeof(b3), "no Yama");
	else
		snprintf(b3, sizeof(b3), "Yama ptrace_scope %d", p.yama);
	line("ptrace scope", b3,
	     p.yama >= 3 || (p.yama == 2 && !p.root)
		     ? "belay cannot take the seccomp listener from the agent's first process (pidfd_getfd needs ptrace "
		       "rights over it)"
		     : "belay takes the seccomp listener from the agent's first process (pidfd_getfd)");
	if (p.yama >= 3 || (p.yama == 2 && !p.root))
		problem("%s", "Yama's ptrace_scope is 2 or 3: set it to 1 (sysctl kernel.yama.ptrace_scope=1), or run belay "
			      "as root at 2");

	/* inotify: the workspace's dirty set */
	snprintf(b3, sizeof(b3), "max_user_watches %ld, max_user_instances %ld", p.inotify_watches,
		 p.inotify_instances);
	line("inotify", b3, "one watch per folder of the workspace; past the limit, checkpoints scan the tree");
	if (p.inotify_watches >= 0 && p.inotify_watches < 8192)
		problem("%s", "inotify's max_user_watches is small: sysctl fs.inotify.max_user_watches=524288");

	/* libraries */
	git_libgit2_version(&major, &minor, &rev);
	snprintf(b3, sizeof(b3), "libtsm %s, libgit2 %d.%d.%d, %s, libseccomp %u.%u.%u, jansson %s", BELAY_LIBTSM_VERSION,
		 major, minor, rev, curses_version(), sv ? sv->major : 0, sv ? sv->minor : 0, sv ? sv->micro : 0,
		 JANSSON_VERSION);
	line("libraries", b3, NULL);
	if (!problems)
		printf("\nevery protection belay uses by default holds on this machine\n");
	else
		printf("\nwhat belay cannot enforce here, and what to do:\n%s", todo.data);
	buf_release(&todo);
	return problems ? 1 : 0;
}
