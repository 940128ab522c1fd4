/* test-profile.c - agents' profiles (supervisor/profile.c) and the rules they add. */
#include "unit.h"

#include "../../supervisor/policy.h"
#include "../../supervisor/profile.h"
#include "../../supervisor/util.h"

static const char *const *env_table;

static const char *env(const char *name, void *data)
{
	(void)data;
	for (const char *const *e = env_table; e && *e; e += 2)
		if (!strcmp(e[0], name))
			return e[1];
	return NULL;
}

static const char codex[] = "program codex codex-*\n"
			    "state ~/.codex $CODEX_HOME\n"
			    "settings ~/.codex/config.toml $CODEX_HOME/config.toml\n"
			    "settings $WORKSPACE/.codex/config.toml\n"
			    "helper ~/.codex/snap/** $CODEX_HOME/snap/**\n"
			    "refuse /sys/kernel/tracing/trace_marker\n"
			    "state ~/.local/state/$AGENT\n";

static struct policy *with(const char *text, int mine, const char *const *vars, struct buf *warnings)
{
	struct policy *p = policy_new("/work/src/proj", "/home/me");
	struct buf errors = BUF_INIT;
	struct profile *pr = profile_parse("profiles/codex.profile", text, strlen(text), &errors);
	struct profile_place at = { "codex", "/home/me", "/work/src/proj", env, NULL };

	assert_string_equal(errors.data, "");
	assert_string_equal(profile_name(pr), "codex");
	env_table = vars;
	profile_apply(pr, p, mine, &at, warnings);
	env_table = NULL;
	profile_free(pr);
	buf_release(&errors);
	return p;
}

static void expect_file(struct policy *p, enum call_op op, const char *path, int by_agent, enum verdict v,
			const char *rule)
{
	struct call c = { .op = op, .path = (char *)path };
	struct decision d;

	policy_decide(p, &c, by_agent, &d);
	if (d.verdict != v || strcmp(d.rule, rule))
		fail_msg("%s %s: got %s by %s, want %s by %s", call_op_name(op), path, verdict_name(d.verdict), d.rule,
			 verdict_name(v), rule);
}

static void test_state_in_place(void **state)
{
	struct buf w = BUF_INIT;
	struct policy *p = with(codex, 1, NULL, &w);

	(void)state;
	/* the folder itself, what is in it, by the agent only */
	expect_file(p, OP_MKDIR, "/home/me/.codex", 1, VERDICT_ALLOW, "profiles/codex.profile:2");
	expect_file(p, OP_CREATE, "/home/me/.codex/sessions/a.jsonl", 1, VERDICT_ALLOW, "profiles/codex.profile:2");
	expect_file(p, OP_UNLINK, "/home/me/.codex/sessions/a.jsonl", 1, VERDICT_ALLOW, "profiles/codex.profile:2");
	expect_file(p, OP_CREATE, "/home/me/.codex/sessions/a.jsonl", 0, VERDICT_ASK, "default write");
	expect_file(p, OP_CREATE, "/home/me/.codexx", 1, VERDICT_ASK, "default write");
	/* its settings ask, even inside its state and the workspace */
	expect_file(p, OP_OPEN, "/home/me/.codex/config.toml", 1, VERDICT_ASK, "profiles/codex.profile:3");
	expect_file(p, OP_UNLINK, "/home/me/.codex/config.toml", 1, VERDICT_ASK, "profiles/codex.profile:3");
	expect_file(p, OP_CREATE, "/work/src/proj/.codex/config.toml", 0, VERDICT_ASK, "profiles/codex.profile:4");
	/* what its helpers write: any process */
	expect_file(p, OP_CREATE, "/home/me/.codex/snap/s.sh", 0, VERDICT_ALLOW, "profiles/codex.profile:5");
	/* refused without a question */
	expect_file(p, OP_OPEN, "/sys/kernel/tracing/trace_marker", 1, VERDICT_DENY, "profiles/codex.profile:6");
	/* $AGENT */
	expect_file(p, OP_CREATE, "/home/me/.local/state/codex/log", 1, VERDICT_ALLOW, "profiles/codex.profile:7");
	assert_string_equal(w.data, "");
	policy_free(p);
	buf_release(&w);
}

static void test_moved(void **state)
{
	static const char *const vars[] = { "CODEX_HOME", "/srv/codex*home", NULL };
	struct buf w = BUF_INIT;
	struct policy *p = with(codex, 1, vars, &w);

	(void)state;
	/* there now, and not in the old place; a glob character in a value is literal */
	expect_file(p, OP_CREATE, "/srv/codex*home/history.jsonl", 1, VERDICT_ALLOW, "profiles/codex.profile:2");
	expect_file(p, OP_CREATE, "/srv/codexXhome/history.jsonl", 1, VERDICT_ASK, "default write");
	expect_file(p, OP_CREATE, "/home/me/.codex/history.jsonl", 1, VERDICT_ASK, "default write");
	/* settings ask in both places */
	expect_file(p, OP_OPEN, "/srv/codex*home/config.toml", 1, VERDICT_ASK, "profiles/codex.profile:3");
	expect_file(p, OP_OPEN, "/home/me/.codex/config.toml", 1, VERDICT_ASK, "profiles/codex.profile:3");
	expect_file(p, OP_CREATE, "/srv/codex*home/snap/x", 0, VERDICT_ALLOW, "profiles/codex.profile:5");
	policy_free(p);
	buf_release(&w);
}

static void test_moved_too_far(void **state)
{
	static const char *const cases[][2] = {
		{ "/", "a folder at the top of the file system" },
		{ "/data", "a folder at the top of the file system" },
		{ "/home", "a folder at the top of the file system" },
		{ "/srv/home-of/..", "a path with . or .. in it" },
		{ "/home/me", "it holds the home folder" },
		{ "/etc/codex", "a system folder" },
		{ "/usr/local/x", "a system folder" },
		{ "/var/lib", "a system folder" },
		{ "/var", "a system folder" }, /* it holds /var/lib */
		{ "/work/src", "it holds the workspace and the folders beside it" },
		{ "relative/dir", "not an absolute path" },
		{ "/srv/../etc", "a system folder" }, /* resolved */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *vars[] = { "CODEX_HOME", cases[i][0], NULL };
		struct buf w = BUF_INIT;
		struct policy *p = with(codex, 1, vars, &w);
		char path[256];

		if (!strstr(w.data, cases[i][1]) || !strstr(w.data, "profiles/codex.profile:2: CODEX_HOME is"))
			fail_msg("CODEX_HOME=%s: warned '%s'", cases[i][0], w.data);
		/* neither there nor in the old place */
		snprintf(path, sizeof(path), "%s/.bashrc", cases[i][0]);
		if (cases[i][0][0] == '/') {
			struct call c = { .op = OP_OPEN, .path = path };
			struct decision d;

			policy_decide(p, &c, 1, &d);
			if (d.verdict == VERDICT_ALLOW)
				fail_msg("CODEX_HOME=%s: %s allowed by %s", cases[i][0], path, d.rule);
		}
		expect_file(p, OP_CREATE, "/home/me/.codex/x", 1, VERDICT_ASK, "default write");
		policy_free(p);
		buf_release(&w);
	}
	/* what the agent gets is the variable's folder and the rest: .gemini in the home folder is fine */
	{
		static const char gem[] = "state ~/.gemini $GEMINI_CLI_HOME/.gemini\n";
		const char *vars[] = { "GEMINI_CLI_HOME", "/home/me", NULL };
		struct buf w = BUF_INIT;
		struct policy *p = with(gem, 1, vars, &w);

		assert_string_equal(w.data, "");
		expect_file(p, OP_CREATE, "/home/me/.gemini/projects.json", 1, VERDICT_ALLOW, "profiles/codex.profile:1");
		policy_free(p);
		buf_release(&w);
	}
	/* state below /var/lib is a folder of its own; /var/lib itself is not */
	{
		const char *vars[] = { "CODEX_HOME", "/var/lib/agent-state/codex", NULL };
		struct buf w = BUF_INIT;
		struct policy *p = with(codex, 1, vars, &w);

		assert_string_equal(w.data, "");
		policy_free(p);
		buf_release(&w);
	}
	/* the workspace itself is fine (it is allowed anyway) */
	{
		const char *vars[] = { "CODEX_HOME", "/work/src/proj", NULL };
		struct buf w = BUF_INIT;
		struct policy *p = with(codex, 1, vars, &w);

		assert_string_equal(w.data, "");
		policy_free(p);
		buf_release(&w);
	}
}

static void test_not_mine(void **state)
{
	static const char *const vars[] = { "CODEX_HOME", "/srv/ch", NULL };
	struct buf w = BUF_INIT;
	struct policy *p = with(codex, 0, vars, &w);

	(void)state;
	/* another agent's profile: its settings only */
	expect_file(p, OP_CREATE, "/home/me/.codex/x", 1, VERDICT_ASK, "default write");
	expect_file(p, OP_CREATE, "/srv/ch/x", 1, VERDICT_ASK, "default write");
	expect_file(p, OP_OPEN, "/srv/ch/config.toml", 1, VERDICT_ASK, "profiles/codex.profile:3");
	expect_file(p, OP_OPEN, "/sys/kernel/tracing/trace_marker", 1, VERDICT_ASK, "default write");
	policy_free(p);
	buf_release(&w);
}

static void test_errors(void **state)
{
	static const char *const bad[][2] = {
		{ "state\n", "usage: state PATH [PATH-WHEN-MOVED]" },
		{ "state a/b\n", "'a/b' must be an absolute path" },
		{ "state ~/.x /y\n", "'/y' must start with the variable that moves it" },
		{ "state ~/.x $X$Y\n", "must start with the variable that moves it" },
		{ "state ~/.x x$X\n", "'x$X' must be an absolute path" },
		{ "state $XDG_DATA_HOME/x\n", "the first path may use $HOME, $WORKSPACE and $AGENT" },
		{ "refuse /a $X\n", "usage: refuse PATH" },
		{ "program\n", "usage: program NAME" },
		{ "allow write path /x\n", "unknown statement 'allow'" },
		{ "state /a $\n", "must start with the variable" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct buf errors = BUF_INIT;
		struct profile *pr = profile_parse("x.profile", bad[i][0], strlen(bad[i][0]), &errors);

		if (!strstr(errors.data, bad[i][1]) || strncmp(errors.data, "x.profile:1: ", 13))
			fail_msg("'%s': got '%s'", bad[i][0], errors.data);
		profile_free(pr);
		buf_release(&errors);
	}
}

static void test_command_name(void **state)
{
	static const char *const cases[][8] = {
		{ "claude", "claude", NULL },
		{ "codex", "/usr/local/bin/codex", "--yolo", NULL },
		{ "codex", "node", "/usr/lib/node_modules/@openai/codex/bin/codex.js", "exec", NULL },
		{ "claude-code", "node", "--no-warnings", "/x/node_modules/@anthropic-ai/claude-code/cli.js", NULL },
		{ "aider", "python3", "-m", "aider.main", "--yes", NULL },
		{ "aider", "/usr/bin/python3.11", "/home/me/.local/bin/aider", NULL },
		{ "python3", "python3", "-c", "import aider", NULL },
		{ "codex", "npx", "-y", "@openai/codex@latest", NULL },
		{ "gemini", "env", "-u", "X", "A=1", "gemini", NULL },
		{ "node", "node", NULL },
		{ "opencode", "bun", "run", "/opt/opencode/index.ts", NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *name = profile_command_name((char *const *)(cases[i] + 1));

		if (strcmp(name, cases[i][0]))
			fail_msg("%s…: got '%s', want '%s'", cases[i][1], name, cases[i][0]);
		free(name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_in_place), cmocka_unit_test(test_moved),
		cmocka_unit_test(test_moved_too_far),  cmocka_unit_test(test_not_mine),
		cmocka_unit_test(test_errors),         cmocka_unit_test(test_command_name),
	};

	return RUN_TESTS(tests);
}
