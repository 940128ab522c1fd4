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
#include "../supervisor/journal.h"
#include "../supervisor/loop.h"
#include "../supervisor/review.h"
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

/* hand-keyboard: handover() hands the keyboard to the reviewers or takes it back; returns whether handed. */
void ui_on_handover(struct ui *ui, int (*handover)(void *data), void *data);

/* Keyframes of the pane go to j's recording (not owned; NULL: none). */
void ui_record_screen(struct ui *ui, struct journal *j);

/* Session events: a session_event_cb. */
void ui_event(const struct event *ev, void *data);

/*
 * A replay drives the screen instead of a session (player.c): the panels
 * have the keyboard, keys of the "replay" table go to action(), and the
 * diff section reads what the recording says a step changed.
 */
struct ui_replay {
	void *data;
	int intercepted; /* the session's calls were (a policy judged them) */
	void (*action)(void *data, enum action a);
	/* what step id changed, as recorded (review_files and review_patch's rules) */
	int (*files)(void *data, unsigned id, const struct review_file **files, struct buf *err);
	int (*patch)(void *data, size_t i, const struct review_line **lines, struct buf *err);
	unsigned (*generation)(void *data);
	/* lines added and removed by step id, without touching what files() gave; -1: not known yet */
	int (*count)(void *data, unsigned id, unsigned *added, unsigned *removed);
	/* the status line's words ("▶ 2x 0:12 / 3:45"), and the moment shown */
	const char *(*status)(void *data);
	uint64_t (*now)(void *data);
	/* A live session watched from elsewhere (belay attach): */
	const char *label;      /* the status line's word: NULL: "REPLAY" */
	const char *keys;       /* the keys it names there, or NULL: the replay's */
	/* answer held call n (NULL: this viewer may not decide); how: the keys.  0, or -1 with err */
	int (*decide)(void *data, unsigned n, enum answer a, const char *how, const char *reason, struct buf *err);
	/* a note on step (NULL: none can be written) */
	int (*note)(void *data, unsigned step, const char *text, struct buf *err);
	/* keys for the agent, while the owner has handed the keyboard over (NULL: never) */
	void (*input)(void *data, const char *bytes, size_t len);
	int (*handed)(void *data);
};
void ui_replay(struct ui *ui, const struct ui_replay *r);
/* Events of the replay.  quiet: passing over them (a seek): no bell, no message. */
void ui_replay_event(struct ui *ui, const struct event *ev, int quiet);
/* Back to the start (a seek back): no steps, an empty pane of rows x cols. */
void ui_replay_reset(struct ui *ui, unsigned rows, unsigned cols);
/* The recorded pane's size changed. */
void ui_replay_size(struct ui *ui, unsigned rows, unsigned cols);
/* The pane's terminal (for keyframes). */
struct termview *ui_termview(struct ui *ui);
/* The step selected in the timeline (0: none), and select one. */
unsigned ui_selected(const struct ui *ui);
void ui_select(struct ui *ui, unsigned step);
/* Say something on the status line for a while. */
void ui_say(struct ui *ui, const char *text);
/* Draw again at the next frame (the replay's clock moved). */
void ui_redraw_soon(struct ui *ui);

/* Restore the outer terminal (for die_hook): leaves curses, modes off. */
void ui_emergency_restore(void);

#endif
