/* test-util.c - parse_int, xgrow and the fd helpers (supervisor/util.c). */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../supervisor/util.h"

static void test_parse_int_valid(void **state)
{
	long v;

	(void)state;
	assert_true(parse_int("0", 0, 10, &v));
	assert_int_equal(v, 0);
	assert_true(parse_int("10", 0, 10, &v));
	assert_int_equal(v, 10);
	assert_true(parse_int("-5", -5, 5, &v));
	assert_int_equal(v, -5);
	assert_true(parse_int("007", 0, 10, &v));
	assert_int_equal(v, 7);
	assert_true(parse_int("2000", 0, 2000, &v));
	assert_int_equal(v, 2000);
	assert_true(parse_int("9223372036854775807", LONG_MIN, LONG_MAX, &v));
	assert_true(v == LONG_MAX);
	assert_true(parse_int("-9223372036854775808", LONG_MIN, LONG_MAX, &v));
	assert_true(v == LONG_MIN);
}

static void test_parse_int_bounds(void **state)
{
	long v = 1234;

	(void)state;
	assert_false(parse_int("11", 0, 10, &v));
	assert_false(parse_int("-1", 0, 10, &v));
	assert_false(parse_int("256", 0, 255, &v));
	assert_false(parse_int("0", 1, 12, &v));
	assert_false(parse_int("13", 1, 12, &v));
	/* out of range for long itself */
	assert_false(parse_int("9223372036854775808", LONG_MIN, LONG_MAX, &v));
	assert_false(parse_int("-9223372036854775809", LONG_MIN, LONG_MAX, &v));
	assert_false(parse_int("99999999999999999999999", 0, LONG_MAX, &v));
	/* a failed parse leaves out alone */
	assert_int_equal(v, 1234);
}

static void test_parse_int_garbage(void **state)
{
	static const char *const bad[] = {
		"", "-", "+", "x", "1x", "x1", "1 ", " 1", "\t1", "\n1", "1\n", "0x10",
		"1.5", "1e3", "--1", "1-", "١", "1\xff",
	};
	long v = 77;

	(void)state;
	assert_false(parse_int(NULL, 0, 10, &v));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse_int(bad[i], LONG_MIN, LONG_MAX, &v))
			fail_msg("parse_int accepted '%s' as %ld", bad[i], v);
	}
	assert_int_equal(v, 77);
}

static void test_xgrow(void **state)
{
	size_t n = 0, prev;
	int *a = NULL;

	(void)state;
	/* growing from nothing gives room for at least what was asked */
	a = xgrow(a, &n, 1, sizeof(*a));
	assert_non_null(a);
	assert_true(n >= 1);
	a[0] = 0;
	for (size_t want = 2; want <= 10000; want++) {
		prev = n;
		a = xgrow(a, &n, want, sizeof(*a));
		assert_true(n >= want);
		/* doubling, not one at a time: the count only moves at powers of 2 */
		if (n != prev)
			assert_true(n >= 2 * prev);
		a[want - 1] = (int)(want - 1);
	}
	/* the contents survive every reallocation */
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(a[i], (int)i);
	/* asking for less than there is changes nothing */
	prev = n;
	assert_ptr_equal(xgrow(a, &n, 5, sizeof(*a)), a);
	assert_int_equal(n, prev);
	free(a);

	/* elements larger than a byte are counted in elements */
	{
		struct big {
			char b[1000];
		} *p = NULL;
		size_t m = 0;

		p = xgrow(p, &m, 3, sizeof(*p));
		assert_true(m >= 3);
		memset(p, 'x', m * sizeof(*p));
		free(p);
	}
}

static void test_fd_helpers(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(fd_set_nonblock(p[0], 1), 0);
	assert_int_not_equal(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	/* a non-blocking empty pipe says so instead of blocking */
	{
		char c;

		assert_int_equal(read(p[0], &c, 1), -1);
		assert_int_equal(errno, EAGAIN);
	}
	assert_int_equal(fd_set_nonblock(p[0], 0), 0);
	assert_int_equal(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);

	assert_int_equal(fcntl(p[1], F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(fd_set_cloexec(p[1]), 0);
	assert_int_not_equal(fcntl(p[1], F_GETFD) & FD_CLOEXEC, 0);
	close(p[0]);
	close(p[1]);

	/* closed fds report -EBADF, not a crash or a false success */
	assert_int_equal(fd_set_nonblock(p[0], 1), -EBADF);
	assert_int_equal(fd_set_cloexec(p[1]), -EBADF);
	assert_int_equal(fd_set_nonblock(-1, 1), -EBADF);
}

/* Whole writes and reads across a pipe, and a file replaced whole. */
static void test_write_read_all(void **state)
{
	char big[200000], back[200000], path[] = "/tmp/belay-util-XXXXXX", *file;
	int p[2], fd;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	assert_int_equal(pipe(p), 0);
	/* more than a pipe holds: the writer must loop over short writes */
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(fd_write_all(p[1], big, sizeof(big)) == 0 ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(fd_read_all(p[0], back, sizeof(back)), 0);
	assert_memory_equal(big, back, sizeof(big));
	/* the end of the data is a failure with errno 0 */
	assert_int_equal(fd_read_all(p[0], back, 1), -1);
	assert_int_equal(errno, 0);
	close(p[0]);
	waitpid(pid, NULL, 0);

	assert_non_null(mkdtemp(path));
	file = xasprintf("%s/f", path);
	assert_int_equal(write_file_replace(file, "one\n", 4, 0), 0);
	assert_int_equal(write_file_replace(file, "two", 3, 1), 0);
	fd = open(file, O_RDONLY);
	assert_int_equal(fd_read_all(fd, back, 3), 0);
	assert_memory_equal(back, "two", 3);
	close(fd);
	free(file);
	file = xasprintf("%s/f.tmp", path);
	assert_int_equal(access(file, F_OK), -1); /* nothing left beside it */
	free(file);
	/* a directory that is not there: -1 with errno */
	file = xasprintf("%s/missing/f", path);
	assert_int_equal(write_file_replace(file, "x", 1, 0), -1);
	assert_int_equal(errno, ENOENT);
	free(file);
	file = xasprintf("rm -rf '%s'", path);
	assert_int_equal(system(file), 0);
	free(file);
}

static void test_now_ns_monotonic(void **state)
{
	uint64_t a, b;

	(void)state;
	a = now_ns();
	b = now_ns();
	assert_true(a > 0);
	assert_true(b >= a);
}

static void test_xstr(void **state)
{
	char *s;

	(void)state;
	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = xasprintf("%s-%d", "n", 5);
	assert_string_equal(s, "n-5");
	free(s);
}


/* names are shown escaped, never interpreted, never dropped */
static void test_text_visible(void **state)
{
	static const char *const cases[][2] = {
		{ "plain name.txt", "plain name.txt" },
		{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac" },
		{ "a\x1b[31mred\x07", "a\\x1b[31mred\\x07" },
		{ "tab\there\nnl", "tab\\x09here\\x0anl" },
		{ "evil\xe2\x80\xaetxt.exe", "evil\\u202etxt.exe" },
		{ "zero\xe2\x80\x8bwidth\xef\xbb\xbf", "zero\\u200bwidth\\ufeff" },
		{ "c1\xc2\x85\xc2\x9b", "c1\\u0085\\u009b" },
		{ "bad\xff\xfe", "bad\\xff\\xfe" },
		{ "overlong\xc0\xaf", "overlong\\xc0\\xaf" },
		{ "surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80" },
		{ "cut\xe2\x80", "cut\\xe2\\x80" },
		{ "del\x7f", "del\\x7f" },
		{ "tag\xf3\xa0\x80\x81", "tag\\ue0001" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *v = text_visible(cases[i][0]);

		assert_string_equal(v, cases[i][1]);
		free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_visible),
		cmocka_unit_test(test_parse_int_valid),
		cmocka_unit_test(test_parse_int_bounds),
		cmocka_unit_test(test_parse_int_garbage),
		cmocka_unit_test(test_xgrow),
		cmocka_unit_test(test_fd_helpers),
		cmocka_unit_test(test_write_read_all),
		cmocka_unit_test(test_now_ns_monotonic),
		cmocka_unit_test(test_xstr),
	};

	return RUN_TESTS(tests);
}
