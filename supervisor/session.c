/*
 * session.c - one supervised agent: spawn, pty pump, reaping, events.
 *
 * Owns the pty master and the agent's pid.  Output is read in bounded bursts
 * so that one chatty agent cannot starve the rest of the loop (keys typed
 * during a flood must reach the agent quickly).  After the agent exits, the
 * pty is drained until EIO, or for at most DRAIN_NS if a background process
 * still holds it, and only then EV_EXIT and EV_SESSION_END are emitted, so
 * that every byte the agent wrote comes before its exit in the event stream.
 *
 * With interception, confine.c keeps the agent in (the kernel boundary,
 * the hidden stores, the seccomp filter, whose listener belay holds before
 * the agent's exec), so the agent's own exec is the first call belay
 * sees (and allows).  Every later call is decoded (notify.c), placed in a
 * step (step.c), judged (policy.c) and answered at once, or held until a
 * front end answers it; the loop goes on serving everything else meanwhile.
 */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>
#include <stdio.h>

#include "buf.h"
#include "dirs.h"
#include "envpass.h"
#include "glob.h"
#include "guard.h"
#include "confine.h"
#include "hide.h"
#include "notify.h"
#include "sandbox.h"
#include "act.h"
#include "spawn.h"
#include "tree.h"
#include "util.h"

#define READ_CHUNK (64 * 1024)
#define READS_PER_WAKEUP 4
#define INPUT_QUEUE_MAX (16u << 20)
#define DRAIN_NS (250 * 1000000ull)
#define SWEEP_NS (500 * 1000000ull) /* how often held calls are checked for life */

#define DENIED_AGAIN_NS (2000 * 1000000ull) /* a person's no stands this long for the same call of the same process */

struct held {
	struct held_call pub;
	struct call call;
	uid_t approved_by; /* two-person calls: the first person's uid (approved is set) */
	int approved;
};

extern char **environ;

struct session {
	struct loop *loop;
	session_event_cb cb;
	void *cb_data;

	char **argv;
	char *cwd;
	char *profile;     /* the agent's profile's label, or NULL */
	int leftover;      /* processes of the tree still there when the agent ended, killed */
	char **pass_env;   /* globs: variables the agent gets whatever they look like */
	struct envpass env; /* what it gets, and what is withheld */
	int show_stores;
	uint64_t keep_caps;
	struct tree_cgroup *cg; /* its tree's cgroup, where belay can make one */
	int frozen;
	int frozen_by_policy; /* frozen for a held call (freeze), thawed at its answer */
	struct loop_fd *hide_h;
	char *term;
	struct termios termios;
	int have_termios;
	unsigned rows, cols;

	pid_t pid;
	int master;
	struct loop_fd *master_h;
	int err_fd;
	struct loop_fd *err_h;
	struct buf input; /* queued for the agent, from input_off on */
	size_t input_off;

	uint64_t started_ns;
	uint64_t seq;

	int intercept;
	char **protect;         /* paths the agent never changes (guard.c), beyond belay's folders */
	struct confine *cf; /* what keeps it in (confine.h) */
	struct sandbox *sandbox; /* the kernel boundary, confine's */
	int no_sandbox;
	char *run_user, *run_home; /* --user */
	uid_t run_uid;
	gid_t run_gid;
	struct guard *guard;
	struct policy *policy;
	struct checkpoints *cp; /* not owned; NULL: no checkpoints */
	struct journal *journal; /* not owned; NULL: nothing recorded */
	struct notify *notify;
	struct loop_fd *notify_h;
	struct steps *steps;
	char *told;        /* the last denial told to a process (tell_denied) */
	const char *reason; /* the person's words for the denial being made, or NULL */
	const char *who;    /* the user name of the person deciding now (a reviewer), or NULL */
	char **two_person;  /* globs of rules whose calls need two people (--two-person) */
	char **covers;      /* belay's folders hidden from the agent's tree (the control sockets') */
	char *denied_what;  /* the call a person denied last (call_describe), its process, when */
	pid_t denied_pid;
	uint64_t denied_ns;
	pid_t told_pid;
	int agent_started; /* the agent's own exec was seen */
	int launcher;      /* the agent's program is a launcher: its first child is the agent */
	unsigned unit;     /* the step being emitted */
	struct held *held;
	size_t nheld, held_cap;
	unsigned held_next;
	struct loop_timer *sweep_timer;
	struct loop_timer *answer_timer; /* the oldest held call's time is up */
	int timed_asks;
	unsigned long ask_timeout_ms;
	int timeout_allows;
	int running;     /* the agent process has not been reaped */
	int pty_eof;     /* the master reported EIO: every slave fd is closed */
	int exit_status; /* -1 until reaped */
	int exit_code, exit_signal;
	int ended;
	struct loop_timer *drain_timer, *kill_timer;
	char *read_buf;
};

/* Variables that would describe the outer terminal, not the agent's pane. */

static void emit(struct session *s, struct event *ev)
{
	ev->seq = ++s->seq;
	ev->t_ns = now_ns() - s->started_ns;
	journal_event(s->journal, ev);
	if (s->cb)
		s->cb(ev, s->cb_data);
}

static void emit_checkpoint(struct session *s, int rc, const struct checkpoint_info *info);

/* Checkpoints taken by themselves (a timer, a rollback beside us) and upkeep at the end. */
static void report_checkpoint(int rc, const struct checkpoint_info *info, void *data)
{
	emit_checkpoint(data, rc, info);
}

struct session *session_new(struct loop *loop, const struct session_opts *o, session_event_cb cb, void *data)
{
	struct session *s = xcalloc(1, sizeof(*s));
	size_t n = 0;

	while (o->argv[n])
		n++;
	s->argv = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		s->argv[i] = xstrdup(o->argv[i]);
	if (o->cwd) {
		s->cwd = xstrdup(o->cwd);
	} else {
		char *cwd = getcwd(NULL, 0);

		s->cwd = cwd ? cwd : xstrdup(".");
	}
	s->term = o->term ? xstrdup(o->term) : NULL;
	s->profile = o->profile ? xstrdup(o->profile) : NULL;
	s->show_stores = o->show_stores;
	s->no_sandbox = o->no_sandbox;
	if (o->run_user) {
		s->run_user = xstrdup(o->run_user);
		s->run_home = xstrdup(o->run_home ? o->run_home : "/");
		s->run_uid = o->run_uid;
		s->run_gid = o->run_gid;
	}
	s->keep_caps = o->keep_caps;
	{
		size_t np = 0;

		while (o->pass_env && o->pass_env[np])
			np++;
		s->pass_env = xcalloc(np + 1, sizeof(char *));
		for (size_t i = 0; i < np; i++)
			s->pass_env[i] = xstrdup(o->pass_env[i]);
	}
	if (o->termios) {
		s->termios = *o->termios;
		s->have_termios = 1;
	}
	s->loop = loop;
	s->cb = cb;
	s->cb_data = data;
	s->rows = o->rows ? o->rows : 24;
	s->cols = o->cols ? o->cols : 80;
	s->pid = -1;
	s->master = -1;
	s->err_fd = -1;
	s->exit_status = -1;
	s->started_ns = now_ns();
	buf_init(&s->input);
	s->read_buf = xmalloc(READ_CHUNK);
	s->intercept = o->intercept;
	for (size_t i = 0; o->protect && o->protect[i]; i++) {
		s->protect = xrealloc(s->protect, (i + 2) * sizeof(char *));
		s->protect[i] = xstrdup(o->protect[i]);
		s->protect[i + 1] = NULL;
	}
	s->policy = o->policy;
	s->cp = o->checkpoints;
	s->journal = o->journal;
	if (s->cp)
		checkpoints_set_report(s->cp, report_checkpoint, s);
	s->timed_asks = o->timed_asks;
	s->ask_timeout_ms = o->ask_timeout_ms;
	s->timeout_allows = o->timeout_allows;
	s->two_person = strv_copy(o->two_person);
	s->covers = strv_copy(o->covers);
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	loop_remove_fd(s->loop, s->master_h);
	loop_remove_fd(s->loop, s->err_h);
	loop_cancel_timer(s->loop, s->drain_timer);
	loop_cancel_timer(s->loop, s->kill_timer);
	if (s->master >= 0)
		close(s->master);
	if (s->err_fd >= 0)
		close(s->err_fd);
	loop_remove_fd(s->loop, s->notify_h);
	loop_remove_fd(s->loop, s->hide_h);
	tree_cgroup_free(s->cg);
	loop_cancel_timer(s->loop, s->sweep_timer);
	loop_cancel_timer(s->loop, s->answer_timer);
	for (size_t i = 0; i < s->nheld; i++)
		call_release(&s->held[i].call);
	free(s->held);
	notify_free(s->notify); /* held calls fail (ENOSYS) */
	steps_free(s->steps);
	free(s->told);
	free(s->profile);
	for (size_t i = 0; s->pass_env && s->pass_env[i]; i++)
		free(s->pass_env[i]);
	free(s->pass_env);
	envpass_release(&s->env);
	guard_free(s->guard);
	confine_free(s->cf);
	free(s->run_user);
	free(s->run_home);
	for (size_t i = 0; s->protect && s->protect[i]; i++)
		free(s->protect[i]);
	free(s->protect);
	strv_free(s->two_person);
	strv_free(s->covers);
	free(s->denied_what);
	for (size_t i = 0; s->argv[i]; i++)
		free(s->argv[i]);
	free(s->argv);
	free(s->cwd);
	free(s->term);
	free(s->read_buf);
	buf_release(&s->input);
	free(s);
}

/*
 * The agent's environment: what envpass lets through (the withheld names
 * are kept for the session's first event), the terminal belay gives it,
 * and BELAY.  The strings are environ's, but for the last few.
 */
static char **build_env(struct session *s)
{
	size_t k = 0;
	char **env;

	envpass_build(environ, s->pass_env, &s->env);
	while (s->env.envp[k])
		k++;
	env = xcalloc(k + 8, sizeof(char *));
	k = 0;
	for (size_t i = 0; s->env.envp[i]; i++) {
		const char *v = s->env.envp[i];

		if (confine_tmpdir(s->cf) && !strncmp(v, "TMPDIR=", 7))
			continue;
		/* --user: the user's own names and home */
		if (s->run_user && (!strncmp(v, "HOME=", 5) || !strncmp(v, "USER=", 5) || !strncmp(v, "LOGNAME=", 8)))
			continue;
		env[k++] = s->env.envp[i];
	}
	if (s->run_user) {
		env[k++] = xasprintf("HOME=%s", s->run_home);
		env[k++] = xasprintf("USER=%s", s->run_user);
		env[k++] = xasprintf("LOGNAME=%s", s->run_user);
	}
	if (confine_tmpdir(s->cf))
		env[k++] = xasprintf("TMPDIR=%s", confine_tmpdir(s->cf));
	if (s->term) {
		env[k++] = xasprintf("TERM=%s", s->term);
		env[k++] = xstrdup("COLORTERM=truecolor");
	} else {
		/* headless: the output goes to the caller's terminal as it is */
		const char *term = getenv("TERM"), *colorterm = getenv("COLORTERM");

		env[k++] = xasprintf("TERM=%s", term ? term : "xterm-256color");
		if (colorterm)
			env[k++] = xasprintf("COLORTERM=%s", colorterm);
	}
	env[k++] = xasprintf("BELAY=%d", (int)getpid());
	env[k] = NULL;
	return env;
}

static void emit_checkpoint(struct session *s, int rc, const struct checkpoint_info *info);

static void finish(struct session *s)
{
	struct event ev = { .type = EV_EXIT };

	if (s->ended)
		return;
	s->ended = 1;
	loop_cancel_timer(s->loop, s->drain_timer);
	s->drain_timer = NULL;
	/* what still waits can wait no more: the agent is gone */
	while (s->nheld)
		session_answer(s, s->held[0].pub.n, ANSWER_DENY, DECIDED_SESSION_END, NULL);
	/* and nothing of its tree outlives the session: not a daemon, not a
	 * nohup'ed job, not what ignores SIGHUP */
	s->leftover = tree_kill(s->pid);
	if (s->frozen) {
		tree_freeze(s->cg, 0);
		s->frozen = 0;
	}
	tree_cgroup_free(s->cg);
	s->cg = NULL;
	if (s->steps)
		steps_end_all(s->steps);
	if (s->cp) {
		struct checkpoint_info info;

		emit_checkpoint(s, checkpoints_end(s->cp, &info), &info);
	}
	/*
	 * Nothing follows EV_SESSION_END, even if a background process still
	 * writes to the terminal after the drain time.
	 */
	loop_remove_fd(s->loop, s->master_h);
	s->master_h = NULL;
	ev.u.exit.pid = s->pid;
	ev.u.exit.code = s->exit_signal ? -1 : s->exit_code;
	ev.u.exit.signal = s->exit_signal;
	ev.u.exit.status = s->exit_status;
	ev.u.exit.killed = s->leftover;
	emit(s, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_SESSION_END;
	ev.u.end.status = s->exit_status;
	emit(s, &ev);
}

static void pty_closed(struct session *s)
{
	s->pty_eof = 1;
	loop_remove_fd(s->loop, s->master_h);
	s->master_h = NULL;
	if (!s->running && s->exit_status >= 0)
		finish(s);
}

/* Read what is there, at most READS_PER_WAKEUP chunks (or all when draining). */
static void pump_output(struct session *s, int drain)
{
	for (int i = 0; drain || i < READS_PER_WAKEUP; i++) {
		ssize_t n = read(s->master, s->read_buf, READ_CHUNK);

		if (n > 0) {
			struct event ev = { .type = EV_OUTPUT };

			ev.u.output.data = s->read_buf;
			ev.u.output.len = (size_t)n;
			emit(s, &ev);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* EIO: no slave fd is open any more; 0 does not happen on Linux. */
		pty_closed(s);
		return;
	}
}

static void flush_input(struct session *s)
{
	while (s->input_off < s->input.len) {
		ssize_t n = write(s->master, s->input.data + s->input_off, s->input.len - s->input_off);

		if (n > 0) {
			s->input_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			s->input_off = s->input.len; /* the agent's side is gone: drop it */
		break;
	}
	/* careful: a big paste is written in pieces; moving what is left to
	 * the front after every piece would make it quadratic */
	if (s->input_off == s->input.len) {
		buf_reset(&s->input);
		s->input_off = 0;
	} else if (s->input_off > s->input.len / 2) {
		buf_consume(&s->input, s->input_off);
		s->input_off = 0;
	}
	if (s->master_h)
		loop_fd_set_events(s->master_h, LOOP_IN | (s->input.len ? LOOP_OUT : 0));
}

static void master_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct session *s = data;

	(void)loop;
	(void)fd;
	if (revents & LOOP_OUT)
		flush_input(s);
	if (revents & (LOOP_IN | LOOP_HUP | LOOP_ERR))
		pump_output(s, 0);
}

static void err_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct session *s = data;
	struct spawn_error se;
	ssize_t n;

	(void)revents;
	if (fd < 0)
		return;
	n = read(fd, &se, sizeof(se));
	if (n < 0 && errno == EAGAIN)
		return;
	if (n == (ssize_t)sizeof(se))
		warn("cannot %s '%s': %s", spawn_stage_name(se.stage), s->argv[0], strerror(se.err));
	loop_remove_fd(loop, s->err_h);
	s->err_h = NULL;
	close(s->err_fd);
	s->err_fd = -1;
}

static void drain_timeout(struct loop *loop, void *data)
{
	struct session *s = data;

	(void)loop;
	s->drain_timer = NULL;
	if (s->master_h)
		pump_output(s, 1);
	finish(s);
}

static void child_exited(struct loop *loop, int signo, void *data)
{
	struct session *s = data;
	int status;
	pid_t pid;

	(void)signo;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != s->pid)
			continue;
		s->running = 0;
		if (WIFSIGNALED(status)) {
			s->exit_signal = WTERMSIG(status);
			s->exit_status = 128 + s->exit_signal;
		} else {
			s->exit_code = WEXITSTATUS(status);
			s->exit_status = s->exit_code;
		}
		loop_cancel_timer(loop, s->kill_timer);
		s->kill_timer = NULL;
		/* the child is gone, so its error pipe says all it will say:
		 * read it now, before the exit is reported */
		if (s->err_h)
			err_ready(loop, s->err_fd, LOOP_IN, s);
		if (s->pty_eof) {
			finish(s);
		} else {
			pump_output(s, 1);
			if (!s->ended)
				s->drain_timer = loop_add_timer(loop, DRAIN_NS, drain_timeout, s);
		}
	}
}

/* ---- credential stores ---- */

static void hidden_read(const char *path, void *data)
{
	struct session *s = data;
	struct event ev = { .type = EV_HIDDEN };

	ev.u.hidden.path = path;
	emit(s, &ev);
}

static void hidden_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct session *s = data;

	(void)loop, (void)fd, (void)revents;
	hide_read_events(confine_hide(s->cf), hidden_read, s);
}

/* ---- interception ---- */

static void emit_notice(struct session *s, const char *text)
{
	struct event ev = { .type = EV_NOTICE };

	ev.u.notice.text = text;
	emit(s, &ev);
}

void session_notice(struct session *s, const char *text)
{
	emit_notice(s, text);
}

static enum event_type call_event_type(const struct call *c)
{
	return c->op == OP_EXEC ? EV_EXEC : c->op == OP_CONNECT ? EV_CONNECT : EV_FILE;
}

static void emit_checkpoint(struct session *s, int rc, const struct checkpoint_info *info)
{
	struct event ev = { .type = EV_CHECKPOINT, .step = info->step };

	if (rc == 0)
		return;
	ev.u.checkpoint.kind = info->kind;
	ev.u.checkpoint.session = info->session;
	ev.u.checkpoint.commit = info->commit;
	ev.u.checkpoint.changed = info->changed;
	ev.u.checkpoint.kept = info->kept;
	ev.u.checkpoint.files = info->files;
	ev.u.checkpoint.ns = info->ns;
	ev.u.checkpoint.error = rc < 0 ? info->error : NULL;
	ev.u.checkpoint.restored = info->restored;
	emit(s, &ev);
}

void session_report_checkpoint(struct session *s, int rc, const struct checkpoint_info *info)
{
	emit_checkpoint(s, rc, info);
}

/* Before a held call that destroys content is let through: keep it first. */
static void write_ahead(struct session *s, const struct call *c, unsigned step)
{
	struct checkpoint_info info;
	struct buf why = BUF_INIT;

	if (!s->cp || !checkpoints_wants_write_ahead(c))
		return;
	emit_checkpoint(s, checkpoints_write_ahead(s->cp, c, step, &info), &info);
	/* the person allowed it: what cannot be kept (the budget) is let go */
	checkpoints_keep(s->cp, c, step, &why);
	buf_release(&why);
}

static uint64_t emit_call(struct session *s, const struct call *c, unsigned step, int by_agent)
{
	struct event ev = { .type = call_event_type(c), .step = step };

	if (s->cp)
		checkpoints_note(s->cp, c, step);
	ev.u.call.call = c;
	ev.u.call.by_agent = by_agent;
	emit(s, &ev);
	return ev.seq;
}

/* how: a person's keys ("C-] a"), NULL for anything else */
static void emit_decision(struct session *s, uint64_t call_seq, unsigned step, enum verdict verdict, enum decider by,
			  const char *how, const char *rule, const char *text, uint64_t held_ns)
{
	struct event ev = { .type = EV_DECISION, .step = step };

	ev.u.decision.call = call_seq;
	ev.u.decision.verdict = verdict;
	ev.u.decision.by = by;
	ev.u.decision.how = how;
	ev.u.decision.rule = rule;
	ev.u.decision.text = text;
	ev.u.decision.held_ns = held_ns;
	ev.u.decision.reason = verdict == VERDICT_DENY ? s->reason : NULL;
	ev.u.decision.who = by == DECIDED_USER || by == DECIDED_REVIEWER ? s->who : NULL;
	emit(s, &ev);
}

static void step_ended(const struct step *st, void *data)
{
	struct session *s = data;
	struct event ev = { .type = EV_STEP_END, .step = st->id };

	struct checkpoint_info info;
	int rc = 0;

	ev.u.step_end.duration_ns = st->end_ns - st->start_ns;
	/* its checkpoint first: the event says what the step changed */
	if (s->cp) {
		rc = checkpoints_step_end(s->cp, st, &info);
		ev.u.step_end.known = info.step_known;
		ev.u.step_end.files = info.step_files;
		ev.u.step_end.with = info.with;
		ev.u.step_end.nwith = info.nwith;
	}
	emit(s, &ev);
	if (s->cp)
		emit_checkpoint(s, rc, &info);
}

/*
 * Answer a call now; deny with EACCES, which libc never takes for "try
 * another call".  An allowed call the kernel boundary would refuse, belay
 * carries out itself, on what it judged (act.h).
 */
static void reply(struct session *s, const struct call *c, int allow)
{
	if (allow && s->sandbox && !c->no_effect && !sandbox_lets(s->sandbox, c)) {
		if (act_carry_out(s->notify, c) < 0)
			notify_deny(s->notify, c->id, EACCES);
		return;
	}
	if (allow)
		notify_allow(s->notify, c->id);
	else
		notify_deny(s->notify, c->id, EACCES);
}

/*
 * A denied call's process learns why on its standard error, so that a
 * tool's output carries it to the agent: "belay: git push origin main
 * denied (policies/default.rules:74); ask the user to allow it".  Not the
 * agent process itself: its terminal is its screen.
 */
static void tell_denied(struct session *s, const struct call *c, int by_agent, enum decider by, const char *rule)
{
	char *what, *text, *why;

	if (by_agent || by == DECIDED_GONE || by == DECIDED_SESSION_END)
		return;
	/* "(keep budget)" is already in parentheses; "policies/x.rules:3" is not */
	why = !rule ? NULL : rule[0] == '(' ? xstrdup(rule) : xasprintf("(%s)", rule);
	what = call_describe(c);
	if (strlen(what) > 120)
		strcpy(what + 117, "...");
	if (by == DECIDED_REVIEWER && s->reason)
		text = xasprintf("belay: %s denied by %s, a reviewer, who says: %s; do not try it another way, ask them",
				 what, s->who ? s->who : "someone", s->reason);
	else if (by == DECIDED_REVIEWER)
		text = xasprintf("belay: %s denied by %s, a reviewer%s%s; do not try it another way, ask them", what,
				 s->who ? s->who : "someone", why ? " after it asked " : "", why ? why : "");
	else if (by == DECIDED_USER && s->reason)
		text = xasprintf("belay: %s denied by the user, who says: %s; do not try it another way, ask them",
				 what, s->reason);
	else if (by == DECIDED_USER)
		text = xasprintf("belay: %s denied by the user%s%s; do not try it another way, ask them", what,
				 why ? " after it asked " : "", why ? why : "");
	else if (by == DECIDED_TIMEOUT)
		text = xasprintf("belay: %s denied: nobody answered in time %s; ask the user to allow it", what,
				 why ? why : "(it asks)");
	else
		text = xasprintf("belay: %s denied %s; ask the user to allow it", what, why ? why : "(the policy)");
	free(why);
	/* a shell tries each $PATH entry: one line for the same denial */
	if (c->pid != s->told_pid || !s->told || strcmp(s->told, text)) {
		notify_tell(c->pid, text);
		free(s->told);
		s->told = xstrdup(text);
		s->told_pid = c->pid;
	}
	free(text);
	free(what);
}

static void sweep(struct loop *loop, void *data);
static void arm_answer_timer(struct session *s);

/* The same process asks for the same thing a person denied it a moment ago (DENIED_AGAIN_NS). */
static int denied_just_now(struct session *s, const struct call *c)
{
	char *what;
	int same;

	if (!s->denied_what || c->pid != s->denied_pid || now_ns() - s->denied_ns > DENIED_AGAIN_NS)
		return 0;
	what = call_describe(c);
	same = !strcmp(what, s->denied_what);
	free(what);
	return same;
}

/* A call held by this rule needs two people (--two-person): a glob matches its place or its text. */
static int needs_two(const struct session *s, const char *rule, const char *text)
{
	for (size_t i = 0; s->two_person && s->two_person[i]; i++)
		if ((rule && glob_match(s->two_person[i], rule, GLOB_TEXT) == 1) || (text && glob_match(s->two_person[i], text, GLOB_TEXT) == 1))
			return 1;
	return 0;
}

static void hold(struct session *s, struct call *c, unsigned step, int by_agent, uint64_t seq, const char *rule,
		 const char *text)
{
	struct held *h;
	struct event ev = { .type = EV_HELD, .step = step };
	struct step *st = steps_get(s->steps, step);

	s->held = xgrow(s->held, &s->held_cap, s->nheld + 1, sizeof(*s->held));
	h = &s->held[s->nheld++];
	memset(h, 0, sizeof(*h));
	h->call = *c; /* the held call owns its strings now */
	h->pub.n = ++s->held_next;
	h->pub.step = step;
	h->pub.by_agent = by_agent;
	h->pub.rule = rule;
	h->pub.since_ns = now_ns();
	h->pub.seq = seq;
	h->pub.two = needs_two(s, rule, text);
	if (st)
		st->held++;
	/* careful: growing the array moved the calls; point again */
	for (size_t i = 0; i < s->nheld; i++)
		s->held[i].pub.call = &s->held[i].call;
	if (!s->sweep_timer)
		s->sweep_timer = loop_add_timer(s->loop, SWEEP_NS, sweep, s);
	ev.u.held.call = seq;
	ev.u.held.n = h->pub.n;
	ev.u.held.rule = rule;
	ev.u.held.text = text;
	ev.u.held.c = &h->call;
	ev.u.held.two = h->pub.two;
	emit(s, &ev);
	if (!s->answer_timer)
		arm_answer_timer(s);
}

/* Held calls whose time is up get the answer given for that case. */
static void answer_due(struct loop *loop, void *data)
{
	struct session *s = data;
	uint64_t now = now_ns(), limit = (uint64_t)s->ask_timeout_ms * 1000000ull;

	(void)loop;
	s->answer_timer = NULL;
	/* oldest first; each answer can change the queue (a grant, a process gone) */
	while (s->nheld && now - s->held[0].pub.since_ns >= limit)
		session_answer(s, s->held[0].pub.n, s->timeout_allows ? ANSWER_ALLOW : ANSWER_DENY, DECIDED_TIMEOUT, NULL);
	arm_answer_timer(s);
}

static void arm_answer_timer(struct session *s)
{
	uint64_t now = now_ns(), due;

	if (!s->timed_asks || !s->nheld || s->answer_timer)
		return;
	due = s->held[0].pub.since_ns + (uint64_t)s->ask_timeout_ms * 1000000ull;
	s->answer_timer = loop_add_timer(s->loop, due > now ? due - now : 0, answer_due, s);
}

static void drop_held(struct session *s, size_t i)
{
	int thaw = s->held[i].pub.freezes;

	call_release(&s->held[i].call);
	memmove(&s->held[i], &s->held[i + 1], (s->nheld - i - 1) * sizeof(*s->held));
	s->nheld--;
	for (size_t k = 0; k < s->nheld; k++) {
		s->held[k].pub.call = &s->held[k].call;
		if (s->held[k].pub.freezes)
			thaw = 0;
	}
	/* the last call that froze the tree is answered: it runs again,
	 * unless a person had frozen it before */
	if (thaw && s->frozen_by_policy) {
		s->frozen_by_policy = 0;
		session_freeze(s, 0);
	}
}

/* Held calls whose process went away (killed while waiting): forget them. */
static void sweep(struct loop *loop, void *data)
{
	struct session *s = data;

	s->sweep_timer = NULL;
	for (size_t i = 0; i < s->nheld;) {
		struct held *h = &s->held[i];

		if (notify_pending(s->notify, h->call.id)) {
			i++;
			continue;
		}
		emit_decision(s, h->pub.seq, h->pub.step, VERDICT_DENY, DECIDED_GONE, NULL, NULL, NULL, now_ns() - h->pub.since_ns);
		drop_held(s, i);
	}
	if (s->nheld)
		s->sweep_timer = loop_add_timer(loop, SWEEP_NS, sweep, s);
}

static void handle_call(struct session *s, struct call *c)
{
	struct stat stbuf;
	struct decision d;
	unsigned step;
	int opened, by_agent;
	uint64_t seq;

	if (c->no_effect && !c->unreadable) {
		reply(s, c, 1);
		call_release(c);
		return;
	}
	/* The agent's own first exec, and the real agent a launcher starts,
	 * run without a policy: they are what the person asked to run. */
	if (!s->agent_started && c->op == OP_EXEC && c->pid == s->pid) {
		s->agent_started = 1;
		/* before it runs anything: what it starts follows it in */
		if (s->cg && tree_cgroup_enter(s->cg, c->pid) < 0) {
			tree_cgroup_free(s->cg);
			s->cg = NULL;
		}
		steps_set_agent(s->steps, c->pid, c->path);
		s->launcher = s->policy && c->path && policy_is_launcher(s->policy, c->path);
		seq = emit_call(s, c, 0, 1);
		reply(s, c, 1);
		emit_decision(s, seq, 0, VERDICT_ALLOW, DECIDED_AGENT_START, NULL, NULL, NULL, 0);
		call_release(c);
		return;
	}
	if (s->launcher && c->op == OP_EXEC && c->ppid == steps_agent(s->steps)) {
		s->launcher = 0;
		steps_set_agent(s->steps, c->pid, c->path);
		seq = emit_call(s, c, 0, 1);
		reply(s, c, 1);
		emit_decision(s, seq, 0, VERDICT_ALLOW, DECIDED_AGENT_START, NULL, NULL, "the agent, started by its launcher", 0);
		call_release(c);
		return;
	}
	if (c->op == OP_EXEC && c->pid == steps_agent(s->steps) && s->policy) {
		/* the agent process runs another program ("env node …", a
		 * shebang): whether that one is a launcher is asked again */
		s->launcher = c->path && policy_is_launcher(s->policy, c->path);
	}
	step = steps_assign(s->steps, c, &opened, &by_agent);
	if (opened) {
		struct event ev = { .type = EV_STEP_START, .step = step };
		const struct step *st = steps_get(s->steps, step);

		if (s->cp) {
			struct checkpoint_info info;

			/* the step's first call has not run yet */
			emit_checkpoint(s, checkpoints_step_start(s->cp, st, &info), &info);
		}
		ev.u.step.pid = st->root;
		ev.u.step.cmd = st->cmd;
		emit(s, &ev);
	}
	if (step) {
		struct step *st = steps_get(s->steps, step);

		st->calls++;
		if (call_op_kind(c->op) == KIND_WRITE || call_op_kind(c->op) == KIND_DELETE)
			st->files++;
	}
	seq = emit_call(s, c, step, by_agent);
	if (c->judged_at_open) {
		/* ftruncate: its open for writing was judged */
		d.verdict = VERDICT_ALLOW;
		d.rule = "(opened for writing before)";
		d.text = NULL;
	} else if (guard_judge(s->guard, c, &d)) {
		/* the fixed rules first: no policy and no grant changes them */
	} else if (c->op == OP_EXEC && c->nameless) {
		/* no rule about programs can say what this one is */
		d.verdict = VERDICT_ASK;
		d.rule = "(a program with no name on disk)";
		d.text = NULL;
	} else if (c->op == OP_MKDIR && c->path && !c->unreadable && lstat(c->path, &stbuf) == 0) {
		/* "mkdir -p" tries every parent: one that exists fails with
		 * EEXIST and changes nothing, so nobody is asked about it */
		d.verdict = VERDICT_ALLOW;
		d.rule = "(exists: no effect)";
		d.text = NULL;
	} else if (s->policy) {
		policy_decide(s->policy, c, by_agent, &d);
	} else {
		d.verdict = VERDICT_ALLOW;
		d.rule = NULL;
		d.text = NULL;
	}
	if (d.verdict == VERDICT_ALLOW && s->cp && checkpoints_wants_write_ahead(c)) {
		/* what no checkpoint holds (ignored files) is kept before it
		 * goes; when it cannot be, the call is no longer reversible */
		struct buf why = BUF_INIT;
		int k = checkpoints_keep(s->cp, c, step, &why);

		if (k != 0) {
			emit_notice(s, why.data);
			d.verdict = VERDICT_ASK;
			d.rule = k > 0 ? "(keep budget)" : "(cannot keep)";
		}
		buf_release(&why);
	}
	if (d.verdict == VERDICT_FREEZE) {
		/* what should stop the agent in its tracks: nothing of its
		 * tree runs until a person answers */
		if (!s->frozen && session_freeze(s, 1) == 0)
			s->frozen_by_policy = 1;
		hold(s, c, step, by_agent, seq, d.rule, d.text);
		s->held[s->nheld - 1].pub.freezes = 1;
		return;
	}
	if (d.verdict == VERDICT_ASK && denied_just_now(s, c)) {
		/* a shell tries each $PATH entry: the person's no stands for the next try too */
		d.verdict = VERDICT_DENY;
		d.rule = "(denied just before)";
		d.text = NULL;
	} else if (d.verdict == VERDICT_ASK) {
		hold(s, c, step, by_agent, seq, d.rule, d.text);
		return;
	}
	if (d.verdict == VERDICT_DENY)
		tell_denied(s, c, by_agent, DECIDED_RULE, d.rule);
	reply(s, c, d.verdict == VERDICT_ALLOW);
	if (d.verdict == VERDICT_DENY && step)
		steps_get(s->steps, step)->denied++;
	emit_decision(s, seq, step, d.verdict, DECIDED_RULE, NULL, d.rule, d.text, 0);
	call_release(c);
}

static void listener_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct session *s = data;

	if (revents & LOOP_IN) {
		/* one at a time: RECV blocks when nothing is pending.  (Spinning
		 * for the next call was tried: on two cores it takes the CPU the
		 * agent needs, and everything got slower.) */
		for (int i = 0; i < 64; i++) {
			struct pollfd p = { fd, POLLIN, 0 };
			struct call c;

			if (i && (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)))
				break;
			if (notify_receive(s->notify, &c) > 0)
				handle_call(s, &c);
		}
		return;
	}
	if (revents & (LOOP_HUP | LOOP_ERR)) {
		/* no process uses the filter any more */
		loop_remove_fd(loop, s->notify_h);
		s->notify_h = NULL;
	}
}

static size_t held_index(const struct session *s, unsigned n)
{
	for (size_t i = 0; i < s->nheld; i++)
		if (s->held[i].pub.n == n)
			return i;
	return SIZE_MAX;
}

char *session_grant_preview(const struct session *s, unsigned n)
{
	size_t i = held_index(s, n);

	/* with --two-person no grant is made: one person's grant would let
	 * later calls through that two people must allow */
	if (i == SIZE_MAX || !s->policy || s->two_person)
		return NULL;
	return policy_grant_preview(s->policy, &s->held[i].call);
}

static int answer(struct session *s, unsigned n, enum answer a, enum decider by, const char *how, uid_t uid);

int session_answer(struct session *s, unsigned n, enum answer a, enum decider by, const char *how)
{
	return answer(s, n, a, by, how, getuid());
}

int session_decide(struct session *s, unsigned n, enum answer a, const struct answerer *w)
{
	int rc;

	s->reason = a == ANSWER_DENY && w->reason && *w->reason ? w->reason : NULL;
	s->who = w->who;
	rc = answer(s, n, a, w->by, w->how, w->uid);
	s->reason = NULL;
	s->who = NULL;
	return rc;
}

static int answer(struct session *s, unsigned n, enum answer a, enum decider by, const char *how, uid_t uid)
{
	size_t i = held_index(s, n);
	struct held *h;
	uint64_t held_ns;
	char rule[32] = "";
	const char *text = NULL;

	if (i == SIZE_MAX)
		return -1;
	h = &s->held[i];
	held_ns = now_ns() - h->pub.since_ns;
	if (!notify_pending(s->notify, h->call.id)) {
		emit_decision(s, h->pub.seq, h->pub.step, VERDICT_DENY, DECIDED_GONE, NULL, NULL, NULL, held_ns);
		drop_held(s, i);
		return -1;
	}
	if (a == ANSWER_ALLOW_SIMILAR && s->two_person)
		a = ANSWER_ALLOW; /* no grants: see session_grant_preview */
	if (h->pub.two && a != ANSWER_DENY && by != DECIDED_USER && by != DECIDED_REVIEWER)
		a = ANSWER_DENY; /* nobody (a timeout that allows) is not two people */
	if (h->pub.two && a != ANSWER_DENY) {
		/* two people, two users: the first yes waits for the second */
		struct event ev = { .type = EV_NOTICE, .step = h->pub.step };
		char *t;

		if (h->approved && h->approved_by == uid)
			return -2;
		if (!h->approved) {
			h->approved = 1;
			h->approved_by = uid;
			t = xasprintf("#%u: allowed by %s; it needs a second person (another user) to allow it too", n,
				      s->who ? s->who : "the person at the session's screen");
			ev.u.notice.text = t;
			emit(s, &ev);
			free(t);
			return 1;
		}
		a = ANSWER_ALLOW; /* no grant from a call two people had to allow */
	}
	if (a == ANSWER_ALLOW_SIMILAR && s->policy) {
		struct event ev = { .type = EV_GRANT, .step = h->pub.step };
		int g = policy_grant(s->policy, &h->call, &text);

		snprintf(rule, sizeof(rule), "grant %d", g);
		ev.u.grant.n = g;
		ev.u.grant.text = text;
		emit(s, &ev);
	}
	if (a != ANSWER_DENY) {
		write_ahead(s, &h->call, h->pub.step);
	} else {
		tell_denied(s, &h->call, h->pub.by_agent, by, h->pub.rule);
		if (by == DECIDED_USER || by == DECIDED_REVIEWER) {
			free(s->denied_what);
			s->denied_what = call_describe(&h->call);
			s->denied_pid = h->call.pid;
			s->denied_ns = now_ns();
		}
	}
	reply(s, &h->call, a != ANSWER_DENY);
	if (a == ANSWER_DENY && h->pub.step)
		steps_get(s->steps, h->pub.step)->denied++;
	emit_decision(s, h->pub.seq, h->pub.step, a == ANSWER_DENY ? VERDICT_DENY : VERDICT_ALLOW, by, how, rule[0] ? rule : NULL,
		      text, held_ns);
	drop_held(s, i);
	/* a grant may cover calls that wait too */
	if (a == ANSWER_ALLOW_SIMILAR && s->policy) {
		for (size_t k = 0; k < s->nheld;) {
			struct decision d;

			policy_decide(s->policy, &s->held[k].call, s->held[k].pub.by_agent, &d);
			if (d.verdict != VERDICT_ALLOW) {
				k++;
				continue;
			}
			write_ahead(s, &s->held[k].call, s->held[k].pub.step);
			reply(s, &s->held[k].call, 1);
			emit_decision(s, s->held[k].pub.seq, s->held[k].pub.step, VERDICT_ALLOW, DECIDED_GRANT, NULL, d.rule, d.text,
				      now_ns() - s->held[k].pub.since_ns);
			drop_held(s, k);
		}
	}
	return 0;
}

int session_deny_because(struct session *s, unsigned n, enum decider by, const char *how, const char *reason)
{
	struct answerer w = { by, how, NULL, getuid(), reason };

	return session_decide(s, n, ANSWER_DENY, &w);
}

void session_note(struct session *s, unsigned step, const char *who, const char *text)
{
	struct event ev = { .type = EV_NOTE, .step = step };

	ev.u.note.who = who;
	ev.u.note.text = text;
	emit(s, &ev);
}

int session_freeze(struct session *s, int frozen)
{
	struct event ev = { .type = EV_NOTICE };
	int e;

	if (!s->running || !!frozen == s->frozen)
		return 0;
	e = tree_freeze(s->cg, frozen);
	if (e < 0)
		return e;
	s->frozen = !!frozen;
	ev.u.notice.text = frozen ? (s->cg ? "the agent's tree is frozen (the cgroup freezer): nothing of it runs"
					   : "the agent's tree is stopped (SIGSTOP to each process): nothing of it runs")
				  : "the agent's tree runs again";
	emit(s, &ev);
	return 0;
}

int session_frozen(const struct session *s)
{
	return s->frozen;
}

int session_deny_foreground(struct session *s, enum decider by, const char *how)
{
	pid_t fg = s->master >= 0 ? tcgetpgrp(s->master) : -1;
	int n = 0;

	if (fg <= 0)
		return 0;
	for (size_t i = 0; i < s->nheld;) {
		if (getpgid(s->held[i].call.pid) == fg) {
			session_answer(s, s->held[i].pub.n, ANSWER_DENY, by, how);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

size_t session_nheld(const struct session *s)
{
	return s->nheld;
}

const struct held_call *session_held(const struct session *s, size_t i)
{
	return i < s->nheld ? &s->held[i].pub : NULL;
}

int session_revoke(struct session *s, int grant)
{
	struct event ev = { .type = EV_REVOKE };

	if (!s->policy || policy_revoke(s->policy, grant) < 0)
		return -1;
	ev.u.grant.n = grant;
	ev.u.grant.text = NULL;
	emit(s, &ev);
	return 0;
}

const struct steps *session_steps(const struct session *s)
{
	return s->steps;
}

int session_intercepting(const struct session *s)
{
	return s->notify != NULL;
}

/* The fixed rules: the agent's terminal is tty; belay's own files are its own. */
static void protect_own(struct session *s, dev_t tty)
{
	char *proc = xasprintf("/proc/%d", (int)getpid());

	s->guard = guard_new(tty);
	for (int d = 0; d < DIR__COUNT; d++) {
		char *dir = dirs_get((enum belay_dir)d);

		guard_protect(s->guard, dir);
		free(dir);
	}
	guard_protect(s->guard, proc);
	free(proc);
	for (size_t i = 0; s->protect && s->protect[i]; i++)
		guard_protect(s->guard, s->protect[i]);
}

int session_start(struct session *s)
{
	struct spawn_opts so = { 0 };
	struct spawn_result r;
	struct event ev = { .type = EV_SESSION_START };
	char *path, **env = NULL;
	int e, status;

	path = spawn_resolve(s->argv[0]);
	if (!path) {
		if (errno == EACCES) {
			warn("cannot run '%s': permission denied", s->argv[0]);
			return 126;
		}
		warn("command not found: '%s' (check the name or PATH)", s->argv[0]);
		return 127;
	}
	e = loop_add_signal(s->loop, SIGCHLD, child_exited, s);
	if (e < 0) {
		free(path);
		warn("cannot watch for the agent's exit: %s", strerror(-e));
		return 1;
	}
	s->steps = steps_new(s->loop, step_ended, s);
	s->cg = tree_cgroup_new();
	e = tree_adopt();
	if (e < 0) {
		warn("cannot keep the agent's processes below belay: %s", strerror(-e));
		status = 1;
		goto out;
	}
	if (s->intercept) {
		struct confine_opts co = { 0 };

		co.workspace = s->cwd;
		co.policy = s->policy;
		co.cg = s->cg;
		co.keep_caps = s->keep_caps;
		co.no_sandbox = s->no_sandbox;
		co.show_stores = s->show_stores;
		co.covers = s->covers;
		co.user = s->run_user;
		co.uid = s->run_uid;
		co.gid = s->run_gid;
		co.home = s->run_home;
		s->cf = confine_parent(&co);
		if (!s->cf) {
			status = 1;
			goto out;
		}
		s->sandbox = confine_sandbox(s->cf);
		if (confine_hide(s->cf) && hide_watch(confine_hide(s->cf)) >= 0)
			s->hide_h = loop_add_fd(s->loop, hide_watch(confine_hide(s->cf)), LOOP_IN, hidden_ready, s);
		confine_spawn(s->cf, &so);
	}
	env = build_env(s);
	so.path = path;
	so.argv = s->argv;
	so.envp = env;
	so.cwd = s->cwd;
	so.rows = (unsigned short)s->rows;
	so.cols = (unsigned short)s->cols;
	so.termios = s->have_termios ? &s->termios : NULL;
	s->started_ns = now_ns();
	e = spawn_pty(&so, &r);
	if (e < 0) {
		warn("cannot start '%s' in a new terminal: %s", s->argv[0], strerror(-e));
		status = 1;
		goto out;
	}
	s->pid = r.pid;
	if (!s->intercept && s->cg && tree_cgroup_enter(s->cg, s->pid) < 0) {
		/* unseen, it may have started something already: the walk then */
		tree_cgroup_free(s->cg);
		s->cg = NULL;
	}
	s->master = r.master;
	s->err_fd = r.err_fd;
	if (s->intercept) {
		int fd = confine_listener(s->cf, r.pid, r.tty);

		if (fd < 0 || !(s->notify = notify_new(fd))) {
			/* fail closed: the reason is on the error pipe */
			struct spawn_error se = { SPAWN_STAGE_SETUP, ETIMEDOUT };
			int st;

			if (fd >= 0)
				close(fd);
			kill(r.pid, SIGKILL);
			fd_set_nonblock(r.err_fd, 0);
			if (read(r.err_fd, &se, sizeof(se)) != (ssize_t)sizeof(se))
				se.err = fd < 0 ? ETIMEDOUT : errno;
			waitpid(r.pid, &st, 0);
			warn("cannot intercept the agent's calls: %s%s", strerror(se.err),
			     se.err == EBUSY ? " (another seccomp listener is in place: is belay inside a sandbox?)"
			     : "");
			warn("belay does not run an agent it cannot see; --no-intercept runs it unsupervised");
			close(s->master), s->master = -1;
			close(s->err_fd), s->err_fd = -1;
			status = 1;
			goto out;
		}
		s->notify_h = loop_add_fd(s->loop, notify_fd(s->notify), LOOP_IN, listener_ready, s);
		protect_own(s, r.tty);
	}
	s->running = 1;
	s->master_h = loop_add_fd(s->loop, s->master, LOOP_IN, master_ready, s);
	s->err_h = loop_add_fd(s->loop, s->err_fd, LOOP_IN, err_ready, s);
	ev.u.start.pid = s->pid;
	ev.u.start.argv = s->argv;
	ev.u.start.cwd = s->cwd;
	ev.u.start.rows = s->rows;
	ev.u.start.cols = s->cols;
	ev.u.start.profile = s->profile;
	ev.u.start.withheld = s->env.withheld;
	ev.u.start.sandbox = confine_sandbox_text(s->cf);
	ev.u.start.limits = confine_limits_text(s->cf);
	emit(s, &ev);
	if (!s->intercept)
		emit_notice(s, "interception is off (--no-intercept): belay does not see or hold the agent's calls");
	else if (sandbox_gaps(s->sandbox))
		emit_notice(s, sandbox_gaps(s->sandbox));
	status = 0;
out:
	/* env holds pointers into environ plus a few of ours: free only ours. */
	for (size_t i = 0; env && env[i]; i++) {
		int ours = 1;

		for (size_t j = 0; environ[j]; j++)
			if (environ[j] == env[i])
				ours = 0;
		if (ours)
			free(env[i]);
	}
	free(env);
	free(path);
	return status;
}

size_t session_write(struct session *s, const void *data, size_t len)
{
	if (s->master < 0 || s->pty_eof)
		return 0;
	if (session_pending_input(s) + len > INPUT_QUEUE_MAX)
		len = INPUT_QUEUE_MAX - session_pending_input(s);
	if (!len)
		return 0;
	buf_add(&s->input, data, len);
	flush_input(s);
	return len;
}

size_t session_pending_input(const struct session *s)
{
	return s->input.len - s->input_off;
}

void session_resize(struct session *s, unsigned rows, unsigned cols)
{
	struct winsize ws = { 0 };
	struct event ev = { .type = EV_RESIZE };

	if (!rows || !cols || (rows == s->rows && cols == s->cols))
		return;
	s->rows = rows;
	s->cols = cols;
	if (s->master < 0)
		return;
	ws.ws_row = (unsigned short)MIN(rows, USHRT_MAX);
	ws.ws_col = (unsigned short)MIN(cols, USHRT_MAX);
	ioctl(s->master, TIOCSWINSZ, &ws);
	ev.u.resize.rows = rows;
	ev.u.resize.cols = cols;
	emit(s, &ev);
}

static void signal_agent(struct session *s, int sig)
{
	pid_t fg;

	if (!s->running)
		return;
	kill(-s->pid, sig);
	kill(s->pid, sig);
	if (s->master >= 0 && (fg = tcgetpgrp(s->master)) > 0 && fg != s->pid)
		kill(-fg, sig);
}

static void kill_timeout(struct loop *loop, void *data)
{
	struct session *s = data;

	(void)loop;
	s->kill_timer = NULL;
	signal_agent(s, SIGKILL);
}

void session_hangup(struct session *s, unsigned grace_ms)
{
	if (!s->running)
		return;
	signal_agent(s, SIGHUP);
	signal_agent(s, SIGCONT);
	if (!s->kill_timer)
		s->kill_timer = loop_add_timer(s->loop, (uint64_t)grace_ms * 1000000, kill_timeout, s);
}

void session_signal_foreground(struct session *s, int sig)
{
	pid_t fg;

	if (s->master >= 0 && (fg = tcgetpgrp(s->master)) > 0)
		kill(-fg, sig);
}

pid_t session_pid(const struct session *s)
{
	return s->pid;
}

const char *session_sandbox(const struct session *s)
{
	return confine_sandbox_text(s->cf);
}

const char *session_limits(const struct session *s)
{
	return confine_limits_text(s->cf);
}

char *const *session_withheld(const struct session *s, size_t *n)
{
	*n = s->env.nwithheld;
	return s->env.withheld;
}

const char *session_profile(const struct session *s)
{
	return s->profile;
}

char *const *session_argv(const struct session *s)
{
	return s->argv;
}

const char *session_cwd(const struct session *s)
{
	return s->cwd;
}

uint64_t session_started_ns(const struct session *s)
{
	return s->started_ns;
}

int session_running(const struct session *s)
{
	return s->running;
}

int session_exit_status(const struct session *s)
{
	return s->exit_status;
}

int session_get_termios(const struct session *s, struct termios *t)
{
	if (s->master < 0)
		return -1;
	return tcgetattr(s->master, t);
}

int session_ended(const struct session *s)
{
	return s->ended;
}
