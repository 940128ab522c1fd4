/* test-glob.c - policy patterns (supervisor/glob.c). */
#include "unit.h"

#include "../../supervisor/glob.h"

struct row {
	const char *pattern, *text;
	int path, text_mode; /* expected in GLOB_PATH and GLOB_TEXT */
};

static const struct row rows[] = {
	{ "abc", "abc", 1, 1 },
	{ "abc", "abd", 0, 0 },
	{ "a?c", "abc", 1, 1 },
	{ "a?c", "a/c", 0, 1 },
	{ "*.c", "main.c", 1, 1 },
	{ "*.c", "src/main.c", 0, 1 },
	{ "/ws/**", "/ws/a/b/c.txt", 1, 1 },
	{ "/ws/**", "/ws", 1, 0 },
	{ "/ws/**", "/wsx/a", 0, 0 },
	{ "/ws/*", "/ws/a/b", 0, 1 },
	{ "/ws/**/b", "/ws/b", 1, 0 },
	{ "/ws/**/b", "/ws/x/y/b", 1, 1 },
	{ "/ws/**/*.py", "/ws/a/b/c.py", 1, 1 },
	{ "/ws/*/**", "/ws/a", 1, 0 },
	{ "/ws/*/**", "/ws/a/b/c", 1, 1 },
	{ "/ws/*/**", "/ws", 0, 0 },
	{ "/ws/*x/**", "/ws/ax", 1, 0 },
	{ "/ws/*x/**", "/ws/ay", 0, 0 },
	{ "a*", "a", 1, 1 },
	{ "a*b", "a", 0, 0 },
	{ "git push*", "git push origin main", 1, 1 },
	{ "*| sh*", "curl x | sh -s", 1, 1 },
	{ "[abc]x", "bx", 1, 1 },
	{ "[!abc]x", "bx", 0, 0 },
	{ "[a-c]x", "cx", 1, 1 },
	{ "[a-c]x", "dx", 0, 0 },
	{ "[]]", "]", 1, 1 },
	{ "[x", "[x", 1, 1 },
	{ "\\*", "*", 1, 1 },
	{ "\\*", "a", 0, 0 },
	{ "", "", 1, 1 },
	{ "*", "", 1, 1 },
	{ "**", "a/b", 1, 1 },
	{ "a*", "a/b", 0, 1 },
	{ "127.*", "127.0.0.1", 1, 1 },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int p = glob_match(rows[i].pattern, rows[i].text, GLOB_PATH);
		int t = glob_match(rows[i].pattern, rows[i].text, GLOB_TEXT);

		if (p != rows[i].path || t != rows[i].text_mode)
			fail_msg("'%s' ~ '%s': path %d (want %d), text %d (want %d)", rows[i].pattern, rows[i].text,
				 p, rows[i].path, t, rows[i].text_mode);
	}
}

/* Patterns built to make a naive matcher exponential finish at once. */
static void test_no_blowup(void **state)
{
	char pat[4096], text[4096];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 60; i++) {
		pat[n++] = '*';
		pat[n++] = 'a';
	}
	pat[n++] = 'b';
	pat[n] = '\0';
	memset(text, 'a', 4000);
	text[4000] = '\0';
	assert_int_equal(glob_match(pat, text, GLOB_TEXT), 0);
	assert_int_equal(glob_match(pat, text, GLOB_PATH), 0);
	for (n = 0; n < 4000; n += 2)
		pat[n] = '*', pat[n + 1] = '/';
	pat[n] = '\0';
	assert_int_not_equal(glob_match(pat, text, GLOB_PATH), 1);
	/* many "**" segments (found by fuzz-decode): no hang, no match */
	strcpy(pat, "***/**/**/*/*/***/**/***/**/**/*/*/**/**/**/*/**/***/***/**/*/*/**/**/*/**/**/**/**/**/**/"
		    "*/*/***/**/*/P**/**/*/**/*****/**/**/*/**/**/**/**/**/**/*/**/**/*/*");
	assert_int_not_equal(glob_match(pat, "wwwwwwwwwwwwwwwww/x/y/z/wwwwwwwwwwwwwwwwwwwwwwwwww/q/r", GLOB_PATH), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_no_blowup),
	};

	return RUN_TESTS(tests);
}
