/* test-sandbox.c - what the kernel boundary lets through by itself (supervisor/sandbox.c). */
#include "unit.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../supervisor/call.h"
#include "../../supervisor/sandbox.h"
#include "../../supervisor/util.h"

static struct call op(enum call_op o, const char *path, const char *path2)
{
	struct call c = { .op = o };

	c.path = path ? xstrdup(path) : NULL;
	c.path2 = path2 ? xstrdup(path2) : NULL;
	c.addr.port = -1;
	return c;
}

static int lets(const struct sandbox *sb, struct call c)
{
	int r = sandbox_lets(sb, &c);

	call_release(&c);
	return r;
}

static void test_lets(void **state)
{
	char tmpl[] = "/tmp/belay-sandbox-XXXXXX", *ws, *in, *ro, *out, *link;
	struct sandbox *sb = sandbox_new();
	struct call dev;

	(void)state;
	if (sandbox_abi(sb) < 2) {
		sandbox_free(sb);
		skip();
	}
	ws = mkdtemp(tmpl);
	assert_non_null(ws);
	in = xasprintf("%s/ws", ws);
	ro = xasprintf("%s/writeonly", ws);
	out = xasprintf("%s/outside", ws);
	link = xasprintf("%s/link", ws);
	mkdir(in, 0755), mkdir(ro, 0755), mkdir(out, 0755);
	assert_int_equal(symlink(in, link), 0);
	/* a place named through a link is the folder it names */
	sandbox_open_place(sb, link, SANDBOX_WRITE | SANDBOX_DELETE);
	sandbox_open_place(sb, ro, SANDBOX_WRITE);
	sandbox_open_place(sb, "/dev/null", SANDBOX_WRITE);
	sandbox_open_place(sb, "/nonexistent-belay-place", SANDBOX_WRITE);
	sandbox_open_port(sb, 443);

	char *a = xasprintf("%s/a.txt", in), *b = xasprintf("%s/b.txt", out), *r = xasprintf("%s/r.txt", ro);

	assert_true(lets(sb, op(OP_CREATE, a, NULL)));
	assert_false(lets(sb, op(OP_CREATE, b, NULL)));
	assert_false(lets(sb, op(OP_MKDIR, in, NULL)));   /* the place itself is made in its parent */
	{
		char *c2 = xasprintf("%s/c", in);

		assert_true(lets(sb, op(OP_RENAME, a, c2)));
		free(c2);
	}
	assert_false(lets(sb, op(OP_RENAME, a, b)));      /* out of the place */
	assert_false(lets(sb, op(OP_RENAME, b, a)));      /* in from outside */
	assert_true(lets(sb, op(OP_CREATE, r, NULL)));
	assert_false(lets(sb, op(OP_UNLINK, r, NULL)));   /* write, not delete, there */
	assert_true(lets(sb, op(OP_UNLINK, a, NULL)));
	assert_true(lets(sb, op(OP_CHMOD, b, NULL)));     /* metadata: not Landlock's */
	assert_true(lets(sb, op(OP_EXEC, "/bin/true", NULL)));
	dev = op(OP_OPEN, "/dev/null", NULL);
	dev.chr = 1;
	assert_true(lets(sb, dev));
	assert_false(lets(sb, op(OP_OPEN, "/dev/zero", NULL)));
	{
		struct call c = op(OP_CONNECT, NULL, NULL);

		c.addr.family = AF_INET;
		c.addr.host = xstrdup("192.0.2.1");
		c.addr.port = 443;
		assert_int_equal(lets(sb, c), 1);
		c = op(OP_CONNECT, NULL, NULL);
		c.addr.family = AF_INET;
		c.addr.host = xstrdup("192.0.2.1");
		c.addr.port = 5432;
		assert_int_equal(lets(sb, c), sandbox_abi(sb) < 4);
		c = op(OP_CONNECT, NULL, NULL);
		c.addr.family = AF_UNIX;
		c.addr.host = xstrdup("/run/x.sock");
		assert_true(lets(sb, c));
	}
	/* --no-sandbox: everything is the kernel's as before */
	sandbox_off(sb);
	assert_true(lets(sb, op(OP_CREATE, b, NULL)));
	free(a), free(b), free(r);
	unlink(link), rmdir(in), rmdir(ro), rmdir(out), rmdir(ws);
	free(in), free(ro), free(out), free(link);
	sandbox_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
