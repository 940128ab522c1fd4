/*
 * test-session.c - real agents on real ptys in a real loop (supervisor/session.c).
 * Every test makes its own loop: session_start() gives it the SIGCHLD signalfd.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../supervisor/session.h"
#include "../../supervisor/util.h"

/* Bounds for "this never happens"; a working session ends far sooner. */
#define CAP_NS (10 * 1000000000ll)
#define MS (1000000ll)
#define KEEP_MAX (1u << 20)

/* What the event callback saw. */
struct rec {
	struct loop *loop;
	struct session *s;
	int kill_group;  /* SIGKILL the agent's process group when done */
	struct buf out;  /* the first KEEP_MAX bytes of output */
	size_t out_total;
	int n;           /* events */
	int bad_seq;     /* a seq that was not the previous one plus 1 */
	int after_exit;  /* output events after EV_EXIT */
	int after_end;   /* events after EV_SESSION_END */
	int starts, exits, ends, resizes, notices;
	enum event_type first;
	pid_t start_pid, exit_pid;
	unsigned start_rows, start_cols, resize_rows, resize_cols;
	int code, signal, status, end_status;
};

static void on_event(const struct event *ev, void *data)
{
	struct rec *r = data;

	if (ev->seq != (uint64_t)r->n + 1)
		r->bad_seq++;
	if (!r->n)
		r->first = ev->type;
	r->n++;
	if (r->ends)
		r->after_end++;
	switch (ev->type) {
	case EV_SESSION_START:
		r->starts++;
		r->start_pid = ev->u.start.pid;
		r->start_rows = ev->u.start.rows;
		r->start_cols = ev->u.start.cols;
		assert_string_equal(ev->u.start.cwd, session_cwd(r->s));
		break;
	case EV_OUTPUT:
		if (r->exits)
			r->after_exit++;
		if (r->out.len + ev->u.output.len <= KEEP_MAX)
			buf_add(&r->out, ev->u.output.data, ev->u.output.len);
		r->out_total += ev->u.output.len;
		break;
	case EV_RESIZE:
		r->resizes++;
		r->resize_rows = ev->u.resize.rows;
		r->resize_cols = ev->u.resize.cols;
		break;
	case EV_EXIT:
		r->exits++;
		r->exit_pid = ev->u.exit.pid;
		r->code = ev->u.exit.code;
		r->signal = ev->u.exit.signal;
		r->status = ev->u.exit.status;
		/* the session knows by the time it says so */
		assert_int_equal(session_exit_status(r->s), ev->u.exit.status);
		break;
	case EV_SESSION_END:
		r->ends++;
		r->end_status = ev->u.end.status;
		break;
	case EV_NOTICE: /* "interception is off": these sessions do not intercept */
		r->notices++;
		break;
	default:
		fail_msg("unexpected event type %d without interception", (int)ev->type);
	}
}

/* A fresh loop and recorder for every test, and everything freed after. */
static int setup(void **state)
{
	struct rec *r = xcalloc(1, sizeof(*r));

	r->loop = loop_new();
	buf_init(&r->out);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rec *r = *state;

	if (r->kill_group)
		kill(-session_pid(r->s), SIGKILL);
	session_free(r->s);
	loop_free(r->loop);
	buf_release(&r->out);
	free(r);
	return 0;
}

static void start(struct rec *r, char **argv, const char *cwd, const char *term)
{
	struct session_opts o = { .argv = argv, .cwd = cwd, .rows = 30, .cols = 100, .term = term };

	r->s = session_new(r->loop, &o, on_event, r);
	assert_int_equal(session_start(r->s), 0);
	assert_int_equal(r->n, 2); /* the start, and the notice that nothing is intercepted */
	assert_int_equal(r->notices, 1);
	assert_int_equal(r->first, EV_SESSION_START);
	assert_true(session_running(r->s));
	assert_int_equal(session_exit_status(r->s), -1);
	assert_int_equal(r->start_pid, session_pid(r->s));
	assert_true(r->start_pid > 0);
	assert_int_equal(r->start_rows, 30);
	assert_int_equal(r->start_cols, 100);
}

static void wait_output(struct rec *r, const char *text)
{
	uint64_t end = now_ns() + CAP_NS;

	while (!strstr(r->out.data, text)) {
		if (now_ns() > end)
			fail_msg("no '%s' in the output: '%s'", text, r->out.data);
		loop_run_once(r->loop, CAP_NS);
	}
}

static void wait_ended(struct rec *r)
{
	uint64_t end = now_ns() + CAP_NS;

	while (!session_ended(r->s)) {
		if (now_ns() > end)
			fail_msg("the session did not end; output: '%s'", r->out.data);
		loop_run_once(r->loop, CAP_NS);
	}
	/* the end is the end: exactly one of each, in order, nothing after */
	assert_false(session_running(r->s));
	assert_int_equal(r->bad_seq, 0);
	assert_int_equal(r->starts, 1);
	assert_int_equal(r->exits, 1);
	assert_int_equal(r->ends, 1);
	assert_int_equal(r->after_exit, 0);
	assert_int_equal(r->after_end, 0);
	assert_int_equal(r->exit_pid, session_pid(r->s));
	assert_int_equal(r->end_status, r->status);
	assert_int_equal(session_exit_status(r->s), r->status);
}

static void test_output_then_exit(void **state)
{
	char *argv[] = { "sh", "-c", "printf 'one\\n'; printf 'two\\n'; exit 3", NULL };
	struct rec *r = *state;

	start(r, argv, "/", NULL);
	assert_string_equal(session_cwd(r->s), "/");
	assert_string_equal(session_argv(r->s)[2], argv[2]);
	wait_ended(r);
	assert_string_equal(r->out.data, "one\r\ntwo\r\n");
	assert_int_equal(r->code, 3);
	assert_int_equal(r->signal, 0);
	assert_int_equal(r->status, 3);
	/* an ended session takes no more input */
	assert_int_equal(session_write(r->s, "x", 1), 0);
	assert_int_equal(session_pending_input(r->s), 0);
}

/* More than a pty buffers, written just before exit: all of it, in order. */
static void test_much_output_in_order(void **state)
{
	char *argv[] = { "seq", "1", "40000", NULL };
	struct rec *r = *state;
	struct buf want = BUF_INIT;

	start(r, argv, NULL, NULL);
	wait_ended(r);
	for (int i = 1; i <= 40000; i++)
		buf_addf(&want, "%d\r\n", i);
	assert_int_equal(r->out.len, want.len);
	assert_true(!memcmp(r->out.data, want.data, want.len));
	assert_true(r->n > 4);
	assert_int_equal(r->status, 0);
	buf_release(&want);
}

static void test_killed_by_signal(void **state)
{
	char *argv[] = { "sh", "-c", "echo bye; kill -TERM $$; echo never", NULL };
	struct rec *r = *state;

	start(r, argv, NULL, NULL);
	wait_ended(r);
	assert_string_equal(r->out.data, "bye\r\n");
	assert_int_equal(r->signal, SIGTERM);
	assert_int_equal(r->code, -1);
	assert_int_equal(r->status, 128 + SIGTERM);
}

/* Input reaches the agent; the terminal echoes it first (cooked mode). */
static void test_write(void **state)
{
	char *argv[] = { "head", "-c", "5", NULL };
	struct rec *r = *state;
	struct termios t;

	start(r, argv, NULL, NULL);
	assert_int_equal(session_get_termios(r->s, &t), 0);
	assert_true(t.c_lflag & ICANON);
	assert_true(t.c_lflag & ECHO);
	assert_int_equal(session_write(r->s, "abcd\n", 5), 5);
	wait_ended(r);
	assert_string_equal(r->out.data, "abcd\r\nabcd\r\n");
	assert_int_equal(r->status, 0);
}

static void test_resize(void **state)
{
	char *argv[] = { "sh", "-c",
			 "trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 1 & wait; done", NULL };
	struct rec *r = *state;

	start(r, argv, NULL, NULL);
	wait_output(r, "ready\r\n");
	/* no change, no event */
	session_resize(r->s, 30, 100);
	session_resize(r->s, 0, 50);
	assert_int_equal(r->resizes, 0);
	session_resize(r->s, 41, 97);
	assert_int_equal(r->resizes, 1);
	assert_int_equal(r->resize_rows, 41);
	assert_int_equal(r->resize_cols, 97);
	wait_ended(r);
	assert_string_equal(r->out.data, "ready\r\n41 97\r\n");
	assert_int_equal(r->status, 0);
}

static void test_hangup(void **state)
{
	char *argv[] = { "sleep", "100", NULL };
	struct rec *r = *state;

	start(r, argv, NULL, NULL);
	/* a grace far longer than the wait: SIGHUP alone must end it */
	session_hangup(r->s, 60000);
	wait_ended(r);
	assert_int_equal(r->signal, SIGHUP);
	assert_int_equal(r->status, 128 + SIGHUP);
}

static void test_hangup_ignored(void **state)
{
	char *argv[] = { "sh", "-c", "trap '' HUP; echo ready; exec sleep 100", NULL };
	struct rec *r = *state;

	start(r, argv, NULL, NULL);
	wait_output(r, "ready\r\n");
	session_hangup(r->s, 100);
	wait_ended(r);
	assert_int_equal(r->signal, SIGKILL);
	assert_int_equal(r->status, 128 + SIGKILL);
}

/* Send stderr to a new unlinked file until stderr_end(); returns the file. */
static int stderr_begin(int *saved)
{
	char path[] = "/tmp/belay-test-stderr-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	*saved = dup(2);
	dup2(fd, 2);
	return fd;
}

/* Restore stderr; what was written to it meanwhile (to free). */
static char *stderr_end(int fd, int saved)
{
	struct buf b = BUF_INIT;
	char tmp[512];
	ssize_t n;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	return buf_detach(&b, NULL);
}

/* session_start() fails at once: no event, no process; what it printed. */
static char *start_fails(struct rec *r, char *cmd, int want)
{
	char *argv[] = { cmd, NULL };
	struct session_opts o = { .argv = argv };
	int fd, saved;

	session_free(r->s);
	r->s = session_new(r->loop, &o, on_event, r);
	fd = stderr_begin(&saved);
	assert_int_equal(session_start(r->s), want);
	assert_int_equal(r->n, 0);
	assert_false(session_running(r->s));
	assert_int_equal(session_write(r->s, "x", 1), 0);
	return stderr_end(fd, saved);
}

static void test_start_failures(void **state)
{
	char dir[] = "/tmp/belay-test-session-XXXXXX";
	struct rec *r = *state;
	char *msg, *plain;
	int fd;

	msg = start_fails(r, "belay-no-such-command", 127);
	assert_non_null(strstr(msg, "command not found: 'belay-no-such-command'"));
	free(msg);

	assert_non_null(mkdtemp(dir));
	plain = xasprintf("%s/plain", dir);
	fd = open(plain, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	msg = start_fails(r, plain, 126);
	assert_non_null(strstr(msg, "permission denied"));
	free(msg);
	unlink(plain);
	rmdir(dir);
	free(plain);
}

/* Found and executable, yet exec fails: reported from err_fd, exit 127. */
static void test_exec_fails_in_child(void **state)
{
	char dir[] = "/tmp/belay-test-session-XXXXXX";
	struct rec *r = *state;
	char *argv[2] = { NULL, NULL }, *msg;
	int fd, saved;

	assert_non_null(mkdtemp(dir));
	argv[0] = xasprintf("%s/not-a-program", dir);
	fd = open(argv[0], O_WRONLY | O_CREAT, 0755);
	assert_true(fd >= 0);
	/* a NUL in the first line: not a script, so not run with sh */
	assert_int_equal(write(fd, "\x7f" "ELF\x02\x01\x01\x00garbage", 15), 15);
	close(fd);
	fd = stderr_begin(&saved);
	start(r, argv, NULL, NULL);
	wait_ended(r);
	msg = stderr_end(fd, saved);
	assert_int_equal(r->status, 126);
	assert_int_equal(r->code, 126);
	assert_int_equal(r->out_total, 0);
	assert_non_null(strstr(msg, "cannot run '"));
	assert_non_null(strstr(msg, strerror(ENOEXEC)));
	free(msg);
	unlink(argv[0]);
	rmdir(dir);
	free(argv[0]);
}

/* The agent's environment: our TERM, none of the outer terminal's. */
static void test_environment(void **state)
{
	char *argv[] = { "sh", "-c", "echo \"$TERM ${TMUX-none} ${BELAY-unset} $(pwd)\"", NULL };
	struct rec *r = *state;
	char *want;

	setenv("TMUX", "/tmp/tmux-0/default,1,0", 1);
	start(r, argv, "/tmp", "belay-test-term");
	unsetenv("TMUX");
	wait_ended(r);
	want = xasprintf("belay-test-term none %d /tmp\r\n", (int)getpid());
	assert_string_equal(r->out.data, want);
	free(want);
}

/*
 * A background process that keeps the terminal open (and floods it) after
 * the agent exits: the session still ends after its drain time, and then
 * nothing follows EV_SESSION_END.  alarm() guards against a drain that
 * never ends (the test process dies, which tests/run counts as a failure).
 */
static void test_background_holds_pty(void **state)
{
	char *argv[] = { "sh", "-c", "(trap '' HUP; exec yes) & echo started", NULL };
	struct rec *r = *state;
	int after;

	alarm(60);
	start(r, argv, NULL, NULL);
	r->kill_group = 1;
	wait_ended(r);
	assert_int_equal(r->status, 0);
	assert_true(r->out_total > 0);
	after = r->n;
	for (int i = 0; i < 5; i++)
		loop_run_once(r->loop, 100 * MS);
	assert_int_equal(r->n, after);
	alarm(0);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_output_then_exit),
		TEST(test_much_output_in_order),
		TEST(test_killed_by_signal),
		TEST(test_write),
		TEST(test_resize),
		TEST(test_hangup),
		TEST(test_hangup_ignored),
		TEST(test_start_failures),
		TEST(test_exec_fails_in_child),
		TEST(test_environment),
		TEST(test_background_holds_pty),
	};

	return RUN_TESTS(tests);
}
