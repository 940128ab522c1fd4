/*
 * test-model.c - the review model (tui/model.c) from events: steps named as a
 * person reads them, an edit named by its files, the agent's bookkeeping
 * folded, a step's programs as a tree, held calls in plain words, undo marks,
 * and hostile names escaped.
 */
#include "unit.h"

#include "../../supervisor/call.h"
#include "../../supervisor/event.h"
#include "../../tui/model.h"

#define WS "/work/proj"
#define HOME "/home/dev"

static uint64_t seq;

static void start(struct model *m)
{
	static char *const argv[] = { "codex", NULL };
	struct event ev = { .type = EV_SESSION_START, .seq = ++seq };

	model_init(m, HOME);
	ev.u.start.pid = 100;
	ev.u.start.argv = argv;
	ev.u.start.cwd = WS;
	model_event(m, &ev);
}

static void step_start(struct model *m, unsigned id, pid_t pid, const char *cmd)
{
	struct event ev = { .type = EV_STEP_START, .seq = ++seq, .step = id, .t_ns = id * 1000000000ull };

	ev.u.step.pid = pid;
	ev.u.step.cmd = cmd;
	model_event(m, &ev);
}

static void step_end(struct model *m, unsigned id, unsigned files)
{
	struct event ev = { .type = EV_STEP_END, .seq = ++seq, .step = id };

	ev.u.step_end.duration_ns = 1000;
	ev.u.step_end.known = 1;
	ev.u.step_end.files = files;
	model_event(m, &ev);
}

static void exec(struct model *m, unsigned id, pid_t pid, pid_t ppid, char **argv)
{
	struct call c = { .op = OP_EXEC, .pid = pid, .ppid = ppid, .argv = argv };
	struct event ev = { .type = EV_EXEC, .seq = ++seq, .step = id };

	while (argv[c.argc])
		c.argc++;
	c.path = argv[0];
	ev.u.call.call = &c;
	model_event(m, &ev);
}

static void file(struct model *m, unsigned id, enum call_op op, const char *path, int by_agent)
{
	struct call c = { .op = op, .pid = 100, .path = (char *)path };
	struct event ev = { .type = EV_FILE, .seq = ++seq, .step = id };

	ev.u.call.call = &c;
	ev.u.call.by_agent = by_agent;
	model_event(m, &ev);
}

static void test_command_meant(void **state)
{
	struct model m;
	char *bash[] = { "/bin/bash", "-lc", "cd app &&\n  npm test", NULL };
	char *npm[] = { "/usr/bin/npm", "test", NULL };
	char *node[] = { "node", "jest", NULL };
	const struct step_row *r;

	(void)state;
	start(&m);
	step_start(&m, 1, 200, "/bin/bash -lc cd app && npm test");
	exec(&m, 1, 200, 100, bash);
	exec(&m, 1, 201, 200, npm);
	exec(&m, 1, 202, 201, node);
	r = model_step(&m, 1);
	assert_non_null(r);
	/* the script, on one line; not the shell's path */
	assert_string_equal(r->summary, "cd app && \xe2\x8f\x8e npm test");
	/* its programs as a tree */
	assert_int_equal(r->nprocs, 3);
	assert_int_equal(r->procs[0].depth, 0);
	assert_int_equal(r->procs[1].depth, 1);
	assert_int_equal(r->procs[2].depth, 2);
	assert_string_equal(r->procs[1].cmd, "npm test");
	assert_int_equal(r->state, STEP_RUNNING);
	step_end(&m, 1, 2);
	assert_int_equal(model_step(&m, 1)->state, STEP_DONE);
	assert_int_equal(model_step(&m, 1)->changed, 2);
	model_release(&m);
}

static void test_edit_and_bookkeeping(void **state)
{
	struct model m;
	const struct step_row *r;

	(void)state;
	start(&m);
	/* the agent's own writes in its state folder: bookkeeping */
	step_start(&m, 1, 0, "edit " HOME "/.codex/sessions/x.jsonl");
	file(&m, 1, OP_CREATE, HOME "/.codex/sessions/x.jsonl", 1);
	file(&m, 1, OP_OPEN, HOME "/.codex/history.jsonl", 1);
	assert_true(model_step(&m, 1)->quiet);
	assert_int_equal(m.nquiet, 1);
	/* its edits in the workspace: work, named by the files, relative */
	step_start(&m, 2, 0, "edit " WS "/src/app.ts");
	file(&m, 2, OP_OPEN, WS "/src/app.ts", 1);
	file(&m, 2, OP_MKDIR, WS "/src/new", 1);
	file(&m, 2, OP_CREATE, WS "/src/new/b.ts", 1);
	r = model_step(&m, 2);
	assert_false(r->quiet);
	assert_string_equal(r->summary, "edit src/app.ts, src/new/b.ts");
	/* a burst that touches both is work too */
	step_start(&m, 3, 0, "edit");
	file(&m, 3, OP_OPEN, HOME "/.codex/history.jsonl", 1);
	file(&m, 3, OP_OPEN, WS "/README.md", 1);
	assert_false(model_step(&m, 3)->quiet);
	assert_string_equal(model_step(&m, 3)->summary, "edit README.md, ~/.codex/history.jsonl");
	assert_int_equal(m.nquiet, 1);
	model_release(&m);
}

static void test_held_plain_words(void **state)
{
	struct model m;
	char *push[] = { "/usr/bin/git", "push", "--force", "origin", "main", NULL };
	struct call c = { .op = OP_EXEC, .pid = 300, .argv = push, .argc = 5, .exe = "/usr/bin/bash", .path = "/usr/bin/git" };
	struct call w = { .op = OP_OPEN, .pid = 300, .path = HOME "/.bashrc", .exe = "/usr/bin/python3" };
	struct event ev = { .type = EV_HELD, .step = 14 };
	struct event d = { .type = EV_DECISION, .step = 14 };

	(void)state;
	start(&m);
	step_start(&m, 14, 300, "bash");
	ev.seq = ++seq;
	ev.u.held.call = 41;
	ev.u.held.n = 1;
	ev.u.held.rule = "policies/default.rules:67";
	ev.u.held.text = "ask exec program git arg push";
	ev.u.held.c = &c;
	model_event(&m, &ev);
	ev.seq = ++seq;
	ev.u.held.call = 42;
	ev.u.held.n = 2;
	ev.u.held.rule = "policies/default.rules:30";
	ev.u.held.text = NULL;
	ev.u.held.c = &w;
	model_event(&m, &ev);
	assert_int_equal(m.nheld, 2);
	assert_string_equal(m.held[0].what, "git push --force origin main");
	assert_string_equal(m.held[0].from, "bash");
	assert_string_equal(m.held[0].text, "ask exec program git arg push");
	assert_string_equal(m.held[1].what, "write ~/.bashrc");
	/* a default line: said so, not left blank */
	assert_non_null(strstr(m.held[1].text, "no rule matches"));
	assert_int_equal(model_step(&m, 14)->state, STEP_HELD);
	d.seq = ++seq;
	d.u.decision.call = 41;
	d.u.decision.verdict = VERDICT_ALLOW;
	model_event(&m, &d);
	assert_int_equal(m.nheld, 1);
	assert_int_equal(m.held[0].n, 2);
	assert_int_equal(model_step(&m, 14)->state, STEP_HELD); /* #2 still waits */
	d.seq = ++seq;
	d.u.decision.call = 42;
	d.u.decision.verdict = VERDICT_DENY;
	model_event(&m, &d);
	assert_int_equal(m.nheld, 0);
	assert_int_equal(model_step(&m, 14)->state, STEP_DENIED);
	/* a "git" of the agent's own making is named by its path */
	c.path = WS "/.bin/git";
	ev.seq = ++seq;
	ev.u.held.call = 43;
	ev.u.held.n = 3;
	ev.u.held.c = &c;
	model_event(&m, &ev);
	assert_string_equal(m.held[0].what, "git push --force origin main (program: .bin/git)");
	/* and so is a system program run under another name */
	c.path = "/usr/bin/rm";
	ev.seq = ++seq;
	ev.u.held.call = 44;
	ev.u.held.n = 4;
	model_event(&m, &ev);
	assert_string_equal(m.held[1].what, "git push --force origin main (program: /usr/bin/rm)");
	model_release(&m);
}

static void test_undo_marks(void **state)
{
	struct model m;
	struct event cp = { .type = EV_CHECKPOINT };

	(void)state;
	start(&m);
	for (unsigned i = 1; i <= 5; i++) {
		step_start(&m, i, (pid_t)(200 + i), "make");
		step_end(&m, i, 1);
	}
	cp.seq = ++seq;
	cp.u.checkpoint.kind = CP_STEP;
	cp.u.checkpoint.session = 3;
	cp.u.checkpoint.commit = "abc";
	model_event(&m, &cp);
	/* another session's step: not these */
	model_mark_undo(&m, "revert of 2:2");
	assert_int_equal(model_step(&m, 2)->undo, UNDO_NONE);
	/* a revert marks the step; a rollback (from another terminal: the restore checkpoint) the step and after */
	model_mark_undo(&m, "revert of 3:2");
	assert_int_equal(model_step(&m, 2)->undo, UNDO_REVERTED);
	cp.seq = ++seq;
	cp.u.checkpoint.kind = CP_RESTORE;
	cp.u.checkpoint.restored = "rollback to before 3:4";
	model_event(&m, &cp);
	assert_int_equal(model_step(&m, 3)->undo, UNDO_NONE);
	assert_int_equal(model_step(&m, 4)->undo, UNDO_ROLLED_BACK);
	assert_int_equal(model_step(&m, 5)->undo, UNDO_ROLLED_BACK);
	/* garbage labels change nothing */
	model_mark_undo(&m, "rollback to before 3:");
	model_mark_undo(&m, "rollback to before x");
	model_mark_undo(&m, "revert of 3:1junk");
	assert_int_equal(model_step(&m, 1)->undo, UNDO_NONE);
	model_release(&m);
}

static void test_hostile_names(void **state)
{
	struct model m;
	struct call c = { .op = OP_CREATE, .pid = 300, .path = WS "/evil\xe2\x80\xaetxt.sh", .exe = "/bin/sh" };
	struct event ev = { .type = EV_HELD, .step = 1 };

	(void)state;
	start(&m);
	step_start(&m, 1, 0, "edit");
	file(&m, 1, OP_CREATE, WS "/a\033[31mred", 1);
	assert_non_null(strstr(model_step(&m, 1)->summary, "a\\x1b[31mred"));
	assert_null(strchr(model_step(&m, 1)->summary, '\033'));
	ev.seq = ++seq;
	ev.u.held.call = 7;
	ev.u.held.n = 1;
	ev.u.held.rule = "x";
	ev.u.held.c = &c;
	model_event(&m, &ev);
	assert_string_equal(m.held[0].what, "create evil\\u202etxt.sh");
	model_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_meant),
		cmocka_unit_test(test_edit_and_bookkeeping),
		cmocka_unit_test(test_held_plain_words),
		cmocka_unit_test(test_undo_marks),
		cmocka_unit_test(test_hostile_names),
	};

	return RUN_TESTS(tests);
}
