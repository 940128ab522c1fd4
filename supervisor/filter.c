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

#define ROW(nr, act, arg, err) { __NR_##nr, #nr, act, arg, err, FV_CONST, 0 }
#define TRAP(nr) ROW(nr, FILTER_TRAP, 0, 0)
#define TRAP_IF_WRITE(nr, arg) ROW(nr, FILTER_TRAP_IF_WRITE, arg, 0)
#define DENY(nr, err) ROW(nr, FILTER_DENY, 0, err)
#define TRAP_IF_SET(nr, arg) ROW(nr, FILTER_TRAP_IF_SET, arg, 0)
#define DENY_IF(nr, arg, vkind, value, err) { __NR_##nr, #nr, FILTER_DENY_IF_ARG, arg, err, vkind, value }

static const struct filter_rule rules[] = {
	TRAP(execve),
	TRAP(execveat),
	TRAP_IF_WRITE(open, 1),   /* open(path, flags, mode) */
	TRAP_IF_WRITE(openat, 2), /* openat(dirfd, path, flags, mode) */
	TRAP(openat2),            /* its flags are behind a pointer */
	TRAP(creat),
	TRAP(truncate),
	TRAP(ftruncate), /* what it cuts of an ignored file is kept first */
	TRAP(unlink),
	TRAP(unlinkat),
	TRAP(rmdir),
	TRAP(rename),
	TRAP(renameat),
	TRAP(renameat2),
	TRAP(link),
	TRAP(linkat),
	TRAP(symlink),
	TRAP(symlinkat),
	TRAP(mkdir),
	TRAP(mkdirat),
	TRAP(chmod),
	TRAP(fchmodat),
	TRAP(fchmodat2),
	TRAP(connect),
	/* a datagram (or TCP fast open) to an address is a connection to it;
	 * send() on a connected socket has none and is not seen */
	TRAP_IF_SET(sendto, 4),
	TRAP(sendmsg), /* its address is behind a pointer */
	TRAP(sendmmsg),
	/* what a file is, besides its bytes: judged as writes to it (the
	 * descriptor forms too: a file opened for reading can be chmod'ed) */
	TRAP(fchmod),
	TRAP(chown),
	TRAP(lchown),
	TRAP(fchown),
	TRAP(fchownat),
	TRAP(utime),
	TRAP(utimes),
	TRAP(futimesat),
	TRAP(utimensat),
	TRAP(setxattr),
	TRAP(lsetxattr),
	TRAP(fsetxattr),
	TRAP(removexattr),
	TRAP(lremovexattr),
	TRAP(fremovexattr),
	TRAP(mknod),
	TRAP(mknodat),
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
	DENY_IF(ioctl, 1, FV_CONST, TIOCSTI, EPERM),
	DENY_IF(ioctl, 1, FV_CONST, TIOCLINUX, EPERM),
	/* belay itself: no signal, no pidfd (pidfd_getfd would take the
	 * listener), no ptrace, no memory.  Landlock (sandbox.c) refuses the
	 * same to the whole tree whatever the pid; these rows hold where the
	 * kernel has no signal scoping, and name the pid the way callers do */
	DENY_IF(kill, 0, FV_BELAY, 0, EPERM),
	DENY_IF(kill, 0, FV_BELAY_PGRP, 0, EPERM),
	DENY_IF(tkill, 0, FV_BELAY, 0, EPERM),
	DENY_IF(tgkill, 0, FV_BELAY, 0, EPERM),
	DENY_IF(rt_sigqueueinfo, 0, FV_BELAY, 0, EPERM),
	DENY_IF(rt_tgsigqueueinfo, 0, FV_BELAY, 0, EPERM),
	DENY_IF(pidfd_open, 0, FV_BELAY, 0, EPERM),
	DENY_IF(ptrace, 1, FV_BELAY, 0, EPERM),
	DENY_IF(process_vm_readv, 0, FV_BELAY, 0, EPERM),
	DENY_IF(process_vm_writev, 0, FV_BELAY, 0, EPERM),
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
			f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS,
				      offsetof(struct seccomp_data, args) + (unsigned)r->arg * sizeof(__u64));
			f[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, FILTER_WRITE_FLAGS, 0, 1);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
			f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
			break;
		case FILTER_TRAP_IF_SET: {
			unsigned off = offsetof(struct seccomp_data, args) + (unsigned)r->arg * sizeof(__u64);

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
			f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS,
				      offsetof(struct seccomp_data, args) + (unsigned)r->arg * sizeof(__u64));
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
