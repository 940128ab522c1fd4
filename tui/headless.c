/*
 * headless.c - the script(1)-like front end; see headless.h.
 *
 * Owns stdin (raw mode while it runs, if it is a terminal) and stdout.
 * Writes to stdout block: a slow reader slows the agent down instead of
 * growing a buffer.  At the end of stdin, the agent gets the end-of-file
 * character if its terminal is in canonical mode, as script(1) does.
 */
#define _GNU_SOURCE
#include "headless.h"

#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "../supervisor/call.h"
#include "../supervisor/util.h"

struct headless {
	struct loop *loop;
	struct session *session;
	struct loop_fd *stdin_h;
	struct termios saved;
	int raw;
	int stdout_ok;
	char last_in; /* the last byte of stdin passed on */
	int fixed_size;
	char *waits_for; /* --on-ask wait: the session's id, for the answers it names */
};

static void write_all(struct headless *h, const char *p, size_t len)
{
	while (len && h->stdout_ok) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* stdout was left non-blocking by someone: wait for it */
			fd_set_nonblock(STDOUT_FILENO, 0);
			continue;
		}
		if (n <= 0) {
			h->stdout_ok = 0; /* nobody reads: keep the agent going */
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

void headless_size(unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	if ((ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) &&
	    ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
		return;
	}
	*rows = 24;
	*cols = 80;
}

int headless_termios(struct termios *t)
{
	return isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, t) == 0 ? 0 : -1;
}

static void stdin_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct headless *h = data;
	char buf[16384];
	ssize_t n;

	(void)revents;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		if (h->session)
			session_write(h->session, buf, (size_t)n);
		h->last_in = buf[n - 1];
		return;
	}
	loop_remove_fd(loop, h->stdin_h);
	h->stdin_h = NULL;
	if (h->session && !h->raw) {
		struct termios t;

		/* EOF after a partial line only ends that line: send a second
		 * one, as a person at the keyboard would */
		if (session_get_termios(h->session, &t) == 0 && (t.c_lflag & ICANON)) {
			session_write(h->session, (const char *)&t.c_cc[VEOF], 1);
			if (h->last_in && h->last_in != '\n')
				session_write(h->session, (const char *)&t.c_cc[VEOF], 1);
		}
	}
}

static void on_winch(struct loop *loop, int signo, void *data)
{
	struct headless *h = data;
	unsigned rows, cols;

	(void)loop, (void)signo;
	if (h->fixed_size)
		return;
	headless_size(&rows, &cols);
	if (h->session)
		session_resize(h->session, rows, cols);
}

static void on_terminate(struct loop *loop, int signo, void *data)
{
	struct headless *h = data;

	(void)loop, (void)signo;
	if (h->session)
		session_hangup(h->session, 1000);
}

struct headless *headless_new(struct loop *loop, int fixed_size)
{
	struct headless *h = xcalloc(1, sizeof(*h));

	h->fixed_size = fixed_size;
	h->loop = loop;
	h->stdout_ok = 1;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &h->saved) == 0) {
		struct termios t = h->saved;

		cfmakeraw(&t);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
			h->raw = 1;
	}
	if (loop_add_signal(loop, SIGWINCH, on_winch, h) < 0 || loop_add_signal(loop, SIGTERM, on_terminate, h) < 0 ||
	    loop_add_signal(loop, SIGHUP, on_terminate, h) < 0 || loop_add_signal(loop, SIGINT, on_terminate, h) < 0)
		fatal("cannot set up signal handling: %s", strerror(errno));
	return h;
}

void headless_free(struct headless *h)
{
	if (!h)
		return;
	if (h->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &h->saved);
	loop_remove_fd(h->loop, h->stdin_h);
	free(h->waits_for);
	free(h);
}

void headless_attach(struct headless *h, struct session *s)
{
	h->session = s;
	h->stdin_h = loop_add_fd(h->loop, STDIN_FILENO, LOOP_IN, stdin_ready, h);
}

void headless_event(const struct event *ev, void *data)
{
	struct headless *h = data;

	switch (ev->type) {
	case EV_OUTPUT:
		write_all(h, ev->u.output.data, ev->u.output.len);
		break;
	case EV_SESSION_END:
		loop_stop(h->loop, ev->u.end.status);
		break;
	case EV_HELD:
		if (h->waits_for && ev->u.held.c) {
			char *what = call_describe(ev->u.held.c), *shown = text_visible(what);

			fprintf(stderr, "belay: %s:%u waits (%s): %s\nbelay: answer with 'belay approve %s:%u' or 'belay deny %s:%u [REASON]'\n",
				h->waits_for, ev->u.held.n, ev->u.held.rule ? ev->u.held.rule : "", shown, h->waits_for,
				ev->u.held.n, h->waits_for, ev->u.held.n);
			free(what);
			free(shown);
		}
		break;
	default:
		break;
	}
}

void headless_waits(struct headless *h, const char *session_id)
{
	free(h->waits_for);
	h->waits_for = session_id ? xstrdup(session_id) : NULL;
}
