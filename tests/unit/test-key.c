/* test-key.c - key names and xterm key encoding (tui/key.c). */
#include "unit.h"

#include "../../tui/key.h"

/* Every name of key.c's table, with the code it stands for. */
static const struct {
	const char *name;
	uint32_t code;
} names[] = {
	{ "Up", KEYC_UP }, { "Down", KEYC_DOWN }, { "Left", KEYC_LEFT }, { "Right", KEYC_RIGHT },
	{ "Home", KEYC_HOME }, { "End", KEYC_END }, { "Insert", KEYC_INSERT }, { "IC", KEYC_INSERT },
	{ "Delete", KEYC_DELETE }, { "DC", KEYC_DELETE }, { "PageUp", KEYC_PAGEUP },
	{ "PgUp", KEYC_PAGEUP }, { "PPage", KEYC_PAGEUP }, { "PageDown", KEYC_PAGEDOWN },
	{ "PgDn", KEYC_PAGEDOWN }, { "NPage", KEYC_PAGEDOWN }, { "BTab", KEYC_BTAB },
	{ "Enter", KEYC_ENTER }, { "Tab", KEYC_TAB }, { "Escape", KEYC_ESCAPE },
	{ "BSpace", KEYC_BSPACE }, { "Space", ' ' },
};

static struct key parsed(const char *name)
{
	struct key k = { 0xdeadbeef, 0xdead };

	if (key_parse(name, &k) != 0)
		fail_msg("'%s' does not parse", name);
	return k;
}

static void assert_key(const char *name, uint32_t code, unsigned mods)
{
	struct key k = parsed(name);

	if (k.code != code || k.mods != mods)
		fail_msg("'%s' is code %#x mods %u, not %#x mods %u", name, k.code, k.mods, code, mods);
}

/* format(k) parses back to k. */
static void assert_round_trip(const struct key *k)
{
	char name[64];
	struct key back;

	key_format(k, name, sizeof(name));
	if (key_parse(name, &back) != 0)
		fail_msg("'%s' (code %#x mods %u) does not parse back", name, k->code, k->mods);
	if (!key_equal(&back, k))
		fail_msg("'%s' parses to code %#x mods %u, not %#x mods %u", name, back.code, back.mods, k->code,
			 k->mods);
}

static void assert_encode(uint32_t code, unsigned mods, int app_cursor, const char *want)
{
	struct key k = { code, mods };
	struct buf b = BUF_INIT;

	key_encode(&k, app_cursor, &b);
	if (b.len != strlen(want) || memcmp(b.data, want, b.len)) {
		char name[64];

		key_format(&k, name, sizeof(name));
		fail_msg("%s%s encodes as %zu bytes '%s'", name, app_cursor ? " (DECCKM)" : "", b.len,
			 b.data ? b.data + (b.data[0] == '\033') : "");
	}
	buf_release(&b);
}

static void test_names(void **state)
{
	static const char *const prefixes[] = { "", "C-", "M-", "S-", "C-M-", "M-S-", "C-M-S-", "S-C-" };
	static const unsigned prefix_mods[] = {
		0, KEYM_CTRL, KEYM_ALT, KEYM_SHIFT, KEYM_CTRL | KEYM_ALT, KEYM_ALT | KEYM_SHIFT,
		KEYM_CTRL | KEYM_ALT | KEYM_SHIFT, KEYM_SHIFT | KEYM_CTRL,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
			char name[64];
			struct key k;

			snprintf(name, sizeof(name), "%s%s", prefixes[p], names[i].name);
			assert_key(name, names[i].code, prefix_mods[p]);
			k = parsed(name);
			assert_round_trip(&k);
		}
	}
	/* names are not case-sensitive, modifiers neither */
	assert_key("pageup", KEYC_PAGEUP, 0);
	assert_key("ENTER", KEYC_ENTER, 0);
	assert_key("c-m-Up", KEYC_UP, KEYM_CTRL | KEYM_ALT);
	assert_key("s-tab", KEYC_TAB, KEYM_SHIFT);
}

static void test_function_keys(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 12; n++) {
		char name[16];
		struct key k;

		snprintf(name, sizeof(name), "F%u", n);
		assert_key(name, KEYC_F1 + n - 1, 0);
		snprintf(name, sizeof(name), "f%u", n);
		assert_key(name, KEYC_F1 + n - 1, 0);
		snprintf(name, sizeof(name), "S-F%u", n);
		k = parsed(name);
		assert_int_equal(k.code, KEYC_F1 + n - 1);
		assert_int_equal(k.mods, KEYM_SHIFT);
		assert_round_trip(&k);
	}
	assert_int_equal(KEYC_F12, KEYC_F1 + 11);
}

static void test_characters(void **state)
{
	(void)state;
	assert_key("q", 'q', 0);
	assert_key("Q", 'Q', 0);
	assert_key("?", '?', 0);
	assert_key("-", '-', 0);
	assert_key("^", '^', 0);
	assert_key("\xc3\xa9", 0xe9, 0);          /* é */
	assert_key("\xe4\xb8\x80", 0x4e00, 0);    /* a CJK character */
	assert_key("\xf0\x9f\x98\x80", 0x1f600, 0);
	assert_key("M-x", 'x', KEYM_ALT);
	assert_key("M-X", 'X', KEYM_ALT);
	assert_key("M--", '-', KEYM_ALT);
	assert_key("C--", '-', KEYM_CTRL);
	assert_key("M-\xc3\xa9", 0xe9, KEYM_ALT);

	/* control keys are the base character with KEYM_CTRL */
	assert_key("C-]", ']', KEYM_CTRL);
	assert_key("C-a", 'a', KEYM_CTRL);
	assert_key("C-A", 'a', KEYM_CTRL);
	assert_key("^A", 'a', KEYM_CTRL);
	assert_key("^]", ']', KEYM_CTRL);
	assert_key("C-M-a", 'a', KEYM_CTRL | KEYM_ALT);
	assert_key("M-C-A", 'a', KEYM_CTRL | KEYM_ALT);
	assert_key("C-Space", ' ', KEYM_CTRL);
	assert_key("C-@", ' ', KEYM_CTRL);
	/* the ones a terminal cannot tell from other keys */
	assert_key("C-i", KEYC_TAB, 0);
	assert_key("C-I", KEYC_TAB, 0);
	assert_key("C-m", KEYC_ENTER, 0);
	assert_key("C-[", KEYC_ESCAPE, 0);
	assert_key("C-?", KEYC_BSPACE, 0);
	assert_key("M-C-[", KEYC_ESCAPE, KEYM_ALT);
	{
		struct key a = parsed("C-a"), b = parsed("C-A");

		assert_true(key_equal(&a, &b));
	}
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "Foo", "UpArrow", "WheelUp", "Unknown", "F0", "F13", "F99", "F1x", "ab", "C-", "M-", "S-", "C-ab", "C-Foo", "X-a",
		"\t", "\x7f", "\x01", "C-\x01", "\xc3", "\xc3(", "\xe4\xb8", "\xff", "\x80", "a ", " a", "Up ",
		"^", /* is a key: checked below */
	};
	struct key k;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) - 1; i++)
		if (key_parse(bad[i], &k) == 0)
			fail_msg("'%s' (entry %zu) parses as code %#x mods %u", bad[i], i, k.code, k.mods);
	assert_int_equal(key_parse("^", &k), 0);
}

static void test_out_of_range_utf8(void **state)
{
	struct key k;

	(void)state;
	assert_int_not_equal(key_parse("\xf4\x90\x80\x80", &k), 0);
	assert_int_not_equal(key_parse("\xf7\xbf\xbf\xbf", &k), 0);
	assert_int_not_equal(key_parse("\xed\xa0\x80", &k), 0); /* a surrogate */
}

/* The key of every byte, and back to that byte. */
static void test_from_byte(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 0x80; b++) {
		struct key k = key_from_byte((unsigned char)b);
		struct buf out = BUF_INIT;

		switch (b) {
		case 0x00:
			assert_int_equal(k.code, ' ');
			assert_int_equal(k.mods, KEYM_CTRL);
			break;
		case 0x09:
			assert_int_equal(k.code, KEYC_TAB);
			assert_int_equal(k.mods, 0);
			break;
		case 0x0d:
			assert_int_equal(k.code, KEYC_ENTER);
			assert_int_equal(k.mods, 0);
			break;
		case 0x1b:
			assert_int_equal(k.code, KEYC_ESCAPE);
			assert_int_equal(k.mods, 0);
			break;
		case 0x7f:
			assert_int_equal(k.code, KEYC_BSPACE);
			assert_int_equal(k.mods, 0);
			break;
		default:
			if (b < 0x1b) {
				assert_int_equal(k.code, 'a' + b - 1);
				assert_int_equal(k.mods, KEYM_CTRL);
			} else if (b < 0x20) {
				assert_int_equal(k.code, "\\]^_"[b - 0x1c]);
				assert_int_equal(k.mods, KEYM_CTRL);
			} else {
				assert_int_equal(k.code, b);
				assert_int_equal(k.mods, 0);
			}
		}
		/* the name parses back to the same key */
		assert_round_trip(&k);
		/* and the key encodes as the byte */
		key_encode(&k, 0, &out);
		assert_int_equal(out.len, 1);
		assert_int_equal((unsigned char)out.data[0], b);
		buf_release(&out);
	}
	/* what the names of control bytes are */
	{
		struct key k = key_from_byte(0x1d);
		char name[32];

		key_format(&k, name, sizeof(name));
		assert_string_equal(name, "C-]");
		k = key_from_byte(' ');
		key_format(&k, name, sizeof(name));
		assert_string_equal(name, "Space");
		k = key_from_byte(0x01);
		key_format(&k, name, sizeof(name));
		assert_string_equal(name, "C-a");
	}
}

static void test_format(void **state)
{
	struct key k;
	char name[32];

	(void)state;
	k = (struct key){ KEYC_PAGEUP, KEYM_SHIFT };
	key_format(&k, name, sizeof(name));
	assert_string_equal(name, "S-PageUp");
	k = (struct key){ 'x', KEYM_CTRL | KEYM_ALT | KEYM_SHIFT };
	key_format(&k, name, sizeof(name));
	assert_string_equal(name, "C-M-S-x");
	k = (struct key){ KEYC_F1 + 4, 0 };
	key_format(&k, name, sizeof(name));
	assert_string_equal(name, "F5");
	k = (struct key){ 0x4e00, KEYM_ALT };
	key_format(&k, name, sizeof(name));
	assert_string_equal(name, "M-\xe4\xb8\x80");
	k = (struct key){ KEYC_UNKNOWN, 0 };
	key_format(&k, name, sizeof(name));
	assert_string_equal(name, "Unknown");
	/* a short buffer is cut, never overrun */
	k = (struct key){ KEYC_PAGEDOWN, KEYM_CTRL | KEYM_ALT | KEYM_SHIFT };
	key_format(&k, name, 5);
	assert_string_equal(name, "C-M-");
	/* every code point round-trips (a sample of them) */
	for (uint32_t cp = 0x21; cp < 0x30000; cp += cp < 0x800 ? 1 : 97) {
		if (cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff))
			continue;
		k = (struct key){ cp, KEYM_ALT };
		assert_round_trip(&k);
	}
}

static void test_encode_cursor(void **state)
{
	static const struct {
		uint32_t code;
		char letter;
	} cursor[] = {
		{ KEYC_UP, 'A' }, { KEYC_DOWN, 'B' }, { KEYC_RIGHT, 'C' }, { KEYC_LEFT, 'D' },
		{ KEYC_HOME, 'H' }, { KEYC_END, 'F' },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cursor) / sizeof(cursor[0]); i++) {
		char want[16];

		snprintf(want, sizeof(want), "\033[%c", cursor[i].letter);
		assert_encode(cursor[i].code, 0, 0, want);
		snprintf(want, sizeof(want), "\033O%c", cursor[i].letter);
		assert_encode(cursor[i].code, 0, 1, want);
		/* with modifiers always the CSI 1;m form, DECCKM or not */
		snprintf(want, sizeof(want), "\033[1;5%c", cursor[i].letter);
		assert_encode(cursor[i].code, KEYM_CTRL, 0, want);
		assert_encode(cursor[i].code, KEYM_CTRL, 1, want);
		snprintf(want, sizeof(want), "\033[1;2%c", cursor[i].letter);
		assert_encode(cursor[i].code, KEYM_SHIFT, 1, want);
		snprintf(want, sizeof(want), "\033[1;3%c", cursor[i].letter);
		assert_encode(cursor[i].code, KEYM_ALT, 0, want);
		snprintf(want, sizeof(want), "\033[1;8%c", cursor[i].letter);
		assert_encode(cursor[i].code, KEYM_SHIFT | KEYM_ALT | KEYM_CTRL, 0, want);
	}
	assert_encode(KEYC_UP, KEYM_CTRL | KEYM_SHIFT, 0, "\033[1;6A");
	assert_encode(KEYC_LEFT, KEYM_ALT | KEYM_CTRL, 0, "\033[1;7D");
}

static void test_encode_function(void **state)
{
	static const char *const plain[12] = {
		"\033OP", "\033OQ", "\033OR", "\033OS", "\033[15~", "\033[17~",
		"\033[18~", "\033[19~", "\033[20~", "\033[21~", "\033[23~", "\033[24~",
	};
	static const char *const shifted[12] = {
		"\033[1;2P", "\033[1;2Q", "\033[1;2R", "\033[1;2S", "\033[15;2~", "\033[17;2~",
		"\033[18;2~", "\033[19;2~", "\033[20;2~", "\033[21;2~", "\033[23;2~", "\033[24;2~",
	};

	(void)state;
	for (unsigned n = 0; n < 12; n++) {
		assert_encode(KEYC_F1 + n, 0, 0, plain[n]);
		assert_encode(KEYC_F1 + n, 0, 1, plain[n]);
		assert_encode(KEYC_F1 + n, KEYM_SHIFT, 0, shifted[n]);
	}
	assert_encode(KEYC_F1 + 4, KEYM_CTRL, 0, "\033[15;5~");
	assert_encode(KEYC_F1, KEYM_CTRL, 0, "\033[1;5P");
}

static void test_encode_editing(void **state)
{
	(void)state;
	assert_encode(KEYC_INSERT, 0, 0, "\033[2~");
	assert_encode(KEYC_DELETE, 0, 0, "\033[3~");
	assert_encode(KEYC_PAGEUP, 0, 0, "\033[5~");
	assert_encode(KEYC_PAGEDOWN, 0, 0, "\033[6~");
	assert_encode(KEYC_PAGEUP, 0, 1, "\033[5~");
	assert_encode(KEYC_PAGEUP, KEYM_SHIFT, 0, "\033[5;2~");
	assert_encode(KEYC_DELETE, KEYM_CTRL, 0, "\033[3;5~");
	assert_encode(KEYC_PAGEDOWN, KEYM_ALT, 0, "\033[6;3~");
	assert_encode(KEYC_BTAB, 0, 0, "\033[Z");
	assert_encode(KEYC_TAB, KEYM_SHIFT, 0, "\033[Z");
	assert_encode(KEYC_TAB, 0, 0, "\t");
	assert_encode(KEYC_ENTER, 0, 0, "\r");
	assert_encode(KEYC_ENTER, KEYM_ALT, 0, "\033\r");
	assert_encode(KEYC_ESCAPE, 0, 0, "\033");
	assert_encode(KEYC_ESCAPE, KEYM_ALT, 0, "\033\033");
	assert_encode(KEYC_BSPACE, 0, 0, "\x7f");
	assert_encode(KEYC_BSPACE, KEYM_CTRL, 0, "\b");
	assert_encode(KEYC_BSPACE, KEYM_ALT, 0, "\033\x7f");
	/* nothing for what has no bytes */
	assert_encode(KEYC_UNKNOWN, 0, 0, "");
}

static void test_encode_text(void **state)
{
	(void)state;
	for (char c = 'a'; c <= 'z'; c++) {
		char want[2] = { (char)(c - 'a' + 1), 0 };
		char alt[3] = { '\033', c, 0 };
		char calt[3] = { '\033', (char)(c - 'a' + 1), 0 };

		assert_encode((uint32_t)c, KEYM_CTRL, 0, want);
		assert_encode((uint32_t)(c - 'a' + 'A'), KEYM_CTRL, 0, want);
		assert_encode((uint32_t)c, KEYM_ALT, 0, alt);
		assert_encode((uint32_t)c, KEYM_ALT | KEYM_CTRL, 0, calt);
	}
	assert_encode('x', 0, 0, "x");
	assert_encode('x', KEYM_ALT, 0, "\033x");
	assert_encode(' ', 0, 0, " ");
	{
		struct key k = { ' ', KEYM_CTRL };
		struct buf b = BUF_INIT;

		key_encode(&k, 0, &b);
		assert_int_equal(b.len, 1);
		assert_int_equal(b.data[0], 0);
		buf_release(&b);
	}
	assert_encode(']', KEYM_CTRL, 0, "\x1d");
	assert_encode('[', KEYM_CTRL, 0, "\033");
	assert_encode('\\', KEYM_CTRL, 0, "\x1c");
	assert_encode('^', KEYM_CTRL, 0, "\x1e");
	assert_encode('_', KEYM_CTRL, 0, "\x1f");
	assert_encode('/', KEYM_CTRL, 0, "\x1f");
	assert_encode('3', KEYM_CTRL, 0, "\033");
	assert_encode('7', KEYM_CTRL, 0, "\x1f");
	assert_encode('8', KEYM_CTRL, 0, "\x7f");
	assert_encode(0xe9, 0, 0, "\xc3\xa9");
	assert_encode(0xe9, KEYM_ALT, 0, "\033\xc3\xa9");
	assert_encode(0x1f600, 0, 0, "\xf0\x9f\x98\x80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_function_keys),
		cmocka_unit_test(test_characters),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_out_of_range_utf8),
		cmocka_unit_test(test_from_byte),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_encode_cursor),
		cmocka_unit_test(test_encode_function),
		cmocka_unit_test(test_encode_editing),
		cmocka_unit_test(test_encode_text),
	};

	return RUN_TESTS(tests);
}
