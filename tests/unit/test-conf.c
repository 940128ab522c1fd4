/* test-conf.c - the lexer shared by keymaps and themes (supervisor/conf.c). */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../supervisor/conf.h"

/* What the callback saw: each line as "lineno:word|word|…\n". */
struct seen {
	struct buf lines;
	int calls;
	const char *complain; /* report an error on lines starting with this word */
};

static void collect(struct conf_line *line, void *data)
{
	struct seen *seen = data;

	seen->calls++;
	assert_non_null(line->argv);
	assert_null(line->argv[line->argc]);
	assert_true(line->argc > 0 && line->argc <= CONF_MAX_WORDS);
	buf_addf(&seen->lines, "%u:", line->lineno);
	for (int i = 0; i < line->argc; i++)
		buf_addf(&seen->lines, "%s%s", i ? "|" : "", line->argv[i]);
	buf_addch(&seen->lines, '\n');
	if (seen->complain && !strcmp(line->argv[0], seen->complain))
		conf_error(line, "unknown command '%s'", line->argv[0]);
}

/* Parse text (a C string) named "t.conf"; returns the error count. */
static int parse(const char *text, size_t len, struct seen *seen, struct buf *errors)
{
	buf_release(&seen->lines);
	seen->calls = 0;
	return conf_parse("t.conf", text, len, collect, seen, errors);
}

static void done(struct seen *seen, struct buf *errors)
{
	buf_release(&seen->lines);
	buf_release(errors);
}

static void test_words_and_comments(void **state)
{
	static const char text[] =
		"bind  C-a\tprefix\n"
		"\n"
		"   \t  \n"
		"# a whole-line comment\n"
		"   # an indented one\n"
		"colour red # trailing\n"
		"a#b c#\n"
		"last";
	struct seen seen = { 0 };
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(parse(text, strlen(text), &seen, &errors), 0);
	assert_string_equal(seen.lines.data,
			    "1:bind|C-a|prefix\n"
			    "6:colour|red\n"
			    "7:a#b|c#\n"
			    "8:last\n");
	assert_int_equal(errors.len, 0);
	done(&seen, &errors);
}

static void test_quotes(void **state)
{
	static const char text[] =
		"set status 'a b  c'\n"
		"set title \"# not a comment\"\n"
		"x '#' \"it's\" 'say \"hi\"'\n"
		"glue pre'mid dle'post \"\"'' end\n"
		"tab '\t'\n";
	struct seen seen = { 0 };
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(parse(text, strlen(text), &seen, &errors), 0);
	assert_string_equal(seen.lines.data,
			    "1:set|status|a b  c\n"
			    "2:set|title|# not a comment\n"
			    "3:x|#|it's|say \"hi\"\n"
			    "4:glue|premid dlepost||end\n"
			    "5:tab|\t\n");
	done(&seen, &errors);
}

static void test_crlf(void **state)
{
	static const char text[] = "bind a b\r\nquoted 'x y'\r\n\r\n# c\r\nend\r";
	struct seen seen = { 0 };
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(parse(text, strlen(text), &seen, &errors), 0);
	assert_string_equal(seen.lines.data, "1:bind|a|b\n2:quoted|x y\n5:end\n");
	assert_null(strchr(seen.lines.data, '\r'));
	done(&seen, &errors);
}

/* Every lexer error names file and line, and the lines after it still count. */
static void test_errors_do_not_stop(void **state)
{
	static const char text[] =
		"ok 1\n"
		"bad 'open\n"
		"ok 3\n"
		"nul \0 here\n"
		"ok 5\n"
		"bad \"also open\n"
		"ok 7";
	struct seen seen = { 0 };
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(parse(text, sizeof(text) - 1, &seen, &errors), 3);
	assert_string_equal(seen.lines.data, "1:ok|1\n3:ok|3\n5:ok|5\n7:ok|7\n");
	assert_string_equal(errors.data,
			    "t.conf:2: unterminated quote\n"
			    "t.conf:4: NUL byte in line (is this a text file?)\n"
			    "t.conf:6: unterminated quote\n");
	done(&seen, &errors);
}

static void test_callback_errors(void **state)
{
	static const char text[] = "good\nnope x\ngood\nnope\n";
	struct seen seen = { .complain = "nope" };
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(parse(text, strlen(text), &seen, &errors), 2);
	assert_int_equal(seen.calls, 4);
	assert_string_equal(errors.data,
			    "t.conf:2: unknown command 'nope'\n"
			    "t.conf:4: unknown command 'nope'\n");
	done(&seen, &errors);
}

static void test_word_limit(void **state)
{
	struct seen seen = { 0 };
	struct buf text = BUF_INIT, errors = BUF_INIT;

	(void)state;
	/* exactly CONF_MAX_WORDS words is fine, one more is not */
	for (int i = 0; i < CONF_MAX_WORDS; i++)
		buf_addf(&text, "w%d ", i);
	buf_addstr(&text, "\n");
	for (int i = 0; i <= CONF_MAX_WORDS; i++)
		buf_addf(&text, "w%d ", i);
	buf_addstr(&text, "\nafter\n");
	assert_int_equal(parse(text.data, text.len, &seen, &errors), 1);
	assert_int_equal(seen.calls, 2);
	assert_non_null(strstr(seen.lines.data, "|w31\n3:after\n"));
	assert_string_equal(errors.data, "t.conf:2: too many words\n");
	buf_release(&text);
	done(&seen, &errors);
}

static void test_line_limit(void **state)
{
	struct seen seen = { 0 };
	struct buf text = BUF_INIT, errors = BUF_INIT, want = BUF_INIT;
	char *line = xmalloc(CONF_MAX_LINE + 2);

	(void)state;
	/* a one-word line of exactly CONF_MAX_LINE bytes, then one byte more */
	memset(line, 'x', CONF_MAX_LINE + 1);
	buf_add(&text, line, CONF_MAX_LINE);
	buf_addstr(&text, "\n");
	buf_add(&text, line, CONF_MAX_LINE + 1);
	buf_addstr(&text, "\nafter");
	assert_int_equal(parse(text.data, text.len, &seen, &errors), 1);
	assert_int_equal(seen.calls, 2);
	buf_addstr(&want, "1:");
	buf_add(&want, line, CONF_MAX_LINE);
	buf_addstr(&want, "\n3:after\n");
	assert_string_equal(seen.lines.data, want.data);
	assert_string_equal(errors.data, "t.conf:2: line too long (4097 bytes, at most 4096)\n");
	free(line);
	buf_release(&text);
	buf_release(&want);
	done(&seen, &errors);
}

/* 100 KB of one glob-like word: rejected quickly as too long, not lexed. */
static void test_huge_glob_word(void **state)
{
	static const char pat[] = "**/*?[a-z]{x,y}'";
	struct seen seen = { 0 };
	struct buf text = BUF_INIT, errors = BUF_INIT;

	(void)state;
	buf_addstr(&text, "allow ");
	while (text.len < 100 * 1024)
		buf_addstr(&text, pat);
	buf_addstr(&text, "\nallow 'src/**'\n");
	assert_int_equal(parse(text.data, text.len, &seen, &errors), 1);
	assert_string_equal(seen.lines.data, "2:allow|src/**\n");
	assert_non_null(strstr(errors.data, "t.conf:1: line too long ("));
	assert_non_null(strstr(errors.data, " bytes, at most 4096)\n"));
	buf_release(&text);
	done(&seen, &errors);
}

static void test_empty_input(void **state)
{
	struct seen seen = { 0 };
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(parse("", 0, &seen, &errors), 0);
	assert_int_equal(parse("\n\n\n", 3, &seen, &errors), 0);
	/* len, not the NUL, ends the text */
	assert_int_equal(parse("one\ntwo", 5, &seen, &errors), 0);
	assert_string_equal(seen.lines.data, "1:one\n2:t\n");
	assert_int_equal(errors.len, 0);
	done(&seen, &errors);
}

/* A scratch directory for conf_read_file(), removed by the test. */
static char *write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_read_file(void **state)
{
	char dir[] = "/tmp/belay-test-conf-XXXXXX";
	struct buf out = BUF_INIT;
	char *small, *big, *missing, *empty;
	char *data = xmalloc(20000);

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 20000; i++)
		data[i] = (char)('a' + i % 23);
	small = write_file(dir, "small", "x 1\n", 4);
	big = write_file(dir, "big", data, 20000);
	empty = write_file(dir, "empty", "", 0);
	missing = xasprintf("%s/missing", dir);

	assert_int_equal(conf_read_file(small, 100, &out), 0);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "x 1\n");
	buf_release(&out);

	/* more than one read(2), and exactly at the limit */
	assert_int_equal(conf_read_file(big, 20000, &out), 0);
	assert_int_equal(out.len, 20000);
	assert_memory_equal(out.data, data, 20000);
	assert_int_equal(out.data[out.len], '\0');
	buf_release(&out);

	assert_int_equal(conf_read_file(big, 19999, &out), -EFBIG);
	buf_release(&out);
	assert_int_equal(conf_read_file(small, 3, &out), -EFBIG);
	buf_release(&out);

	assert_int_equal(conf_read_file(empty, 100, &out), 0);
	assert_int_equal(out.len, 0);
	assert_string_equal(out.data, "");
	buf_release(&out);

	assert_int_equal(conf_read_file(dir, 100, &out), -EISDIR);
	assert_int_equal(conf_read_file(missing, 100, &out), -ENOENT);
	assert_int_equal(out.len, 0);
	buf_release(&out);

	unlink(small);
	unlink(big);
	unlink(empty);
	assert_int_equal(rmdir(dir), 0);
	free(small);
	free(big);
	free(empty);
	free(missing);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_comments),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_errors_do_not_stop),
		cmocka_unit_test(test_callback_errors),
		cmocka_unit_test(test_word_limit),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_huge_glob_word),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_read_file),
	};

	return RUN_TESTS(tests);
}
