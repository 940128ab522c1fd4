/*
 * gc.h - the history a workspace's shadow repository keeps: old sessions
 * dropped, and the objects and kept files no session needs any more
 * deleted, so that the store does not only grow.
 *
 * A session stays while it is one of the newest SESSIONS or its newest
 * checkpoint is less than DAYS days old (the policy's "checkpoint history
 * SESSIONS DAYS", 20 and 14 by default); a running session is always
 * recent.  Dropping one removes its ref and its kept files; then every
 * object that a remaining session, or the index, reaches is written into
 * one pack, and the other packs and the loose objects are deleted (the
 * automatic gc leaves the loose objects of the last minutes: a session may
 * be about to name one).
 */
#ifndef BELAY_GC_H
#define BELAY_GC_H

#include <stdint.h>

#include "buf.h"
#include "shadow.h"

struct gc_report {
	unsigned sessions;  /* sessions there were */
	unsigned dropped;   /* sessions dropped (or, dry, that would be) */
	unsigned *which;    /* their numbers, ascending (caller frees) */
	size_t objects;     /* objects kept */
	size_t pruned;      /* objects files (packs, loose objects) deleted */
	unsigned kept_dirs; /* kept-file folders of dropped sessions deleted */
};

/*
 * Drop the sessions past sessions/days (now: seconds since the epoch; days
 * 0: only the newest sessions stay) and
 * prune; with dry, only say which would go.  With prune_always (belay gc),
 * prune even when no session goes, and every loose object.  Under the lock.
 * Returns 0 or -1 (err).
 */
int shadow_gc(struct shadow *sh, unsigned sessions, unsigned days, double now, int dry, int prune_always,
	      struct gc_report *r, struct buf *err);

/* How many sessions past sessions/days there are (no lock needed). */
unsigned shadow_gc_due(struct shadow *sh, unsigned sessions, unsigned days, double now);

#endif
