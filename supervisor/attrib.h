/*
 * attrib.h - which step changed which path, so that each step's diff is
 * exactly what that step did.
 *
 * Checkpoints are taken when steps end, and steps overlap: the agent edits
 * while a tool runs, two tools run at once, a process a step left behind
 * writes during the next one.  A step's range of checkpoints then holds the
 * others' changes too.  Every file call of the agent's tree names its step;
 * when a step ends, the changes in its range are split: a path the step
 * itself touched is its own (and shared with each other step that touched
 * it: "steps 3-4 together"), a path only others touched is theirs, and a
 * path no call touched (changed through a descriptor opened before the
 * step, or from outside) stays with the step, as before.
 *
 * Calls are recorded only while a step runs and forgotten when none does,
 * so a session of steps one after another keeps nothing.
 */
#ifndef BELAY_ATTRIB_H
#define BELAY_ATTRIB_H

#include <git2.h>
#include <stddef.h>

#include "buf.h"

struct attrib;

struct attrib_split {
	unsigned files;         /* the step's own changed files (and those no call touched) */
	unsigned *with;         /* steps that changed some of the same files, ascending */
	size_t nwith;
	git_tree_update *others; /* the others' changes, to leave out of the step's diff */
	size_t nothers;
};

struct attrib *attrib_new(void);
void attrib_free(struct attrib *a);

/* Step started / ended (ids as step.h's). */
void attrib_start(struct attrib *a, unsigned step);
void attrib_end(struct attrib *a, unsigned step);

/* A file call on rel (relative to the workspace) by a process of step (0: of no step). */
void attrib_note(struct attrib *a, unsigned step, const char *rel);

/* True when calls of another step (or of no step) came while step ran. */
int attrib_mixed(const struct attrib *a, unsigned step);

/*
 * Split the changes from tree before to tree after between step and the
 * others.  Returns 0 or -1 (err); release with attrib_split_release().
 */
int attrib_split(const struct attrib *a, unsigned step, git_repository *repo, const git_oid *before,
		 const git_oid *after, struct attrib_split *out, struct buf *err);
void attrib_split_release(struct attrib_split *s);

#endif
