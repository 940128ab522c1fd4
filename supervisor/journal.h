/*
 * journal.h - the session's recording, and its events file: one stream of
 * events written as JSON lines as they happen.
 *
 * The recording (belay(1), RECORDING) is one append-only file per session:
 *
 *   line 1   the header: {"belay-recording":1, "belay", "libtsm", "time",
 *            "epoch", "rows", "cols", "workspace", "argv", "session",
 *            "policy", "profile", "h"}
 *   then     one record per line: the events as event_to_json() writes
 *            them, except that the agent's output is coalesced (at most
 *            JOURNAL_COALESCE_NS of it per line) and kept byte for byte
 *            as base64 ("b64"); and after each
 *            checkpoint a "diff" record per step it ends: the step's files
 *            and their patches, so that the recording can be reviewed
 *            without the shadow repository; now and then a "screen"
 *            record (journal_screen), the pane as it is then.
 *
 * Every line ends with "h": the first 16 bytes (hex) of SHA-256 of the
 * previous line's "h" and this line without its "h" (the line's text up
 * to ',"h":' and a closing brace).  A changed, missing or added line breaks
 * the chain from there on.  Lines are written as they come (nothing is
 * held in memory but the output of the last few milliseconds) and synced
 * to disk at step boundaries (at most every 100 ms) and at the end.
 *
 * The events file (--events) is the same stream, plain: no header, no
 * chain, output coalesced the same way, not UTF-8 replaced by U+FFFD.
 */
#ifndef BELAY_JOURNAL_H
#define BELAY_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "loop.h"
#include "shadow.h"

#define JOURNAL_VERSION 1
#define JOURNAL_COALESCE_NS (10 * 1000000ull)
#define JOURNAL_HASH_HEX 32         /* hex digits of "h" */
#define JOURNAL_DIFF_BUDGET (2u << 20) /* patch bytes per step; the files past it are listed only */

struct journal_header {
	char *const *argv;     /* the agent's command */
	const char *workspace;
	unsigned rows, cols;   /* the agent's terminal */
	unsigned session;      /* its number in the workspace's checkpoints (0: none) */
	const char *policy;    /* its digest (policy_digest), or NULL */
	const char *profile;   /* the agent's profile, or NULL */
};

struct journal;

struct journal *journal_new(struct loop *loop);
/* Write what is pending, sync, close the files. */
void journal_free(struct journal *j);

/*
 * The header (the session's facts, the time now), kept for the recording
 * and the tap; journal_record makes it when not made before.
 */
void journal_begin(struct journal *j, const struct journal_header *h);
/* The header's JSON text, or NULL before journal_begin. */
const char *journal_header_text(const struct journal *j);

/*
 * A copy of the stream as it is written, for the control socket: every
 * record (the events, diffs: JSON text of one object, without "h" or
 * newline), every keyframe, and the agent's output as raw bytes, coalesced
 * as in the recording.  Called from the loop, in order; fn must not call
 * back into the journal but for journal_header_text.
 */
enum journal_part_kind { JOURNAL_RECORD, JOURNAL_SCREEN, JOURNAL_OUTPUT };
struct journal_part {
	enum journal_part_kind kind;
	const char *data;
	size_t len;
	uint64_t seq, t_ns; /* JOURNAL_OUTPUT's and JOURNAL_SCREEN's */
	unsigned step;      /* JOURNAL_OUTPUT's */
};
typedef void (*journal_tap_fn)(const struct journal_part *p, void *arg);
void journal_tap(struct journal *j, journal_tap_fn fn, void *arg);
/*
 * Who draws the pane (the screen's terminal emulator): fn makes the bytes
 * that draw it as it is now, and its size; 0, or -1.
 */
typedef int (*journal_screen_fn)(void *arg, unsigned *rows, unsigned *cols, struct buf *out);
void journal_screen_source(struct journal *j, journal_screen_fn fn, void *arg);
/*
 * The pane now, as a "screen" record (JSON text, into record), after the
 * output held back went to the tap: a viewer that starts from it and
 * follows the tap sees what the screen shows.  0, or -1 with no source.
 */
int journal_screen_now(struct journal *j, struct buf *record);
/* A front end draws the pane (journal_screen_source was given one). */
int journal_draws_screen(const struct journal *j);
/* Hand the output held back (coalescing) on now: after it, what the tap got is all the session emitted. */
void journal_flush(struct journal *j);

/*
 * Record to path: a new file (an existing one is refused, never
 * overwritten), the header written at once.  Returns 0, or -1 (err).
 */
int journal_record(struct journal *j, const char *path, const struct journal_header *h, struct buf *err);
/* The recording's path, or NULL. */
const char *journal_path(const struct journal *j);

/* Also write the events file to fd (owned from now on). */
void journal_events(struct journal *j, int fd);

/* Diffs of steps from sh (not owned; NULL: none). */
void journal_checkpoints(struct journal *j, struct shadow *sh);

/* One event of the session, in order. */
void journal_event(struct journal *j, const struct event *ev);

/*
 * A keyframe: bytes that draw the agent's screen as it is after the output
 * recorded so far (a front end's terminal emulator makes them), written as
 * a "screen" record, so that a replay seeks without playing the output
 * from the start.  Only the recording has them.
 */
void journal_screen(struct journal *j, unsigned rows, unsigned cols, const char *bytes, size_t len);

/*
 * The default folder of recordings ($XDG_STATE_HOME/belay/sessions,
 * caller frees) and a new file name in it for a session of workspace.
 */
char *journal_dir(void);
char *journal_default_path(const char *workspace, unsigned session);

/*
 * Remove the oldest recordings of dir (*.belay) until the rest take at
 * most budget bytes; keep is never removed.  Returns how many went.
 */
unsigned journal_prune(const char *dir, unsigned long long budget, const char *keep);

#endif
