/*
 * progid.h - a program is what it is, not what it is called: a copy, a hard
 * link or a renamed file of a program the policy names is that program.
 *
 * The policy's program names (git, sudo, npm…) are looked up along the
 * system's PATH once; an exec'd file of the same size as one of them is
 * compared by content (SHA-256), cached by device, inode, size and
 * modification time, so an exec loop costs a stat.
 */
#ifndef BELAY_PROGID_H
#define BELAY_PROGID_H

#include <stddef.h>

struct progid;

struct progid *progid_new(void);
void progid_free(struct progid *pi);

/* A program name the policy speaks of ("git"); looked up when first needed. */
void progid_know(struct progid *pi, const char *name);

/* The known program whose content path has, or NULL (valid while pi lives). */
const char *progid_of(struct progid *pi, const char *path);

/*
 * True if the program (a path or a name) runs code or another command it is
 * given: a shell, an interpreter, a wrapper (sh, python3.11, node, env,
 * xargs, sudo…).  Grants for those are exact; a shell run by a shell agent
 * is a tool, not the agent again.
 */
int progid_runs_code(const char *path);

/* True if the program's base name, without a version (python3.11, perl5.36), is one of names. */
int progid_named(const char *path, const char *const *names, size_t count);

#endif
