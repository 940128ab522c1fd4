/*
 * test-vtscan.c - the scanner ahead of libtsm (tui/vtscan.c): mode tracking,
 * REP expansion, width stand-ins, feeds split anywhere, bounded memory.
 */
#include "unit.h"

#include <libtsm.h>
#include <locale.h>
#include <malloc.h>
#include <wchar.h>

#include "../../supervisor/buf.h"
#include "../../tui/vtscan.h"

/* ---- helpers ---- */

struct out {
	struct buf b;
	size_t calls;
	size_t total; /* bytes seen, also when not kept */
	int keep;
};

static void collect(void *data, const char *bytes, size_t len)
{
	struct out *o = data;

	assert_true(len > 0);
	o->calls++;
	o->total += len;
	if (o->keep)
		buf_add(&o->b, bytes, len);
}

static struct vtscan *scanner(struct out *o)
{
	memset(o, 0, sizeof(*o));
	o->keep = 1;
	return vtscan_new(collect, o);
}

static void done(struct vtscan *vs, struct out *o)
{
	vtscan_free(vs);
	buf_release(&o->b);
}

static void feed(struct vtscan *vs, const char *s)
{
	vtscan_feed(vs, s, strlen(s));
}

static unsigned modes_after(const char *s)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	unsigned m;

	feed(vs, s);
	m = vtscan_modes(vs);
	done(vs, &o);
	return m;
}

static size_t utf8_encode(uint32_t cp, char *s)
{
	struct buf b = BUF_INIT;
	size_t n;

	buf_add_utf8(&b, cp);
	n = b.len;
	memcpy(s, b.data, n);
	buf_release(&b);
	return n;
}

/* Decode a well-formed UTF-8 string into code points; returns their number. */
static size_t decode_all(const char *s, size_t len, uint32_t *cps, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;

	while (i < len) {
		size_t l;

		assert_true(n < max);
		l = utf8_decode(p + i, len - i, &cps[n]);
		assert_true(l > 0);
		n++;
		i += l;
	}
	return n;
}

static int sys_width(uint32_t cp)
{
	return wcwidth((wchar_t)cp);
}

/* Allocated bytes right now: ASan's counter when present, else mallinfo2. */
extern size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

static size_t heap_in_use(void)
{
	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	return mallinfo2().uordblks;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* ---- modes ---- */

static void test_each_mode(void **state)
{
	static const struct {
		unsigned param, bit;
	} modes[] = {
		{ 1, VT_MODE_APP_CURSOR }, { 9, VT_MODE_MOUSE_X10 }, { 1000, VT_MODE_MOUSE_NORMAL },
		{ 1002, VT_MODE_MOUSE_BUTTON }, { 1003, VT_MODE_MOUSE_ANY }, { 1005, VT_MODE_MOUSE_UTF8 },
		{ 1006, VT_MODE_MOUSE_SGR }, { 1015, VT_MODE_MOUSE_URXVT }, { 1004, VT_MODE_FOCUS },
		{ 2004, VT_MODE_BRACKETED_PASTE }, { 2026, VT_MODE_SYNC },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct out o;
		struct vtscan *vs = scanner(&o);
		char seq[32];

		assert_int_equal(vtscan_modes(vs), 0);
		snprintf(seq, sizeof(seq), "\033[?%uh", modes[i].param);
		feed(vs, seq);
		assert_int_equal(vtscan_modes(vs), modes[i].bit);
		/* setting it again changes nothing */
		feed(vs, seq);
		assert_int_equal(vtscan_modes(vs), modes[i].bit);
		snprintf(seq, sizeof(seq), "\033[?%ul", modes[i].param);
		feed(vs, seq);
		assert_int_equal(vtscan_modes(vs), 0);
		/* the sequences themselves go on to libtsm unchanged */
		assert_true(strstr(o.b.data, "\033[?") != NULL);
		done(vs, &o);
	}
}

static void test_mouse_exclusive(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);

	(void)state;
	feed(vs, "\033[?1000h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_NORMAL);
	feed(vs, "\033[?1002h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_BUTTON);
	feed(vs, "\033[?1003h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_ANY);
	feed(vs, "\033[?9h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_X10);
	feed(vs, "\033[?1000h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_NORMAL);
	/* resetting a mode that is not on leaves the one that is */
	feed(vs, "\033[?1003l");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_NORMAL);
	feed(vs, "\033[?1000l");
	assert_int_equal(vtscan_modes(vs), 0);

	/* the encodings exclude each other too, but not the reporting modes */
	feed(vs, "\033[?1002h\033[?1006h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_SGR);
	feed(vs, "\033[?1015h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_URXVT);
	feed(vs, "\033[?1005h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_UTF8);
	feed(vs, "\033[?1006h\033[?1004h\033[?2004h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_SGR | VT_MODE_FOCUS |
						   VT_MODE_BRACKETED_PASTE);
	feed(vs, "\033[?1003h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_ANY | VT_MODE_MOUSE_SGR | VT_MODE_FOCUS |
						   VT_MODE_BRACKETED_PASTE);
	done(vs, &o);
}

static void test_several_in_one(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);

	(void)state;
	feed(vs, "\033[?1000;1006h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_NORMAL | VT_MODE_MOUSE_SGR);
	feed(vs, "\033[?1;1004;2004;2026h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_NORMAL | VT_MODE_MOUSE_SGR | VT_MODE_APP_CURSOR |
						   VT_MODE_FOCUS | VT_MODE_BRACKETED_PASTE | VT_MODE_SYNC);
	feed(vs, "\033[?1000;1006;2026l");
	assert_int_equal(vtscan_modes(vs), VT_MODE_APP_CURSOR | VT_MODE_FOCUS | VT_MODE_BRACKETED_PASTE);
	/* empty and unknown parameters are skipped, the known ones apply */
	feed(vs, "\033[?;12345;;1003;h");
	assert_true(vtscan_modes(vs) & VT_MODE_MOUSE_ANY);
	/* later wins inside one sequence, as in xterm */
	feed(vs, "\033[?1000;1002h");
	assert_int_equal(vtscan_modes(vs) & VT_MODE_MOUSE_ANY_REPORTING, VT_MODE_MOUSE_BUTTON);
	done(vs, &o);
}

static void test_not_modes(void **state)
{
	(void)state;
	/* ANSI modes, other prefixes and intermediates are not DEC private modes */
	assert_int_equal(modes_after("\033[1h\033[2004h"), 0);
	assert_int_equal(modes_after("\033[>1h\033[=2004h\033[<1000h"), 0);
	assert_int_equal(modes_after("\033[?2004$p\033[?1$h\033[?1 h"), 0);
	assert_int_equal(modes_after("\033[?2004"), 0); /* not finished */
	/* inside strings */
	assert_int_equal(modes_after("\033]0;[?2004h\007"), 0);
	assert_int_equal(modes_after("\033]0;\xc2\x9b?2004h\007") & VT_MODE_BRACKETED_PASTE,
			 VT_MODE_BRACKETED_PASTE); /* C1 CSI ends the OSC, as ESC does */
	assert_int_equal(modes_after("\033P1$r[?1h\033\\"), 0);
	assert_int_equal(modes_after("\033_[?1h\033\\\033^[?1h\033\\\033X[?1h\033\\"), 0);
	/* CAN and SUB abort a sequence */
	assert_int_equal(modes_after("\033[?1\030h"), 0);
	assert_int_equal(modes_after("\033[?1\032h"), 0);
	/* ESC restarts: only the second sequence counts */
	assert_int_equal(modes_after("\033[?1\033[?2004h"), VT_MODE_BRACKETED_PASTE);
	/* a C0 control inside a CSI is executed and the CSI goes on */
	assert_int_equal(modes_after("\033[?20\r04h"), VT_MODE_BRACKETED_PASTE);
	/* a prefix after a parameter spoils the sequence */
	assert_int_equal(modes_after("\033[1?2004h"), 0);
	/* text after a mode sequence is text */
	assert_int_equal(modes_after("[?1h?1h"), 0);
}

static void test_c1_csi(void **state)
{
	(void)state;
	assert_int_equal(modes_after("\xc2\x9b?2004h"), VT_MODE_BRACKETED_PASTE);
	assert_int_equal(modes_after("\xc2\x9b?1000;1006h"), VT_MODE_MOUSE_NORMAL | VT_MODE_MOUSE_SGR);
	assert_int_equal(modes_after("\033[?1h\xc2\x9b?1l"), 0);
	/* a raw 0x9b byte is not UTF-8: not a CSI (libtsm shows U+FFFD) */
	assert_int_equal(modes_after("\x9b?2004h"), 0);
	/* C1 OSC: the mode sequence inside it is part of the string */
	assert_int_equal(modes_after("\xc2\x9d" "0;[?2004h\007"), 0);
	/* C1 ST ends a DCS */
	assert_int_equal(modes_after("\xc2\x90q\xc2\x9c\033[?1h"), VT_MODE_APP_CURSOR);
}

static void test_resets(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);

	(void)state;
	feed(vs, "\033[?1;1002;1006;1004;2004;2026h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_APP_CURSOR | VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_SGR |
						   VT_MODE_FOCUS | VT_MODE_BRACKETED_PASTE | VT_MODE_SYNC);
	/* DECSTR resets DECCKM and leaves the others */
	feed(vs, "\033[!p");
	assert_int_equal(vtscan_modes(vs), VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_SGR | VT_MODE_FOCUS |
						   VT_MODE_BRACKETED_PASTE | VT_MODE_SYNC);
	/* not DECSTR: a different intermediate or a prefix */
	feed(vs, "\033[?1h\033[\"p\033[?!p");
	assert_true(vtscan_modes(vs) & VT_MODE_APP_CURSOR);
	/* RIS resets everything */
	feed(vs, "\033c");
	assert_int_equal(vtscan_modes(vs), 0);
	/* ESC c with an intermediate is not RIS */
	feed(vs, "\033[?2004h\033#c\033(c");
	assert_int_equal(vtscan_modes(vs), VT_MODE_BRACKETED_PASTE);
	/* C1 CSI for DECSTR */
	feed(vs, "\033[?1h\xc2\x9b!p");
	assert_int_equal(vtscan_modes(vs), VT_MODE_BRACKETED_PASTE);
	done(vs, &o);
}

/* Parameters beyond the 32 kept are ignored (vtscan.c's header comment). */
static void test_too_many_params(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	/* 10,000 parameters: the first ones apply, the sequence ends normally */
	buf_addstr(&b, "\033[?1;2004");
	for (int i = 0; i < 10000; i++)
		buf_addstr(&b, ";1002");
	buf_addstr(&b, "hx");
	assert_int_equal(modes_after(b.data), VT_MODE_APP_CURSOR | VT_MODE_BRACKETED_PASTE | VT_MODE_MOUSE_BUTTON);
	buf_reset(&b);
	/* the 32nd is still applied */
	buf_addstr(&b, "\033[?");
	for (int i = 0; i < 31; i++)
		buf_addstr(&b, "0;");
	buf_addstr(&b, "2004h");
	assert_int_equal(modes_after(b.data), VT_MODE_BRACKETED_PASTE);
	buf_release(&b);
}

static void test_param_33_ignored(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_addstr(&b, "\033[?");
	for (int i = 0; i < 32; i++)
		buf_addstr(&b, "0;");
	buf_addstr(&b, "2004h");
	assert_int_equal(modes_after(b.data), 0);
	buf_reset(&b);
	buf_addstr(&b, "\033[?");
	for (int i = 0; i < 32; i++)
		buf_addstr(&b, "0;");
	buf_addstr(&b, "1h");
	assert_int_equal(modes_after(b.data), 0);
	buf_release(&b);
}

static void test_huge_param_value(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	/* saturates instead of wrapping round to a real mode number */
	buf_addstr(&b, "\033[?");
	buf_addstr(&b, "4294969300"); /* 2^32 + 2004 */
	buf_addstr(&b, "h");
	assert_int_equal(modes_after(b.data), 0);
	buf_reset(&b);
	buf_addstr(&b, "\033[?");
	for (int i = 0; i < 5000; i++)
		buf_addch(&b, '9');
	buf_addstr(&b, ";2004h");
	assert_int_equal(modes_after(b.data), VT_MODE_BRACKETED_PASTE);
	buf_release(&b);
}

/* ---- bells ---- */

static void test_bells(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);

	(void)state;
	assert_int_equal(vtscan_take_bells(vs), 0);
	feed(vs, "a\007b\007");
	feed(vs, "\007");
	assert_int_equal(vtscan_take_bells(vs), 3);
	assert_int_equal(vtscan_take_bells(vs), 0);
	/* BEL ending an OSC is not a bell */
	feed(vs, "\033]0;title\007");
	feed(vs, "\xc2\x9d" "2;t\007");
	assert_int_equal(vtscan_take_bells(vs), 0);
	/* BEL inside a DCS is part of the string */
	feed(vs, "\033Pq\007\033\\");
	assert_int_equal(vtscan_take_bells(vs), 0);
	feed(vs, "\033[1m\007\033(B\007");
	assert_int_equal(vtscan_take_bells(vs), 2);
	/* the bytes still reach libtsm */
	assert_int_equal(o.total, strlen("a\007b\007\007\033]0;title\007\xc2\x9d" "2;t\007\033Pq\007\033\\"
					 "\033[1m\007\033(B\007"));
	done(vs, &o);
}

/* ---- REP ---- */

/*
 * The text a VT500 parser prints from bytes: escape sequences (finished, or
 * aborted by CAN or SUB), strings and C0 controls removed.  REP's expansion
 * and the sequences vtscan neutralizes are judged by this, not by how the
 * bytes happen to be spelled.
 */
static char *shown(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		int csi = c == 0x1b && i + 1 < len && p[i + 1] == '[';
		int c1csi = c == 0xc2 && i + 1 < len && p[i + 1] == 0x9b;
		int osc = c == 0x1b && i + 1 < len && strchr("]PX^_", p[i + 1]);

		if (csi || c1csi) {
			for (i += 2; i < len; i++)
				if ((p[i] >= 0x40 && p[i] <= 0x7e) || p[i] == 0x18 || p[i] == 0x1a || p[i] == 0x1b)
					break;
			if (i < len && p[i] != 0x1b)
				i++;
		} else if (osc) {
			for (i += 2; i < len; i++)
				if (p[i] == 0x07 || p[i] == 0x18 || p[i] == 0x1a || p[i] == 0x1b)
					break;
			if (i < len && p[i] == 0x1b && i + 1 < len && p[i + 1] == '\\')
				i += 2;
			else if (i < len && p[i] != 0x1b)
				i++;
		} else if (c == 0x1b) {
			for (i++; i < len && p[i] >= 0x20 && p[i] <= 0x2f; i++)
				;
			if (i < len && p[i] >= 0x30 && p[i] <= 0x7e)
				i++;
		} else if (c < 0x20 || c == 0x7f) {
			i++;
		} else {
			buf_addch(&b, (char)c);
			i++;
		}
	}
	return b.data ? buf_detach(&b, NULL) : xstrdup("");
}

static void assert_shown(struct out *o, const char *want)
{
	char *got = shown(o->b.data ? o->b.data : "", o->b.len);

	assert_string_equal(got, want);
	free(got);
	buf_reset(&o->b);
}

static void test_shown(void **state)
{
	(void)state;
	/* the helper itself */
	{
		char *s = shown("a\033[1;2mb\033[3\030c\033]0;t\007d\033(Be\xc2\x9b" "5Cf\033P1\033\\g\r\n", 37);

		assert_string_equal(s, "abcdefg");
		free(s);
	}
}

static void test_rep(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);

	(void)state;
	feed(vs, "x\033[3b");
	assert_shown(&o, "xxxx");
	/* no parameter and 0 both mean 1 */
	feed(vs, "y\033[b\033[0b");
	assert_shown(&o, "yyy");
	/* the last character printed, across controls and feeds */
	feed(vs, "ab\r\n");
	feed(vs, "\033[2b");
	assert_shown(&o, "abbb");
	/* split inside the sequence */
	feed(vs, "k\033[");
	feed(vs, "2");
	feed(vs, "b");
	assert_shown(&o, "kkk");
	/* C1 CSI */
	feed(vs, "z\xc2\x9b" "2b");
	assert_shown(&o, "zzz");
	/* not REP: a prefix or an intermediate */
	feed(vs, "q\033[?3b\033[3 b\033[>3b");
	assert_shown(&o, "q");
	/* the character of a multi-byte sequence */
	feed(vs, "\xc3\xa9\033[2b");
	assert_shown(&o, "\xc3\xa9\xc3\xa9\xc3\xa9");
	/* and of a wide one */
	feed(vs, "\xe4\xb8\x80\033[2b");
	assert_shown(&o, "\xe4\xb8\x80\xe4\xb8\x80\xe4\xb8\x80");
	done(vs, &o);

	/* nothing printed yet, or after RIS: nothing to repeat */
	vs = scanner(&o);
	feed(vs, "\033[5b");
	assert_shown(&o, "");
	feed(vs, "x\033c\033[5b");
	assert_shown(&o, "x");
	done(vs, &o);
}

static void test_rep_limit(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	char *s;

	(void)state;
	vtscan_set_rep_limit(vs, 10);
	feed(vs, "x\033[1000b");
	assert_shown(&o, "xxxxxxxxxxx");
	vtscan_set_rep_limit(vs, 0);
	feed(vs, "\033[5b");
	assert_shown(&o, "");
	done(vs, &o);

	/* the default is 65536, and parameters saturate at 65535 */
	vs = scanner(&o);
	feed(vs, "x\033[99999999999999999999b");
	s = shown(o.b.data, o.b.len);
	assert_true(strlen(s) >= 2 && strlen(s) <= 65537);
	assert_int_equal(strspn(s, "x"), strlen(s));
	free(s);
	done(vs, &o);
}

/* Sequences libtsm would misread do not reach it whole; its own ones do. */
static void test_neutralized(void **state)
{
	static const char *const passed[] = {
		"\033[1;31m", "\033[2J", "\033[?25l", "\033[?1049h", "\033[10;20H", "\033[6n", "\033[c",
		"\033(0", "\033(B", "\0337", "\0338", "\033]0;title\007", "\033P+q544e\033\\",
	};
	static const char *const dropped[] = {
		"\033[>4;2m", "\033[?12$p", "\033[>1u", "\033[<u", "\033[=5u", "\033[2 q", "\033#8",
		"\033[?1;2$y", "\033[>0;1m",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		struct out o;
		struct vtscan *vs = scanner(&o);

		feed(vs, passed[i]);
		assert_string_equal(o.b.data, passed[i]);
		done(vs, &o);
	}
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		struct out o;
		struct vtscan *vs = scanner(&o);
		size_t l = strlen(dropped[i]);

		feed(vs, dropped[i]);
		feed(vs, "ok");
		/* everything up to the final byte, then CAN instead of it */
		if (o.b.len != l + 2 || memcmp(o.b.data, dropped[i], l - 1) || o.b.data[l - 1] != '\030' ||
		    memcmp(o.b.data + l, "ok", 2))
			fail_msg("sequence %zu is passed on as '%s'", i, o.b.data + 1);
		done(vs, &o);
	}
}

/* Find code points where libtsm's and glibc's widths differ. */
static uint32_t find_cp(int tsm, int sys, uint32_t from)
{
	for (uint32_t cp = from; cp < 0x110000; cp++) {
		if (cp >= 0x32000 && cp <= 0x3fffd)
			continue;
		if (cp >= 0xf0000)
			break;
		if ((int)tsm_ucs4_get_width(cp) == tsm && sys_width(cp) == sys)
			return cp;
	}
	return 0;
}

static void test_rep_standin(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	uint32_t cps[8], wide = find_cp(1, 2, 0x1f000);
	char s[8];
	size_t n;

	(void)state;
	if (!wide)
		skip();
	n = utf8_encode(wide, s);
	s[n] = '\0';
	feed(vs, s);
	feed(vs, "\033[2b");
	/* stand-in, the REP sequence (4 code points), the stand-in twice */
	n = decode_all(o.b.data, o.b.len, cps, 8);
	assert_int_equal(n, 1 + 4 + 2);
	assert_int_not_equal(cps[0], wide);
	assert_int_equal(tsm_ucs4_get_width(cps[0]), 2);
	assert_int_equal(cps[5], cps[0]);
	assert_int_equal(cps[6], cps[0]);
	assert_int_equal(vtscan_unmap(vs, cps[5]), wide);
	done(vs, &o);
}

/* ---- widths ---- */

/* Feed one code point; check what libtsm gets. */
static void check_width_cp(struct vtscan *vs, struct out *o, uint32_t cp)
{
	int sys = sys_width(cp), tsm = tsm_ucs4_get_width(cp);
	uint32_t got[2];
	char s[4];
	size_t n = utf8_encode(cp, s);

	buf_reset(&o->b);
	vtscan_feed(vs, s, n);
	if (sys < 0) {
		/* unprintable here: drawn as U+FFFD, one column */
		if (tsm != 2)
			return;
		sys = 1;
	}
	if (sys == tsm) {
		assert_int_equal(o->b.len, n);
		assert_memory_equal(o->b.data, s, n);
		return;
	}
	if (sys == 0) {
		assert_int_equal(o->b.len, 0);
		return;
	}
	assert_int_equal(decode_all(o->b.data, o->b.len, got, 2), 1);
	if (got[0] == 0x3013 || got[0] == 0xfffd) /* the tables are full */
		return;
	assert_int_not_equal(got[0], cp);
	assert_int_equal(tsm_ucs4_get_width(got[0]), sys);
	assert_int_equal(vtscan_unmap(vs, got[0]), cp);
	if (sys == 2)
		assert_true(got[0] >= 0x32000 && got[0] <= 0x3fffd);
	else
		assert_true(got[0] >= 0xf0000 && got[0] <= 0xffffd);
}

static void test_width_standins(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	uint32_t wide, narrow, drop, first[2];
	char s[16];
	size_t n;

	(void)state;
	/* U+1F9E0 (brain) is the example of platform.md: libtsm says 1 */
	wide = tsm_ucs4_get_width(0x1f9e0) == 1 && sys_width(0x1f9e0) == 2 ? 0x1f9e0 : find_cp(1, 2, 0xa0);
	narrow = find_cp(2, 1, 0xa0);
	drop = find_cp(1, 0, 0xa0);
	assert_int_not_equal(wide, 0);
	print_message("# examples: wide U+%04X narrow U+%04X zero U+%04X\n", wide, narrow, drop);

	check_width_cp(vs, &o, wide);
	n = decode_all(o.b.data, o.b.len, first, 2);
	assert_int_equal(n, 1);
	/* the same character gets the same stand-in */
	check_width_cp(vs, &o, wide);
	assert_int_equal(decode_all(o.b.data, o.b.len, &first[1], 1), 1);
	assert_int_equal(first[1], first[0]);
	if (narrow)
		check_width_cp(vs, &o, narrow);
	if (drop)
		check_width_cp(vs, &o, drop);

	/* surrounding text is untouched, in order */
	buf_reset(&o.b);
	n = utf8_encode(wide, s);
	memcpy(s + n, "ab", 3);
	feed(vs, "<");
	feed(vs, s);
	assert_int_equal(o.b.len, 1 + 4 + 2);
	assert_int_equal(o.b.data[0], '<');
	assert_memory_equal(o.b.data + 5, "ab", 2);

	/* code points that are not stand-ins map to themselves */
	assert_int_equal(vtscan_unmap(vs, 'a'), 'a');
	assert_int_equal(vtscan_unmap(vs, 0x4e00), 0x4e00);
	assert_int_equal(vtscan_unmap(vs, 0x1f600), 0x1f600);
	assert_int_equal(vtscan_unmap(vs, 0x10fffd), 0x10fffd);
	/* stand-ins never handed out cannot come from a cell */
	assert_int_equal(vtscan_unmap(vs, 0x3fff0), 0xfffd);
	assert_int_equal(vtscan_unmap(vs, 0xffff0), 0xfffd);
	done(vs, &o);
}

/* Every code point libtsm and glibc disagree on, through one scanner. */
static void test_width_all(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	unsigned checked = 0;

	(void)state;
	for (uint32_t cp = 0xa0; cp < 0x110000; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (sys_width(cp) == (int)tsm_ucs4_get_width(cp))
			continue;
		check_width_cp(vs, &o, cp);
		checked++;
	}
	print_message("# %u code points with different widths\n", checked);
	assert_true(checked > 0);
	done(vs, &o);
}

/* The agent's own use of the stand-in ranges is itself mapped. */
static void test_agent_uses_standin_range(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	uint32_t wide = find_cp(1, 2, 0xa0), got[4];
	char s[16];
	size_t n;

	(void)state;
	n = utf8_encode(wide, s);
	vtscan_feed(vs, s, n);
	assert_int_equal(decode_all(o.b.data, o.b.len, got, 4), 1);
	/* now the agent writes the stand-in it cannot know about */
	buf_reset(&o.b);
	n = utf8_encode(got[0], s);
	vtscan_feed(vs, s, n);
	assert_int_equal(decode_all(o.b.data, o.b.len, &got[1], 3), 1);
	assert_int_not_equal(got[1], got[0]);
	assert_int_equal(vtscan_unmap(vs, got[1]), got[0]);
	assert_int_equal(vtscan_unmap(vs, got[0]), wide);
	/* and a plane-15 character */
	buf_reset(&o.b);
	n = utf8_encode(0xf1234, s);
	vtscan_feed(vs, s, n);
	assert_int_equal(decode_all(o.b.data, o.b.len, &got[2], 2), 1);
	assert_int_equal(vtscan_unmap(vs, got[2]), 0xf1234);
	assert_int_equal(tsm_ucs4_get_width(got[2]), 1);
	done(vs, &o);
}

/* Plane 15 has more code points than the narrow table holds. */
static void test_standin_cap(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	struct buf b = BUF_INIT;
	uint32_t first, got;
	size_t before, after, nfallback = 0, nmapped = 0;
	char s[4];
	size_t n;

	(void)state;
	n = utf8_encode(0xf0000, s);
	vtscan_feed(vs, s, n);
	assert_int_equal(decode_all(o.b.data, o.b.len, &first, 1), 1);

	for (uint32_t cp = 0xf0001; cp <= 0xffffd; cp++) {
		buf_reset(&o.b);
		n = utf8_encode(cp, s);
		vtscan_feed(vs, s, n);
		assert_int_equal(decode_all(o.b.data, o.b.len, &got, 1), 1);
		if (got == 0xfffd) {
			nfallback++;
			continue;
		}
		assert_true(got >= 0xf0000 && got <= 0xffffd);
		assert_int_equal(vtscan_unmap(vs, got), cp);
		nmapped++;
	}
	print_message("# %zu mapped, %zu past the cap\n", nmapped + 1, nfallback);
	assert_true(nfallback > 0);
	assert_int_equal(vtscan_unmap(vs, first), 0xf0000);

	/*
	 * The table is full: 65,534 more new characters (plane 3, which
	 * libtsm thinks wide and glibc cannot print) do not grow memory.
	 * Only the width cache grows, by 256 pages of 256 bytes; the table
	 * would grow by megabytes.
	 */
	for (uint32_t cp = 0x30000; cp <= 0x3fffd; cp++) {
		n = utf8_encode(cp, s);
		buf_add(&b, s, n);
	}
	o.keep = 0;
	before = heap_in_use();
	vtscan_feed(vs, b.data, b.len);
	vtscan_feed(vs, b.data, b.len);
	after = heap_in_use();
	print_message("# heap %zu -> %zu\n", before, after);
	assert_true(after < before + 160 * 1024);
	assert_int_equal(vtscan_unmap(vs, first), 0xf0000);
	buf_release(&b);
	done(vs, &o);
}

/* ---- pass-through ---- */

static void test_invalid_utf8(void **state)
{
	static const char *const cases[] = {
		"\x80", "\xbf\xbf", "\xc0\x80", "\xc1\xbf", "\xc3" "A", "\xe4\xb8" "A", "\xf0\x9f\xa7" "A",
		"\xf5\x80\x80\x80", "\xff\xfe", "\xed\xa0\x80", "\xe0\x80\x80", "a\xc3\xc3\xa9z", "\xf8\x88\x80\x80\x80",
		"\xc3", "\xf0\x9f", /* cut at the end */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct out o;
		struct vtscan *vs = scanner(&o);

		feed(vs, cases[i]);
		feed(vs, "!");
		assert_int_equal(o.b.len, strlen(cases[i]) + 1);
		assert_memory_equal(o.b.data, cases[i], strlen(cases[i]));
		done(vs, &o);
	}
}

/* libtsm drops the byte that breaks a UTF-8 sequence; vtscan must read the same. */
static void test_broken_utf8_like_libtsm(void **state)
{
	(void)state;
	assert_int_equal(modes_after("\xcc\033[?2004h"), 0);
	assert_int_equal(modes_after("\xe4\xb8\033[?1h"), 0);
	assert_int_equal(modes_after("\xf0\x9f\033[?1000h"), 0);
	/* libtsm 4.0.2 reads C0, C1 and F5-F7 as leads too */
	assert_int_equal(modes_after("\xc0\033[?2004h"), 0);
	assert_int_equal(modes_after("\xf5\x80\x80\033[?1h"), 0);
	/* the byte after the dropped one is read again */
	assert_int_equal(modes_after("\xcc\033\033[?2004h"), VT_MODE_BRACKETED_PASTE);
	/* a stray continuation byte, or F8-FF, does not swallow anything */
	assert_int_equal(modes_after("\x80\033[?2004h"), VT_MODE_BRACKETED_PASTE);
	assert_int_equal(modes_after("\xff\033[?2004h"), VT_MODE_BRACKETED_PASTE);
}

/*
 * The final byte of a sequence vtscan neutralizes, written as an overlong
 * multi-byte sequence (libtsm decodes those) cut by the end of a feed.
 */
static void test_overlong_final_split(void **state)
{
	static const char *const cases[][2] = {
		{ "\033 \xf0\x80\x80", "\xb2" },       /* ESC SP 2 */
		{ "\033[>4;2\xf0\x80", "\x81\xad" },   /* CSI > 4;2 m */
		{ "x\033[3\xe0\x81", "\xa2" },          /* REP */
		{ "\033#\xc1", "\xb8" },                 /* ESC # 8 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct out o;
		struct vtscan *vs = scanner(&o);
		struct out o1;
		struct vtscan *one = scanner(&o1);
		struct buf whole = BUF_INIT;

		feed(vs, cases[i][0]);
		feed(vs, cases[i][1]);
		feed(vs, "ok");
		/* the same as in one feed */
		buf_addstr(&whole, cases[i][0]);
		buf_addstr(&whole, cases[i][1]);
		buf_addstr(&whole, "ok");
		vtscan_feed(one, whole.data, whole.len);
		assert_int_equal(o.b.len, o1.b.len);
		assert_memory_equal(o.b.data, o1.b.data, o.b.len);
		assert_non_null(memchr(o.b.data, '\030', o.b.len));
		buf_release(&whole);
		done(one, &o1);
		done(vs, &o);
	}
}

static void test_plain_passes(void **state)
{
	static const char text[] = "hello \033[1;31mworld\033[0m\r\n\033]0;title\007\033[?25l\xc3\xa9\xe4\xb8\x80"
				   "\xf0\x9f\x98\x80\033P+q544e\033\\\033(0lqk\033(B\t\b\033[10;20H\033[K";
	struct out o;
	struct vtscan *vs = scanner(&o);

	(void)state;
	feed(vs, text);
	assert_string_equal(o.b.data, text);
	/* plain text is passed in few calls, not byte by byte */
	assert_true(o.calls <= 2);
	done(vs, &o);
}

static void test_big_osc(void **state)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	char *chunk = malloc(65536);
	size_t before, after;

	(void)state;
	o.keep = 0;
	memset(chunk, 'A', 65536);
	feed(vs, "\033]0;");
	before = heap_in_use();
	for (int i = 0; i < 160; i++) /* 10 MB */
		vtscan_feed(vs, chunk, 65536);
	after = heap_in_use();
	feed(vs, "\007\033[?2004h");
	assert_int_equal(vtscan_modes(vs), VT_MODE_BRACKETED_PASTE);
	assert_int_equal(vtscan_take_bells(vs), 0);
	assert_int_equal(o.total, 4 + 160 * 65536 + 9);
	assert_true(after < before + 4096);

	/* a 10 MB DCS, and a CSI with 10,000 parameters */
	feed(vs, "\033P");
	for (int i = 0; i < 160; i++)
		vtscan_feed(vs, chunk, 65536);
	feed(vs, "\033\\\033[?");
	memset(chunk, ';', 65536);
	for (int i = 0; i < 5000; i++) {
		chunk[2 * i] = '1';
		chunk[2 * i + 1] = ';';
	}
	before = heap_in_use();
	vtscan_feed(vs, chunk, 20000);
	after = heap_in_use();
	feed(vs, "l");
	assert_int_equal(vtscan_modes(vs), VT_MODE_BRACKETED_PASTE); /* DECCKM was off already */
	assert_true(after < before + 4096);
	free(chunk);
	done(vs, &o);
}

/* ---- split feeds ---- */

static void random_input(struct buf *b, size_t tokens)
{
	static const char *const seqs[] = {
		"\033[?1h", "\033[?1l", "\033[?1000;1006h", "\033[?2004h", "\033[?2004l", "\033[?1004h", "\033[!p",
		"\033c", "\033[3b", "\033[b", "\033[?25l", "\033[1;31m", "\033[0m", "\033]0;title\007",
		"\033]2;t\xc3\xa9\033\\", "\033P1$r\033\\", "\xc2\x9b?1002h", "\xc2\x9b" "2b", "\xc2\x9d" "0;x\xc2\x9c",
		"\033[", "\033", "\033]", "\033P", "\030", "\032", "\007", "\r\n", "\t", "\xc2\x9b", "\033(0", "\033#8",
		"\033[?9h", "\033[?1003l", "\033[200~",
	};
	static const uint32_t cps[] = {
		0xe9, 0x4e00, 0x1f600, 0x1f9e0, 0x1fa77, 0x1fae8, 0x0301, 0x200b, 0x1160, 0xfffd, 0x32000, 0xf0000,
		0xffffd, 0x3013, 0x2b50, 0x312e, 0xff01, 0xad, 0x85, 0x9b, 0x9d, 0x10fffd,
	};

	for (size_t t = 0; t < tokens; t++) {
		char s[4];

		switch (rnd(6)) {
		case 0: /* ASCII text */
			for (uint32_t n = 1 + rnd(5); n; n--)
				buf_addch(b, (char)(0x20 + rnd(0x5f)));
			break;
		case 1:
			buf_addstr(b, seqs[rnd(sizeof(seqs) / sizeof(seqs[0]))]);
			break;
		case 2:
			buf_add(b, s, utf8_encode(cps[rnd(sizeof(cps) / sizeof(cps[0]))], s));
			break;
		case 3: /* any code point */
			buf_add(b, s, utf8_encode(0xa0 + rnd(0x110000 - 0xa0), s));
			break;
		case 4: /* any byte */
			buf_addch(b, (char)rnd(256));
			break;
		case 5: /* a cut sequence */
			buf_add(b, s, 1 + rnd(utf8_encode(0x80 + rnd(0x10ff80), s)));
			break;
		}
	}
}

struct run {
	struct buf out;
	unsigned modes, bells;
	uint32_t unmapped[64];
	size_t nunmapped;
};

/* Feed input cut at the given positions (sorted, within len). */
static void run_split(const char *in, size_t len, const size_t *cuts, size_t ncuts, struct run *r)
{
	struct out o;
	struct vtscan *vs = scanner(&o);
	size_t pos = 0;

	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		vtscan_feed(vs, in + pos, end - pos);
		pos = end;
	}
	r->out = o.b;
	memset(&o.b, 0, sizeof(o.b));
	r->modes = vtscan_modes(vs);
	r->bells = vtscan_take_bells(vs);
	r->nunmapped = 0;
	/* what the first stand-ins stand for */
	for (uint32_t cp = 0x32000; cp < 0x32020; cp++)
		r->unmapped[r->nunmapped++] = vtscan_unmap(vs, cp);
	for (uint32_t cp = 0xf0000; cp < 0xf0020; cp++)
		r->unmapped[r->nunmapped++] = vtscan_unmap(vs, cp);
	done(vs, &o);
}

static void assert_same_run(const struct run *a, const struct run *b)
{
	assert_int_equal(a->out.len, b->out.len);
	assert_memory_equal(a->out.data, b->out.data, a->out.len);
	assert_int_equal(a->modes, b->modes);
	assert_int_equal(a->bells, b->bells);
	assert_memory_equal(a->unmapped, b->unmapped, sizeof(a->unmapped));
}

static void test_split_every_point(void **state)
{
	static const char *const inputs[] = {
		"\xf0\x9f\xa7\xa0x\033[3b\xe4\xb8\x80\033[?1000;1006h\xc3\xa9\xc2\x9b?2004h\007",
		"a\xf0\x9f\xa7\xa0\xf0\x9f\xa7\xa0\xf0\x9f\xa7\xa0" "b\033]0;\xf0\x9f\xa7\xa0\007\xc3",
		"\xc3\033[?1h\xf0\x9f\033\\\xe4\xb8\x80\033[2b\xf3\xb0\x80\x80\033[!p\033c\xe1\x85\xa0",
	};

	(void)state;
	for (size_t k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		const char *in = inputs[k];
		size_t len = strlen(in);
		struct run whole, part;

		run_split(in, len, NULL, 0, &whole);
		/* one cut anywhere */
		for (size_t c = 0; c <= len; c++) {
			run_split(in, len, &c, 1, &part);
			assert_same_run(&whole, &part);
			buf_release(&part.out);
		}
		/* byte by byte */
		{
			size_t *cuts = malloc(len * sizeof(size_t));

			for (size_t c = 0; c < len; c++)
				cuts[c] = c;
			run_split(in, len, cuts, len, &part);
			assert_same_run(&whole, &part);
			buf_release(&part.out);
			free(cuts);
		}
		buf_release(&whole.out);
	}
}

static void test_split_random(void **state)
{
	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		struct buf in = BUF_INIT;
		struct run whole, part;
		size_t cuts[16], ncuts;

		random_input(&in, 1 + rnd(40));
		run_split(in.data, in.len, NULL, 0, &whole);
		/* random cut points, sorted, some repeated (empty feeds) */
		ncuts = rnd(16);
		for (size_t i = 0; i < ncuts; i++)
			cuts[i] = rnd((uint32_t)in.len + 1);
		for (size_t i = 1; i < ncuts; i++)
			for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
				size_t t = cuts[j];

				cuts[j] = cuts[j - 1];
				cuts[j - 1] = t;
			}
		run_split(in.data, in.len, cuts, ncuts, &part);
		assert_same_run(&whole, &part);
		buf_release(&part.out);
		/* byte by byte as well, for short ones */
		if (in.len <= 64) {
			size_t all[64];

			for (size_t i = 0; i < in.len; i++)
				all[i] = i;
			run_split(in.data, in.len, all, in.len, &part);
			assert_same_run(&whole, &part);
			buf_release(&part.out);
		}
		buf_release(&whole.out);
		buf_release(&in);
	}
}

/* Output is input, except for the width stand-ins and the REP expansion. */
static void test_random_output_shape(void **state)
{
	(void)state;
	for (int iter = 0; iter < 500; iter++) {
		struct buf in = BUF_INIT;
		struct out o;
		struct vtscan *vs = scanner(&o);

		/* ASCII and well-known sequences only, no REP: output == input */
		for (int t = 0; t < 30; t++) {
			if (rnd(2))
				buf_addch(&in, (char)(0x20 + rnd(0x5f)));
			else
				buf_addstr(&in, rnd(2) ? "\033[?1h" : "\033]0;x\007");
		}
		for (size_t pos = 0; pos < in.len;) {
			size_t n = 1 + rnd(7);

			n = MIN(n, in.len - pos); /* careful: MIN evaluates twice */

			vtscan_feed(vs, in.data + pos, n);
			pos += n;
		}
		assert_int_equal(o.b.len, in.len);
		assert_memory_equal(o.b.data, in.data, in.len);
		done(vs, &o);
		buf_release(&in);
	}
}

static void test_free_null(void **state)
{
	(void)state;
	vtscan_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_mode),
		cmocka_unit_test(test_mouse_exclusive),
		cmocka_unit_test(test_several_in_one),
		cmocka_unit_test(test_not_modes),
		cmocka_unit_test(test_c1_csi),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_too_many_params),
		cmocka_unit_test(test_param_33_ignored),
		cmocka_unit_test(test_huge_param_value),
		cmocka_unit_test(test_bells),
		cmocka_unit_test(test_shown),
		cmocka_unit_test(test_rep),
		cmocka_unit_test(test_rep_limit),
		cmocka_unit_test(test_rep_standin),
		cmocka_unit_test(test_neutralized),
		cmocka_unit_test(test_width_standins),
		cmocka_unit_test(test_width_all),
		cmocka_unit_test(test_agent_uses_standin_range),
		cmocka_unit_test(test_standin_cap),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_broken_utf8_like_libtsm),
		cmocka_unit_test(test_overlong_final_split),
		cmocka_unit_test(test_plain_passes),
		cmocka_unit_test(test_big_osc),
		cmocka_unit_test(test_split_every_point),
		cmocka_unit_test(test_split_random),
		cmocka_unit_test(test_random_output_shape),
		cmocka_unit_test(test_free_null),
	};

	/* vtscan uses its own C.UTF-8 locale; the tests' wcwidth needs one too */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		return 1;
	return RUN_TESTS(tests);
}
