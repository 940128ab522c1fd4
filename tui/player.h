/*
 * player.h - a recording replayed on the review screen (belay replay):
 * the pane, the timeline and the diffs as they were at the moment shown,
 * played at 0.5x to 16x, stepped through, sought.
 *
 * Nothing of the recording is executed or written to the outer terminal:
 * its output goes through the pane's emulator like a live agent's, its
 * events through the same model.  A seek starts from the nearest keyframe
 * before the moment (the recording's "screen" records; for a recording
 * without them, snapshots taken while playing), never from the start of
 * the recording's output.
 */
#ifndef BELAY_PLAYER_H
#define BELAY_PLAYER_H

#include <stdint.h>

#include "../supervisor/buf.h"
#include "../supervisor/loop.h"
#include "ui.h"

struct player;

/*
 * Read the recording at path (checked line by line; a damaged one is
 * played up to its damage).  NULL with err when it is not a recording.
 */
struct player *player_open(const char *path, struct buf *err);
void player_free(struct player *p);

/* Its terminal's size at the start. */
void player_size(const struct player *p, unsigned *rows, unsigned *cols);

/*
 * Drive ui from now on: at t_ns (or the end of step, when step > 0),
 * playing or paused at speed.
 */
void player_start(struct player *p, struct loop *loop, struct ui *ui, uint64_t t_ns, unsigned step, int play,
		  double speed);

/* Seek to t_ns since the session's start (clamped to the recording). */
void player_seek(struct player *p, uint64_t t_ns);

/* Where it is, for tests and the bench: the moment shown, items applied, keyframes. */
uint64_t player_now(const struct player *p);
uint64_t player_length(const struct player *p);

#endif
