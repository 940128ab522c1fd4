/* test-data.c - the keymaps and themes compiled in (tui/data.c, tui/embed.S). */
#include "unit.h"

#include "../../tui/data.h"

/* The file as it is in the source tree, or NULL if the tests run elsewhere. */
static char *read_source(const char *path, size_t *len)
{
	static const char *const roots[] = { "", "../../", "../" };

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char full[256];
		FILE *f;
		char *text;
		long n;

		snprintf(full, sizeof(full), "%s%s", roots[i], path);
		f = fopen(full, "rb");
		if (!f)
			continue;
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		rewind(f);
		text = malloc((size_t)n + 1);
		assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		text[n] = '\0';
		*len = (size_t)n;
		return text;
	}
	return NULL;
}

static void check_kind(enum data_kind kind, const char *dir, const char *ext, const char *must_have)
{
	const char *const *names = data_builtin_names(kind);
	int n = 0, found = 0;

	assert_non_null(names);
	for (; *names; names++, n++) {
		size_t len = 0, srclen;
		const char *text = data_builtin(kind, *names, &len);
		char path[128], *src;

		if (!text)
			fail_msg("'%s' is listed but not built in", *names);
		assert_true(len > 0);
		/* embed.S puts a NUL after each file, so it is a C string too */
		assert_int_equal(text[len], '\0');
		assert_int_equal(strlen(text), len);
		assert_int_equal(text[len - 1], '\n');
		if (!strcmp(*names, must_have))
			found = 1;
		/* the very bytes of the file users copy */
		snprintf(path, sizeof(path), "%s/%s.%s", dir, *names, ext);
		src = read_source(path, &srclen);
		if (src) {
			assert_int_equal(srclen, len);
			assert_memory_equal(src, text, len);
			free(src);
		} else {
			print_message("# %s not found: contents not compared\n", path);
		}
		/* names are unique */
		for (const char *const *m = data_builtin_names(kind); m != names; m++)
			assert_string_not_equal(*m, *names);
	}
	assert_true(n > 0);
	assert_true(found);
}

static void test_keymaps(void **state)
{
	(void)state;
	check_kind(DATA_KEYMAP, "keymaps", "keys", "default");
}

static void test_themes(void **state)
{
	(void)state;
	check_kind(DATA_THEME, "themes", "theme", "dark");
}

static void test_missing(void **state)
{
	size_t len = 12345;

	(void)state;
	assert_null(data_builtin(DATA_KEYMAP, "nope", &len));
	assert_null(data_builtin(DATA_THEME, "", &len));
	/* names of one kind are not files of the other */
	assert_null(data_builtin(DATA_KEYMAP, "dark", &len));
	assert_null(data_builtin(DATA_THEME, "default", &len));
	assert_null(data_builtin(DATA_THEME, "Dark", &len));
	assert_null(data_builtin(DATA_THEME, "dark.theme", &len));
	assert_int_equal(len, 12345);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keymaps),
		cmocka_unit_test(test_themes),
		cmocka_unit_test(test_missing),
	};

	return RUN_TESTS(tests);
}
