/*
 * tree.h - the agent's whole process tree ends with the session.
 *
 * belay makes itself the tree's subreaper, so that a process that leaves
 * its parent (setsid and a double fork, nohup, a daemon) stays below belay
 * instead of going to init; when the session ends, every process below
 * belay is killed, whatever signals it ignores.
 */
#ifndef BELAY_TREE_H
#define BELAY_TREE_H

#include <sys/types.h>

/* Become the subreaper of what belay starts.  0, or -errno. */
int tree_adopt(void);

/*
 * Kill every process below belay (SIGKILL, through a pidfd so that a pid
 * used again is not hit), round after round until none is left or rounds
 * run out (a fork bomb); zombies are reaped, but for keep (the agent, whose
 * status the session reaps itself).  Returns how many were killed.
 */
int tree_kill(pid_t keep);

#endif
