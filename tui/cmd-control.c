/*
 * cmd-control.c - "belay ls|held|approve|deny|note|attach": the running
 * sessions, through their control sockets (ctlsock.h; the protocol is in
 * belay(1), CONTROL PROTOCOL).  attach hands over to viewer.c.
 */
#define _GNU_SOURCE
#include "cmd-control.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../supervisor/ctlsock.h"
#include "../supervisor/util.h"

int cmd_control_is(const char *name)
{
	static const char *const names[] = { "ls", "held", "approve", "deny", "note" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

int ctl_open(struct ctl *c, const struct ctlsock_found *f, struct buf *err)
{
	json_t *r;

	memset(c, 0, sizeof(*c));
	buf_init(&c->in);
	buf_init(&c->line);
	c->fd = ctlsock_dial(f->path, f->owner, err);
	if (c->fd < 0)
		return -1;
	c->id = xstrdup(f->id);
	r = ctl_ask(c, json_pack("{s:s, s:i}", "op", "hello", "version", CONTROL_VERSION), err);
	if (!r) {
		ctl_close(c);
		return -1;
	}
	c->role = xstrdup(json_string_value(json_object_get(r, "role")) ?: "none");
	json_decref(r);
	return 0;
}

void ctl_close(struct ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_release(&c->in);
	buf_release(&c->line);
	free(c->id);
	free(c->role);
	c->id = c->role = NULL;
}

int ctl_send(struct ctl *c, json_t *req)
{
	char *s = json_dumps(req, JSON_COMPACT);
	int rc;

	json_decref(req);
	if (!s)
		return -1;
	rc = fd_write_all(c->fd, s, strlen(s)) < 0 || fd_write_all(c->fd, "\n", 1) < 0 ? -1 : 0;
	free(s);
	return rc;
}

json_t *ctl_ask(struct ctl *c, json_t *req, struct buf *err)
{
	json_t *r;
	int rc;

	if (ctl_send(c, req) < 0) {
		buf_addf(err, "session %s: cannot send: the session went away", c->id ? c->id : "?");
		return NULL;
	}
	rc = ctlsock_read_line(c->fd, &c->in, &c->line, CONTROL_MAX_LINE * 16);
	if (rc <= 0) {
		buf_addf(err, "session %s closed the connection", c->id ? c->id : "?");
		return NULL;
	}
	r = json_loadb(c->line.data, c->line.len, 0, NULL);
	if (!json_is_object(r)) {
		json_decref(r);
		buf_addf(err, "session %s answered something that is not JSON", c->id ? c->id : "?");
		return NULL;
	}
	if (!strcmp(json_string_value(json_object_get(r, "type")) ?: "", "error")) {
		buf_addf(err, "%s", json_string_value(json_object_get(r, "message")) ?: "error");
		json_decref(r);
		return NULL;
	}
	return r;
}

/* The reachable session id names (NULL: the only one), or NULL with err. */
int ctl_find(const char *id, struct ctlsock_found *out, struct buf *err)
{
	struct ctlsock_found *f;
	size_t n = ctlsock_find(&f), pick = n;

	for (size_t i = 0; i < n; i++)
		if (id ? !strcmp(f[i].id, id) : 1)
			pick = pick == n ? i : n + 1;
	if (!n || pick == n) {
		if (id)
			buf_addf(err, "no session '%s' (belay ls lists them)", id);
		else
			buf_addf(err, "no session is running that you may attach to");
	} else if (pick > n) {
		buf_addf(err, "several sessions are running: name one (belay ls lists them)");
	} else {
		*out = f[pick];
		f[pick] = f[n - 1];
		ctlsock_found_free(f, n - 1);
		return 0;
	}
	ctlsock_found_free(f, n);
	return -1;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k)) ?: "";
}

/* "12 s", "4 min", "2 h" */
static void ago(double s, char *out, size_t n)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, n, "%.0f s", s);
	else if (s < 7200)
		snprintf(out, n, "%.0f min", s / 60);
	else
		snprintf(out, n, "%.0f h", s / 3600);
}

static int cmd_ls(int argc, char **argv)
{
	struct ctlsock_found *f;
	size_t n = ctlsock_find(&f), shown = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "belay: ls takes no arguments (usage: belay ls)\n");
		ctlsock_found_free(f, n);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf err = BUF_INIT;
		struct ctl c;
		json_t *r, *a;
		char *agent, *ws, when[32], old[32];
		time_t t;
		struct tm tm;

		if (ctl_open(&c, &f[i], &err) < 0) {
			buf_release(&err);
			continue; /* gone, or not shared with us */
		}
		r = ctl_ask(&c, json_pack("{s:s}", "op", "info"), &err);
		if (r) {
			a = json_object_get(r, "argv");
			agent = text_visible(json_string_value(json_array_get(a, 0)) ?: "?");
			ws = text_visible(str(r, "workspace"));
			t = (time_t)json_number_value(json_object_get(r, "started"));
			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%H:%M", &tm);
			ago(difftime(time(NULL), t), old, sizeof(old));
			if (!shown++)
				printf("%-8s %-12s %-5s %-8s %-5s %-7s %s\n", "SESSION", "AGENT", "AT", "FOR", "HELD", "ROLE",
				       "WORKSPACE");
			printf("%-8s %-12s %-5s %-8s %-5lld %-7s %s\n", c.id, path_base(agent), when, old,
			       (long long)json_integer_value(json_object_get(r, "held")), c.role, ws);
			free(agent);
			free(ws);
			json_decref(r);
		}
		ctl_close(&c);
		buf_release(&err);
	}
	if (!shown)
		printf("no session is running that you may attach to\n");
	ctlsock_found_free(f, n);
	return 0;
}

static int cmd_held(int argc, char **argv)
{
	struct ctlsock_found *f;
	size_t n = ctlsock_find(&f);
	const char *only = argc > 1 ? argv[1] : NULL;
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		struct buf err = BUF_INIT;
		struct ctl c;
		json_t *r, *x;
		size_t k;

		if ((only && strcmp(only, f[i].id)) || ctl_open(&c, &f[i], &err) < 0) {
			buf_release(&err);
			continue;
		}
		r = ctl_ask(&c, json_pack("{s:s}", "op", "held"), &err);
		json_array_foreach(json_object_get(r, "calls"), k, x) {
			char *what = text_visible(str(x, "what")), w[32];

			ago(json_number_value(json_object_get(x, "waiting")), w, sizeof(w));
			printf("%-10s %s  (%s, step %lld, waiting %s%s)\n", str(x, "id"), what, str(x, "rule"),
			       (long long)json_integer_value(json_object_get(x, "step")), w,
			       json_is_true(json_object_get(x, "two")) ? ", needs two people" : "");
			free(what);
			any = 1;
		}
		json_decref(r);
		ctl_close(&c);
		buf_release(&err);
	}
	if (!any)
		printf("no call is waiting for a decision\n");
	ctlsock_found_free(f, n);
	return 0;
}

/* "SESSION:CALL" into its parts. */
static int split_id(const char *arg, char **session, long *call)
{
	const char *colon = strrchr(arg, ':');

	if (!colon || colon == arg || !parse_int(colon + 1, 1, 1 << 30, call))
		return -1;
	*session = xstrndup(arg, (size_t)(colon - arg));
	return 0;
}

/* argv[from..] as one line of words. */
static void join_words(struct buf *b, int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++)
		buf_addf(b, "%s%s", i > from ? " " : "", argv[i]);
}

/* Send req (taken) to session id and read its answer: NULL after saying why on stderr. */
static json_t *ask_one(const char *id, json_t *req)
{
	struct buf err = BUF_INIT;
	struct ctlsock_found f;
	struct ctl c;
	json_t *r = NULL;

	if (ctl_find(id, &f, &err) < 0) {
		json_decref(req);
	} else {
		if (ctl_open(&c, &f, &err) < 0) {
			json_decref(req);
		} else {
			r = ctl_ask(&c, req, &err);
			ctl_close(&c);
		}
		free(f.path);
		free(f.id);
	}
	if (!r)
		fprintf(stderr, "belay: %s\n", err.data);
	buf_release(&err);
	return r;
}

static int cmd_answer(int argc, char **argv)
{
	int allow = !strcmp(argv[0], "approve");
	struct buf reason = BUF_INIT;
	char *session = NULL;
	long call;
	json_t *r, *req;

	if (argc < 2 || (allow && argc > 2) || split_id(argv[1], &session, &call) < 0) {
		fprintf(stderr, "belay: %s needs a held call's id, SESSION:CALL as belay held shows it (usage: belay %s ID%s)\n",
			argv[0], argv[0], allow ? "" : " [REASON]");
		free(session);
		return 2;
	}
	join_words(&reason, argc, argv, 2);
	req = json_pack("{s:s, s:I, s:s, s:s}", "op", "decide", "call", (json_int_t)call, "verdict",
			allow ? "allow" : "deny", "how", allow ? "belay approve" : "belay deny");
	if (reason.len)
		json_object_set_new(req, "reason", json_string(reason.data));
	r = ask_one(session, req);
	if (r && !strcmp(str(r, "type"), "waiting"))
		printf("%s:%ld: %s\n", session, call, str(r, "message"));
	else if (r)
		printf("%s:%ld %s\n", session, call, allow ? "allowed" : "denied");
	json_decref(r);
	buf_release(&reason);
	free(session);
	return r ? 0 : 1;
}

static int cmd_note(int argc, char **argv)
{
	struct buf text = BUF_INIT;
	char *session, *colon;
	long step = 0;
	json_t *r, *req;

	if (argc < 3) {
		fprintf(stderr, "belay: note needs a session (SESSION, or SESSION:STEP) and the text (usage: belay note SESSION[:STEP] TEXT)\n");
		return 2;
	}
	session = xstrdup(argv[1]);
	if ((colon = strchr(session, ':'))) {
		*colon = '\0';
		if (!parse_int(colon + 1, 0, 1 << 30, &step)) {
			fprintf(stderr, "belay: note: '%s' is not a step number\n", colon + 1);
			free(session);
			return 2;
		}
	}
	join_words(&text, argc, argv, 2);
	req = json_pack("{s:s, s:s}", "op", "note", "text", text.data);
	if (step)
		json_object_set_new(req, "step", json_integer(step));
	r = ask_one(session, req);
	json_decref(r);
	buf_release(&text);
	free(session);
	return r ? 0 : 1;
}

int cmd_control(int argc, char **argv)
{
	if (!strcmp(argv[0], "ls"))
		return cmd_ls(argc, argv);
	if (!strcmp(argv[0], "held"))
		return cmd_held(argc, argv);
	if (!strcmp(argv[0], "note"))
		return cmd_note(argc, argv);
	return cmd_answer(argc, argv);
}
