/*
 * termview.c - libtsm screen + vte behind vtscan, drawn into curses.
 *
 * Owns the libtsm objects and the scanner.  Drawing copies every cell each
 * frame and lets curses work out what changed on the outer terminal (the
 * frame rate is capped by the caller, so this is cheap).  The cursor is the
 * outer terminal's real cursor: libtsm's own (an inverted cell) is switched
 * off while drawing.  Key encoding follows xterm, see key.c; mouse encoding
 * follows xterm's ctlseqs, "Mouse Tracking".
 */
#define _GNU_SOURCE
#include "termview.h"

#include <libtsm.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../supervisor/util.h"
#include "vtscan.h"

#define TITLE_MAX 120

/* what libtsm 4.0.2 keeps a cell in (symbol, width, attributes, age), rounded up */
#define CELL_BYTES 32

struct termview {
	struct tsm_screen *screen;
	struct tsm_vte *vte;
	struct vtscan *scan;
	termview_write_cb write;
	void *write_data;
	unsigned rows, cols;
	unsigned history; /* scrollback lines asked for; fewer when wide lines would pass SB_BYTES */
	unsigned sb_offset;
	int in_paste;  /* a paste is being forwarded */
	int paste_bracketed;
	int selecting;
	int mouse_button_down; /* for X10/normal encodings of release */
	char title[TITLE_MAX + 1];
};

static void vte_write(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
	struct termview *tv = data;

	(void)vte;
	tv->write(tv->write_data, u8, len);
}

static void vte_osc(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
	struct termview *tv = data;
	size_t i, o = 0;

	(void)vte;
	/* "0;title" or "2;title": keep printable ASCII and UTF-8, no controls */
	if (len < 2 || (u8[0] != '0' && u8[0] != '2') || u8[1] != ';')
		return;
	for (i = 2; i < len && o < TITLE_MAX; i++) {
		unsigned char c = (unsigned char)u8[i];

		if (c >= 0x20 && c != 0x7f)
			tv->title[o++] = (char)c;
	}
	/* do not leave half a UTF-8 sequence at the end (cut at TITLE_MAX) */
	if (o) {
		size_t lead = o;

		while (lead && ((unsigned char)tv->title[lead - 1] & 0xc0) == 0x80)
			lead--;
		if (lead && (unsigned char)tv->title[lead - 1] >= 0xc0) {
			unsigned char c = (unsigned char)tv->title[lead - 1];
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (o - (lead - 1) < need)
				o = lead - 1;
		}
	}
	tv->title[o] = '\0';
}

static void scan_out(void *data, const char *bytes, size_t len)
{
	struct termview *tv = data;

	tsm_vte_input(tv->vte, bytes, len);
}

static unsigned room_left(void *data)
{
	struct termview *tv = data;
	unsigned x = tsm_screen_get_cursor_x(tv->screen);

	if (!(tsm_screen_get_flags(tv->screen) & TSM_SCREEN_AUTO_WRAP))
		return ~0u;
	return x >= tv->cols ? 0 : tv->cols - x;
}

struct termview *termview_new(unsigned rows, unsigned cols, unsigned history, termview_write_cb write,
			      void *data)
{
	struct termview *tv = xcalloc(1, sizeof(*tv));

	tv->write = write;
	tv->write_data = data;
	if (tsm_screen_new(&tv->screen, NULL, NULL) < 0)
		fatal("cannot create the terminal screen (libtsm): out of memory");
	if (tsm_vte_new(&tv->vte, tv->screen, vte_write, tv, NULL, NULL) < 0)
		fatal("cannot create the terminal parser (libtsm): out of memory");
	tsm_vte_set_osc_cb(tv->vte, vte_osc, tv);
	tv->scan = vtscan_new(scan_out, tv);
	vtscan_set_room_cb(tv->scan, room_left, tv);
	/* careful: libtsm starts at 80x24, and a smaller first size would push
	 * the rows it drops into the scrollback as blank lines */
	tv->history = history;
	termview_resize(tv, rows, cols);
	return tv;
}

void termview_free(struct termview *tv)
{
	if (!tv)
		return;
	tsm_vte_unref(tv->vte);
	tsm_screen_clear_sb(tv->screen); /* libtsm 4.0.2's unref leaks the scrollback */
	tsm_screen_unref(tv->screen);
	vtscan_free(tv->scan);
	free(tv);
}

void termview_feed(struct termview *tv, const char *bytes, size_t len)
{
	vtscan_feed(tv->scan, bytes, len);
}

struct blank_ctx {
	unsigned rows;
	unsigned char *used; /* per row: something is drawn in it */
};

static int blank_cell(struct tsm_screen *scr, uint64_t id, const uint32_t *ch, size_t len, unsigned width,
		      unsigned x, unsigned y, const struct tsm_screen_attr *a, tsm_age_t age, void *data)
{
	struct blank_ctx *b = data;

	(void)scr, (void)id, (void)ch, (void)width, (void)x, (void)age;
	if (y < b->rows && (len || a->inverse || a->bccode != TSM_COLOR_BACKGROUND))
		b->used[y] = 1;
	return 0;
}

/*
 * libtsm 4.0.2 shrinks a screen by scrolling it up, so a prompt at the top
 * with blank rows under it would vanish into the scrollback.  Terminals
 * (tmux, xterm) drop blank rows below the cursor first.  So: scroll those
 * rows off the bottom, and move the cursor with its line, so that libtsm's
 * scroll takes the blank rows that took their place at the top.  Careful:
 * on the main screen those go into the scrollback as blank lines, the price
 * of keeping the screen.  Not done inside a scroll region, where SD would
 * not move the whole screen.
 */
static void keep_top_when_shrinking(struct termview *tv, unsigned rows)
{
	struct blank_ctx b = { tv->rows, NULL };
	unsigned cy = tsm_screen_get_cursor_y(tv->screen), k = 0;

	if (rows >= tv->rows || vtscan_margins_set(tv->scan) || tv->sb_offset)
		return;
	b.used = xcalloc(tv->rows, 1);
	tsm_screen_draw(tv->screen, blank_cell, &b);
	while (k < tv->rows - rows && tv->rows - 1 - k > cy && !b.used[tv->rows - 1 - k])
		k++;
	free(b.used);
	if (!k)
		return;
	/* the screen's own calls: the parser may be in the middle of a
	 * sequence that the next read completes */
	tsm_screen_scroll_down(tv->screen, k);
	tsm_screen_move_down(tv->screen, k, false);
}

void termview_resize(struct termview *tv, unsigned rows, unsigned cols)
{
	rows = MAX(rows, 1u);
	cols = MAX(cols, 1u);
	if (rows == tv->rows && cols == tv->cols)
		return;
	if (tv->rows)
		keep_top_when_shrinking(tv, rows);
	vtscan_margins_reset(tv->scan); /* libtsm (and xterm) drop it on resize */
	if (tsm_screen_resize(tv->screen, cols, rows) < 0)
		fatal("cannot resize the terminal screen to %ux%u: out of memory", cols, rows);
	tv->rows = rows;
	tv->cols = cols;
	vtscan_set_rep_limit(tv->scan, MAX(rows * cols, 4096u));
	/* the scrollback in bytes: each line holds a cell a column */
	tsm_screen_set_max_sb(tv->screen, MIN(tv->history, (unsigned)(TERMVIEW_SB_BYTES / ((size_t)cols * CELL_BYTES))));
}

unsigned termview_rows(const struct termview *tv)
{
	return tv->rows;
}

unsigned termview_cols(const struct termview *tv)
{
	return tv->cols;
}

unsigned termview_modes(const struct termview *tv)
{
	return vtscan_modes(tv->scan);
}

int termview_alt_screen(const struct termview *tv)
{
	return (tsm_screen_get_flags(tv->screen) & TSM_SCREEN_ALTERNATE) != 0;
}

const char *termview_title(const struct termview *tv)
{
	return tv->title;
}

unsigned termview_take_bells(struct termview *tv)
{
	return vtscan_take_bells(tv->scan);
}

/* ---- drawing ---- */

struct draw_ctx {
	struct termview *tv;
	WINDOW *win;
	const struct colour_caps *caps;
	/* one-entry cache: cells in a row mostly share colours */
	int last_fg, last_bg, last_pair;
	attr_t last_bright;
};

static int cell_colour(int8_t code, uint8_t r, uint8_t g, uint8_t b, int is_fg)
{
	(void)is_fg;
	if (code == TSM_COLOR_FOREGROUND || code == TSM_COLOR_BACKGROUND)
		return COLOUR_DEFAULT;
	if (code >= 0 && code < 16)
		return code;
	return COLOUR_MAKE_RGB(r, g, b);
}

static int draw_cell(struct tsm_screen *scr, uint64_t id, const uint32_t *ch, size_t len, unsigned width,
		     unsigned x, unsigned y, const struct tsm_screen_attr *a, tsm_age_t age, void *data)
{
	struct draw_ctx *d = data;
	attr_t attrs = 0;
	wchar_t wc[2] = { L' ', 0 };
	cchar_t cc;
	int fg, bg;

	(void)scr;
	(void)id;
	(void)age;
	if (width == 0 || y >= d->tv->rows || x >= d->tv->cols)
		return 0;
	fg = cell_colour(a->fccode, a->fr, a->fg, a->fb, 1);
	bg = cell_colour(a->bccode, a->br, a->bg, a->bb, 0);
	if (fg != d->last_fg || bg != d->last_bg) {
		int bright_fg, bright_bg;
		int cf = colour_to_curses(fg, d->caps, &bright_fg);
		int cb = colour_to_curses(bg, d->caps, &bright_bg);

		d->last_fg = fg;
		d->last_bg = bg;
		d->last_pair = (cf < 0 && cb < 0) ? 0 : alloc_pair(cf, cb);
		if (d->last_pair < 0)
			d->last_pair = 0;
		d->last_bright = bright_fg ? WA_BOLD : 0;
	}
	attrs |= d->last_bright;
	if (a->bold)
		attrs |= WA_BOLD;
	if (a->italic)
		attrs |= WA_ITALIC;
	if (a->underline)
		attrs |= WA_UNDERLINE;
	if (a->blink)
		attrs |= WA_BLINK;
	if (a->inverse)
		attrs |= WA_REVERSE;

	if (len) {
		uint32_t cp = vtscan_unmap(d->tv->scan, ch[0]);
		int w = wcwidth((wchar_t)cp);

		if (w == (int)width)
			wc[0] = (wchar_t)cp;
		else
			wc[0] = 0xfffd; /* one column; padded below */
		if (width == 2 && x + 1 >= d->tv->cols)
			wc[0] = L' '; /* a wide glyph cut by the right edge */
	}
	setcchar(&cc, wc, attrs, 0, &d->last_pair);
	mvwadd_wch(d->win, (int)y, (int)x, &cc);
	if (width == 2 && wc[0] == 0xfffd && x + 1 < d->tv->cols) {
		wc[0] = L' ';
		setcchar(&cc, wc, attrs, 0, &d->last_pair);
		mvwadd_wch(d->win, (int)y, (int)x + 1, &cc);
	}
	return 0;
}

void termview_draw(struct termview *tv, WINDOW *win, const struct colour_caps *caps)
{
	struct draw_ctx d = { tv, win, caps, -2, -2, 0, 0 };
	unsigned flags = tsm_screen_get_flags(tv->screen);

	/* libtsm marks its cursor by inverting a cell; we show the real one */
	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_set_flags(tv->screen, TSM_SCREEN_HIDE_CURSOR);
	tsm_screen_draw(tv->screen, draw_cell, &d);
	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_reset_flags(tv->screen, TSM_SCREEN_HIDE_CURSOR);
}

int termview_cursor(const struct termview *tv, unsigned *x, unsigned *y)
{
	if (tv->sb_offset || (tsm_screen_get_flags(tv->screen) & TSM_SCREEN_HIDE_CURSOR))
		return 0;
	*x = MIN(tsm_screen_get_cursor_x(tv->screen), tv->cols - 1);
	*y = MIN(tsm_screen_get_cursor_y(tv->screen), tv->rows - 1);
	return 1;
}

struct text_ctx {
	struct termview *tv;
	unsigned row;
	struct buf *out;
	uint64_t hash;
};

static int text_cell(struct tsm_screen *scr, uint64_t id, const uint32_t *ch, size_t len, unsigned width,
		     unsigned x, unsigned y, const struct tsm_screen_attr *a, tsm_age_t age, void *data)
{
	struct text_ctx *t = data;

	(void)scr, (void)id, (void)x, (void)a, (void)age;
	if (y != t->row || width == 0)
		return 0;
	buf_add_utf8(t->out, len ? vtscan_unmap(t->tv->scan, ch[0]) : ' ');
	return 0;
}

void termview_row_text(struct termview *tv, unsigned y, struct buf *out)
{
	struct text_ctx t = { tv, y, out, 0 };
	unsigned flags = tsm_screen_get_flags(tv->screen);

	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_set_flags(tv->screen, TSM_SCREEN_HIDE_CURSOR);
	tsm_screen_draw(tv->screen, text_cell, &t);
	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_reset_flags(tv->screen, TSM_SCREEN_HIDE_CURSOR);
}

/* ---- input for the agent ---- */

static void to_agent(struct termview *tv, const char *bytes, size_t len)
{
	if (len)
		tv->write(tv->write_data, bytes, len);
}

void termview_key(struct termview *tv, const struct key *k, const char *raw, size_t rawlen)
{
	struct buf b = BUF_INIT;

	/* Keys whose bytes depend on the agent's modes or on the outer
	 * terminal's dialect are re-encoded; text and unknown sequences pass. */
	if (k->code >= KEYC_BASE && k->code != KEYC_UNKNOWN && k->code != KEYC_ENTER &&
	    k->code != KEYC_TAB && k->code != KEYC_ESCAPE && k->code != KEYC_BSPACE) {
		key_encode(k, (vtscan_modes(tv->scan) & VT_MODE_APP_CURSOR) != 0, &b);
		to_agent(tv, b.data, b.len);
	} else if (rawlen) {
		to_agent(tv, raw, rawlen);
	} else {
		key_encode(k, 0, &b);
		to_agent(tv, b.data, b.len);
	}
	buf_release(&b);
}

void termview_paste_begin(struct termview *tv)
{
	tv->in_paste = 1;
	tv->paste_bracketed = (vtscan_modes(tv->scan) & VT_MODE_BRACKETED_PASTE) != 0;
	if (tv->paste_bracketed)
		to_agent(tv, "\033[200~", 6);
}

void termview_paste(struct termview *tv, const char *text, size_t len)
{
	struct buf b = BUF_INIT;

	/* Pasted text is text: control characters other than tab and line
	 * ends are dropped, so a paste cannot end the bracket or type keys. */
	buf_grow(&b, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c >= 0x20 && c != 0x7f) || c == '\t' || c == '\r')
			buf_addch(&b, (char)c);
		else if (c == '\n')
			buf_addch(&b, '\r');
	}
	to_agent(tv, b.data, b.len);
	buf_release(&b);
}

void termview_paste_end(struct termview *tv)
{
	if (tv->in_paste && tv->paste_bracketed)
		to_agent(tv, "\033[201~", 6);
	tv->in_paste = 0;
}

void termview_paste_text(struct termview *tv, const char *text, size_t len)
{
	termview_paste_begin(tv);
	termview_paste(tv, text, len);
	termview_paste_end(tv);
}

void termview_focus(struct termview *tv, int in)
{
	if (vtscan_modes(tv->scan) & VT_MODE_FOCUS)
		to_agent(tv, in ? "\033[I" : "\033[O", 3);
}

int termview_mouse(struct termview *tv, const struct mouse *m)
{
	unsigned modes = vtscan_modes(tv->scan);
	struct buf b = BUF_INIT;
	unsigned cb;
	int release = m->action == MOUSE_RELEASE;

	if (!(modes & VT_MODE_MOUSE_ANY_REPORTING))
		return 0;
	if (m->x < 0 || m->y < 0 || (unsigned)m->x >= tv->cols || (unsigned)m->y >= tv->rows)
		return 1; /* outside the pane: the agent asked, but not for this */
	switch (m->action) {
	case MOUSE_PRESS:
		cb = (unsigned)m->button;
		break;
	case MOUSE_RELEASE:
		if (modes & VT_MODE_MOUSE_X10)
			return 1;
		cb = (modes & VT_MODE_MOUSE_SGR) && m->button >= 0 ? (unsigned)m->button : 3;
		break;
	case MOUSE_DRAG:
		if (!(modes & (VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_ANY)))
			return 1;
		cb = 32 + (unsigned)MAX(m->button, 0);
		break;
	case MOUSE_MOTION:
		if (!(modes & VT_MODE_MOUSE_ANY))
			return 1;
		cb = 32 + 3;
		break;
	case MOUSE_WHEEL_UP:
		if (modes & VT_MODE_MOUSE_X10)
			return 1;
		cb = 64;
		break;
	case MOUSE_WHEEL_DOWN:
		if (modes & VT_MODE_MOUSE_X10)
			return 1;
		cb = 65;
		break;
	default:
		return 1;
	}
	if (!(modes & VT_MODE_MOUSE_X10))
		cb |= ((m->mods & KEYM_SHIFT) ? 4 : 0) | ((m->mods & KEYM_ALT) ? 8 : 0) |
		      ((m->mods & KEYM_CTRL) ? 16 : 0);

	if (modes & VT_MODE_MOUSE_SGR) {
		buf_addf(&b, "\033[<%u;%d;%d%c", cb, m->x + 1, m->y + 1, release ? 'm' : 'M');
	} else if (modes & VT_MODE_MOUSE_URXVT) {
		buf_addf(&b, "\033[%u;%d;%dM", cb + 32, m->x + 1, m->y + 1);
	} else if (modes & VT_MODE_MOUSE_UTF8) {
		buf_addstr(&b, "\033[M");
		buf_add_utf8(&b, cb + 32);
		buf_add_utf8(&b, (unsigned)m->x + 33);
		buf_add_utf8(&b, (unsigned)m->y + 33);
	} else {
		if (m->x > 222 || m->y > 222) { /* not representable in one byte */
			buf_release(&b);
			return 1;
		}
		buf_addf(&b, "\033[M%c%c%c", (char)(cb + 32), (char)(m->x + 33), (char)(m->y + 33));
	}
	to_agent(tv, b.data, b.len);
	buf_release(&b);
	return 1;
}

/* ---- scrollback ---- */

/*
 * Move the view up one line; 1 if it moved.  libtsm 4.0.2 does not say where
 * the view is, and two views can look alike (a run of blank or equal lines),
 * so ask its selection, which is anchored to lines: from the top line before
 * the move to the top line after it, the copy holds a line end only if the
 * view moved.  Careful: this takes over the selection.
 */
static int sb_up_one(struct termview *tv)
{
	char *text = NULL;
	int n, moved;

	tsm_screen_selection_start(tv->screen, 0, 0);
	tsm_screen_sb_up(tv->screen, 1);
	tsm_screen_selection_target(tv->screen, 0, 0);
	n = tsm_screen_selection_copy(tv->screen, &text);
	moved = n > 0 && text && memchr(text, '\n', (size_t)n);
	free(text);
	tsm_screen_selection_reset(tv->screen);
	return moved;
}

unsigned termview_scroll(struct termview *tv, int n)
{
	if (termview_alt_screen(tv))
		return tv->sb_offset = 0;
	if (n > 0)
		termview_select_clear(tv);
	while (n > 0 && sb_up_one(tv)) {
		tv->sb_offset++;
		n--;
	}
	while (n < 0 && tv->sb_offset) {
		tsm_screen_sb_down(tv->screen, 1);
		tv->sb_offset--;
		n++;
	}
	/* output while scrolled back pushed the live screen further down than
	 * the moves counted: at 0, really go back to it */
	if (!tv->sb_offset)
		tsm_screen_sb_reset(tv->screen);
	return tv->sb_offset;
}

void termview_scroll_reset(struct termview *tv)
{
	tsm_screen_sb_reset(tv->screen);
	tv->sb_offset = 0;
}

unsigned termview_scroll_offset(const struct termview *tv)
{
	return tv->sb_offset;
}

/* ---- selection ---- */

void termview_select_start(struct termview *tv, unsigned x, unsigned y)
{
	tsm_screen_selection_start(tv->screen, x, y);
	tv->selecting = 1;
}

void termview_select_to(struct termview *tv, unsigned x, unsigned y)
{
	if (tv->selecting)
		tsm_screen_selection_target(tv->screen, x, y);
}

void termview_select_clear(struct termview *tv)
{
	if (tv->selecting)
		tsm_screen_selection_reset(tv->screen);
	tv->selecting = 0;
}

int termview_selecting(const struct termview *tv)
{
	return tv->selecting;
}

char *termview_select_copy(struct termview *tv)
{
	char *raw = NULL;
	int n;
	struct buf b = BUF_INIT;
	mbstate_t ps;
	size_t i = 0;
	int after_wide = 0;

	if (!tv->selecting)
		return NULL;
	n = tsm_screen_selection_copy(tv->screen, &raw);
	if (n <= 0 || !raw) {
		free(raw);
		return NULL;
	}
	/*
	 * The selection holds stand-ins for some characters: give the
	 * originals.  libtsm writes NUL for the right half of a wide character
	 * (dropped here) and for cells never written (blanks).
	 */
	memset(&ps, 0, sizeof(ps));
	while (i < (size_t)n) {
		const unsigned char *p = (const unsigned char *)raw + i;
		uint32_t cp;
		size_t l;

		if (p[0] < 0x80) {
			if (p[0] == '\n') /* no padding before a line end */
				while (b.len && b.data[b.len - 1] == ' ')
					b.len--;
			if (p[0] || !after_wide)
				buf_addch(&b, p[0] ? (char)p[0] : ' ');
			after_wide = 0;
			i++;
			continue;
		}
		l = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 1;
		if (i + l > (size_t)n || l == 1) {
			i++;
			continue;
		}
		cp = p[0] & (0x7f >> l);
		for (size_t k = 1; k < l; k++)
			cp = (cp << 6) | (p[k] & 0x3f);
		after_wide = tsm_ucs4_get_width(cp) == 2;
		buf_add_utf8(&b, vtscan_unmap(tv->scan, cp));
		i += l;
	}
	free(raw);
	/* libtsm pads lines with blanks; trailing ones are noise */
	while (b.len && b.data[b.len - 1] == ' ')
		b.len--;
	b.data[b.len] = '\0';
	return buf_detach(&b, NULL);
}

/* ---- keyframes ---- */

struct snap_ctx {
	struct termview *tv;
	struct buf *out;
	unsigned x, y;       /* where the next character goes */
	struct tsm_screen_attr attr; /* the attributes in force */
	int have_attr;
};

static int same_attr(const struct tsm_screen_attr *a, const struct tsm_screen_attr *b)
{
	return a->fccode == b->fccode && a->bccode == b->bccode && a->fr == b->fr && a->fg == b->fg &&
	       a->fb == b->fb && a->br == b->br && a->bg == b->bg && a->bb == b->bb && a->bold == b->bold &&
	       a->italic == b->italic && a->underline == b->underline && a->blink == b->blink &&
	       a->inverse == b->inverse;
}

static void snap_colour(char *s, size_t n, int fg, int8_t code, uint8_t r, uint8_t g, uint8_t b)
{
	if (code == TSM_COLOR_FOREGROUND || code == TSM_COLOR_BACKGROUND)
		snprintf(s, n, ";%d", fg ? 39 : 49);
	else if (code >= 0 && code < 8)
		snprintf(s, n, ";%d", (fg ? 30 : 40) + code);
	else if (code >= 8 && code < 16)
		snprintf(s, n, ";%d", (fg ? 90 : 100) + code - 8);
	else
		snprintf(s, n, ";%d;2;%u;%u;%u", fg ? 38 : 48, r, g, b);
}

static int snap_cell(struct tsm_screen *scr, uint64_t id, const uint32_t *ch, size_t len, unsigned width,
		     unsigned x, unsigned y, const struct tsm_screen_attr *a, tsm_age_t age, void *data)
{
	struct snap_ctx *c = data;
	char sgr[96], fg[24], bg[24];
	uint32_t cp = len ? vtscan_unmap(c->tv->scan, ch[0]) : ' ';

	(void)scr, (void)id, (void)age;
	if (width == 0 || y >= c->tv->rows || x >= c->tv->cols)
		return 0;
	/* an empty cell in the default colours: what the empty screen has already */
	if (!len && a->bccode == TSM_COLOR_BACKGROUND && !a->inverse && !a->underline)
		return 0;
	if (x != c->x || y != c->y)
		buf_addf(c->out, "\033[%u;%uH", y + 1, x + 1);
	/* careful: this runs for every cell of the screen: formatting only when the attributes change */
	if (!c->have_attr || !same_attr(a, &c->attr)) {
		snap_colour(fg, sizeof(fg), 1, a->fccode, a->fr, a->fg, a->fb);
		snap_colour(bg, sizeof(bg), 0, a->bccode, a->br, a->bg, a->bb);
		snprintf(sgr, sizeof(sgr), "\033[0%s%s%s%s%s%s%sm", a->bold ? ";1" : "", a->italic ? ";3" : "",
			 a->underline ? ";4" : "", a->blink ? ";5" : "", a->inverse ? ";7" : "", fg, bg);
		buf_addstr(c->out, sgr);
		c->attr = *a;
		c->have_attr = 1;
	}
	/* a control character never goes out as one */
	buf_add_utf8(c->out, cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? ' ' : cp);
	c->x = x + width;
	c->y = y;
	/* careful: at the last column the terminal's cursor waits there; say where the next one goes */
	if (c->x >= c->tv->cols)
		c->x = (unsigned)-1;
	return 0;
}

void termview_snapshot(struct termview *tv, struct buf *out)
{
	struct snap_ctx c = { .tv = tv, .out = out };
	unsigned flags = tsm_screen_get_flags(tv->screen);

	buf_addstr(out, "\033[0m\033[H\033[2J");
	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_set_flags(tv->screen, TSM_SCREEN_HIDE_CURSOR);
	tsm_screen_draw(tv->screen, snap_cell, &c);
	if (!(flags & TSM_SCREEN_HIDE_CURSOR))
		tsm_screen_reset_flags(tv->screen, TSM_SCREEN_HIDE_CURSOR);
	buf_addf(out, "\033[0m\033[%u;%uH%s", MIN(tsm_screen_get_cursor_y(tv->screen), tv->rows - 1) + 1,
		 MIN(tsm_screen_get_cursor_x(tv->screen), tv->cols - 1) + 1, flags & TSM_SCREEN_HIDE_CURSOR ? "\033[?25l" : "");
}

void termview_reset(struct termview *tv)
{
	tsm_vte_hard_reset(tv->vte);
	tsm_screen_erase_screen(tv->screen, false);
	tsm_screen_clear_sb(tv->screen);
	tv->sb_offset = 0;
	tv->title[0] = 0;
}
