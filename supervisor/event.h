/*
 * event.h - the event model every module speaks.
 *
 * Everything that happens in a session is an event with a sequence number
 * and a time since the session started.  Events are values: the pointers in
 * them are only valid during the callback that delivers them; a consumer that
 * keeps an event copies what it needs.  event_to_json() is the one place where
 * events become JSON (the documented interface of --events, see belay(1)).
 */
#ifndef BELAY_EVENT_H
#define BELAY_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

enum event_type {
	EV_SESSION_START, /* the agent was started */
	EV_OUTPUT,        /* bytes the agent wrote to its terminal */
	EV_RESIZE,        /* the agent's terminal changed size */
	EV_EXIT,          /* the agent's process ended */
	EV_SESSION_END,   /* the session is over; nothing follows */
	EV__COUNT
};

struct event {
	enum event_type type;
	uint64_t seq;  /* 1, 2, 3… in the order of delivery */
	uint64_t t_ns; /* nanoseconds since the session started */
	unsigned step; /* the step it belongs to; 0 before the first step */
	union {
		struct {
			pid_t pid;
			char *const *argv;
			const char *cwd;
			unsigned rows, cols;
		} start;
		struct {
			const char *data;
			size_t len;
		} output;
		struct {
			unsigned rows, cols;
		} resize;
		struct {
			pid_t pid;
			int code;   /* exit code, or -1 when killed */
			int signal; /* the signal that killed it, or 0 */
			int status; /* what belay exits with: code, or 128+signal */
		} exit;
		struct {
			int status;
		} end;
	} u;
};

/* "session-start", "output"… */
const char *event_type_name(enum event_type type);

/*
 * Append ev as one line of JSON, without the newline.  Bytes that are not
 * valid UTF-8 (agent output, file names) are replaced by U+FFFD.
 */
void event_to_json(const struct event *ev, struct buf *out);

#endif
