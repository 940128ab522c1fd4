/*
 * control.c - a session's control socket; see control.h, and belay(1),
 * CONTROL PROTOCOL, for what is said on it.
 *
 * The stream viewers get is the journal's (journal_tap): every record as
 * the recording has it, the agent's output as raw bytes after a line that
 * says how many.  For a late joiner the records so far are kept here (the
 * timeline and the diffs), with the newest keyframe of the pane and the
 * output after it, so that it sees the screen as it is now and the whole
 * timeline at once.  Nothing a client sends is trusted, and nothing waits
 * for a client: requests are read a bounded chunk at a time, answers and
 * the stream are queued and written when the socket takes them.
 *
 * Kernel interface: unix(7) (SO_PEERCRED), proc(5) (/proc/PID/stat).
 */
#define _GNU_SOURCE
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "call.h"
#include "util.h"

#define READ_CHUNK (64 * 1024)    /* read from a client per wake-up, at most */
#define MAX_ERRORS 8              /* bad requests before a client is dropped */
#define MAX_SINCE (4u << 20)      /* output after the last keyframe kept for late joiners */
#define MAX_TIMELINE (64u << 20)  /* past it, late joiners get no more diffs (the events still) */
#define MAX_NOTE 1000             /* bytes of a note */
#define MAX_REASON 300
#define MAX_INPUT 4096            /* bytes of keys a request carries */
#define INPUT_BACKLOG (64 * 1024) /* keys waiting for the agent, at most, before more are refused */
/*
 * A viewer this far behind stops getting the output; once it has read all
 * but RESUME_AT it gets the pane as it is then and follows again, so that
 * a slow viewer costs the session nothing and shows what the screen shows
 * (tmux redraws a slow client the same way).  Without a screen to take the
 * pane from (headless) nothing is skipped, and a viewer CONTROL_MAX_QUEUE
 * behind is dropped.
 */
#define STALE_AT (1u << 20)
#define RESUME_AT (64u * 1024)
/*
 * A flood (more than FLOOD_BYTES of output in FLOOD_NS) reaches viewers
 * as the pane at the end of each FLOOD_NS: a reviewer sees what the screen
 * shows ten times a second, and no viewer parses megabytes a second to
 * show it (their scrollback misses what the flood scrolled past).
 */
#define FLOOD_BYTES (128u * 1024)
#define FLOOD_NS (100 * 1000000ull)

struct client {
	struct control *c;
	int fd;
	struct loop_fd *h;
	uid_t uid;
	pid_t pid;
	char *user;
	enum control_role role;
	int hello, attached, errors, dead;
	int behind;     /* output is not sent: it catches up with a keyframe (STALE_AT, RESUME_AT) */
	size_t backlog; /* of out, what a late joiner got at once (not counted against CONTROL_MAX_QUEUE) */
	struct buf in, out;
};

struct control {
	struct loop *loop;
	struct journal *j;
	struct session *s;
	int lfd;
	struct loop_fd *lh;
	char *dir, *path, *id;
	int shared;
	struct control_share *shares;
	size_t nshares;
	struct client **cl;
	size_t ncl, cl_cap;
	struct loop_timer *later; /* dropped clients freed, notices said: outside every callback of ours */
	int keyboard;        /* the owner handed the keyboard to the reviewers */
	struct loop_timer *flood_timer; /* the end of a window of flood: viewers get the pane */
	uint64_t window_start;
	size_t window_bytes;
	char **notices;
	size_t nnotices;
	struct buf timeline; /* the records so far, a line each */
	int timeline_full;
	struct buf screen;   /* the newest keyframe's record */
	struct buf since;    /* the output after it */
	uint64_t since_seq, since_t;
	struct buf line;
	double epoch0;       /* when the session started (seconds since 1970) */
};

static const char *const role_names[] = {
	[ROLE_NONE] = "none", [ROLE_WATCH] = "watch", [ROLE_REVIEW] = "review", [ROLE_OWNER] = "owner"
};

const char *control_role_name(enum control_role r)
{
	return (unsigned)r < ARRAY_SIZE(role_names) ? role_names[r] : "none";
}

enum control_role control_role_parse(const char *s)
{
	for (size_t i = 1; s && i < ARRAY_SIZE(role_names); i++)
		if (!strcmp(s, role_names[i]))
			return (enum control_role)i;
	return ROLE_NONE;
}

int control_share_parse(const char *arg, struct control_share *out, struct buf *err)
{
	const char *colon = strrchr(arg, ':');
	char *name = colon ? xstrndup(arg, (size_t)(colon - arg)) : xstrdup(arg);
	int group = name[0] == '@';

	memset(out, 0, sizeof(*out));
	out->role = colon ? control_role_parse(colon + 1) : ROLE_WATCH;
	if (out->role != ROLE_WATCH && out->role != ROLE_REVIEW) {
		buf_addf(err, "--share '%s': the role must be watch or review", arg);
		goto bad;
	}
	if (group)
		memmove(name, name + 1, strlen(name));
	if (!name[0]) {
		buf_addf(err, "--share '%s': name a user or a group (@group)", arg);
		goto bad;
	}
	if (!group && !getpwnam(name)) {
		if (!getgrnam(name)) {
			buf_addf(err, "--share '%s': there is no user or group '%s'", arg, name);
			goto bad;
		}
		group = 1;
	} else if (group && !getgrnam(name)) {
		buf_addf(err, "--share '%s': there is no group '%s'", arg, name);
		goto bad;
	}
	out->name = name;
	out->group = group;
	return 0;
bad:
	free(name);
	return -1;
}

/* ---- clients ---- */

static void sweep(struct control *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->ncl; i++) {
		struct client *cl = c->cl[i];

		if (!cl->dead) {
			c->cl[k++] = cl;
			continue;
		}
		buf_release(&cl->in);
		buf_release(&cl->out);
		free(cl->user);
		free(cl);
	}
	c->ncl = k;
}

/*
 * Careful: a notice is an event, and events come back through the tap to
 * every client; so a client is freed, and a notice said, only from a timer,
 * never inside a callback that may be going through the clients.
 */
static void later(struct loop *loop, void *data)
{
	struct control *c = data;

	(void)loop;
	c->later = NULL;
	sweep(c);
	for (size_t i = 0; i < c->nnotices; i++) {
		if (c->s)
			session_notice(c->s, c->notices[i]);
		free(c->notices[i]);
	}
	c->nnotices = 0;
}

static void arm_later(struct control *c)
{
	if (!c->later)
		c->later = loop_add_timer(c->loop, 0, later, c);
}

static void say(struct control *c, char *text)
{
	c->notices = xrealloc(c->notices, (c->nnotices + 1) * sizeof(char *));
	c->notices[c->nnotices++] = text;
	arm_later(c);
}

static void client_drop(struct client *cl)
{
	struct control *c = cl->c;

	if (cl->dead)
		return;
	cl->dead = 1;
	loop_remove_fd(c->loop, cl->h);
	close(cl->fd);
	cl->fd = -1;
	if (cl->attached)
		say(c, xasprintf("%s stopped watching (%s)", cl->user, control_role_name(cl->role)));
	arm_later(c);
}

static void client_flush(struct client *cl)
{
	if (cl->dead)
		return;
	while (cl->out.len) {
		ssize_t w = send(cl->fd, cl->out.data, cl->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			client_drop(cl);
			return;
		}
		buf_consume(&cl->out, (size_t)w);
		cl->backlog -= MIN(cl->backlog, (size_t)w);
	}
	loop_fd_set_events(cl->h, LOOP_IN | (cl->out.len ? LOOP_OUT : 0));
}

/* Queue bytes for cl; a client too far behind is dropped (the session never waits for it). */
static void client_queue(struct client *cl, const void *d, size_t n)
{
	if (cl->dead)
		return;
	if (cl->out.len + n > CONTROL_MAX_QUEUE + cl->backlog) {
		client_drop(cl);
		return;
	}
	buf_add(&cl->out, d, n);
}

static void client_send(struct client *cl, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	if (!s)
		return;
	client_queue(cl, s, strlen(s));
	client_queue(cl, "\n", 1);
	free(s);
	if (!cl->dead)
		client_flush(cl);
}

static void client_error(struct client *cl, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void client_error(struct client *cl, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	client_send(cl, json_pack("{s:s, s:s}", "type", "error", "message", m ? m : "error"));
	free(m);
}

/* ---- the stream ---- */

/* The line before output bytes: what they are and how many follow. */
static void output_head(struct buf *b, uint64_t seq, uint64_t t, unsigned step, size_t n)
{
	buf_addf(b, "{\"type\":\"output\",\"seq\":%llu,\"t\":%.6f,\"step\":%u,\"len\":%zu}\n", (unsigned long long)seq,
		 (double)(t / 1000) / 1e6, step, n);
}

static void broadcast(struct control *c, const char *d, size_t n)
{
	for (size_t i = 0; i < c->ncl; i++) {
		struct client *cl = c->cl[i];

		if (!cl->attached || cl->dead)
			continue;
		client_queue(cl, d, n);
		/* written when the loop says it can be: one send per wake-up, not per line */
		if (!cl->dead && !(loop_fd_events(cl->h) & LOOP_OUT))
			loop_fd_set_events(cl->h, LOOP_IN | LOOP_OUT);
	}
}

/* The pane now to every viewer that skipped output and has read what it had. */
static void catch_up(struct control *c)
{
	struct buf rec = BUF_INIT;
	int got = 0;

	for (size_t i = 0; i < c->ncl; i++) {
		struct client *cl = c->cl[i];

		if (!cl->behind || cl->dead || cl->out.len >= RESUME_AT)
			continue;
		/* careful: this hands held-back output to the tap first; the
		 * viewers behind still skip it (the pane has it) */
		if (!got && journal_screen_now(c->j, &rec) < 0)
			break;
		if (!got)
			buf_addch(&rec, '\n');
		got = 1;
		client_queue(cl, rec.data, rec.len);
		cl->behind = 0;
		client_flush(cl);
	}
	buf_release(&rec);
}

static void flood_over(struct loop *loop, void *data)
{
	struct control *c = data;

	(void)loop;
	c->flood_timer = NULL;
	c->window_start = now_ns();
	c->window_bytes = 0;
	catch_up(c);
}

/*
 * Output to the viewers that keep up.  With a screen to take the pane from,
 * a viewer skips output while the agent floods (FLOOD_BYTES) or while it
 * is too far behind (STALE_AT), and then gets the pane (catch_up).
 */
static void broadcast_output(struct control *c, const char *d, size_t n)
{
	int skip = journal_draws_screen(c->j), flooding;
	uint64_t now = now_ns();

	if (now - c->window_start >= FLOOD_NS) {
		c->window_start = now;
		c->window_bytes = 0;
	}
	c->window_bytes += n;
	flooding = skip && c->window_bytes > FLOOD_BYTES;
	if (flooding && !c->flood_timer)
		c->flood_timer = loop_add_timer(c->loop, c->window_start + FLOOD_NS - now, flood_over, c);
	for (size_t i = 0; i < c->ncl; i++) {
		struct client *cl = c->cl[i];

		if (!cl->attached || cl->dead || cl->behind)
			continue;
		if (skip && (flooding || cl->out.len > STALE_AT)) {
			cl->behind = 1;
			continue;
		}
		client_queue(cl, d, n);
		if (!cl->dead && !(loop_fd_events(cl->h) & LOOP_OUT))
			loop_fd_set_events(cl->h, LOOP_IN | LOOP_OUT);
	}
}

/* Output after the newest keyframe, for late joiners to a session without a screen (at most MAX_SINCE). */
static void keep_since(struct control *c, const struct journal_part *p)
{
	if (!c->since.len)
		c->since_seq = p->seq, c->since_t = p->t_ns;
	if (c->since.len + p->len > MAX_SINCE) {
		/* the newest output is what draws the screen most */
		buf_consume(&c->since, MIN(c->since.len, c->since.len + p->len - MAX_SINCE / 2));
	}
	buf_add(&c->since, p->data, MIN(p->len, (size_t)MAX_SINCE));
}

static void tapped(const struct journal_part *p, void *arg)
{
	struct control *c = arg;

	switch (p->kind) {
	case JOURNAL_RECORD: {
		int diff = p->len > 20 && memmem(p->data, MIN(p->len, (size_t)120), "\"type\":\"diff\"", 13);

		if (!diff || !c->timeline_full) {
			buf_add(&c->timeline, p->data, p->len);
			buf_addch(&c->timeline, '\n');
		}
		if (c->timeline.len > MAX_TIMELINE)
			c->timeline_full = 1;
		buf_reset(&c->line);
		buf_add(&c->line, p->data, p->len);
		buf_addch(&c->line, '\n');
		broadcast(c, c->line.data, c->line.len);
		break;
	}
	case JOURNAL_SCREEN:
		/* kept for late joiners; those attached have the output */
		buf_reset(&c->screen);
		buf_add(&c->screen, p->data, p->len);
		buf_reset(&c->since);
		break;
	case JOURNAL_OUTPUT:
		/* late joiners start from the pane the screen draws; without a screen, from the output kept */
		if (!journal_draws_screen(c->j))
			keep_since(c, p);
		if (!c->ncl)
			break;
		buf_reset(&c->line);
		output_head(&c->line, p->seq, p->t_ns, p->step, p->len);
		buf_add(&c->line, p->data, p->len);
		broadcast_output(c, c->line.data, c->line.len);
		break;
	}
}

/* ---- requests ---- */

static json_t *info(struct control *c)
{
	json_t *o = json_pack("{s:s, s:s, s:i}", "type", "info", "session", c->id, "pid", (int)getpid());
	json_t *argv = json_array();
	unsigned viewers = control_viewers(c);

	if (c->s) {
		char *const *a = session_argv(c->s);

		for (size_t i = 0; a && a[i]; i++)
			json_array_append_new(argv, event_json_text(a[i], strlen(a[i])));
		json_object_set_new(o, "agent_pid", json_integer(session_pid(c->s)));
		json_object_set_new(o, "workspace", event_json_text(session_cwd(c->s), strlen(session_cwd(c->s))));
		json_object_set_new(o, "held", json_integer((json_int_t)session_nheld(c->s)));
		json_object_set_new(o, "running", json_boolean(session_running(c->s)));
	}
	json_object_set_new(o, "argv", argv);
	json_object_set_new(o, "started", json_real(c->epoch0));
	json_object_set_new(o, "viewers", json_integer(viewers));
	json_object_set_new(o, "shared", json_boolean(c->shared));
	return o;
}

static json_t *held_list(struct control *c)
{
	json_t *a = json_array();
	uint64_t now = now_ns();

	for (size_t i = 0; c->s && i < session_nheld(c->s); i++) {
		const struct held_call *h = session_held(c->s, i);
		char *what = call_describe(h->call), *id = xasprintf("%s:%u", c->id, h->n);
		json_t *x = json_pack("{s:s, s:i, s:i}", "id", id, "call", (int)h->n, "step", (int)h->step);

		json_object_set_new(x, "what", event_json_text(what, strlen(what)));
		json_object_set_new(x, "rule", json_string(h->rule ? h->rule : ""));
		json_object_set_new(x, "waiting", json_real((double)((now - h->since_ns) / 1000000) / 1e3));
		if (h->two)
			json_object_set_new(x, "two", json_true());
		json_array_append_new(a, x);
		free(what);
		free(id);
	}
	return json_pack("{s:s, s:o}", "type", "held", "calls", a);
}

/* A string field, one line of visible text of at most max bytes, or NULL. */
static char *text_field(json_t *o, const char *key, size_t max)
{
	const char *s = json_string_value(json_object_get(o, key));
	char *t, *v;

	if (!s)
		return NULL;
	t = xstrndup(s, strnlen(s, max));
	for (char *p = t; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	v = text_visible(t);
	free(t);
	return v;
}

static void req_decide(struct client *cl, json_t *o)
{
	struct control *c = cl->c;
	json_t *n = json_object_get(o, "call");
	const char *v = json_string_value(json_object_get(o, "verdict"));
	char *reason = text_field(o, "reason", MAX_REASON), *how = text_field(o, "how", 80);
	struct answerer w = { DECIDED_REVIEWER, how ? how : "belay control socket", cl->user, cl->uid, reason };
	enum answer a;
	int rc;

	if (cl->role < ROLE_REVIEW) {
		client_error(cl, "%s may watch this session, not decide (the owner shares it with --share %s:review)",
			     cl->user, cl->user);
		goto out;
	}
	if (!json_is_integer(n) || json_integer_value(n) <= 0 || json_integer_value(n) > 1 << 30 || !v ||
	    (strcmp(v, "allow") && strcmp(v, "deny"))) {
		client_error(cl, "a decision needs \"call\" (a held call's number) and \"verdict\" (allow or deny)");
		cl->errors++;
		goto out;
	}
	if (!c->s) {
		client_error(cl, "the session has not started");
		goto out;
	}
	a = !strcmp(v, "allow") ? ANSWER_ALLOW : ANSWER_DENY;
	rc = session_decide(c->s, (unsigned)json_integer_value(n), a, &w);
	if (rc == 0)
		client_send(cl, json_pack("{s:s, s:I, s:s}", "type", "decided", "call", json_integer_value(n), "verdict", v));
	else if (rc == 1)
		client_send(cl, json_pack("{s:s, s:I, s:s}", "type", "waiting", "call", json_integer_value(n), "message",
					  "allowed by you; it needs a second person (another user) to allow it too"));
	else if (rc == -2)
		client_error(cl, "you allowed call %s:%lld already; it needs another user", c->id,
			     (long long)json_integer_value(n));
	else
		client_error(cl, "call %s:%lld is not waiting (answered already, or gone: the timeline says which)", c->id,
			     (long long)json_integer_value(n));
out:
	free(reason);
	free(how);
}

/* Keys from a reviewer the owner handed the keyboard to: to the agent's terminal. */
static void req_input(struct client *cl, json_t *o)
{
	json_t *d = json_object_get(o, "data");
	size_t n = json_string_length(d);

	if (cl->role < ROLE_REVIEW || !cl->c->keyboard) {
		client_error(cl, "the owner has not handed you the keyboard: your keys do not reach the agent");
		return;
	}
	if (!json_is_string(d) || n > MAX_INPUT) {
		client_error(cl, "input needs \"data\": at most %d bytes of keys", MAX_INPUT);
		cl->errors++;
		return;
	}
	if (!cl->c->s || session_pending_input(cl->c->s) + n > INPUT_BACKLOG) {
		client_error(cl, "the agent is not reading its terminal: keys dropped");
		return;
	}
	session_write(cl->c->s, json_string_value(d), n);
}

static void req_note(struct client *cl, json_t *o)
{
	json_t *st = json_object_get(o, "step");
	char *text = text_field(o, "text", MAX_NOTE);

	if (!text || !text[0] || (st && (!json_is_integer(st) || json_integer_value(st) < 0 ||
					 json_integer_value(st) > 1 << 30))) {
		client_error(cl, "a note needs \"text\" (one line) and, for a step, \"step\" (its number)");
		cl->errors++;
	} else if (cl->c->s) {
		session_note(cl->c->s, st ? (unsigned)json_integer_value(st) : 0, cl->user, text);
		client_send(cl, json_pack("{s:s}", "type", "noted"));
	}
	free(text);
}

/* A late joiner: the header, the records so far, the screen now and the output after it, then live. */
static void req_attach(struct client *cl)
{
	struct control *c = cl->c;
	const char *h = journal_header_text(c->j);
	struct buf now = BUF_INIT;

	/* what the tap has is all the session emitted (nothing held back) */
	journal_flush(c->j);
	client_send(cl, json_pack("{s:s, s:s, s:s}", "type", "attached", "session", c->id, "role",
				  control_role_name(cl->role)));
	if (cl->dead)
		return;
	/* the session so far (up to MAX_TIMELINE of diffs) is not held against the viewer */
	cl->backlog = c->timeline.len + strlen(h ? h : "{}") + 1 + c->since.len + (2u << 20);
	client_queue(cl, h ? h : "{}", strlen(h ? h : "{}"));
	client_queue(cl, "\n", 1);
	client_queue(cl, c->timeline.data ? c->timeline.data : "", c->timeline.len);
	if (journal_screen_now(c->j, &now) == 0) {
		/* the pane as the screen shows it now */
		buf_addch(&now, '\n');
		client_queue(cl, now.data, now.len);
	} else if (c->screen.len) {
		client_queue(cl, c->screen.data, c->screen.len);
		client_queue(cl, "\n", 1);
	}
	if (c->since.len && !journal_draws_screen(c->j)) {
		buf_reset(&c->line);
		output_head(&c->line, c->since_seq, c->since_t, 0, c->since.len);
		client_queue(cl, c->line.data, c->line.len);
		client_queue(cl, c->since.data, c->since.len);
	}
	client_queue(cl, "{\"type\":\"live\"}\n", 16);
	if (c->keyboard && cl->role >= ROLE_REVIEW)
		client_queue(cl, "{\"type\":\"keyboard\",\"handed\":true}\n", 35);
	buf_release(&now);
	if (cl->dead)
		return;
	cl->attached = 1;
	client_flush(cl);
	if (!cl->dead)
		say(c, xasprintf("%s is watching (%s%s)", cl->user, control_role_name(cl->role),
				 cl->role >= ROLE_REVIEW ? ": may decide" : ""));
}

static void request(struct client *cl, const char *line, size_t len)
{
	json_error_t e;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e);
	const char *op = json_string_value(json_object_get(o, "op"));

	if (!json_is_object(o) || !op) {
		client_error(cl, "not a request: one JSON object with \"op\" per line");
		cl->errors++;
	} else if (!cl->hello && strcmp(op, "hello")) {
		client_error(cl, "say hello first: {\"op\":\"hello\",\"version\":%d}", CONTROL_VERSION);
		cl->errors++;
	} else if (!strcmp(op, "hello")) {
		json_t *v = json_object_get(o, "version");

		if (!json_is_integer(v) || json_integer_value(v) != CONTROL_VERSION) {
			client_error(cl, "this session speaks version %d of the control protocol", CONTROL_VERSION);
			client_drop(cl);
		} else {
			cl->hello = 1;
			client_send(cl, json_pack("{s:s, s:i, s:s, s:s, s:s}", "type", "hello", "version", CONTROL_VERSION,
						  "session", cl->c->id, "role", control_role_name(cl->role), "user",
						  cl->user));
		}
	} else if (!strcmp(op, "info")) {
		client_send(cl, info(cl->c));
	} else if (!strcmp(op, "held")) {
		client_send(cl, held_list(cl->c));
	} else if (!strcmp(op, "decide")) {
		req_decide(cl, o);
	} else if (!strcmp(op, "note")) {
		req_note(cl, o);
	} else if (!strcmp(op, "input")) {
		req_input(cl, o);
	} else if (!strcmp(op, "attach")) {
		const char *role = json_string_value(json_object_get(o, "role"));

		/* a viewer may ask for less than it may have (belay attach --read-only), never more */
		if (role && control_role_parse(role) != ROLE_NONE && control_role_parse(role) < cl->role)
			cl->role = control_role_parse(role);
		if (cl->attached)
			client_error(cl, "attached already");
		else
			req_attach(cl);
	} else {
		client_error(cl, "unknown op '%.40s' (hello, info, held, decide, note, attach, input)", op);
		cl->errors++;
	}
	json_decref(o);
	if (cl->errors >= MAX_ERRORS)
		client_drop(cl);
}

static void client_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct client *cl = data;
	char *buf;
	ssize_t r;
	size_t at = 0;

	(void)loop;
	if (revents & LOOP_OUT) {
		client_flush(cl);
		if (cl->behind && !cl->dead && cl->out.len < RESUME_AT && !cl->c->flood_timer)
			catch_up(cl->c);
	}
	if (cl->dead || !(revents & (LOOP_IN | LOOP_HUP | LOOP_ERR)))
		goto out;
	/* one bounded read per wake-up: a client that floods gets no more of the loop than one that does not */
	buf_grow(&cl->in, READ_CHUNK);
	buf = cl->in.data + cl->in.len;
	r = read(fd, buf, READ_CHUNK);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		goto out;
	if (r <= 0) {
		client_drop(cl);
		goto out;
	}
	cl->in.len += (size_t)r;
	cl->in.data[cl->in.len] = '\0';
	for (;;) {
		char *nl = memchr(cl->in.data + at, '\n', cl->in.len - at);

		if (!nl || cl->dead)
			break;
		if (nl > cl->in.data + at)
			request(cl, cl->in.data + at, (size_t)(nl - (cl->in.data + at)));
		at = (size_t)(nl - cl->in.data) + 1;
	}
	if (!cl->dead) {
		buf_consume(&cl->in, at);
		if (cl->in.len > CONTROL_MAX_LINE) {
			client_error(cl, "a request is longer than %d bytes: dropped", CONTROL_MAX_LINE);
			client_drop(cl);
		}
	}
out:
	return;
}

/* ---- who connects ---- */

/* The parent of pid (/proc/PID/stat), or -1 when it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd, ppid;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* the name may hold ')': the fields follow the last one */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* pid runs the same program as this process (a belay). */
static int is_belay(pid_t pid, const struct stat *self)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return stat(path, &st) == 0 && st.st_dev == self->st_dev && st.st_ino == self->st_ino;
}

/*
 * The peer is a process of an agent's tree: of this session's (belay is
 * its subreaper, so every process the agent starts stays below belay,
 * however it forks), or of any other belay's, even one run without
 * interception (whose agent would otherwise be the owner here).
 * 1 (or unknowable: gone already), 0 when it is not.
 */
static int from_agent_tree(pid_t pid)
{
	pid_t me = getpid();
	struct stat self;
	int know = stat("/proc/self/exe", &self) == 0;

	if (pid <= 0)
		return 1;
	for (int depth = 0; depth < 4096; depth++) {
		pid_t pp = parent_of(pid);

		if (pp < 0 || pp == me || (know && pp > 1 && is_belay(pp, &self)))
			return 1;
		if (pp <= 1)
			return 0;
		pid = pp;
	}
	return 1;
}

static enum control_role role_of(struct control *c, uid_t uid, const char *user, gid_t gid)
{
	enum control_role best = ROLE_NONE;

	if (uid == geteuid() || uid == 0)
		return ROLE_OWNER;
	for (size_t i = 0; i < c->nshares; i++) {
		const struct control_share *s = &c->shares[i];
		int match = 0;

		if (!s->group) {
			match = user && !strcmp(user, s->name);
		} else {
			struct group *g = getgrnam(s->name);
			gid_t groups[256];
			int n = ARRAY_SIZE(groups);

			if (g && gid == g->gr_gid)
				match = 1;
			else if (g && user && getgrouplist(user, gid, groups, &n) >= 0)
				for (int k = 0; k < n && !match; k++)
					match = groups[k] == g->gr_gid;
		}
		if (match && s->role > best)
			best = s->role;
	}
	return best;
}

static void accept_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct control *c = data;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct passwd *pw;
	struct client *cl;
	int cfd;

	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(cfd);
		return;
	}
	if (from_agent_tree(cred.pid)) {
		/* never the agent's: said to the person, not to the peer */
		say(c, xasprintf("a process run by an agent (pid %d, under this belay or another) connected to belay's control socket: refused",
				 (int)cred.pid));
		close(cfd);
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->c = c;
	cl->fd = cfd;
	cl->uid = cred.uid;
	cl->pid = cred.pid;
	pw = getpwuid(cred.uid);
	cl->user = pw ? xstrdup(pw->pw_name) : xasprintf("uid %u", (unsigned)cred.uid);
	cl->role = role_of(c, cred.uid, pw ? cl->user : NULL, cred.gid);
	buf_init(&cl->in);
	buf_init(&cl->out);
	cl->h = loop_add_fd(loop, cfd, LOOP_IN, client_ready, cl);
	c->cl = xgrow(c->cl, &c->cl_cap, c->ncl + 1, sizeof(*c->cl));
	c->cl[c->ncl++] = cl;
	if (cl->role == ROLE_NONE || c->ncl > CONTROL_MAX_CLIENTS) {
		if (cl->role == ROLE_NONE)
			client_error(cl, "%s may not attach to session %s: it is not shared with them (the owner can: belay --share %s)",
				     cl->user, c->id, cl->user);
		else
			client_error(cl, "session %s has %d clients already", c->id, CONTROL_MAX_CLIENTS);
		client_drop(cl);
	}
}

/* ---- the socket ---- */

static void unlink_socket(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
}

struct control *control_new(struct loop *loop, struct journal *j, const struct control_share *shares, size_t nshares,
			    struct buf *err)
{
	struct control *c = xcalloc(1, sizeof(*c));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timespec ts;
	mode_t old;

	c->loop = loop;
	c->j = j;
	c->lfd = -1;
	c->shared = nshares > 0;
	buf_init(&c->timeline);
	buf_init(&c->screen);
	buf_init(&c->since);
	buf_init(&c->line);
	clock_gettime(CLOCK_REALTIME, &ts);
	c->epoch0 = (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1e3;
	c->id = xasprintf("%d", (int)getpid());
	c->dir = ctlsock_dir(geteuid(), c->shared, 1, err);
	if (!c->dir)
		goto fail;
	c->path = xasprintf("%s/%s", c->dir, c->id);
	if (strlen(c->path) >= sizeof(sa.sun_path)) {
		buf_addf(err, "control socket path '%s' is too long (set XDG_RUNTIME_DIR to a shorter folder)", c->path);
		goto fail;
	}
	strcpy(sa.sun_path, c->path);
	/* what belays that died (killed, a crash) left: nothing listens there */
	remove_left_by_dead(c->dir, "", unlink_socket);
	unlink(c->path);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	old = umask(c->shared ? 0111 : 0177);
	if (c->lfd < 0 || bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(c->lfd, 16) < 0) {
		umask(old);
		buf_addf(err, "cannot listen on '%s': %s", c->path, strerror(errno));
		goto fail;
	}
	umask(old);
	for (size_t i = 0; i < nshares; i++) {
		c->shares = xrealloc(c->shares, (i + 1) * sizeof(*c->shares));
		c->shares[i] = shares[i];
		c->shares[i].name = xstrdup(shares[i].name);
		c->nshares = i + 1;
	}
	c->lh = loop_add_fd(loop, c->lfd, LOOP_IN, accept_ready, c);
	journal_tap(j, tapped, c);
	return c;
fail:
	if (c->lfd >= 0)
		close(c->lfd);
	free(c->dir);
	free(c->path);
	c->dir = c->path = NULL;
	control_free(c);
	return NULL;
}

void control_free(struct control *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ncl; i++) {
		/* the session's end is the last thing they get: what fits the socket goes */
		client_flush(c->cl[i]);
		c->cl[i]->attached = 0; /* no notice: the session is going */
		client_drop(c->cl[i]);
	}
	sweep(c);
	free(c->cl);
	loop_cancel_timer(c->loop, c->later);
	loop_cancel_timer(c->loop, c->flood_timer);
	for (size_t i = 0; i < c->nnotices; i++)
		free(c->notices[i]);
	free(c->notices);
	if (c->lh)
		loop_remove_fd(c->loop, c->lh);
	if (c->lfd >= 0) {
		close(c->lfd);
		unlink(c->path);
	}
	if (c->j)
		journal_tap(c->j, NULL, NULL);
	for (size_t i = 0; i < c->nshares; i++)
		free(c->shares[i].name);
	free(c->shares);
	buf_release(&c->timeline);
	buf_release(&c->screen);
	buf_release(&c->since);
	buf_release(&c->line);
	free(c->dir);
	free(c->path);
	free(c->id);
	free(c);
}

int control_hand_keyboard(struct control *c)
{
	const char *line = !c->keyboard ? "{\"type\":\"keyboard\",\"handed\":true}\n"
					: "{\"type\":\"keyboard\",\"handed\":false}\n";

	c->keyboard = !c->keyboard;
	for (size_t i = 0; i < c->ncl; i++) {
		struct client *cl = c->cl[i];

		if (cl->attached && !cl->dead && cl->role >= ROLE_REVIEW) {
			client_queue(cl, line, strlen(line));
			client_flush(cl);
		}
	}
	say(c, xstrdup(c->keyboard ? "the keyboard is handed to the reviewers watching: their keys reach the agent too"
				   : "the keyboard is the owner's alone again: no reviewer's key reaches the agent"));
	return c->keyboard;
}

void control_serve(struct control *c, struct session *s)
{
	c->s = s;
}

const char *control_dir(const struct control *c)
{
	return c->dir;
}

const char *control_path(const struct control *c)
{
	return c->path;
}

const char *control_id(const struct control *c)
{
	return c->id;
}

unsigned control_viewers(const struct control *c)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->ncl; i++)
		n += c->cl[i]->attached && !c->cl[i]->dead;
	return n;
}
