/*
 * test-guard.c - supervisor/guard.c: the fixed rules (another terminal,
 * belay's own files) judged on calls made up here; tests/escape/ makes the
 * same calls for real from an agent.
 */
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../supervisor/guard.h"
#include "../../supervisor/util.h"

static dev_t rdev_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_rdev;
}

static void test_terminals(void **state)
{
	int m, s;
	char name[64];

	(void)state;
	assert_int_equal(openpty(&m, &s, name, NULL, NULL), 0);
	assert_true(guard_is_terminal(rdev_of(name)));
	assert_true(guard_is_terminal(rdev_of("/dev/ptmx")));
	assert_true(guard_is_terminal(rdev_of("/dev/tty")));
	assert_false(guard_is_terminal(rdev_of("/dev/null")));
	assert_false(guard_is_terminal(rdev_of("/dev/urandom")));
	close(m);
	close(s);
}

static int judge(struct guard *g, enum call_op op, const char *path, const char *path2)
{
	struct call c = { .op = op, .pid = getpid() };
	struct decision d;

	c.path = (char *)path;
	c.path2 = (char *)path2;
	return guard_judge(g, &c, &d);
}

static int judge_open(struct guard *g, dev_t dev)
{
	struct call c = { .op = OP_OPEN, .pid = getpid(), .chr = 1, .rdev = dev, .path = "/dev/x" };
	struct decision d = { 0 };
	int r = guard_judge(g, &c, &d);

	if (r) {
		assert_int_equal(d.verdict, VERDICT_DENY);
		assert_string_equal(d.rule, "(another terminal)");
	}
	return r;
}

static void test_terminal_rule(void **state)
{
	int am, as, om, os, mine, mine_slave;
	char agent[64], other[64], *mine_name;
	struct guard *g;
	dev_t other_dev;

	(void)state;
	assert_int_equal(openpty(&am, &as, agent, NULL, NULL), 0);
	assert_int_equal(openpty(&om, &os, other, NULL, NULL), 0);
	g = guard_new(rdev_of(agent));
	assert_false(judge_open(g, rdev_of(agent)));          /* its own */
	assert_false(judge_open(g, rdev_of("/dev/ptmx")));    /* a new one */
	assert_false(judge_open(g, rdev_of("/dev/null")));
	/* another pty: the test holds its master, as a process that made it
	 * would (script, expect)... */
	other_dev = rdev_of(other);
	assert_false(judge_open(g, other_dev));
	/* ...but a terminal nobody in the tree made is refused */
	close(om);
	assert_true(judge_open(g, other_dev));
	assert_true(judge_open(g, makedev(4, 1))); /* tty1 */
	assert_true(judge_open(g, makedev(5, 1))); /* the console */
	/* /dev/tty is the caller's own terminal: this test's is not the agent's */
	{
		int fd = open("/dev/tty", O_RDONLY | O_NOCTTY);

		if (fd >= 0) {
			assert_true(judge_open(g, makedev(5, 0)));
			close(fd);
		}
	}
	/* a pty made through /dev/ptmx, as python's pty.openpty does */
	mine = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(mine >= 0);
	assert_int_equal(grantpt(mine), 0);
	assert_int_equal(unlockpt(mine), 0);
	mine_name = ptsname(mine);
	mine_slave = open(mine_name, O_RDWR | O_NOCTTY);
	assert_false(judge_open(g, rdev_of(mine_name)));
	close(mine_slave);
	close(mine);
	guard_free(g);
	close(am), close(as), close(os);
}

static void test_own_files(void **state)
{
	char tmpl[] = "/tmp/belay-guard.XXXXXX", *root, *state_dir, *p, *q;
	struct guard *g;

	(void)state;
	root = realpath(mkdtemp(tmpl), NULL);
	state_dir = xasprintf("%s/home/.local/state/belay", root);
	g = guard_new(0);
	guard_protect(g, state_dir);

	p = xasprintf("%s/shadow/x.git/HEAD", state_dir);
	assert_true(judge(g, OP_OPEN, p, NULL));
	assert_true(judge(g, OP_CREATE, state_dir, NULL));
	assert_true(judge(g, OP_MKDIR, p, NULL));
	assert_true(judge(g, OP_CHMOD, state_dir, NULL));
	assert_true(judge(g, OP_UNLINK, p, NULL));
	/* a hard link to a file inside can be written through */
	q = xasprintf("%s/ws/h", root);
	assert_true(judge(g, OP_LINK, p, q));
	/* renamed in, renamed out */
	assert_true(judge(g, OP_RENAME, q, p));
	assert_true(judge(g, OP_RENAME, p, q));
	free(p);
	/* a parent: not deleted, renamed or replaced; made, yes */
	p = xasprintf("%s/home/.local", root);
	assert_true(judge(g, OP_RENAME, p, q));
	assert_true(judge(g, OP_RMDIR, p, NULL));
	assert_true(judge(g, OP_SYMLINK, p, p));
	assert_true(judge(g, OP_RENAME, q, p)); /* something else put in its place */
	assert_false(judge(g, OP_MKDIR, p, NULL));
	free(p);
	/* beside it: the agent's */
	p = xasprintf("%s/home/.local/state/belay-other/x", root);
	assert_false(judge(g, OP_CREATE, p, NULL));
	assert_false(judge(g, OP_UNLINK, p, NULL));
	free(p);
	p = xasprintf("%s/home/.local/state/other", root);
	assert_false(judge(g, OP_RENAME, p, q));
	assert_false(judge(g, OP_EXEC, state_dir, NULL));
	free(p);
	free(q);
	guard_free(g);
	guard_free(NULL);
	free(state_dir);
	p = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
	free(p);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terminals),
		cmocka_unit_test(test_terminal_rule),
		cmocka_unit_test(test_own_files),
	};

	return RUN_TESTS(tests);
}
