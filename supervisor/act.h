/*
 * act.h - belay carries out an allowed call the kernel boundary would
 * refuse (sandbox.h), on the agent's behalf, on the objects it judged.
 *
 * The names are the ones belay resolved (call.path, call.path2), walked
 * again from the agent's root (/proc/TID/root: its mount namespace, its
 * hidden stores) with no symbolic link followed: if the agent swapped a
 * link in after belay looked, the call fails (ELOOP) instead of changing
 * something else.  Nothing is read again from the agent's memory.
 *
 *   open, create   opened by belay, the descriptor handed to the agent
 *                  (SECCOMP_IOCTL_NOTIF_ADDFD with SEND: it is the call's
 *                  result); O_CLOEXEC as asked
 *   truncate       opened and cut by belay
 *   unlink, rmdir, mkdir, rename, link, symlink, mknod (fifo, socket)
 *                  done by belay, its result returned
 *   connect (TCP)  the agent's socket taken (pidfd_getfd) and connected
 *                  by belay in a thread of its own, so that a slow host
 *                  never stops the loop
 *
 * Files are made with the agent's umask, and given to its user when belay
 * runs as root and the agent as another (--user).  Devices are never made
 * (the agent keeps no CAP_MKNOD).  Careful: belay acts with its own user
 * and capabilities; run as root, it can write where a person allowed what
 * the agent, without capabilities, could not have.
 */
#ifndef BELAY_ACT_H
#define BELAY_ACT_H

#include "call.h"
#include "notify.h"

/*
 * Carry out c and answer its notification.  0 when answered (the call's
 * own result, a failure included, went to the agent), -errno when the
 * answer could not be given (the caller then denies it).
 */
int act_carry_out(struct notify *n, const struct call *c);

#endif
