/*
 * tree.c - the agent's process tree ends with the session; see tree.h.
 */
#define _GNU_SOURCE
#include "tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
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

/* ---- the whole tree at once ---- */

/* Send sig to every process below belay, round after round until each has had it. */
static int signal_all(int sig)
{
	pid_t self = getpid();
	pid_t *done = NULL;
	size_t ndone = 0, cap = 0;

	for (int round = 0; round < MAX_ROUNDS; round++) {
		size_t n;
		struct pp *all = scan(&n);
		int sent = 0;

		for (size_t i = 0; i < n; i++) {
			size_t k;
			int fd;

			if (all[i].state == 'Z' || !below(all, n, all[i].pid, self))
				continue;
			for (k = 0; k < ndone && done[k] != all[i].pid; k++)
				;
			if (k < ndone)
				continue;
			fd = (int)syscall(SYS_pidfd_open, all[i].pid, 0);
			if (fd >= 0) {
				syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
				close(fd);
			}
			done = xgrow(done, &cap, ndone + 1, sizeof(*done));
			done[ndone++] = all[i].pid;
			sent = 1;
		}
		free(all);
		if (!sent)
			break;
	}
	free(done);
	return 0;
}

struct tree_cgroup {
	char *path;
	int watch_fd;    /* belay's end of the watchdog's pipe */
	pid_t watch_pid;
	/* cgroup v1 groups of the session's own where v2 has no controller
	 * (a hybrid machine): pids, memory; NULL: none */
	char *v1[2];
};

static const char *const v1_names[2] = { "pids", "memory" };

/*
 * If belay dies (SIGKILL, a crash), nothing of it runs to end the tree:
 * a small process of its own, outside the tree and its cgroup, waits on a
 * pipe only belay holds, and at its end (belay gone, or the session over)
 * kills the cgroup.  Nothing of the agent holds the pipe (close-on-exec,
 * and made before the agent), and Landlock's signal scoping keeps the
 * agent from signalling it.
 */
static void watch(struct tree_cgroup *cg)
{
	char *kill_file = xasprintf("%s/cgroup.kill", cg->path);
	int p[2];
	pid_t pid;

	cg->watch_fd = -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(kill_file);
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* only async-signal-safe calls: belay may have threads */
		struct sigaction sa = { 0 };
		char c;
		int fd;

		sa.sa_handler = SIG_IGN;
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGTSTP, &sa, NULL);
		if (dup3(p[0], 3, 0) < 0)
			_exit(1);
		syscall(SYS_close_range, 0U, 2U, 0U);
		syscall(SYS_close_range, 4U, ~0U, 0U);
		prctl(PR_SET_NAME, "belay-watch", 0, 0, 0);
		while (read(3, &c, 1) < 0 && errno == EINTR)
			;
		fd = open(kill_file, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) < 0) {
				/* the cgroup is gone: nothing left to kill */
			}
			close(fd);
		}
		_exit(0);
	}
	close(p[0]);
	free(kill_file);
	if (pid < 0) {
		close(p[1]);
		return;
	}
	cg->watch_fd = p[1];
	cg->watch_pid = pid;
}

static int write_text(const char *dir, const char *file, const char *text)
{
	char *p = xasprintf("%s/%s", dir, file);
	int e = write_small_file(p, text);

	free(p);
	return e;
}

void tree_cgroup2_mount(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - "), mnt[1024];

		if (dash && !strncmp(dash + 3, "cgroup2 ", 8) && sscanf(line, "%*s %*s %*s %*s %1023s", mnt) == 1) {
			snprintf(out, len, "%s", mnt);
			break;
		}
	}
	fclose(f);
}

static void rmdir_quietly(const char *path)
{
	rmdir(path);
}

struct tree_cgroup *tree_cgroup_new(void)
{
	char mnt[1024], own[4096] = "", *line = NULL;
	struct tree_cgroup *cg;
	FILE *f;
	size_t cap = 0;

	tree_cgroup2_mount(mnt, sizeof(mnt));
	if (!mnt[0])
		return NULL;
	/* below belay's own cgroup ("0::/path" in /proc/self/cgroup) */
	f = fopen("/proc/self/cgroup", "re");
	while (f && getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(own, sizeof(own), "%s", strcmp(line + 3, "/") ? line + 3 : "");
		}
	}
	free(line);
	if (f)
		fclose(f);
	/* what a belay that died left: empty, its pid gone */
	{
		char *parent = xasprintf("%s%s", mnt, own);

		remove_left_by_dead(parent, "belay-", rmdir_quietly);
		free(parent);
	}
	cg = xcalloc(1, sizeof(*cg));
	cg->path = xasprintf("%s%s/belay-%d", mnt, own, (int)getpid());
	if (mkdir(cg->path, 0755) < 0) {
		free(cg->path);
		free(cg);
		return NULL;
	}
	watch(cg);
	return cg;
}

/* Forget v1 group k (its limit does not hold: rlimits then). */
static void drop_v1(struct tree_cgroup *cg, int k)
{
	rmdir(cg->v1[k]);
	free(cg->v1[k]);
	cg->v1[k] = NULL;
}

int tree_cgroup_enter(struct tree_cgroup *cg, pid_t pid)
{
	char num[32];

	if (!cg)
		return -ENOENT;
	snprintf(num, sizeof(num), "%d", (int)pid);
	for (int i = 0; i < 2; i++)
		if (cg->v1[i] && write_text(cg->v1[i], "cgroup.procs", num) < 0)
			drop_v1(cg, i); /* the limit would not hold */
	return write_text(cg->path, "cgroup.procs", num);
}

/* A v1 group of the session's own below belay's in hierarchy name, or NULL. */
static char *v1_group(const char *name)
{
	char *line = NULL, own[4096] = "", *dir, *path;
	size_t cap = 0, n = strlen(name);
	FILE *f = fopen("/proc/self/cgroup", "re");
	struct stat st;

	while (f && getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (c2 && (size_t)(c2 - c1 - 1) == n && !strncmp(c1 + 1, name, n)) {
			c2[1 + strcspn(c2 + 1, "\n")] = '\0';
			snprintf(own, sizeof(own), "%s", strcmp(c2 + 1, "/") ? c2 + 1 : "");
		}
	}
	free(line);
	if (f)
		fclose(f);
	dir = xasprintf("/sys/fs/cgroup/%s%s", name, own);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(dir);
		return NULL;
	}
	path = xasprintf("%s/belay-%d", dir, (int)getpid());
	free(dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		free(path);
		return NULL;
	}
	return path;
}

/* Write value to the v2 file, else to the v1 file of a v1 group k of the session's own.  1 when held. */
static int limit_one(struct tree_cgroup *cg, int k, const char *v2_file, const char *v1_file, const char *value)
{
	if (write_text(cg->path, v2_file, value) == 0)
		return 1;
	if (!(cg->v1[k] = v1_group(v1_names[k])))
		return 0;
	if (write_text(cg->v1[k], v1_file, value) == 0)
		return 1;
	drop_v1(cg, k);
	return 0;
}

unsigned tree_cgroup_limit(struct tree_cgroup *cg, const struct policy_limits *lim)
{
	unsigned held = 0;
	char num[32];

	if (!cg)
		return 0;
	if (lim->processes) {
		snprintf(num, sizeof(num), "%ld", lim->processes);
		if (limit_one(cg, 0, "pids.max", "pids.max", num))
			held |= TREE_LIMIT_PROCESSES;
	}
	if (lim->memory) {
		snprintf(num, sizeof(num), "%llu", lim->memory);
		if (limit_one(cg, 1, "memory.max", "memory.limit_in_bytes", num))
			held |= TREE_LIMIT_MEMORY;
	}
	return held;
}

const char *tree_cgroup_path(const struct tree_cgroup *cg)
{
	return cg ? cg->path : "";
}

void tree_cgroup_free(struct tree_cgroup *cg)
{
	if (!cg)
		return;
	write_text(cg->path, "cgroup.freeze", "0");
	write_text(cg->path, "cgroup.kill", "1");
	if (cg->watch_fd >= 0) {
		close(cg->watch_fd);
		waitpid(cg->watch_pid, NULL, 0);
	}
	for (int i = 0; i < 200 && rmdir(cg->path) < 0 && errno == EBUSY; i++)
		usleep(5000);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; cg->v1[k] && i < 200 && rmdir(cg->v1[k]) < 0 && errno == EBUSY; i++)
			usleep(5000);
		free(cg->v1[k]);
	}
	free(cg->path);
	free(cg);
}

int tree_freeze(struct tree_cgroup *cg, int frozen)
{
	if (cg && write_text(cg->path, "cgroup.freeze", frozen ? "1" : "0") == 0)
		return 0;
	return signal_all(frozen ? SIGSTOP : SIGCONT);
}
