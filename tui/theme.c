/*
 * theme.c - theme files: "ELEMENT FG [BG] [ATTRIBUTE…]".  Knows nothing of
 * curses; the screen turns styles into curses attributes when it draws.
 */
#include "theme.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../supervisor/conf.h"
#include "../supervisor/util.h"
#include "colour.h"

static const char *const element_names[TH__COUNT] = {
	[TH_STATUS] = "status",
	[TH_STATUS_NAME] = "status-name",
	[TH_STATUS_KEY] = "status-key",
	[TH_STATUS_ALERT] = "status-alert",
	[TH_SIDE] = "side",
	[TH_SIDE_TITLE] = "side-title",
	[TH_SIDE_LABEL] = "side-label",
	[TH_SIDE_VALUE] = "side-value",
	[TH_BORDER] = "border",
	[TH_SCROLL] = "scroll",
	[TH_HELP] = "help",
	[TH_HELP_TITLE] = "help-title",
	[TH_HELP_KEY] = "help-key",
	[TH_MESSAGE] = "message",
	[TH_PROMPT] = "prompt",
	[TH_SELECTED] = "selected",
	[TH_QUIET] = "quiet",
	[TH_DIFF_HUNK] = "diff-hunk",
	[TH_DIFF_ADDED] = "diff-added",
	[TH_DIFF_REMOVED] = "diff-removed",
	[TH_DIFF_WORD_ADDED] = "diff-word-added",
	[TH_DIFF_WORD_REMOVED] = "diff-word-removed",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_BOLD }, { "dim", THEME_DIM }, { "italic", THEME_ITALIC },
	{ "underline", THEME_UNDERLINE }, { "reverse", THEME_REVERSE }, { "blink", THEME_BLINK },
	{ "none", 0 },
};

struct theme {
	struct theme_style styles[TH__COUNT];
};

struct theme *theme_new(void)
{
	struct theme *th = xcalloc(1, sizeof(*th));

	for (int i = 0; i < TH__COUNT; i++) {
		th->styles[i].fg = COLOUR_DEFAULT;
		th->styles[i].bg = COLOUR_DEFAULT;
	}
	return th;
}

void theme_free(struct theme *th)
{
	free(th);
}

const char *theme_element_name(enum theme_element e)
{
	return element_names[e];
}

const struct theme_style *theme_style(const struct theme *th, enum theme_element e)
{
	return &th->styles[e];
}

static void theme_line(struct conf_line *l, void *data)
{
	struct theme *th = data;
	struct theme_style st = { COLOUR_DEFAULT, COLOUR_DEFAULT, 0 };
	int e, i, ncolours = 0;

	for (e = 0; e < TH__COUNT; e++)
		if (!strcmp(l->argv[0], element_names[e]))
			break;
	if (e == TH__COUNT) {
		conf_error(l, "unknown element '%s' (see belay(1), THEMES)", l->argv[0]);
		return;
	}
	for (i = 1; i < l->argc; i++) {
		int c;
		size_t a;

		for (a = 0; a < ARRAY_SIZE(attr_names); a++)
			if (!strcasecmp(l->argv[i], attr_names[a].name))
				break;
		if (a < ARRAY_SIZE(attr_names)) {
			st.attrs |= attr_names[a].bit;
			continue;
		}
		if (colour_parse(l->argv[i], &c) < 0) {
			conf_error(l, "'%s' is not a colour or attribute (colours: default, red, brightred, "
				      "colour0-colour255, #rrggbb)", l->argv[i]);
			return;
		}
		if (ncolours == 2) {
			conf_error(l, "more than two colours for '%s' (foreground and background)", l->argv[0]);
			return;
		}
		if (ncolours++ == 0)
			st.fg = c;
		else
			st.bg = c;
	}
	th->styles[e] = st;
}

int theme_load(struct theme *th, const char *file, const char *text, size_t len, struct buf *errors)
{
	return conf_parse(file, text, len, theme_line, th, errors);
}
