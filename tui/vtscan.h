/*
 * vtscan.h - a pass over the agent's output before libtsm sees it.
 *
 * libtsm 4.0.2 ignores several things that agents rely on, so this scanner
 * follows the same VT500 parser states and
 *   - tracks the DEC private modes libtsm does not expose or ignores
 *     (cursor keys, mouse reporting, focus events, bracketed paste,
 *     synchronized output), see ../shared/notes/platform.md §4.5;
 *   - expands REP (CSI n b), which xterm-256color's terminfo advertises and
 *     ncurses programs use, into the repeated character;
 *   - reconciles character widths: libtsm's bundled wcwidth is older than the
 *     system's, so a character the two disagree on is rewritten into a
 *     stand-in code point of the right width (plane 3 for wide, plane 15 for
 *     narrow) and vtscan_unmap() gives the original back when drawing.
 *     Without this, a newer emoji would shift the rest of the line.
 * Everything else passes through unchanged, in order, to the out callback.
 */
#ifndef BELAY_VTSCAN_H
#define BELAY_VTSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Modes, as bits of vtscan_modes(). */
enum {
	VT_MODE_APP_CURSOR = 1 << 0,   /* DECCKM, ?1 */
	VT_MODE_MOUSE_X10 = 1 << 1,    /* ?9: presses only */
	VT_MODE_MOUSE_NORMAL = 1 << 2, /* ?1000: presses and releases */
	VT_MODE_MOUSE_BUTTON = 1 << 3, /* ?1002: and motion with a button held */
	VT_MODE_MOUSE_ANY = 1 << 4,    /* ?1003: and all motion */
	VT_MODE_MOUSE_UTF8 = 1 << 5,   /* ?1005 */
	VT_MODE_MOUSE_SGR = 1 << 6,    /* ?1006 */
	VT_MODE_MOUSE_URXVT = 1 << 7,  /* ?1015 */
	VT_MODE_FOCUS = 1 << 8,        /* ?1004 */
	VT_MODE_BRACKETED_PASTE = 1 << 9, /* ?2004 */
	VT_MODE_SYNC = 1 << 10,        /* ?2026: synchronized output */
};
#define VT_MODE_MOUSE_ANY_REPORTING \
	(VT_MODE_MOUSE_X10 | VT_MODE_MOUSE_NORMAL | VT_MODE_MOUSE_BUTTON | VT_MODE_MOUSE_ANY)

struct vtscan;

/* Receives the bytes for libtsm, in order; called several times per feed. */
typedef void (*vtscan_out_cb)(void *data, const char *bytes, size_t len);

struct vtscan *vtscan_new(vtscan_out_cb out, void *data);
void vtscan_free(struct vtscan *vs);

/* Scan len bytes of agent output, passing the result to the out callback. */
void vtscan_feed(struct vtscan *vs, const char *bytes, size_t len);

unsigned vtscan_modes(const struct vtscan *vs);

/* True when the agent may have set a scroll region (DECSTBM) still in force. */
int vtscan_margins_set(const struct vtscan *vs);
/* The screen was resized, which resets the scroll region. */
void vtscan_margins_reset(struct vtscan *vs);

/* The code point the agent wrote for a code point found in a screen cell. */
uint32_t vtscan_unmap(const struct vtscan *vs, uint32_t cp);

/* Bells (BEL outside a sequence) seen since the last call; resets the count. */
unsigned vtscan_take_bells(struct vtscan *vs);

/*
 * How many columns are left from the cursor to the right edge, with
 * autowrap on (a large number when autowrap is off).  libtsm cuts a wide
 * character that gets only the last column; terminals wrap it to the next
 * line, so the scanner pads that column first when this says 1.
 */
typedef unsigned (*vtscan_room_cb)(void *data);
void vtscan_set_room_cb(struct vtscan *vs, vtscan_room_cb cb, void *data);

/* Upper bound of characters one REP may produce (default 65536). */
void vtscan_set_rep_limit(struct vtscan *vs, unsigned limit);

#endif
