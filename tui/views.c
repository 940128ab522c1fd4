/*
 * views.c - status line, side panel, help window; see views.h.
 * Text that comes from the agent (argv, title, paths) is untrusted: it is
 * decoded as UTF-8, control characters and undecodable bytes are drawn as
 * '?', and every string is clipped to the columns it was given.
 */
#define _GNU_SOURCE
#include "views.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../supervisor/buf.h"
#include "../supervisor/util.h"
#include "vtscan.h"

#define pen_of views_pen
#define fill views_fill
#define put views_put

struct pen views_pen(const struct views *v, enum theme_element e)
{
	const struct theme_style *s = theme_style(v->theme, e);
	struct pen p = { 0, 0 };
	int bf, bb;
	int fg = colour_to_curses(s->fg, v->caps, &bf);
	int bg = colour_to_curses(s->bg, v->caps, &bb);

	if (fg >= 0 || bg >= 0) {
		p.pair = alloc_pair(fg, bg);
		if (p.pair < 0)
			p.pair = 0;
	}
	if ((s->attrs & THEME_BOLD) || bf)
		p.attr |= WA_BOLD;
	if (s->attrs & THEME_DIM)
		p.attr |= WA_DIM;
	if (s->attrs & THEME_ITALIC)
		p.attr |= WA_ITALIC;
	if (s->attrs & THEME_UNDERLINE)
		p.attr |= WA_UNDERLINE;
	if (s->attrs & THEME_REVERSE)
		p.attr |= WA_REVERSE;
	if (s->attrs & THEME_BLINK)
		p.attr |= WA_BLINK;
	return p;
}

void views_fill(WINDOW *w, int y, int x, int n, struct pen p)
{
	cchar_t cc;
	wchar_t sp[2] = { L' ', 0 };

	setcchar(&cc, sp, p.attr, 0, &p.pair);
	for (int i = 0; i < n; i++)
		mvwadd_wch(w, y, x + i, &cc);
}

/*
 * Draw s at (y, x), at most maxw columns; returns the columns used.  What
 * could be interpreted or hide something (control characters, bytes that
 * are not UTF-8, bidirectional overrides, zero-width characters) is drawn
 * escaped (text_visible), and so is a combining mark: every name is shown
 * as it is, never dropped.
 */
int views_put(WINDOW *w, int y, int x, int maxw, const char *s, struct pen p)
{
	char *vis = text_visible(s);
	const char *t = vis, *end = vis + strlen(vis);
	mbstate_t ps;
	int used = 0;

	memset(&ps, 0, sizeof(ps));
	while (t < end && used < maxw) {
		wchar_t wc[2] = { 0, 0 };
		size_t n = mbrtowc(&wc[0], t, (size_t)(end - t), &ps);
		int cw;
		cchar_t cc;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* not in this locale: text_visible left only UTF-8 */
			memset(&ps, 0, sizeof(ps));
			wc[0] = L'?';
			n = 1;
		}
		cw = wcwidth(wc[0]);
		if (cw <= 0) {
			char esc[16];
			int k = snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)wc[0]);

			if (used + k > maxw)
				break;
			for (int i = 0; i < k; i++) {
				wchar_t e[2] = { (wchar_t)esc[i], 0 };

				setcchar(&cc, e, p.attr, 0, &p.pair);
				mvwadd_wch(w, y, x + used++, &cc);
			}
			t += n;
			continue;
		}
		if (used + cw > maxw)
			break;
		setcchar(&cc, wc, p.attr, 0, &p.pair);
		mvwadd_wch(w, y, x + used, &cc);
		used += cw;
		t += n;
	}
	free(vis);
	return used;
}

void views_format_elapsed(uint64_t ns, char *out, size_t len)
{
	uint64_t s = ns / 1000000000u;

	if (s >= 3600)
		snprintf(out, len, "%u:%02u:%02u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	else
		snprintf(out, len, "%u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static void describe_state(const struct view_state *st, char *out, size_t len)
{
	if (st->running)
		snprintf(out, len, "running");
	else if (st->exit_signal)
		snprintf(out, len, "killed by %s", sigabbrev_np(st->exit_signal) ? sigabbrev_np(st->exit_signal) : "signal");
	else
		snprintf(out, len, "exited %d", st->exit_code);
}

void views_status(const struct views *v, WINDOW *w, const struct view_state *st)
{
	struct pen base = pen_of(v, TH_STATUS), name = pen_of(v, TH_STATUS_NAME);
	struct pen key = pen_of(v, TH_STATUS_KEY), alert = pen_of(v, TH_STATUS_ALERT);
	int cols = getmaxx(w), x = 0;
	char tmp[128], el[32];
	struct buf b = BUF_INIT;

	fill(w, 0, 0, cols, base);
	if (st->held && !st->prompt) {
		/* the call by its number (the keys decide that one), what it
		 * is, why it asks (or a message about the last key), the keys */
		/* just held: the line flashes in the alert colour */
		struct pen pr = pen_of(v, st->flash ? TH_STATUS_ALERT : TH_PROMPT);
		int kw = (int)strlen(st->held_keys) + (st->prefix_pending ? (int)strlen(st->prefix_name) + 4 : 0);
		char head[64];

		fill(w, 0, 0, cols, pr);
		if (st->frozen)
			x += put(w, 0, x, cols - x, " FROZEN ", alert);
		if (st->nheld > 1)
			snprintf(head, sizeof(head), " held #%u (+%zu waiting): ", st->held_n, st->nheld - 1);
		else
			snprintf(head, sizeof(head), " held #%u: ", st->held_n);
		x += put(w, 0, x, cols - x, head, pr);
		if (st->message) {
			/* what the last key did to this call, in its place for a while */
			x += put(w, 0, x, cols - x - kw - 2, st->message, pen_of(v, TH_MESSAGE));
		} else {
			x += put(w, 0, x, cols - x - kw - 2, st->held, pr);
		}
		if (!st->message && st->held_rule && cols - x > kw + 20) {
			char rule[128];

			snprintf(rule, sizeof(rule), "  [%s]", st->held_rule);
			x += put(w, 0, x, cols - x - kw - 2, rule, pr);
		}
		x = MAX(x + 1, cols - kw - 1);
		if (st->prefix_pending) {
			char s[64];

			snprintf(s, sizeof(s), " %s … ", st->prefix_name);
			x += put(w, 0, x, cols - x, s, alert);
		}
		put(w, 0, x, cols - x, st->held_keys, pen_of(v, TH_STATUS_KEY));
		return;
	}
	if (st->prompt) {
		struct pen pr = pen_of(v, TH_PROMPT);

		x += put(w, 0, x, cols, " ", pr);
		x += put(w, 0, x, cols - x, st->prompt, pr);
		put(w, 0, x, cols - x, " ", pr);
		return;
	}
	buf_addf(&b, " %s ", st->argv && st->argv[0] ? base_name(st->argv[0]) : "agent");
	x += put(w, 0, x, cols - x, b.data, name);
	buf_release(&b);

	describe_state(st, tmp, sizeof(tmp));
	views_format_elapsed(st->elapsed_ns, el, sizeof(el));
	if (st->running) {
		char s[200];

		snprintf(s, sizeof(s), " %s %s ", tmp, el);
		x += put(w, 0, x, cols - x, s, base);
	} else {
		char s[200];

		snprintf(s, sizeof(s), " %s ", tmp);
		x += put(w, 0, x, cols - x, s, (st->exit_code || st->exit_signal) ? alert : key);
	}
	if (!st->intercepting && st->pid > 0) {
		x += put(w, 0, x, cols - x, " NOT SUPERVISED ", alert);
	}
	if (st->frozen)
		x += put(w, 0, x, cols - x, " FROZEN ", alert);
	if (st->prefix_pending) {
		char s[64];

		snprintf(s, sizeof(s), " %s … ", st->prefix_name);
		x += put(w, 0, x, cols - x, s, alert);
	}
	if (st->scroll_mode || st->scroll_offset) {
		char s[64];

		snprintf(s, sizeof(s), " scrollback -%u ", st->scroll_offset);
		x += put(w, 0, x, cols - x, s, alert);
	}
	if (st->replay) {
		char label[32];

		snprintf(label, sizeof(label), " %s ", st->replay_label ? st->replay_label : "REPLAY");
		x += put(w, 0, x, cols - x, label, alert);
		x += put(w, 0, x, cols - x, " ", base);
		x += put(w, 0, x, cols - x, st->replay, base);
		if (!st->message)
			x += put(w, 0, x, cols - x,
				 st->replay_keys ? st->replay_keys
						 : " · Space play · +/- speed · [ ] step · Enter go to step · q quit",
				 key);
	} else if (st->focus) {
		/* the keys go to the panels, not to the agent: say so, and the main ones */
		x += put(w, 0, x, cols - x, " REVIEW ", alert);
		if (!st->message)
			x += put(w, 0, x, cols - x, " j/k step · Enter open · n/p file · Space diff · R rollback · r revert",
				 key);
	}
	if (st->message) {
		struct pen m = pen_of(v, TH_MESSAGE);

		x += put(w, 0, x, cols - x, " ", base);
		x += put(w, 0, x, cols - x, st->message, m);
	} else {
		char hint[96];
		int hw;

		snprintf(hint, sizeof(hint), "%s ? help ", st->prefix_name);
		hw = (int)strlen(hint);
		if (cols - x > hw + 1) {
			put(w, 0, cols - hw, hw, hint, key);
		}
	}
}

int views_facts(const struct views *v, WINDOW *w, const struct view_state *st, int compact)
{
	struct pen base = pen_of(v, TH_SIDE), title = pen_of(v, TH_SIDE_TITLE), vp = pen_of(v, TH_SIDE_VALUE);
	struct pen lp = pen_of(v, TH_SIDE_LABEL);
	int rows = getmaxy(w), cols = getmaxx(w), y = 0;
	char tmp[256], el[32];
	struct buf b = BUF_INIT;

	for (int r = 0; r < rows; r++)
		fill(w, r, 0, cols, base);
	/* a short screen keeps its rows for the steps and the diff */
	compact |= rows < 30;
	/* the agent: its command, then the facts in two lines */
	for (size_t i = 0; st->argv && st->argv[i]; i++) {
		const char *a = st->argv[i];

		if (i)
			buf_addch(&b, ' ');
		/* quoted as a shell would need it, so that words stay words */
		if (!*a || strpbrk(a, " \t'\"\\$`;&|<>()*?[]#~"))
			buf_addf(&b, "'%s'", a);
		else
			buf_addstr(&b, a);
	}
	put(w, y, 1, 6, "agent", title);
	put(w, y++, 7, cols - 8, b.data, vp);
	buf_release(&b);
	describe_state(st, tmp, sizeof(tmp));
	views_format_elapsed(st->elapsed_ns, el, sizeof(el));
	{
		char line[400];
		const char *home = getenv("HOME"), *cwd = st->cwd ? st->cwd : "";
		size_t hl = home ? strlen(home) : 0;

		snprintf(line, sizeof(line), "%s %s · pid %d", tmp, el, (int)st->pid);
		put(w, y++, 1, cols - 2, line, lp);
		if (hl > 1 && !strncmp(cwd, home, hl) && (cwd[hl] == '/' || !cwd[hl]))
			snprintf(line, sizeof(line), "%ux%u · ~%s", st->pane_cols, st->pane_rows, cwd + hl);
		else
			snprintf(line, sizeof(line), "%ux%u · %s", st->pane_cols, st->pane_rows, cwd);
		put(w, y++, 1, cols - 2, line, lp);
	}
	if (compact)
		return y;
	if (st->title && st->title[0])
		put(w, y++, 1, cols - 2, st->title, lp);
	tmp[0] = '\0';
	if (st->alt_screen)
		strcat(tmp, "full-screen ");
	if (st->modes & VT_MODE_BRACKETED_PASTE)
		strcat(tmp, "paste ");
	if (st->modes & VT_MODE_MOUSE_ANY_REPORTING)
		strcat(tmp, "mouse ");
	if (st->modes & VT_MODE_FOCUS)
		strcat(tmp, "focus ");
	if (tmp[0] && y < rows)
		put(w, y++, 1, cols - 2, tmp, lp);
	if (st->checkpoint && y < rows)
		put(w, y++, 1, cols - 2, st->checkpoint, st->checkpoint_failed ? pen_of(v, TH_STATUS_ALERT) : lp);
	if (st->sandbox && y < rows) {
		/* the kernel's boundary, or loudly its absence */
		int held = !strncmp(st->sandbox, "Landlock", 8);
		char *text = xasprintf("%s%s", held ? "sandbox " : "NO SANDBOX: ", st->sandbox);

		put(w, y++, 1, cols - 2, text, held ? lp : pen_of(v, TH_STATUS_ALERT));
		free(text);
	}
	if (st->limits && y < rows) {
		char *text = xasprintf("limits %s", st->limits);

		put(w, y++, 1, cols - 2, text, lp);
		free(text);
	}
	if ((st->profile || st->nwithheld) && y < rows) {
		/* who belay takes the agent for, and what it does not get */
		struct buf pb = BUF_INIT;
		const char *name = st->profile ? strrchr(st->profile, '/') : NULL;

		name = name ? name + 1 : st->profile;
		if (name) {
			buf_addf(&pb, "profile %.*s", (int)(strlen(name) - (strstr(name, ".profile") ? 8 : 0)), name);
			put(w, y++, 1, cols - 2, pb.data, lp);
			buf_reset(&pb);
		}
		if (st->nwithheld && y < rows) {
			buf_addf(&pb, "%zu variable%s withheld:", st->nwithheld, st->nwithheld > 1 ? "s" : "");
			for (size_t i = 0; i < st->nwithheld; i++)
				buf_addf(&pb, " %s", st->withheld[i]);
		}
		if (pb.len)
			put(w, y++, 1, cols - 2, pb.data, lp);
		buf_release(&pb);
	}
	if (st->ngrants && y < rows) {
		snprintf(tmp, sizeof(tmp), "grants (%zu): %s", st->ngrants, st->grant);
		put(w, y++, 1, cols - 2, tmp, lp);
	}
	if (!st->intercepting && st->pid > 0 && y < rows)
		put(w, y++, 1, cols - 2, "not supervised: no steps are seen", pen_of(v, TH_STATUS_ALERT));
	return MIN(y + 1, rows);
}

void views_border(const struct views *v, WINDOW *w, int dragging)
{
	struct pen p = pen_of(v, dragging ? TH_SELECTED : TH_BORDER);
	cchar_t cc;
	wchar_t line[2] = { 0x2502, 0 }; /* │ */

	setcchar(&cc, line, p.attr, 0, &p.pair);
	for (int y = 0; y < getmaxy(w); y++)
		mvwadd_wch(w, y, 0, &cc);
}

void views_scroll_badge(const struct views *v, WINDOW *pane, const struct view_state *st)
{
	char s[64];
	int n, cols = getmaxx(pane);

	if (!st->scroll_offset && !st->scroll_mode)
		return;
	n = snprintf(s, sizeof(s), "[-%u]", st->scroll_offset);
	if (n < cols)
		put(pane, 0, cols - n, n, s, pen_of(v, TH_SCROLL));
}

struct help_ctx {
	const struct views *v;
	WINDOW *w;
	int line; /* line of the whole help text */
	int top;  /* first line shown */
	const char *prefix;
	enum key_table table;
};

/* The row of the window for the next line of help, or -1 when not shown. */
static int help_row(struct help_ctx *h)
{
	int row = h->line++ - h->top + 1;

	return row >= 1 && row < getmaxy(h->w) - 1 ? row : -1;
}

static void help_binding(const struct key *k, enum action a, void *data)
{
	struct help_ctx *h = data;
	char name[64], keys[96];
	int cols = getmaxx(h->w), row = help_row(h);

	if (row < 0)
		return;
	key_format(k, name, sizeof(name));
	if (h->table == KT_PREFIX)
		snprintf(keys, sizeof(keys), "%s %s", h->prefix, name);
	else
		snprintf(keys, sizeof(keys), "%s", name);
	put(h->w, row, 2, 16, keys, pen_of(h->v, TH_HELP_KEY));
	put(h->w, row, 19, cols - 21, action_help(a), pen_of(h->v, TH_HELP));
}

static void count_binding(const struct key *k, enum action a, void *data)
{
	(void)k, (void)a;
	(*(int *)data)++;
}

int views_help_lines(const struct keymap *km)
{
	int n = 0;

	for (int t = 0; t < KT__COUNT; t++)
		keymap_each(km, (enum key_table)t, count_binding, &n);
	/* title, a blank and a heading per table, the closing line */
	return n + 1 + 2 * KT__COUNT + 1;
}

void views_help(const struct views *v, WINDOW *w, const struct keymap *km, int top)
{
	static const char *const headings[KT__COUNT] = {
		"without the prefix", "after the prefix", "in the scrollback",
		"in the review panels (after focus)",
	};
	struct pen base = pen_of(v, TH_HELP), title = pen_of(v, TH_HELP_TITLE);
	struct help_ctx h = { v, w, 0, top, NULL, KT_ROOT };
	char prefix[64], line[128];
	int rows = getmaxy(w), cols = getmaxx(w), row;

	key_format(keymap_prefix(km), prefix, sizeof(prefix));
	h.prefix = prefix;
	for (int r = 0; r < rows; r++)
		fill(w, r, 0, cols, base);
	snprintf(line, sizeof(line), "belay keys: all go to the agent but the prefix %s", prefix);
	put(w, 0, 1, cols - 2, line, title);
	for (int t = 0; t < KT__COUNT; t++) {
		help_row(&h); /* blank */
		if ((row = help_row(&h)) >= 0)
			put(w, row, 1, cols - 2, headings[t], title);
		h.table = (enum key_table)t;
		keymap_each(km, (enum key_table)t, help_binding, &h);
	}
	put(w, rows - 1, 1, cols - 2,
	    top > 0 || views_help_lines(km) > rows ? "arrows scroll, any other key closes this" : "any key closes this",
	    pen_of(v, TH_HELP_KEY));
}
