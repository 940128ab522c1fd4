/*
 * ui-int.h - the screen's state, shared by the files that draw and run it
 * (ui.c: curses, layout, keys; ui-diff.c: the diff section).  Not for
 * anything outside the screen: ui.h is the screen's interface.
 */
#ifndef BELAY_UI_INT_H
#define BELAY_UI_INT_H

#include <curses.h>
#include <stdint.h>

#include "../supervisor/checkpoint.h"
#include "../supervisor/review.h"
#include "../supervisor/session.h"
#include "input.h"
#include "keymap.h"
#include "model.h"
#include "panel.h"
#include "termview.h"
#include "theme.h"
#include "ui.h"
#include "views.h"

#define REPLY_BACKLOG (64u << 10) /* bytes of replies to the agent's queries left waiting, at most */
#define FRAME_HZ 60
#define FRAME_NS (1000000000ull / FRAME_HZ)
#define SYNC_MAX_NS (200 * 1000000ull) /* longest wait for a synchronized update */
#define MESSAGE_NS (4000 * 1000000ull)
#define OSC52_MAX (100 * 1024)
#define FLASH_NS (600 * 1000000ull) /* the status line flashes this long when a call is held */
#define NARROW_COLS 80             /* under this, the panels are a view of their own */
#define COUNTS_PER_FRAME 8         /* steps whose lines are counted a frame, at most */

/* Outer terminal modes belay turns on (and off again at exit). */
#define MODES_ON "\033[?2004h\033[?1004h"
#define MODES_OFF "\033[?1004l\033[?2004l"
#define MOUSE_ON "\033[?1000h\033[?1002h\033[?1006h"
#define MOUSE_OFF "\033[?1006l\033[?1002l\033[?1000l"

struct ui {
	const struct ui_replay *replay; /* a replay drives the screen, not a session (NULL: live) */
	unsigned replay_rows, replay_cols; /* the recorded pane's size */
	int replay_quiet;   /* events passed over in a seek: no bell, no message */
	struct journal *journal; /* keyframes of the pane go there (NULL: none) */
	size_t kf_bytes;    /* output fed since the last keyframe */
	uint64_t kf_ns;     /* when it was taken */
	struct model model; /* what the session did, from its events */
	struct checkpoints *cp; /* NULL: no checkpoints */
	struct review *rv;  /* the diffs, read from the checkpoints */
	unsigned rv_diffs;  /* model.diffs when rv last heard of it */
	struct loop *loop;
	struct session *session;
	struct termview *tv;
	struct input *input;
	struct keymap *km;
	struct theme *theme;
	struct views views;
	struct colour_caps caps;
	SCREEN *screen;
	WINDOW *pane, *side, *border, *status, *help;
	int rows, cols;
	unsigned pane_rows, pane_cols, side_cols;
	int zoomed;

	int prefix_pending;
	int scroll_mode;
	int help_visible;
	int help_top; /* first line of the help shown */
	int help_rows; /* rows of the help window, at the last frame */
	int confirm_quit;
	int selecting, selection_moved;
	int paste_held;     /* a paste that came while the panels had the keyboard: dropped */
	char *paste_buf;
	char *message;
	struct loop_timer *message_timer;

	int dirty;
	uint64_t last_frame;
	uint64_t sync_since;
	struct loop_timer *frame_timer, *esc_timer, *tick_timer;
	struct loop_fd *stdin_h;

	int hold;
	/* the review panels */
	int focus;          /* they have the keyboard */
	unsigned sel;       /* the selected step; 0: the newest is followed */
	unsigned expanded;  /* the step whose programs are listed */
	int show_quiet;     /* the agent's bookkeeping listed step by step */
	int session_view;   /* the whole session's diff, not the step's */
	size_t file;        /* the file whose diff is shown */
	unsigned diff_top;  /* its first line shown */
	int side_user;      /* the panels' width as the border was dragged to; 0: automatic */
	int dragging;
	int side_y0;        /* the panels' first row (below the facts) */
	struct panel_hits hits;
	struct {
		int valid;
		int followed; /* the newest step, not a selected one */
		int check;    /* new checkpoints since: ask the review again */
		int ok;       /* the diff was read (not a note instead) */
		unsigned gen; /* the review's generation it was read at */
		unsigned step, diffs;
		enum review_what what;
		size_t file;
	} shown;            /* what the diff section holds */
	const struct review_file *files;
	size_t nfiles;
	const struct review_line *difflines;
	size_t ndifflines;
	char *diff_title, *diff_note;
	char **extra;       /* files the step wrote that no checkpoint holds */
	size_t nextra;
	/* rollback or revert from the screen: shown, then y */
	unsigned undo_step;
	int undo_revert;
	char *undo_prompt;
	char *held_why;     /* the held call's rule, where and what, for the status line */
	/* held calls: the bell */
	int ring;
	unsigned rung_n;    /* the newest held call rung for */
	uint64_t flash_until;
	struct loop_timer *flash_timer;
	/*
	 * What the screen showed, for the keys that decide: the held call on
	 * the status line at the last frame, and since when.  A key decides
	 * that call only, and only once it has been there the keymap's
	 * decide-delay: a key in flight when the call appeared is not for it.
	 */
	unsigned shown_n;
	uint64_t shown_since;
	char how[64];      /* the keys of the action running ("C-] a") */
	unsigned grant_n;  /* "allow similar" waits for y on this call (0: no) */
	char *grant_text;  /* the rule it would add */
	unsigned reason_n; /* deny-reason: the line being typed denies this call (0: no) */
	unsigned note_step; /* note: the line being typed is a note on this step (0: none) */
	int noting;        /* a note is being typed */
	int keying;        /* a key is on its way to the agent (not the emulator's reply) */
	int (*handover)(void *data); /* hand-keyboard (main: the control socket) */
	void *handover_data;
	char reason[256];  /* what has been typed */
	char *reason_prompt;
	char held_keys[128]; /* "a allow · s allow similar · d deny", from the keymap */
	char focus_keys[48]; /* "C-] Tab": the keys of focus, from the keymap */
	int running, ended, terminal_lost, quitting;
	int stopped; /* the person stopped the agent (C-] q, y): belay exits 0 */
	char prefix_name[32];
	int mouse;
	int freed;
};

/* Draw again at the next frame. */
void ui_mark_dirty(struct ui *ui);

/* ---- what ui.c does for the input (ui-input.c) ---- */

/* Say something on the status line for a while. */
void ui_message(struct ui *ui, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Bytes straight to the outer terminal (an OSC 52 copy). */
void ui_out_raw(const char *s);
/* The windows laid out again for the terminal's size. */
void ui_layout(struct ui *ui);
/* Stop the agent and leave (the person asked, or the terminal is gone). */
void ui_quit_now(struct ui *ui);
/* The pane's scrollback moved by n lines (up when positive). */
void ui_scroll_by(struct ui *ui, int n);
/* A step selected in the timeline (0: follow the newest). */
void ui_select_step(struct ui *ui, unsigned id);
/* The diff scrolled by n lines. */
void ui_diff_by(struct ui *ui, int n);
/* Run what a key is bound to (keymap.h's actions). */
void ui_run_action(struct ui *ui, enum action a);
/* A key while a deny reason or a note is typed: none reaches the agent. */
void ui_reason_key(struct ui *ui, const struct key *k, const char *raw, size_t rawlen);
/* y to the rollback or revert the status line asks about. */
void ui_undo_confirmed(struct ui *ui);

/* ---- the input (ui-input.c) ---- */

/* input.c's events: keys, the mouse, pastes, focus. */
struct input_event;
void ui_on_input(const struct input_event *ev, void *data);
/* The outer terminal is readable (a loop_fd_cb). */
void ui_stdin_ready(struct loop *loop, int fd, unsigned revents, void *data);

/*
 * A keyframe of the pane to the recording (ui_record_screen) after
 * KEYFRAME_BYTES of output and KEYFRAME_MIN_NS since the last one, or
 * KEYFRAME_NS after any output: a seek plays at most about that much.
 */
#define KEYFRAME_BYTES (256u << 10)
#define KEYFRAME_MIN_NS (1000 * 1000000ull)
#define KEYFRAME_NS (30 * 1000000000ull)

/* ---- the diff section (ui-diff.c) ---- */

/* The step whose diff is shown: the selected one, else the newest that changed something (0: the session). */
unsigned ui_diff_step(const struct ui *ui);
/* Read what the diff section shows again when the selection or the checkpoints changed. */
void ui_diff_update(struct ui *ui);
/* +/- lines of the steps on the screen, a few a frame. */
void ui_diff_count(struct ui *ui);
/* Forget the files listed beside the diff. */
void ui_diff_release(struct ui *ui);

#endif
