/*
 * keymap.h - key bindings and input settings, from keymap files.
 *
 * A keymap file (keymaps/NAME.keys, format in belay(1), KEY BINDINGS) has
 *     set prefix C-]            set escape-time 25        set mouse on
 *     set decide-delay 500
 *     bind prefix ? help        unbind root S-PageUp     unbind-all [TABLE]
 * Tables: "root" (keys that act without the prefix), "prefix" (the key after
 * the prefix), "scroll" (keys while looking at the scrollback) and "review"
 * (keys while the review panels have the keyboard).  The
 * built-in default is keymaps/default.keys, parsed by the same parser.
 *
 * Decisions on held calls (allow, allow-similar, deny) are keys after the
 * prefix and nowhere else, and the prefix is never a key that types text:
 * no key typed to the agent can decide.
 */
#ifndef BELAY_KEYMAP_H
#define BELAY_KEYMAP_H

#include "../supervisor/buf.h"
#include "key.h"

enum key_table {
	KT_ROOT,
	KT_PREFIX,
	KT_SCROLL,
	KT_REVIEW, /* keys while the review panels have the keyboard (focus) */
	KT_REPLAY, /* keys of a replay, before the review's */
	KT__COUNT
};

enum action {
	A_NONE,
	A_SEND_PREFIX,
	A_HELP,
	A_QUIT,
	A_ZOOM,
	A_REDRAW,
	A_PASTE,
	A_SCROLL_MODE,
	A_SCROLL_UP,
	A_SCROLL_DOWN,
	A_SCROLL_HALF_UP,
	A_SCROLL_HALF_DOWN,
	A_SCROLL_PAGE_UP,
	A_SCROLL_PAGE_DOWN,
	A_SCROLL_TOP,
	A_SCROLL_BOTTOM,
	A_SCROLL_EXIT,
	A_ALLOW,
	A_ALLOW_SIMILAR,
	A_DENY,
	A_DENY_REASON,
	A_REVOKE_GRANT,
	A_FREEZE,
	A_THAW,
	A_FOCUS,
	A_BELL,
	A_STEP_UP,
	A_STEP_DOWN,
	A_STEP_FIRST,
	A_STEP_LAST,
	A_STEP_EXPAND,
	A_FILE_NEXT,
	A_FILE_PREV,
	A_DIFF_UP,
	A_DIFF_DOWN,
	A_DIFF_PAGE_UP,
	A_DIFF_PAGE_DOWN,
	A_SESSION_DIFF,
	A_QUIET,
	A_ROLLBACK,
	A_REVERT,
	A_NOTE,
	A_HAND_KEYBOARD,
	A_PLAY,
	A_SPEED_UP,
	A_SPEED_DOWN,
	A_SKIP_IDLE,
	A_NEXT_STEP,
	A_PREV_STEP,
	A_GOTO_STEP,
	A_SEEK_FORWARD,
	A_SEEK_BACK,
	A_SEEK_START,
	A_SEEK_END,
	A__COUNT
};

struct keymap;

/* An empty keymap: prefix C-], escape-time 25 ms, mouse on, no bindings. */
struct keymap *keymap_new(void);
void keymap_free(struct keymap *km);

/* Apply a keymap file on top of km; errors as in theme_load(). */
int keymap_load(struct keymap *km, const char *file, const char *text, size_t len, struct buf *errors);

enum action keymap_lookup(const struct keymap *km, enum key_table t, const struct key *k);
const struct key *keymap_prefix(const struct keymap *km);
unsigned keymap_escape_time(const struct keymap *km);
/* How long (ms) a held call is on the screen before a key can answer it. */
unsigned keymap_decide_delay(const struct keymap *km);
int keymap_mouse(const struct keymap *km);
/* Ring the terminal's bell and flash the status line when a call is held ("set bell on|off"). */
int keymap_bell(const struct keymap *km);
/*
 * A command run with sh -c when a call is held ("set notify 'notify-send …'"),
 * with BELAY_HELD (the call in plain words), BELAY_RULE and BELAY_STEP set;
 * NULL: none.
 */
const char *keymap_notify(const struct keymap *km);

const char *action_name(enum action a);
/* True for the actions that answer a held call. */
int action_decides(enum action a);
const char *action_help(enum action a);
const char *key_table_name(enum key_table t);

/* Call cb for every binding of table t, in the order they were made. */
void keymap_each(const struct keymap *km, enum key_table t,
		 void (*cb)(const struct key *k, enum action a, void *data), void *data);

#endif
