/*
 * test-event.c - event names and their JSON form (supervisor/event.c),
 * read back with jansson as a consumer of --events would.
 */
#include "unit.h"

#include <fcntl.h>
#include <jansson.h>
#include <math.h>

#include "../../supervisor/event.h"

/* Serialise ev and parse it back; the line must be one JSON object. */
static json_t *round_trip(const struct event *ev)
{
	struct buf out = BUF_INIT;
	json_error_t err;
	json_t *j;

	event_to_json(ev, &out);
	assert_int_equal(strlen(out.data), out.len);
	assert_null(memchr(out.data, '\n', out.len));
	j = json_loads(out.data, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
	if (!j)
		fail_msg("not JSON (%s): %s", err.text, out.data);
	assert_true(json_is_object(j));
	buf_release(&out);
	return j;
}

static json_int_t get_int(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	if (!json_is_integer(v))
		fail_msg("'%s' is missing or not an integer", key);
	return json_integer_value(v);
}

static const char *get_str(json_t *j, const char *key, size_t *len)
{
	json_t *v = json_object_get(j, key);

	if (!json_is_string(v))
		fail_msg("'%s' is missing or not a string", key);
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

/* The fields every event has. */
static void check_common(json_t *j, json_int_t seq, double t, const char *type, json_int_t step)
{
	json_t *tv = json_object_get(j, "t");

	assert_int_equal(get_int(j, "seq"), seq);
	assert_true(json_is_number(tv));
	if (fabs(json_number_value(tv) - t) > 1e-9)
		fail_msg("t is %.9f, not %.9f", json_number_value(tv), t);
	assert_string_equal(get_str(j, "type", NULL), type);
	assert_int_equal(get_int(j, "step"), step);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(event_type_name(EV_SESSION_START), "session-start");
	assert_string_equal(event_type_name(EV_OUTPUT), "output");
	assert_string_equal(event_type_name(EV_RESIZE), "resize");
	assert_string_equal(event_type_name(EV_EXIT), "exit");
	assert_string_equal(event_type_name(EV_SESSION_END), "session-end");
}

/* Closed sets: every value has its own name, which is what the events say. */
static void test_closed_set_names(void **state)
{
	(void)state;
	for (int i = 0; i < DECIDED__COUNT; i++)
		for (int k = 0; k < i; k++)
			assert_string_not_equal(decider_name((enum decider)i), decider_name((enum decider)k));
	for (int i = 0; i < CP__COUNT; i++)
		for (int k = 0; k < i; k++)
			assert_string_not_equal(checkpoint_kind_name((enum checkpoint_kind)i),
						checkpoint_kind_name((enum checkpoint_kind)k));
	assert_string_equal(decider_name(DECIDED_AGENT_START), "agent-start");
	assert_string_equal(checkpoint_kind_name(CP_WRITE_AHEAD), "write-ahead");
	{
		struct event ev = { .type = EV_DECISION, .seq = 1 };
		struct buf b = BUF_INIT;
		json_t *j;

		ev.u.decision.verdict = VERDICT_DENY;
		ev.u.decision.by = DECIDED_SESSION_END;
		event_to_json(&ev, &b);
		j = json_loads(b.data, 0, NULL);
		assert_non_null(j);
		assert_string_equal(get_str(j, "verdict", NULL), "deny");
		assert_string_equal(get_str(j, "by", NULL), "session-end");
		json_decref(j);
		buf_release(&b);
	}
}

static void test_session_start(void **state)
{
	char *argv[] = { "agent", "--flag", "two words", "caf\xc3\xa9", "bad\xff", NULL };
	struct event ev = { .type = EV_SESSION_START, .seq = 1, .t_ns = 1500000000 };
	json_t *j, *a;

	(void)state;
	ev.u.start.pid = 4321;
	ev.u.start.argv = argv;
	ev.u.start.cwd = "/work/tree";
	ev.u.start.rows = 50;
	ev.u.start.cols = 132;
	j = round_trip(&ev);
	check_common(j, 1, 1.5, "session-start", 0);
	assert_int_equal(get_int(j, "pid"), 4321);
	assert_string_equal(get_str(j, "cwd", NULL), "/work/tree");
	assert_int_equal(get_int(j, "rows"), 50);
	assert_int_equal(get_int(j, "cols"), 132);
	a = json_object_get(j, "argv");
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 5);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "agent");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "two words");
	assert_string_equal(json_string_value(json_array_get(a, 3)), "caf\xc3\xa9");
	assert_string_equal(json_string_value(json_array_get(a, 4)), "bad\xef\xbf\xbd");
	assert_int_equal(json_object_size(j), 9);
	json_decref(j);

	/* no cwd: the field is left out, the rest stays */
	ev.u.start.cwd = NULL;
	ev.step = 2;
	j = round_trip(&ev);
	check_common(j, 1, 1.5, "session-start", 2);
	assert_null(json_object_get(j, "cwd"));
	assert_int_equal(json_object_size(j), 8);
	json_decref(j);
}

static void test_output(void **state)
{
	static const char data[] = "hello\r\n\x1b[1mbold\x1b[m \xe2\x82\xac";
	struct event ev = { .type = EV_OUTPUT, .seq = 1ull << 40, .t_ns = 1234567891, .step = 7 };
	size_t len;
	json_t *j;

	(void)state;
	ev.u.output.data = data;
	ev.u.output.len = sizeof(data) - 1;
	j = round_trip(&ev);
	/* t is in seconds, to the microsecond */
	check_common(j, (json_int_t)1 << 40, 1.234567, "output", 7);
	assert_int_equal(get_int(j, "len"), sizeof(data) - 1);
	assert_string_equal(get_str(j, "data", &len), data);
	assert_int_equal(len, sizeof(data) - 1);
	assert_int_equal(json_object_size(j), 6);
	json_decref(j);
}

/* NUL bytes are output like any other byte: \u0000, and the length holds. */
static void test_output_nul(void **state)
{
	struct event ev = { .type = EV_OUTPUT, .seq = 2 };
	struct buf out = BUF_INIT;
	const char *s;
	size_t len;
	json_t *j;

	(void)state;
	ev.u.output.data = "a\0b\0";
	ev.u.output.len = 4;
	event_to_json(&ev, &out);
	assert_non_null(strstr(out.data, "\"a\\u0000b\\u0000\""));
	buf_release(&out);
	j = round_trip(&ev);
	assert_int_equal(get_int(j, "len"), 4);
	s = get_str(j, "data", &len);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "a\0b\0", 4);
	json_decref(j);
}

static void expect_data(const char *in, size_t inlen, const char *want)
{
	struct event ev = { .type = EV_OUTPUT, .seq = 3 };
	/* exactly inlen bytes, no NUL after them: ASan sees any over-read */
	char *copy = xmalloc(inlen);
	const char *s;
	size_t len;
	json_t *j;

	memcpy(copy, in, inlen);
	ev.u.output.data = copy;
	ev.u.output.len = inlen;
	j = round_trip(&ev);
	assert_int_equal(get_int(j, "len"), inlen);
	s = get_str(j, "data", &len);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(s, want, len);
	json_decref(j);
	free(copy);
}

#define FFFD "\xef\xbf\xbd"
#define EXPECT(in, want) expect_data(in, sizeof(in) - 1, want)

/* Each byte that is not part of valid UTF-8 becomes one U+FFFD. */
static void test_output_invalid_utf8(void **state)
{
	(void)state;
	EXPECT("\xff", FFFD);
	EXPECT("a\x80z", "a" FFFD "z");
	EXPECT("\xc3", FFFD);                          /* truncated at the end */
	EXPECT("\xe2\x82", FFFD FFFD);
	EXPECT("\xf0\x9f\x98", FFFD FFFD FFFD);
	EXPECT("\xc3(", FFFD "(");                     /* bad continuation */
	EXPECT("\xc0\xaf", FFFD FFFD);                 /* overlong '/' */
	EXPECT("\xe0\x80\xaf", FFFD FFFD FFFD);
	EXPECT("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
	EXPECT("\xed\xa0\x80", FFFD FFFD FFFD);        /* surrogate D800 */
	EXPECT("\xed\xbf\xbf", FFFD FFFD FFFD);        /* surrogate DFFF */
	EXPECT("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* 0x110000 */
	EXPECT("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
	EXPECT("\xfe\xff", FFFD FFFD);
	/* the valid neighbours are kept */
	EXPECT("\xed\x9f\xbf\xee\x80\x80", "\xed\x9f\xbf\xee\x80\x80");
	EXPECT("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
	EXPECT("\xc2\x80\xdf\xbf\xe0\xa0\x80", "\xc2\x80\xdf\xbf\xe0\xa0\x80");
	EXPECT("ok\xe2\x82\xac\xff\xe2\x82\xac", "ok\xe2\x82\xac" FFFD "\xe2\x82\xac");
	EXPECT("\xe2\x82\xac\xe2\x82", "\xe2\x82\xac" FFFD FFFD);
}

/* Random bytes always give valid JSON; random valid UTF-8 comes back as is. */
static void test_output_random(void **state)
{
	struct event ev = { .type = EV_OUTPUT, .seq = 4 };
	unsigned seed = 12345;
	char raw[64];

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof(raw));
		json_t *j;

		for (size_t i = 0; i < n; i++)
			raw[i] = (char)(round % 2 ? rand_r(&seed) : 0x80 | rand_r(&seed));
		ev.u.output.data = raw;
		ev.u.output.len = n;
		j = round_trip(&ev);
		assert_int_equal(get_int(j, "len"), n);
		json_decref(j);
	}
	for (int round = 0; round < 500; round++) {
		struct buf text = BUF_INIT;
		size_t len;
		json_t *j;

		for (int i = rand_r(&seed) % 20; i > 0; i--) {
			unsigned cp = (unsigned)rand_r(&seed) % 0x110000;

			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0x41;
			buf_add_utf8(&text, cp);
		}
		ev.u.output.data = text.data;
		ev.u.output.len = text.len;
		j = round_trip(&ev);
		assert_memory_equal(get_str(j, "data", &len), text.data, text.len);
		assert_int_equal(len, text.len);
		json_decref(j);
		buf_release(&text);
	}
}

static void test_resize(void **state)
{
	struct event ev = { .type = EV_RESIZE, .seq = 9, .t_ns = 999 };
	json_t *j;

	(void)state;
	ev.u.resize.rows = 10;
	ev.u.resize.cols = 300;
	j = round_trip(&ev);
	check_common(j, 9, 0.0, "resize", 0);
	assert_int_equal(get_int(j, "rows"), 10);
	assert_int_equal(get_int(j, "cols"), 300);
	assert_int_equal(json_object_size(j), 6);
	json_decref(j);
}

/* File events: the paths, and flags as names. */
static void test_file(void **state)
{
	struct call c = { .op = OP_RENAME, .pid = 7, .path = "/w/a", .path2 = "/w/b", .flags = 1 | 2 };
	struct event ev = { .type = EV_FILE, .seq = 3, .t_ns = 0, .step = 2 };
	json_t *j, *fl;

	(void)state;
	ev.u.call.call = &c;
	j = round_trip(&ev);
	check_common(j, 3, 0.0, "file", 2);
	assert_string_equal(get_str(j, "op", NULL), "rename");
	assert_string_equal(get_str(j, "path", NULL), "/w/a");
	assert_string_equal(get_str(j, "to", NULL), "/w/b");
	fl = json_object_get(j, "flags");
	assert_true(json_is_array(fl) && json_array_size(fl) == 2);
	assert_string_equal(json_string_value(json_array_get(fl, 0)), "noreplace");
	assert_string_equal(json_string_value(json_array_get(fl, 1)), "exchange");
	json_decref(j);
	c.op = OP_CREATE, c.path2 = NULL, c.flags = O_WRONLY | O_CREAT | O_EXCL, c.mode = 0644;
	j = round_trip(&ev);
	fl = json_object_get(j, "flags");
	assert_true(json_is_array(fl) && json_array_size(fl) == 3);
	assert_string_equal(json_string_value(json_array_get(fl, 2)), "excl");
	assert_string_equal(get_str(j, "mode", NULL), "0644");
	assert_null(json_object_get(j, "to"));
	json_decref(j);
}

static void test_exit(void **state)
{
	struct event ev = { .type = EV_EXIT, .seq = 10, .t_ns = 2000000000 };
	json_t *j;

	(void)state;
	ev.u.exit.pid = 77;
	ev.u.exit.code = 3;
	ev.u.exit.signal = 0;
	ev.u.exit.status = 3;
	j = round_trip(&ev);
	check_common(j, 10, 2.0, "exit", 0);
	assert_int_equal(get_int(j, "pid"), 77);
	assert_int_equal(get_int(j, "code"), 3);
	assert_null(json_object_get(j, "signal"));
	assert_int_equal(get_int(j, "status"), 3);
	json_decref(j);

	/* killed: the signal instead of a code */
	ev.u.exit.code = -1;
	ev.u.exit.signal = 15;
	ev.u.exit.status = 143;
	j = round_trip(&ev);
	assert_int_equal(get_int(j, "signal"), 15);
	assert_null(json_object_get(j, "code"));
	assert_int_equal(get_int(j, "status"), 143);
	assert_int_equal(json_object_size(j), 7);
	json_decref(j);
}

static void test_session_end(void **state)
{
	struct event ev = { .type = EV_SESSION_END, .seq = 11, .t_ns = 3000001000 };
	json_t *j;

	(void)state;
	ev.u.end.status = 127;
	j = round_trip(&ev);
	check_common(j, 11, 3.000001, "session-end", 0);
	assert_int_equal(get_int(j, "status"), 127);
	assert_int_equal(json_object_size(j), 5);
	json_decref(j);
}

/* event_to_json() appends; what was in the buffer stays. */
static void test_appends(void **state)
{
	struct event ev = { .type = EV_SESSION_END, .seq = 1 };
	struct buf out = BUF_INIT;

	(void)state;
	buf_addstr(&out, "prefix ");
	event_to_json(&ev, &out);
	assert_int_equal(strncmp(out.data, "prefix {", 8), 0);
	assert_int_equal(out.data[out.len - 1], '}');
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_closed_set_names),
		cmocka_unit_test(test_session_start),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_output_nul),
		cmocka_unit_test(test_output_invalid_utf8),
		cmocka_unit_test(test_output_random),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_session_end),
		cmocka_unit_test(test_appends),
	};

	return RUN_TESTS(tests);
}
