/*
 * session.c - one supervised agent: spawn, pty pump, reaping, events.
 *
 * Owns the pty master and the agent's pid.  Output is read in bounded bursts
 * so that one chatty agent cannot starve the rest of the loop (keys typed
 * during a flood must reach the agent quickly).  After the agent exits, the
 * pty is drained until EIO, or for at most DRAIN_NS if a background process
 * still holds it, and only then EV_EXIT and EV_SESSION_END are emitted, so
 * that every byte the agent wrote comes before its exit in the event stream.
 */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"
#include "util.h"

#define READ_CHUNK (64 * 1024)
#define READS_PER_WAKEUP 4
#define INPUT_QUEUE_MAX (16u << 20)
#define DRAIN_NS (250 * 1000000ull)

extern char **environ;

struct session {
	struct loop *loop;
	session_event_cb cb;
	void *cb_data;

	char **argv;
	char *cwd;
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
	int running;     /* the agent process has not been reaped */
	int pty_eof;     /* the master reported EIO: every slave fd is closed */
	int exit_status; /* -1 until reaped */
	int exit_code, exit_signal;
	int ended;
	struct loop_timer *drain_timer, *kill_timer;
	char *read_buf;
};

/* Variables that would describe the outer terminal, not the agent's pane. */
static const char *const env_drop[] = {
	"TMUX", "TMUX_PANE", "STY", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "TERMCAP",
	"LINES", "COLUMNS", "KITTY_WINDOW_ID", "KITTY_PID", "WEZTERM_PANE", "WEZTERM_EXECUTABLE",
	"VTE_VERSION", "ITERM_SESSION_ID", "WT_SESSION", "ALACRITTY_WINDOW_ID", "ALACRITTY_SOCKET",
	"KONSOLE_VERSION", "KONSOLE_DBUS_SESSION", "TERMINATOR_UUID", "COLORTERM", "TERM",
};

static void emit(struct session *s, struct event *ev)
{
	ev->seq = ++s->seq;
	ev->t_ns = now_ns() - s->started_ns;
	ev->step = 0;
	if (s->cb)
		s->cb(ev, s->cb_data);
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
	for (size_t i = 0; s->argv[i]; i++)
		free(s->argv[i]);
	free(s->argv);
	free(s->cwd);
	free(s->term);
	free(s->read_buf);
	buf_release(&s->input);
	free(s);
}

static char **build_env(const struct session *s)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + 4, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < ARRAY_SIZE(env_drop); j++) {
			size_t l = strlen(env_drop[j]);

			if (!strncmp(environ[i], env_drop[j], l) && environ[i][l] == '=')
				break;
		}
		if (j == ARRAY_SIZE(env_drop) || !strcmp(env_drop[j], "TERM") && !s->term ||
		    !strcmp(env_drop[j], "COLORTERM") && !s->term)
			env[k++] = environ[i];
	}
	if (s->term) {
		env[k++] = xasprintf("TERM=%s", s->term);
		env[k++] = xstrdup("COLORTERM=truecolor");
	} else if (!getenv("TERM")) {
		env[k++] = xstrdup("TERM=xterm-256color");
	}
	env[k++] = xasprintf("BELAY=%d", (int)getpid());
	env[k] = NULL;
	return env;
}

static void finish(struct session *s)
{
	struct event ev = { .type = EV_EXIT };

	if (s->ended)
		return;
	s->ended = 1;
	loop_cancel_timer(s->loop, s->drain_timer);
	s->drain_timer = NULL;
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

int session_start(struct session *s)
{
	struct spawn_opts so = { 0 };
	struct spawn_result r;
	struct event ev = { .type = EV_SESSION_START };
	char *path, **env;
	int e;

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
	/* env holds pointers into environ plus a few of ours: free only ours. */
	for (size_t i = 0; env[i]; i++) {
		int ours = 1;

		for (size_t j = 0; environ[j]; j++)
			if (environ[j] == env[i])
				ours = 0;
		if (ours)
			free(env[i]);
	}
	free(env);
	free(path);
	if (e < 0) {
		warn("cannot start '%s' in a new terminal: %s", s->argv[0], strerror(-e));
		return 1;
	}
	s->pid = r.pid;
	s->master = r.master;
	s->err_fd = r.err_fd;
	s->running = 1;
	s->master_h = loop_add_fd(s->loop, s->master, LOOP_IN, master_ready, s);
	s->err_h = loop_add_fd(s->loop, s->err_fd, LOOP_IN, err_ready, s);
	ev.u.start.pid = s->pid;
	ev.u.start.argv = s->argv;
	ev.u.start.cwd = s->cwd;
	ev.u.start.rows = s->rows;
	ev.u.start.cols = s->cols;
	emit(s, &ev);
	return 0;
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
