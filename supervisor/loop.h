/*
 * loop.h - the single-threaded fd event loop: fds, one-shot timers, signals.
 *
 * Callbacks only change state and mark things dirty; anything that draws is
 * scheduled with a timer.  Handles returned by loop_add_* stay valid until
 * they are removed; removing a handle from inside any callback is safe.
 * Signals are delivered through a signalfd, so they are blocked for the whole
 * process; spawn unblocks them in the child before exec.
 */
#ifndef BELAY_LOOP_H
#define BELAY_LOOP_H

#include <signal.h>
#include <stdint.h>

struct loop;
struct loop_fd;
struct loop_timer;

enum {
	LOOP_IN = 1 << 0,
	LOOP_OUT = 1 << 1,
	/* only reported, never asked for: */
	LOOP_HUP = 1 << 2,
	LOOP_ERR = 1 << 3,
};

typedef void (*loop_fd_cb)(struct loop *loop, int fd, unsigned revents, void *data);
typedef void (*loop_timer_cb)(struct loop *loop, void *data);
typedef void (*loop_signal_cb)(struct loop *loop, int signo, void *data);

struct loop *loop_new(void);
/* Frees the loop and every handle still registered; does not close fds. */
void loop_free(struct loop *loop);

/* Watch fd for events (LOOP_IN|LOOP_OUT, possibly 0 to pause it). */
struct loop_fd *loop_add_fd(struct loop *loop, int fd, unsigned events, loop_fd_cb cb, void *data);
void loop_fd_set_events(struct loop_fd *h, unsigned events);
unsigned loop_fd_events(const struct loop_fd *h);
void loop_remove_fd(struct loop *loop, struct loop_fd *h);

/* Call cb once, delay_ns from now. */
struct loop_timer *loop_add_timer(struct loop *loop, uint64_t delay_ns, loop_timer_cb cb, void *data);
/* Cancel a pending timer; a NULL timer is ignored. */
void loop_cancel_timer(struct loop *loop, struct loop_timer *t);

/*
 * Deliver signo to cb from the loop.  The signal is blocked process-wide from
 * now on.  Returns 0, or -errno if the signalfd could not be set up.
 */
int loop_add_signal(struct loop *loop, int signo, loop_signal_cb cb, void *data);

/* Run until loop_stop(); returns the value given to loop_stop(). */
int loop_run(struct loop *loop);
/* Run one iteration, waiting at most timeout_ns (-1: until something happens). */
void loop_run_once(struct loop *loop, int64_t timeout_ns);
void loop_stop(struct loop *loop, int status);
int loop_stopped(const struct loop *loop);

#endif
