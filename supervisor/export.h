/*
 * export.h - a recording in other formats: asciicast v2 (asciinema plays
 * it; a marker at each step and decision), JSON lines for log pipelines,
 * and a Markdown review report (steps, decisions and who made them, the
 * diffs) that reads without the shadow repository.
 */
#ifndef BELAY_EXPORT_H
#define BELAY_EXPORT_H

#include <stdio.h>

#include "buf.h"
#include "recording.h"

enum export_format {
	EXPORT_ASCIICAST,
	EXPORT_JSONL,
	EXPORT_MD,
};

/* "asciicast", "jsonl", "md" (also "markdown", "json"); -1 for another. */
int export_format_parse(const char *name, enum export_format *f);

/*
 * Write recording r (just opened) to out in format f, up to its first
 * damage.  Returns 0, 1 when it stopped at damage (recording_damage), or
 * -1 when out cannot be written (err).
 */
int export_recording(struct recording *r, enum export_format f, FILE *out, struct buf *err);

#endif
