/* test-buf.c - the growable byte buffer (supervisor/buf.c). */
#include "unit.h"

#include "../../supervisor/buf.h"

/* The invariant every test checks: data[len] is '\0' and len fits in cap. */
static void check_terminated(const struct buf *b)
{
	assert_non_null(b->data);
	assert_int_equal(b->data[b->len], '\0');
	if (b->cap)
		assert_true(b->len < b->cap);
}

static void test_init_is_empty_string(void **state)
{
	struct buf a = BUF_INIT, b;

	(void)state;
	buf_init(&b);
	/* both initialisers give a usable C string before anything is added */
	check_terminated(&a);
	check_terminated(&b);
	assert_string_equal(a.data, "");
	assert_string_equal(b.data, "");
	assert_int_equal(a.len, 0);
	buf_reset(&a);
	buf_consume(&a, 10);
	check_terminated(&a);
	buf_release(&a);
	buf_release(&b);
}

static void test_add(void **state)
{
	struct buf b = BUF_INIT;
	char big[1000];

	(void)state;
	buf_add(&b, "ab", 2);
	buf_addch(&b, 'c');
	buf_addstr(&b, "def");
	buf_add(&b, "\0g", 2);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "abcdef\0g", 8);
	check_terminated(&b);

	/* far past the first allocation, in one piece */
	memset(big, 'x', sizeof(big));
	buf_add(&b, big, sizeof(big));
	assert_int_equal(b.len, 1008);
	assert_memory_equal(b.data, "abcdef\0g", 8);
	assert_memory_equal(b.data + 8, big, sizeof(big));
	check_terminated(&b);
	buf_release(&b);
	assert_int_equal(b.len, 0);
	check_terminated(&b);
}

static void test_addf(void **state)
{
	struct buf b = BUF_INIT;
	char *want;

	(void)state;
	buf_addf(&b, "%s:%d", "x", 42);
	assert_string_equal(b.data, "x:42");
	assert_int_equal(b.len, 4);

	/* longer than the 64 bytes addf reserves first, and than the capacity */
	buf_addf(&b, "-%0300d-%s", 7, "end");
	assert_int_equal(b.len, 4 + 1 + 300 + 1 + 3);
	want = xasprintf("x:42-%0300d-end", 7);
	assert_string_equal(b.data, want);
	free(want);
	check_terminated(&b);

	/* every length around the capacity boundaries, after prefixes of many lengths */
	for (size_t pre = 0; pre < 200; pre += 7) {
		for (size_t n = 0; n < 300; n++) {
			char s[300];

			buf_release(&b);
			for (size_t i = 0; i < pre; i++)
				buf_addch(&b, 'p');
			for (size_t i = 0; i < n; i++)
				s[i] = (char)('a' + i % 26);
			buf_addf(&b, "%.*s", (int)n, s);
			assert_int_equal(b.len, pre + n);
			assert_int_equal(strlen(b.data), pre + n);
			assert_memory_equal(b.data + pre, s, n);
			check_terminated(&b);
		}
	}
	buf_release(&b);
}

static void test_add_utf8(void **state)
{
	static const struct {
		unsigned cp;
		const char *s;
	} cases[] = {
		{ 0x24, "$" },
		{ 0x7f, "\x7f" },
		{ 0x80, "\xc2\x80" },
		{ 0xa3, "\xc2\xa3" },
		{ 0x7ff, "\xdf\xbf" },
		{ 0x800, "\xe0\xa0\x80" },
		{ 0x20ac, "\xe2\x82\xac" },
		{ 0xd7ff, "\xed\x9f\xbf" },
		{ 0xe000, "\xee\x80\x80" },
		{ 0xffff, "\xef\xbf\xbf" },
		{ 0x10000, "\xf0\x90\x80\x80" },
		{ 0x1f600, "\xf0\x9f\x98\x80" },
		{ 0x10ffff, "\xf4\x8f\xbf\xbf" },
		/* surrogates and values past Unicode become U+FFFD */
		{ 0xd800, "\xef\xbf\xbd" },
		{ 0xdbff, "\xef\xbf\xbd" },
		{ 0xdc00, "\xef\xbf\xbd" },
		{ 0xdfff, "\xef\xbf\xbd" },
		{ 0x110000, "\xef\xbf\xbd" },
		{ 0xffffffff, "\xef\xbf\xbd" },
	};
	struct buf b = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		buf_reset(&b);
		buf_add_utf8(&b, cases[i].cp);
		assert_int_equal(b.len, strlen(cases[i].s));
		assert_memory_equal(b.data, cases[i].s, b.len);
		check_terminated(&b);
	}
	/* NUL is a code point like any other */
	buf_reset(&b);
	buf_add_utf8(&b, 0);
	assert_int_equal(b.len, 1);
	assert_int_equal(b.data[0], '\0');
	buf_release(&b);
}

static void test_consume(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_addstr(&b, "hello, world");
	buf_consume(&b, 0);
	assert_string_equal(b.data, "hello, world");
	buf_consume(&b, 7);
	assert_string_equal(b.data, "world");
	assert_int_equal(b.len, 5);
	buf_addstr(&b, "!");
	assert_string_equal(b.data, "world!");
	buf_consume(&b, 6);
	assert_int_equal(b.len, 0);
	check_terminated(&b);
	buf_addstr(&b, "abc");
	buf_consume(&b, 1000);
	assert_int_equal(b.len, 0);
	check_terminated(&b);
	buf_release(&b);
}

static void test_detach(void **state)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *p;

	(void)state;
	buf_addstr(&b, "kept");
	p = buf_detach(&b, &len);
	assert_int_equal(len, 4);
	assert_string_equal(p, "kept");
	assert_int_equal(b.len, 0);
	check_terminated(&b);
	/* the buffer is reusable and does not share the detached bytes */
	buf_addstr(&b, "new");
	assert_string_equal(p, "kept");
	free(p);

	/* detaching an empty buffer still gives the caller memory to free */
	buf_release(&b);
	p = buf_detach(&b, NULL);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
	check_terminated(&b);
	buf_release(&b);
}

/*
 * Releasing a buffer nothing was added to frees nothing (ASan would report a
 * bad free of the shared empty string).
 */
static void test_release_unused(void **state)
{
	struct buf a = BUF_INIT, b;

	(void)state;
	buf_init(&b);
	buf_release(&a);
	buf_release(&b);
	buf_release(&b);
	buf_reset(&b);
	buf_grow(&b, 0);
	assert_true(b.cap > 0);
	buf_release(&b);
	assert_int_equal(b.cap, 0);
	check_terminated(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty_string),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_add_utf8),
		cmocka_unit_test(test_consume),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_release_unused),
	};

	return RUN_TESTS(tests);
}
