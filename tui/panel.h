/*
 * panel.h - the review panels beside the agent's pane: the held calls, the
 * timeline of steps, and the selected step's files and diff.
 *
 * Drawn from the review model (model.h) and a diff read by review.h; the
 * screen (ui.c) owns the selection and passes it in.  What is drawn where
 * is left in struct panel_hits, so that a click finds its step or file.
 */
#ifndef BELAY_PANEL_H
#define BELAY_PANEL_H

#include <curses.h>

#include "../supervisor/review.h"
#include "model.h"
#include "views.h"

#define PANEL_MAX_ROWS 400

struct panel_state {
	const struct model *m;
	int focus;            /* the panels have the keyboard */
	unsigned sel;         /* the selected step; 0: none, the newest is followed */
	unsigned expanded;    /* the step whose programs (or files) are listed; 0: none */
	int show_quiet;       /* the agent's bookkeeping listed step by step */
	const char *held_keys; /* "C-] a allow · …" */
	/* the diff section */
	const char *diff_title;  /* "step 14 · 3 files +12 −3"; NULL: no diff section */
	const char *diff_note;   /* why there is nothing to show, or NULL */
	const struct review_file *files;
	size_t nfiles, file;     /* file: the one whose diff is shown */
	char *const *extra;      /* files no checkpoint holds ("notes.log (ignored, 12 KB)") */
	size_t nextra;
	const struct review_line *difflines;
	size_t ndifflines;
	unsigned top;            /* first line of the diff shown */
};

/* Where things were drawn, for the mouse. */
struct panel_hits {
	unsigned step[PANEL_MAX_ROWS]; /* the step on each row of the window, 0: none */
	int file[PANEL_MAX_ROWS];      /* the file on each row, -1: none */
	int diff_first, diff_rows;     /* the rows of the diff text */
	int timeline_first, timeline_rows;
};

/* Draw the panels in w from row y to its bottom. */
void panel_draw(const struct views *v, WINDOW *w, int y, const struct panel_state *ps, struct panel_hits *hits);

/*
 * The step selected after moving delta rows from sel (0: from the newest)
 * in the timeline as it is shown: folded bookkeeping is one row.  Returns
 * the new selection (a step id), never past the first or the last.
 */
unsigned panel_move(const struct model *m, int show_quiet, unsigned sel, int delta);

/* "12 KB", "3.4 MB" */
void panel_size(uint64_t bytes, char *out, size_t len);

#endif
