/*
 * probe.c - what the kernel lets belay enforce; see probe.h.
 */
#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "filter.h"
#include "sandbox.h"
#include "tree.h"
#include "util.h"

/* Run fn in a child; its exit code 0 means yes, else the errno that said no. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (!WIFEXITED(st))
		return -EINTR;
	return WEXITSTATUS(st) ? -WEXITSTATUS(st) : 1;
}

static int try_listener(void *arg)
{
	const struct sock_fprog *prog = arg;
	int fd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	fd = filter_install(prog);
	return fd < 0 ? -fd : 0;
}

static int try_userns(void *arg)
{
	(void)arg;
	return unshare(CLONE_NEWUSER) < 0 ? errno : 0;
}

static int try_mountns(void *arg)
{
	(void)arg;
	if (geteuid() != 0 && unshare(CLONE_NEWUSER) < 0)
		return errno;
	return unshare(CLONE_NEWNS) < 0 ? errno : 0;
}

static int try_subreaper(void *arg)
{
	(void)arg;
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? errno : 0;
}

static long read_long(const char *path)
{
	long v = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		char s[64];
		ssize_t n = read(fd, s, sizeof(s) - 1);

		if (n > 0) {
			s[n] = '\0';
			v = strtol(s, NULL, 10);
		}
		close(fd);
	}
	return v;
}

void probe_all(struct probe *p)
{
	struct utsname u;
	struct sock_fprog prog;
	struct sandbox *sb;

	memset(p, 0, sizeof(*p));
	p->root = geteuid() == 0;
	if (uname(&u) == 0) {
		snprintf(p->kernel, sizeof(p->kernel), "%s %s", u.release, u.machine);
		sscanf(u.release, "%d.%d", &p->kernel_major, &p->kernel_minor);
	}
	filter_build(&prog);
	p->seccomp_listener = in_child(try_listener, &prog);
	filter_free(&prog);
	/* no way to ask for these but the version they came with */
	p->addfd = p->kernel_major > 5 || (p->kernel_major == 5 && p->kernel_minor >= 14);
	p->killable_wait = p->kernel_major > 5 || (p->kernel_major == 5 && p->kernel_minor >= 19);
	sb = sandbox_new();
	p->landlock_abi = sandbox_abi(sb);
	sandbox_free(sb);
	p->userns = in_child(try_userns, NULL);
	p->mountns = in_child(try_mountns, NULL);
	p->subreaper = in_child(try_subreaper, NULL);
	tree_cgroup2_mount(p->cgroup2, sizeof(p->cgroup2));
	if (p->cgroup2[0]) {
		/* the cgroup a session would make, where it would make it */
		struct tree_cgroup *cg = tree_cgroup_new();

		if (cg) {
			char *kill_file = xasprintf("%s/cgroup.kill", tree_cgroup_path(cg));
			struct stat st;

			p->cgroup_writable = 1;
			p->cgroup_kill = stat(kill_file, &st) == 0;
			free(kill_file);
			tree_cgroup_free(cg);
		}
	}
	p->yama = (int)read_long("/proc/sys/kernel/yama/ptrace_scope");
	p->inotify_watches = read_long("/proc/sys/fs/inotify/max_user_watches");
	p->inotify_instances = read_long("/proc/sys/fs/inotify/max_user_instances");
}

const char *probe_landlock_adds(int abi)
{
	switch (abi) {
	case 1:
		return "file system access (read, write, execute, make, remove)";
	case 2:
		return "moving and linking across folders (refer)";
	case 3:
		return "truncate";
	case 4:
		return "TCP bind and connect by port";
	case 5:
		return "ioctl on devices";
	case 6:
		return "signal and abstract unix socket scoping";
	case 7:
		return "audit logging of denials";
	default:
		return "rights belay does not know yet";
	}
}
