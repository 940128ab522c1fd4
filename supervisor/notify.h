/*
 * notify.h - the seccomp listener: receive a notification, decode the call
 * from the target's /proc (its memory, cwd, fds), and answer it.
 *
 * Everything read from the target is untrusted and may already be stale:
 * the notification's id is checked after opening its memory and after the
 * last read (seccomp_unotify(2), NOTES).  A call whose arguments cannot be
 * read (a process that is not dumpable) comes back with call.unreadable
 * set, never silently allowed.  call.ppid is filled for exec calls only
 * (reading it costs); notify_ppid() gives it for others.
 */
#ifndef BELAY_NOTIFY_H
#define BELAY_NOTIFY_H

#include <linux/seccomp.h>
#include <stdint.h>

#include "call.h"

struct notify;

/* Take the listener fd.  NULL, with errno, if the kernel will not say the sizes. */
struct notify *notify_new(int fd);
void notify_free(struct notify *n);
int notify_fd(const struct notify *n);

/*
 * Receive one pending notification (call only when the fd is readable: the
 * ioctl blocks otherwise).  1: c is filled (call_release it); 0: the target
 * went away before it was received, nothing to do; -errno on failure.
 */
int notify_receive(struct notify *n, struct call *c);

/* Let the call run (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
int notify_allow(struct notify *n, uint64_t id);
/* Answer the call with what it returns: val, or the failure err (an errno) when not 0. */
int notify_return(struct notify *n, uint64_t id, int64_t val, int err);
/* Answer the call with a descriptor of belay's, installed in the target: its number is the result. */
int notify_hand_fd(struct notify *n, uint64_t id, int fd, int cloexec);
/* Fail the call with err (EACCES, EPERM), without running it. */
int notify_deny(struct notify *n, uint64_t id, int err);
/*
 * Write text (one line, its control characters made visible) to the
 * standard error of process pid, as the process would: into its pipe, its
 * file (appended) or its terminal.  Never blocks; nothing when it cannot.
 */
void notify_tell(pid_t pid, const char *text);
/* True while the call still waits for an answer. */
int notify_pending(struct notify *n, uint64_t id);

/* The parent of process pid (from /proc/PID/stat), or 0 if it is gone. */
pid_t notify_ppid(pid_t pid);

/* Bounds of what is read from a target. */
#define NOTIFY_MAX_ARGS 4096
#define NOTIFY_MAX_ARGV_BYTES (256 * 1024)

#endif
