/*
 * theme.h - how belay's own parts of the screen look.
 *
 * A theme file (themes/NAME.theme, format in belay(1), THEMES) gives each
 * element a foreground, a background and attributes:
 *     status   black   green   bold
 * The built-in themes are the same files, compiled in and parsed by the same
 * parser.  The agent's pane is never themed: its colours are the agent's.
 */
#ifndef BELAY_THEME_H
#define BELAY_THEME_H

#include "../supervisor/buf.h"

enum theme_element {
	TH_STATUS,       /* the status line */
	TH_STATUS_NAME,  /* the agent's name in it */
	TH_STATUS_KEY,   /* key hints in it */
	TH_STATUS_ALERT, /* prefix pending, scrolled back, exited badly */
	TH_SIDE,         /* the side panel */
	TH_SIDE_TITLE,
	TH_SIDE_LABEL,
	TH_SIDE_VALUE,
	TH_BORDER,       /* the line between pane and panel */
	TH_SCROLL,       /* the scrollback indicator over the pane */
	TH_HELP,         /* the help window */
	TH_HELP_TITLE,
	TH_HELP_KEY,
	TH_MESSAGE,      /* messages on the status line */
	TH_PROMPT,       /* questions on the status line */
	TH_SELECTED,     /* the selected step or file in the review panels */
	TH_QUIET,        /* the agent's bookkeeping, folded */
	TH_DIFF_HUNK,    /* "@@ -1,3 +1,4 @@" */
	TH_DIFF_ADDED,
	TH_DIFF_REMOVED,
	TH_DIFF_WORD_ADDED,   /* the words that changed in an added line */
	TH_DIFF_WORD_REMOVED,
	TH__COUNT
};

enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_ITALIC = 1 << 2,
	THEME_UNDERLINE = 1 << 3,
	THEME_REVERSE = 1 << 4,
	THEME_BLINK = 1 << 5,
};

struct theme_style {
	int fg, bg; /* colour values, see colour.h */
	unsigned attrs;
};

struct theme;

/* A theme where every element uses the terminal's defaults. */
struct theme *theme_new(void);
void theme_free(struct theme *th);

/*
 * Apply the statements of a theme file on top of what th has.  Errors are
 * appended to errors as "file:line: …" lines; returns their number.
 */
int theme_load(struct theme *th, const char *file, const char *text, size_t len, struct buf *errors);

const struct theme_style *theme_style(const struct theme *th, enum theme_element e);
const char *theme_element_name(enum theme_element e);

#endif
