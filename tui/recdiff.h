/*
 * recdiff.h - a step's changes as a recording's "diff" record has them
 * (journal.h), in the review's terms (review.h): for the replay
 * (player.c) and a live session watched from elsewhere (viewer.c).
 */
#ifndef BELAY_RECDIFF_H
#define BELAY_RECDIFF_H

#include <jansson.h>

#include "../supervisor/review.h"

/* The files and the lines of one of them, as last asked for. */
struct recdiff {
	struct review_file *files;
	size_t nfiles;
	struct review_line *lines;
	size_t nlines, lines_cap;
};

void recdiff_release(struct recdiff *d);
/* The files of record (a "diff" record; NULL: none): their number. */
size_t recdiff_files(struct recdiff *d, json_t *record);
/* The lines of file i of record (one of recdiff_files'): their number. */
size_t recdiff_patch(struct recdiff *d, json_t *record, size_t i);
/* Lines added and removed by the step of record. */
void recdiff_count(json_t *record, unsigned *added, unsigned *removed);

#endif
