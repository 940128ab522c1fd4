/*
 * tree.c - the agent's process tree ends with the session; see tree.h.
 */
#define _GNU_SOURCE
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define MAX_ROUNDS 64

int tree_adopt(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? -errno : 0;
}

struct pp {
	pid_t pid, ppid;
	char state;
};

/* Every process and its parent, from /proc. */
static struct pp *scan(size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct pp *all = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		struct proc_stat st;
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || proc_stat((pid_t)pid, &st) < 0)
			continue;
		all = xgrow(all, &cap, *n + 1, sizeof(*all));
		all[(*n)++] = (struct pp){ (pid_t)pid, st.ppid, st.state };
	}
	closedir(d);
	return all;
}

/* True if pid is below belay, as far as the table says. */
static int below(const struct pp *all, size_t n, pid_t pid, pid_t self)
{
	for (int depth = 0; depth < 4096 && pid > 1; depth++) {
		size_t i;

		for (i = 0; i < n && all[i].pid != pid; i++)
			;
		if (i == n)
			return 0;
		if (all[i].ppid == self)
			return 1;
		pid = all[i].ppid;
	}
	return 0;
}

int tree_kill(pid_t keep)
{
	pid_t self = getpid();
	int killed = 0;

	for (int round = 0; round < MAX_ROUNDS; round++) {
		size_t n;
		struct pp *all = scan(&n);
		int found = 0;

		for (size_t i = 0; i < n; i++) {
			int fd;
			struct proc_stat st;

			if (!below(all, n, all[i].pid, self))
				continue;
			if (all[i].state == 'Z') {
				/* dead: reaped below, if it is ours to reap */
				if (all[i].ppid == self && all[i].pid != keep && waitpid(all[i].pid, NULL, WNOHANG) == 0)
					found = 1;
				continue;
			}
			found = 1;
			/* the pid is held by the pidfd: check it is still the same process's */
			fd = (int)syscall(SYS_pidfd_open, all[i].pid, 0);
			if (fd < 0)
				continue;
			if (proc_stat(all[i].pid, &st) == 0 && st.ppid == all[i].ppid &&
			    syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0)
				killed++;
			close(fd);
		}
		free(all);
		if (!found)
			break;
		usleep(round < 4 ? 1000 : 10000);
	}
	return killed;
}
