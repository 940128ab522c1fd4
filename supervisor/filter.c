/*
 * filter.c - the seccomp user-notification filter; see filter.h.
 *
 * The program is generated from the table, each row a self-contained
 * "compare and return" block, so that no jump ever crosses a row: the probe
 * that preceded this file miscounted one offset and silently allowed
 * everything.  tests/unit/test-filter.c runs every call in a real child.
 * Kernel interface: seccomp(2), seccomp_unotify(2).
 */
#define _GNU_SOURCE
#include "filter.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#define X32_SYSCALL_BIT 0x40000000

/*
 * One row a call: what the filter does with it and, for a trapped call, what
 * the listener reads (the operation, the decoder, which argument is which;
 * positions count from 1).  This is the only list of calls belay sees.
 */
#define TRAP(nr_, op_, shape_, ...) \
	{ .nr = __NR_##nr_, .name = #nr_, .action = FILTER_TRAP, .op = op_, .shape = shape_, __VA_ARGS__ }
#define TRAP_IF_WRITE(nr_, op_, shape_, ...) \
	{ .nr = __NR_##nr_, .name = #nr_, .action = FILTER_TRAP_IF_WRITE, .op = op_, .shape = shape_, __VA_ARGS__ }
#define TRAP_IF_SET(nr_, op_, shape_, ...) \
	{ .nr = __NR_##nr_, .name = #nr_, .action = FILTER_TRAP_IF_SET, .op = op_, .shape = shape_, __VA_ARGS__ }
#define DENY(nr_, err_) { .nr = __NR_##nr_, .name = #nr_, .action = FILTER_DENY, .err = err_ }
#define DENY_IF(nr_, arg_, vkind_, value_, err_) \
	{ .nr = __NR_##nr_, .name = #nr_, .action = FILTER_DENY_IF_ARG, .arg = arg_, .err = err_, \
	  .vkind = vkind_, .value = value_ }

static const struct filter_rule rules[] = {
	TRAP(execve, OP_EXEC, SHAPE_EXECVE, .path = 1),
	TRAP(execveat, OP_EXEC, SHAPE_EXECVEAT, .at = 1, .path = 2, .flags = 5),
	/* opens are trapped only for writing: reads run at full speed */
	TRAP_IF_WRITE(open, OP_OPEN, SHAPE_OPEN, .path = 1, .flags = 2, .mode = 3),
	TRAP_IF_WRITE(openat, OP_OPEN, SHAPE_OPEN, .at = 1, .path = 2, .flags = 3, .mode = 4),
	TRAP(openat2, OP_OPEN, SHAPE_OPEN_HOW, .at = 1, .path = 2), /* its flags are behind a pointer */
	TRAP(creat, OP_CREATE, SHAPE_CREAT, .path = 1, .mode = 2),
	TRAP(truncate, OP_TRUNCATE, SHAPE_PATH, .path = 1, .follow = FOLLOW_YES),
	/* what it cuts of an ignored file is kept first */
	TRAP(ftruncate, OP_TRUNCATE, SHAPE_FTRUNCATE, .at = 1),
	TRAP(unlink, OP_UNLINK, SHAPE_PATH, .path = 1),
	TRAP(unlinkat, OP_UNLINK, SHAPE_PATH, .at = 1, .path = 2, .flags = 3, .alt_flag = AT_REMOVEDIR,
	     .alt_op = OP_RMDIR),
	TRAP(rmdir, OP_RMDIR, SHAPE_PATH, .path = 1),
	TRAP(rename, OP_RENAME, SHAPE_PATH, .path = 1, .path2 = 2),
	TRAP(renameat, OP_RENAME, SHAPE_PATH, .at = 1, .path = 2, .at2 = 3, .path2 = 4),
	TRAP(renameat2, OP_RENAME, SHAPE_PATH, .at = 1, .path = 2, .at2 = 3, .path2 = 4, .flags = 5),
	/* a hard link: path2 names path */
	TRAP(link, OP_LINK, SHAPE_PATH, .path = 1, .path2 = 2),
	TRAP(linkat, OP_LINK, SHAPE_PATH, .at = 1, .path = 2, .at2 = 3, .path2 = 4, .flags = 5,
	     .follow = FOLLOW_IF_FOLLOW),
	TRAP(symlink, OP_SYMLINK, SHAPE_SYMLINK, .path = 1, .path2 = 2),
	TRAP(symlinkat, OP_SYMLINK, SHAPE_SYMLINK, .path = 1, .at2 = 2, .path2 = 3),
	TRAP(mkdir, OP_MKDIR, SHAPE_PATH, .path = 1, .mode = 2),
	TRAP(mkdirat, OP_MKDIR, SHAPE_PATH, .at = 1, .path = 2, .mode = 3),
	TRAP(chmod, OP_CHMOD, SHAPE_PATH, .path = 1, .mode = 2, .follow = FOLLOW_YES),
	TRAP(fchmodat, OP_CHMOD, SHAPE_PATH, .at = 1, .path = 2, .mode = 3, .follow = FOLLOW_YES),
	TRAP(fchmodat2, OP_CHMOD, SHAPE_PATH, .at = 1, .path = 2, .mode = 3, .flags = 4,
	     .follow = FOLLOW_UNLESS_NOFOLLOW),
	TRAP(connect, OP_CONNECT, SHAPE_CONNECT, .path = 2, .path2 = 3),
	/* a datagram (or TCP fast open) to an address is a connection to it;
	 * send() on a connected socket has none and is not seen */
	TRAP_IF_SET(sendto, OP_CONNECT, SHAPE_SENDTO, .path = 5, .path2 = 6),
	TRAP(sendmsg, OP_CONNECT, SHAPE_SENDMSG, .path = 2), /* its address is behind a pointer */
	TRAP(sendmmsg, OP_CONNECT, SHAPE_SENDMMSG, .path = 2, .path2 = 3),
	/* what a file is, besides its bytes: judged as writes to it (the
	 * descriptor forms too: a file opened for reading can be chmod'ed) */
	TRAP(fchmod, OP_CHMOD, SHAPE_FD, .at = 1, .mode = 2),
	TRAP(chown, OP_CHOWN, SHAPE_PATH, .path = 1, .follow = FOLLOW_YES),
	TRAP(lchown, OP_CHOWN, SHAPE_PATH, .path = 1),
	TRAP(fchown, OP_CHOWN, SHAPE_FD, .at = 1),
	TRAP(fchownat, OP_CHOWN, SHAPE_AT_OR_FD, .at = 1, .path = 2, .flags = 5, .follow = FOLLOW_UNLESS_NOFOLLOW),
	TRAP(utime, OP_TIMES, SHAPE_PATH, .path = 1, .follow = FOLLOW_YES),
	TRAP(utimes, OP_TIMES, SHAPE_PATH, .path = 1, .follow = FOLLOW_YES),
	TRAP(futimesat, OP_TIMES, SHAPE_AT_OR_FD, .at = 1, .path = 2, .follow = FOLLOW_YES),
	/* a NULL path: futimens, the descriptor itself */
	TRAP(utimensat, OP_TIMES, SHAPE_AT_OR_FD, .at = 1, .path = 2, .flags = 4, .follow = FOLLOW_UNLESS_NOFOLLOW),
	TRAP(setxattr, OP_XATTR, SHAPE_PATH, .path = 1, .follow = FOLLOW_YES),
	TRAP(lsetxattr, OP_XATTR, SHAPE_PATH, .path = 1),
	TRAP(fsetxattr, OP_XATTR, SHAPE_FD, .at = 1),
	TRAP(removexattr, OP_XATTR, SHAPE_PATH, .path = 1, .follow = FOLLOW_YES),
	TRAP(lremovexattr, OP_XATTR, SHAPE_PATH, .path = 1),
	TRAP(fremovexattr, OP_XATTR, SHAPE_FD, .at = 1),
	TRAP(mknod, OP_MKNOD, SHAPE_PATH, .path = 1, .mode = 2),
	TRAP(mknodat, OP_MKNOD, SHAPE_PATH, .at = 1, .path = 2, .mode = 3),
	/* opens a file by its handle, past every path and name: no policy
	 * words for it; refused */
	DENY(open_by_handle_at, EPERM),
	/* io_uring runs opens, connects and unlinks without seccomp seeing
	 * them; ENOSYS makes libraries fall back to the calls above */
	DENY(io_uring_setup, ENOSYS),
	DENY(io_uring_enter, ENOSYS),
	DENY(io_uring_register, ENOSYS),
	/* pushing bytes into a terminal's input is typing as the person: the
	 * agent's own terminal is read by the agent, but belay's is the
	 * person's, and a typed key must never come from the agent */
	DENY_IF(ioctl, 2, FV_CONST, TIOCSTI, EPERM),
	DENY_IF(ioctl, 2, FV_CONST, TIOCLINUX, EPERM),
	/* belay itself: no signal, no pidfd (pidfd_getfd would take the
	 * listener), no ptrace, no memory.  Landlock (sandbox.c) refuses the
	 * same to the whole tree whatever the pid; these rows hold where the
	 * kernel has no signal scoping, and name the pid the way callers do */
	DENY_IF(kill, 1, FV_BELAY, 0, EPERM),
	DENY_IF(kill, 1, FV_BELAY_PGRP, 0, EPERM),
	DENY_IF(tkill, 1, FV_BELAY, 0, EPERM),
	DENY_IF(tgkill, 1, FV_BELAY, 0, EPERM),
	DENY_IF(rt_sigqueueinfo, 1, FV_BELAY, 0, EPERM),
	DENY_IF(rt_tgsigqueueinfo, 1, FV_BELAY, 0, EPERM),
	DENY_IF(pidfd_open, 1, FV_BELAY, 0, EPERM),
	DENY_IF(ptrace, 2, FV_BELAY, 0, EPERM),
	DENY_IF(process_vm_readv, 1, FV_BELAY, 0, EPERM),
	DENY_IF(process_vm_writev, 1, FV_BELAY, 0, EPERM),
};

const struct filter_rule *filter_rules(size_t *n)
{
	*n = ARRAY_SIZE(rules);
	return rules;
}

const struct filter_rule *filter_rule_for(int nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].nr == nr)
			return &rules[i];
	return NULL;
}

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

static unsigned row_value(const struct filter_rule *r)
{
	switch (r->vkind) {
	case FV_BELAY:
		return (unsigned)getpid();
	case FV_BELAY_PGRP:
		return (unsigned)-getpgrp();
	default:
		return r->value;
	}
}

/* Where argument position pos (from 1) is in struct seccomp_data. */
static unsigned arg_offset(int pos)
{
	if (pos < 1 || pos > 6)
		BUG("argument position %d", pos);
	return (unsigned)(offsetof(struct seccomp_data, args) + (unsigned)(pos - 1) * sizeof(__u64));
}

void filter_build(struct sock_fprog *prog)
{
	size_t max = 6 + ARRAY_SIZE(rules) * 7 + 1, n = 0;
	struct sock_filter *f = xcalloc(max, sizeof(*f));

	/* the architecture first: numbers mean nothing without it */
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	f[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct filter_rule *r = &rules[i];

		switch (r->action) {
		case FILTER_TRAP:
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)r->nr, 0, 1);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
			break;
		case FILTER_DENY:
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)r->nr, 0, 1);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)r->err & SECCOMP_RET_DATA));
			break;
		case FILTER_TRAP_IF_WRITE:
			/* the accumulator is lost to the flags: both ways return */
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)r->nr, 0, 4);
			f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, arg_offset(r->flags));
			f[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, FILTER_WRITE_FLAGS, 0, 1);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
			break;
		case FILTER_TRAP_IF_SET: {
			unsigned off = arg_offset(r->path);

			/* a pointer is NULL when both its halves are 0 */
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)r->nr, 0, 6);
			f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, off);
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2);
			f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, off + 4);
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
			break;
		}
		case FILTER_DENY_IF_ARG:
			/* the number goes back in the accumulator when the
			 * argument does not match: the next row compares it */
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)r->nr, 0, 4);
			f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, arg_offset(r->arg));
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, row_value(r), 0, 1);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)r->err & SECCOMP_RET_DATA));
			f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
			break;
		}
	}
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	if (n > max)
		BUG("filter overflow: %zu instructions for %zu", n, max);
	prog->len = (unsigned short)n;
	prog->filter = f;
}

void filter_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

int filter_install(const struct sock_fprog *prog)
{
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, prog);

	return fd < 0 ? -errno : (int)fd;
}
