/*
 * key.h - keys: codes, names in keymap files, and their encoding for the agent.
 *
 * A key is a code point (what a printable key types, or the base character of
 * a control key: C-] is ']' with KEYM_CTRL) or one of the KEYC_* codes, plus
 * modifiers.  Names follow tmux: "C-]", "M-x", "S-PageUp", "F5", "Enter".
 */
#ifndef BELAY_KEY_H
#define BELAY_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "../supervisor/buf.h"

enum key_code {
	KEYC_NONE = 0,
	KEYC_BASE = 0x110000,
	KEYC_UP = KEYC_BASE,
	KEYC_DOWN,
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_HOME,
	KEYC_END,
	KEYC_INSERT,
	KEYC_DELETE,
	KEYC_PAGEUP,
	KEYC_PAGEDOWN,
	KEYC_BTAB,
	KEYC_ENTER,
	KEYC_TAB,
	KEYC_ESCAPE,
	KEYC_BSPACE,
	KEYC_F1,
	KEYC_F12 = KEYC_F1 + 11,
	KEYC_UNKNOWN,   /* a sequence belay does not know: passed on as is */
};

enum {
	KEYM_SHIFT = 1,
	KEYM_ALT = 2,
	KEYM_CTRL = 4,
};

struct key {
	uint32_t code;
	unsigned mods;
};

/* Parse a key name; 0 on success, -1 if name is not a key. */
int key_parse(const char *name, struct key *k);
/* Write the key's name into out (at least 32 bytes). */
void key_format(const struct key *k, char *out, size_t len);
int key_equal(const struct key *a, const struct key *b);

/* The key a single byte b stands for (control bytes, ASCII). */
struct key key_from_byte(unsigned char b);

/*
 * Append the bytes an xterm sends for k to out; app_cursor selects the
 * DECCKM form of the cursor keys.  KEYC_UNKNOWN adds nothing.
 */
void key_encode(const struct key *k, int app_cursor, struct buf *out);

#endif
