/*
 * filter.h - the seccomp program that traps the agent's actions, as a table.
 *
 * Every row names a system call and what the filter does with it: trap it
 * (the listener gets a notification and the call waits for belay's answer),
 * trap it only when its flags ask for writing, or deny it outright.  All
 * other calls run at full speed.  The program checks the architecture first:
 * a foreign one (i386 through int 0x80) kills the process, the x32 ABI gets
 * ENOSYS.  See ../shared/notes/platform.md §2.2.
 */
#ifndef BELAY_FILTER_H
#define BELAY_FILTER_H

#include <linux/filter.h>
#include <stddef.h>

#include "call.h"

enum filter_action {
	FILTER_TRAP,          /* always notify */
	FILTER_TRAP_IF_WRITE, /* notify when the flags argument asks for writing */
	FILTER_DENY,          /* fail with err, never run */
	FILTER_DENY_IF_ARG,   /* fail with err when argument arg equals the value */
	FILTER_TRAP_IF_SET,   /* notify when argument arg (a pointer) is not NULL */
};

/* What a FILTER_DENY_IF_ARG row compares its argument with. */
enum filter_value {
	FV_CONST,      /* value */
	FV_BELAY,      /* the supervisor's pid */
	FV_BELAY_PGRP, /* minus the supervisor's process group (kill(-pgrp, …)) */
};

/*
 * How the listener reads a trapped call's arguments (notify.c).  One
 * decoder per shape; the row says which arguments are which.
 */
enum filter_shape {
	SHAPE_NONE,      /* denied: never decoded */
	SHAPE_EXECVE,    /* path, argv */
	SHAPE_EXECVEAT,  /* dirfd, path, argv, flags: "" with AT_EMPTY_PATH is the fd */
	SHAPE_OPEN,      /* (at, path, flags, mode): write, create or truncate */
	SHAPE_OPEN_HOW,  /* openat2: flags and mode behind the struct open_how pointer */
	SHAPE_CREAT,     /* open with O_CREAT|O_WRONLY|O_TRUNC */
	SHAPE_FTRUNCATE, /* a descriptor opened for writing (judged then) */
	SHAPE_PATH,      /* (at, path) and, with path2, (at2, path2) */
	SHAPE_FD,        /* the file a descriptor (argument at) stands for */
	SHAPE_AT_OR_FD,  /* (at, path), a NULL path being the descriptor at */
	SHAPE_SYMLINK,   /* the text (argument path) and the new name (at2, path2) */
	SHAPE_SENDTO,    /* an address (argument path) of a length (path2) */
	SHAPE_SENDMSG,   /* one struct msghdr */
	SHAPE_SENDMMSG,  /* struct mmsghdr (argument path), a count (path2) */
	SHAPE_CONNECT,   /* a sockaddr (argument path) of a length (path2) */
};

/* Whether the last component of a path is followed when it is a link. */
enum filter_follow {
	FOLLOW_NO,
	FOLLOW_YES,
	FOLLOW_UNLESS_NOFOLLOW, /* unless the flags have AT_SYMLINK_NOFOLLOW */
	FOLLOW_IF_FOLLOW,       /* when the flags have AT_SYMLINK_FOLLOW (linkat) */
};

struct filter_rule {
	int nr;
	const char *name;
	enum filter_action action;
	/*
	 * Arguments are named by position, counted from 1 as arg1…arg6 in
	 * syscall(2); 0: the call has none (at 0 is AT_FDCWD).  The filter
	 * reads flags (FILTER_TRAP_IF_WRITE), path (FILTER_TRAP_IF_SET: a
	 * pointer) and arg (FILTER_DENY_IF_ARG: its low 32 bits compared).
	 */
	int arg;
	int err; /* FILTER_DENY, FILTER_DENY_IF_ARG: the errno */
	enum filter_value vkind;
	unsigned value;
	/* what the listener decodes (trapped rows) */
	enum call_op op;
	enum filter_shape shape;
	unsigned char at, path, at2, path2, mode, flags;
	enum filter_follow follow;
	int alt_flag;          /* when the flags have it, the call is alt_op */
	enum call_op alt_op;   /* (unlinkat with AT_REMOVEDIR: rmdir) */
};

/* The open flags that make an open a write (O_WRONLY|O_RDWR|O_CREAT|O_TRUNC). */
#define FILTER_WRITE_FLAGS 0x243

/* The table; *n gets its length. */
const struct filter_rule *filter_rules(size_t *n);
/* The row for system call nr, or NULL. */
const struct filter_rule *filter_rule_for(int nr);

/*
 * Build the BPF program from the table into prog (prog->filter is
 * malloc'd; free it with filter_free).  The caller is the supervisor: its
 * pid and process group go into the rows that protect it.
 */
void filter_build(struct sock_fprog *prog);
void filter_free(struct sock_fprog *prog);

/*
 * Install the filter on the calling thread with a user-notification
 * listener.  PR_SET_NO_NEW_PRIVS must be set.  Async-signal-safe (it runs
 * between fork and exec): prog must have been built before the fork.
 * Returns the listener fd, or -errno (EBUSY: another listener is already in
 * the chain, as inside another sandbox; EINVAL or ENOSYS: the kernel lacks
 * a feature).
 */
int filter_install(const struct sock_fprog *prog);

#endif
