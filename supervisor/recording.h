/*
 * recording.h - reading a recording back (the format is in journal.h):
 * line by line, each checked against the chain as it is read, so that
 * replay, export and verify all stop at the same first damage and say
 * where it is.
 *
 * Nothing in a recording is trusted: lines are bounded (RECORDING_MAX_LINE),
 * the terminal's size is clamped, times that go back are clamped to the
 * time before (and said), and whatever a record holds is only data.
 */
#ifndef BELAY_RECORDING_H
#define BELAY_RECORDING_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define RECORDING_MAX_LINE (16u << 20)
#define RECORDING_MAX_ROWS 400
#define RECORDING_MAX_COLS 800

struct recording;

/*
 * Open path and read its header (line 1).  NULL with err when it cannot be
 * read or is not a recording this belay reads.
 */
struct recording *recording_open(const char *path, struct buf *err);
/* The same, from memory (the fuzz target; data is copied). */
struct recording *recording_open_mem(const char *data, size_t len, struct buf *err);
void recording_free(struct recording *r);

/* The header (borrowed), and its terminal size, clamped. */
json_t *recording_header(const struct recording *r);
void recording_size(const struct recording *r, unsigned *rows, unsigned *cols);

struct rec_line {
	size_t no;        /* its line number (the header is 1) */
	off_t offset;     /* where it starts in the file */
	json_t *obj;      /* the record, borrowed until the next call */
	const char *type; /* its "type" ("output", "step-start"…; "" when it has none) */
	uint64_t t_ns;    /* its time since the session started, never before the line before's */
};

/*
 * Leave "output" records unparsed (their obj NULL; recording_read_at reads
 * one when needed): an index of a long recording is read several times
 * faster.  Every line is still checked against the chain.
 */
void recording_skip_output(struct recording *r, int skip);

/*
 * The next record.  Returns 1, 0 at the end, or -1 at the first damage
 * (recording_damage says what and where); after 0 or -1 it stays there.
 */
int recording_next(struct recording *r, struct rec_line *out);

/* What is wrong with the line where reading stopped ("line 12: …"), or NULL. */
const char *recording_damage(const struct recording *r);
/* Oddities read past (times that go back, a size clamped), one per line of text; "" when none. */
const char *recording_warnings(const struct recording *r);
/* Lines read whole and intact, the header included. */
size_t recording_lines(const struct recording *r);
/* The session's end was read: the recording is complete. */
int recording_ended(const struct recording *r);

/*
 * The record at offset, a line read (and checked) before: for going back
 * to it without reading from the start.  Returns a new reference, or NULL.
 */
json_t *recording_read_at(struct recording *r, off_t offset);

/* Bytes of an "output" record (its "data", or "b64" decoded) into out; -1 when it has neither. */
int recording_output(json_t *obj, struct buf *out);

#endif
