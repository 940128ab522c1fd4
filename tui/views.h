/*
 * views.h - belay's own parts of the screen: the status line, the facts at
 * the top of the panels and the help window (the review panels: panel.h).  Views draw a plain view_state that the screen
 * (ui.c) fills from the session and the terminal view; they never read the
 * session themselves, so a replay can draw the same views from a recording.
 */
#ifndef BELAY_VIEWS_H
#define BELAY_VIEWS_H

#include <curses.h>
#include <stdint.h>
#include <sys/types.h>

#include "colour.h"
#include "keymap.h"
#include "theme.h"

struct view_state {
	char *const *argv;
	pid_t pid;
	const char *cwd;
	uint64_t elapsed_ns;
	int running;
	int exit_code;   /* valid when !running */
	int exit_signal; /* 0 when it exited by itself */
	unsigned pane_rows, pane_cols;
	const char *title;  /* the agent's window title, "" if none */
	unsigned modes;     /* VT_MODE_* */
	int alt_screen;
	unsigned scroll_offset;
	int scroll_mode;
	int prefix_pending;
	const char *prefix_name; /* "C-]" */
	const char *message;     /* NULL: none */
	const char *prompt;      /* a question waiting for y/n, NULL: none */
	int zoomed;
	int focus;               /* the review panels have the keyboard */
	const char *replay;      /* a replay: where it is ("▶ 2x 0:12 / 3:45"); NULL: live */
	const char *replay_label; /* its word ("REPLAY", "LIVE") */
	const char *replay_keys;  /* its keys, or NULL: the replay's */
	int flash;               /* a call was just held: the status line flashes */
	/* supervision */
	int intercepting;
	size_t nsteps;
	const char *held;        /* the oldest held call, described; NULL: none */
	unsigned held_n;         /* its number */
	const char *held_rule;
	size_t nheld;
	const char *held_keys;   /* "C-] a allow · C-] s allow similar · C-] d deny" */
	const char *grant;       /* the newest grant in force, NULL: none */
	size_t ngrants;
	const char *checkpoint;  /* "checkpoints: session 3, 12 so far" or why not; NULL: off */
	int checkpoint_failed;
	const char *profile;     /* the agent's profile ("profiles/codex.profile"), NULL: none */
	char *const *withheld;   /* variables withheld from the agent (names) */
	const char *sandbox;     /* what the kernel holds around it ("Landlock 7: …"), NULL: not intercepted */
	const char *limits;      /* the policy's limits on its tree, NULL: none */
	int frozen;              /* its tree is frozen */
	size_t nwithheld;
};

struct views {
	const struct theme *theme;
	const struct colour_caps *caps;
};

/* How an element of the theme is drawn. */
struct pen {
	attr_t attr;
	int pair;
};
struct pen views_pen(const struct views *v, enum theme_element e);
/* n blank columns at (y, x). */
void views_fill(WINDOW *w, int y, int x, int n, struct pen p);
/*
 * Draw s at (y, x), at most maxw columns; returns the columns used.
 * Untrusted text is drawn escaped (text_visible), never interpreted.
 */
int views_put(WINDOW *w, int y, int x, int maxw, const char *s, struct pen p);

void views_status(const struct views *v, WINDOW *win, const struct view_state *st);
/*
 * The facts about the agent at the top of the panels (its command, state,
 * workspace, checkpoints, sandbox, profile); compact: two lines.  Returns
 * the row below them.
 */
int views_facts(const struct views *v, WINDOW *win, const struct view_state *st, int compact);
/* The line between the pane and the panels (highlighted while dragged). */
void views_border(const struct views *v, WINDOW *win, int dragging);
/* The scrollback indicator, in the top right corner of the pane. */
void views_scroll_badge(const struct views *v, WINDOW *pane, const struct view_state *st);
/* Lines the help window needs for km. */
int views_help_lines(const struct keymap *km);
/* The help window, from its line top (so that it can scroll). */
void views_help(const struct views *v, WINDOW *win, const struct keymap *km, int top);

/* "1:02:03" or "2:03" */
void views_format_elapsed(uint64_t ns, char *out, size_t len);

#endif
