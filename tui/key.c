/*
 * key.c - key names and the xterm encoding of keys (what TERM=xterm-256color
 * promises the agent; see infocmp xterm-256color and xterm's ctlseqs,
 * "PC-Style Function Keys").
 */
#define _GNU_SOURCE
#include "key.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../supervisor/util.h"

static const struct {
	const char *name;
	uint32_t code;
} key_names[] = {
	{ "Up", KEYC_UP }, { "Down", KEYC_DOWN }, { "Left", KEYC_LEFT }, { "Right", KEYC_RIGHT },
	{ "Home", KEYC_HOME }, { "End", KEYC_END }, { "Insert", KEYC_INSERT }, { "IC", KEYC_INSERT },
	{ "Delete", KEYC_DELETE }, { "DC", KEYC_DELETE }, { "PageUp", KEYC_PAGEUP },
	{ "PgUp", KEYC_PAGEUP }, { "PPage", KEYC_PAGEUP }, { "PageDown", KEYC_PAGEDOWN },
	{ "PgDn", KEYC_PAGEDOWN }, { "NPage", KEYC_PAGEDOWN }, { "BTab", KEYC_BTAB },
	{ "Enter", KEYC_ENTER }, { "Tab", KEYC_TAB }, { "Escape", KEYC_ESCAPE },
	{ "BSpace", KEYC_BSPACE }, { "Space", ' ' },
};

int key_equal(const struct key *a, const struct key *b)
{
	return a->code == b->code && a->mods == b->mods;
}

struct key key_from_byte(unsigned char b)
{
	struct key k = { b, 0 };

	switch (b) {
	case 0x00:
		k.code = ' ', k.mods = KEYM_CTRL;
		break;
	case 0x09:
		k.code = KEYC_TAB;
		break;
	case 0x0d:
		k.code = KEYC_ENTER;
		break;
	case 0x1b:
		k.code = KEYC_ESCAPE;
		break;
	case 0x7f:
		k.code = KEYC_BSPACE;
		break;
	default:
		if (b < 0x1b) {
			k.code = 'a' + b - 1, k.mods = KEYM_CTRL;
		} else if (b < 0x20) {
			k.code = "\\]^_"[b - 0x1c];
			k.mods = KEYM_CTRL;
		}
	}
	return k;
}

static uint32_t decode_utf8(const char *s, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	if (p[0] < 0x80)
		cp = p[0], n = 1;
	else if ((p[0] & 0xe0) == 0xc0)
		cp = p[0] & 0x1f, n = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		cp = p[0] & 0x0f, n = 3;
	else if ((p[0] & 0xf8) == 0xf0)
		cp = p[0] & 0x07, n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* careful: above U+10FFFF are the KEYC_* codes ("\xf4\x90\x80\x80"
	 * would be Up); overlong forms and surrogates are not characters */
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0;
	*used = n;
	return cp;
}

int key_parse(const char *name, struct key *k)
{
	unsigned mods = 0;
	size_t used;

	/* modifier prefixes: C-, M-, S- (also ^x for C-x) */
	for (;;) {
		if (name[0] && name[1] == '-' && name[2]) {
			switch (name[0]) {
			case 'C': case 'c':
				mods |= KEYM_CTRL;
				name += 2;
				continue;
			case 'M': case 'm':
				mods |= KEYM_ALT;
				name += 2;
				continue;
			case 'S': case 's':
				mods |= KEYM_SHIFT;
				name += 2;
				continue;
			}
		}
		if (name[0] == '^' && name[1] && !name[2]) {
			mods |= KEYM_CTRL;
			name++;
		}
		break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++) {
		if (!strcasecmp(name, key_names[i].name)) {
			k->code = key_names[i].code;
			k->mods = mods;
			return 0;
		}
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		long n;

		if (parse_int(name + 1, 1, 12, &n)) {
			k->code = KEYC_F1 + (uint32_t)n - 1;
			k->mods = mods;
			return 0;
		}
	}
	k->code = decode_utf8(name, &used);
	if (!k->code || name[used] || k->code < 0x20 || k->code == 0x7f)
		return -1;
	if (mods & KEYM_CTRL) {
		/* C-A is C-a: the terminal sends the same byte */
		if (k->code >= 'A' && k->code <= 'Z')
			k->code += 'a' - 'A';
		/* C-? is the DEL byte, BSpace; C-[ is Escape */
		if (k->code == '?') {
			k->code = KEYC_BSPACE;
			mods &= ~KEYM_CTRL;
		} else if (k->code == '[') {
			k->code = KEYC_ESCAPE;
			mods &= ~KEYM_CTRL;
		} else if (k->code == '@') {
			k->code = ' ';
		} else if (k->code == 'i') {
			k->code = KEYC_TAB;
			mods &= ~KEYM_CTRL;
		} else if (k->code == 'm') {
			k->code = KEYC_ENTER;
			mods &= ~KEYM_CTRL;
		}
	}
	k->mods = mods;
	return 0;
}

void key_format(const struct key *k, char *out, size_t len)
{
	char base[16] = "";
	struct buf b = BUF_INIT;

	if (k->code >= KEYC_F1 && k->code <= KEYC_F12) {
		snprintf(base, sizeof(base), "F%u", k->code - KEYC_F1 + 1);
	} else if (k->code >= KEYC_BASE) {
		for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
			if (key_names[i].code == k->code) {
				snprintf(base, sizeof(base), "%s", key_names[i].name);
				break;
			}
		if (!base[0])
			snprintf(base, sizeof(base), "Unknown");
	} else if (k->code == ' ') {
		snprintf(base, sizeof(base), "Space");
	} else {
		buf_add_utf8(&b, k->code);
		snprintf(base, sizeof(base), "%s", b.data);
		buf_release(&b);
	}
	snprintf(out, len, "%s%s%s%s", (k->mods & KEYM_CTRL) ? "C-" : "", (k->mods & KEYM_ALT) ? "M-" : "",
		 (k->mods & KEYM_SHIFT) ? "S-" : "", base);
}

/* xterm's modifier parameter: 1 + shift + 2*alt + 4*ctrl */
static unsigned mod_param(unsigned mods)
{
	return 1 + ((mods & KEYM_SHIFT) ? 1 : 0) + ((mods & KEYM_ALT) ? 2 : 0) + ((mods & KEYM_CTRL) ? 4 : 0);
}

void key_encode(const struct key *k, int app_cursor, struct buf *out)
{
	static const struct {
		uint32_t code;
		char letter;   /* CSI/SS3 letter form, or 0 */
		unsigned num;  /* CSI num ~ form, or 0 */
		int cursor;    /* uses SS3 under DECCKM */
	} special[] = {
		{ KEYC_UP, 'A', 0, 1 }, { KEYC_DOWN, 'B', 0, 1 }, { KEYC_RIGHT, 'C', 0, 1 },
		{ KEYC_LEFT, 'D', 0, 1 }, { KEYC_HOME, 'H', 0, 1 }, { KEYC_END, 'F', 0, 1 },
		{ KEYC_INSERT, 0, 2, 0 }, { KEYC_DELETE, 0, 3, 0 }, { KEYC_PAGEUP, 0, 5, 0 },
		{ KEYC_PAGEDOWN, 0, 6, 0 }, { KEYC_F1, 'P', 0, 2 }, { KEYC_F1 + 1, 'Q', 0, 2 },
		{ KEYC_F1 + 2, 'R', 0, 2 }, { KEYC_F1 + 3, 'S', 0, 2 }, { KEYC_F1 + 4, 0, 15, 0 },
		{ KEYC_F1 + 5, 0, 17, 0 }, { KEYC_F1 + 6, 0, 18, 0 }, { KEYC_F1 + 7, 0, 19, 0 },
		{ KEYC_F1 + 8, 0, 20, 0 }, { KEYC_F1 + 9, 0, 21, 0 }, { KEYC_F1 + 10, 0, 23, 0 },
		{ KEYC_F1 + 11, 0, 24, 0 },
	};
	unsigned mods = k->mods;

	for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
		if (special[i].code != k->code)
			continue;
		if (special[i].num) {
			if (mods)
				buf_addf(out, "\033[%u;%u~", special[i].num, mod_param(mods));
			else
				buf_addf(out, "\033[%u~", special[i].num);
		} else if (mods) {
			buf_addf(out, "\033[1;%u%c", mod_param(mods), special[i].letter);
		} else if (special[i].cursor == 2 || (special[i].cursor == 1 && app_cursor)) {
			buf_addf(out, "\033O%c", special[i].letter);
		} else {
			buf_addf(out, "\033[%c", special[i].letter);
		}
		return;
	}

	if (mods & KEYM_ALT)
		buf_addch(out, '\033');
	mods &= ~KEYM_ALT;
	switch (k->code) {
	case KEYC_BTAB:
		buf_addstr(out, "\033[Z");
		return;
	case KEYC_ENTER:
		buf_addch(out, '\r');
		return;
	case KEYC_TAB:
		if (mods & KEYM_SHIFT)
			buf_addstr(out, "\033[Z");
		else
			buf_addch(out, '\t');
		return;
	case KEYC_ESCAPE:
		buf_addch(out, '\033');
		return;
	case KEYC_BSPACE:
		buf_addch(out, (mods & KEYM_CTRL) ? '\b' : 0x7f);
		return;
	}
	if (k->code >= KEYC_BASE)
		return;
	if (mods & KEYM_CTRL) {
		uint32_t c = k->code;

		if (c >= 'a' && c <= 'z')
			buf_addch(out, (char)(c - 'a' + 1));
		else if (c >= 'A' && c <= 'Z')
			buf_addch(out, (char)(c - 'A' + 1));
		else if (c == ' ' || c == '@' || c == '2')
			buf_addch(out, 0);
		else if (c >= '[' && c <= '_')
			buf_addch(out, (char)(c - '@'));
		else if (c >= '3' && c <= '7')
			buf_addch(out, (char)(c - '3' + 0x1b));
		else if (c == '8')
			buf_addch(out, 0x7f);
		else if (c == '/')
			buf_addch(out, 0x1f);
		else
			buf_add_utf8(out, c);
		return;
	}
	buf_add_utf8(out, k->code);
}
