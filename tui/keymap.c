/*
 * keymap.c - keymap files and lookups.  Bindings are few (tens), so each
 * table is a small array searched linearly.
 */
#include "keymap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../supervisor/conf.h"
#include "../supervisor/util.h"

struct binding {
	struct key key;
	enum action action;
};

struct keymap {
	struct binding *b[KT__COUNT];
	size_t n[KT__COUNT], cap[KT__COUNT];
	struct key prefix;
	unsigned escape_time;
	unsigned decide_delay;
	int mouse;
	int bell;
	char *notify;
};

static const struct {
	const char *name;
	const char *help;
} actions[A__COUNT] = {
	[A_NONE] = { "none", "do nothing" },
	[A_SEND_PREFIX] = { "send-prefix", "send the prefix key to the agent" },
	[A_HELP] = { "help", "show the key bindings" },
	[A_QUIT] = { "quit", "stop the agent and quit (asks first)" },
	[A_ZOOM] = { "zoom", "give the whole width to the agent, or not" },
	[A_REDRAW] = { "redraw", "redraw the screen" },
	[A_PASTE] = { "paste", "paste the last selection into the agent" },
	[A_SCROLL_MODE] = { "scroll-mode", "look at the scrollback" },
	[A_SCROLL_UP] = { "scroll-up", "scroll up one line" },
	[A_SCROLL_DOWN] = { "scroll-down", "scroll down one line" },
	[A_SCROLL_HALF_UP] = { "scroll-half-up", "scroll up half a page" },
	[A_SCROLL_HALF_DOWN] = { "scroll-half-down", "scroll down half a page" },
	[A_SCROLL_PAGE_UP] = { "scroll-page-up", "scroll up one page" },
	[A_SCROLL_PAGE_DOWN] = { "scroll-page-down", "scroll down one page" },
	[A_SCROLL_TOP] = { "scroll-top", "go to the top of the scrollback" },
	[A_SCROLL_BOTTOM] = { "scroll-bottom", "go back to the live screen" },
	[A_SCROLL_EXIT] = { "scroll-exit", "leave the scrollback" },
	[A_ALLOW] = { "allow", "let the held call run, this once" },
	[A_ALLOW_SIMILAR] = { "allow-similar", "let it run, and calls like it this session" },
	[A_DENY] = { "deny", "refuse the held call (it fails with EACCES)" },
	[A_DENY_REASON] = { "deny-reason", "refuse the held call and say why (a line the denied program reads)" },
	[A_REVOKE_GRANT] = { "revoke-grant", "take back the newest 'allow similar'" },
	[A_FREEZE] = { "freeze", "stop the agent's whole tree at once (quarantine)" },
	[A_THAW] = { "thaw", "let the frozen tree run again" },
	[A_FOCUS] = { "focus", "move the keyboard between the agent and the review panels" },
	[A_BELL] = { "bell", "ring and flash when a call is held, or not" },
	[A_STEP_UP] = { "step-up", "select the step above" },
	[A_STEP_DOWN] = { "step-down", "select the step below" },
	[A_STEP_FIRST] = { "step-first", "select the first step" },
	[A_STEP_LAST] = { "step-last", "follow the newest step" },
	[A_STEP_EXPAND] = { "step-expand", "show the programs a step ran, or fold them" },
	[A_FILE_NEXT] = { "file-next", "show the diff of the step's next file" },
	[A_FILE_PREV] = { "file-prev", "show the diff of the step's previous file" },
	[A_DIFF_UP] = { "diff-up", "scroll the diff up one line" },
	[A_DIFF_DOWN] = { "diff-down", "scroll the diff down one line" },
	[A_DIFF_PAGE_UP] = { "diff-page-up", "scroll the diff up one page" },
	[A_DIFF_PAGE_DOWN] = { "diff-page-down", "scroll the diff down one page" },
	[A_SESSION_DIFF] = { "session-diff", "the whole session's changes, or the step's" },
	[A_QUIET] = { "quiet", "show the agent's bookkeeping steps, or fold them" },
	[A_ROLLBACK] = { "rollback", "put the workspace back to before the step (shows what, asks)" },
	[A_REVERT] = { "revert", "undo only the step's changes (shows what, asks)" },
	[A_NOTE] = { "note", "write a note on the selected step, for everyone watching and the recording" },
	[A_HAND_KEYBOARD] = { "hand-keyboard", "hand the keyboard to the reviewers attached (belay attach), or take it back" },
	[A_PLAY] = { "play", "replay: play, or pause" },
	[A_SPEED_UP] = { "speed-up", "replay: twice as fast (up to 16x)" },
	[A_SPEED_DOWN] = { "speed-down", "replay: half as fast (down to 0.5x)" },
	[A_SKIP_IDLE] = { "skip-idle", "replay: pass over pauses longer than a second, or not" },
	[A_NEXT_STEP] = { "next-step", "replay: go to the end of the next step" },
	[A_PREV_STEP] = { "prev-step", "replay: go back to the end of the step before" },
	[A_GOTO_STEP] = { "goto-step", "replay: go to the end of the selected step" },
	[A_SEEK_FORWARD] = { "seek-forward", "replay: 10 seconds on" },
	[A_SEEK_BACK] = { "seek-back", "replay: 10 seconds back" },
	[A_SEEK_START] = { "seek-start", "replay: back to the start" },
	[A_SEEK_END] = { "seek-end", "replay: to the end" },
};

static const char *const table_names[KT__COUNT] = { "root", "prefix", "scroll", "review", "replay" };

int action_decides(enum action a)
{
	return a == A_ALLOW || a == A_ALLOW_SIMILAR || a == A_DENY || a == A_DENY_REASON;
}

const char *action_name(enum action a)
{
	return actions[a].name;
}

const char *action_help(enum action a)
{
	return actions[a].help;
}

const char *key_table_name(enum key_table t)
{
	return table_names[t];
}

struct keymap *keymap_new(void)
{
	struct keymap *km = xcalloc(1, sizeof(*km));

	km->prefix.code = ']';
	km->prefix.mods = KEYM_CTRL;
	km->escape_time = 25;
	km->decide_delay = 500;
	km->mouse = 1;
	km->bell = 1;
	return km;
}

void keymap_free(struct keymap *km)
{
	if (!km)
		return;
	for (int t = 0; t < KT__COUNT; t++)
		free(km->b[t]);
	free(km->notify);
	free(km);
}

static struct binding *find(const struct keymap *km, enum key_table t, const struct key *k)
{
	for (size_t i = 0; i < km->n[t]; i++)
		if (key_equal(&km->b[t][i].key, k))
			return &km->b[t][i];
	return NULL;
}

enum action keymap_lookup(const struct keymap *km, enum key_table t, const struct key *k)
{
	const struct binding *b = find(km, t, k);

	return b ? b->action : A_NONE;
}

const struct key *keymap_prefix(const struct keymap *km)
{
	return &km->prefix;
}

unsigned keymap_escape_time(const struct keymap *km)
{
	return km->escape_time;
}

unsigned keymap_decide_delay(const struct keymap *km)
{
	return km->decide_delay;
}

int keymap_bell(const struct keymap *km)
{
	return km->bell;
}

const char *keymap_notify(const struct keymap *km)
{
	return km->notify;
}

int keymap_mouse(const struct keymap *km)
{
	return km->mouse;
}

void keymap_each(const struct keymap *km, enum key_table t,
		 void (*cb)(const struct key *k, enum action a, void *data), void *data)
{
	for (size_t i = 0; i < km->n[t]; i++)
		cb(&km->b[t][i].key, km->b[t][i].action, data);
}

static int parse_table(struct conf_line *l, const char *s, enum key_table *t)
{
	for (int i = 0; i < KT__COUNT; i++) {
		if (!strcmp(s, table_names[i])) {
			*t = (enum key_table)i;
			return 0;
		}
	}
	if (!strcmp(s, "held"))
		conf_error(l, "there is no 'held' table any more: held calls are answered after the prefix "
			      "(bind prefix a allow), so that nothing typed to the agent can answer them");
	else
		conf_error(l, "unknown table '%s' (root, prefix, scroll or review)", s);
	return -1;
}

static int parse_key(struct conf_line *l, const char *s, struct key *k)
{
	if (key_parse(s, k) == 0)
		return 0;
	conf_error(l, "unknown key '%s' (keys look like q, C-], M-x, S-PageUp, F5, Enter)", s);
	return -1;
}

static void cmd_set(struct conf_line *l, struct keymap *km)
{
	const char *opt = l->argv[1], *val = l->argv[2];
	long n;

	if (l->argc != 3) {
		conf_error(l, "usage: set OPTION VALUE");
		return;
	}
	if (!strcmp(opt, "prefix")) {
		struct key k;

		if (parse_key(l, val, &k) < 0)
			return;
		/* typing to the agent must never reach belay's keys: a key
		 * that types text (or Enter, Tab, Space) cannot be the prefix */
		if (!(k.mods & (KEYM_CTRL | KEYM_ALT)) && (k.code < KEYC_BASE || k.code == KEYC_ENTER ||
							   k.code == KEYC_TAB || k.code == KEYC_BSPACE)) {
			conf_error(l, "prefix '%s' is a key that types text: choose a control or Meta key "
				      "(C-], C-b, M-a) or a function key", val);
			return;
		}
		km->prefix = k;
	} else if (!strcmp(opt, "escape-time")) {
		if (!parse_int(val, 0, 2000, &n))
			conf_error(l, "escape-time '%s' is not a number of milliseconds from 0 to 2000", val);
		else
			km->escape_time = (unsigned)n;
	} else if (!strcmp(opt, "decide-delay")) {
		if (!parse_int(val, 500, 60000, &n))
			conf_error(l, "decide-delay '%s' must be a number of milliseconds from 500 to 60000 "
				      "(a key typed as a call appears must not answer it)", val);
		else
			km->decide_delay = (unsigned)n;
	} else if (!strcmp(opt, "mouse")) {
		if (!strcmp(val, "on"))
			km->mouse = 1;
		else if (!strcmp(val, "off"))
			km->mouse = 0;
		else
			conf_error(l, "mouse '%s' must be on or off", val);
	} else if (!strcmp(opt, "bell")) {
		if (!strcmp(val, "on"))
			km->bell = 1;
		else if (!strcmp(val, "off"))
			km->bell = 0;
		else
			conf_error(l, "bell '%s' must be on or off", val);
	} else if (!strcmp(opt, "notify")) {
		/* a command run by sh when a call is held ("" for none) */
		free(km->notify);
		km->notify = *val ? xstrdup(val) : NULL;
	} else {
		conf_error(l, "unknown option '%s' (prefix, escape-time, decide-delay, mouse, bell or notify)", opt);
	}
}

static void keymap_line(struct conf_line *l, void *data)
{
	struct keymap *km = data;
	const char *cmd = l->argv[0];
	enum key_table t;
	struct key k;

	if (!strcmp(cmd, "set")) {
		cmd_set(l, km);
	} else if (!strcmp(cmd, "bind")) {
		struct binding *b;
		int a;

		if (l->argc != 4) {
			conf_error(l, "usage: bind TABLE KEY ACTION");
			return;
		}
		if (parse_table(l, l->argv[1], &t) < 0 || parse_key(l, l->argv[2], &k) < 0)
			return;
		for (a = 0; a < A__COUNT; a++)
			if (!strcmp(l->argv[3], actions[a].name))
				break;
		if (a == A__COUNT) {
			conf_error(l, "unknown action '%s' (see belay(1), KEY BINDINGS)", l->argv[3]);
			return;
		}
		if (action_decides((enum action)a) && t != KT_PREFIX) {
			conf_error(l, "'%s' can only be bound in the prefix table: a key without the prefix "
				      "belongs to the agent, and typing must never answer a held call", l->argv[3]);
			return;
		}
		b = find(km, t, &k);
		if (!b) {
			km->b[t] = xgrow(km->b[t], &km->cap[t], km->n[t] + 1, sizeof(struct binding));
			b = &km->b[t][km->n[t]++];
			b->key = k;
		}
		b->action = (enum action)a;
	} else if (!strcmp(cmd, "unbind")) {
		struct binding *b;

		if (l->argc != 3) {
			conf_error(l, "usage: unbind TABLE KEY");
			return;
		}
		if (parse_table(l, l->argv[1], &t) < 0 || parse_key(l, l->argv[2], &k) < 0)
			return;
		b = find(km, t, &k);
		if (b) {
			size_t i = (size_t)(b - km->b[t]);

			memmove(b, b + 1, (km->n[t] - i - 1) * sizeof(*b));
			km->n[t]--;
		}
	} else if (!strcmp(cmd, "unbind-all")) {
		/* a keymap that is complete in itself starts with this */
		if (l->argc > 2) {
			conf_error(l, "usage: unbind-all [TABLE]");
			return;
		}
		if (l->argc == 2) {
			if (parse_table(l, l->argv[1], &t) < 0)
				return;
			km->n[t] = 0;
		} else {
			for (int i = 0; i < KT__COUNT; i++)
				km->n[i] = 0;
		}
	} else {
		conf_error(l, "unknown command '%s' (set, bind, unbind or unbind-all)", cmd);
	}
}

int keymap_load(struct keymap *km, const char *file, const char *text, size_t len, struct buf *errors)
{
	return conf_parse(file, text, len, keymap_line, km, errors);
}
