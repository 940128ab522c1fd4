/*
 * event.c - names of event types and their JSON form (with jansson).
 * The field names are a documented interface (belay(1), EVENTS): add fields
 * freely, rename none without a reason.
 */
#include "event.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const type_names[EV__COUNT] = {
	[EV_SESSION_START] = "session-start",
	[EV_OUTPUT] = "output",
	[EV_RESIZE] = "resize",
	[EV_EXIT] = "exit",
	[EV_SESSION_END] = "session-end",
};

const char *event_type_name(enum event_type type)
{
	if ((unsigned)type >= EV__COUNT || !type_names[type])
		BUG("unknown event type %d", (int)type);
	return type_names[type];
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

static json_t *json_argv(char *const *argv)
{
	json_t *a = json_array();

	for (size_t i = 0; argv && argv[i]; i++)
		json_array_append_new(a, json_bytes(argv[i], strlen(argv[i])));
	return a;
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
		break;
	case EV_SESSION_END:
		json_object_set_new(o, "status", json_integer(ev->u.end.status));
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
