/*
 * test-intercept.c - sessions that intercept (supervisor/session.c with
 * filter, notify, policy and step): held calls answered, grants, calls that
 * go away while held, steps, and the launcher rule.
 */
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../supervisor/policy.h"
#include "../../supervisor/session.h"
#include "../../supervisor/util.h"

#define CAP_NS (20 * 1000000000ull)

struct rec {
	struct loop *loop;
	struct session *s;
	struct policy *p;
	char dir[64];
	enum answer answer; /* how to answer held calls; -1: do not */
	int answer_now;
	long timeout_ms; /* > 0: the session answers held calls (allow) after this */
	int held, decisions, denied, allowed, grants, steps_started, steps_ended, execs, files, gone;
	char last_decision_by[32];
	char first_exec_by[32];
	int ended, status;
};

static void on_event(const struct event *ev, void *data)
{
	struct rec *r = data;

	switch (ev->type) {
	case EV_HELD:
		r->held++;
		if (r->answer_now)
			assert_int_equal(session_answer(r->s, ev->u.held.n, r->answer, DECIDED_USER, NULL), 0);
		break;
	case EV_DECISION:
		r->decisions++;
		if (ev->u.decision.verdict == VERDICT_DENY)
			r->denied++;
		else
			r->allowed++;
		if (ev->u.decision.by == DECIDED_GONE)
			r->gone++;
		snprintf(r->last_decision_by, sizeof(r->last_decision_by), "%s", decider_name(ev->u.decision.by));
		if (!r->first_exec_by[0])
			snprintf(r->first_exec_by, sizeof(r->first_exec_by), "%s", decider_name(ev->u.decision.by));
		break;
	case EV_GRANT:
		r->grants++;
		break;
	case EV_STEP_START:
		r->steps_started++;
		break;
	case EV_STEP_END:
		r->steps_ended++;
		break;
	case EV_EXEC:
		r->execs++;
		break;
	case EV_FILE:
		r->files++;
		break;
	case EV_SESSION_END:
		r->ended = 1;
		r->status = ev->u.end.status;
		break;
	default:
		break;
	}
}

static int setup(void **state)
{
	struct rec *r = xcalloc(1, sizeof(*r));
	struct buf errors = BUF_INIT;
	char *rules;

	snprintf(r->dir, sizeof(r->dir), "/tmp/belay-intercept.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	r->loop = loop_new();
	r->p = policy_new(r->dir, "/nonexistent-home");
	/* the strictest matching rule wins: the asks and the deny stand out
	 * of the allowed workspace */
	rules = xasprintf("allow write path $WORKSPACE/**\n"
			  "ask write path $WORKSPACE/held*\n"
			  "ask write path $WORKSPACE/refused\n"
			  "ask write path $WORKSPACE/one\n"
			  "ask write path $WORKSPACE/two\n"
			  "ask write path $WORKSPACE/victim\n"
			  "deny write path $WORKSPACE/never\n"
			  "ask exec program truthy\n");
	assert_int_equal(policy_load(r->p, "t.rules", rules, strlen(rules), &errors), 0);
	free(rules);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rec *r = *state;
	char *cmd = xasprintf("rm -rf '%s'", r->dir);

	session_free(r->s);
	policy_free(r->p);
	loop_free(r->loop);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(r);
	return 0;
}

static void run(struct rec *r, char *script)
{
	char *argv[] = { "sh", "-c", script, NULL };
	struct session_opts o = { .argv = argv, .cwd = r->dir, .rows = 24, .cols = 80, .intercept = 1,
				  .policy = r->p, .timed_asks = r->timeout_ms > 0,
				  .ask_timeout_ms = (unsigned long)MAX(r->timeout_ms, 0), .timeout_allows = 1 };
	uint64_t end = now_ns() + CAP_NS;

	r->s = session_new(r->loop, &o, on_event, r);
	assert_int_equal(session_start(r->s), 0);
	assert_true(session_intercepting(r->s));
	while (!r->ended) {
		assert_true(now_ns() < end);
		loop_run_once(r->loop, 100000000);
	}
}

static int exists(struct rec *r, const char *name)
{
	char *p = xasprintf("%s/%s", r->dir, name);
	int e = access(p, F_OK) == 0;

	free(p);
	return e;
}

/* Allowed, held then allowed, denied by a rule: what happens is what was said. */
static void test_decisions(void **state)
{
	struct rec *r = *state;

	r->answer = ANSWER_ALLOW;
	r->answer_now = 1;
	run(r, "mkdir -p ok && echo a > ok/a && echo b > held-then-allowed && echo c > never; echo done");
	assert_true(exists(r, "ok/a"));
	assert_true(exists(r, "held-then-allowed"));
	assert_false(exists(r, "never"));
	assert_int_equal(r->held, 1); /* held-then-allowed */
	assert_true(r->denied >= 1);
	assert_string_equal(r->first_exec_by, "agent-start");
}

/* Deny: the call fails, nothing is written. */
static void test_deny(void **state)
{
	struct rec *r = *state;

	r->answer = ANSWER_DENY;
	r->answer_now = 1;
	run(r, "echo x > refused; echo rc=$?");
	assert_false(exists(r, "refused"));
	assert_int_equal(r->held, 1);
	assert_string_equal(r->last_decision_by, "user");
}

/* Allow similar: a grant, and later calls like it do not ask. */
static void test_allow_similar(void **state)
{
	struct rec *r = *state;

	r->answer = ANSWER_ALLOW_SIMILAR;
	r->answer_now = 1;
	run(r, "echo 1 > one; echo 2 > two; echo 3 > three"); /* two is like one: same directory */
	assert_true(exists(r, "one") && exists(r, "two") && exists(r, "three"));
	assert_int_equal(r->grants, 1);
	assert_int_equal(r->held, 1);
}

/* A held call whose process is killed goes away, and is said to. */
static void test_gone_while_held(void **state)
{
	struct rec *r = *state;

	r->answer_now = 0;
	run(r, "sh -c 'echo x > victim' & p=$!; sleep 1; kill -9 $p; wait $p; sleep 1; echo done");
	assert_false(exists(r, "victim"));
	assert_int_equal(r->held, 1);
	assert_int_equal(r->gone, 1);
}

/* Nobody answers: after the timeout the session does, oldest first. */
static void test_timeout(void **state)
{
	struct rec *r = *state;
	uint64_t t0 = now_ns();

	r->answer_now = 0;
	r->timeout_ms = 300;
	run(r, "echo 1 > held-a; echo 2 > held-b; echo done");
	assert_true(exists(r, "held-a") && exists(r, "held-b"));
	assert_int_equal(r->held, 2);
	assert_string_equal(r->last_decision_by, "timeout");
	assert_true(now_ns() - t0 >= 600000000ull); /* each waited its 300 ms */
}

/* execvp tries each directory of $PATH: the misses change nothing and ask nothing. */
static void test_path_probes(void **state)
{
	struct rec *r = *state;
	char *script;

	r->answer = ANSWER_ALLOW;
	r->answer_now = 1;
	script = xasprintf("mkdir bin && ln -s /bin/true bin/truthy && "
			   "env PATH=/nonexistent-a:/nonexistent-b/x:%s/bin truthy && echo ran > ran", r->dir);
	run(r, script);
	free(script);
	assert_true(exists(r, "ran"));
	assert_int_equal(r->held, 1); /* the one that ran, not the two misses */
}

/* Tool calls are steps that end when their process does. */
static void test_steps(void **state)
{
	struct rec *r = *state;

	r->answer_now = 0;
	run(r, "mkdir -p ok; true; ls ok; echo x > ok/f");
	assert_true(r->steps_started >= 3); /* mkdir, true, ls; the agent's own write is an edit step */
	assert_int_equal(r->steps_started, r->steps_ended);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deny, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_similar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_while_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_probes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steps, setup, teardown),
	};

	return RUN_TESTS(tests);
}
