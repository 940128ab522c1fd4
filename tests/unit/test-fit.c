/* test-fit.c - commands, paths and cut text for the review screen (tui/fit.c). */
#include "unit.h"

#include "../../supervisor/util.h"
#include "../../tui/fit.h"

/* fit_command on a NULL-terminated argv, compared with want. */
static void check_command(const char *want, char *const *argv)
{
	size_t argc = 0;
	char *got;

	while (argv[argc])
		argc++;
	got = fit_command(argv, argc);
	if (strcmp(got, want))
		fail_msg("fit_command gave '%s', want '%s' (argv[0] '%s')", got, want, argv[0]);
	free(got);
}

#define COMMAND(want, ...) check_command(want, (char *const[]){ __VA_ARGS__, NULL })

static void check_path(const char *want, const char *path, const char *ws, const char *home)
{
	char *got = fit_path(path, ws, home);

	if (strcmp(got, want))
		fail_msg("fit_path('%s', '%s', '%s') gave '%s', want '%s'", path, ws ? ws : "(null)",
			 home ? home : "(null)", got, want);
	free(got);
}

static void check_middle(const char *want, const char *text, unsigned width)
{
	char *got = fit_middle(text, width);

	if (strcmp(got, want))
		fail_msg("fit_middle('%s', %u) gave '%s', want '%s'", text, width, got, want);
	free(got);
}

/* Whether s is well-formed UTF-8 (the cut never splits a sequence). */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;

		if (!len)
			return 0;
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += len;
	}
	return 1;
}

static void test_command_shell(void **state)
{
	(void)state;
	COMMAND("cd x && npm test", "bash", "-c", "cd x && npm test");
	/* the script's own arguments are shown after it: "rm \"$1\"" alone says little */
	COMMAND("cd x && npm test \xe2\x80\x94 with arg", "/bin/bash", "-c", "cd x && npm test", "bash", "arg");
	COMMAND("rm \"$1\" \xe2\x80\x94 with /important", "sh", "-c", "rm \"$1\"", "sh", "/important");
	COMMAND("make -j4", "sh", "-lc", "make -j4");
	COMMAND("ls -la", "/bin/zsh", "-e", "-c", "ls -la");
	COMMAND("ls", "bash", "-c", "-e", "ls");
	COMMAND("a | b", "bash", "-o", "pipefail", "-c", "a | b");
	COMMAND("a | b", "bash", "-euo", "pipefail", "-c", "a | b");
	COMMAND("ls", "bash", "--norc", "--noprofile", "-c", "ls");
	COMMAND("echo $A", "env", "A=1", "bash", "-c", "echo $A");
	COMMAND("echo $A", "env", "VAR=1", "B=two words", "/bin/bash", "-c", "echo $A");
	COMMAND("npm test", "/usr/bin/env", "bash", "-c", "npm test");
	/* a script that is only another shell's -c: that script (an agent's wrapper, a tool's sh -c) */
	COMMAND("cd sub && ls | wc -l", "sh", "-c", "bash -c 'cd sub && ls | wc -l'");
	COMMAND("npm test", "sh", "-c", "bash -lc \"npm test\"");
	COMMAND("echo \"$HOME\"", "sh", "-c", "/bin/bash -c 'echo \"$HOME\"'");
	/* not when it has more than the script, or is more than one command */
	COMMAND("bash -c 'x' a b", "sh", "-c", "bash -c 'x' a b");
	COMMAND("bash -c x; echo $?", "sh", "-c", "bash -c x; echo $?");
	COMMAND("x", "env", "-i", "PATH=/bin", "sh", "-c", "x");
	COMMAND("x", "env", "-u", "HOME", "--", "A=1", "sh", "-c", "x");
	COMMAND("x", "env", "-uHOME", "sh", "-c", "x");
	/* not a script: shown as run */
	COMMAND("bash script.sh", "/bin/bash", "script.sh");
	COMMAND("bash -x script.sh", "bash", "-x", "script.sh");
	COMMAND("bash -c", "bash", "-c");
	COMMAND("bash -c ''", "bash", "-c", "");
	COMMAND("bash -c ' ⏎ ⏎ '", "bash", "-c", " \n\t\n");
	COMMAND("python3 -c 'print(1)'", "/usr/bin/python3", "-c", "print(1)");
	COMMAND("env -S 'bash -c x'", "env", "-S", "bash -c x");
	COMMAND("env A=1 git push", "/usr/bin/env", "A=1", "git", "push");
	COMMAND("env A=1", "env", "A=1");
	COMMAND("env -u", "env", "-u");
}

static void test_command_script_lines(void **state)
{
	(void)state;
	COMMAND("cd /x ⏎ npm test", "bash", "-c", "\n\n  cd /x  \n\tnpm   test\n\n  \n");
	COMMAND("set -e ⏎ make ⏎ make install", "sh", "-c", "set -e\nmake\nmake install\n");
	/* a blank line inside stays, as an empty line */
	COMMAND("a ⏎ ⏎ b", "sh", "-c", "a\n  \nb");
	COMMAND("a b c", "sh", "-c", "a \t  b\t\tc");
	COMMAND("for f in *; do ⏎ echo \"$f\" ⏎ done", "bash", "-c", "for f in *; do\n    echo \"$f\"\ndone\n");
}

static void test_command_plain(void **state)
{
	(void)state;
	COMMAND("git push --force origin main", "/usr/bin/git", "push", "--force", "origin", "main");
	COMMAND("git commit -m 'fix the bug'", "git", "commit", "-m", "fix the bug");
	COMMAND("find . -name '*.ts'", "find", ".", "-name", "*.ts");
	COMMAND("git reset --hard HEAD~1", "git", "reset", "--hard", "HEAD~1");
	COMMAND("echo \"it's\"", "echo", "it's");
	COMMAND("echo 'it'\\''s $HOME'", "echo", "it's $HOME");
	COMMAND("touch ''", "touch", "");
	COMMAND("rm -rf a=b,c:d@e%f+g", "/bin/rm", "-rf", "a=b,c:d@e%f+g");
	COMMAND("ls", "ls");
	/* an argument of several lines is one line too */
	COMMAND("git commit -m 'subject ⏎ ⏎ body'", "git", "commit", "-m", "subject\n\nbody");
	COMMAND("git commit -m 'subject ⏎ '", "git", "commit", "-m", "subject\n");
}

static void test_command_escapes(void **state)
{
	(void)state;
	/* control characters are shown, never sent to the terminal nor dropped */
	COMMAND("printf '\\x1b[2J'", "printf", "\x1b[2J");
	COMMAND("printf '\\x1b]0;x\\x07'", "sh", "-c", "printf '\x1b]0;x\x07'");
	COMMAND("echo a\\x0db", "sh", "-c", "echo a\rb");
	/* a right-to-left override would show "exe.txt" reversed */
	COMMAND("cat invoice\\u202etxt.exe", "cat", "invoice\xe2\x80\xaetxt.exe");
	COMMAND("cat invoice\\u202etxt.exe", "bash", "-c", "cat invoice\xe2\x80\xaetxt.exe");
	COMMAND("\\u202egit status", "/usr/bin/\xe2\x80\xaegit", "status");
	COMMAND("cat \\xff", "cat", "\xff");
}

static void test_command_empty(void **state)
{
	char *s;
	char *const argv[] = { "ls", NULL };

	(void)state;
	s = fit_command(NULL, 0);
	assert_string_equal(s, "");
	free(s);
	s = fit_command(NULL, 3);
	assert_string_equal(s, "");
	free(s);
	s = fit_command(argv, 0);
	assert_string_equal(s, "");
	free(s);
	/* argc larger than the argv: stops at the NULL */
	s = fit_command(argv, 5);
	assert_string_equal(s, "ls");
	free(s);
}

static void test_path(void **state)
{
	(void)state;
	check_path("src/app.ts", "/work/ws/src/app.ts", "/work/ws", "/home/u");
	check_path(".", "/work/ws", "/work/ws", "/home/u");
	check_path(".", "/work/ws/", "/work/ws/", "/home/u");
	check_path("src", "/work/ws/src", "/work/ws//", NULL);
	check_path("/work/ws2/x", "/work/ws2/x", "/work/ws", "/home/u");
	check_path("/work/ws2", "/work/ws2", "/work/ws", "/home/u");
	check_path("/work/w", "/work/w", "/work/ws", "/home/u");
	check_path("~/.bashrc", "/home/u/.bashrc", "/work/ws", "/home/u");
	check_path("~", "/home/u", "/work/ws", "/home/u");
	check_path("~", "/home/u/", "/work/ws", "/home/u/");
	check_path("/home/u2/x", "/home/u2/x", "/work/ws", "/home/u");
	/* the workspace wins over home when it is inside home */
	check_path("a.c", "/home/u/proj/a.c", "/home/u/proj", "/home/u");
	check_path("~/other/a.c", "/home/u/other/a.c", "/home/u/proj", "/home/u");
	check_path("/etc/passwd", "/etc/passwd", NULL, NULL);
	check_path("/etc/passwd", "/etc/passwd", "", "");
	check_path("etc/x", "/etc/x", "/", NULL);
	check_path("relative/x", "relative/x", "/work/ws", "/home/u");
	check_path("", "", "/work/ws", "/home/u");
	check_path("", NULL, "/work/ws", "/home/u");
	check_path("a\\x0ab", "/work/ws/a\nb", "/work/ws", NULL);
	check_path("/tmp/\\x1b[31m", "/tmp/\x1b[31m", "/work/ws", "/home/u");
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(fit_width(""), 0);
	assert_int_equal(fit_width(NULL), 0);
	assert_int_equal(fit_width("abc"), 3);
	assert_int_equal(fit_width("…"), 1);
	assert_int_equal(fit_width("日本語"), 6);
	assert_int_equal(fit_width("한국"), 4);
	assert_int_equal(fit_width("ｆｕｌｌ"), 8);
	assert_int_equal(fit_width("\xf0\x9f\x98\x80"), 2); /* U+1F600 */
	assert_int_equal(fit_width("\xf0\xa0\x80\x80"), 2); /* U+20000 */
	assert_int_equal(fit_width("e\xcc\x81"), 1);        /* e + U+0301 */
	assert_int_equal(fit_width("\xff\xfe"), 2);         /* invalid bytes */
	assert_int_equal(fit_width("\xe6\x97"), 2);         /* a sequence cut short */
	assert_int_equal(fit_width("\xed\xa0\x80"), 3);     /* a surrogate */
}

static void test_middle(void **state)
{
	const char *path = "src/components/deep/file.ts";

	(void)state;
	check_middle("short", "short", 10);
	check_middle("short", "short", 5);
	check_middle("", "", 0);
	check_middle("", "short", 0);
	check_middle("…", "short", 1);
	check_middle("a", "a", 1);
	check_middle("", NULL, 5);
	check_middle(path, path, 27);
	check_middle("…/components/deep/file.ts", path, 26);
	check_middle("…/components/deep/file.ts", path, 25);
	check_middle("src/…/deep/file.ts", path, 24);
	check_middle("src/…/deep/file.ts", path, 18);
	/* the start is cut at a '/' too: never "src…/deep" */
	check_middle("…/deep/file.ts", path, 17);
	check_middle("…/deep/file.ts", path, 14);
	check_middle("src/…/file.ts", path, 13);
	check_middle("…/file.ts", path, 12);
	check_middle("…/file.ts", path, 9);
	/* not even the last component fits: its end */
	check_middle("…file.ts", path, 8);
	check_middle("…lename.ts", "src/averyveryverylongfilename.ts", 10);
	check_middle("…s", path, 2);
	check_middle("/…/b/c.ts", "/a/very/long/b/c.ts", 9);
	check_middle("/…/a/b/c.ts", "/verylongdirectoryname/a/b/c.ts", 13);
	check_middle("…/slash/", "trailing/slash/", 9);
	check_middle("…lash/", "trailing/slash/", 6);
	/* plain text: the end keeps the odd column */
	check_middle("abcd…vwxyz", "abcdefghijklmnopqrstuvwxyz", 10);
	check_middle("abcd…wxyz", "abcdefghijklmnopqrstuvwxyz", 9);
	/* wide characters count 2 and are never split */
	check_middle("日本…ト", "日本語のテキスト", 7);
	check_middle("日…スト", "日本語のテキスト", 8);
	check_middle("…", "日本語", 2);
	check_middle("…/報告.txt", "文書/資料/報告.txt", 10);
	check_middle("…/資料/報告.txt", "文書/資料/報告.txt", 16);
	check_middle("…/資料/報告.txt", "文書/資料/報告.txt", 15);
	check_middle("…/報告.txt", "文書/資料/報告.txt", 14);
	/* a combining mark is not left on the ellipsis without its base */
	check_middle("a…", "ab日\xcc\x81", 2);
	check_middle("…de\xcc\x81", "abcde\xcc\x81", 3);
	check_middle("…c", "abc", 2);
	check_middle("…nop", "abcdefghijklmnop", 4);
	check_middle("a…nop", "abcdefghijklmnop", 5);
}

static void test_middle_bounds(void **state)
{
	static const char *const texts[] = {
		"src/components/deep/file.ts",
		"/home/user/projects/belay/supervisor/checkpoint.c",
		"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop",
		"文書/資料/年度/報告書の下書き.txt",
		"日本語のテキストと English mixed together.md",
		"caf\xc3\xa9/r\xc3\xa9sume\xcc\x81/na\xc3\xafve-file-name.txt",
		"emoji/\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80/party.sh",
		"trailing/slash/",
		"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z.c",
		"/averyveryveryveryveryveryverylongcomponentname.ts",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		size_t len = strlen(texts[i]);

		for (unsigned w = 0; w <= 40; w++) {
			char *got = fit_middle(texts[i], w);
			size_t n = strlen(got);

			if (fit_width(got) > w)
				fail_msg("fit_middle('%s', %u) gave '%s', %u columns", texts[i], w, got, fit_width(got));
			if (!utf8_valid(got))
				fail_msg("fit_middle('%s', %u) split a character", texts[i], w);
			if (w >= 4 && (n < 3 || strcmp(got + n - 3, texts[i] + len - 3)))
				fail_msg("fit_middle('%s', %u) gave '%s', which lost the end", texts[i], w, got);
			if (fit_width(texts[i]) <= w)
				assert_string_equal(got, texts[i]);
			else
				assert_true(!w || strstr(got, "…"));
			free(got);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_shell),
		cmocka_unit_test(test_command_script_lines),
		cmocka_unit_test(test_command_plain),
		cmocka_unit_test(test_command_escapes),
		cmocka_unit_test(test_command_empty),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_middle),
		cmocka_unit_test(test_middle_bounds),
	};

	return RUN_TESTS(tests);
}
