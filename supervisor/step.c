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
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"
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
	free(ss);
}

void steps_set_agent(struct steps *ss, pid_t agent)
{
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
	*by_agent = c->pid == ss->agent;
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
		if (parent == ss->agent) {
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
