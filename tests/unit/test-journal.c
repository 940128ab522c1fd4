/*
 * test-journal.c - a recording written (supervisor/journal.c) and read back
 * (supervisor/recording.c): the header, the chain, output coalesced and kept
 * byte for byte, events read back as events (event.c), and damage named by
 * its line: a flipped byte, a removed line, a cut, a header of another
 * format.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>
#include <unistd.h>

#include "../../supervisor/buf.h"
#include "../../supervisor/event.h"
#include "../../supervisor/journal.h"
#include "../../supervisor/loop.h"
#include "../../supervisor/recording.h"
#include "../../supervisor/util.h"

static char dir[] = "/tmp/belay-test-journal.XXXXXX";

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void emit(struct journal *j, struct event *ev, uint64_t *seq, uint64_t t_ms)
{
	ev->seq = ++*seq;
	ev->t_ns = t_ms * 1000000ull;
	journal_event(j, ev);
}

/* A small session: output in pieces (one not UTF-8, one character cut in two), a step, a held exec, a decision. */
static char *write_session(const char *name)
{
	struct loop *loop = loop_new();
	struct journal *j = journal_new(loop);
	char *path = path_of(name);
	char *const argv[] = { "agent", "--flag", NULL };
	char *const exec_argv[] = { "git", "push", "origin", NULL };
	struct journal_header h = { .argv = argv, .workspace = "/w", .rows = 24, .cols = 80, .session = 3,
				    .policy = "sha256:00" };
	struct buf err = BUF_INIT;
	struct call c = { 0 };
	struct event ev = { 0 };
	uint64_t seq = 0;

	unlink(path);
	assert_int_equal(journal_record(j, path, &h, &err), 0);
	/* a second recording to the same file is refused */
	{
		struct journal *j2 = journal_new(loop);

		assert_int_equal(journal_record(j2, path, &h, &err), -1);
		assert_non_null(strstr(err.data, "it exists"));
		journal_free(j2);
	}
	ev.type = EV_OUTPUT;
	ev.u.output.data = "hello ";
	ev.u.output.len = 6;
	emit(j, &ev, &seq, 1);
	ev.u.output.data = "w\xc3"; /* é cut in two */
	ev.u.output.len = 2;
	emit(j, &ev, &seq, 2);
	ev.u.output.data = "\xa9rld\r\n";
	ev.u.output.len = 6;
	emit(j, &ev, &seq, 3);
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_STEP_START;
	ev.step = 1;
	ev.u.step.cmd = "git push origin";
	emit(j, &ev, &seq, 10);
	c.op = OP_EXEC;
	c.pid = c.tid = 42;
	c.argv = (char **)exec_argv;
	c.argc = 3;
	c.path = "/usr/bin/git";
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_EXEC;
	ev.step = 1;
	ev.u.call.call = &c;
	emit(j, &ev, &seq, 11);
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_HELD;
	ev.step = 1;
	ev.u.held.call = seq;
	ev.u.held.n = 1;
	ev.u.held.rule = "default.rules:69";
	emit(j, &ev, &seq, 12);
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_DECISION;
	ev.step = 1;
	ev.u.decision.call = seq - 1;
	ev.u.decision.verdict = VERDICT_ALLOW;
	ev.u.decision.by = DECIDED_USER;
	ev.u.decision.how = "C-] a";
	ev.u.decision.held_ns = 1500000000ull;
	emit(j, &ev, &seq, 1512);
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_OUTPUT;
	ev.u.output.data = "\xff\xfe raw";
	ev.u.output.len = 6;
	emit(j, &ev, &seq, 1600);
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_SESSION_END;
	emit(j, &ev, &seq, 1700);
	journal_free(j);
	loop_free(loop);
	buf_release(&err);
	return path;
}

static void test_round_trip(void **state)
{
	char *path = write_session("a.belay");
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct recording *r = recording_open(path, &err);
	struct rec_line l;
	unsigned rows, cols, outputs = 0;
	int rc, saw_held = 0, saw_decision = 0;

	(void)state;
	assert_non_null(r);
	recording_size(r, &rows, &cols);
	assert_int_equal(rows, 24);
	assert_int_equal(cols, 80);
	assert_int_equal(json_integer_value(json_object_get(recording_header(r), "session")), 3);
	while ((rc = recording_next(r, &l)) > 0) {
		if (!strcmp(l.type, "output")) {
			outputs++;
			assert_int_equal(recording_output(l.obj, &out), 0);
		}
		if (!strcmp(l.type, "held")) {
			saw_held = 1;
			assert_int_equal(l.t_ns, 12000000ull);
		}
		if (!strcmp(l.type, "decision")) {
			struct event ev;
			struct event_read keep = { 0 };

			saw_decision = 1;
			assert_int_equal(event_from_json(l.obj, NULL, &ev, &keep), 0);
			assert_int_equal(ev.type, EV_DECISION);
			assert_int_equal(ev.u.decision.by, DECIDED_USER);
			assert_string_equal(ev.u.decision.how, "C-] a");
			assert_int_equal(ev.u.decision.held_ns, 1500000000ull);
			event_read_release(&keep);
		}
		if (!strcmp(l.type, "exec")) {
			struct event ev;
			struct event_read keep = { 0 };

			assert_int_equal(event_from_json(l.obj, NULL, &ev, &keep), 0);
			assert_int_equal(ev.u.call.call->argc, 3);
			assert_string_equal(ev.u.call.call->argv[1], "push");
			event_read_release(&keep);
		}
	}
	assert_int_equal(rc, 0);
	assert_true(recording_ended(r));
	assert_null(recording_damage(r));
	assert_string_equal(recording_warnings(r), "");
	/* the first three pieces are one line; every byte kept, the cut character whole */
	assert_int_equal(outputs, 2);
	assert_int_equal(out.len, 14 + 6);
	assert_memory_equal(out.data, "hello w\xc3\xa9rld\r\n\xff\xfe raw", out.len);
	assert_true(saw_held && saw_decision);
	recording_free(r);
	buf_release(&err);
	buf_release(&out);
	free(path);
}

static size_t read_file(const char *path, char **data)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	*data = xmalloc(1 << 20);
	n = fread(*data, 1, 1 << 20, f);
	fclose(f);
	return n;
}

/* The damage reading data says, or NULL when it reads to the end. */
static char *damage_of(const char *data, size_t len)
{
	struct buf err = BUF_INIT;
	struct recording *r = recording_open_mem(data, len, &err);
	struct rec_line l;
	char *d;

	if (!r) {
		d = xstrdup(err.data);
		buf_release(&err);
		return d;
	}
	while (recording_next(r, &l) > 0)
		;
	d = recording_damage(r) ? xstrdup(recording_damage(r)) : NULL;
	recording_free(r);
	buf_release(&err);
	return d;
}

/* The offset of line no (1-based) in data. */
static size_t line_at(const char *data, size_t len, unsigned no)
{
	size_t off = 0;

	for (unsigned i = 1; i < no; i++) {
		const char *nl = memchr(data + off, '\n', len - off);

		assert_non_null(nl);
		off = (size_t)(nl - data) + 1;
	}
	return off;
}

static void test_damage(void **state)
{
	char *path = write_session("b.belay"), *data, *d;
	size_t len = read_file(path, &data), at;

	(void)state;
	d = damage_of(data, len);
	assert_null(d);
	/* a byte flipped in line 4: line 4 is named */
	at = line_at(data, len, 4);
	data[at + 3] ^= 1;
	d = damage_of(data, len);
	assert_non_null(d);
	assert_non_null(strstr(d, "line 4 does not follow"));
	free(d);
	data[at + 3] ^= 1;
	/* line 4 removed: line 4 (the old 5th) does not follow */
	{
		size_t end = line_at(data, len, 5);
		char *cut = xmalloc(len);

		memcpy(cut, data, at);
		memcpy(cut + at, data + end, len - end);
		d = damage_of(cut, len - (end - at));
		assert_non_null(strstr(d, "line 4 does not follow"));
		free(d);
		free(cut);
	}
	/* cut off in the middle of the last line */
	d = damage_of(data, len - 5);
	assert_non_null(strstr(d, "is cut off"));
	free(d);
	/* the header changed */
	data[5] ^= 1;
	d = damage_of(data, len);
	assert_non_null(d);
	free(d);
	data[5] ^= 1;
	/* not a recording, empty, another format */
	d = damage_of("hello\n", 6);
	assert_non_null(strstr(d, "not a belay recording"));
	free(d);
	d = damage_of("", 0);
	assert_non_null(strstr(d, "empty"));
	free(d);
	d = damage_of("{\"belay-recording\":2}\n", 22);
	assert_non_null(strstr(d, "format"));
	free(d);
	free(data);
	free(path);
}

static void test_prune(void **state)
{
	char *sub = path_of("prune"), *keep = path_of("prune/keep.belay");

	(void)state;
	assert_int_equal(mkdir(sub, 0700), 0);
	for (int i = 0; i < 4; i++) {
		char *p = xasprintf("%s/old%d.belay", sub, i);
		FILE *f = fopen(p, "w");
		struct timespec ts[2] = { { 1000 + i, 0 }, { 1000 + i, 0 } };

		for (int k = 0; k < 1000; k++)
			fputs("0123456789", f);
		fclose(f);
		utimensat(AT_FDCWD, p, ts, 0);
		free(p);
	}
	{
		FILE *f = fopen(keep, "w");

		for (int k = 0; k < 5000; k++)
			fputs("0123456789", f);
		fclose(f);
	}
	/* 4 x 10 KB + 50 KB, budget 70 KB: the two oldest go, never the one kept */
	assert_int_equal(journal_prune(sub, 70 * 1000, keep), 2);
	assert_int_equal(access(keep, F_OK), 0);
	{
		char *p0 = path_of("prune/old0.belay"), *p3 = path_of("prune/old3.belay");

		assert_int_not_equal(access(p0, F_OK), 0);
		assert_int_equal(access(p3, F_OK), 0);
		free(p0);
		free(p3);
	}
	free(keep);
	free(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_prune),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = RUN_TESTS(tests);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			rc = rc ? rc : 1;
		free(cmd);
	}
	return rc;
}
