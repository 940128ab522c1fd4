/*
 * step.c - processes to steps; see step.h.
 *
 * The map from pid to step is filled as processes make calls: a pid not in
 * it is placed by walking its parents (/proc/PID/stat) until one is known,
 * or until the agent, whose direct children start steps.  The walk is
 * bounded; a process whose ancestry cannot be followed (its parent is gone)
 * belongs to no step.  Careful: pids are reused; an entry is dropped when
 * its step's first process exits, which is when reuse becomes possible for
 * the pids that matter most.
 */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"
#include "progid.h"
#include "util.h"

#define MAX_WALK 64

struct pidmap {
	pid_t pid;
	unsigned step;
};

struct tracked {
	struct step st;
	int pidfd;
	struct loop_fd *h;
	struct steps *owner;
	uint64_t last_ns; /* a burst of edits: its last write */
};

struct steps {
	struct loop *loop;
	void (*ended)(const struct step *st, void *data);
	void *data;
	pid_t agent;
	dev_t prog_dev;          /* the agent's program (0, 0: not known) */
	ino_t prog_ino;
	pid_t *helpers;          /* the agent's program run again by it */
	size_t nhelpers, helpers_cap;
	struct tracked **steps; /* steps[id - 1] */
	size_t n, cap;
	struct pidmap *map;
	size_t nmap, mapcap;
	unsigned edit;           /* the edit step in progress, or 0 */
	struct loop_timer *edit_timer;
	struct tracked **open;   /* steps whose first process is watched (pidfd) */
	size_t nopen, opencap;
};

struct steps *steps_new(struct loop *loop, void (*ended)(const struct step *st, void *data), void *data)
{
	struct steps *ss = xcalloc(1, sizeof(*ss));

	ss->loop = loop;
	ss->ended = ended;
	ss->data = data;
	return ss;
}

void steps_free(struct steps *ss)
{
	if (!ss)
		return;
	loop_cancel_timer(ss->loop, ss->edit_timer);
	for (size_t i = 0; i < ss->n; i++) {
		loop_remove_fd(ss->loop, ss->steps[i]->h);
		if (ss->steps[i]->pidfd >= 0)
			close(ss->steps[i]->pidfd);
		free(ss->steps[i]->st.cmd);
		free(ss->steps[i]);
	}
	free(ss->steps);
	free(ss->open);
	free(ss->map);
	free(ss->helpers);
	free(ss);
}

static void set_program(struct steps *ss, const char *program)
{
	struct stat st;

	/* a shell agent's "sh -c" is a tool, not the agent again */
	if (program && !progid_runs_code(program) && stat(program, &st) == 0)
		ss->prog_dev = st.st_dev, ss->prog_ino = st.st_ino;
	else
		ss->prog_dev = 0, ss->prog_ino = 0;
}

/*
 * True if path, as process pid names it, is the agent's program (a copy is
 * not: it is some other file).  /proc/self is pid's.
 */
static int is_program(const struct steps *ss, const char *path, pid_t pid)
{
	struct stat st;
	char *own = NULL;
	int yes;

	if (!path || !(ss->prog_dev || ss->prog_ino))
		return 0;
	if (!strncmp(path, "/proc/self/", 11))
		own = xasprintf("/proc/%d/%s", (int)pid, path + 11);
	else if (!strncmp(path, "/proc/thread-self/", 18))
		own = xasprintf("/proc/%d/%s", (int)pid, path + 18);
	yes = stat(own ? own : path, &st) == 0 && st.st_dev == ss->prog_dev && st.st_ino == ss->prog_ino;
	free(own);
	return yes;
}

static size_t helper_index(const struct steps *ss, pid_t pid)
{
	for (size_t i = 0; i < ss->nhelpers; i++)
		if (ss->helpers[i] == pid)
			return i;
	return SIZE_MAX;
}

/*
 * The agent, or its own program run again by it.  A helper's pid is
 * checked against what it runs, so that a pid used again by another
 * process is not taken for the agent's.
 */
static int is_agent(struct steps *ss, pid_t pid)
{
	size_t i;
	char exe[64];

	if (pid <= 0)
		return 0;
	if (pid == ss->agent)
		return 1;
	i = helper_index(ss, pid);
	if (i == SIZE_MAX)
		return 0;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	if (is_program(ss, exe, pid))
		return 1;
	ss->helpers[i] = ss->helpers[--ss->nhelpers];
	return 0;
}

void steps_set_agent(struct steps *ss, pid_t agent, const char *program)
{
	set_program(ss, program);
	ss->agent = agent;
}

pid_t steps_agent(const struct steps *ss)
{
	return ss->agent;
}

struct step *steps_get(const struct steps *ss, unsigned id)
{
	return id && id <= ss->n ? &ss->steps[id - 1]->st : NULL;
}

unsigned steps_count(const struct steps *ss)
{
	return (unsigned)ss->n;
}

static unsigned map_get(const struct steps *ss, pid_t pid)
{
	for (size_t i = 0; i < ss->nmap; i++)
		if (ss->map[i].pid == pid)
			return ss->map[i].step;
	return 0;
}

static void map_set(struct steps *ss, pid_t pid, unsigned step)
{
	for (size_t i = 0; i < ss->nmap; i++) {
		if (ss->map[i].pid == pid) {
			ss->map[i].step = step;
			return;
		}
	}
	ss->map = xgrow(ss->map, &ss->mapcap, ss->nmap + 1, sizeof(*ss->map));
	ss->map[ss->nmap].pid = pid;
	ss->map[ss->nmap].step = step;
	ss->nmap++;
}

static void end_step(struct tracked *t)
{
	struct steps *ss = t->owner;

	if (t->st.end_ns)
		return;
	/* a burst of edits ended at its last write, not when that was noticed */
	t->st.end_ns = !t->st.root && t->last_ns ? t->last_ns : now_ns();
	loop_remove_fd(ss->loop, t->h);
	t->h = NULL;
	if (t->pidfd >= 0) {
		close(t->pidfd);
		t->pidfd = -1;
		for (size_t i = 0; i < ss->nopen; i++) {
			if (ss->open[i] == t) {
				ss->open[i] = ss->open[--ss->nopen];
				break;
			}
		}
	}
	if (t->st.root) {
		/* its pids may be reused from now on */
		size_t j = 0;

		for (size_t i = 0; i < ss->nmap; i++)
			if (ss->map[i].step != t->st.id)
				ss->map[j++] = ss->map[i];
		ss->nmap = j;
	}
	if (ss->edit == t->st.id)
		ss->edit = 0;
	ss->ended(&t->st, ss->data);
}

static void root_exited(struct loop *loop, int fd, unsigned revents, void *data)
{
	(void)loop, (void)fd, (void)revents;
	end_step(data);
}

/*
 * End the steps whose first process has exited, before a new step starts.
 * Careful: the loop learns of an exit when it gets to the pidfd, which may
 * be after the next call was received (a shell runs its next command as
 * soon as the last one exits); the step that ended must be checkpointed
 * before the next one starts, or its changes land in the next one's.
 */
static void reap_exited(struct steps *ss)
{
	for (size_t i = 0; i < ss->nopen;) {
		struct pollfd p = { ss->open[i]->pidfd, POLLIN, 0 };

		if (poll(&p, 1, 0) > 0)
			end_step(ss->open[i]); /* takes it out of ss->open */
		else
			i++;
	}
}

static struct tracked *open_step(struct steps *ss, pid_t root, char *cmd)
{
	struct tracked *t;

	reap_exited(ss);
	t = xcalloc(1, sizeof(*t));

	t->owner = ss;
	t->st.id = (unsigned)ss->n + 1;
	t->st.root = root;
	t->st.cmd = cmd;
	t->st.start_ns = now_ns();
	t->pidfd = -1;
	ss->steps = xgrow(ss->steps, &ss->cap, ss->n + 1, sizeof(*ss->steps));
	ss->steps[ss->n++] = t;
	if (root > 0) {
		/* a tool call ends the agent's burst of edits */
		if (ss->edit)
			end_step(ss->steps[ss->edit - 1]);
		t->pidfd = (int)syscall(SYS_pidfd_open, root, 0);
		if (t->pidfd >= 0) {
			t->h = loop_add_fd(ss->loop, t->pidfd, LOOP_IN, root_exited, t);
			ss->open = xgrow(ss->open, &ss->opencap, ss->nopen + 1, sizeof(*ss->open));
			ss->open[ss->nopen++] = t;
		}
		map_set(ss, root, t->st.id);
	}
	return t;
}

static pid_t parent_of(pid_t pid)
{
	struct proc_stat st;

	return proc_stat(pid, &st) < 0 ? 0 : st.ppid;
}

static char *cmdline_of(pid_t pid)
{
	char path[64], b[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xasprintf("(process %d)", (int)pid);
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return xasprintf("(process %d)", (int)pid);
	for (ssize_t i = 0; i < n - 1; i++)
		if (!b[i])
			b[i] = ' ';
	b[n] = '\0';
	return xstrdup(b);
}

static void edit_quiet(struct loop *loop, void *data)
{
	struct steps *ss = data;

	(void)loop;
	ss->edit_timer = NULL;
	if (ss->edit)
		end_step(ss->steps[ss->edit - 1]);
}

unsigned steps_assign(struct steps *ss, const struct call *c, int *opened, int *by_agent)
{
	pid_t cur = c->pid, parent = c->ppid ? c->ppid : -1;
	unsigned step = 0;
	struct tracked *t;

	*opened = 0;
	if (c->op == OP_EXEC && c->pid == ss->agent) {
		set_program(ss, c->path); /* the agent runs another program ("env node …") */
	} else if (c->op == OP_EXEC && helper_index(ss, c->pid) != SIZE_MAX && !is_program(ss, c->path, c->pid)) {
		/* the agent's helper runs a tool (codex's sandbox helper execs
		 * the command): from here on it is that tool call */
		size_t i = helper_index(ss, c->pid);

		ss->helpers[i] = ss->helpers[--ss->nhelpers];
		parent = ss->agent;
	} else if (c->op == OP_EXEC && !is_agent(ss, c->pid) && !map_get(ss, c->pid) &&
		   is_agent(ss, parent > 0 ? parent : parent_of(cur)) && is_program(ss, c->path, c->pid) &&
		   is_program(ss, "/proc/self/exe", c->pid)) {
		/* the agent runs its own program again, from a fork of itself
		 * (not from a tool that has run something else): the agent too */
		ss->helpers = xgrow(ss->helpers, &ss->helpers_cap, ss->nhelpers + 1, sizeof(*ss->helpers));
		ss->helpers[ss->nhelpers++] = c->pid;
	}
	*by_agent = is_agent(ss, c->pid);
	if (*by_agent) {
		/* its terminal and devices are not edits */
		if (c->op == OP_EXEC || c->op == OP_CONNECT || !c->path || !strncmp(c->path, "/dev/", 5) ||
		    !strncmp(c->path, "/proc/", 6))
			return 0;
		/* the agent's own edits: one step per burst */
		if (!ss->edit) {
			t = open_step(ss, 0, xasprintf("edit %s", c->path ? c->path : "?"));
			ss->edit = t->st.id;
			*opened = 1;
		}
		ss->steps[ss->edit - 1]->last_ns = now_ns();
		loop_cancel_timer(ss->loop, ss->edit_timer);
		ss->edit_timer = loop_add_timer(ss->loop, STEP_EDIT_GAP_NS, edit_quiet, ss);
		return ss->edit;
	}
	step = map_get(ss, cur);
	if (!step && parent < 0)
		parent = parent_of(cur); /* not read for most calls: it costs */
	for (int i = 0; !step && i < MAX_WALK; i++) {
		if (is_agent(ss, parent)) {
			/* a direct child of the agent: a new tool call */
			char *cmd = cur == c->pid && c->op == OP_EXEC && c->argc ? call_cmdline(c) : cmdline_of(cur);

			t = open_step(ss, cur, cmd);
			step = t->st.id;
			*opened = 1;
			break;
		}
		if (parent <= 1)
			break; /* its ancestry is lost: no step */
		step = map_get(ss, parent);
		cur = parent;
		parent = parent_of(cur);
	}
	if (step)
		map_set(ss, c->pid, step);
	return step;
}

void steps_end_all(struct steps *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		end_step(ss->steps[i]);
}
