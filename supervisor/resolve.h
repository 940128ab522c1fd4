/*
 * resolve.h - a path as the kernel will resolve it for a process of the
 * agent's tree: each component in turn, symbolic links followed where the
 * kernel follows them (the last one only when asked), ".." taken after the
 * link it follows, /proc/self and /proc/thread-self as that process.
 *
 * Careful: this is what the file system says now.  The agent can change a
 * link after belay looked; the kernel boundary (Landlock) is what holds
 * then.  What cannot be read is never guessed in the agent's favour: a loop
 * of links, or a link belay cannot read, gives NULL.
 */
#ifndef BELAY_RESOLVE_H
#define BELAY_RESOLVE_H

#include <sys/types.h>

/*
 * The absolute path that path names for process pid (thread tid), relative
 * to dir (absolute, as /proc/PID/cwd says) when path is relative.  With
 * follow, a link in the last component is followed too, a dangling one to
 * where it points (where O_CREAT would create the file).  A component that
 * does not exist ends the resolution: the rest is appended as written, with
 * "." and ".." taken lexically.  A /proc magic link that names no path (a
 * pipe, a socket) ends it too, at the link.  Returns a new string, or NULL
 * (ELOOP: too many links; EACCES: a link belay cannot read).
 */
char *resolve_path(const char *dir, const char *path, int follow, pid_t pid, pid_t tid);

#endif
