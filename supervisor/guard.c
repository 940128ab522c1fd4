/*
 * guard.c - fixed rules: the person's terminal and belay's own files; see
 * guard.h.
 *
 * Terminals are told by device number: pty slaves have majors 136-143
 * (devices.txt) and are not in sysfs; every other terminal driver registers
 * in the tty class (or vc, for /dev/vcs*), which /sys/dev/char/MAJ:MIN says.
 */
#define _GNU_SOURCE
#include "guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "notify.h"
#include "proc.h"
#include "resolve.h"
#include "util.h"

struct guard {
	dev_t tty;
	char **roots; /* physical paths, no trailing slash */
	size_t nroots, cap;
};

static const char terminal_rule[] = "(another terminal)";
static const char terminal_why[] =
	"only the agent's own terminal is the agent's: belay's screen and other terminals are never written";
static const char own_rule[] = "(belay's own files)";
static const char own_why[] =
	"belay's state, configuration, sockets and events are never changed by the agent, whatever the policy says";

struct guard *guard_new(dev_t tty)
{
	struct guard *g = xcalloc(1, sizeof(*g));

	g->tty = tty;
	return g;
}

void guard_free(struct guard *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nroots; i++)
		free(g->roots[i]);
	free(g->roots);
	free(g);
}

void guard_protect(struct guard *g, const char *path)
{
	/* as belay sees it: its links followed where they exist, so that an
	 * agent's path through any other name meets the same string */
	char *phys = resolve_path("/", path, 1, getpid(), gettid());
	size_t len;

	if (!phys)
		phys = xstrdup(path);
	len = strlen(phys);
	while (len > 1 && phys[len - 1] == '/')
		phys[--len] = '\0';
	g->roots = xgrow(g->roots, &g->cap, g->nroots + 1, sizeof(char *));
	g->roots[g->nroots++] = phys;
}

int guard_is_terminal(dev_t dev)
{
	char link[64], target[PATH_MAX];
	ssize_t n;
	const char *cls;

	if (major(dev) >= 136 && major(dev) <= 143)
		return 1;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/subsystem", major(dev), minor(dev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	cls = strrchr(target, '/');
	cls = cls ? cls + 1 : target;
	return !strcmp(cls, "tty") || !strcmp(cls, "vc");
}

/*
 * True if process pid holds the master of pty number index: a pty it opened
 * itself (/dev/ptmx), whose slave it is now opening (ptsname, then open).
 */
static int holds_master(pid_t pid, unsigned index)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char link[320], target[64], info[512], *p;
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "/proc/%d/fd/%s", (int)pid, e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "/dev/ptmx") && strcmp(target, "/dev/pts/ptmx"))
			continue;
		snprintf(link, sizeof(link), "/proc/%d/fdinfo/%s", (int)pid, e->d_name);
		fd = open(link, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, info, sizeof(info) - 1);
		close(fd);
		if (n <= 0)
			continue;
		info[n] = '\0';
		p = strstr(info, "tty-index:");
		found = p && strtoul(p + 10, NULL, 10) == index;
	}
	closedir(d);
	return found;
}

/* May c (an open for writing of the terminal dev) go on? */
static int terminal_ok(const struct guard *g, const struct call *c)
{
	dev_t dev = c->rdev;
	struct proc_stat st;

	if (dev == g->tty)
		return 1;
	if (dev == makedev(5, 2)) /* /dev/ptmx: a new pty of its own */
		return 1;
	if (dev == makedev(5, 0)) /* /dev/tty: the caller's controlling terminal */
		return proc_stat(c->pid, &st) == 0 && st.tty == g->tty;
	if (major(dev) >= 136 && major(dev) <= 143) {
		unsigned index = (major(dev) - 136) * 256 + minor(dev);
		pid_t parent = c->ppid ? c->ppid : notify_ppid(c->pid);

		return holds_master(c->pid, index) || (parent > 0 && holds_master(parent, index));
	}
	return 0;
}

/* Is p inside root (or root itself)?  Is it one of root's parents? */
static int inside(const char *p, const char *root)
{
	size_t n = strlen(root);

	return !strncmp(p, root, n) && (p[n] == '/' || !p[n] || (n == 1 && root[0] == '/'));
}

static int parent_of(const char *p, const char *root)
{
	size_t n = strlen(p);

	if (!strcmp(p, "/"))
		return strcmp(root, "/") != 0;
	return !strncmp(root, p, n) && root[n] == '/';
}

static int touches_own(const struct guard *g, const char *path, int replaces)
{
	if (!path)
		return 0;
	for (size_t i = 0; i < g->nroots; i++)
		if (inside(path, g->roots[i]) || (replaces && parent_of(path, g->roots[i])))
			return 1;
	return 0;
}

int guard_judge(const struct guard *g, const struct call *c, struct decision *d)
{
	int replaces;

	if (!g || c->unreadable)
		return 0;
	if ((c->op == OP_OPEN || c->op == OP_TRUNCATE || c->op == OP_CREATE) && c->chr &&
	    guard_is_terminal(c->rdev) && !terminal_ok(g, c)) {
		d->verdict = VERDICT_DENY;
		d->rule = terminal_rule;
		d->text = terminal_why;
		return 1;
	}
	if (c->op == OP_EXEC || c->op == OP_CONNECT)
		return 0;
	/* what takes a folder away or puts something else in its place also
	 * takes belay's folders below it */
	replaces = call_replaces(c);
	if (touches_own(g, c->path, replaces) || touches_own(g, c->path2, replaces)) {
		d->verdict = VERDICT_DENY;
		d->rule = own_rule;
		d->text = own_why;
		return 1;
	}
	return 0;
}
