/*
 * vtscan.c - scanner of agent output ahead of libtsm; see vtscan.h.
 *
 * Follows the VT500 parser (https://vt100.net/emu/dec_ansi_parser) on code
 * points, as libtsm does: UTF-8 is decoded first, C1 controls (U+0080-009F)
 * act as controls, CAN/SUB abort a sequence and ESC starts a new one from any
 * state.  Bounded: CSI parameters beyond MAX_PARAMS are ignored, parameter
 * values saturate, a REP produces at most rep_limit characters, and the width
 * stand-in tables have a fixed capacity, after which a fixed stand-in is used.
 */
#define _GNU_SOURCE
#include "vtscan.h"

#include <libtsm.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../supervisor/buf.h"
#include "../supervisor/util.h"

#define MAX_PARAMS 32
#define PARAM_MAX 65535u

/* Stand-ins: libtsm gives every code point in these ranges the width named. */
#define WIDE_BASE 0x32000u
#define WIDE_CAP (0x3fffdu - WIDE_BASE)
#define NARROW_BASE 0xf0000u
#define NARROW_CAP (0xffffdu - NARROW_BASE)
#define WIDE_FALLBACK 0x3013u    /* GETA MARK: wide for libtsm and glibc */
#define NARROW_FALLBACK 0xfffdu

enum state {
	S_GROUND,
	S_ESC,
	S_ESC_INTER,
	S_CSI,
	S_CSI_IGNORE,
	S_OSC,    /* ends with BEL or ST */
	S_STRING, /* DCS, SOS, PM, APC: end with ST */
};

enum width_action {
	W_PASS,
	W_WIDE,   /* the system says 2, libtsm does not */
	W_NARROW, /* the system says 1 (or cannot print it), libtsm does not */
	W_DROP,   /* the system says 0, libtsm does not */
	W_ACTION_MASK = 3,
	W_IS_WIDE = 4, /* flag: two columns once reconciled */
};

struct submap {
	uint32_t *keys; /* open addressing; 0 = empty */
	uint32_t *vals;
	size_t cap, used;
	uint32_t *wide_orig, *narrow_orig;
	size_t nwide, nnarrow, wide_cap, narrow_cap;
};

struct vtscan {
	vtscan_out_cb out;
	void *out_data;
	vtscan_room_cb room;
	void *room_data;

	enum state state;
	unsigned modes;
	unsigned rep_limit;
	int margins;         /* a scroll region may be set */
	uint32_t last_print; /* as given to libtsm, for REP; 0: none */
	int last_wide;       /* last_print takes two columns */
	unsigned bells;

	/* CSI being parsed */
	char prefix;
	char inter;
	int ninter;
	unsigned params[MAX_PARAMS];
	int nparams; /* params[0..nparams) are complete or in progress */
	int param_started;
	int param_dropped; /* the one in progress is past MAX_PARAMS */

	/* UTF-8 decoder */
	uint32_t cp;
	int need;
	unsigned char pend[4]; /* bytes of a sequence begun in an earlier feed */
	int npend;

	/* the feed in progress */
	const char *buf;
	size_t start; /* first byte of buf not yet passed on */

	uint8_t *pages[0x110000 / 256];
	locale_t utf8;
	struct submap map;
};

struct vtscan *vtscan_new(vtscan_out_cb out, void *data)
{
	struct vtscan *vs = xcalloc(1, sizeof(*vs));

	vs->out = out;
	vs->out_data = data;
	vs->rep_limit = 65536;
	vs->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	return vs;
}

void vtscan_free(struct vtscan *vs)
{
	if (!vs)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(vs->pages); i++)
		free(vs->pages[i]);
	free(vs->map.keys);
	free(vs->map.vals);
	free(vs->map.wide_orig);
	free(vs->map.narrow_orig);
	if (vs->utf8)
		freelocale(vs->utf8);
	free(vs);
}

void vtscan_set_rep_limit(struct vtscan *vs, unsigned limit)
{
	vs->rep_limit = limit;
}

void vtscan_set_room_cb(struct vtscan *vs, vtscan_room_cb cb, void *data)
{
	vs->room = cb;
	vs->room_data = data;
}

unsigned vtscan_take_bells(struct vtscan *vs)
{
	unsigned n = vs->bells;

	vs->bells = 0;
	return n;
}

int vtscan_margins_set(const struct vtscan *vs)
{
	return vs->margins;
}

void vtscan_margins_reset(struct vtscan *vs)
{
	vs->margins = 0;
}

unsigned vtscan_modes(const struct vtscan *vs)
{
	return vs->modes;
}

static int in_standin_range(uint32_t cp)
{
	return (cp >= WIDE_BASE && cp <= 0x3fffd) || (cp >= NARROW_BASE && cp <= 0xffffd);
}

static uint8_t compute_action(struct vtscan *vs, uint32_t cp)
{
	int sys = -1;
	unsigned tsm = tsm_ucs4_get_width(cp);

	if (vs->utf8) {
		locale_t old = uselocale(vs->utf8);

		sys = wcwidth((wchar_t)cp);
		uselocale(old);
	}
	if (in_standin_range(cp)) /* the agent's own use of the ranges we borrow */
		return sys == 2 ? W_WIDE | W_IS_WIDE : W_NARROW;
	if (sys < 0) /* unprintable for us: drawn as U+FFFD, one column */
		return tsm == 2 ? W_NARROW : W_PASS;
	if ((unsigned)sys == tsm)
		return sys == 2 ? W_PASS | W_IS_WIDE : W_PASS;
	return sys == 2 ? W_WIDE | W_IS_WIDE : sys == 1 ? W_NARROW : W_DROP;
}

static unsigned width_action(struct vtscan *vs, uint32_t cp)
{
	uint8_t *page;

	if (cp > 0x10ffff) /* from F5-F7: one column in libtsm, U+FFFD when drawn */
		return W_PASS;
	page = vs->pages[cp >> 8];
	if (!page) {
		page = xmalloc(256);
		for (unsigned i = 0; i < 256; i++)
			page[i] = compute_action(vs, (cp & ~0xffu) | i);
		vs->pages[cp >> 8] = page;
	}
	return page[cp & 0xff];
}

static size_t hash_cp(uint32_t cp, size_t cap)
{
	return (cp * 2654435761u) & (cap - 1);
}

static void submap_insert(struct submap *m, uint32_t key, uint32_t val)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap) {
		uint32_t *ok = m->keys, *ov = m->vals;
		size_t ocap = m->cap;

		m->cap = ocap ? ocap * 2 : 256;
		m->keys = xcalloc(m->cap, sizeof(uint32_t));
		m->vals = xcalloc(m->cap, sizeof(uint32_t));
		m->used = 0;
		for (size_t k = 0; k < ocap; k++)
			if (ok[k])
				submap_insert(m, ok[k], ov[k]);
		free(ok);
		free(ov);
	}
	for (i = hash_cp(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = key;
	m->vals[i] = val;
	m->used++;
}

static uint32_t standin(struct vtscan *vs, uint32_t cp, int wide)
{
	struct submap *m = &vs->map;
	uint32_t sub;

	if (m->cap)
		for (size_t i = hash_cp(cp, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
			if (m->keys[i] == cp)
				return m->vals[i];
	if (wide) {
		if (m->nwide >= WIDE_CAP)
			return WIDE_FALLBACK;
		m->wide_orig = xgrow(m->wide_orig, &m->wide_cap, m->nwide + 1, sizeof(uint32_t));
		m->wide_orig[m->nwide] = cp;
		sub = WIDE_BASE + (uint32_t)m->nwide++;
	} else {
		if (m->nnarrow >= NARROW_CAP)
			return NARROW_FALLBACK;
		m->narrow_orig = xgrow(m->narrow_orig, &m->narrow_cap, m->nnarrow + 1, sizeof(uint32_t));
		m->narrow_orig[m->nnarrow] = cp;
		sub = NARROW_BASE + (uint32_t)m->nnarrow++;
	}
	submap_insert(m, cp, sub);
	return sub;
}

uint32_t vtscan_unmap(const struct vtscan *vs, uint32_t cp)
{
	if (cp < WIDE_BASE)
		return cp;
	if (cp >= WIDE_BASE && cp - WIDE_BASE < vs->map.nwide)
		return vs->map.wide_orig[cp - WIDE_BASE];
	if (cp >= NARROW_BASE && cp - NARROW_BASE < vs->map.nnarrow)
		return vs->map.narrow_orig[cp - NARROW_BASE];
	if (in_standin_range(cp)) /* never handed out: cannot come from a cell */
		return 0xfffd;
	return cp;
}

/* Pass on buf[start, upto), after any held bytes of a sequence. */
static void flush_to(struct vtscan *vs, size_t upto)
{
	if (vs->npend) {
		vs->out(vs->out_data, (const char *)vs->pend, (size_t)vs->npend);
		vs->npend = 0;
	}
	if (upto > vs->start)
		vs->out(vs->out_data, vs->buf + vs->start, upto - vs->start);
	vs->start = upto;
}

/* Replace the bytes [from, to) of buf (from == SIZE_MAX: begun in pend) by text. */
static void replace(struct vtscan *vs, size_t from, size_t to, const char *text, size_t len)
{
	if (from == SIZE_MAX) {
		vs->npend = 0; /* held bytes belong to the replaced sequence */
	} else {
		flush_to(vs, from);
	}
	if (len)
		vs->out(vs->out_data, text, len);
	vs->start = to;
}

static void set_mode(struct vtscan *vs, unsigned param, int on)
{
	static const struct {
		unsigned param;
		unsigned bit;
		unsigned exclusive; /* modes cleared when this one is set */
	} table[] = {
		{ 1, VT_MODE_APP_CURSOR, 0 },
		{ 9, VT_MODE_MOUSE_X10, VT_MODE_MOUSE_ANY_REPORTING },
		{ 1000, VT_MODE_MOUSE_NORMAL, VT_MODE_MOUSE_ANY_REPORTING },
		{ 1002, VT_MODE_MOUSE_BUTTON, VT_MODE_MOUSE_ANY_REPORTING },
		{ 1003, VT_MODE_MOUSE_ANY, VT_MODE_MOUSE_ANY_REPORTING },
		{ 1004, VT_MODE_FOCUS, 0 },
		{ 1005, VT_MODE_MOUSE_UTF8, VT_MODE_MOUSE_UTF8 | VT_MODE_MOUSE_SGR | VT_MODE_MOUSE_URXVT },
		{ 1006, VT_MODE_MOUSE_SGR, VT_MODE_MOUSE_UTF8 | VT_MODE_MOUSE_SGR | VT_MODE_MOUSE_URXVT },
		{ 1015, VT_MODE_MOUSE_URXVT, VT_MODE_MOUSE_UTF8 | VT_MODE_MOUSE_SGR | VT_MODE_MOUSE_URXVT },
		{ 2004, VT_MODE_BRACKETED_PASTE, 0 },
		{ 2026, VT_MODE_SYNC, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (table[i].param != param)
			continue;
		if (on)
			vs->modes = (vs->modes & ~table[i].exclusive) | table[i].bit;
		else
			vs->modes &= ~table[i].bit;
		return;
	}
}

static void emit_repeat(struct vtscan *vs, unsigned n)
{
	struct buf b = BUF_INIT;
	char one[4];
	size_t len;

	if (!vs->last_print || !n)
		return;
	buf_add_utf8(&b, vs->last_print);
	len = b.len;
	memcpy(one, b.data, len);
	buf_reset(&b);
	n = MIN(n, vs->rep_limit);
	if (vs->last_wide && vs->room) {
		/* each copy may need the padding print() gives at the edge */
		for (; n; n--) {
			if (vs->room(vs->room_data) == 1)
				vs->out(vs->out_data, " ", 1);
			vs->out(vs->out_data, one, len);
		}
	}
	while (n) {
		unsigned chunk = MIN(n, 1024u);

		for (unsigned i = 0; i < chunk; i++)
			buf_add(&b, one, len);
		vs->out(vs->out_data, b.data, b.len);
		buf_reset(&b);
		n -= chunk;
	}
	buf_release(&b);
}

/*
 * Abort the sequence whose final byte is buf[from, to) before libtsm acts on
 * it, and put text in its place.  CAN ends any sequence in libtsm's parser
 * without printing anything.
 */
static void neutralize(struct vtscan *vs, size_t from, size_t to, const char *text, size_t len)
{
	/* careful: from is SIZE_MAX when the final byte came as an overlong
	 * multi-byte sequence begun in an earlier feed (ESC SP F0 80 80 | B2) */
	replace(vs, from, to, "\030", 1);
	if (len)
		vs->out(vs->out_data, text, len);
}

/*
 * libtsm 4.0.2 ignores a CSI's prefix and intermediates and acts on the final
 * byte alone, so "CSI > 4 ; 2 m" (xterm's modifyOtherKeys) would underline
 * the text, "CSI ? 12 $ p" (a mode query) would reset the screen and
 * "CSI > 1 u" (kitty's keyboard protocol) would move the cursor.  Only the
 * forms libtsm implements reach it; the few standard ones it lacks are
 * rewritten into equivalents it has; everything else is dropped, as a
 * terminal does with sequences it does not know.
 */
static void csi_dispatch(struct vtscan *vs, uint32_t final, size_t from, size_t to)
{
	unsigned n = vs->nparams && vs->params[0] ? vs->params[0] : 1;
	char tmp[32];
	int len;

	if (vs->prefix == '?' && !vs->ninter && (final == 'h' || final == 'l')) {
		for (int i = 0; i < vs->nparams; i++)
			set_mode(vs, vs->params[i], final == 'h');
		return;
	}
	if (!vs->prefix && !vs->ninter) {
		switch (final) {
		case 'b': /* REP */
			neutralize(vs, from, to, NULL, 0);
			emit_repeat(vs, n);
			return;
		case 'E': /* CNL */
			len = snprintf(tmp, sizeof(tmp), "\r\033[%uB", n);
			neutralize(vs, from, to, tmp, (size_t)len);
			return;
		case 'F': /* CPL */
			len = snprintf(tmp, sizeof(tmp), "\r\033[%uA", n);
			neutralize(vs, from, to, tmp, (size_t)len);
			return;
		case 'a': /* HPR */
			len = snprintf(tmp, sizeof(tmp), "\033[%uC", n);
			neutralize(vs, from, to, tmp, (size_t)len);
			return;
		case '`': /* HPA */
			len = snprintf(tmp, sizeof(tmp), "\033[%uG", n);
			neutralize(vs, from, to, tmp, (size_t)len);
			return;
		case 'j': /* HPB */
			len = snprintf(tmp, sizeof(tmp), "\033[%uD", n);
			neutralize(vs, from, to, tmp, (size_t)len);
			return;
		case 'k': /* VPB */
			len = snprintf(tmp, sizeof(tmp), "\033[%uA", n);
			neutralize(vs, from, to, tmp, (size_t)len);
			return;
		case 'r': /* DECSTBM: without parameters, the whole screen */
			vs->margins = vs->nparams > 0 && (vs->params[0] > 1 || vs->nparams > 1);
			return;
		}
		return; /* libtsm's own */
	}
	if (vs->prefix == '?' && !vs->ninter && (final == 'J' || final == 'K' || final == 'n'))
		return; /* selective erase (as erase), extended cursor report */
	if (vs->prefix == '>' && !vs->ninter && final == 'c')
		return; /* secondary device attributes */
	if (!vs->prefix && vs->ninter == 1 && vs->inter == '!' && final == 'p') {
		vs->modes &= ~VT_MODE_APP_CURSOR; /* DECSTR, as xterm does */
		vs->margins = 0;
		return;
	}
	neutralize(vs, from, to, NULL, 0);
}

static void csi_enter(struct vtscan *vs)
{
	vs->state = S_CSI;
	vs->prefix = 0;
	vs->inter = 0;
	vs->ninter = 0;
	vs->nparams = 0;
	vs->param_started = 0;
	vs->param_dropped = 0;
}

static void print(struct vtscan *vs, uint32_t cp, size_t from, size_t to)
{
	unsigned w = cp < 0x80 ? W_PASS : width_action(vs, cp);
	enum width_action a = (enum width_action)(w & W_ACTION_MASK);
	struct buf b = BUF_INIT;
	uint32_t sub;

	if ((w & W_IS_WIDE) && vs->room) {
		/* libtsm must see everything before this character to say
		 * where its cursor is */
		if (from != SIZE_MAX)
			flush_to(vs, from);
		if (vs->room(vs->room_data) == 1)
			vs->out(vs->out_data, " ", 1);
	}

	if (a == W_PASS) {
		vs->last_print = cp;
		vs->last_wide = (w & W_IS_WIDE) != 0;
		return;
	}
	if (a == W_DROP) {
		replace(vs, from, to, NULL, 0);
		return;
	}
	sub = standin(vs, cp, a == W_WIDE);
	buf_add_utf8(&b, sub);
	replace(vs, from, to, b.data, b.len);
	buf_release(&b);
	vs->last_print = sub;
	vs->last_wide = (w & W_IS_WIDE) != 0;
}

/* One decoded code point, which took the bytes [from, to) of the feed. */
static void step(struct vtscan *vs, uint32_t cp, size_t from, size_t to)
{
	if (cp == 0x18 || cp == 0x1a) { /* CAN, SUB */
		vs->state = S_GROUND;
		return;
	}
	if (cp == 0x1b) {
		vs->state = S_ESC;
		vs->ninter = 0;
		return;
	}
	if (cp >= 0x80 && cp <= 0x9f) {
		switch (cp) {
		case 0x9b:
			csi_enter(vs);
			break;
		case 0x9d:
			vs->state = S_OSC;
			break;
		case 0x90: case 0x98: case 0x9e: case 0x9f:
			vs->state = S_STRING;
			break;
		default:
			vs->state = S_GROUND;
		}
		return;
	}

	switch (vs->state) {
	case S_GROUND:
		if (cp >= 0x20 && cp != 0x7f)
			print(vs, cp, from, to);
		else if (cp == 0x07)
			vs->bells++;
		break;
	case S_ESC:
		if (cp < 0x20)
			break; /* executed, stays */
		if (cp <= 0x2f) {
			vs->state = S_ESC_INTER;
			vs->inter = (char)cp;
			vs->ninter = 1;
			break;
		}
		vs->state = S_GROUND;
		switch (cp) {
		case '[':
			csi_enter(vs);
			break;
		case ']':
			vs->state = S_OSC;
			break;
		case 'P': case 'X': case '^': case '_':
			vs->state = S_STRING;
			break;
		case 'c': /* RIS */
			vs->modes = 0;
			vs->margins = 0;
			vs->last_print = 0;
			break;
		}
		break;
	case S_ESC_INTER:
		if (cp < 0x20)
			break;
		if (cp >= 0x7f) {
			vs->state = S_GROUND;
			break;
		}
		if (cp <= 0x2f) {
			vs->ninter++;
			break;
		}
		vs->state = S_GROUND;
		/* libtsm ignores intermediates here too (ESC # 8 would restore
		 * the cursor): only character set designations reach it */
		if (vs->ninter != 1 || !strchr("()*+-./", vs->inter) || !strchr("B0A12<", (int)cp))
			neutralize(vs, from, to, NULL, 0);
		break;
	case S_CSI:
		if (cp < 0x20)
			break;
		if (cp >= '0' && cp <= '9') {
			if (!vs->param_started) {
				vs->param_started = 1;
				/* careful: without this, the digits of parameters
				 * past the last one kept would add to it */
				vs->param_dropped = vs->nparams == MAX_PARAMS;
				if (!vs->param_dropped)
					vs->params[vs->nparams++] = 0;
			}
			if (!vs->param_dropped) {
				unsigned *p = &vs->params[vs->nparams - 1];

				*p = MIN(*p * 10 + (cp - '0'), PARAM_MAX);
			}
		} else if (cp == ';' || cp == ':') {
			if (!vs->param_started && vs->nparams < MAX_PARAMS)
				vs->params[vs->nparams++] = 0;
			vs->param_started = 0;
		} else if (cp >= '<' && cp <= '?') {
			if (vs->nparams || vs->prefix || vs->ninter)
				vs->state = S_CSI_IGNORE;
			else
				vs->prefix = (char)cp;
		} else if (cp >= 0x20 && cp <= 0x2f) {
			vs->inter = (char)cp;
			vs->ninter++;
		} else if (cp >= 0x40 && cp <= 0x7e) {
			vs->state = S_GROUND;
			csi_dispatch(vs, cp, from, to);
		} else {
			vs->state = S_CSI_IGNORE;
		}
		break;
	case S_CSI_IGNORE:
		if (cp >= 0x40 && cp <= 0x7e)
			vs->state = S_GROUND;
		break;
	case S_OSC:
		if (cp == 0x07)
			vs->state = S_GROUND;
		break;
	case S_STRING:
		break;
	}
}

void vtscan_feed(struct vtscan *vs, const char *bytes, size_t len)
{
	const unsigned char *p = (const unsigned char *)bytes;
	size_t seq_start = vs->need ? SIZE_MAX : 0; /* SIZE_MAX: began in pend */

	vs->buf = bytes;
	vs->start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (vs->need) {
			if ((c & 0xc0) == 0x80) {
				vs->cp = (vs->cp << 6) | (c & 0x3f);
				if (--vs->need == 0)
					step(vs, vs->cp, seq_start, i + 1);
				continue;
			}
			/*
			 * A broken sequence: libtsm shows U+FFFD for it and
			 * drops the byte that broke it.  So must we, or the two
			 * parsers part ways: after "\xcc\033" an ESC sequence
			 * would begin here and not in libtsm, which prints what
			 * follows, unreconciled.
			 */
			vs->need = 0;
			step(vs, 0xfffd, seq_start, i);
			continue;
		}
		if (c < 0x80) {
			/* fast path: a run of printable ASCII in the ground state */
			if (vs->state == S_GROUND && c >= 0x20 && c != 0x7f) {
				size_t j = i + 1;

				while (j < len && p[j] >= 0x20 && p[j] < 0x7f)
					j++;
				vs->last_print = p[j - 1];
				vs->last_wide = 0;
				i = j - 1;
				continue;
			}
			step(vs, c, i, i + 1);
		} else if ((c & 0xe0) == 0xc0) {
			/* as libtsm 4.0.2 reads them: C0 and C1 start (overlong)
			 * pairs, F5-F7 start quadruples, a stray continuation
			 * byte is ignored, and F8-FF are U+FFFD */
			vs->cp = c & 0x1f, vs->need = 1, seq_start = i;
		} else if ((c & 0xf0) == 0xe0) {
			vs->cp = c & 0x0f, vs->need = 2, seq_start = i;
		} else if ((c & 0xf8) == 0xf0) {
			vs->cp = c & 0x07, vs->need = 3, seq_start = i;
		} else if (c >= 0xf8) {
			step(vs, 0xfffd, i, i + 1);
		}
	}
	if (vs->need) {
		/* hold the start of the sequence until its end arrives */
		if (seq_start != SIZE_MAX) {
			flush_to(vs, seq_start);
			memcpy(vs->pend, p + seq_start, len - seq_start);
			vs->npend = (int)(len - seq_start);
		} else {
			/* the whole feed continues a sequence begun earlier */
			size_t add = MIN(len, sizeof(vs->pend) - (size_t)vs->npend);

			memcpy(vs->pend + vs->npend, p, add);
			vs->npend += (int)add;
		}
		vs->start = len;
	} else {
		flush_to(vs, len);
	}
	vs->buf = NULL;
}
