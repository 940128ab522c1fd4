/*
 * termview.h - the agent's terminal: libtsm's screen and parser fed with the
 * agent's output, drawn into a curses window, and the agent's side of input
 * (keys, pastes, mouse) encoded for the modes the agent asked for.
 *
 * Nothing the agent writes reaches the outer terminal: its bytes only change
 * libtsm's cells, which termview_draw() copies into a curses window.
 */
#ifndef BELAY_TERMVIEW_H
#define BELAY_TERMVIEW_H

#include <curses.h>
#include <stddef.h>

#include "../supervisor/buf.h"
#include "colour.h"
#include "input.h"
#include "key.h"

struct termview;

/*
 * The screen's own resources, whatever the terminal's size: the pane at
 * most TERMVIEW_MAX_COLS x TERMVIEW_MAX_ROWS (ui.c keeps the whole screen
 * within them), the scrollback at most TERMVIEW_SB_BYTES (fewer lines when
 * they are wide).
 */
#define TERMVIEW_MAX_COLS 800
#define TERMVIEW_MAX_ROWS 400
#define TERMVIEW_SB_BYTES (64u << 20)

/* Where the bytes for the agent go (terminal replies, keys, pastes). */
typedef void (*termview_write_cb)(void *data, const char *bytes, size_t len);

/* history: lines of scrollback kept (0: none). */
struct termview *termview_new(unsigned rows, unsigned cols, unsigned history, termview_write_cb write,
			      void *data);
void termview_free(struct termview *tv);

/* Agent output. */
void termview_feed(struct termview *tv, const char *bytes, size_t len);
void termview_resize(struct termview *tv, unsigned rows, unsigned cols);
/*
 * Bytes that draw the screen as it is now on an empty one of the same
 * size (characters, colours, attributes, the cursor), appended to out:
 * a replay's keyframe.  Modes, scrollback and the title are not kept.
 */
void termview_snapshot(struct termview *tv, struct buf *out);
/* Back to an empty screen, as after a terminal reset. */
void termview_reset(struct termview *tv);
unsigned termview_rows(const struct termview *tv);
unsigned termview_cols(const struct termview *tv);

/* The modes of vtscan.h the agent has set. */
unsigned termview_modes(const struct termview *tv);
int termview_alt_screen(const struct termview *tv);
/* The last window title the agent set (OSC 0/2), printable only; "" if none. */
const char *termview_title(const struct termview *tv);
/* Bells rung since the last call. */
unsigned termview_take_bells(struct termview *tv);

/* Copy every cell into win (which has the view's size) and place the cursor. */
void termview_draw(struct termview *tv, WINDOW *win, const struct colour_caps *caps);
/* The cursor, if the agent shows it and the live screen is in view. */
int termview_cursor(const struct termview *tv, unsigned *x, unsigned *y);
/* The text of row y of the view (UTF-8, trailing blanks kept), for tests. */
void termview_row_text(struct termview *tv, unsigned y, struct buf *out);

/* Send a key the agent should get; raw is what the outer terminal sent. */
void termview_key(struct termview *tv, const struct key *k, const char *raw, size_t rawlen);
/* A paste from the outer terminal: begin, pieces, end. */
void termview_paste_begin(struct termview *tv);
void termview_paste(struct termview *tv, const char *text, size_t len);
void termview_paste_end(struct termview *tv);
/* Send text as one paste (bracketed if the agent asked for it). */
void termview_paste_text(struct termview *tv, const char *text, size_t len);
/* Focus in/out of the outer terminal, if the agent asked for focus events. */
void termview_focus(struct termview *tv, int in);

/*
 * A mouse event at pane coordinates.  Returns 1 if the agent asked for mouse
 * reports and got this one, 0 if belay should handle it.
 */
int termview_mouse(struct termview *tv, const struct mouse *m);

/*
 * Scrollback: move the view up (n > 0) or down (n < 0) by n lines.  Returns the
 * number of lines the view is now above the live screen.
 */
unsigned termview_scroll(struct termview *tv, int n);
void termview_scroll_reset(struct termview *tv);
unsigned termview_scroll_offset(const struct termview *tv);

/* Selection in view coordinates; copy returns a malloc'd UTF-8 string or NULL. */
void termview_select_start(struct termview *tv, unsigned x, unsigned y);
void termview_select_to(struct termview *tv, unsigned x, unsigned y);
void termview_select_clear(struct termview *tv);
int termview_selecting(const struct termview *tv);
char *termview_select_copy(struct termview *tv);

#endif
