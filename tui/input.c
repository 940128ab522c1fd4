/*
 * input.c - decoder of the outer terminal's input; see input.h.
 *
 * Understands what xterm-compatible terminals send (xterm ctlseqs: PC-style
 * function keys, SGR 1006 and X10 mouse, focus events, bracketed paste).  The
 * pending buffer is bounded: a "sequence" longer than MAX_SEQ is passed on as
 * unknown bytes.  During a paste, everything up to ESC [ 2 0 1 ~ is text,
 * delivered in pieces; only the terminator is held across reads.
 */
#define _GNU_SOURCE
#include "input.h"

#include <stdlib.h>
#include <string.h>

#include "../supervisor/util.h"

#define MAX_SEQ 64

static const char paste_end[] = "\033[201~";

struct input {
	input_cb cb;
	void *data;
	char pend[MAX_SEQ];
	size_t npend;
	int in_paste;
};

struct input *input_new(input_cb cb, void *data)
{
	struct input *in = xcalloc(1, sizeof(*in));

	in->cb = cb;
	in->data = data;
	return in;
}

void input_free(struct input *in)
{
	free(in);
}

int input_pending(const struct input *in)
{
	return in->npend > 0 && !in->in_paste;
}

static void emit_key(struct input *in, struct key k, const char *bytes, size_t len)
{
	struct input_event ev = { .type = INPUT_KEY, .key = k, .data = bytes, .len = len };

	in->cb(&ev, in->data);
}

static void emit_simple(struct input *in, enum input_type type)
{
	struct input_event ev = { .type = type };

	in->cb(&ev, in->data);
}

/* Length of the UTF-8 sequence starting with b (1 for invalid bytes). */
static size_t utf8_len(unsigned char b)
{
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if ((b & 0xf0) == 0xe0)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 1;
}

static uint32_t utf8_cp(const unsigned char *p, size_t n)
{
	uint32_t cp;

	if (n == 1)
		return p[0] >= 0x80 ? 0xfffd : p[0];
	cp = p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0xfffd;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	return cp;
}

static unsigned mods_from_param(unsigned m)
{
	unsigned mods = 0;

	if (m < 2)
		return 0;
	m -= 1;
	if (m & 1)
		mods |= KEYM_SHIFT;
	if (m & 2)
		mods |= KEYM_ALT;
	if (m & 4)
		mods |= KEYM_CTRL;
	return mods;
}

static uint32_t tilde_key(unsigned n)
{
	switch (n) {
	case 1: case 7: return KEYC_HOME;
	case 2: return KEYC_INSERT;
	case 3: return KEYC_DELETE;
	case 4: case 8: return KEYC_END;
	case 5: return KEYC_PAGEUP;
	case 6: return KEYC_PAGEDOWN;
	case 11: case 12: case 13: case 14: case 15: return KEYC_F1 + n - 11;
	case 17: case 18: case 19: case 20: case 21: return KEYC_F1 + 5 + n - 17;
	case 23: case 24: return KEYC_F1 + 10 + n - 23;
	}
	return KEYC_UNKNOWN;
}

static uint32_t letter_key(char c)
{
	switch (c) {
	case 'A': return KEYC_UP;
	case 'B': return KEYC_DOWN;
	case 'C': return KEYC_RIGHT;
	case 'D': return KEYC_LEFT;
	case 'H': return KEYC_HOME;
	case 'F': return KEYC_END;
	case 'P': case 'Q': case 'R': case 'S': return KEYC_F1 + (uint32_t)(c - 'P');
	case 'Z': return KEYC_BTAB;
	}
	return KEYC_UNKNOWN;
}

static void emit_mouse(struct input *in, unsigned b, unsigned x, unsigned y, int release)
{
	struct input_event ev = { .type = INPUT_MOUSE };
	struct mouse *m = &ev.mouse;

	m->x = (int)x - 1;
	m->y = (int)y - 1;
	m->mods = ((b & 4) ? KEYM_SHIFT : 0) | ((b & 8) ? KEYM_ALT : 0) | ((b & 16) ? KEYM_CTRL : 0);
	m->button = (int)(b & 3);
	if (b & 64) {
		if ((b & 3) > 1)
			return; /* horizontal wheel: not used */
		m->action = (b & 1) ? MOUSE_WHEEL_DOWN : MOUSE_WHEEL_UP;
		m->button = -1;
	} else if (b & 32) {
		m->action = (b & 3) == 3 ? MOUSE_MOTION : MOUSE_DRAG;
		if (m->action == MOUSE_MOTION)
			m->button = -1;
	} else if (release || (b & 3) == 3) {
		m->action = MOUSE_RELEASE;
		if ((b & 3) == 3)
			m->button = -1;
	} else {
		m->action = MOUSE_PRESS;
	}
	in->cb(&ev, in->data);
}

/*
 * Try to decode one event at p[0..len).  Returns the bytes used, 0 if more
 * bytes are needed to decide.
 */
static size_t decode(struct input *in, const char *s, size_t len, int final)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (p[0] != 0x1b) {
		n = utf8_len(p[0]);
		if (n > len) {
			if (!final)
				return 0;
			n = 1;
		}
		if (n == 1)
			emit_key(in, key_from_byte(p[0]), s, 1);
		else
			emit_key(in, (struct key){ utf8_cp(p, n), 0 }, s, n);
		return n;
	}
	if (len == 1) {
		if (!final)
			return 0;
		emit_key(in, key_from_byte(0x1b), s, 1);
		return 1;
	}
	if (p[1] == '[' || p[1] == 'O') {
		unsigned params[8] = { 0 };
		unsigned np = 0;
		char prefix = 0;
		size_t i = 2;

		if (p[1] == '[' && len > 2 && p[2] == 'M') {
			/* X10 mouse: ESC [ M b x y, each +32 */
			if (len < 6)
				return final ? (emit_key(in, (struct key){ KEYC_UNKNOWN, 0 }, s, len), len) : 0;
			unsigned b = p[3] - 32u;

			emit_mouse(in, b, p[4] - 32u, p[5] - 32u, 0);
			return 6;
		}
		if (p[1] == '[' && i < len && (p[i] == '<' || p[i] == '?' || p[i] == '>' || p[i] == '='))
			prefix = (char)p[i++];
		for (; i < len; i++) {
			if (p[i] >= '0' && p[i] <= '9') {
				if (np == 0)
					np = 1;
				if (np <= ARRAY_SIZE(params))
					params[np - 1] = MIN(params[np - 1] * 10 + (p[i] - '0'), 65535u);
			} else if (p[i] == ';' || p[i] == ':') {
				if (np == 0)
					np = 1;
				np++;
			} else {
				break;
			}
		}
		if (i >= len) {
			if (!final && len < MAX_SEQ)
				return 0;
			emit_key(in, (struct key){ KEYC_UNKNOWN, 0 }, s, len);
			return len;
		}
		if (p[i] < 0x20 || p[i] > 0x7e) { /* not a sequence after all */
			emit_key(in, (struct key){ KEYC_UNKNOWN, 0 }, s, i);
			return i;
		}
		n = i + 1;
		char f = (char)p[i];

		if (p[1] == 'O') {
			emit_key(in, (struct key){ letter_key(f), mods_from_param(np > 1 ? params[1] : 0) }, s, n);
			return n;
		}
		if (prefix == '<' && (f == 'M' || f == 'm') && np >= 3) {
			emit_mouse(in, params[0], params[1], params[2], f == 'm');
			return n;
		}
		if (prefix) {
			emit_key(in, (struct key){ KEYC_UNKNOWN, 0 }, s, n);
			return n;
		}
		if (f == '~' && np >= 1 && params[0] == 200) {
			in->in_paste = 1;
			emit_simple(in, INPUT_PASTE_BEGIN);
			return n;
		}
		if (f == '~' && np >= 1 && params[0] == 201)
			return n; /* a stray end of paste */
		if (f == 'I' && np == 0) {
			emit_simple(in, INPUT_FOCUS_IN);
			return n;
		}
		if (f == 'O' && np == 0) {
			emit_simple(in, INPUT_FOCUS_OUT);
			return n;
		}
		if (f == '~' && np >= 1) {
			emit_key(in, (struct key){ tilde_key(params[0]), mods_from_param(np > 1 ? params[1] : 0) }, s, n);
			return n;
		}
		if (f == 'u' && np >= 1) { /* CSI code ; mods u */
			struct key k = key_from_byte((unsigned char)MIN(params[0], 0x7fu));

			if (params[0] >= 0x80)
				k.code = params[0];
			k.mods |= mods_from_param(np > 1 ? params[1] : 0);
			emit_key(in, k, s, n);
			return n;
		}
		emit_key(in, (struct key){ letter_key(f), mods_from_param(np > 1 ? params[1] : 0) }, s, n);
		return n;
	}
	/* ESC + key: Alt */
	n = 1 + utf8_len(p[1]);
	if (n > len) {
		if (!final)
			return 0;
		n = 2;
	}
	struct key k = n == 2 ? key_from_byte(p[1]) : (struct key){ utf8_cp(p + 1, n - 1), 0 };

	k.mods |= KEYM_ALT;
	emit_key(in, k, s, n);
	return n;
}

/* During a paste: pass text up to the terminator; returns bytes used. */
static size_t paste_text(struct input *in, const char *s, size_t len)
{
	const size_t tl = sizeof(paste_end) - 1;
	struct input_event ev = { .type = INPUT_PASTE };
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != '\033')
			continue;
		size_t avail = len - i;

		if (avail >= tl && !memcmp(s + i, paste_end, tl)) {
			if (i) {
				ev.data = s, ev.len = i;
				in->cb(&ev, in->data);
			}
			in->in_paste = 0;
			emit_simple(in, INPUT_PASTE_END);
			return i + tl;
		}
		if (avail < tl && !memcmp(s + i, paste_end, avail))
			break; /* maybe the terminator, cut by the read */
	}
	if (i) {
		ev.data = s, ev.len = i;
		in->cb(&ev, in->data);
	}
	return i;
}

static void run(struct input *in, const char *s, size_t len, int final)
{
	size_t used;

	while (len) {
		if (in->in_paste) {
			used = paste_text(in, s, len);
			if (!used)
				break;
		} else {
			used = decode(in, s, len, final);
			if (!used)
				break;
		}
		s += used;
		len -= used;
	}
	/* keep what is left (at most MAX_SEQ bytes by construction) */
	if (len > sizeof(in->pend))
		BUG("input: %zu bytes left over", len);
	memmove(in->pend, s, len);
	in->npend = len;
}

void input_feed(struct input *in, const char *bytes, size_t len)
{
	char tmp[4096 + MAX_SEQ];

	while (len) {
		size_t take = MIN(len, (size_t)4096), n = in->npend;

		memcpy(tmp, in->pend, n);
		memcpy(tmp + n, bytes, take);
		in->npend = 0;
		run(in, tmp, n + take, 0);
		bytes += take;
		len -= take;
	}
}

void input_flush(struct input *in)
{
	char tmp[MAX_SEQ];
	size_t n = in->npend;

	memcpy(tmp, in->pend, n);
	in->npend = 0;
	run(in, tmp, n, 1);
}
