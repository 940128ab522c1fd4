/*
 * test-resolve.c - supervisor/resolve.c: paths resolved as the kernel does,
 * by cases (the ways around a lexical resolver) and by a property test
 * against the kernel's own answer (realpath(3) walks the same links).
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../supervisor/resolve.h"
#include "../../supervisor/util.h"

static char root[PATH_MAX];

static void mk(const char *fmt, const char *arg)
{
	char *p = xasprintf(fmt, root, arg);

	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void ln(const char *target, const char *name)
{
	char *p = xasprintf("%s/%s", root, name);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static void expect(const char *dir, const char *path, int follow, const char *want_fmt)
{
	char *want = want_fmt ? xasprintf(want_fmt, root) : NULL;
	char *got = resolve_path(dir, path, follow, getpid(), gettid());

	if (!want) {
		if (got)
			fail_msg("%s: expected NULL, got %s", path, got);
	} else if (!got || strcmp(got, want)) {
		fail_msg("%s: expected %s, got %s", path, want, got ? got : "NULL");
	}
	free(got);
	free(want);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/belay-resolve.XXXXXX";
	char *real;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	real = realpath(tmpl, NULL);
	snprintf(root, sizeof(root), "%s", real);
	free(real);
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

/* The ways around a resolver that normalises before it follows links. */
static void test_cases(void **state)
{
	char *ws = xasprintf("%s/ws", root);

	(void)state;
	mk("%s/%s", "ws");
	mk("%s/%s", "out");
	mk("%s/%s", "out/deeper");
	ln("../out/deeper", "ws/deep");    /* relative, into another tree */
	ln("/nonexistent-belay/x", "ws/dangling");
	ln(ws, "ws/self");                 /* absolute, back to the workspace */
	ln("loop2", "ws/loop1");
	ln("loop1", "ws/loop2");

	/* ".." after a link is the link target's parent */
	expect(ws, "deep/../evil.txt", 1, "%s/out/evil.txt");
	expect(ws, "deep/../evil.txt", 0, "%s/out/evil.txt"); /* links before the last: always */
	/* a dangling last link, followed (O_CREAT): where it points */
	expect(ws, "dangling", 1, "/nonexistent-belay/x");
	expect(ws, "dangling", 0, "%s/ws/dangling");
	/* a missing component: the rest as written, ".." lexically */
	expect(ws, "sub/../rel", 1, "%s/ws/rel");
	expect(ws, "./self/./deep//f", 1, "%s/out/deeper/f");
	/* a loop of links: nothing can be said */
	expect(ws, "loop1", 1, NULL);
	expect(ws, "loop1/x", 0, NULL);
	/* the last link not followed: the link itself */
	expect(ws, "loop1", 0, "%s/ws/loop1");
	expect(NULL, "/", 1, "/");
	expect(NULL, "/..", 1, "/");
	free(ws);
}

/* /proc/self is the process's; /proc/self/cwd/.. its cwd's parent. */
static void test_proc(void **state)
{
	char *cwd = getcwd(NULL, 0), *want, *got, *dir;
	int p[2];

	(void)state;
	dir = xasprintf("%s/proc", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chdir(dir), 0);
	got = resolve_path("/", "/proc/self/cwd/../x", 1, getpid(), gettid());
	want = xasprintf("%s/x", root);
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = resolve_path("/", "/proc/self/exe", 0, 4242, 4243);
	assert_string_equal(got, "/proc/4242/exe");
	free(got);
	got = resolve_path("/", "/proc/thread-self/comm", 0, 4242, 4243);
	assert_string_equal(got, "/proc/4242/task/4243/comm");
	free(got);
	/* a pipe names no path: the link is the name */
	assert_int_equal(pipe(p), 0);
	want = xasprintf("/proc/%d/fd/%d", (int)getpid(), p[1]);
	got = xasprintf("/proc/self/fd/%d", p[1]);
	{
		char *r = resolve_path("/", got, 1, getpid(), gettid());

		assert_string_equal(r, want);
		free(r);
	}
	close(p[0]);
	close(p[1]);
	assert_int_equal(chdir(cwd), 0);
	free(got);
	free(want);
	free(cwd);
	free(dir);
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/*
 * Random trees of folders and links (relative, absolute, dangling, loops)
 * and random paths: where the kernel can say (realpath succeeds, or the
 * parent resolves and the last component is missing), resolve_path says the
 * same.
 */
static void test_against_kernel(void **state)
{
	static const char *const names[] = { "a", "b", "c", "l1", "l2", "l3", "..", ".", "x" };
	unsigned seed = 7;
	int compared = 0;

	(void)state;
	for (int round = 0; round < 60; round++) {
		char *base = xasprintf("%s/t%d", root, round);

		assert_int_equal(mkdir(base, 0755), 0);
		/* folders */
		for (int i = 0; i < 6; i++) {
			char *d = xasprintf("%s/%s/%s", base, names[rnd(&seed, 3)], names[rnd(&seed, 3)]);
			char *parent = xstrdup(d);

			*strrchr(parent, '/') = '\0';
			mkdir(parent, 0755);
			mkdir(d, 0755);
			free(parent);
			free(d);
		}
		/* links anywhere, to anything */
		for (int i = 0; i < 8; i++) {
			char *at = xasprintf("%s/%s/%s", base, names[rnd(&seed, 3)], names[3 + rnd(&seed, 3)]);
			char *to;

			switch (rnd(&seed, 4)) {
			case 0:
				to = xasprintf("%s/%s", names[rnd(&seed, 9)], names[rnd(&seed, 9)]);
				break;
			case 1:
				to = xasprintf("%s/%s", base, names[rnd(&seed, 9)]);
				break;
			case 2:
				to = xasprintf("../%s/%s", names[rnd(&seed, 9)], names[rnd(&seed, 9)]);
				break;
			default:
				to = xstrdup(names[3 + rnd(&seed, 3)]);
			}
			symlink(to, at);
			free(at);
			free(to);
		}
		for (int i = 0; i < 40; i++) {
			struct buf_like { char s[512]; } p;
			int n = 1 + (int)rnd(&seed, 5), len = 0;
			char *kernel, *mine, *slash, *pdir;

			for (int k = 0; k < n; k++)
				len += snprintf(p.s + len, sizeof(p.s) - (size_t)len, "%s%s", k ? "/" : "",
						names[rnd(&seed, 9)]);
			mine = resolve_path(base, p.s, 1, getpid(), gettid());
			pdir = xasprintf("%s/%s", base, p.s);
			kernel = realpath(pdir, NULL);
			if (kernel) {
				if (!mine || strcmp(kernel, mine))
					fail_msg("%s/%s: kernel %s, resolve %s", base, p.s, kernel, mine ? mine : "NULL");
				compared++;
			} else if (errno == ENOENT && (slash = strrchr(pdir, '/')) &&
				   strcmp(slash + 1, "..") && strcmp(slash + 1, ".")) {
				/* the last component is missing: its parent decides */
				char *parent, *want, *last = NULL;
				struct stat st;

				*slash = '\0';
				parent = realpath(pdir, NULL);
				if (parent)
					last = xasprintf("%s/%s", parent, slash + 1);
				if (parent && lstat(last, &st) < 0) {
					/* (a dangling link there would be followed: not this case) */
					want = xasprintf("%s/%s", strcmp(parent, "/") ? parent : "", slash + 1);
					if (!mine || strcmp(want, mine))
						fail_msg("%s/%s: kernel %s, resolve %s", base, p.s, want,
							 mine ? mine : "NULL");
					compared++;
					free(want);
				}
				free(parent);
				free(last);
			}
			free(kernel);
			free(mine);
			free(pdir);
		}
		free(base);
	}
	/* the property was tested, not skipped */
	assert_true(compared > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_against_kernel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
