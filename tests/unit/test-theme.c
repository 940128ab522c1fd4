/* test-theme.c - theme files (tui/theme.c), and the built-in themes. */
#include "unit.h"

#include "../../tui/colour.h"
#include "../../tui/data.h"
#include "../../tui/theme.h"

static int load(struct theme *th, const char *text, struct buf *errors)
{
	buf_reset(errors);
	return theme_load(th, "t.theme", text, strlen(text), errors);
}

static void assert_style(const struct theme *th, enum theme_element e, int fg, int bg, unsigned attrs)
{
	const struct theme_style *st = theme_style(th, e);

	if (st->fg != fg || st->bg != bg || st->attrs != attrs)
		fail_msg("%s is fg %#x bg %#x attrs %#x, not fg %#x bg %#x attrs %#x", theme_element_name(e), st->fg,
			 st->bg, st->attrs, fg, bg, attrs);
}

/* Every line of errors is "file:line: message"; returns their number. */
static int count_error_lines(const struct buf *errors)
{
	int n = 0;
	const char *p = errors->data;

	if (!errors->len)
		return 0;
	assert_int_equal(errors->data[errors->len - 1], '\n');
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		unsigned line;
		char file[64];

		assert_non_null(nl);
		assert_int_equal(sscanf(p, "%63[^:]:%u: ", file, &line), 2);
		assert_true(line > 0);
		n++;
		p = nl + 1;
	}
	return n;
}

static void test_defaults(void **state)
{
	struct theme *th = theme_new();

	(void)state;
	for (int e = 0; e < TH__COUNT; e++) {
		assert_style(th, (enum theme_element)e, COLOUR_DEFAULT, COLOUR_DEFAULT, 0);
		assert_non_null(theme_element_name((enum theme_element)e));
		for (int f = 0; f < e; f++)
			assert_string_not_equal(theme_element_name((enum theme_element)e),
						theme_element_name((enum theme_element)f));
	}
	theme_free(th);
	theme_free(NULL);
}

static void test_builtin(void **state)
{
	const char *const *names = data_builtin_names(DATA_THEME);
	struct buf errors = BUF_INIT;
	int n = 0;

	(void)state;
	for (; *names; names++, n++) {
		struct theme *th = theme_new();
		size_t len;
		const char *text = data_builtin(DATA_THEME, *names, &len);

		assert_non_null(text);
		assert_true(len > 0);
		buf_reset(&errors);
		if (theme_load(th, *names, text, len, &errors) != 0)
			fail_msg("built-in theme '%s': %s", *names, errors.data);
		assert_int_equal(errors.len, 0);
		/* every element is named in every built-in theme */
		for (int e = 0; e < TH__COUNT; e++) {
			const char *name = theme_element_name((enum theme_element)e);
			const char *p = text;
			int found = 0;

			while (p && p < text + len) {
				size_t l = strlen(name);

				if (!strncmp(p, name, l) && (p[l] == ' ' || p[l] == '\t'))
					found = 1;
				p = memchr(p, '\n', (size_t)(text + len - p));
				if (p)
					p++;
			}
			if (!found)
				fail_msg("built-in theme '%s' does not set '%s'", *names, name);
		}
		theme_free(th);
	}
	assert_true(n >= 1);
	buf_release(&errors);
}

static void test_lines(void **state)
{
	struct theme *th = theme_new();
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(load(th, "status red blue bold underline\n"
				  "# a comment\n"
				  "\n"
				  "border brightwhite\n"
				  "help bold\n"
				  "prompt '#ff8000' colour17 REVERSE Dim italic blink\n"
				  "message default default none\n"
				  "  side-title   'green'  \"black\"   # trailing comment\n"
				  "side-value red\r\n",
			     &errors),
			 0);
	assert_int_equal(errors.len, 0);
	assert_style(th, TH_STATUS, 1, 4, THEME_BOLD | THEME_UNDERLINE);
	assert_style(th, TH_BORDER, 15, COLOUR_DEFAULT, 0);
	assert_style(th, TH_HELP, COLOUR_DEFAULT, COLOUR_DEFAULT, THEME_BOLD);
	assert_style(th, TH_PROMPT, COLOUR_MAKE_RGB(0xff, 0x80, 0x00), 17,
		     THEME_REVERSE | THEME_DIM | THEME_ITALIC | THEME_BLINK);
	assert_style(th, TH_MESSAGE, COLOUR_DEFAULT, COLOUR_DEFAULT, 0);
	assert_style(th, TH_SIDE_TITLE, 2, 0, 0);
	assert_style(th, TH_SIDE_VALUE, 1, COLOUR_DEFAULT, 0);
	/* untouched */
	assert_style(th, TH_SIDE, COLOUR_DEFAULT, COLOUR_DEFAULT, 0);

	/* a line sets the whole style of its element; others keep theirs */
	assert_int_equal(load(th, "status green", &errors), 0);
	assert_style(th, TH_STATUS, 2, COLOUR_DEFAULT, 0);
	assert_style(th, TH_BORDER, 15, COLOUR_DEFAULT, 0);
	/* the element alone: the terminal's defaults */
	assert_int_equal(load(th, "border", &errors), 0);
	assert_style(th, TH_BORDER, COLOUR_DEFAULT, COLOUR_DEFAULT, 0);
	/* attributes may come before the colours */
	assert_int_equal(load(th, "scroll bold red underline blue", &errors), 0);
	assert_style(th, TH_SCROLL, 1, 4, THEME_BOLD | THEME_UNDERLINE);
	theme_free(th);
	buf_release(&errors);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "bogus red\n", "t.theme:1: unknown element 'bogus'" },
		{ "\n\n# c\nStatus red\n", "t.theme:4: unknown element 'Status'" },
		{ "status purple\n", "t.theme:1: 'purple' is not a colour or attribute" },
		{ "status red blue green\n", "t.theme:1: more than two colours for 'status'" },
		{ "status colour256\n", "t.theme:1: 'colour256' is not a colour or attribute" },
		{ "status '#12345'\n", "t.theme:1: '#12345' is not a colour or attribute" },
		{ "status '#ff80001'\n", "t.theme:1: '#ff80001' is not a colour or attribute" },
		{ "status red 'blue\n", "t.theme:1: unterminated quote" },
	};
	struct buf errors = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct theme *th = theme_new();

		assert_int_equal(load(th, cases[i].text, &errors), 1);
		assert_int_equal(count_error_lines(&errors), 1);
		if (strncmp(errors.data, cases[i].error, strlen(cases[i].error)))
			fail_msg("'%s' gives '%s'", cases[i].text, errors.data);
		/* a bad line changes nothing */
		for (int e = 0; e < TH__COUNT; e++)
			assert_style(th, (enum theme_element)e, COLOUR_DEFAULT, COLOUR_DEFAULT, 0);
		theme_free(th);
	}
	{
		struct theme *th = theme_new();

		buf_reset(&errors);
		assert_int_equal(theme_load(th, "t.theme", "status\0red\nborder red\n", 22, &errors), 1);
		assert_int_equal(strncmp(errors.data, "t.theme:1: ", 11), 0);
		assert_style(th, TH_BORDER, 1, COLOUR_DEFAULT, 0);
		theme_free(th);
	}
	buf_release(&errors);
}

/* "#rrggbb" as belay(1) shows it, unquoted. */
static void test_hex_colour_unquoted(void **state)
{
	struct theme *th;
	struct buf errors = BUF_INIT;

	(void)state;
	th = theme_new();
	assert_int_equal(load(th, "status #ff8000 #000080 bold # a comment\n", &errors), 0);
	assert_style(th, TH_STATUS, COLOUR_MAKE_RGB(0xff, 0x80, 0x00), COLOUR_MAKE_RGB(0, 0, 0x80), THEME_BOLD);
	theme_free(th);
	buf_release(&errors);
}

static void test_errors_keep_going(void **state)
{
	struct theme *th = theme_new();
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(load(th, "status red\n"
				  "status purple\n"
				  "nope blue\n"
				  "border green\n"
				  "help red green blue\n"
				  "help yellow\n",
			     &errors),
			 3);
	assert_int_equal(count_error_lines(&errors), 3);
	assert_non_null(strstr(errors.data, "t.theme:2: "));
	assert_non_null(strstr(errors.data, "t.theme:3: "));
	assert_non_null(strstr(errors.data, "t.theme:5: "));
	/* the bad line 2 left line 1's style; the good lines after applied */
	assert_style(th, TH_STATUS, 1, COLOUR_DEFAULT, 0);
	assert_style(th, TH_BORDER, 2, COLOUR_DEFAULT, 0);
	assert_style(th, TH_HELP, 3, COLOUR_DEFAULT, 0);
	/* errors are appended, not replaced */
	assert_int_equal(theme_load(th, "u.theme", "x\n", 2, &errors), 1);
	assert_int_equal(count_error_lines(&errors), 4);
	assert_non_null(strstr(errors.data, "u.theme:1: unknown element 'x'"));
	theme_free(th);
	buf_release(&errors);
}

static void test_empty(void **state)
{
	struct theme *th = theme_new();
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(theme_load(th, "t", "", 0, &errors), 0);
	assert_int_equal(theme_load(th, "t", NULL, 0, &errors), 0);
	assert_int_equal(load(th, "\n\n  \n# only comments\n", &errors), 0);
	assert_int_equal(errors.len, 0);
	assert_style(th, TH_STATUS, COLOUR_DEFAULT, COLOUR_DEFAULT, 0);
	theme_free(th);
	buf_release(&errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hex_colour_unquoted),
		cmocka_unit_test(test_errors_keep_going),
		cmocka_unit_test(test_empty),
	};

	return RUN_TESTS(tests);
}
