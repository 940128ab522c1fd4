/*
 * event.c - names of event types and their JSON form (with jansson).
 * The field names are a documented interface (belay(1), EVENTS): add fields
 * freely, rename none without a reason.
 */
#define _GNU_SOURCE
#include "event.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const type_names[EV__COUNT] = {
	[EV_SESSION_START] = "session-start",
	[EV_OUTPUT] = "output",
	[EV_RESIZE] = "resize",
	[EV_EXIT] = "exit",
	[EV_SESSION_END] = "session-end",
	[EV_EXEC] = "exec",
	[EV_FILE] = "file",
	[EV_CONNECT] = "connect",
	[EV_HELD] = "held",
	[EV_DECISION] = "decision",
	[EV_STEP_START] = "step-start",
	[EV_STEP_END] = "step-end",
	[EV_GRANT] = "grant",
	[EV_REVOKE] = "revoke",
	[EV_NOTICE] = "notice",
	[EV_CHECKPOINT] = "checkpoint",
	[EV_HIDDEN] = "hidden",
	[EV_NOTE] = "note",
};

const char *event_type_name(enum event_type type)
{
	if ((unsigned)type >= EV__COUNT || !type_names[type])
		BUG("unknown event type %d", (int)type);
	return type_names[type];
}

static const char *const decider_names[DECIDED__COUNT] = {
	[DECIDED_RULE] = "rule",
	[DECIDED_USER] = "user",
	[DECIDED_TIMEOUT] = "timeout",
	[DECIDED_GRANT] = "grant",
	[DECIDED_AGENT_START] = "agent-start",
	[DECIDED_GONE] = "gone",
	[DECIDED_SESSION_END] = "session-end",
	[DECIDED_REVIEWER] = "reviewer",
};

static const char *const checkpoint_kind_names[CP__COUNT] = {
	[CP_BASELINE] = "baseline",
	[CP_BETWEEN] = "between",
	[CP_STEP] = "step",
	[CP_WRITE_AHEAD] = "write-ahead",
	[CP_STEPS] = "steps",
	[CP_RESTORE] = "restore",
	[CP_END] = "end",
	[CP_UPKEEP] = "upkeep",
};

const char *decider_name(enum decider d)
{
	if ((unsigned)d >= DECIDED__COUNT)
		BUG("unknown decider %d", (int)d);
	return decider_names[d];
}

const char *checkpoint_kind_name(enum checkpoint_kind k)
{
	if ((unsigned)k >= CP__COUNT)
		BUG("unknown checkpoint kind %d", (int)k);
	return checkpoint_kind_names[k];
}

/* A JSON string of arbitrary bytes: valid UTF-8 kept, the rest U+FFFD. */
static json_t *json_bytes(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	json_t *j;

	buf_grow(&b, len);
	while (p < end) {
		unsigned cp, need;

		if (*p < 0x80) {
			buf_addch(&b, (char)*p++);
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			cp = *p & 0x1f, need = 1;
		else if ((*p & 0xf0) == 0xe0)
			cp = *p & 0x0f, need = 2;
		else if ((*p & 0xf8) == 0xf0)
			cp = *p & 0x07, need = 3;
		else {
			buf_add_utf8(&b, 0xfffd);
			p++;
			continue;
		}
		if ((size_t)(end - p) <= need) {
			buf_add_utf8(&b, 0xfffd);
			p++;
			continue;
		}
		unsigned i;
		for (i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (i <= need || (need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			buf_add_utf8(&b, 0xfffd);
			p++;
			continue;
		}
		buf_add_utf8(&b, cp);
		p += need + 1;
	}
	j = json_stringn(b.data, b.len);
	buf_release(&b);
	if (!j)
		BUG("json_stringn refused sanitised text");
	return j;
}

json_t *event_json_text(const char *s, size_t len)
{
	return json_bytes(s, len);
}

static json_t *json_argv(char *const *argv)
{
	json_t *a = json_array();

	for (size_t i = 0; argv && argv[i]; i++)
		json_array_append_new(a, json_bytes(argv[i], strlen(argv[i])));
	return a;
}

static json_t *json_str(const char *s)
{
	return s ? json_bytes(s, strlen(s)) : json_null();
}

static const char *family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_UNIX:
		return "unix";
	}
	return "other";
}

/* The fields every call event has: who made it, and how it was read. */
static void call_fields(json_t *o, const struct call *c, int by_agent)
{
	json_object_set_new(o, "pid", json_integer(c->pid));
	if (c->ppid)
		json_object_set_new(o, "ppid", json_integer(c->ppid));
	if (c->exe)
		json_object_set_new(o, "exe", json_bytes(c->exe, strlen(c->exe)));
	if (c->tid != c->pid)
		json_object_set_new(o, "tid", json_integer(c->tid));
	json_object_set_new(o, "by", json_string(by_agent ? "agent" : "tool"));
	json_object_set_new(o, "syscall", json_integer(c->nr));
	if (c->unreadable)
		json_object_set_new(o, "unreadable", json_string(c->unreadable));
}

void event_to_json(const struct event *ev, struct buf *out)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "seq", json_integer((json_int_t)ev->seq));
	json_object_set_new(o, "t", json_real((double)(ev->t_ns / 1000) / 1e6));
	json_object_set_new(o, "type", json_string(event_type_name(ev->type)));
	json_object_set_new(o, "step", json_integer(ev->step));

	switch (ev->type) {
	case EV_SESSION_START:
		json_object_set_new(o, "pid", json_integer(ev->u.start.pid));
		json_object_set_new(o, "argv", json_argv(ev->u.start.argv));
		if (ev->u.start.cwd)
			json_object_set_new(o, "cwd", json_bytes(ev->u.start.cwd, strlen(ev->u.start.cwd)));
		json_object_set_new(o, "rows", json_integer(ev->u.start.rows));
		json_object_set_new(o, "cols", json_integer(ev->u.start.cols));
		if (ev->u.start.profile)
			json_object_set_new(o, "profile", json_str(ev->u.start.profile));
		if (ev->u.start.withheld)
			json_object_set_new(o, "withheld", json_argv(ev->u.start.withheld));
		if (ev->u.start.sandbox)
			json_object_set_new(o, "sandbox", json_string(ev->u.start.sandbox));
		if (ev->u.start.limits)
			json_object_set_new(o, "limits", json_string(ev->u.start.limits));
		break;
	case EV_OUTPUT:
		json_object_set_new(o, "len", json_integer((json_int_t)ev->u.output.len));
		json_object_set_new(o, "data", json_bytes(ev->u.output.data, ev->u.output.len));
		break;
	case EV_RESIZE:
		json_object_set_new(o, "rows", json_integer(ev->u.resize.rows));
		json_object_set_new(o, "cols", json_integer(ev->u.resize.cols));
		break;
	case EV_EXIT:
		json_object_set_new(o, "pid", json_integer(ev->u.exit.pid));
		if (ev->u.exit.signal)
			json_object_set_new(o, "signal", json_integer(ev->u.exit.signal));
		else
			json_object_set_new(o, "code", json_integer(ev->u.exit.code));
		json_object_set_new(o, "status", json_integer(ev->u.exit.status));
		if (ev->u.exit.killed)
			json_object_set_new(o, "killed", json_integer(ev->u.exit.killed));
		break;
	case EV_SESSION_END:
		json_object_set_new(o, "status", json_integer(ev->u.end.status));
		break;
	case EV_EXEC: {
		const struct call *c = ev->u.call.call;

		call_fields(o, c, ev->u.call.by_agent);
		json_object_set_new(o, "cwd", json_str(c->cwd));
		json_object_set_new(o, "argv", json_argv(c->argv));
		json_object_set_new(o, "path", json_str(c->path));
		if (c->argv_cut)
			json_object_set_new(o, "argv_cut", json_true());
		break;
	}
	case EV_FILE: {
		const struct call *c = ev->u.call.call;

		call_fields(o, c, ev->u.call.by_agent);
		json_object_set_new(o, "op", json_string(call_op_name(c->op)));
		json_object_set_new(o, "path", json_str(c->path));
		if (c->op == OP_RENAME || c->op == OP_LINK)
			json_object_set_new(o, "to", json_str(c->path2));
		if (c->op == OP_SYMLINK)
			json_object_set_new(o, "target", json_str(c->target));
		if (c->op == OP_OPEN || c->op == OP_CREATE || c->op == OP_TRUNCATE) {
			static const struct { int bit; const char *name; } names[] = {
				{ O_WRONLY, "wronly" }, { O_RDWR, "rdwr" }, { O_CREAT, "creat" },
				{ O_EXCL, "excl" }, { O_TRUNC, "trunc" }, { O_APPEND, "append" },
				{ O_NOFOLLOW, "nofollow" }, { O_DIRECTORY, "directory" }, { O_CLOEXEC, "cloexec" },
			};
			json_t *a = json_array();

			for (size_t i = 0; i < ARRAY_SIZE(names); i++)
				if (c->flags & names[i].bit)
					json_array_append_new(a, json_string(names[i].name));
			if ((c->flags & __O_TMPFILE) == __O_TMPFILE)
				json_array_append_new(a, json_string("tmpfile"));
			json_object_set_new(o, "flags", a);
		}
		if (c->op == OP_RENAME && c->flags) {
			/* renameat2's RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT */
			static const char *const rename_names[] = { "noreplace", "exchange", "whiteout" };
			json_t *a = json_array();

			for (size_t i = 0; i < ARRAY_SIZE(rename_names); i++)
				if (c->flags & (1 << i))
					json_array_append_new(a, json_string(rename_names[i]));
			json_object_set_new(o, "flags", a);
		}
		if (c->op == OP_CREATE || c->op == OP_MKDIR || c->op == OP_CHMOD || c->op == OP_MKNOD) {
			char mode[16];

			snprintf(mode, sizeof(mode), "%04o", c->mode & 07777);
			json_object_set_new(o, "mode", json_string(mode));
		}
		break;
	}
	case EV_CONNECT: {
		const struct call *c = ev->u.call.call;

		call_fields(o, c, ev->u.call.by_agent);
		json_object_set_new(o, "addr", json_str(c->addr.host));
		if (c->addr.port >= 0)
			json_object_set_new(o, "port", json_integer(c->addr.port));
		json_object_set_new(o, "family", json_string(family_name(c->addr.family)));
		break;
	}
	case EV_HELD:
		json_object_set_new(o, "call", json_integer((json_int_t)ev->u.held.call));
		json_object_set_new(o, "held", json_integer(ev->u.held.n));
		json_object_set_new(o, "rule", json_str(ev->u.held.rule));
		if (ev->u.held.text)
			json_object_set_new(o, "text", json_str(ev->u.held.text));
		if (ev->u.held.two)
			json_object_set_new(o, "two", json_true());
		break;
	case EV_DECISION:
		json_object_set_new(o, "call", json_integer((json_int_t)ev->u.decision.call));
		json_object_set_new(o, "verdict", json_string(verdict_name(ev->u.decision.verdict)));
		json_object_set_new(o, "by", json_string(decider_name(ev->u.decision.by)));
		if (ev->u.decision.how)
			json_object_set_new(o, "how", json_str(ev->u.decision.how));
		json_object_set_new(o, "rule", json_str(ev->u.decision.rule));
		if (ev->u.decision.text)
			json_object_set_new(o, "text", json_str(ev->u.decision.text));
		if (ev->u.decision.held_ns)
			json_object_set_new(o, "held_ms", json_integer((json_int_t)(ev->u.decision.held_ns / 1000000)));
		if (ev->u.decision.reason)
			json_object_set_new(o, "reason", json_str(ev->u.decision.reason));
		if (ev->u.decision.who)
			json_object_set_new(o, "who", json_str(ev->u.decision.who));
		break;
	case EV_NOTE:
		json_object_set_new(o, "who", json_str(ev->u.note.who));
		json_object_set_new(o, "text", json_str(ev->u.note.text));
		break;
	case EV_STEP_START:
		json_object_set_new(o, "pid", json_integer(ev->u.step.pid));
		json_object_set_new(o, "cmd", json_str(ev->u.step.cmd));
		break;
	case EV_STEP_END:
		json_object_set_new(o, "duration", json_real((double)(ev->u.step_end.duration_ns / 1000) / 1e6));
		if (ev->u.step_end.known)
			json_object_set_new(o, "files", json_integer(ev->u.step_end.files));
		if (ev->u.step_end.nwith) {
			json_t *w = json_array();

			for (size_t i = 0; i < ev->u.step_end.nwith; i++)
				json_array_append_new(w, json_integer(ev->u.step_end.with[i]));
			json_object_set_new(o, "with", w);
		}
		break;
	case EV_GRANT:
	case EV_REVOKE:
		json_object_set_new(o, "grant", json_integer(ev->u.grant.n));
		json_object_set_new(o, "text", json_str(ev->u.grant.text));
		break;
	case EV_NOTICE:
		json_object_set_new(o, "text", json_str(ev->u.notice.text));
		break;
	case EV_HIDDEN:
		json_object_set_new(o, "path", json_str(ev->u.hidden.path));
		break;
	case EV_CHECKPOINT:
		json_object_set_new(o, "kind", json_string(checkpoint_kind_name(ev->u.checkpoint.kind)));
		json_object_set_new(o, "session", json_integer(ev->u.checkpoint.session));
		json_object_set_new(o, "commit", json_str(ev->u.checkpoint.commit));
		json_object_set_new(o, "changed", json_integer(ev->u.checkpoint.changed));
		json_object_set_new(o, "files", json_integer(ev->u.checkpoint.files));
		if (ev->u.checkpoint.kept)
			json_object_set_new(o, "kept", json_integer(ev->u.checkpoint.kept));
		json_object_set_new(o, "ms", json_real((double)(ev->u.checkpoint.ns / 1000) / 1e3));
		if (ev->u.checkpoint.error)
			json_object_set_new(o, "error", json_str(ev->u.checkpoint.error));
		if (ev->u.checkpoint.restored)
			json_object_set_new(o, "restored", json_str(ev->u.checkpoint.restored));
		break;
	case EV__COUNT:
		BUG("EV__COUNT is not an event");
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	if (!s)
		BUG("json_dumps failed");
	buf_addstr(out, s);
	free(s);
	json_decref(o);
}

/* ---- and back: a recording's line as an event ---- */

int event_output_bytes(json_t *obj, struct buf *out)
{
	json_t *d = json_object_get(obj, "data"), *b = json_object_get(obj, "b64");

	if (json_is_string(d)) {
		buf_add(out, json_string_value(d), json_string_length(d));
		return 0;
	}
	if (json_is_string(b)) {
		size_t n = json_string_length(b);
		unsigned char *tmp = xmalloc(n / 4 * 3 + 3);
		int k;

		if (n % 4 || (k = EVP_DecodeBlock(tmp, (const unsigned char *)json_string_value(b), (int)n)) < 0) {
			free(tmp);
			return -1;
		}
		/* EVP_DecodeBlock counts the padding as bytes */
		if (n >= 1 && json_string_value(b)[n - 1] == '=')
			k--;
		if (n >= 2 && json_string_value(b)[n - 2] == '=')
			k--;
		buf_add(out, tmp, (size_t)k);
		free(tmp);
		return 0;
	}
	return -1;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long jint(json_t *o, const char *key, long long min, long long max)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v < min ? min : v > max ? max : v;
}

static uint64_t jns(json_t *o, const char *key)
{
	double v = json_number_value(json_object_get(o, key));

	return v > 0 && v < 1e9 ? (uint64_t)(v * 1e9) : 0;
}

/* A NULL-terminated copy of a JSON array of strings (others skipped), at most max. */
static char **jstrv(json_t *a, size_t max, size_t *n)
{
	size_t i, k = 0;
	json_t *x;
	char **v = xcalloc(json_array_size(a) < max ? json_array_size(a) + 1 : max + 1, sizeof(char *));

	json_array_foreach(a, i, x) {
		if (k == max)
			break;
		if (json_is_string(x))
			v[k++] = xstrndup(json_string_value(x), json_string_length(x));
	}
	if (n)
		*n = k;
	return v;
}

static int name_index(const char *name, const char *const *names, int n)
{
	for (int i = 0; name && i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void event_read_release(struct event_read *k)
{
	call_release(&k->call);
	memset(&k->call, 0, sizeof(k->call));
	free_strv(k->argv);
	free_strv(k->withheld);
	free(k->with);
	k->argv = k->withheld = NULL;
	k->with = NULL;
	buf_release(&k->output);
}

static char *dup_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? xstrndup(json_string_value(v), json_string_length(v)) : NULL;
}

/* The call an exec, file or connect line describes. */
static void call_from_json(json_t *o, struct call *c)
{
	const char *op = jstr(o, "op"), *type = jstr(o, "type");
	const char *fam = jstr(o, "family");

	memset(c, 0, sizeof(*c));
	c->pid = c->tid = (pid_t)jint(o, "pid", 0, 1 << 30);
	if (json_object_get(o, "tid"))
		c->tid = (pid_t)jint(o, "tid", 0, 1 << 30);
	c->ppid = (pid_t)jint(o, "ppid", 0, 1 << 30);
	c->nr = (int)jint(o, "syscall", 0, 1 << 20);
	c->exe = dup_str(o, "exe");
	c->cwd = dup_str(o, "cwd");
	c->path = dup_str(o, "path");
	if (type && !strcmp(type, "exec")) {
		c->op = OP_EXEC;
		c->argv = jstrv(json_object_get(o, "argv"), 100000, &c->argc);
		c->argv_cut = json_is_true(json_object_get(o, "argv_cut"));
	} else if (type && !strcmp(type, "connect")) {
		c->op = OP_CONNECT;
		c->addr.host = dup_str(o, "addr");
		c->addr.port = json_object_get(o, "port") ? (int)jint(o, "port", 0, 65535) : -1;
		c->addr.family = fam && !strcmp(fam, "inet") ? AF_INET : fam && !strcmp(fam, "inet6") ? AF_INET6
							   : fam && !strcmp(fam, "unix") ? AF_UNIX : AF_UNSPEC;
	} else {
		int i = -1;

		for (int k = 0; op && k < OP__COUNT && i < 0; k++)
			if (!strcmp(call_op_name((enum call_op)k), op))
				i = k;
		c->op = i < 0 || i == OP_EXEC || i == OP_CONNECT ? OP_OPEN : (enum call_op)i;
		if (c->op == OP_RENAME || c->op == OP_LINK)
			c->path2 = dup_str(o, "to");
		if (c->op == OP_SYMLINK)
			c->target = dup_str(o, "target");
	}
}

int event_from_json(json_t *o, json_t *call, struct event *ev, struct event_read *k)
{
	int type = name_index(jstr(o, "type"), type_names, EV__COUNT);

	event_read_release(k);
	memset(ev, 0, sizeof(*ev));
	if (type < 0)
		return -1;
	ev->type = (enum event_type)type;
	ev->seq = (uint64_t)jint(o, "seq", 0, INT64_MAX);
	ev->t_ns = jns(o, "t");
	ev->step = (unsigned)jint(o, "step", 0, 10000000);
	switch (ev->type) {
	case EV_SESSION_START:
		ev->u.start.pid = (pid_t)jint(o, "pid", 0, 1 << 30);
		ev->u.start.argv = k->argv = jstrv(json_object_get(o, "argv"), 100000, NULL);
		ev->u.start.cwd = jstr(o, "cwd");
		ev->u.start.rows = (unsigned)jint(o, "rows", 2, 400);
		ev->u.start.cols = (unsigned)jint(o, "cols", 2, 800);
		ev->u.start.profile = jstr(o, "profile");
		if (json_object_get(o, "withheld"))
			ev->u.start.withheld = k->withheld = jstrv(json_object_get(o, "withheld"), 100000, NULL);
		ev->u.start.sandbox = jstr(o, "sandbox");
		ev->u.start.limits = jstr(o, "limits");
		break;
	case EV_OUTPUT: {
		buf_init(&k->output);
		event_output_bytes(o, &k->output);
		ev->u.output.data = k->output.data ? k->output.data : "";
		ev->u.output.len = k->output.len;
		break;
	}
	case EV_RESIZE:
		ev->u.resize.rows = (unsigned)jint(o, "rows", 2, 400);
		ev->u.resize.cols = (unsigned)jint(o, "cols", 2, 800);
		break;
	case EV_EXIT:
		ev->u.exit.pid = (pid_t)jint(o, "pid", 0, 1 << 30);
		ev->u.exit.signal = (int)jint(o, "signal", 0, 64);
		ev->u.exit.code = json_object_get(o, "code") ? (int)jint(o, "code", 0, 255) : -1;
		ev->u.exit.status = (int)jint(o, "status", 0, 255);
		ev->u.exit.killed = (int)jint(o, "killed", 0, 1 << 30);
		break;
	case EV_SESSION_END:
		ev->u.end.status = (int)jint(o, "status", 0, 255);
		break;
	case EV_EXEC:
	case EV_FILE:
	case EV_CONNECT:
		call_from_json(o, &k->call);
		ev->u.call.call = &k->call;
		ev->u.call.by_agent = jstr(o, "by") && !strcmp(jstr(o, "by"), "agent");
		break;
	case EV_HELD:
		ev->u.held.call = (uint64_t)jint(o, "call", 0, INT64_MAX);
		ev->u.held.n = (unsigned)jint(o, "held", 0, 1 << 30);
		ev->u.held.rule = jstr(o, "rule");
		ev->u.held.text = jstr(o, "text");
		ev->u.held.two = json_is_true(json_object_get(o, "two"));
		if (call) {
			call_from_json(call, &k->call);
			ev->u.held.c = &k->call;
		}
		break;
	case EV_DECISION: {
		int v = -1, by = name_index(jstr(o, "by"), decider_names, DECIDED__COUNT);

		for (int i = 0; i <= VERDICT_DENY && v < 0; i++)
			if (jstr(o, "verdict") && !strcmp(verdict_name((enum verdict)i), jstr(o, "verdict")))
				v = i;
		ev->u.decision.call = (uint64_t)jint(o, "call", 0, INT64_MAX);
		ev->u.decision.verdict = v < 0 ? VERDICT_DENY : (enum verdict)v;
		ev->u.decision.by = by < 0 ? DECIDED_RULE : (enum decider)by;
		ev->u.decision.how = jstr(o, "how");
		ev->u.decision.rule = jstr(o, "rule");
		ev->u.decision.text = jstr(o, "text");
		ev->u.decision.held_ns = (uint64_t)jint(o, "held_ms", 0, 1LL << 40) * 1000000ull;
		ev->u.decision.reason = jstr(o, "reason");
		ev->u.decision.who = jstr(o, "who");
		break;
	}
	case EV_NOTE:
		ev->u.note.who = jstr(o, "who") ? jstr(o, "who") : "";
		ev->u.note.text = jstr(o, "text") ? jstr(o, "text") : "";
		break;
	case EV_STEP_START:
		ev->u.step.pid = (pid_t)jint(o, "pid", 0, 1 << 30);
		ev->u.step.cmd = jstr(o, "cmd") ? jstr(o, "cmd") : "";
		break;
	case EV_STEP_END: {
		json_t *w = json_object_get(o, "with"), *x;
		size_t i;

		ev->u.step_end.duration_ns = jns(o, "duration");
		ev->u.step_end.known = json_is_integer(json_object_get(o, "files"));
		ev->u.step_end.files = (unsigned)jint(o, "files", 0, 1 << 30);
		if (json_array_size(w)) {
			k->with = xcalloc(json_array_size(w), sizeof(unsigned));
			json_array_foreach(w, i, x)
				if (json_integer_value(x) > 0 && json_integer_value(x) <= 10000000)
					k->with[ev->u.step_end.nwith++] = (unsigned)json_integer_value(x);
			ev->u.step_end.with = k->with;
		}
		break;
	}
	case EV_GRANT:
	case EV_REVOKE:
		ev->u.grant.n = (int)jint(o, "grant", 0, 1 << 30);
		ev->u.grant.text = jstr(o, "text");
		break;
	case EV_NOTICE:
		ev->u.notice.text = jstr(o, "text") ? jstr(o, "text") : "";
		break;
	case EV_HIDDEN:
		ev->u.hidden.path = jstr(o, "path") ? jstr(o, "path") : "";
		break;
	case EV_CHECKPOINT: {
		int kind = name_index(jstr(o, "kind"), checkpoint_kind_names, CP__COUNT);

		ev->u.checkpoint.kind = kind < 0 ? CP_STEP : (enum checkpoint_kind)kind;
		ev->u.checkpoint.session = (unsigned)jint(o, "session", 0, 1 << 30);
		ev->u.checkpoint.commit = jstr(o, "commit") ? jstr(o, "commit") : "";
		ev->u.checkpoint.changed = (unsigned)jint(o, "changed", 0, 1 << 30);
		ev->u.checkpoint.files = (unsigned)jint(o, "files", 0, 1 << 30);
		ev->u.checkpoint.kept = (unsigned)jint(o, "kept", 0, 1 << 30);
		ev->u.checkpoint.ns = (uint64_t)(json_number_value(json_object_get(o, "ms")) > 0 &&
							 json_number_value(json_object_get(o, "ms")) < 1e9
						 ? json_number_value(json_object_get(o, "ms")) * 1e6
						 : 0);
		ev->u.checkpoint.error = jstr(o, "error");
		ev->u.checkpoint.restored = jstr(o, "restored");
		break;
	}
	case EV__COUNT:
		return -1;
	}
	return 0;
}
