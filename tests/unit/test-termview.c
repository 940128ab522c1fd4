/*
 * test-termview.c - the agent's terminal (tui/termview.c) without drawing:
 * replies to the agent's queries, cell text, modes, title, bells, what keys,
 * pastes, mouse and focus events become for the agent, scrollback, selection.
 */
#include "unit.h"

#include <libtsm.h>
#include <locale.h>
#include <wchar.h>

#include "../../tui/termview.h"
#include "../../tui/vtscan.h"

/* ---- helpers ---- */

extern size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

static struct buf written; /* what the termview sent to the agent */

static void to_agent(void *data, const char *bytes, size_t len)
{
	(void)data;
	assert_true(len > 0);
	buf_add(&written, bytes, len);
}

static struct termview *view(unsigned rows, unsigned cols, unsigned history)
{
	buf_reset(&written);
	return termview_new(rows, cols, history, to_agent, NULL);
}

static void feed(struct termview *tv, const char *s)
{
	termview_feed(tv, s, strlen(s));
}

/* Take what was written so far, as a C string the caller frees. */
static char *take(void)
{
	char *s = xstrdup(written.data ? written.data : "");

	buf_reset(&written);
	return s;
}

static void escape(struct buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\033')
			buf_addstr(b, "\\e");
		else if (c < 0x20 || c >= 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addch(b, (char)c);
	}
}

static void assert_written(const char *want)
{
	size_t wl = strlen(want);

	if (written.len != wl || memcmp(written.data, want, wl)) {
		struct buf g = BUF_INIT, w = BUF_INIT;

		escape(&g, written.data ? written.data : "", written.len);
		escape(&w, want, wl);
		fail_msg("the agent got '%s', not '%s'", g.data, w.data);
	}
	buf_reset(&written);
}

static char *row(struct termview *tv, unsigned y)
{
	struct buf b = BUF_INIT;

	termview_row_text(tv, y, &b);
	return b.data ? buf_detach(&b, NULL) : xstrdup("");
}

static void assert_row(struct termview *tv, unsigned y, const char *want)
{
	char *got = row(tv, y);

	if (strcmp(got, want)) {
		struct buf g = BUF_INIT, w = BUF_INIT;

		escape(&g, got, strlen(got));
		escape(&w, want, strlen(want));
		fail_msg("row %u is '%s', not '%s'", y, g.data, w.data);
	}
	free(got);
}

/* Columns a UTF-8 string takes, by glibc's wcwidth. */
static int columns(const char *s)
{
	wchar_t wc[512];
	size_t n = mbstowcs(wc, s, 512);

	assert_true(n != (size_t)-1);
	return wcswidth(wc, n);
}

static char *pad(const char *s, unsigned cols)
{
	struct buf b = BUF_INIT;
	int w = columns(s);

	buf_addstr(&b, s);
	for (int i = w; i < (int)cols; i++)
		buf_addch(&b, ' ');
	return buf_detach(&b, NULL);
}

static void assert_row_padded(struct termview *tv, unsigned y, const char *text)
{
	char *want = pad(text, termview_cols(tv));

	assert_row(tv, y, want);
	free(want);
}

/* A code point libtsm thinks narrow and glibc wide (U+1F9E0 when so). */
static uint32_t newer_wide(void)
{
	if (tsm_ucs4_get_width(0x1f9e0) == 1 && wcwidth(0x1f9e0) == 2)
		return 0x1f9e0;
	for (uint32_t cp = 0x1f000; cp < 0x20000; cp++)
		if (tsm_ucs4_get_width(cp) == 1 && wcwidth((wchar_t)cp) == 2)
			return cp;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	buf_release(&written);
	return 0;
}

/* ---- replies ---- */

static void test_replies(void **state)
{
	struct termview *tv = view(24, 80, 0);
	char *s;

	(void)state;
	feed(tv, "\033[6n");
	assert_written("\033[1;1R");
	feed(tv, "abc\r\n\033[6n");
	assert_written("\033[2;1R");
	feed(tv, "\033[5;10H\033[6n");
	assert_written("\033[5;10R");
	/* device attributes: some reply, as a DA reply looks */
	feed(tv, "\033[c");
	s = take();
	assert_int_equal(strncmp(s, "\033[?", 3), 0);
	assert_int_equal(s[strlen(s) - 1], 'c');
	free(s);
	feed(tv, "\033[5n");
	assert_written("\033[0n");
	/* title reports must never be answered: the agent would type its title */
	feed(tv, "\033]0;rm -rf /\007\033[21t\033[20t\033[21;1t");
	assert_written("");
	/* a query cut across two feeds, and a C1 CSI */
	feed(tv, "\033[");
	feed(tv, "6");
	assert_written("");
	feed(tv, "n");
	assert_written("\033[5;10R");
	feed(tv, "\xc2\x9b" "6n");
	assert_written("\033[5;10R");
	termview_free(tv);
}

/* ---- cells ---- */

static void test_row_text(void **state)
{
	struct termview *tv = view(3, 10, 0);

	(void)state;
	assert_int_equal(termview_rows(tv), 3);
	assert_int_equal(termview_cols(tv), 10);
	assert_row(tv, 0, "          ");
	feed(tv, "hello\r\n");
	assert_row(tv, 0, "hello     ");
	assert_row(tv, 1, "          ");
	/* CJK: two columns each */
	feed(tv, "\xe4\xb8\x80\xe4\xba\x8cx");
	assert_row_padded(tv, 1, "\xe4\xb8\x80\xe4\xba\x8cx");
	/* an emoji both libtsm and glibc know as wide */
	feed(tv, "\r\n\xf0\x9f\x98\x80" "y\xc3\xa9");
	assert_row_padded(tv, 2, "\xf0\x9f\x98\x80y\xc3\xa9");
	/* a row outside the view is empty */
	assert_row(tv, 7, "");
	termview_free(tv);
}

/* A keyframe draws the same screen on an empty one: text, colours, attributes, cursor. */
static void test_snapshot(void **state)
{
	struct termview *tv = view(6, 12, 0), *copy = view(6, 12, 0);
	struct buf a = BUF_INIT, b = BUF_INIT;
	unsigned x1, y1, x2, y2;

	(void)state;
	feed(tv, "plain\r\n\033[1;31mbold red\033[0m \033[7minv\033[0m\r\n");
	feed(tv, "\033[38;5;208m256\033[48;2;1;2;3mrgb\033[0m \xe4\xb8\x80\xe4\xba\x8c\r\n");
	feed(tv, "\033[4;12Hz\033[5;1H\033[3munder\033[0m\033[6;12H\033(0q\033(B\033[3;5H");
	termview_snapshot(tv, &a);
	termview_feed(copy, a.data, a.len);
	for (unsigned y = 0; y < 6; y++) {
		char *want = row(tv, y);

		assert_row(copy, y, want);
		free(want);
	}
	assert_true(termview_cursor(tv, &x1, &y1));
	assert_true(termview_cursor(copy, &x2, &y2));
	assert_int_equal(x1, x2);
	assert_int_equal(y1, y2);
	/* the copy's keyframe is the same bytes: the attributes came across too */
	termview_snapshot(copy, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* reset: an empty screen again */
	termview_reset(copy);
	assert_row(copy, 0, "            ");
	buf_release(&a);
	buf_release(&b);
	termview_free(tv);
	termview_free(copy);
}

static void test_newer_emoji(void **state)
{
	struct termview *tv = view(2, 10, 0);
	uint32_t cp = newer_wide();
	struct buf s = BUF_INIT;
	unsigned x, y;

	(void)state;
	if (!cp)
		skip();
	buf_add_utf8(&s, cp);
	buf_addstr(&s, "A");
	feed(tv, s.data);
	/* the row shows the emoji itself, and A at column 2 as glibc says */
	assert_row_padded(tv, 0, s.data);
	{
		char *r = row(tv, 0);

		assert_int_equal(columns(r), 10);
		assert_int_equal(strncmp(r, s.data, s.len), 0);
		free(r);
	}
	assert_true(termview_cursor(tv, &x, &y));
	assert_int_equal(x, 3);
	assert_int_equal(y, 0);
	/* across a feed boundary inside the character */
	feed(tv, "\r\n");
	termview_feed(tv, s.data, 2);
	termview_feed(tv, s.data + 2, s.len - 2);
	assert_row_padded(tv, 1, s.data);
	buf_release(&s);
	termview_free(tv);
}

static void test_rep(void **state)
{
	struct termview *tv = view(3, 20, 0);
	uint32_t cp = newer_wide();
	struct buf s = BUF_INIT;

	(void)state;
	feed(tv, "x\033[3bY\033[b");
	assert_row_padded(tv, 0, "xxxxYY");
	feed(tv, "\r\n\xe4\xb8\x80\033[2b");
	assert_row_padded(tv, 1, "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80");
	if (cp) {
		feed(tv, "\r\n");
		buf_add_utf8(&s, cp);
		feed(tv, s.data);
		feed(tv, "\033[2bz");
		buf_add_utf8(&s, cp); /* careful: not buf_add(&s, s.data…), it moves */
		buf_add_utf8(&s, cp);
		buf_addch(&s, 'z');
		assert_row_padded(tv, 2, s.data);
	}
	/* a REP far past the screen is bounded, and the screen is sane */
	feed(tv, "\033[H\033[2Jq\033[65535b");
	assert_row(tv, 0, "qqqqqqqqqqqqqqqqqqqq");
	buf_release(&s);
	termview_free(tv);
}

/* A wide character with one column left wraps, as in xterm (libtsm would cut it). */
static void test_wide_at_edge(void **state)
{
	struct termview *tv = view(3, 5, 0);
	uint32_t cp = newer_wide();
	struct buf s = BUF_INIT;

	(void)state;
	feed(tv, "abcd\xe4\xb8\x80");
	assert_row(tv, 0, "abcd ");
	assert_row_padded(tv, 1, "\xe4\xb8\x80");
	/* a stand-in too, cut across feeds */
	if (cp) {
		feed(tv, "\r\n1234");
		buf_add_utf8(&s, cp);
		termview_feed(tv, s.data, 1);
		termview_feed(tv, s.data + 1, s.len - 1);
		assert_row(tv, 1, "1234 ");
		assert_row_padded(tv, 2, s.data);
	}
	/* with two columns left it fits */
	feed(tv, "\033[H\033[2Jabc\xe4\xb8\x80");
	assert_row_padded(tv, 0, "abc\xe4\xb8\x80");
	buf_release(&s);
	termview_free(tv);
}

static void test_rep_wide_at_edge(void **state)
{
	struct termview *tv;

	(void)state;
	tv = view(3, 5, 0);
	feed(tv, "ab\xe4\xb8\x80\033[b");
	assert_row(tv, 0, "ab\xe4\xb8\x80 ");
	assert_row_padded(tv, 1, "\xe4\xb8\x80");
	termview_free(tv);
}

static void test_resize(void **state)
{
	struct termview *tv = view(3, 10, 0);

	(void)state;
	feed(tv, "abc");
	termview_resize(tv, 5, 20);
	assert_int_equal(termview_rows(tv), 5);
	assert_int_equal(termview_cols(tv), 20);
	assert_row(tv, 0, "abc                 ");
	assert_row(tv, 4, "                    ");
	/* smaller: the blank rows under the cursor go first, as in xterm
	 * and tmux (libtsm alone would scroll "abc" off the top) */
	termview_resize(tv, 2, 2);
	assert_row(tv, 0, "ab");
	assert_int_equal(termview_cols(tv), 2);
	feed(tv, "\033[Hxy");
	assert_row(tv, 0, "xy");
	/* never smaller than one cell */
	termview_resize(tv, 0, 0);
	assert_int_equal(termview_rows(tv), 1);
	assert_int_equal(termview_cols(tv), 1);
	feed(tv, "\033[6n");
	assert_written("\033[1;1R");
	termview_resize(tv, 24, 80);
	feed(tv, "\033[24;80H\033[6n");
	assert_written("\033[24;80R");
	termview_free(tv);
}

/* Shrinking keeps the top while blank rows below the cursor can go, then
 * scrolls, on either screen; inside a scroll region libtsm's own way stays
 * (the program that set it redraws). */
static void test_shrink_keeps_top(void **state)
{
	struct termview *tv = view(10, 20, 100);
	unsigned x, y;

	(void)state;
	feed(tv, "top line\r\n$ prompt");
	termview_resize(tv, 5, 20);
	assert_row(tv, 0, "top line            ");
	assert_row(tv, 1, "$ prompt            ");
	assert_true(termview_cursor(tv, &x, &y));
	assert_int_equal(x, 8);
	assert_int_equal(y, 1);
	/* no blank rows left under the cursor: the top goes, as in tmux */
	termview_resize(tv, 2, 20);
	termview_resize(tv, 1, 20);
	assert_row(tv, 0, "$ prompt            ");
	termview_free(tv);

	tv = view(10, 20, 100);
	feed(tv, "top\r\nnext\033[1;9r"); /* a scroll region: libtsm's way */
	termview_resize(tv, 5, 20);
	assert_row(tv, 0, "                    ");
	termview_free(tv);

	tv = view(10, 20, 100);
	feed(tv, "\033[?1049htop\r\nnext");
	termview_resize(tv, 5, 20);
	assert_row(tv, 0, "top                 ");
	termview_free(tv);
}

static void test_modes_bells(void **state)
{
	struct termview *tv = view(3, 10, 0);

	(void)state;
	assert_int_equal(termview_modes(tv), 0);
	feed(tv, "\033[?2004;1004h\033[?1002h\033[?1006h");
	assert_int_equal(termview_modes(tv), VT_MODE_BRACKETED_PASTE | VT_MODE_FOCUS | VT_MODE_MOUSE_BUTTON |
						     VT_MODE_MOUSE_SGR);
	feed(tv, "\033c");
	assert_int_equal(termview_modes(tv), 0);
	assert_false(termview_alt_screen(tv));
	feed(tv, "\033[?1049h");
	assert_true(termview_alt_screen(tv));
	feed(tv, "\033[?1049l");
	assert_false(termview_alt_screen(tv));
	assert_int_equal(termview_take_bells(tv), 0);
	feed(tv, "\007a\007\033]0;t\007");
	assert_int_equal(termview_take_bells(tv), 2);
	assert_int_equal(termview_take_bells(tv), 0);
	termview_free(tv);
}

static void test_title(void **state)
{
	struct termview *tv = view(3, 10, 0);
	struct buf b = BUF_INIT;
	const char *t;

	(void)state;
	assert_string_equal(termview_title(tv), "");
	feed(tv, "\033]0;hello\007");
	assert_string_equal(termview_title(tv), "hello");
	feed(tv, "\033]2;second title\033\\");
	assert_string_equal(termview_title(tv), "second title");
	/* the icon name and other OSCs are not the title */
	feed(tv, "\033]1;icon\007\033]7;file:///tmp\007\033]52;c;aGk=\007");
	assert_string_equal(termview_title(tv), "second title");
	/* control characters are dropped */
	feed(tv, "\033]2;a\tb\x7f" "c\007");
	assert_string_equal(termview_title(tv), "abc");
	/* UTF-8 is kept, the original characters (no stand-ins) */
	feed(tv, "\033]0;\xc3\xa9t\xc3\xa9 \xf0\x9f\xa7\xa0 x\007");
	assert_string_equal(termview_title(tv), "\xc3\xa9t\xc3\xa9 \xf0\x9f\xa7\xa0 x");
	/* the title is not shown on the screen */
	assert_row(tv, 0, "          ");
	/* a long title is cut, never in the middle of a character */
	buf_addstr(&b, "\033]0;");
	for (int i = 0; i < 200; i++)
		buf_addstr(&b, "\xe4\xb8\x80");
	buf_addstr(&b, "\007");
	feed(tv, b.data);
	t = termview_title(tv);
	assert_true(strlen(t) <= 120);
	assert_true(strlen(t) >= 114);
	assert_int_equal(strlen(t) % 3, 0);
	assert_true(mbstowcs(NULL, t, 0) != (size_t)-1);
	buf_reset(&b);
	buf_addstr(&b, "\033]0;");
	for (int i = 0; i < 200; i++)
		buf_addstr(&b, "ab");
	buf_addstr(&b, "\007");
	feed(tv, b.data);
	assert_int_equal(strlen(termview_title(tv)), 120);
	buf_release(&b);
	termview_free(tv);
}

/* ---- keys, pastes, mouse, focus ---- */

static void key(struct termview *tv, const char *name, const char *raw)
{
	struct key k;

	assert_int_equal(key_parse(name, &k), 0);
	termview_key(tv, &k, raw, raw ? strlen(raw) : 0);
}

static void test_keys(void **state)
{
	struct termview *tv = view(3, 10, 0);
	struct key unknown = { KEYC_UNKNOWN, 0 };

	(void)state;
	key(tv, "Up", "\033[A");
	assert_written("\033[A");
	/* re-encoded for the agent's mode, whatever the outer terminal sent */
	key(tv, "Up", "\033OA");
	assert_written("\033[A");
	feed(tv, "\033[?1h");
	key(tv, "Up", "\033[A");
	assert_written("\033OA");
	key(tv, "Left", NULL);
	assert_written("\033OD");
	key(tv, "Home", "\033[1~");
	assert_written("\033OH");
	/* modified cursor keys do not depend on DECCKM */
	key(tv, "C-Up", "\033[1;5A");
	assert_written("\033[1;5A");
	key(tv, "PageUp", "\033[5~");
	assert_written("\033[5~");
	key(tv, "F1", "\033[11~");
	assert_written("\033OP");
	feed(tv, "\033[?1l");
	key(tv, "Down", "\033OB");
	assert_written("\033[B");
	/* DECSTR and RIS turn DECCKM off */
	feed(tv, "\033[?1h\033[!p");
	key(tv, "Right", NULL);
	assert_written("\033[C");
	feed(tv, "\033[?1h\033c");
	key(tv, "Right", NULL);
	assert_written("\033[C");
	/* text and control keys pass as the outer terminal sent them */
	key(tv, "a", "a");
	assert_written("a");
	key(tv, "C-c", "\003");
	assert_written("\003");
	key(tv, "Enter", "\r");
	assert_written("\r");
	key(tv, "M-x", "\033x");
	assert_written("\033x");
	key(tv, "BSpace", "\010");
	assert_written("\010");
	termview_key(tv, &unknown, "\033[99~", 5);
	assert_written("\033[99~");
	/* keys made by belay itself (no raw bytes) are encoded */
	key(tv, "C-]", NULL);
	assert_written("\035");
	key(tv, "Enter", NULL);
	assert_written("\r");
	key(tv, "S-Tab", NULL);
	assert_written("\033[Z");
	key(tv, "Escape", NULL);
	assert_written("\033");
	termview_key(tv, &unknown, NULL, 0);
	assert_written("");
	termview_free(tv);
}

static void test_paste(void **state)
{
	static const char text[] = "one\ntwo\r\tthree\033[201~\003\x01\x1b[A\xc3\xa9\xf0\x9f\xa7\xa0";
	static const char clean[] = "one\rtwo\r\tthree[201~[A\xc3\xa9\xf0\x9f\xa7\xa0";
	struct termview *tv = view(3, 10, 0);
	struct buf b = BUF_INIT;

	(void)state;
	/* not bracketed: the text alone, cleaned */
	termview_paste_text(tv, text, strlen(text));
	assert_written(clean);
	/* bracketed when the agent asked */
	feed(tv, "\033[?2004h");
	termview_paste_text(tv, text, strlen(text));
	buf_addstr(&b, "\033[200~");
	buf_addstr(&b, clean);
	buf_addstr(&b, "\033[201~");
	assert_written(b.data);
	/* in pieces */
	termview_paste_begin(tv);
	termview_paste(tv, "ab\n", 3);
	termview_paste(tv, "\033[201~", 6);
	termview_paste(tv, "", 0);
	termview_paste_end(tv);
	assert_written("\033[200~ab\r[201~\033[201~");
	/* the agent turns the mode off during a paste: the bracket still closes */
	termview_paste_begin(tv);
	termview_paste(tv, "x", 1);
	feed(tv, "\033[?2004l");
	termview_paste_end(tv);
	assert_written("\033[200~x\033[201~");
	/* and on: a paste begun unbracketed stays so */
	termview_paste_begin(tv);
	feed(tv, "\033[?2004h");
	termview_paste(tv, "y", 1);
	termview_paste_end(tv);
	assert_written("y");
	/* an end without a begin sends nothing */
	termview_paste_end(tv);
	assert_written("");
	buf_release(&b);
	termview_free(tv);
}

static void test_title_utf8_end(void **state)
{
	struct termview *tv;

	(void)state;
	tv = view(3, 10, 0);
	feed(tv, "\033]0;caf\xc3\xa9\007");
	assert_string_equal(termview_title(tv), "caf\xc3\xa9");
	feed(tv, "\033]0;\xf0\x9f\xa7\xa0\007");
	assert_string_equal(termview_title(tv), "\xf0\x9f\xa7\xa0");
	termview_free(tv);
}

static void test_paste_del(void **state)
{
	struct termview *tv;

	(void)state;
	tv = view(3, 10, 0);
	termview_paste_text(tv, "ab\x7f" "c", 4);
	assert_written("abc");
	termview_free(tv);
}

static struct mouse mouse_at(enum mouse_action a, int button, int x, int y, unsigned mods)
{
	struct mouse m = { a, button, x, y, mods };

	return m;
}

static void test_mouse(void **state)
{
	struct termview *tv = view(24, 80, 0);
	struct mouse m;

	(void)state;
	/* no mouse mode: belay handles it, the agent gets nothing */
	m = mouse_at(MOUSE_PRESS, 0, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 0);
	m = mouse_at(MOUSE_WHEEL_UP, -1, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 0);
	feed(tv, "\033[?1006h"); /* an encoding alone reports nothing */
	assert_int_equal(termview_mouse(tv, &m), 0);
	assert_written("");

	/* ?1000 with the X10 encoding: bytes 32 + value, coordinates + 1 */
	feed(tv, "\033[?1006l\033[?1000h");
	m = mouse_at(MOUSE_PRESS, 0, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[M %#");
	m = mouse_at(MOUSE_RELEASE, 0, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[M#%#");
	m = mouse_at(MOUSE_PRESS, 2, 0, 0, KEYM_CTRL | KEYM_SHIFT);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[M6!!");
	m = mouse_at(MOUSE_WHEEL_DOWN, -1, 79, 23, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[Ma\x70\x38");
	/* motion is not asked for under ?1000 */
	m = mouse_at(MOUSE_DRAG, 0, 5, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	m = mouse_at(MOUSE_MOTION, -1, 5, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("");
	/* outside the pane: taken, not sent */
	m = mouse_at(MOUSE_PRESS, 0, 80, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	m = mouse_at(MOUSE_PRESS, 0, -1, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	m = mouse_at(MOUSE_PRESS, 0, 2, 24, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("");

	/* ?1002: drags; ?1003: all motion */
	feed(tv, "\033[?1002h");
	m = mouse_at(MOUSE_DRAG, 0, 5, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[M@&#");
	m = mouse_at(MOUSE_MOTION, -1, 5, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("");
	feed(tv, "\033[?1003h");
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[MC&#");

	/* SGR: the button in releases, m for release, real numbers */
	feed(tv, "\033[?1000h\033[?1006h");
	m = mouse_at(MOUSE_PRESS, 0, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[<0;5;3M");
	m = mouse_at(MOUSE_RELEASE, 2, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[<2;5;3m");
	m = mouse_at(MOUSE_WHEEL_UP, -1, 79, 23, KEYM_ALT);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[<72;80;24M");
	m = mouse_at(MOUSE_PRESS, 1, 0, 0, KEYM_CTRL);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[<17;1;1M");

	/* urxvt */
	feed(tv, "\033[?1015h");
	m = mouse_at(MOUSE_PRESS, 0, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[32;5;3M");

	/* ?9: presses only, no modifiers */
	feed(tv, "\033[?1015l\033[?9h");
	assert_int_equal(termview_modes(tv) & VT_MODE_MOUSE_ANY_REPORTING, VT_MODE_MOUSE_X10);
	m = mouse_at(MOUSE_PRESS, 0, 4, 2, KEYM_CTRL);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[M %#");
	m = mouse_at(MOUSE_RELEASE, 0, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	m = mouse_at(MOUSE_WHEEL_UP, -1, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("");

	/* mode off again: belay's */
	feed(tv, "\033[?9l");
	m = mouse_at(MOUSE_PRESS, 0, 4, 2, 0);
	assert_int_equal(termview_mouse(tv, &m), 0);
	assert_written("");
	termview_free(tv);
}

static void test_mouse_wide(void **state)
{
	struct termview *tv = view(10, 300, 0);
	struct mouse m = mouse_at(MOUSE_PRESS, 0, 250, 3, 0);

	(void)state;
	/* the X10 encoding cannot say column 251 */
	feed(tv, "\033[?1000h");
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("");
	m.x = 222;
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[M \xff$");
	/* UTF-8 and SGR can */
	m.x = 250;
	feed(tv, "\033[?1005h");
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[M \xc4\x9b$"); /* 250 + 33 = U+011B */
	feed(tv, "\033[?1006h");
	assert_int_equal(termview_mouse(tv, &m), 1);
	assert_written("\033[<0;251;4M");
	termview_free(tv);
}

static void test_focus(void **state)
{
	struct termview *tv = view(3, 10, 0);

	(void)state;
	termview_focus(tv, 1);
	termview_focus(tv, 0);
	assert_written("");
	feed(tv, "\033[?1004h");
	termview_focus(tv, 1);
	assert_written("\033[I");
	termview_focus(tv, 0);
	assert_written("\033[O");
	feed(tv, "\033[?1004l");
	termview_focus(tv, 1);
	assert_written("");
	termview_free(tv);
}

/* ---- scrollback ---- */

static void feed_lines(struct termview *tv, int from, int to)
{
	char line[32];

	for (int i = from; i <= to; i++) {
		snprintf(line, sizeof(line), "line %d\r\n", i);
		feed(tv, line);
	}
}

/*
 * Scroll a view of `rows` rows (libtsm starts at 24) that got 40 lines:
 * the 40 and the cursor's line are 41, so 41 - rows are above the view.
 */
static void check_scroll(unsigned rows)
{
	struct termview *tv = view(rows, 10, 100);
	unsigned above = 41 - rows, x, y;
	char line[32];

	/* nothing to scroll yet */
	assert_int_equal(termview_scroll(tv, 3), 0);
	assert_int_equal(termview_scroll_offset(tv), 0);
	feed_lines(tv, 1, 40);
	snprintf(line, sizeof(line), "line %u", above + 1);
	assert_row_padded(tv, 0, line);
	assert_int_equal(termview_scroll(tv, 1), 1);
	snprintf(line, sizeof(line), "line %u", above);
	assert_row_padded(tv, 0, line);
	assert_int_equal(termview_scroll_offset(tv), 1);
	assert_false(termview_cursor(tv, &x, &y));
	assert_int_equal(termview_scroll(tv, 5), 6);
	snprintf(line, sizeof(line), "line %u", above - 5);
	assert_row_padded(tv, 0, line);
	/* stops at the top */
	assert_int_equal(termview_scroll(tv, 1000), above);
	assert_row_padded(tv, 0, "line 1");
	assert_int_equal(termview_scroll(tv, 1), above);
	assert_row_padded(tv, 0, "line 1");
	/* down, and not past the bottom */
	assert_int_equal(termview_scroll(tv, -3), above - 3);
	assert_row_padded(tv, 0, "line 4");
	assert_int_equal(termview_scroll(tv, -1000), 0);
	snprintf(line, sizeof(line), "line %u", above + 1);
	assert_row_padded(tv, 0, line);
	assert_true(termview_cursor(tv, &x, &y));
	assert_int_equal(y, rows - 1);
	/* back up, then reset */
	assert_int_equal(termview_scroll(tv, 2), 2);
	termview_scroll_reset(tv);
	assert_int_equal(termview_scroll_offset(tv), 0);
	assert_row_padded(tv, 0, line);
	/* new output while scrolled back does not move the view */
	assert_int_equal(termview_scroll(tv, 3), 3);
	feed_lines(tv, 41, 42);
	snprintf(line, sizeof(line), "line %u", above - 2);
	assert_row_padded(tv, 0, line);
	termview_scroll_reset(tv);
	snprintf(line, sizeof(line), "line %u", above + 3);
	assert_row_padded(tv, 0, line);
	assert_int_equal(termview_scroll(tv, 1000), above + 2);
	termview_scroll_reset(tv);
	/* the alternate screen has no scrollback */
	feed(tv, "\033[?1049h");
	assert_int_equal(termview_scroll(tv, 5), 0);
	feed(tv, "\033[?1049l");
	termview_free(tv);
}

static void test_scroll(void **state)
{
	(void)state;
	check_scroll(24);
	check_scroll(30);
}

static void test_scroll_output_while_back(void **state)
{
	struct termview *tv;
	unsigned x, y;

	(void)state;
	tv = view(24, 10, 100);
	feed_lines(tv, 1, 40);
	assert_int_equal(termview_scroll(tv, 5), 5);
	assert_row_padded(tv, 0, "line 13");
	feed_lines(tv, 41, 42);
	assert_row_padded(tv, 0, "line 13");
	assert_int_equal(termview_scroll(tv, -1000), 0);
	/* the live screen: lines 20 to 42 and the cursor's */
	assert_row_padded(tv, 0, "line 20");
	assert_true(termview_cursor(tv, &x, &y));
	assert_int_equal(y, 23);
	assert_row_padded(tv, 22, "line 42");
	termview_free(tv);
}

static void test_scroll_small_view(void **state)
{
	(void)state;
	check_scroll(23);
	check_scroll(5);
}

static void test_scroll_history_limit(void **state)
{
	struct termview *tv = view(5, 10, 10);
	struct termview *none = view(5, 10, 0);

	(void)state;
	feed_lines(tv, 1, 100);
	assert_int_equal(termview_scroll(tv, 1000), 10);
	assert_row_padded(tv, 0, "line 87");
	feed_lines(none, 1, 100);
	assert_int_equal(termview_scroll(none, 1000), 0);
	termview_free(tv);
	termview_free(none);
}

static void test_scroll_same_lines(void **state)
{
	struct termview *tv;

	(void)state;
	tv = view(5, 10, 100);
	feed(tv, "first\r\n");
	for (int i = 0; i < 30; i++)
		feed(tv, "same\r\n");
	/* 32 lines: 27 above the 5 rows */
	assert_int_equal(termview_scroll(tv, 1000), 27);
	assert_row_padded(tv, 0, "first");
	assert_int_equal(termview_scroll(tv, -1000), 0);
	assert_row_padded(tv, 4, "");
	termview_free(tv);
}

/* ---- selection ---- */

static char *copy_of(struct termview *tv, unsigned x0, unsigned y0, unsigned x1, unsigned y1)
{
	termview_select_start(tv, x0, y0);
	termview_select_to(tv, x1, y1);
	return termview_select_copy(tv);
}

static void test_selection(void **state)
{
	struct termview *tv = view(3, 20, 0);
	char *copy;

	(void)state;
	assert_false(termview_selecting(tv));
	assert_null(termview_select_copy(tv));
	feed(tv, "hello, world\r\nsecond line");
	copy = copy_of(tv, 0, 0, 19, 0);
	assert_true(termview_selecting(tv));
	/* trailing blanks are dropped */
	assert_string_equal(copy, "hello, world");
	free(copy);
	/* part of a line */
	copy = copy_of(tv, 0, 1, 5, 1);
	assert_string_equal(copy, "second");
	free(copy);
	copy = copy_of(tv, 7, 0, 11, 0);
	assert_string_equal(copy, "world");
	free(copy);
	/* characters libtsm and glibc agree on */
	feed(tv, "\r\n\xc3\xa9t\xc3\xa9");
	copy = copy_of(tv, 0, 2, 2, 2);
	assert_string_equal(copy, "\xc3\xa9t\xc3\xa9");
	free(copy);
	termview_select_clear(tv);
	assert_false(termview_selecting(tv));
	assert_null(termview_select_copy(tv));
	/* select_to without a start does nothing */
	termview_select_to(tv, 3, 0);
	assert_false(termview_selecting(tv));
	termview_select_clear(tv);
	termview_free(tv);
}

static void test_selection_wide(void **state)
{
	struct termview *tv;
	uint32_t cp = newer_wide();
	struct buf s = BUF_INIT;
	char *copy;

	(void)state;
	tv = view(3, 20, 0);
	buf_addstr(&s, "hi ");
	if (cp)
		buf_add_utf8(&s, cp);
	buf_addstr(&s, " \xe4\xb8\x80\xc3\xa9!");
	feed(tv, s.data);
	feed(tv, "\r\nsecond line");
	/* the characters the agent wrote, not the stand-ins */
	copy = copy_of(tv, 0, 0, 19, 0);
	assert_string_equal(copy, s.data);
	free(copy);
	/* two lines: no blanks before the line end */
	copy = copy_of(tv, 0, 0, 5, 1);
	buf_addstr(&s, "\nsecond");
	assert_string_equal(copy, s.data);
	free(copy);
	/* a gap the agent skipped is blanks */
	feed(tv, "\r\na\033[3Cb");
	copy = copy_of(tv, 0, 2, 19, 2);
	assert_string_equal(copy, "a   b");
	free(copy);
	buf_release(&s);
	termview_free(tv);
}

static void test_free_scrollback(void **state)
{
	size_t before, after;

	(void)state;
	if (!__sanitizer_get_current_allocated_bytes)
		skip();
	for (int round = 0; round < 2; round++) {
		struct termview *tv;

		before = __sanitizer_get_current_allocated_bytes();
		tv = view(24, 10, 100);
		feed_lines(tv, 1, 40);
		termview_free(tv);
		after = __sanitizer_get_current_allocated_bytes();
	}
	print_message("# heap %zu -> %zu\n", before, after);
	assert_true(after < before + 1024);
}

static void test_free_null(void **state)
{
	(void)state;
	termview_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_replies, teardown),
		cmocka_unit_test_teardown(test_row_text, teardown),
		cmocka_unit_test_teardown(test_snapshot, teardown),
		cmocka_unit_test_teardown(test_newer_emoji, teardown),
		cmocka_unit_test_teardown(test_rep, teardown),
		cmocka_unit_test_teardown(test_wide_at_edge, teardown),
		cmocka_unit_test_teardown(test_rep_wide_at_edge, teardown),
		cmocka_unit_test_teardown(test_resize, teardown),
		cmocka_unit_test_teardown(test_shrink_keeps_top, teardown),
		cmocka_unit_test_teardown(test_modes_bells, teardown),
		cmocka_unit_test_teardown(test_title, teardown),
		cmocka_unit_test_teardown(test_title_utf8_end, teardown),
		cmocka_unit_test_teardown(test_keys, teardown),
		cmocka_unit_test_teardown(test_paste, teardown),
		cmocka_unit_test_teardown(test_paste_del, teardown),
		cmocka_unit_test_teardown(test_mouse, teardown),
		cmocka_unit_test_teardown(test_mouse_wide, teardown),
		cmocka_unit_test_teardown(test_focus, teardown),
		cmocka_unit_test_teardown(test_scroll, teardown),
		cmocka_unit_test_teardown(test_scroll_output_while_back, teardown),
		cmocka_unit_test_teardown(test_scroll_small_view, teardown),
		cmocka_unit_test_teardown(test_scroll_history_limit, teardown),
		cmocka_unit_test_teardown(test_scroll_same_lines, teardown),
		cmocka_unit_test_teardown(test_selection, teardown),
		cmocka_unit_test_teardown(test_selection_wide, teardown),
		cmocka_unit_test_teardown(test_free_scrollback, teardown),
		cmocka_unit_test(test_free_null),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return 1;
	return RUN_TESTS(tests);
}
