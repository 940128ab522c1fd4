/*
 * test-control.c - supervisor/control.c and ctlsock.c: --share parsing, the
 * socket folders' checks, and the protocol on a real socket: hello first,
 * bounded requests, the stream a viewer gets (the header, the records so
 * far, the output as raw bytes after its length), a client that sends too
 * much or never reads dropped while the loop goes on.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../supervisor/control.h"
#include "../../supervisor/ctlsock.h"
#include "../../supervisor/journal.h"
#include "../../supervisor/util.h"

static char dir[] = "/tmp/belay-test-control.XXXXXX";

static void test_share_parse(void **state)
{
	struct control_share sh;
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(control_share_parse("root", &sh, &err), 0);
	assert_string_equal(sh.name, "root");
	assert_int_equal(sh.group, 0);
	assert_int_equal(sh.role, ROLE_WATCH);
	free(sh.name);
	assert_int_equal(control_share_parse("root:review", &sh, &err), 0);
	assert_int_equal(sh.role, ROLE_REVIEW);
	free(sh.name);
	assert_int_equal(control_share_parse("@root:watch", &sh, &err), 0);
	assert_int_equal(sh.group, 1);
	free(sh.name);
	assert_int_equal(control_share_parse("root:owner", &sh, &err), -1);
	assert_non_null(strstr(err.data, "watch or review"));
	buf_reset(&err);
	assert_int_equal(control_share_parse("no-such-user-belay:review", &sh, &err), -1);
	assert_non_null(strstr(err.data, "no user or group 'no-such-user-belay'"));
	buf_reset(&err);
	assert_int_equal(control_share_parse(":review", &sh, &err), -1);
	buf_release(&err);
}

static void test_dir_checks(void **state)
{
	struct buf err = BUF_INIT;
	char *run = xasprintf("%s/run", dir), *d, *b;

	(void)state;
	mkdir(run, 0700);
	setenv("XDG_RUNTIME_DIR", run, 1);
	d = ctlsock_dir(geteuid(), 0, 1, &err);
	assert_non_null(d);
	b = xasprintf("%s/belay", run);
	assert_string_equal(d, b);
	free(d);
	/* others could reach it: refused, with what to do */
	chmod(b, 0755);
	assert_null(ctlsock_dir(geteuid(), 0, 0, &err));
	assert_non_null(strstr(err.data, "chmod 700"));
	buf_reset(&err);
	/* a link in its place: refused */
	rmdir(b);
	assert_int_equal(symlink("/tmp", b), 0);
	assert_null(ctlsock_dir(geteuid(), 0, 1, &err));
	assert_non_null(strstr(err.data, "is not a folder"));
	unlink(b);
	free(b);
	free(run);
	buf_release(&err);
}

static void pump(struct loop *loop, int times)
{
	for (int i = 0; i < times; i++)
		loop_run_once(loop, 2 * 1000000ll);
}

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void say(int fd, const char *line)
{
	assert_int_equal(fd_write_all(fd, line, strlen(line)), 0);
}

/* What has come on fd so far (the loop pumped in between), appended to b. */
static void take(struct loop *loop, int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t r;

	pump(loop, 20);
	fd_set_nonblock(fd, 1);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		buf_add(b, chunk, (size_t)r);
		pump(loop, 2);
	}
	fd_set_nonblock(fd, 0);
}

static void output(struct journal *j, uint64_t seq, const char *d, size_t n)
{
	struct event ev = { .type = EV_OUTPUT, .seq = seq, .t_ns = seq * 1000000ull };

	ev.u.output.data = d;
	ev.u.output.len = n;
	journal_event(j, &ev);
}

static void test_protocol(void **state)
{
	struct loop *loop = loop_new();
	struct journal *j = journal_new(loop);
	char *const argv[] = { "agent", NULL };
	struct journal_header h = { .argv = argv, .workspace = "/w", .rows = 24, .cols = 80 };
	struct buf err = BUF_INIT, got = BUF_INIT;
	struct event ev = { .type = EV_NOTICE, .seq = 1 };
	struct control *c;
	int a, b, n;
	char *big;

	(void)state;
	journal_begin(j, &h);
	c = control_new(loop, j, NULL, 0, &err);
	assert_non_null(c);
	assert_non_null(strstr(control_path(c), "/belay/"));
	/* the socket is its user's alone */
	{
		struct stat st;

		assert_int_equal(stat(control_path(c), &st), 0);
		assert_true(S_ISSOCK(st.st_mode));
		assert_int_equal(st.st_mode & 077, 0);
	}
	ev.u.notice.text = "before anyone attached";
	journal_event(j, &ev);

	a = dial(control_path(c));
	say(a, "{\"op\":\"info\"}\n");
	take(loop, a, &got);
	assert_non_null(strstr(got.data, "say hello first"));
	buf_reset(&got);
	say(a, "{\"op\":\"hello\",\"version\":1}\n");
	take(loop, a, &got);
	assert_non_null(strstr(got.data, "\"role\":\"owner\""));
	buf_reset(&got);
	say(a, "{\"op\":\"decide\",\"call\":\"x\"}\n[1]\n{\"op\":\"attach\"}\n");
	take(loop, a, &got);
	assert_non_null(strstr(got.data, "a decision needs"));
	assert_non_null(strstr(got.data, "not a request"));
	/* the header, the records so far, then live */
	assert_non_null(strstr(got.data, "\"type\":\"attached\""));
	assert_non_null(strstr(got.data, "\"belay-recording\":1"));
	assert_non_null(strstr(got.data, "before anyone attached"));
	assert_non_null(strstr(got.data, "{\"type\":\"live\"}\n"));
	assert_int_equal(control_viewers(c), 1);
	buf_reset(&got);
	/* output: its length, then the bytes as they are */
	output(j, 2, "\x1b[31mred\r\n\xff", 11);
	journal_flush(j);
	take(loop, a, &got);
	assert_non_null(strstr(got.data, "\"type\":\"output\",\"seq\":2,"));
	assert_non_null(strstr(got.data, "\"len\":11}\n\x1b[31mred\r\n\xff"));
	buf_reset(&got);

	/* a line longer than CONTROL_MAX_LINE: told, and dropped */
	b = dial(control_path(c));
	say(b, "{\"op\":\"hello\",\"version\":1}\n");
	big = xmalloc(CONTROL_MAX_LINE + 4096);
	memset(big, 'x', CONTROL_MAX_LINE + 4096);
	fd_set_nonblock(b, 1);
	if (write(b, big, CONTROL_MAX_LINE + 4096) < 0)
		assert_true(errno == EAGAIN);
	fd_set_nonblock(b, 0);
	free(big);
	take(loop, b, &got);
	assert_non_null(strstr(got.data, "longer than 65536 bytes"));
	assert_int_equal(read(b, &n, 1), 0); /* closed */
	close(b);
	buf_reset(&got);

	/* a viewer that never reads: dropped past CONTROL_MAX_QUEUE; the loop never waits for it */
	b = dial(control_path(c));
	say(b, "{\"op\":\"hello\",\"version\":1}\n{\"op\":\"attach\"}\n");
	pump(loop, 20);
	assert_int_equal(control_viewers(c), 2);
	big = xmalloc(1 << 20);
	memset(big, 'y', 1 << 20);
	for (int i = 0; i < 40; i++) {
		output(j, 10 + (uint64_t)i, big, 1 << 20);
		journal_flush(j);
		pump(loop, 1);
		take(loop, a, &got); /* the other viewer reads */
		buf_reset(&got);
	}
	free(big);
	pump(loop, 20);
	assert_int_equal(control_viewers(c), 1);
	close(b);

	/* a late joiner to a long session: its 20 MB of timeline is not held against it */
	big = xmalloc(1 << 20);
	memset(big, 'n', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	ev.u.notice.text = big;
	for (int i = 0; i < 20; i++) {
		ev.seq = 100 + (uint64_t)i;
		journal_event(j, &ev);
		take(loop, a, &got);
		buf_reset(&got);
	}
	free(big);
	b = dial(control_path(c));
	say(b, "{\"op\":\"hello\",\"version\":1}\n{\"op\":\"attach\"}\n");
	take(loop, b, &got);
	assert_true(got.len > (20u << 20));
	assert_non_null(memmem(got.data, got.len, "{\"type\":\"live\"}\n", 16));
	assert_int_equal(control_viewers(c), 2);
	buf_reset(&got);
	close(b);
	pump(loop, 5);

	/* another version: told which, and closed */
	b = dial(control_path(c));
	say(b, "{\"op\":\"hello\",\"version\":7}\n");
	take(loop, b, &got);
	assert_non_null(strstr(got.data, "speaks version 1"));
	close(b);
	close(a);
	{
		char *path = xstrdup(control_path(c));

		control_free(c);
		assert_int_equal(access(path, F_OK), -1); /* the socket is gone with it */
		free(path);
	}
	journal_free(j);
	loop_free(loop);
	buf_release(&err);
	buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_parse),
		cmocka_unit_test(test_dir_checks),
		cmocka_unit_test(test_protocol),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	/* the sockets in the test's own folder */
	{
		char *run = xasprintf("%s/xdg", dir);

		mkdir(run, 0700);
		setenv("XDG_RUNTIME_DIR", run, 1);
		free(run);
	}
	rc = RUN_TESTS(tests);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			rc = 1;
		free(cmd);
	}
	return rc;
}
