/*
 * test-loop.c - the poll(2) event loop (supervisor/loop.c) on real pipes,
 * timers and signals.
 */
#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "../../supervisor/loop.h"
#include "../../supervisor/util.h"

/* The bound for "this never happens": never reached when the loop works. */
#define CAP_NS (5 * 1000000000ll)
#define MS (1000000ull)

struct watch {
	struct loop_fd *h;
	int calls;
	unsigned revents;
	int do_read;           /* read one byte per call */
	int remove_self;       /* loop_remove_fd(h) from the callback */
	struct watch *victim;  /* loop_remove_fd(victim->h) from the callback */
	int add_many;          /* add this many handles from the callback */
	int add_fd;
};

static void on_fd(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct watch *w = data;

	w->calls++;
	w->revents = revents;
	if (w->do_read) {
		char c;

		assert_int_equal(read(fd, &c, 1), 1);
	}
	if (w->remove_self) {
		loop_remove_fd(loop, w->h);
		w->h = NULL;
	}
	if (w->victim && w->victim->h) {
		loop_remove_fd(loop, w->victim->h);
		w->victim->h = NULL;
	}
	for (int i = 0; i < w->add_many; i++)
		loop_add_fd(loop, w->add_fd, 0, on_fd, NULL);
	w->add_many = 0;
}

/* Run until stopped, at most CAP_NS; returns whether the loop stopped. */
static int run_capped(struct loop *loop)
{
	uint64_t end = now_ns() + CAP_NS;

	while (!loop_stopped(loop) && now_ns() < end)
		loop_run_once(loop, CAP_NS);
	return loop_stopped(loop);
}

static void make_pipe(int p[2])
{
	assert_int_equal(pipe(p), 0);
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

static void test_fd_ready(void **state)
{
	struct loop *loop = loop_new();
	struct watch r = { .do_read = 1 }, w = { 0 };
	int p[2];

	(void)state;
	make_pipe(p);
	r.h = loop_add_fd(loop, p[0], LOOP_IN, on_fd, &r);
	assert_int_equal(loop_fd_events(r.h), LOOP_IN);

	/* nothing written: nothing to report */
	loop_run_once(loop, 0);
	assert_int_equal(r.calls, 0);

	assert_int_equal(write(p[1], "x", 1), 1);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(r.calls, 1);
	assert_true(r.revents & LOOP_IN);
	assert_false(r.revents & LOOP_OUT);

	/* paused (events 0): readable, yet not reported */
	assert_int_equal(write(p[1], "y", 1), 1);
	loop_fd_set_events(r.h, 0);
	assert_int_equal(loop_fd_events(r.h), 0);
	loop_run_once(loop, 0);
	assert_int_equal(r.calls, 1);
	loop_fd_set_events(r.h, LOOP_IN);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(r.calls, 2);

	/* the write end of an empty pipe is writable */
	w.h = loop_add_fd(loop, p[1], LOOP_OUT, on_fd, &w);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(w.calls, 1);
	assert_true(w.revents & LOOP_OUT);
	assert_int_equal(r.calls, 2);
	loop_remove_fd(loop, w.h);

	/* the writer going away is reported as a hang-up on the reader */
	close(p[1]);
	r.do_read = 0;
	loop_run_once(loop, CAP_NS);
	assert_int_equal(r.calls, 3);
	assert_true(r.revents & LOOP_HUP);
	loop_free(loop);
	close(p[0]);
}

/* An fd that is not open is reported as an error, not skipped. */
static void test_fd_error(void **state)
{
	struct loop *loop = loop_new();
	struct watch w = { .remove_self = 1 };
	int p[2];

	(void)state;
	make_pipe(p);
	close_pipe(p);
	w.h = loop_add_fd(loop, p[0], LOOP_IN, on_fd, &w);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(w.calls, 1);
	assert_true(w.revents & LOOP_ERR);
	loop_free(loop);
}

struct order {
	char seen[16];
	int n;
};

static void on_timer_a(struct loop *loop, void *data)
{
	struct order *o = data;

	(void)loop;
	o->seen[o->n++] = 'a';
}

static void on_timer_b(struct loop *loop, void *data)
{
	struct order *o = data;

	o->seen[o->n++] = 'b';
	loop_stop(loop, 7);
}

static void test_timers_in_order(void **state)
{
	struct loop *loop = loop_new();
	struct order o = { 0 };

	(void)state;
	/* the later one is added first; the list must sort them */
	loop_add_timer(loop, 300 * MS, on_timer_b, &o);
	loop_add_timer(loop, 1 * MS, on_timer_a, &o);
	/* a far timer that must not fire, and must be freed by loop_free */
	loop_add_timer(loop, 3600 * 1000 * MS, on_timer_a, &o);
	loop_run_once(loop, 0);
	assert_int_equal(o.n, 0);
	assert_true(run_capped(loop));
	/* loop_run() on a stopped loop returns at once, with the value */
	assert_int_equal(loop_run(loop), 7);
	assert_int_equal(o.n, 2);
	assert_memory_equal(o.seen, "ab", 2);
	loop_free(loop);
}

struct cancel {
	struct loop_timer *victim;
	int fired_a, fired_victim;
};

static void cancel_victim(struct loop *loop, void *data)
{
	struct cancel *c = data;

	c->fired_a++;
	loop_cancel_timer(loop, c->victim);
	c->victim = NULL;
}

static void victim_fired(struct loop *loop, void *data)
{
	struct cancel *c = data;

	(void)loop;
	c->fired_victim++;
}

static void stop_timer(struct loop *loop, void *data)
{
	(void)data;
	loop_stop(loop, 1);
}

static void test_cancel_timer(void **state)
{
	struct loop *loop = loop_new();
	struct cancel c = { 0 };
	struct loop_timer *t;

	(void)state;
	/* cancelled before it is due */
	t = loop_add_timer(loop, 1 * MS, victim_fired, &c);
	loop_cancel_timer(loop, t);
	loop_cancel_timer(loop, NULL);
	/* cancelled from another timer's callback in the same pass */
	loop_add_timer(loop, 2 * MS, cancel_victim, &c);
	c.victim = loop_add_timer(loop, 50 * MS, victim_fired, &c);
	/* the end of the test: later than every timer above */
	loop_add_timer(loop, 100 * MS, stop_timer, NULL);
	assert_true(run_capped(loop));
	assert_int_equal(c.fired_a, 1);
	assert_int_equal(c.fired_victim, 0);
	loop_free(loop);
}

static void test_remove_self(void **state)
{
	struct loop *loop = loop_new();
	struct watch w = { .remove_self = 1 };
	int p[2];

	(void)state;
	make_pipe(p);
	/* stays readable: a handle that were not removed would be called again */
	assert_int_equal(write(p[1], "x", 1), 1);
	w.h = loop_add_fd(loop, p[0], LOOP_IN, on_fd, &w);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(w.calls, 1);
	assert_null(w.h);
	loop_run_once(loop, 0);
	loop_run_once(loop, 0);
	assert_int_equal(w.calls, 1);
	loop_free(loop);
	close_pipe(p);
}

/*
 * Two readable handles, each removing the other: whichever runs first wins,
 * the other is never called, in this pass or later ones.
 */
static void test_remove_other(void **state)
{
	struct loop *loop = loop_new();
	struct watch a = { .do_read = 1 }, b = { .do_read = 1 };
	int p[2], q[2];

	(void)state;
	make_pipe(p);
	make_pipe(q);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(write(q[1], "x", 1), 1);
	a.victim = &b;
	b.victim = &a;
	a.h = loop_add_fd(loop, p[0], LOOP_IN, on_fd, &a);
	b.h = loop_add_fd(loop, q[0], LOOP_IN, on_fd, &b);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(a.calls + b.calls, 1);
	for (int i = 0; i < 3; i++)
		loop_run_once(loop, 0);
	assert_int_equal(a.calls + b.calls, 1);
	/* the victim's pipe is still readable; the survivor is still served */
	assert_true(a.calls ? a.h != NULL : b.h != NULL);
	assert_int_equal(write(a.calls ? p[1] : q[1], "y", 1), 1);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(a.calls + b.calls, 2);
	loop_free(loop);
	close_pipe(p);
	close_pipe(q);
}

/*
 * A callback that adds handles (the table grows under the dispatch) and
 * removes one that comes later in the same pass.
 */
static void test_add_during_dispatch(void **state)
{
	struct loop *loop = loop_new();
	struct watch a = { .add_many = 40 }, b = { 0 };
	int p[2];

	(void)state;
	make_pipe(p);
	assert_int_equal(write(p[1], "x", 1), 1);
	a.add_fd = p[0];
	a.victim = &b;
	a.h = loop_add_fd(loop, p[0], LOOP_IN, on_fd, &a);
	b.h = loop_add_fd(loop, p[0], LOOP_IN, on_fd, &b);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 0);
	loop_free(loop);
	close_pipe(p);
}

static void stop_on_read(struct loop *loop, int fd, unsigned revents, void *data)
{
	char c;

	(void)revents;
	(void)data;
	assert_int_equal(read(fd, &c, 1), 1);
	loop_stop(loop, c);
}

static void test_stop_value(void **state)
{
	struct loop *loop = loop_new();
	int p[2];

	(void)state;
	make_pipe(p);
	assert_false(loop_stopped(loop));
	assert_int_equal(write(p[1], "*", 1), 1);
	loop_add_fd(loop, p[0], LOOP_IN, stop_on_read, NULL);
	assert_int_equal(loop_run(loop), '*');
	assert_true(loop_stopped(loop));
	loop_free(loop);
	close_pipe(p);
}

struct sigs {
	int usr1, usr2, other;
};

static void on_signal(struct loop *loop, int signo, void *data)
{
	struct sigs *s = data;

	(void)loop;
	if (signo == SIGUSR1)
		s->usr1++;
	else if (signo == SIGUSR2)
		s->usr2++;
	else
		s->other++;
}

static void test_signal(void **state)
{
	struct loop *loop = loop_new();
	struct sigs s = { 0 };
	sigset_t blocked;
	uint64_t end;

	(void)state;
	assert_int_equal(loop_add_signal(loop, SIGUSR1, on_signal, &s), 0);
	assert_int_equal(loop_add_signal(loop, SIGUSR2, on_signal, &s), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &blocked), 0);
	assert_true(sigismember(&blocked, SIGUSR1));
	assert_true(sigismember(&blocked, SIGUSR2));

	loop_run_once(loop, 0);
	assert_int_equal(s.usr1 + s.usr2, 0);
	/*
	 * blocked, so raise() leaves it pending for the signalfd instead of
	 * taking the default action (which would kill the test)
	 */
	assert_int_equal(raise(SIGUSR1), 0);
	loop_run_once(loop, CAP_NS);
	assert_int_equal(s.usr1, 1);
	assert_int_equal(s.usr2, 0);

	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	end = now_ns() + CAP_NS;
	while ((s.usr1 < 2 || s.usr2 < 1) && now_ns() < end)
		loop_run_once(loop, CAP_NS);
	assert_int_equal(s.usr1, 2);
	assert_int_equal(s.usr2, 1);
	assert_int_equal(s.other, 0);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_ready),
		cmocka_unit_test(test_fd_error),
		cmocka_unit_test(test_timers_in_order),
		cmocka_unit_test(test_cancel_timer),
		cmocka_unit_test(test_remove_self),
		cmocka_unit_test(test_remove_other),
		cmocka_unit_test(test_add_during_dispatch),
		cmocka_unit_test(test_stop_value),
		cmocka_unit_test(test_signal),
	};

	return RUN_TESTS(tests);
}
