/* panel.c - the review panels: held calls, timeline, files and diff; see panel.h. */
#define _GNU_SOURCE
#include "panel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../supervisor/util.h"
#include "fit.h"

#define pen_of views_pen
#define put views_put
#define fill views_fill

#define WORD_RUN_MAX 400 /* lines of a removed/added run paired for word highlighting, at most */

void panel_size(uint64_t bytes, char *out, size_t len)
{
	if (bytes < 1024)
		snprintf(out, len, "%llu B", (unsigned long long)bytes);
	else if (bytes < 1024 * 1024)
		snprintf(out, len, "%.1f KB", (double)bytes / 1024);
	else
		snprintf(out, len, "%.1f MB", (double)bytes / (1024 * 1024));
}

/* ---- the timeline as shown: steps, folded bookkeeping, expanded programs ---- */

enum row_kind { ROW_STEP, ROW_QUIET, ROW_PROC, ROW_PATH };

struct row {
	enum row_kind kind;
	size_t i;      /* the step's index in the model */
	size_t j;      /* ROW_QUIET: how many steps; ROW_PROC/ROW_PATH: which */
};

struct rows {
	struct row *r;
	size_t n, cap;
};

static void add_row(struct rows *rs, enum row_kind kind, size_t i, size_t j)
{
	rs->r = xgrow(rs->r, &rs->cap, rs->n + 1, sizeof(*rs->r));
	rs->r[rs->n++] = (struct row){ kind, i, j };
}

static void build_rows(const struct model *m, int show_quiet, unsigned expanded, struct rows *rs)
{
	for (size_t i = 0; i < m->nsteps; i++) {
		const struct step_row *s = &m->steps[i];

		if (s->quiet && !show_quiet) {
			size_t k = i;

			while (k < m->nsteps && m->steps[k].quiet)
				k++;
			add_row(rs, ROW_QUIET, i, k - i);
			i = k - 1;
			continue;
		}
		add_row(rs, ROW_STEP, i, 0);
		if (s->id != expanded)
			continue;
		if (s->edit)
			for (size_t j = 0; j < s->npaths; j++)
				add_row(rs, ROW_PATH, i, j);
		else
			for (size_t j = 1; j < s->nprocs; j++)
				add_row(rs, ROW_PROC, i, j);
	}
}

/* The row that shows step id (a folded one: its group), or n. */
static size_t row_of(const struct model *m, const struct rows *rs, unsigned id)
{
	for (size_t k = 0; k < rs->n; k++) {
		const struct row *r = &rs->r[k];

		if (r->kind == ROW_STEP && m->steps[r->i].id == id)
			return k;
		if (r->kind == ROW_QUIET && id >= m->steps[r->i].id && id <= m->steps[r->i + r->j - 1].id)
			return k;
	}
	return rs->n;
}

unsigned panel_move(const struct model *m, int show_quiet, unsigned sel, int delta)
{
	struct rows rs = { 0 };
	size_t at;
	unsigned out = sel;

	build_rows(m, show_quiet, 0, &rs);
	if (!rs.n) {
		free(rs.r);
		return 0;
	}
	at = sel ? row_of(m, &rs, sel) : rs.n - 1;
	if (at == rs.n)
		at = rs.n - 1;
	if (!sel && delta < 0)
		delta++; /* from following the newest, up selects the newest */
	if (delta < 0)
		at = (size_t)-delta > at ? 0 : at - (size_t)-delta;
	else
		at = MIN(at + (size_t)delta, rs.n - 1);
	out = m->steps[rs.r[at].i].id;
	free(rs.r);
	return out;
}

static const char *state_mark(const struct step_row *s)
{
	/* one column each in every terminal (no emoji: their width varies) */
	if (s->undo != UNDO_NONE)
		return "↶";
	switch (s->state) {
	case STEP_RUNNING:
		return "›";
	case STEP_HELD:
		return "?";
	case STEP_DENIED:
		return "✗";
	default:
		return "✓";
	}
}

static void step_tail(const struct step_row *s, char *out, size_t len)
{
	char lines[48] = "";

	if (s->lines_known && (s->added || s->removed))
		snprintf(lines, sizeof(lines), " +%u −%u", s->added, s->removed);
	if (s->undo == UNDO_ROLLED_BACK)
		snprintf(out, len, "rolled back");
	else if (s->undo == UNDO_REVERTED)
		snprintf(out, len, "reverted");
	else if (s->state == STEP_HELD)
		snprintf(out, len, "held");
	else if (s->state == STEP_DENIED)
		snprintf(out, len, "denied");
	else if (s->state == STEP_RUNNING)
		snprintf(out, len, "running");
	else if (s->changed > 0 && s->nwith)
		/* steps that changed the same files: each shows them */
		snprintf(out, len, "%df%s w/%u%s", s->changed, lines, s->with, s->nwith > 1 ? "+" : "");
	else if (s->changed > 0)
		snprintf(out, len, "%df%s", s->changed, lines);
	else
		snprintf(out, len, "%.1fs", (double)s->duration_ns / 1e9);
}

static void step_line(const struct views *v, WINDOW *w, int y, const struct model *m, const struct step_row *s,
		      int selected)
{
	int alert = s->state == STEP_HELD || s->state == STEP_DENIED;
	struct pen bg = selected ? pen_of(v, TH_SELECTED) : pen_of(v, TH_SIDE);
	struct pen lp = selected ? bg : pen_of(v, TH_SIDE_LABEL), vp = selected ? bg : pen_of(v, TH_SIDE_VALUE);
	struct pen mp = selected ? bg : alert ? pen_of(v, TH_STATUS_ALERT) : pen_of(v, TH_SIDE_TITLE);
	int cols = getmaxx(w), x = 1, tw;
	char num[16], t[16], tail[64], *sum;
	const char *text;

	(void)m;
	fill(w, y, 0, cols, bg);
	snprintf(num, sizeof(num), "%3u ", s->id);
	x += put(w, y, x, cols - x, num, lp);
	x += put(w, y, x, cols - x, state_mark(s), mp);
	x += put(w, y, x, cols - x, " ", vp);
	if (cols >= 44) {
		views_format_elapsed(s->start_ns, t, sizeof(t));
		x += put(w, y, x, cols - x, t, lp);
		x += put(w, y, x, cols - x, " ", lp);
	}
	x += put(w, y, x, cols - x, s->edit ? "✎ " : "$ ", lp);
	step_tail(s, tail, sizeof(tail));
	tw = (int)fit_width(tail);
	if (cols - x < tw + 6)
		tw = 0;
	/* an edit is named by its files (✎ says it is one): a single path is
	 * cut in the middle, keeping its name; a list at its end */
	text = s->summary;
	if (s->edit && !strncmp(text, "edit ", 5))
		text += 5;
	sum = s->edit && s->npaths == 1 ? fit_middle(text, (unsigned)MAX(cols - x - tw - 2, 0)) : xstrdup(text);
	put(w, y, x, cols - x - tw - 2, sum, vp);
	free(sum);
	if (tw)
		put(w, y, cols - 1 - tw, tw, tail, alert && !selected ? pen_of(v, TH_STATUS_ALERT) : lp);
}

static void sub_line(const struct views *v, WINDOW *w, int y, const struct model *m, const struct row *r)
{
	const struct step_row *s = &m->steps[r->i];
	struct pen lp = pen_of(v, TH_SIDE_LABEL), vp = pen_of(v, TH_SIDE_VALUE);
	int cols = getmaxx(w), x = 6;
	char *text;

	if (r->kind == ROW_PROC) {
		const struct model_proc *p = &s->procs[r->j];

		x += 2 * (int)MIN(p->depth, 6u);
		x += put(w, y, x, cols - x, "└ ", lp);
		put(w, y, x, cols - x - 1, p->cmd, vp);
		return;
	}
	text = model_path(m, s->paths[r->j]);
	x += put(w, y, x, cols - x, "· ", lp);
	{
		char *cut = fit_middle(text, (unsigned)MAX(cols - x - 1, 0));

		put(w, y, x, cols - x - 1, cut, vp);
		free(cut);
	}
	free(text);
}

/* Text on up to n rows, broken where the columns run out; returns the rows used. */
static int put_wrapped(WINDOW *w, int y, int x, int width, int n, const char *text, struct pen p)
{
	const char *t = text;
	int used = 0;

	while (*t && used < n && width > 0) {
		const char *e = t;
		unsigned cw = 0;
		char *chunk;

		while (*e) {
			const char *nx = e + 1;
			char one[8];
			unsigned k;

			while (*nx && ((unsigned char)*nx & 0xc0) == 0x80)
				nx++;
			memcpy(one, e, MIN((size_t)(nx - e), sizeof(one) - 1));
			one[MIN((size_t)(nx - e), sizeof(one) - 1)] = '\0';
			k = fit_width(one);
			if (cw + k > (unsigned)width)
				break;
			cw += k;
			e = nx;
		}
		if (e == t)
			break;
		if (*e) {
			/* at a blank, when there is one in the row */
			const char *sp = e;

			while (sp > t && sp[-1] != ' ')
				sp--;
			if (sp > t)
				e = sp;
		}
		if (used == n - 1 && *e) {
			/* the last row: cut with "…" */
			char *rest = fit_middle(t, (unsigned)width);

			put(w, y + used++, x, width, rest, p);
			free(rest);
			break;
		}
		chunk = xstrndup(t, (size_t)(e - t));
		put(w, y + used++, x, width, chunk, p);
		free(chunk);
		t = e;
	}
	return used;
}

/* The held calls, oldest first: the one the keys answer in full. */
static int held_section(const struct views *v, WINDOW *w, int y, int last, const struct panel_state *ps)
{
	const struct model *m = ps->m;
	const struct held_row *h = &m->held[0];
	struct pen al = pen_of(v, TH_STATUS_ALERT), pr = pen_of(v, TH_PROMPT), vp = pen_of(v, TH_SIDE_VALUE);
	struct pen lp = pen_of(v, TH_SIDE_LABEL);
	int cols = getmaxx(w), y0 = y;
	struct buf b = BUF_INIT;

	if (y > last)
		return 0;
	fill(w, y, 0, cols, al);
	buf_addf(&b, " HELD #%u", h->n);
	if (h->step)
		buf_addf(&b, " · step %u", h->step);
	if (h->from[0])
		buf_addf(&b, " · from %s", h->from);
	if (m->nheld > 1)
		buf_addf(&b, " · +%zu waiting", m->nheld - 1);
	put(w, y++, 0, cols, b.data, al);
	buf_reset(&b);
	y += put_wrapped(w, y, 1, cols - 2, MAX(MIN(3, last - y + 1), 0), h->what, vp);
	if (y <= last) {
		/* the rule as written, and where (its file's name: the path is long) */
		buf_addf(&b, "why: %s%s[%s]", h->text ? h->text : "", h->text ? " " : "", path_base(h->rule));
		y += put_wrapped(w, y, 1, cols - 2, MAX(MIN(2, last - y + 1), 0), b.data, lp);
		buf_reset(&b);
	}
	if (y <= last && ps->held_keys) {
		fill(w, y, 0, cols, pr);
		put(w, y++, 1, cols - 2, ps->held_keys, pr);
	}
	for (size_t i = 1; i < m->nheld && y <= last && i < 4; i++) {
		buf_addf(&b, "#%u %s", m->held[i].n, m->held[i].what);
		put(w, y++, 1, cols - 2, b.data, lp);
		buf_reset(&b);
	}
	buf_release(&b);
	return y - y0;
}

static void timeline(const struct views *v, WINDOW *w, int y, int n, const struct panel_state *ps,
		     struct panel_hits *hits)
{
	const struct model *m = ps->m;
	struct pen title = pen_of(v, TH_SIDE_TITLE), qp = pen_of(v, TH_QUIET);
	int cols = getmaxx(w);
	struct rows rs = { 0 };
	size_t first = 0, at;
	char tmp[128];

	if (n <= 0)
		return;
	if (!m->nsteps)
		snprintf(tmp, sizeof(tmp), "steps: none yet");
	else if (m->nquiet && !ps->show_quiet)
		snprintf(tmp, sizeof(tmp), "steps %zu · %zu bookkeeping folded", m->nsteps, m->nquiet);
	else
		snprintf(tmp, sizeof(tmp), "steps %zu", m->nsteps);
	put(w, y++, 1, cols - 2, tmp, title);
	n--;
	hits->timeline_first = y;
	hits->timeline_rows = n;
	build_rows(m, ps->show_quiet, ps->expanded, &rs);
	at = ps->sel ? row_of(m, &rs, ps->sel) : rs.n;
	if (rs.n > (size_t)n) {
		/* following the newest: the bottom; else the selection in sight */
		if (at >= rs.n)
			first = rs.n - (size_t)n;
		else if (at >= (size_t)n / 2)
			first = MIN(at - (size_t)n / 2, rs.n - (size_t)n);
	}
	for (size_t k = first; k < rs.n && (int)(k - first) < n; k++, y++) {
		const struct row *r = &rs.r[k];
		int sel = k == at;

		if (y < PANEL_MAX_ROWS)
			hits->step[y] = m->steps[r->i].id;
		if (r->kind == ROW_STEP) {
			step_line(v, w, y, m, &m->steps[r->i], sel);
		} else if (r->kind == ROW_QUIET) {
			struct pen p = sel ? pen_of(v, TH_SELECTED) : qp;

			snprintf(tmp, sizeof(tmp), "    · %zu bookkeeping step%s of the agent%s", r->j, r->j > 1 ? "s" : "",
				 sel ? " (Enter lists them)" : "");
			fill(w, y, 0, cols, sel ? p : pen_of(v, TH_SIDE));
			put(w, y, 0, cols - 1, tmp, p);
		} else {
			sub_line(v, w, y, m, r);
		}
	}
	free(rs.r);
}

/* A diff line: its marker, then the text, the changed words marked when paired. */
static void expand_tabs(const char *s, struct buf *out)
{
	size_t col = 0;

	for (; *s; s++) {
		if (*s == '\t') {
			do
				buf_addch(out, ' ');
			while (++col % 4);
			continue;
		}
		buf_addch(out, *s);
		if (((unsigned char)*s & 0xc0) != 0x80)
			col++;
	}
}

/* The line paired with line i (a removed line with the added one in the same place of the next run), or -1. */
static long partner(const struct review_line *l, size_t n, size_t i)
{
	enum diff_part me = l[i].part;
	size_t rs = i, re, as, ae, k;

	if (me != DIFF_REMOVED && me != DIFF_ADDED)
		return -1;
	while (rs > 0 && l[rs - 1].part == me && i - rs < WORD_RUN_MAX)
		rs--;
	if (me == DIFF_ADDED) {
		/* the removed run just before */
		size_t pe = rs, ps;

		if (!pe || l[pe - 1].part != DIFF_REMOVED)
			return -1;
		ps = pe;
		while (ps > 0 && l[ps - 1].part == DIFF_REMOVED && pe - ps < WORD_RUN_MAX)
			ps--;
		k = i - rs;
		return k < pe - ps ? (long)(ps + k) : -1;
	}
	re = i;
	while (re < n && l[re].part == DIFF_REMOVED && re - rs < WORD_RUN_MAX)
		re++;
	as = ae = re;
	while (ae < n && l[ae].part == DIFF_ADDED && ae - as < WORD_RUN_MAX)
		ae++;
	k = i - rs;
	return k < ae - as ? (long)(as + k) : -1;
}

static size_t char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static void diff_line(const struct views *v, WINDOW *w, int y, const struct review_line *l, size_t n, size_t i)
{
	const struct review_line *me = &l[i];
	int cols = getmaxx(w), x = 0;
	struct pen p, word;
	const char *mark;
	struct buf t = BUF_INIT;
	long pi;

	switch (me->part) {
	case DIFF_ADDED:
		p = pen_of(v, TH_DIFF_ADDED), word = pen_of(v, TH_DIFF_WORD_ADDED), mark = "+";
		break;
	case DIFF_REMOVED:
		p = pen_of(v, TH_DIFF_REMOVED), word = pen_of(v, TH_DIFF_WORD_REMOVED), mark = "-";
		break;
	case DIFF_HUNK_HEADER:
		p = word = pen_of(v, TH_DIFF_HUNK), mark = "";
		break;
	case DIFF_CONTEXT:
		p = word = pen_of(v, TH_SIDE_VALUE), mark = " ";
		break;
	default:
		p = word = pen_of(v, TH_SIDE_LABEL), mark = "";
		break;
	}
	fill(w, y, 0, cols, pen_of(v, TH_SIDE));
	x += put(w, y, x, cols - x, mark, p);
	expand_tabs(me->text, &t);
	pi = partner(l, n, i);
	if (pi >= 0) {
		/* the words that changed: what is between the common start and end */
		struct buf o = BUF_INIT;
		size_t a, b, pre = 0, suf = 0;

		expand_tabs(l[pi].text, &o);
		a = t.len, b = o.len;
		while (pre < a && pre < b && t.data[pre] == o.data[pre])
			pre++;
		pre = char_start(t.data, pre);
		while (suf < a - pre && suf < b - MIN(pre, b) && t.data[a - 1 - suf] == o.data[b - 1 - suf])
			suf++;
		while (suf && ((unsigned char)t.data[a - suf] & 0xc0) == 0x80)
			suf--;
		buf_release(&o);
		if (pre + suf < a && (pre || suf)) {
			size_t skip = 0;
			char *s1, *s2;

			/* a change past the panel's edge: the line starts a few columns before it, marked */
			s1 = xstrndup(t.data, pre);
			if (fit_width(s1) > (unsigned)MAX(cols - 12, 8)) {
				skip = pre;
				do {
					skip = char_start(t.data, skip - 1);
				} while (skip && fit_width(s1 + skip) < 8);
				x += put(w, y, x, cols - x, "…", pen_of(v, TH_SIDE_LABEL));
			}
			free(s1);
			s1 = xstrndup(t.data + skip, pre - skip);
			s2 = xstrndup(t.data + pre, a - pre - suf);

			x += put(w, y, x, cols - x, s1, p);
			x += put(w, y, x, cols - x, s2, word);
			put(w, y, x, cols - x, t.data + a - suf, p);
			free(s1);
			free(s2);
			buf_release(&t);
			return;
		}
	}
	put(w, y, x, cols - x, t.len ? t.data : "", p);
	buf_release(&t);
}

static void diff_section(const struct views *v, WINDOW *w, int y, int n, const struct panel_state *ps,
			 struct panel_hits *hits)
{
	struct pen title = pen_of(v, TH_SIDE_TITLE), lp = pen_of(v, TH_SIDE_LABEL), vp = pen_of(v, TH_SIDE_VALUE);
	int cols = getmaxx(w), frows;
	size_t nf = ps->nfiles + ps->nextra, ffirst = 0;

	if (n < 2)
		return;
	{
		/* a long title wraps once (a narrow panel) */
		int k = put_wrapped(w, y, 1, cols - 2, n > 6 ? 2 : 1, ps->diff_title, title);

		y += MAX(k, 1);
		n -= MAX(k, 1);
	}
	if (ps->diff_note && !nf) {
		put_wrapped(w, y, 1, cols - 2, n, ps->diff_note, lp);
		return;
	}
	/* the files: a third of the room at most, the chosen one in sight */
	frows = (int)MIN(nf, (size_t)MAX(n / 3, 1));
	if (ps->file >= (size_t)frows)
		ffirst = ps->file - (size_t)frows + 1;
	for (int k = 0; k < frows; k++, y++) {
		size_t i = ffirst + (size_t)k;
		int sel = i == ps->file, x = 1;
		struct pen p = sel && ps->focus ? pen_of(v, TH_SELECTED) : vp;
		char tail[64], st[4] = { ' ', ' ', 0, 0 };
		char *path, *cut;
		int tw;

		fill(w, y, 0, cols, sel && ps->focus ? p : pen_of(v, TH_SIDE));
		if (y < PANEL_MAX_ROWS)
			hits->file[y] = (int)i;
		if (i >= ps->nfiles) {
			put(w, y, 3, cols - 4, ps->extra[i - ps->nfiles], sel && ps->focus ? p : lp);
			continue;
		}
		st[0] = sel ? '>' : ' ';
		st[1] = ps->files[i].status;
		x += put(w, y, x, cols - x, st, sel && ps->focus ? p : pen_of(v, TH_SIDE_TITLE));
		x += put(w, y, x, cols - x, " ", p);
		if (ps->files[i].binary) {
			char sz[32];

			panel_size(ps->files[i].size, sz, sizeof(sz));
			snprintf(tail, sizeof(tail), "binary %s", sz);
		} else {
			snprintf(tail, sizeof(tail), "+%u −%u", ps->files[i].added, ps->files[i].removed);
		}
		tw = (int)fit_width(tail);
		path = ps->files[i].old_path ? xasprintf("%s → %s", ps->files[i].old_path, ps->files[i].path)
					     : text_visible(ps->files[i].path);
		cut = fit_middle(path, (unsigned)MAX(cols - x - tw - 2, 1));
		put(w, y, x, cols - x - tw - 2, cut, p);
		put(w, y, cols - 1 - tw, tw, tail, sel && ps->focus ? p : lp);
		free(cut);
		free(path);
	}
	n -= frows;
	if (n <= 0)
		return;
	hits->diff_first = y;
	hits->diff_rows = n;
	if (ps->diff_note) {
		put_wrapped(w, y, 1, cols - 2, n, ps->diff_note, lp);
		return;
	}
	for (size_t i = ps->top; i < ps->ndifflines && n > 0; i++, y++, n--)
		diff_line(v, w, y, ps->difflines, ps->ndifflines, i);
	if (ps->top >= ps->ndifflines && ps->ndifflines)
		put(w, y, 1, cols - 2, "(end of the diff)", lp);
}

void panel_draw(const struct views *v, WINDOW *w, int y, const struct panel_state *ps, struct panel_hits *hits)
{
	int rows = MIN(getmaxy(w), PANEL_MAX_ROWS), last = rows - 1, tl;

	for (int r = 0; r < PANEL_MAX_ROWS; r++) {
		hits->step[r] = 0;
		hits->file[r] = -1;
	}
	hits->diff_first = hits->diff_rows = hits->timeline_first = hits->timeline_rows = 0;
	for (int r = y; r < rows; r++)
		fill(w, r, 0, getmaxx(w), pen_of(v, TH_SIDE));
	if (ps->m->nheld)
		y += held_section(v, w, y, MIN(last, y + 8), ps) + 1;
	if (y > last)
		return;
	/* the timeline above, the diff below: the diff gets the larger part when there is one */
	tl = rows - y;
	if (ps->diff_title && tl >= 12)
		tl = MAX(tl * 2 / 5, 5);
	timeline(v, w, y, tl, ps, hits);
	y += tl;
	if (ps->diff_title && y < rows - 1) {
		fill(w, y, 0, getmaxx(w), pen_of(v, TH_SIDE));
		diff_section(v, w, y, rows - y, ps, hits);
	}
}
