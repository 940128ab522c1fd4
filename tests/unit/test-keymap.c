/* test-keymap.c - keymap files and lookups (tui/keymap.c), and the built-in keymaps. */
#include "unit.h"

#include "../../tui/data.h"
#include "../../tui/keymap.h"

static int load(struct keymap *km, const char *text, struct buf *errors)
{
	buf_reset(errors);
	return keymap_load(km, "k.keys", text, strlen(text), errors);
}

static struct key key_of(const char *name)
{
	struct key k;

	if (key_parse(name, &k) != 0)
		fail_msg("'%s' is not a key", name);
	return k;
}

static enum action lookup(const struct keymap *km, enum key_table t, const char *name)
{
	struct key k = key_of(name);

	return keymap_lookup(km, t, &k);
}

/* The bindings of a table as "key=action key=action …". */
static void add_binding(const struct key *k, enum action a, void *data)
{
	struct buf *b = data;
	char name[64];

	key_format(k, name, sizeof(name));
	buf_addf(b, "%s%s=%s", b->len ? " " : "", name, action_name(a));
}

static char *bindings(const struct keymap *km, enum key_table t)
{
	struct buf b = BUF_INIT;

	keymap_each(km, t, add_binding, &b);
	return b.data ? buf_detach(&b, NULL) : xstrdup("");
}

static void assert_bindings(const struct keymap *km, enum key_table t, const char *want)
{
	char *got = bindings(km, t);

	if (strcmp(got, want))
		fail_msg("table %s is\n  %s\nnot\n  %s", key_table_name(t), got, want);
	free(got);
}

static void assert_error(const char *text, const char *want)
{
	struct keymap *km = keymap_new();
	struct buf errors = BUF_INIT;

	if (load(km, text, &errors) != 1)
		fail_msg("'%s' gives not one error but: %s", text, errors.data ? errors.data : "none");
	if (strncmp(errors.data, want, strlen(want)) || errors.data[errors.len - 1] != '\n' ||
	    strchr(errors.data, '\n') != errors.data + errors.len - 1)
		fail_msg("'%s' gives '%s', not '%s…'", text, errors.data, want);
	keymap_free(km);
	buf_release(&errors);
}

static void test_defaults(void **state)
{
	struct keymap *km = keymap_new();
	struct key prefix = key_of("C-]");

	(void)state;
	assert_true(key_equal(keymap_prefix(km), &prefix));
	assert_int_equal(keymap_escape_time(km), 25);
	assert_int_equal(keymap_mouse(km), 1);
	for (int t = 0; t < KT__COUNT; t++)
		assert_bindings(km, (enum key_table)t, "");
	assert_int_equal(lookup(km, KT_PREFIX, "?"), A_NONE);
	keymap_free(km);
	keymap_free(NULL);
}

static void test_names(void **state)
{
	(void)state;
	for (int a = 0; a < A__COUNT; a++) {
		assert_non_null(action_name((enum action)a));
		assert_non_null(action_help((enum action)a));
		for (int b = 0; b < a; b++)
			assert_string_not_equal(action_name((enum action)a), action_name((enum action)b));
	}
	assert_string_equal(action_name(A_NONE), "none");
	assert_string_equal(action_name(A_SEND_PREFIX), "send-prefix");
	assert_string_equal(key_table_name(KT_ROOT), "root");
	assert_string_equal(key_table_name(KT_PREFIX), "prefix");
	assert_string_equal(key_table_name(KT_SCROLL), "scroll");
}

static void test_builtin(void **state)
{
	const char *const *names = data_builtin_names(DATA_KEYMAP);
	struct buf errors = BUF_INIT;
	int n = 0;

	(void)state;
	for (; *names; names++, n++) {
		struct keymap *km = keymap_new();
		size_t len;
		const char *text = data_builtin(DATA_KEYMAP, *names, &len);
		char *prefix_table;

		assert_non_null(text);
		buf_reset(&errors);
		if (keymap_load(km, *names, text, len, &errors) != 0)
			fail_msg("built-in keymap '%s': %s", *names, errors.data);
		assert_int_equal(errors.len, 0);
		/* every built-in keymap lets you get help, quit and send the prefix */
		prefix_table = bindings(km, KT_PREFIX);
		assert_non_null(strstr(prefix_table, "=help"));
		assert_non_null(strstr(prefix_table, "=quit"));
		assert_non_null(strstr(prefix_table, "=send-prefix"));
		assert_non_null(strstr(prefix_table, "=scroll-mode"));
		free(prefix_table);
		/* the prefix pressed twice sends it */
		assert_int_equal(keymap_lookup(km, KT_PREFIX, keymap_prefix(km)), A_SEND_PREFIX);
		/* there is a way out of the scrollback */
		assert_int_equal(lookup(km, KT_SCROLL, "q"), A_SCROLL_EXIT);
		assert_int_equal(lookup(km, KT_SCROLL, "Escape"), A_SCROLL_EXIT);
		keymap_free(km);
	}
	assert_true(n >= 2);

	/* what default.keys says */
	{
		struct keymap *km = keymap_new();
		size_t len;
		const char *text = data_builtin(DATA_KEYMAP, "default", &len);
		struct key k = key_of("C-]");

		assert_non_null(text);
		assert_int_equal(keymap_load(km, "default", text, len, &errors), 0);
		assert_true(key_equal(keymap_prefix(km), &k));
		assert_int_equal(keymap_escape_time(km), 25);
		assert_int_equal(keymap_mouse(km), 1);
		assert_int_equal(lookup(km, KT_PREFIX, "?"), A_HELP);
		assert_int_equal(lookup(km, KT_PREFIX, "C-]"), A_SEND_PREFIX);
		assert_int_equal(lookup(km, KT_ROOT, "S-PageUp"), A_SCROLL_PAGE_UP);
		assert_int_equal(lookup(km, KT_SCROLL, "Space"), A_SCROLL_PAGE_DOWN);
		/* held calls are answered after the prefix, and only there */
		assert_int_equal(lookup(km, KT_PREFIX, "a"), A_ALLOW);
		assert_int_equal(lookup(km, KT_PREFIX, "s"), A_ALLOW_SIMILAR);
		assert_int_equal(lookup(km, KT_PREFIX, "d"), A_DENY);
		/* only the root table's keys act without the prefix */
		assert_int_equal(lookup(km, KT_ROOT, "a"), A_NONE);
		assert_int_equal(lookup(km, KT_ROOT, "q"), A_NONE);
		assert_int_equal(lookup(km, KT_ROOT, "?"), A_NONE);
		keymap_free(km);
	}
	/* and tmux.keys */
	{
		struct keymap *km = keymap_new();
		size_t len;
		const char *text = data_builtin(DATA_KEYMAP, "tmux", &len);
		struct key k = key_of("C-b");

		assert_non_null(text);
		assert_int_equal(keymap_load(km, "tmux", text, len, &errors), 0);
		assert_true(key_equal(keymap_prefix(km), &k));
		assert_int_equal(lookup(km, KT_PREFIX, "C-b"), A_SEND_PREFIX);
		assert_int_equal(lookup(km, KT_PREFIX, "a"), A_ALLOW);
		assert_int_equal(lookup(km, KT_PREFIX, "d"), A_DENY);
		keymap_free(km);
	}
	buf_release(&errors);
}

static void test_bind(void **state)
{
	struct keymap *km = keymap_new();
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(load(km, "bind prefix x zoom\n"
				  "bind prefix C-A help\n"
				  "bind root M-PageUp scroll-page-up\n"
				  "bind scroll 'q' scroll-exit\n"
				  "bind prefix \"#\" redraw\n"
				  "bind prefix F5 redraw\n",
			     &errors),
			 0);
	assert_int_equal(errors.len, 0);
	assert_int_equal(lookup(km, KT_PREFIX, "x"), A_ZOOM);
	assert_int_equal(lookup(km, KT_PREFIX, "C-a"), A_HELP);
	assert_int_equal(lookup(km, KT_PREFIX, "#"), A_REDRAW);
	assert_int_equal(lookup(km, KT_PREFIX, "F5"), A_REDRAW);
	assert_int_equal(lookup(km, KT_ROOT, "M-PageUp"), A_SCROLL_PAGE_UP);
	assert_int_equal(lookup(km, KT_SCROLL, "q"), A_SCROLL_EXIT);
	/* tables are separate, and modifiers count */
	assert_int_equal(lookup(km, KT_ROOT, "x"), A_NONE);
	assert_int_equal(lookup(km, KT_PREFIX, "X"), A_NONE);
	assert_int_equal(lookup(km, KT_PREFIX, "M-x"), A_NONE);
	assert_int_equal(lookup(km, KT_ROOT, "PageUp"), A_NONE);
	assert_bindings(km, KT_PREFIX, "x=zoom C-a=help #=redraw F5=redraw");

	/* binding again replaces, in place */
	assert_int_equal(load(km, "bind prefix x quit\nbind prefix C-a none\n", &errors), 0);
	assert_int_equal(lookup(km, KT_PREFIX, "x"), A_QUIT);
	assert_bindings(km, KT_PREFIX, "x=quit C-a=none #=redraw F5=redraw");

	keymap_free(km);
	buf_release(&errors);
}

static void test_every_action(void **state)
{
	struct keymap *km = keymap_new();
	struct buf errors = BUF_INIT;

	(void)state;
	for (int a = 0; a < A__COUNT; a++) {
		char line[80], key[8];

		enum key_table t = action_decides((enum action)a) ? KT_PREFIX : KT_SCROLL;

		static const char keys[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

		assert_true((size_t)a < sizeof(keys) - 1);
		snprintf(key, sizeof(key), "%c", keys[a]);
		snprintf(line, sizeof(line), "bind %s %s %s\n", key_table_name(t), key, action_name((enum action)a));
		assert_int_equal(load(km, line, &errors), 0);
		assert_int_equal(lookup(km, t, key), a);
	}
	keymap_free(km);
	buf_release(&errors);
}

static void test_unbind(void **state)
{
	struct keymap *km = keymap_new();
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(load(km, "bind prefix a help\nbind prefix b quit\nbind prefix c zoom\nbind root b quit\n",
			     &errors),
			 0);
	assert_int_equal(load(km, "unbind prefix b\n", &errors), 0);
	assert_int_equal(lookup(km, KT_PREFIX, "b"), A_NONE);
	assert_int_equal(lookup(km, KT_ROOT, "b"), A_QUIT);
	assert_bindings(km, KT_PREFIX, "a=help c=zoom");
	/* unbinding what is not bound is fine */
	assert_int_equal(load(km, "unbind prefix b\nunbind scroll F12\n", &errors), 0);
	/* the last one and the first one */
	assert_int_equal(load(km, "unbind prefix c\nunbind prefix a\n", &errors), 0);
	assert_bindings(km, KT_PREFIX, "");
	/* and bind again */
	assert_int_equal(load(km, "bind prefix a redraw\n", &errors), 0);
	assert_bindings(km, KT_PREFIX, "a=redraw");
	/* unbind in the same file as the bind */
	assert_int_equal(load(km, "bind root S-PageUp scroll-page-up\nunbind root S-PageUp\n", &errors), 0);
	assert_int_equal(lookup(km, KT_ROOT, "S-PageUp"), A_NONE);
	keymap_free(km);
	buf_release(&errors);
}

static void test_unbind_all(void **state)
{
	struct keymap *km = keymap_new();
	struct buf errors = BUF_INIT;
	struct key k;

	(void)state;
	assert_int_equal(load(km, "set prefix C-a\nbind prefix a help\nbind root F1 help\nbind scroll q scroll-exit\n",
			     &errors),
			 0);
	/* one table */
	assert_int_equal(load(km, "unbind-all prefix\n", &errors), 0);
	assert_bindings(km, KT_PREFIX, "");
	assert_bindings(km, KT_ROOT, "F1=help");
	assert_bindings(km, KT_SCROLL, "q=scroll-exit");
	/* all of them; the settings stay */
	assert_int_equal(load(km, "bind prefix a help\nunbind-all\n", &errors), 0);
	for (int t = 0; t < KT__COUNT; t++)
		assert_bindings(km, (enum key_table)t, "");
	k = key_of("C-a");
	assert_true(key_equal(keymap_prefix(km), &k));
	/* and bind again afterwards */
	assert_int_equal(load(km, "unbind-all\nbind prefix z zoom\n", &errors), 0);
	assert_bindings(km, KT_PREFIX, "z=zoom");
	/* errors */
	assert_int_equal(load(km, "unbind-all nowhere\nunbind-all prefix root\n", &errors), 2);
	assert_non_null(strstr(errors.data, "k.keys:1: unknown table 'nowhere'"));
	assert_non_null(strstr(errors.data, "k.keys:2: usage: unbind-all [TABLE]"));
	assert_bindings(km, KT_PREFIX, "z=zoom");
	keymap_free(km);
	buf_release(&errors);
}

static void test_set(void **state)
{
	struct keymap *km = keymap_new();
	struct buf errors = BUF_INIT;
	struct key k;

	(void)state;
	assert_int_equal(load(km, "set prefix C-a\nset escape-time 0\nset mouse off\n", &errors), 0);
	k = key_of("C-a");
	assert_true(key_equal(keymap_prefix(km), &k));
	assert_int_equal(keymap_escape_time(km), 0);
	assert_int_equal(keymap_mouse(km), 0);
	assert_int_equal(load(km, "set prefix F12\nset escape-time 2000\nset mouse on\n", &errors), 0);
	k = key_of("F12");
	assert_true(key_equal(keymap_prefix(km), &k));
	assert_int_equal(keymap_escape_time(km), 2000);
	assert_int_equal(keymap_mouse(km), 1);

	/* bad values leave the old ones */
	assert_int_equal(load(km, "set prefix C-Foo\n"
				  "set escape-time -1\n"
				  "set escape-time 2001\n"
				  "set escape-time 10ms\n"
				  "set escape-time ''\n"
				  "set escape-time ' 5'\n"
				  "set mouse yes\n"
				  "set mouse ON\n",
			     &errors),
			 8);
	assert_true(key_equal(keymap_prefix(km), &k));
	assert_int_equal(keymap_escape_time(km), 2000);
	assert_int_equal(keymap_mouse(km), 1);
	assert_non_null(strstr(errors.data, "k.keys:1: unknown key 'C-Foo'"));
	assert_non_null(strstr(errors.data, "k.keys:2: escape-time '-1' is not a number"));
	assert_non_null(strstr(errors.data, "k.keys:4: escape-time '10ms'"));
	assert_non_null(strstr(errors.data, "k.keys:7: mouse 'yes' must be on or off"));
	/* a key answers a held call only after it has been shown a while:
	 * longer, yes; shorter than half a second, no */
	assert_int_equal(keymap_decide_delay(km), 500);
	assert_int_equal(load(km, "set decide-delay 3000\n", &errors), 0);
	assert_int_equal(keymap_decide_delay(km), 3000);
	assert_int_equal(load(km, "set decide-delay 499\nset decide-delay 0\n", &errors), 2);
	assert_non_null(strstr(errors.data, "k.keys:1: decide-delay '499' must be a number of milliseconds from 500"));
	assert_int_equal(keymap_decide_delay(km), 3000);
	keymap_free(km);
	buf_release(&errors);
}

static void test_errors(void **state)
{
	(void)state;
	assert_error("frobnicate prefix x help\n", "k.keys:1: unknown command 'frobnicate'");
	assert_error("Bind prefix x help\n", "k.keys:1: unknown command 'Bind'");
	assert_error("\n# c\n\nbind nowhere x help\n", "k.keys:4: unknown table 'nowhere'");
	assert_error("bind Prefix x help\n", "k.keys:1: unknown table 'Prefix'");
	assert_error("bind prefix NoSuchKey help\n", "k.keys:1: unknown key 'NoSuchKey'");
	assert_error("bind prefix x explode\n", "k.keys:1: unknown action 'explode'");
	assert_error("bind prefix x Help\n", "k.keys:1: unknown action 'Help'");
	assert_error("unbind nowhere x\n", "k.keys:1: unknown table 'nowhere'");
	assert_error("unbind prefix F13\n", "k.keys:1: unknown key 'F13'");
	assert_error("set colour red\n", "k.keys:1: unknown option 'colour'");
	/* wrong numbers of words */
	assert_error("bind\n", "k.keys:1: usage: bind TABLE KEY ACTION");
	assert_error("bind prefix x\n", "k.keys:1: usage: bind TABLE KEY ACTION");
	assert_error("bind prefix x help now\n", "k.keys:1: usage: bind TABLE KEY ACTION");
	assert_error("unbind prefix\n", "k.keys:1: usage: unbind TABLE KEY");
	assert_error("unbind prefix x y\n", "k.keys:1: usage: unbind TABLE KEY");
	assert_error("set\n", "k.keys:1: usage: set OPTION VALUE");
	assert_error("set prefix\n", "k.keys:1: usage: set OPTION VALUE");
	assert_error("set prefix C-a C-b\n", "k.keys:1: usage: set OPTION VALUE");
	/* nothing typed to the agent answers a held call: decisions only
	 * after the prefix, and a prefix that types text is refused */
	assert_error("bind held a allow\n", "k.keys:1: there is no 'held' table any more");
	assert_error("bind root a allow\n", "k.keys:1: 'allow' can only be bound in the prefix table");
	assert_error("bind root C-a deny\n", "k.keys:1: 'deny' can only be bound in the prefix table");
	assert_error("bind scroll s allow-similar\n", "k.keys:1: 'allow-similar' can only be bound");
	assert_error("set prefix a\n", "k.keys:1: prefix 'a' is a key that types text");
	assert_error("set prefix S-A\n", "k.keys:1: prefix 'S-A' is a key that types text");
	assert_error("set prefix Enter\n", "k.keys:1: prefix 'Enter' is a key that types text");
	assert_error("set prefix Space\n", "k.keys:1: prefix 'Space' is a key that types text");
	/* the lexer's own errors, in the same form */
	assert_error("bind prefix 'x help\n", "k.keys:1: unterminated quote");
}

static void test_errors_keep_going(void **state)
{
	struct keymap *km = keymap_new();
	struct buf errors = BUF_INIT;

	(void)state;
	assert_int_equal(load(km, "bind prefix a help\n"
				  "bind prefix b explode\n"
				  "bind prefix c\n"
				  "set prefix C-b\n"
				  "oops\n"
				  "bind prefix d quit\n"
				  "set mouse maybe\n"
				  "set escape-time 7\n",
			     &errors),
			 4);
	assert_bindings(km, KT_PREFIX, "a=help d=quit");
	assert_int_equal(keymap_escape_time(km), 7);
	assert_int_equal(keymap_mouse(km), 1);
	{
		struct key k = key_of("C-b");

		assert_true(key_equal(keymap_prefix(km), &k));
	}
	/* one message per line, in order */
	{
		const char *p = errors.data;
		static const char *const lines[] = { "k.keys:2: ", "k.keys:3: ", "k.keys:5: ", "k.keys:7: " };

		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(strncmp(p, lines[i], strlen(lines[i])), 0);
			p = strchr(p, '\n');
			assert_non_null(p);
			p++;
		}
		assert_int_equal(*p, '\0');
	}
	keymap_free(km);
	buf_release(&errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_every_action),
		cmocka_unit_test(test_unbind),
		cmocka_unit_test(test_unbind_all),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_errors_keep_going),
	};

	return RUN_TESTS(tests);
}
