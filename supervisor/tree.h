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

/*
 * A cgroup v2 of the session's own, where the kernel lets belay make one
 * (the agent is moved into it at its first exec, and its tree follows):
 * freezing is then one write, and so is killing.  A watchdog process kills
 * it if belay dies without ending the session.  NULL where it cannot.
 */
struct tree_cgroup;
struct tree_cgroup *tree_cgroup_new(void);
/* Move pid (the agent, before it runs anything) in.  0, or -errno. */
int tree_cgroup_enter(struct tree_cgroup *cg, pid_t pid);
/* cgroup.kill, then the cgroup removed once empty (a bounded wait). */
void tree_cgroup_free(struct tree_cgroup *cg);
/*
 * Hold the tree to the policy's limits of processes and memory with the
 * cgroup's controllers (v2 where they are enabled, else, as root, v1 groups
 * of the session's own beside it).  Returns what holds there
 * (TREE_LIMIT_*); the rest is for rlimits.  Before tree_cgroup_enter.
 */
struct policy_limits;
enum { TREE_LIMIT_PROCESSES = 1, TREE_LIMIT_MEMORY = 2 };
unsigned tree_cgroup_limit(struct tree_cgroup *cg, const struct policy_limits *lim);
/* Where it is ("" without one). */
const char *tree_cgroup_path(const struct tree_cgroup *cg);
/* Where cgroup v2 is mounted, "" if nowhere (from /proc/self/mountinfo). */
void tree_cgroup2_mount(char *out, size_t len);

/*
 * Freeze (1) or thaw (0) every process of the tree at once: the cgroup
 * freezer where there is a cgroup (the processes do not see it), else
 * SIGSTOP / SIGCONT to every process below belay (their parents may
 * notice).  0, or -errno.
 */
int tree_freeze(struct tree_cgroup *cg, int frozen);

#endif
