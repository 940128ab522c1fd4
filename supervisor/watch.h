/*
 * watch.h - which paths of the workspace changed: the dirty set that lets a
 * checkpoint re-read only what changed.
 *
 * inotify watches every directory of the workspace that is checkpointed
 * (a new directory is watched and then scanned, so files made before its
 * watch existed are not missed); intercepted calls add their paths too.
 * When inotify loses events (queue overflow, the watch limit), the next
 * take asks for a full rescan instead.  Events are hints, never content.
 */
#ifndef BELAY_WATCH_H
#define BELAY_WATCH_H

#include <stddef.h>

#include "loop.h"

struct watch;

/*
 * Watch the tree at root (an absolute, real path).  skip_dir(rel, data)
 * says which directories (relative paths) are not to be watched.  Returns
 * NULL when inotify is unavailable (every take is then a full rescan).
 */
struct watch *watch_new(struct loop *loop, const char *root, int (*skip_dir)(const char *rel, void *data),
			void *data);
void watch_free(struct watch *w);

/* Mark an absolute path dirty (ignored when outside the root). */
void watch_mark(struct watch *w, const char *abs);
/* Read the events the kernel has queued (call before taking). */
void watch_drain(struct watch *w);
/* True when something is dirty. */
int watch_dirty(const struct watch *w);

/*
 * Take the dirty set: relative paths, sorted and unique (the caller frees
 * each and the array).  *full is set when everything must be rescanned.
 */
char **watch_take(struct watch *w, size_t *n, int *full);

/* Forget what is dirty now (after belay itself rewrote those paths). */
void watch_forget(struct watch *w);

#endif
