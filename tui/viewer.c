/*
 * viewer.c - a live session on the review screen, from its control socket;
 * see viewer.h.  The stream is the recording's records (JSON lines), and
 * the agent's output as raw bytes after a line that says how many
 * (belay(1), CONTROL PROTOCOL).  Until the session says "live", what comes
 * is the session so far (a late joiner's backlog): applied quietly (no bell,
 * no messages), then drawn at once.  Nothing in the stream is trusted:
 * lines and output are bounded, events are read as a replay reads them.
 */
#define _GNU_SOURCE
#include "viewer.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../supervisor/event.h"
#include "../supervisor/recording.h"
#include "../supervisor/util.h"
#include "recdiff.h"
#include "termview.h"

#define MAX_OUTPUT (64u << 20) /* one output chunk, at most */
#define MAX_STEP 10000000
#define CALLS 1024             /* call records kept for the held events that name them */
#define READ_MAX (1u << 20)    /* read per wake-up */

struct viewer {
	struct ctl c;
	struct loop *loop;
	struct ui *ui;
	struct loop_fd *h;
	size_t at;          /* of c.in, what is applied */
	size_t want;        /* output bytes due after an output line (0: a line) */
	uint64_t out_seq, out_t;
	unsigned out_step;
	unsigned rows, cols;
	int live, closed, ended, may_decide;
	int handed;         /* the owner handed the keyboard to the reviewers */
	json_t **diffs;     /* by step id */
	size_t ndiffs;
	json_t *calls[CALLS];
	size_t ncalls;
	struct recdiff diff;
	unsigned cache_id, gen;
	struct event_read er;
	uint64_t t, t_wall; /* the newest event's time, and when it came */
	struct ui_replay ops;
	char status[200];
};

static json_t *read_json(struct viewer *v, struct buf *err)
{
	json_t *o;

	if (ctlsock_read_line(v->c.fd, &v->c.in, &v->c.line, RECORDING_MAX_LINE) <= 0) {
		buf_addf(err, "session %s closed the connection", v->c.id);
		return NULL;
	}
	o = json_loadb(v->c.line.data, v->c.line.len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		buf_addf(err, "session %s sent something that is not JSON", v->c.id);
		return NULL;
	}
	return o;
}

struct viewer *viewer_new(struct ctl *c, int read_only, struct buf *err)
{
	struct viewer *v = xcalloc(1, sizeof(*v));
	json_t *req = json_pack("{s:s}", "op", "attach"), *r, *h;
	json_int_t rows, cols;
	const char *type;

	v->c = *c;
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	v->cache_id = (unsigned)-1;
	if (read_only)
		json_object_set_new(req, "role", json_string("watch"));
	if (ctl_send(&v->c, req) < 0 || !(r = read_json(v, err))) {
		if (!err->len)
			buf_addf(err, "session %s went away", v->c.id);
		viewer_free(v);
		return NULL;
	}
	type = json_string_value(json_object_get(r, "type")) ?: "";
	if (strcmp(type, "attached")) {
		buf_addf(err, "%s", !strcmp(type, "error") ? json_string_value(json_object_get(r, "message")) ?: "refused"
							   : "the session did not let us attach");
		json_decref(r);
		viewer_free(v);
		return NULL;
	}
	v->may_decide = !read_only && strcmp(json_string_value(json_object_get(r, "role")) ?: "", "watch");
	json_decref(r);
	if (!(h = read_json(v, err))) {
		viewer_free(v);
		return NULL;
	}
	rows = json_integer_value(json_object_get(h, "rows"));
	cols = json_integer_value(json_object_get(h, "cols"));
	v->rows = rows >= 2 && rows <= RECORDING_MAX_ROWS ? (unsigned)rows : 24;
	v->cols = cols >= 2 && cols <= RECORDING_MAX_COLS ? (unsigned)cols : 80;
	json_decref(h);
	return v;
}

void viewer_free(struct viewer *v)
{
	if (!v)
		return;
	if (v->loop && v->h)
		loop_remove_fd(v->loop, v->h);
	ctl_close(&v->c);
	for (size_t i = 0; i < v->ndiffs; i++)
		json_decref(v->diffs[i]);
	free(v->diffs);
	for (size_t i = 0; i < CALLS; i++)
		json_decref(v->calls[i]);
	recdiff_release(&v->diff);
	event_read_release(&v->er);
	free(v);
}

void viewer_size(const struct viewer *v, unsigned *rows, unsigned *cols)
{
	*rows = v->rows;
	*cols = v->cols;
}

/* ---- the stream ---- */

static uint64_t time_of(json_t *o)
{
	double t = json_number_value(json_object_get(o, "t"));

	return t > 0 && t < 1e9 ? (uint64_t)(t * 1e9) : 0;
}

static void keep_call(struct viewer *v, json_t *o)
{
	size_t i = v->ncalls++ % CALLS;

	json_decref(v->calls[i]);
	v->calls[i] = json_incref(o);
}

static json_t *call_for(struct viewer *v, json_int_t seq)
{
	for (size_t i = 0; i < CALLS; i++)
		if (v->calls[i] && json_integer_value(json_object_get(v->calls[i], "seq")) == seq)
			return v->calls[i];
	return NULL;
}

static void keyframe(struct viewer *v, json_t *o)
{
	json_t *d = json_object_get(o, "data");
	json_int_t r = json_integer_value(json_object_get(o, "rows")), c = json_integer_value(json_object_get(o, "cols"));

	if (r >= 2 && r <= RECORDING_MAX_ROWS && c >= 2 && c <= RECORDING_MAX_COLS &&
	    ((unsigned)r != v->rows || (unsigned)c != v->cols)) {
		/* a new size repaints everything; the same one only what changed */
		v->rows = (unsigned)r, v->cols = (unsigned)c;
		ui_replay_size(v->ui, v->rows, v->cols);
	}
	termview_reset(ui_termview(v->ui));
	ui_redraw_soon(v->ui);
	if (json_is_string(d))
		termview_feed(ui_termview(v->ui), json_string_value(d), json_string_length(d));
}

static void record(struct viewer *v, json_t *o)
{
	const char *type = json_string_value(json_object_get(o, "type")) ?: "";
	json_int_t step = json_integer_value(json_object_get(o, "step"));
	struct event ev;
	json_t *call = NULL;

	if (!strcmp(type, "live")) {
		v->live = 1;
		ui_redraw_soon(v->ui);
		return;
	}
	if (!strcmp(type, "screen")) {
		keyframe(v, o);
		return;
	}
	if (!strcmp(type, "keyboard")) {
		v->handed = json_is_true(json_object_get(o, "handed"));
		ui_say(v->ui, v->handed ? "the owner handed you the keyboard: C-] Tab to the pane, and your keys reach the agent"
					: "the owner took the keyboard back: your keys no longer reach the agent");
		return;
	}
	if (!strcmp(type, "diff")) {
		if (step > 0 && step <= MAX_STEP) {
			if ((size_t)step >= v->ndiffs) {
				size_t n = v->ndiffs;

				v->ndiffs = (size_t)step + 64;
				v->diffs = xrealloc(v->diffs, v->ndiffs * sizeof(*v->diffs));
				memset(v->diffs + n, 0, (v->ndiffs - n) * sizeof(*v->diffs));
			}
			json_decref(v->diffs[step]);
			v->diffs[step] = json_incref(o);
			if ((unsigned)step == v->cache_id)
				v->cache_id = (unsigned)-1;
			v->gen++;
			ui_redraw_soon(v->ui);
		}
		return;
	}
	/* our requests' answers */
	if (!strcmp(type, "error") || !strcmp(type, "waiting")) {
		char *m = text_visible(json_string_value(json_object_get(o, "message")) ?: "refused");

		ui_say(v->ui, m);
		free(m);
		return;
	}
	if (!strcmp(type, "decided") || !strcmp(type, "noted") || !strcmp(type, "attached"))
		return;
	if (!strcmp(type, "exec") || !strcmp(type, "file") || !strcmp(type, "connect"))
		keep_call(v, o);
	if (!strcmp(type, "held"))
		call = call_for(v, json_integer_value(json_object_get(o, "call")));
	if (event_from_json(o, call, &ev, &v->er) < 0)
		return;
	v->t = ev.t_ns;
	v->t_wall = now_ns();
	if (ev.type == EV_RESIZE) {
		v->rows = ev.u.resize.rows;
		v->cols = ev.u.resize.cols;
		ui_replay_size(v->ui, v->rows, v->cols);
	}
	if (ev.type == EV_SESSION_END)
		v->ended = 1;
	ui_replay_event(v->ui, &ev, !v->live);
}

static void output(struct viewer *v, const char *d, size_t n)
{
	struct event ev = { .type = EV_OUTPUT };

	ev.seq = v->out_seq;
	ev.t_ns = v->out_t;
	ev.step = v->out_step;
	ev.u.output.data = d;
	ev.u.output.len = n;
	ui_replay_event(v->ui, &ev, !v->live);
}

/* Apply what is whole in the buffer.  -1 when the stream is not one. */
static int apply(struct viewer *v)
{
	struct buf *in = &v->c.in;

	for (;;) {
		char *nl;
		json_t *o;

		if (v->want) {
			if (in->len - v->at < v->want)
				break;
			output(v, in->data + v->at, v->want);
			v->at += v->want;
			v->want = 0;
			continue;
		}
		nl = memchr(in->data + v->at, '\n', in->len - v->at);
		if (!nl) {
			if (in->len - v->at > RECORDING_MAX_LINE)
				return -1;
			break;
		}
		o = json_loadb(in->data + v->at, (size_t)(nl - (in->data + v->at)), 0, NULL);
		v->at = (size_t)(nl - in->data) + 1;
		if (!json_is_object(o)) {
			json_decref(o);
			return -1;
		}
		if (!strcmp(json_string_value(json_object_get(o, "type")) ?: "", "output") &&
		    json_is_integer(json_object_get(o, "len"))) {
			json_int_t len = json_integer_value(json_object_get(o, "len")), st;

			if (len < 0 || len > MAX_OUTPUT) {
				json_decref(o);
				return -1;
			}
			st = json_integer_value(json_object_get(o, "step"));
			v->want = (size_t)len;
			v->out_seq = (uint64_t)MAX(json_integer_value(json_object_get(o, "seq")), 0);
			v->out_t = time_of(o);
			v->out_step = st > 0 && st <= MAX_STEP ? (unsigned)st : 0;
		} else {
			record(v, o);
		}
		json_decref(o);
	}
	/* what is applied goes, so that the buffer holds at most a line or a chunk */
	buf_consume(in, v->at);
	v->at = 0;
	return 0;
}

static void closed(struct viewer *v, const char *why)
{
	char *m;

	if (v->closed)
		return;
	v->closed = 1;
	if (v->h)
		loop_remove_fd(v->loop, v->h);
	v->h = NULL;
	m = v->ended ? xasprintf("the session is over: q closes this view")
		     : xasprintf("%s: q closes this view", why);
	ui_say(v->ui, m);
	free(m);
}

static void readable(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct viewer *v = data;
	size_t got = 0;

	(void)loop;
	(void)revents;
	while (got < READ_MAX) {
		ssize_t r;

		buf_grow(&v->c.in, 65536);
		r = read(fd, v->c.in.data + v->c.in.len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0) {
			apply(v);
			closed(v, r == 0 ? "the session closed the connection" : "the connection to the session failed");
			return;
		}
		v->c.in.len += (size_t)r;
		got += (size_t)r;
	}
	if (apply(v) < 0)
		closed(v, "the session sent something that is not its stream");
}

/* ---- what the screen asks ---- */

static json_t *diff_of(struct viewer *v, unsigned id)
{
	return id < v->ndiffs ? v->diffs[id] : NULL;
}

static int files(void *data, unsigned id, const struct review_file **out, struct buf *err)
{
	struct viewer *v = data;

	(void)err;
	if (v->cache_id != id) {
		recdiff_files(&v->diff, diff_of(v, id));
		v->cache_id = id;
		v->gen++;
	}
	*out = v->diff.files;
	return (int)v->diff.nfiles;
}

static int patch(void *data, size_t i, const struct review_line **out, struct buf *err)
{
	struct viewer *v = data;
	json_t *o = v->cache_id != (unsigned)-1 ? diff_of(v, v->cache_id) : NULL;

	*out = NULL;
	if (!o || i >= v->diff.nfiles) {
		buf_addstr(err, "no such file in this step");
		return -1;
	}
	recdiff_patch(&v->diff, o, i);
	*out = v->diff.lines;
	return (int)v->diff.nlines;
}

static unsigned generation(void *data)
{
	return ((struct viewer *)data)->gen;
}

static int count(void *data, unsigned id, unsigned *added, unsigned *removed)
{
	struct viewer *v = data;
	json_t *o = diff_of(v, id);

	*added = *removed = 0;
	if (!o)
		return -1;
	recdiff_count(o, added, removed);
	return 0;
}

static uint64_t now_of(void *data)
{
	struct viewer *v = data;

	return v->ended || v->closed ? v->t : v->t + (now_ns() - v->t_wall);
}

static const char *status(void *data)
{
	struct viewer *v = data;
	unsigned long long s = now_of(v) / 1000000000ull;

	snprintf(v->status, sizeof(v->status), "session %s · %s%s · %llu:%02llu%s", v->c.id,
		 v->may_decide ? "you may decide" : "watching only",
		 v->handed && v->may_decide ? " · the keyboard is yours too (C-] Tab: the pane)" : "", s / 60, s % 60,
		 v->ended ? " · over" : v->closed ? " · disconnected" : "");
	return v->status;
}

static void action(void *data, enum action a)
{
	struct viewer *v = data;

	(void)a;
	ui_say(v->ui, "the session is live: nothing to play or seek (belay replay plays its recording)");
}

static int decide(void *data, unsigned n, enum answer a, const char *how, const char *reason, struct buf *err)
{
	struct viewer *v = data;
	json_t *req;
	char *h = xasprintf("belay attach: %s", how ? how : "keys");

	req = json_pack("{s:s, s:i, s:s, s:s}", "op", "decide", "call", (int)n, "verdict",
			a == ANSWER_DENY ? "deny" : "allow", "how", h);
	free(h);
	if (reason && *reason)
		json_object_set_new(req, "reason", json_string(reason));
	if (v->closed || ctl_send(&v->c, req) < 0) {
		buf_addstr(err, "not connected to the session: nothing decided");
		return -1;
	}
	return 0;
}

static void input(void *data, const char *bytes, size_t len)
{
	struct viewer *v = data;
	json_t *d = json_stringn(bytes, len);

	/* keys are text (UTF-8 and control characters); anything else is not sent */
	if (d && !v->closed)
		ctl_send(&v->c, json_pack("{s:s, s:o}", "op", "input", "data", d));
	else
		json_decref(d);
}

static int handed(void *data)
{
	return ((struct viewer *)data)->handed;
}

static int note(void *data, unsigned step, const char *text, struct buf *err)
{
	struct viewer *v = data;
	json_t *req = json_pack("{s:s, s:s}", "op", "note", "text", text);

	if (step)
		json_object_set_new(req, "step", json_integer(step));
	if (v->closed || ctl_send(&v->c, req) < 0) {
		buf_addstr(err, "not connected to the session: no note added");
		return -1;
	}
	return 0;
}

void viewer_start(struct viewer *v, struct loop *loop, struct ui *ui)
{
	v->loop = loop;
	v->ui = ui;
	v->t_wall = now_ns();
	memset(&v->ops, 0, sizeof(v->ops));
	v->ops.data = v;
	v->ops.intercepted = 1;
	v->ops.action = action;
	v->ops.files = files;
	v->ops.patch = patch;
	v->ops.generation = generation;
	v->ops.count = count;
	v->ops.status = status;
	v->ops.now = now_of;
	v->ops.label = "LIVE";
	v->ops.keys = v->may_decide ? " · C-] a allow · C-] d deny · N note · q quit" : " · N note · q quit";
	v->ops.decide = v->may_decide ? decide : NULL;
	v->ops.note = note;
	v->ops.input = v->may_decide ? input : NULL;
	v->ops.handed = handed;
	ui_replay(ui, &v->ops);
	ui_replay_reset(ui, v->rows, v->cols);
	fd_set_nonblock(v->c.fd, 1);
	/* what came with the header (the backlog's start) first */
	if (apply(v) < 0)
		closed(v, "the session sent something that is not its stream");
	if (!v->closed)
		v->h = loop_add_fd(loop, v->c.fd, LOOP_IN, readable, v);
}
