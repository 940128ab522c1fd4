/*
 * input.h - decode what the outer terminal sends: keys, pastes, mouse, focus.
 *
 * Bytes from the outer terminal are cut into events.  Every key event carries
 * the exact bytes it came from, so that a key belay does not bind reaches the
 * agent unchanged; keys that depend on the agent's modes (cursor keys) are
 * re-encoded instead.  An escape sequence cut by the end of a read waits for
 * the rest: input_pending() says so, and input_flush() (after the escape
 * time) gives what waits as plain keys.
 */
#ifndef BELAY_INPUT_H
#define BELAY_INPUT_H

#include <stddef.h>

#include "key.h"

enum input_type {
	INPUT_KEY,
	INPUT_PASTE_BEGIN,
	INPUT_PASTE,     /* a piece of pasted text */
	INPUT_PASTE_END,
	INPUT_MOUSE,
	INPUT_FOCUS_IN,
	INPUT_FOCUS_OUT,
};

enum mouse_action {
	MOUSE_PRESS,
	MOUSE_RELEASE,
	MOUSE_DRAG,   /* motion with a button held */
	MOUSE_MOTION, /* motion without a button */
	MOUSE_WHEEL_UP,
	MOUSE_WHEEL_DOWN,
};

struct mouse {
	enum mouse_action action;
	int button; /* 0 left, 1 middle, 2 right; -1 none */
	int x, y;   /* 0-based cell of the outer terminal */
	unsigned mods;
};

struct input_event {
	enum input_type type;
	struct key key;    /* INPUT_KEY */
	const char *data;  /* INPUT_KEY: the bytes; INPUT_PASTE: the text */
	size_t len;
	struct mouse mouse; /* INPUT_MOUSE */
};

typedef void (*input_cb)(const struct input_event *ev, void *data);

struct input;

struct input *input_new(input_cb cb, void *data);
void input_free(struct input *in);
void input_feed(struct input *in, const char *bytes, size_t len);
/* True when an incomplete escape sequence waits for more bytes. */
int input_pending(const struct input *in);
/* Give what waits as keys (ESC alone is the Escape key). */
void input_flush(struct input *in);

#endif
