/*
 * guard.h - the fixed rules that no policy changes: the person's terminal and
 * belay's own files are never the agent's.
 *
 * A terminal other than the agent's own pty (the one belay draws on, the
 * console, another login) is never opened for writing by the agent's tree:
 * what is written there would look like belay.  A pty the agent made itself
 * (tmux, script, a test harness) stays the agent's.  belay's folders (state,
 * configuration, sockets), the events file of the session and /proc/<belay>
 * are never written, deleted, renamed or linked to, and their parent folders
 * are never deleted, renamed or replaced by a link, whatever the policy says.
 *
 * The paths judged are the ones the kernel will resolve (resolve.c); a race
 * that changes a link after belay looked is the kernel boundary's to stop.
 */
#ifndef BELAY_GUARD_H
#define BELAY_GUARD_H

#include <sys/types.h>

#include "call.h"
#include "policy.h"

struct guard;

/* A guard for an agent whose terminal is the pty slave tty. */
struct guard *guard_new(dev_t tty);
void guard_free(struct guard *g);

/* Never let the agent's tree change path (a folder or a file) or what is below it. */
void guard_protect(struct guard *g, const char *path);

/*
 * 1, with d filled (a deny, its rule "(belay's own files)" or "(another
 * terminal)" and why), when a fixed rule refuses c; 0 otherwise.  The
 * strings in d are static.
 */
int guard_judge(const struct guard *g, const struct call *c, struct decision *d);

/* True if dev is a terminal: a pty, a console, a serial line, a VT's memory. */
int guard_is_terminal(dev_t dev);

#endif
