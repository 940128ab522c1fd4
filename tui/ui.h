/*
 * ui.h - the screen front end: curses on the outer terminal, the agent's
 * pane, belay's views, and the keyboard and mouse.
 *
 * The screen is a consumer of session events like any other: feed it with
 * ui_event().  It draws at most FRAME_HZ times a second however fast the
 * agent writes, and everything it parses is parsed as it arrives.
 */
#ifndef BELAY_UI_H
#define BELAY_UI_H

#include "../supervisor/checkpoint.h"
#include "../supervisor/event.h"
#include "../supervisor/loop.h"
#include "../supervisor/session.h"
#include "keymap.h"
#include "theme.h"

struct ui;

struct ui_opts {
	struct keymap *keymap; /* the screen takes ownership */
	struct theme *theme;   /* the screen takes ownership */
	unsigned history;      /* scrollback lines */
	int hold;              /* keep the screen after the agent exits */
	int theme_explicit;    /* chosen by the user: kept even without colours */
	const char *startup_message; /* shown on the status line, or NULL */
	struct checkpoints *checkpoints; /* the session's, for the diffs and undo (not owned); NULL: none */
};

/*
 * Take over the terminal on stdin/stdout.  Returns NULL after printing why
 * (not a terminal, unknown TERM).
 */
struct ui *ui_new(struct loop *loop, const struct ui_opts *opts);
/* Give the terminal back; safe to call twice (and from die_hook). */
void ui_free(struct ui *ui);

/* The size the agent's pane has now. */
void ui_pane_size(const struct ui *ui, unsigned *rows, unsigned *cols);

/* Start showing a session (not owned). */
void ui_attach(struct ui *ui, struct session *s);

/* Session events: a session_event_cb. */
void ui_event(const struct event *ev, void *data);

/* Restore the outer terminal (for die_hook): leaves curses, modes off. */
void ui_emergency_restore(void);

#endif
