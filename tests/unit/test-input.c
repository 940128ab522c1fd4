/*
 * test-input.c - decoding what the outer terminal sends (tui/input.c): keys
 * in every xterm form, mouse, focus, bracketed paste, sequences cut by reads.
 */
#include "unit.h"

#include "../../tui/input.h"

/* ---- recording events as text ---- */

struct rec {
	struct buf text;   /* the events, see describe() */
	struct buf raw;    /* the bytes of key events, concatenated */
	struct buf pasted; /* the text of paste events, concatenated */
	int nonkey;        /* events other than keys */
	int last_type;
	size_t nevents;
};

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

static void record(const struct input_event *ev, void *data)
{
	static const char *const actions[] = { "press", "release", "drag", "motion", "up", "down" };
	struct rec *r = data;
	char name[64];

	r->nevents++;
	if (ev->type != INPUT_KEY)
		r->nonkey++;
	switch (ev->type) {
	case INPUT_KEY:
		assert_non_null(ev->data);
		assert_true(ev->len > 0);
		key_format(&ev->key, name, sizeof(name));
		if (ev->key.code == KEYC_UNKNOWN)
			snprintf(name, sizeof(name), "?");
		buf_addf(&r->text, "%s{", name);
		escape(&r->text, ev->data, ev->len);
		buf_addstr(&r->text, "} ");
		buf_add(&r->raw, ev->data, ev->len);
		break;
	case INPUT_PASTE_BEGIN:
		buf_addstr(&r->text, "<paste ");
		break;
	case INPUT_PASTE:
		assert_true(ev->len > 0);
		/* pieces of one paste are shown as one */
		if (r->last_type == INPUT_PASTE) {
			r->text.len -= 2;
		} else {
			buf_addch(&r->text, '\'');
		}
		escape(&r->text, ev->data, ev->len);
		buf_addstr(&r->text, "' ");
		buf_add(&r->pasted, ev->data, ev->len);
		break;
	case INPUT_PASTE_END:
		buf_addstr(&r->text, "paste> ");
		break;
	case INPUT_MOUSE:
		buf_addf(&r->text, "mouse(%s,%d,%d,%d,%u) ", actions[ev->mouse.action], ev->mouse.button, ev->mouse.x,
			 ev->mouse.y, ev->mouse.mods);
		break;
	case INPUT_FOCUS_IN:
		buf_addstr(&r->text, "focus-in ");
		break;
	case INPUT_FOCUS_OUT:
		buf_addstr(&r->text, "focus-out ");
		break;
	}
	r->text.data[r->text.len] = '\0';
	r->last_type = (int)ev->type;
}

static void rec_release(struct rec *r)
{
	buf_release(&r->text);
	buf_release(&r->raw);
	buf_release(&r->pasted);
}

/* What the events of bytes are, fed in one read and then flushed. */
static char *decode_all(const char *bytes, size_t len, int flush)
{
	struct rec r = { 0 };
	struct input *in = input_new(record, &r);
	char *s;

	input_feed(in, bytes, len);
	if (flush)
		input_flush(in);
	input_free(in);
	s = xstrdup(r.text.data ? r.text.data : "");
	rec_release(&r);
	/* drop the trailing blank */
	if (*s)
		s[strlen(s) - 1] = '\0';
	return s;
}

static void assert_events(const char *bytes, const char *want)
{
	char *got = decode_all(bytes, strlen(bytes), 1);

	if (strcmp(got, want)) {
		struct buf b = BUF_INIT, g = BUF_INIT, w = BUF_INIT;

		/* messages in ASCII: tests/run greps them */
		escape(&b, bytes, strlen(bytes));
		escape(&g, got, strlen(got));
		escape(&w, want, strlen(want));
		fail_msg("'%s' gives\n  %s\nnot\n  %s", b.data, g.data, w.data);
	}
	free(got);
}

/* Feeding bytes cut at every position gives the same events as one read. */
static void assert_any_split(const char *bytes, size_t len)
{
	char *whole = decode_all(bytes, len, 1);

	for (size_t cut = 0; cut <= len; cut++) {
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		input_feed(in, bytes, cut);
		input_feed(in, bytes + cut, len - cut);
		input_flush(in);
		input_free(in);
		if (r.text.len)
			r.text.data[--r.text.len] = '\0';
		if (strcmp(whole, r.text.data ? r.text.data : ""))
			fail_msg("cut at %zu:\n  %s\nnot\n  %s", cut, r.text.data, whole);
		rec_release(&r);
	}
	/* and byte by byte */
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		for (size_t i = 0; i < len; i++)
			input_feed(in, bytes + i, 1);
		input_flush(in);
		input_free(in);
		if (r.text.len)
			r.text.data[--r.text.len] = '\0';
		if (strcmp(whole, r.text.data ? r.text.data : ""))
			fail_msg("byte by byte:\n  %s\nnot\n  %s", r.text.data, whole);
		rec_release(&r);
	}
	free(whole);
}

/* ---- keys ---- */

static void test_plain(void **state)
{
	(void)state;
	assert_events("ab", "a{a} b{b}");
	assert_events(" ", "Space{ }");
	assert_events("\x01\r\t\x7f\x1d\x08", "C-a{\\x01} Enter{\\x0d} Tab{\\x09} BSpace{\\x7f} C-]{\\x1d} C-h{\\x08}");
	{
		char *got = decode_all("\0", 1, 1);

		assert_string_equal(got, "C-Space{\\x00}");
		free(got);
	}
	assert_events("\xc3\xa9\xe4\xb8\x80\xf0\x9f\x98\x80",
		      "\xc3\xa9{\\xc3\\xa9} \xe4\xb8\x80{\\xe4\\xb8\\x80} \xf0\x9f\x98\x80{\\xf0\\x9f\\x98\\x80}");
}

static void test_xterm_keys(void **state)
{
	static const struct {
		const char *seq, *key;
	} keys[] = {
		{ "\033[A", "Up" }, { "\033[B", "Down" }, { "\033[C", "Right" }, { "\033[D", "Left" },
		{ "\033[H", "Home" }, { "\033[F", "End" },
		{ "\033OA", "Up" }, { "\033OB", "Down" }, { "\033OC", "Right" }, { "\033OD", "Left" },
		{ "\033OH", "Home" }, { "\033OF", "End" },
		{ "\033[1;2A", "S-Up" }, { "\033[1;3B", "M-Down" }, { "\033[1;4C", "M-S-Right" },
		{ "\033[1;5D", "C-Left" }, { "\033[1;6H", "C-S-Home" }, { "\033[1;7F", "C-M-End" },
		{ "\033[1;8A", "C-M-S-Up" },
		{ "\033[2~", "Insert" }, { "\033[3~", "Delete" }, { "\033[5~", "PageUp" }, { "\033[6~", "PageDown" },
		{ "\033[1~", "Home" }, { "\033[4~", "End" }, { "\033[7~", "Home" }, { "\033[8~", "End" },
		{ "\033[2;5~", "C-Insert" }, { "\033[3;2~", "S-Delete" }, { "\033[5;2~", "S-PageUp" },
		{ "\033[6;3~", "M-PageDown" }, { "\033[6;1~", "PageDown" },
		{ "\033OP", "F1" }, { "\033OQ", "F2" }, { "\033OR", "F3" }, { "\033OS", "F4" },
		{ "\033[11~", "F1" }, { "\033[12~", "F2" }, { "\033[13~", "F3" }, { "\033[14~", "F4" },
		{ "\033[15~", "F5" }, { "\033[17~", "F6" }, { "\033[18~", "F7" }, { "\033[19~", "F8" },
		{ "\033[20~", "F9" }, { "\033[21~", "F10" }, { "\033[23~", "F11" }, { "\033[24~", "F12" },
		{ "\033[1;2P", "S-F1" }, { "\033[1;5Q", "C-F2" }, { "\033[1;3R", "M-F3" }, { "\033[1;2S", "S-F4" },
		{ "\033[15;2~", "S-F5" }, { "\033[24;5~", "C-F12" },
		{ "\033[Z", "BTab" },
		{ "\033[97;5u", "C-a" }, { "\033[233u", "\xc3\xa9" },
		/* Alt: ESC and the key */
		{ "\033x", "M-x" }, { "\033X", "M-X" }, { "\033\x01", "C-M-a" }, { "\033\r", "M-Enter" },
		{ "\033\x7f", "M-BSpace" }, { "\033 ", "M-Space" }, { "\033\xc3\xa9", "M-\xc3\xa9" },
		{ "\033\033", "M-Escape" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct buf want = BUF_INIT;

		buf_addf(&want, "%s{", keys[i].key);
		escape(&want, keys[i].seq, strlen(keys[i].seq));
		buf_addch(&want, '}');
		assert_events(keys[i].seq, want.data);
		assert_any_split(keys[i].seq, strlen(keys[i].seq));
		buf_release(&want);
	}
}

/* What key_encode() produces, input reads back as the same key. */
static void test_encode_decode(void **state)
{
	static const uint32_t codes[] = {
		KEYC_UP, KEYC_DOWN, KEYC_LEFT, KEYC_RIGHT, KEYC_HOME, KEYC_END, KEYC_INSERT, KEYC_DELETE,
		KEYC_PAGEUP, KEYC_PAGEDOWN, KEYC_BTAB, KEYC_ENTER, KEYC_TAB, KEYC_ESCAPE, KEYC_BSPACE,
		'a', 'z', '0', '~', ' ', 0xe9, 0x4e00,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]) + 12; i++) {
		uint32_t code = i < sizeof(codes) / sizeof(codes[0]) ? codes[i] : KEYC_F1 + (uint32_t)(i - sizeof(codes) / sizeof(codes[0]));

		for (unsigned mods = 0; mods < 8; mods++) {
			for (int app = 0; app < 2; app++) {
				struct key k = { code, mods };
				struct buf b = BUF_INIT;
				char name[64], *want, *got;

				/* keys whose encoding is the same as another key's */
				if (code < KEYC_BASE && (mods & (KEYM_SHIFT | KEYM_CTRL)))
					continue;
				/* M-BTab is ESC ESC [ Z, which input reads as M-Escape [ Z */
				if (code == KEYC_BTAB && mods)
					continue;
				if ((code == KEYC_ENTER || code == KEYC_TAB || code == KEYC_ESCAPE ||
				     code == KEYC_BTAB || code == KEYC_BSPACE) && (mods & (KEYM_SHIFT | KEYM_CTRL)))
					continue;
				key_encode(&k, app, &b);
				key_format(&k, name, sizeof(name));
				got = decode_all(b.data, b.len, 1);
				want = xstrdup(name);
				/* compare names only: the text before '{' */
				if (!strchr(got, '{'))
					fail_msg("%s gives no key", want);
				*strchr(got, '{') = '\0';
				if (strcmp(got, want))
					fail_msg("%s%s encodes to bytes that decode as %s", want, app ? " (DECCKM)" : "", got);
				free(got);
				free(want);
				buf_release(&b);
			}
		}
	}
	/* control letters: C-x encodes as one byte, which decodes as C-x */
	for (char c = 'a'; c <= 'z'; c++) {
		struct key k = { (uint32_t)c, KEYM_CTRL };
		struct buf b = BUF_INIT;
		char *got;

		key_encode(&k, 0, &b);
		got = decode_all(b.data, b.len, 1);
		if (c == 'i')
			assert_string_equal(got, "Tab{\\x09}");
		else if (c == 'm')
			assert_string_equal(got, "Enter{\\x0d}");
		else
			assert_int_equal(strncmp(got, "C-", 2), 0);
		free(got);
		buf_release(&b);
	}
}

static void test_escape_key(void **state)
{
	struct rec r = { 0 };
	struct input *in = input_new(record, &r);

	(void)state;
	input_feed(in, "\033", 1);
	assert_int_equal(r.nevents, 0);
	assert_true(input_pending(in));
	input_flush(in);
	assert_false(input_pending(in));
	assert_string_equal(r.text.data, "Escape{\\e} ");
	/* flushing with nothing pending does nothing */
	input_flush(in);
	assert_int_equal(r.nevents, 1);
	/* ESC then x in the next read, before the flush: M-x */
	input_feed(in, "\033", 1);
	input_feed(in, "x", 1);
	assert_string_equal(r.text.data, "Escape{\\e} M-x{\\ex} ");
	assert_false(input_pending(in));
	/* ESC after text waits; the text does not */
	input_feed(in, "ab\033", 3);
	assert_string_equal(r.text.data, "Escape{\\e} M-x{\\ex} a{a} b{b} ");
	assert_true(input_pending(in));
	input_flush(in);
	assert_string_equal(r.text.data, "Escape{\\e} M-x{\\ex} a{a} b{b} Escape{\\e} ");
	input_free(in);
	rec_release(&r);

	/* an unfinished sequence: flushed as what it is */
	assert_events("\033[", "?{\\e[}");
	assert_events("\033[1;5", "?{\\e[1;5}");
	assert_events("\033O", "?{\\eO}");
	/* a sequence interrupted by a control */
	assert_events("\033[1\rx", "?{\\e[1} Enter{\\x0d} x{x}");
	assert_events("\033[\033[A", "?{\\e[} Up{\\e[A}");
}

static void test_utf8_split(void **state)
{
	static const char *const texts[] = {
		"\xc3\xa9", "\xe4\xb8\x80", "\xf0\x9f\x98\x80", "a\xf0\x9f\xa7\xa0" "b", "\033\xf0\x9f\x98\x80",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_any_split(texts[i], strlen(texts[i]));
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		input_feed(in, "\xf0\x9f", 2);
		assert_int_equal(r.nevents, 0);
		input_feed(in, "\x98", 1);
		assert_int_equal(r.nevents, 0);
		input_feed(in, "\x80", 1);
		assert_string_equal(r.text.data, "\xf0\x9f\x98\x80{\\xf0\\x9f\\x98\\x80} ");
		input_free(in);
		rec_release(&r);
	}
	/* a cut sequence at a flush is passed on byte by byte */
	assert_events("\xe4\xb8", "\xc3\xa4{\\xe4} \xc2\xb8{\\xb8}"); /* the bytes as code points */
}

static void test_overlong_sequence(void **state)
{
	struct buf seq = BUF_INIT;

	(void)state;
	buf_addstr(&seq, "\033[");
	for (int i = 0; i < 70; i++)
		buf_addch(&seq, '1');
	buf_addch(&seq, '~');

	/* in one read: one unknown key with every byte */
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		input_feed(in, seq.data, seq.len);
		input_flush(in);
		assert_int_equal(r.nevents, 1);
		assert_int_equal(r.raw.len, seq.len);
		assert_memory_equal(r.raw.data, seq.data, seq.len);
		assert_int_equal(strncmp(r.text.data, "?{", 2), 0);
		input_free(in);
		rec_release(&r);
	}
	/* byte by byte: the bounded buffer gives up at 64 bytes, as unknown
	 * bytes; whatever follows is keys, and no byte is lost */
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		for (size_t i = 0; i < seq.len; i++) {
			input_feed(in, seq.data + i, 1);
			assert_true(!input_pending(in) || i < 64);
		}
		input_flush(in);
		assert_int_equal(strncmp(r.text.data, "?{\\e[111", 8), 0);
		assert_int_equal(r.raw.len, seq.len);
		assert_memory_equal(r.raw.data, seq.data, seq.len);
		input_free(in);
		rec_release(&r);
	}
	/* cut by a flush before its end */
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		input_feed(in, seq.data, 40);
		assert_true(input_pending(in));
		input_flush(in);
		assert_int_equal(r.nevents, 1);
		assert_int_equal(r.raw.len, 40);
		assert_memory_equal(r.raw.data, seq.data, 40);
		input_free(in);
		rec_release(&r);
	}
	buf_release(&seq);
}

/* ---- mouse and focus ---- */

static void test_mouse_sgr(void **state)
{
	(void)state;
	assert_events("\033[<0;10;5M", "mouse(press,0,9,4,0)");
	assert_events("\033[<0;10;5m", "mouse(release,0,9,4,0)");
	assert_events("\033[<1;1;1M\033[<2;200;100M", "mouse(press,1,0,0,0) mouse(press,2,199,99,0)");
	assert_events("\033[<2;3;4m", "mouse(release,2,2,3,0)");
	assert_events("\033[<32;11;5M", "mouse(drag,0,10,4,0)");
	assert_events("\033[<34;11;5M", "mouse(drag,2,10,4,0)");
	assert_events("\033[<35;11;5M", "mouse(motion,-1,10,4,0)");
	assert_events("\033[<64;3;3M", "mouse(up,-1,2,2,0)");
	assert_events("\033[<65;3;3M", "mouse(down,-1,2,2,0)");
	/* modifiers: shift 4, alt 8, ctrl 16 */
	assert_events("\033[<4;1;1M", "mouse(press,0,0,0,1)");
	assert_events("\033[<8;1;1M", "mouse(press,0,0,0,2)");
	assert_events("\033[<16;1;1M", "mouse(press,0,0,0,4)");
	assert_events("\033[<28;1;1M", "mouse(press,0,0,0,7)");
	assert_events("\033[<80;1;1M", "mouse(up,-1,0,0,4)");
	assert_events("\033[<49;1;1M", "mouse(drag,1,0,0,4)");
	/* large coordinates */
	assert_events("\033[<0;1000;500M", "mouse(press,0,999,499,0)");
	/* a mouse report between keys */
	assert_events("a\033[<0;2;2Mb", "a{a} mouse(press,0,1,1,0) b{b}");
	assert_any_split("\033[<0;10;5M\033[<0;10;5m", strlen("\033[<0;10;5M\033[<0;10;5m"));
	/* too few parameters: not a mouse report */
	assert_events("\033[<0;10M", "?{\\e[<0;10M}");
}

static void test_mouse_x10(void **state)
{
	char seq[7] = "\033[M";

	(void)state;
	seq[3] = 32 + 0, seq[4] = 32 + 10, seq[5] = 32 + 5, seq[6] = 0;
	assert_events(seq, "mouse(press,0,9,4,0)");
	seq[3] = 32 + 3;
	assert_events(seq, "mouse(release,-1,9,4,0)");
	seq[3] = 32 + 2 + 16;
	assert_events(seq, "mouse(press,2,9,4,4)");
	seq[3] = 32 + 64;
	assert_events(seq, "mouse(up,-1,9,4,0)");
	seq[3] = 32 + 32 + 1;
	assert_events(seq, "mouse(drag,1,9,4,0)");
	seq[3] = 32 + 0;
	seq[4] = (char)(32 + 200);
	seq[5] = 32 + 1;
	assert_events(seq, "mouse(press,0,199,0,0)");
	assert_any_split(seq, 6);
	/* cut short by a flush */
	assert_events("\033[M !", "?{\\e[M !}");
}

static void test_focus(void **state)
{
	(void)state;
	assert_events("\033[I", "focus-in");
	assert_events("\033[O", "focus-out");
	assert_events("x\033[I\033[Oy", "x{x} focus-in focus-out y{y}");
	assert_any_split("\033[I\033[O", 6);
}

/* ---- paste ---- */

static void test_paste(void **state)
{
	(void)state;
	assert_events("\033[200~hello\033[201~", "<paste 'hello' paste>");
	assert_events("a\033[200~x\ty\r\n\033[201~b", "a{a} <paste 'x\\x09y\\x0d\\x0a' paste> b{b}");
	/* an empty paste */
	assert_events("\033[200~\033[201~", "<paste paste>");
	/* ESC bytes inside that are not the end */
	assert_events("\033[200~a\033b\033[A\033[201x\033[20\033[200~\033\033[201~",
		      "<paste 'a\\eb\\e[A\\e[201x\\e[20\\e[200~\\e' paste>");
	/* keys after the paste are keys again */
	assert_events("\033[200~p\033[201~\033[A\033", "<paste 'p' paste> Up{\\e[A} Escape{\\e}");
	/* a stray end marker is dropped */
	assert_events("a\033[201~b", "a{a} b{b}");
	/* multi-byte text passes whole */
	assert_events("\033[200~\xc3\xa9\xf0\x9f\x98\x80\033[201~", "<paste '\\xc3\\xa9\\xf0\\x9f\\x98\\x80' paste>");
}

static void test_paste_split(void **state)
{
	static const char *const pastes[] = {
		"\033[200~hello\033[201~",
		"x\033[200~a\033b\033[20\033[201x\033[201~y",
		"\033[200~\033\033[201~\033[A",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pastes) / sizeof(pastes[0]); i++)
		assert_any_split(pastes[i], strlen(pastes[i]));

	/* the end marker cut in two reads, with a flush in between */
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		input_feed(in, "\033[200~abc\033[20", strlen("\033[200~abc\033[20"));
		assert_string_equal(r.text.data, "<paste 'abc' ");
		/* no key is waiting: the escape time must not flush the marker */
		assert_false(input_pending(in));
		input_flush(in);
		assert_string_equal(r.text.data, "<paste 'abc' ");
		input_feed(in, "1~x", 3);
		assert_string_equal(r.text.data, "<paste 'abc' paste> x{x} ");
		input_free(in);
		rec_release(&r);
	}
	/* what looked like the start of the marker was text */
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);

		input_feed(in, "\033[200~abc\033[2", strlen("\033[200~abc\033[2"));
		input_feed(in, "0x\033[201~", strlen("0x\033[201~"));
		assert_string_equal(r.text.data, "<paste 'abc\\e[20x' paste> ");
		assert_string_equal(r.pasted.data, "abc\033[20x");
		input_free(in);
		rec_release(&r);
	}
	/* a long paste in one read is delivered whole, in pieces */
	{
		struct rec r = { 0 };
		struct input *in = input_new(record, &r);
		struct buf b = BUF_INIT;

		buf_addstr(&b, "\033[200~");
		for (int i = 0; i < 20000; i++)
			buf_addch(&b, (char)('a' + i % 26));
		buf_addstr(&b, "\033[201~");
		input_feed(in, b.data, b.len);
		assert_int_equal(r.pasted.len, 20000);
		assert_memory_equal(r.pasted.data, b.data + 6, 20000);
		assert_int_equal(r.raw.len, 0);
		input_free(in);
		rec_release(&r);
		buf_release(&b);
	}
}

/* ---- the raw bytes of keys are the input ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void test_raw_is_input(void **state)
{
	static const char *const pieces[] = {
		"\033[A", "\033OB", "\033[1;5C", "\033[3~", "\033[15;2~", "\033OP", "\033[Z", "\033", "\033[",
		"\033O", "\033[1;", "\x01", "\r", "\t", "\x7f", "\xc3\xa9", "\xe4\xb8\x80", "\xf0\x9f\x98\x80",
		"\xc3", "\xf0\x9f", "\x80", "\xff", "a", "Z", "~", ";", "1", "[", "O", "\033\033", "\033x",
		"\033[97;5u", "\033[?1;2c", "\033[>0;1R",
	};
	unsigned checked = 0;

	(void)state;
	for (int iter = 0; iter < 4000; iter++) {
		struct buf in = BUF_INIT;
		struct rec r = { 0 };
		struct input *inp = input_new(record, &r);
		uint32_t n = 1 + rnd(30);

		for (uint32_t i = 0; i < n; i++) {
			if (rnd(4))
				buf_addstr(&in, pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))]);
			else
				buf_addch(&in, (char)rnd(256));
		}
		/* in reads of random sizes, with flushes between some */
		for (size_t pos = 0; pos < in.len;) {
			size_t len = 1 + rnd(9);

			len = MIN(len, in.len - pos);
			input_feed(inp, in.data + pos, len);
			pos += len;
			if (!rnd(5))
				input_flush(inp);
		}
		input_flush(inp);
		assert_false(input_pending(inp));
		/* a stray end of paste is dropped: not a key */
		if (!r.nonkey && !memmem(in.data, in.len, "\033[201", 5)) {
			if (r.raw.len != in.len || memcmp(r.raw.data, in.data, in.len)) {
				struct buf e = BUF_INIT;

				escape(&e, in.data, in.len);
				fail_msg("input '%s': key bytes differ\n  %s", e.data, r.text.data);
			}
			checked++;
		} else {
			/* never more bytes out than in */
			assert_true(r.raw.len + r.pasted.len <= in.len);
		}
		input_free(inp);
		rec_release(&r);
		buf_release(&in);
	}
	print_message("# %u inputs had keys only\n", checked);
	assert_true(checked > 1000);
}

static void test_free_null(void **state)
{
	(void)state;
	input_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_xterm_keys),
		cmocka_unit_test(test_encode_decode),
		cmocka_unit_test(test_escape_key),
		cmocka_unit_test(test_utf8_split),
		cmocka_unit_test(test_overlong_sequence),
		cmocka_unit_test(test_mouse_sgr),
		cmocka_unit_test(test_mouse_x10),
		cmocka_unit_test(test_focus),
		cmocka_unit_test(test_paste),
		cmocka_unit_test(test_paste_split),
		cmocka_unit_test(test_raw_is_input),
		cmocka_unit_test(test_free_null),
	};

	return RUN_TESTS(tests);
}
