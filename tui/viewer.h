/*
 * viewer.h - a running session watched from elsewhere (belay attach): the
 * session's stream from its control socket drives the review screen, as a
 * recording does in a replay.  The pane is drawn from the stream by the
 * viewer's own terminal emulator; nothing of it reaches the outer terminal
 * raw, and no key of the viewer reaches the agent.
 */
#ifndef BELAY_VIEWER_H
#define BELAY_VIEWER_H

#include "../supervisor/buf.h"
#include "../supervisor/loop.h"
#include "cmd-control.h"
#include "ui.h"

struct viewer;

/*
 * Attach through c (taken, hello said): read_only asks the session for the
 * watch role whatever ours is.  NULL with err.
 */
struct viewer *viewer_new(struct ctl *c, int read_only, struct buf *err);
void viewer_free(struct viewer *v);

/* The session's terminal size when attached. */
void viewer_size(const struct viewer *v, unsigned *rows, unsigned *cols);

/* Drive ui from now on: the session so far at once, then as it happens. */
void viewer_start(struct viewer *v, struct loop *loop, struct ui *ui);

#endif
