/*
 * loop.c - poll(2)-based event loop with lazily freed handles.
 *
 * Owns the fd table, the timer list and the signalfd.  Handles removed during
 * a dispatch are only marked dead and freed after it, so a callback may remove
 * any handle, including its own.  Timers are few (frame, escape timeout,
 * ask timeouts), so a sorted list is enough.
 */
#define _GNU_SOURCE
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "util.h"

struct loop_fd {
	int fd;
	unsigned events;
	loop_fd_cb cb;
	void *data;
	int dead;
};

struct loop_timer {
	uint64_t deadline;
	loop_timer_cb cb;
	void *data;
	struct loop_timer *next;
};

struct signal_handler {
	int signo;
	loop_signal_cb cb;
	void *data;
};

struct loop {
	struct loop_fd **fds;
	size_t nfds, fds_cap;
	int fds_dead; /* some entries of fds are dead and await compaction */
	struct pollfd *pfds;
	size_t pfds_cap;

	struct loop_timer *timers; /* sorted by deadline */

	int sigfd;
	struct loop_fd *sig_handle;
	sigset_t sigmask;
	struct signal_handler *sigs;
	size_t nsigs, sigs_cap;

	int stopped;
	int status;
};

struct loop *loop_new(void)
{
	struct loop *loop = xcalloc(1, sizeof(*loop));

	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	return loop;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	for (size_t i = 0; i < loop->nfds; i++)
		free(loop->fds[i]);
	free(loop->fds);
	free(loop->pfds);
	while (loop->timers) {
		struct loop_timer *t = loop->timers;

		loop->timers = t->next;
		free(t);
	}
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	free(loop->sigs);
	free(loop);
}

struct loop_fd *loop_add_fd(struct loop *loop, int fd, unsigned events, loop_fd_cb cb, void *data)
{
	struct loop_fd *h = xcalloc(1, sizeof(*h));

	h->fd = fd;
	h->events = events;
	h->cb = cb;
	h->data = data;
	loop->fds = xgrow(loop->fds, &loop->fds_cap, loop->nfds + 1, sizeof(*loop->fds));
	loop->fds[loop->nfds++] = h;
	return h;
}

void loop_fd_set_events(struct loop_fd *h, unsigned events)
{
	h->events = events;
}

unsigned loop_fd_events(const struct loop_fd *h)
{
	return h->events;
}

void loop_remove_fd(struct loop *loop, struct loop_fd *h)
{
	if (!h)
		return;
	h->dead = 1;
	loop->fds_dead = 1;
}

static void compact_fds(struct loop *loop)
{
	size_t j = 0;

	for (size_t i = 0; i < loop->nfds; i++) {
		if (loop->fds[i]->dead)
			free(loop->fds[i]);
		else
			loop->fds[j++] = loop->fds[i];
	}
	loop->nfds = j;
	loop->fds_dead = 0;
}

struct loop_timer *loop_add_timer(struct loop *loop, uint64_t delay_ns, loop_timer_cb cb, void *data)
{
	struct loop_timer *t = xcalloc(1, sizeof(*t)), **p;

	t->deadline = now_ns() + delay_ns;
	t->cb = cb;
	t->data = data;
	for (p = &loop->timers; *p && (*p)->deadline <= t->deadline; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	return t;
}

void loop_cancel_timer(struct loop *loop, struct loop_timer *t)
{
	for (struct loop_timer **p = &loop->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			free(t);
			return;
		}
	}
}

static void signal_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct signalfd_siginfo si[16];
	ssize_t n;

	(void)revents;
	(void)data;
	n = read(fd, si, sizeof(si));
	if (n <= 0)
		return;
	for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++)
		for (size_t k = 0; k < loop->nsigs; k++)
			if (loop->sigs[k].signo == (int)si[i].ssi_signo)
				loop->sigs[k].cb(loop, loop->sigs[k].signo, loop->sigs[k].data);
}

int loop_add_signal(struct loop *loop, int signo, loop_signal_cb cb, void *data)
{
	int fd;

	sigaddset(&loop->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		loop->sigfd = fd;
		loop->sig_handle = loop_add_fd(loop, fd, LOOP_IN, signal_ready, NULL);
	}
	loop->sigs = xgrow(loop->sigs, &loop->sigs_cap, loop->nsigs + 1, sizeof(*loop->sigs));
	loop->sigs[loop->nsigs].signo = signo;
	loop->sigs[loop->nsigs].cb = cb;
	loop->sigs[loop->nsigs].data = data;
	loop->nsigs++;
	return 0;
}

static void run_timers(struct loop *loop)
{
	uint64_t now = now_ns();

	/* A timer added by a callback with delay 0 runs in the next iteration. */
	while (loop->timers && loop->timers->deadline <= now) {
		struct loop_timer *t = loop->timers;

		loop->timers = t->next;
		t->cb(loop, t->data);
		free(t);
		if (loop->stopped)
			return;
	}
}

void loop_run_once(struct loop *loop, int64_t timeout_ns)
{
	size_t n = loop->nfds;
	int timeout_ms = -1;
	int r;

	if (loop->fds_dead)
		compact_fds(loop);
	n = loop->nfds;
	loop->pfds = xgrow(loop->pfds, &loop->pfds_cap, n + 1, sizeof(*loop->pfds));
	for (size_t i = 0; i < n; i++) {
		struct loop_fd *h = loop->fds[i];

		loop->pfds[i].fd = h->events ? h->fd : -1;
		loop->pfds[i].events = (short)(((h->events & LOOP_IN) ? POLLIN : 0) |
					       ((h->events & LOOP_OUT) ? POLLOUT : 0));
		loop->pfds[i].revents = 0;
	}
	if (loop->timers) {
		uint64_t now = now_ns(), dl = loop->timers->deadline;

		timeout_ms = dl <= now ? 0 : (int)MIN((dl - now + 999999) / 1000000, 60000);
	}
	if (timeout_ns >= 0 && (timeout_ms < 0 || timeout_ns / 1000000 < timeout_ms))
		timeout_ms = (int)((timeout_ns + 999999) / 1000000);

	r = poll(loop->pfds, n, timeout_ms);
	if (r < 0 && errno != EINTR)
		BUG("poll failed: %s", strerror(errno));
	for (size_t i = 0; r > 0 && i < n; i++) {
		struct loop_fd *h = loop->fds[i];
		short re = loop->pfds[i].revents;
		unsigned ev = 0;

		if (!re || h->dead)
			continue;
		if (re & POLLIN)
			ev |= LOOP_IN;
		if (re & POLLOUT)
			ev |= LOOP_OUT;
		if (re & POLLHUP)
			ev |= LOOP_HUP;
		if (re & (POLLERR | POLLNVAL))
			ev |= LOOP_ERR;
		h->cb(loop, h->fd, ev, h->data);
		if (loop->stopped)
			return;
	}
	run_timers(loop);
}

int loop_run(struct loop *loop)
{
	while (!loop->stopped)
		loop_run_once(loop, -1);
	return loop->status;
}

void loop_stop(struct loop *loop, int status)
{
	loop->stopped = 1;
	loop->status = status;
}

int loop_stopped(const struct loop *loop)
{
	return loop->stopped;
}
