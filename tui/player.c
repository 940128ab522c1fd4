/*
 * player.c - a recording replayed on the review screen; see player.h.
 *
 * At open the recording is read once (recording.c checks each line): the
 * events are kept parsed, the output, the diffs and the keyframes as
 * offsets in the file, read again when needed.  Playing applies the items
 * up to the moment shown from a timer.  A seek to a moment with a keyframe
 * between it and the moment shown replays the events (cheap: no output) up
 * to the keyframe, draws it, and feeds the output after it only.  A
 * recording without keyframes (a headless session's) gets them here, every
 * KEYFRAME_BYTES of output played.
 */
#define _GNU_SOURCE
#include "player.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../supervisor/event.h"
#include "../supervisor/recording.h"
#include "../supervisor/util.h"
#include "recdiff.h"
#include "termview.h"

#define TICK_NS (16 * 1000000ull)
#define KEYFRAME_BYTES (256 * 1024)
#define IDLE_NS (1000 * 1000000ull)   /* skip idle: pauses longer than this are cut to it */
#define SEEK_NS (10 * 1000000000ull)
#define CALL_LOOKBACK 10000           /* items searched back for the call a held event names */

enum item_kind { IT_OUTPUT, IT_EVENT, IT_DIFF, IT_SCREEN };

struct item {
	uint64_t t;
	off_t offset;
	json_t *obj;       /* IT_EVENT: the record */
	unsigned step;     /* IT_DIFF: its step */
	enum item_kind kind;
};

struct keyframe {
	size_t item;       /* the pane as it is with the items before this one applied */
	unsigned rows, cols;
	char *bytes;       /* NULL: not read yet from the recording's "screen" record at offset */
	size_t len;
	off_t offset;
};

struct step_mark {
	unsigned id;
	uint64_t end;      /* when what it did is all recorded: its end, its diff */
	uint64_t start;
};

struct player {
	struct recording *rec;
	char *path, *damage;
	struct loop *loop;
	struct ui *ui;
	struct item *items;
	size_t n, cap;
	size_t pos;        /* the next item to apply */
	uint64_t now, end;
	unsigned rows0, cols0, rows, cols;
	int playing, skip_idle;
	double speed;
	uint64_t wall;     /* the wall clock at the last tick */
	struct loop_timer *timer;
	struct keyframe *kf;
	size_t nkf, kf_cap;
	size_t fed;        /* output bytes fed since the last keyframe */
	size_t kf_upto;    /* items applied in order from the start or a keyframe: keyframes are made only past here */
	int recorded_kf;   /* the recording has keyframes of its own: none are made here */
	struct step_mark *steps;
	size_t nsteps, steps_cap;
	size_t *diff_at;   /* by step id: 1 + the item of its diff as of now (0: none yet) */
	size_t ndiff_at;
	/* the diff last asked for */
	unsigned cache_id;
	size_t cache_item;
	struct recdiff diff;
	unsigned gen;
	struct event_read er;
	struct buf bytes;
	struct ui_replay ops;
	char status[200];
};

static struct step_mark *mark_of(struct player *p, unsigned id)
{
	for (size_t i = p->nsteps; i-- > 0;)
		if (p->steps[i].id == id)
			return &p->steps[i];
	p->steps = xgrow(p->steps, &p->steps_cap, p->nsteps + 1, sizeof(*p->steps));
	memset(&p->steps[p->nsteps], 0, sizeof(*p->steps));
	p->steps[p->nsteps].id = id;
	return &p->steps[p->nsteps++];
}

static void add_item(struct player *p, const struct rec_line *l)
{
	struct item *it;
	json_int_t step = l->obj ? json_integer_value(json_object_get(l->obj, "step")) : 0;

	p->items = xgrow(p->items, &p->cap, p->n + 1, sizeof(*p->items));
	it = &p->items[p->n++];
	memset(it, 0, sizeof(*it));
	it->t = l->t_ns;
	it->offset = l->offset;
	p->end = l->t_ns;
	if (!strcmp(l->type, "output")) {
		it->kind = IT_OUTPUT;
	} else if (!strcmp(l->type, "screen")) {
		json_int_t r = json_integer_value(json_object_get(l->obj, "rows"));
		json_int_t c = json_integer_value(json_object_get(l->obj, "cols"));
		struct keyframe *k;

		it->kind = IT_SCREEN;
		p->kf = xgrow(p->kf, &p->kf_cap, p->nkf + 1, sizeof(*p->kf));
		k = &p->kf[p->nkf++];
		memset(k, 0, sizeof(*k));
		k->item = p->n - 1;
		k->rows = r >= 2 && r <= RECORDING_MAX_ROWS ? (unsigned)r : p->rows0;
		k->cols = c >= 2 && c <= RECORDING_MAX_COLS ? (unsigned)c : p->cols0;
		k->offset = l->offset;
		p->recorded_kf = 1;
	} else if (!strcmp(l->type, "diff")) {
		it->kind = IT_DIFF;
		it->step = step > 0 && step <= 10000000 ? (unsigned)step : 0;
		if (it->step)
			mark_of(p, it->step)->end = l->t_ns;
	} else {
		it->kind = IT_EVENT;
		it->obj = json_incref(l->obj);
		if (step > 0 && step <= 10000000) {
			if (!strcmp(l->type, "step-start"))
				mark_of(p, (unsigned)step)->start = mark_of(p, (unsigned)step)->end = l->t_ns;
			else if (!strcmp(l->type, "step-end"))
				mark_of(p, (unsigned)step)->end = l->t_ns;
		}
	}
}

struct player *player_open(const char *path, struct buf *err)
{
	struct recording *rec = recording_open(path, err);
	struct player *p;
	struct rec_line l;
	int rc;

	if (!rec)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->rec = rec;
	p->path = xstrdup(path);
	p->speed = 1;
	buf_init(&p->bytes);
	recording_size(rec, &p->rows0, &p->cols0);
	recording_skip_output(rec, 1);
	p->rows = p->rows0, p->cols = p->cols0;
	while ((rc = recording_next(rec, &l)) > 0)
		add_item(p, &l);
	if (rc < 0)
		p->damage = xstrdup(recording_damage(rec));
	p->cache_id = (unsigned)-1;
	return p;
}

void player_free(struct player *p)
{
	if (!p)
		return;
	if (p->loop)
		loop_cancel_timer(p->loop, p->timer);
	for (size_t i = 0; i < p->n; i++)
		json_decref(p->items[i].obj);
	free(p->items);
	for (size_t i = 0; i < p->nkf; i++)
		free(p->kf[i].bytes);
	free(p->kf);
	free(p->steps);
	free(p->diff_at);
	recdiff_release(&p->diff);
	event_read_release(&p->er);
	buf_release(&p->bytes);
	recording_free(p->rec);
	free(p->path);
	free(p->damage);
	free(p);
}

void player_size(const struct player *p, unsigned *rows, unsigned *cols)
{
	*rows = p->rows0;
	*cols = p->cols0;
}

uint64_t player_now(const struct player *p)
{
	return p->now;
}

uint64_t player_length(const struct player *p)
{
	return p->end;
}

/* ---- applying the recording ---- */

/* The call record a held event names (seq), searched back from item i. */
static json_t *call_for(struct player *p, size_t i, json_int_t seq)
{
	for (size_t k = i, n = 0; k-- > 0 && n < CALL_LOOKBACK; n++) {
		json_t *o = p->items[k].obj;

		if (o && json_integer_value(json_object_get(o, "seq")) == seq)
			return o;
	}
	return NULL;
}

static void take_keyframe(struct player *p, size_t next)
{
	struct keyframe *k;

	p->kf = xgrow(p->kf, &p->kf_cap, p->nkf + 1, sizeof(*p->kf));
	k = &p->kf[p->nkf++];
	k->item = next;
	k->rows = p->rows;
	k->cols = p->cols;
	buf_reset(&p->bytes);
	termview_snapshot(ui_termview(p->ui), &p->bytes);
	k->bytes = buf_detach(&p->bytes, &k->len);
	p->fed = 0;
}

/* Apply item i; output only when feed (before the keyframe a seek starts from, it is not needed). */
static void apply(struct player *p, size_t i, int quiet, int feed)
{
	struct item *it = &p->items[i];
	struct event ev;

	switch (it->kind) {
	case IT_OUTPUT: {
		json_t *o;

		if (!feed)
			break;
		o = recording_read_at(p->rec, it->offset);
		buf_reset(&p->bytes);
		if (o && recording_output(o, &p->bytes) == 0 && p->bytes.len) {
			memset(&ev, 0, sizeof(ev));
			ev.type = EV_OUTPUT;
			ev.t_ns = it->t;
			ev.u.output.data = p->bytes.data;
			ev.u.output.len = p->bytes.len;
			ui_replay_event(p->ui, &ev, quiet);
			p->fed += p->bytes.len;
		}
		json_decref(o);
		/* past anything seen before, and enough output since the last one */
		if (!p->recorded_kf && i + 1 > p->kf_upto && p->fed >= KEYFRAME_BYTES &&
		    (!p->nkf || p->kf[p->nkf - 1].item < i + 1))
			take_keyframe(p, i + 1);
		break;
	}
	case IT_SCREEN:
		break;
	case IT_DIFF:
		if (it->step >= p->ndiff_at) {
			size_t n = p->ndiff_at;

			p->ndiff_at = it->step + 64;
			p->diff_at = xrealloc(p->diff_at, p->ndiff_at * sizeof(*p->diff_at));
			memset(p->diff_at + n, 0, (p->ndiff_at - n) * sizeof(*p->diff_at));
		}
		p->diff_at[it->step] = i + 1;
		if (it->step == p->cache_id)
			p->cache_id = (unsigned)-1; /* read it again */
		p->gen++;
		break;
	case IT_EVENT: {
		json_t *call = NULL;
		const char *type = json_string_value(json_object_get(it->obj, "type"));

		if (type && !strcmp(type, "held"))
			call = call_for(p, i, json_integer_value(json_object_get(it->obj, "call")));
		if (event_from_json(it->obj, call, &ev, &p->er) < 0)
			break;
		if (ev.type == EV_RESIZE) {
			p->rows = ev.u.resize.rows;
			p->cols = ev.u.resize.cols;
			ui_replay_size(p->ui, p->rows, p->cols);
		}
		if (ev.type == EV_OUTPUT && !feed)
			break;
		ui_replay_event(p->ui, &ev, quiet);
		break;
	}
	}
	if (i + 1 > p->kf_upto && feed)
		p->kf_upto = i + 1;
}

/* Apply the items up to time t, forward. */
static void forward_to(struct player *p, uint64_t t, int quiet)
{
	while (p->pos < p->n && p->items[p->pos].t <= t) {
		apply(p, p->pos, quiet, 1);
		p->pos++;
	}
	p->now = t > p->end ? p->end : t;
}

/* Draw keyframe k on an empty pane of its size. */
static void use_keyframe(struct player *p, struct keyframe *k)
{
	if (!k->bytes) {
		json_t *o = recording_read_at(p->rec, k->offset);
		json_t *d = json_object_get(o, "data");

		k->bytes = xstrndup(json_is_string(d) ? json_string_value(d) : "", json_is_string(d) ? json_string_length(d) : 0);
		k->len = strlen(k->bytes);
		json_decref(o);
	}
	p->rows = k->rows, p->cols = k->cols;
	ui_replay_size(p->ui, k->rows, k->cols);
	termview_reset(ui_termview(p->ui));
	termview_feed(ui_termview(p->ui), k->bytes, k->len);
}

void player_seek(struct player *p, uint64_t t)
{
	size_t lo = 0, hi = p->n, start;
	struct keyframe *k = NULL;

	if (t > p->end)
		t = p->end;
	/* the items at or before t are what the moment shows (times never go back) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->items[mid].t <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i < p->nkf; i++)
		if (p->kf[i].item <= lo && (!k || p->kf[i].item > k->item))
			k = &p->kf[i];
	if (t >= p->now && (!k || k->item <= p->pos)) {
		forward_to(p, t, 1);
		p->fed = 0;
		return;
	}
	if (t >= p->now) {
		/* on, past a keyframe: the events up to it, its screen, the output after it */
		start = p->pos;
	} else {
		start = 0;
		p->rows = p->rows0, p->cols = p->cols0;
		ui_replay_reset(p->ui, p->rows, p->cols);
		memset(p->diff_at, 0, p->ndiff_at * sizeof(*p->diff_at));
		p->cache_id = (unsigned)-1;
		p->gen++;
	}
	for (size_t i = start; i <= lo; i++) {
		if (k && i == k->item)
			use_keyframe(p, k);
		if (i < lo)
			apply(p, i, 1, !k || i >= k->item);
	}
	p->fed = 0;
	p->pos = lo;
	p->now = t;
	ui_redraw_soon(p->ui);
}

/* ---- playing ---- */

static void schedule(struct player *p);

static void tick(struct loop *loop, void *data)
{
	struct player *p = data;
	uint64_t wall = now_ns(), t;

	(void)loop;
	p->timer = NULL;
	if (!p->playing)
		return;
	/* skip idle: a pause longer than IDLE_NS is cut to it */
	if (p->skip_idle && p->pos < p->n && p->items[p->pos].t > p->now + IDLE_NS)
		p->now = p->items[p->pos].t - IDLE_NS;
	t = p->now + (uint64_t)((double)(wall - p->wall) * p->speed);
	p->wall = wall;
	forward_to(p, t, 0);
	ui_redraw_soon(p->ui); /* the clock moved */
	if (p->pos >= p->n) {
		p->playing = 0;
		p->now = p->end;
		ui_say(p->ui, p->damage ? "the end of what the recording holds intact" : "the end of the recording");
	}
	schedule(p);
}

static void schedule(struct player *p)
{
	loop_cancel_timer(p->loop, p->timer);
	p->timer = p->playing ? loop_add_timer(p->loop, TICK_NS, tick, p) : NULL;
}

static void play(struct player *p, int on)
{
	if (on && p->pos >= p->n)
		player_seek(p, 0); /* played to the end: again from the start */
	p->playing = on;
	p->wall = now_ns();
	schedule(p);
}

/* Go to the end of step id, and select it: its diff is what it changed. */
static void goto_step(struct player *p, unsigned id)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (p->steps[i].id == id) {
			player_seek(p, p->steps[i].end);
			ui_select(p->ui, id);
			return;
		}
	ui_say(p->ui, "that step is not in the recording");
}

static void step_move(struct player *p, int dir)
{
	const struct step_mark *best = NULL;

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct step_mark *s = &p->steps[i];

		if (dir > 0 && s->end > p->now && (!best || s->end < best->end || (s->end == best->end && s->id < best->id)))
			best = s;
		if (dir < 0 && s->end + 1000000 < p->now && (!best || s->end > best->end || (s->end == best->end && s->id > best->id)))
			best = s;
	}
	/* several steps may end at one moment: the next of them */
	if (dir > 0 && !best) {
		unsigned sel = ui_selected(p->ui);

		for (size_t i = 0; i < p->nsteps; i++)
			if (p->steps[i].end == p->now && p->steps[i].id > sel && (!best || p->steps[i].id < best->id))
				best = &p->steps[i];
	}
	if (!best) {
		ui_say(p->ui, dir > 0 ? "no step after this moment" : "no step before this moment");
		return;
	}
	p->playing = 0;
	schedule(p);
	goto_step(p, best->id);
}

static void action(void *data, enum action a)
{
	struct player *p = data;
	char msg[64];

	switch (a) {
	case A_PLAY:
		play(p, !p->playing);
		break;
	case A_SPEED_UP:
	case A_SPEED_DOWN:
		p->speed = a == A_SPEED_UP ? MIN(p->speed * 2, 16.0) : MAX(p->speed / 2, 0.5);
		snprintf(msg, sizeof(msg), "speed %gx", p->speed);
		ui_say(p->ui, msg);
		break;
	case A_SKIP_IDLE:
		p->skip_idle = !p->skip_idle;
		ui_say(p->ui, p->skip_idle ? "pauses longer than a second are skipped" : "pauses are played as they were");
		break;
	case A_NEXT_STEP:
	case A_PREV_STEP:
		step_move(p, a == A_NEXT_STEP ? 1 : -1);
		break;
	case A_GOTO_STEP:
		if (!ui_selected(p->ui)) {
			ui_say(p->ui, "select a step first (j/k), then Enter goes to it");
			break;
		}
		p->playing = 0;
		schedule(p);
		goto_step(p, ui_selected(p->ui));
		break;
	case A_SEEK_FORWARD:
		player_seek(p, p->now + SEEK_NS);
		break;
	case A_SEEK_BACK:
		player_seek(p, p->now > SEEK_NS ? p->now - SEEK_NS : 0);
		break;
	case A_SEEK_START:
		player_seek(p, 0);
		break;
	case A_SEEK_END:
		player_seek(p, p->end);
		break;
	default:
		break;
	}
	p->wall = now_ns();
}

/* ---- the diffs as recorded ---- */

static json_t *diff_record(struct player *p, unsigned id)
{
	if (id >= p->ndiff_at || !p->diff_at[id])
		return NULL;
	return recording_read_at(p->rec, p->items[p->diff_at[id] - 1].offset);
}

static int files(void *data, unsigned id, const struct review_file **out, struct buf *err)
{
	struct player *p = data;
	json_t *o;

	*out = NULL;
	if (p->cache_id == id && p->cache_item == (id < p->ndiff_at ? p->diff_at[id] : 0)) {
		*out = p->diff.files;
		return (int)p->diff.nfiles;
	}
	p->cache_id = (unsigned)-1;
	p->gen++;
	o = diff_record(p, id);
	/* a step that changed nothing has no diff record */
	recdiff_files(&p->diff, o);
	*out = p->diff.files;
	if (!o) {
		if (id < p->ndiff_at && p->diff_at[id]) {
			buf_addstr(err, "the recording's diff of this step cannot be read");
			return -1;
		}
		p->cache_id = id;
		p->cache_item = 0;
		return 0;
	}
	json_decref(o);
	p->cache_id = id;
	p->cache_item = p->diff_at[id];
	return (int)p->diff.nfiles;
}

static int patch(void *data, size_t i, const struct review_line **out, struct buf *err)
{
	struct player *p = data;
	json_t *o;
	size_t n;

	*out = NULL;
	if (p->cache_id == (unsigned)-1 || i >= p->diff.nfiles || !(o = diff_record(p, p->cache_id))) {
		buf_addstr(err, "no such file in this step");
		return -1;
	}
	n = recdiff_patch(&p->diff, o, i);
	json_decref(o);
	*out = p->diff.lines;
	return (int)n;
}

static unsigned generation(void *data)
{
	return ((struct player *)data)->gen;
}

static int count(void *data, unsigned id, unsigned *added, unsigned *removed)
{
	struct player *p = data;
	json_t *o = diff_record(p, id);

	*added = *removed = 0;
	if (!o)
		return id < p->ndiff_at ? 0 : -1;
	recdiff_count(o, added, removed);
	json_decref(o);
	return 0;
}

static void clock_text(uint64_t ns, char *out, size_t n)
{
	unsigned long long s = ns / 1000000000ull;

	if (s >= 3600)
		snprintf(out, n, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, n, "%llu:%02llu", s / 60, s % 60);
}

static const char *status(void *data)
{
	struct player *p = data;
	char a[32], b[32];

	clock_text(p->now, a, sizeof(a));
	clock_text(p->end, b, sizeof(b));
	snprintf(p->status, sizeof(p->status), "%s %gx %s / %s%s%s", p->playing ? "▶" : "‖", p->speed, a, b,
		 p->skip_idle ? " · skip idle" : "", p->damage ? " · damaged: shown up to the damage" : "");
	return p->status;
}

static uint64_t now_of(void *data)
{
	return ((struct player *)data)->now;
}

void player_start(struct player *p, struct loop *loop, struct ui *ui, uint64_t t_ns, unsigned step, int playing,
		  double speed)
{
	p->loop = loop;
	p->ui = ui;
	p->speed = speed;
	memset(&p->ops, 0, sizeof(p->ops));
	p->ops.data = p;
	p->ops.intercepted = json_string_value(json_object_get(recording_header(p->rec), "policy")) != NULL;
	p->ops.action = action;
	p->ops.files = files;
	p->ops.patch = patch;
	p->ops.generation = generation;
	p->ops.count = count;
	p->ops.status = status;
	p->ops.now = now_of;
	ui_replay(ui, &p->ops);
	ui_replay_reset(ui, p->rows0, p->cols0);
	p->now = 0;
	p->pos = 0;
	if (step)
		goto_step(p, step);
	else
		player_seek(p, t_ns);
	if (p->damage) {
		char *m = xasprintf("the recording is damaged: %s", p->damage);

		ui_say(ui, m);
		free(m);
	}
	play(p, playing);
}
