/*
 * probe.h - what this machine's kernel lets belay enforce, found by trying
 * (in a child process, so that nothing sticks to belay): seccomp user
 * notification, Landlock and its rights, namespaces, cgroup v2, the
 * subreaper, Yama's ptrace scope, inotify's limits.  For "belay doctor".
 */
#ifndef BELAY_PROBE_H
#define BELAY_PROBE_H

struct probe {
	char kernel[160];      /* "6.18.44 x86_64" */
	int kernel_major, kernel_minor;
	int seccomp_listener;  /* a filter with a listener installs (1), or the errno that refused it (< 0) */
	int addfd;             /* SECCOMP_IOCTL_NOTIF_ADDFD with the SEND flag (5.14) */
	int killable_wait;     /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19) */
	int landlock_abi;      /* 0: none */
	int userns;            /* a user namespace can be made by this user (1), or -errno */
	int mountns;           /* a mount namespace (through a user namespace when not root) */
	char cgroup2[1024];    /* where cgroup v2 is mounted, "" if nowhere */
	int cgroup_writable;   /* a cgroup can be made there by this user */
	int cgroup_kill;       /* ... and it has cgroup.kill (5.14) */
	int subreaper;         /* PR_SET_CHILD_SUBREAPER works */
	int yama;              /* /proc/sys/kernel/yama/ptrace_scope, -1 without Yama */
	long inotify_watches;  /* max_user_watches, -1 unknown */
	long inotify_instances;
	int root;
};

/* Probe everything.  Never fails: what cannot be known is said so. */
void probe_all(struct probe *p);

/* The Landlock rights ABI n adds, as words ("refer", "truncate"…). */
const char *probe_landlock_adds(int abi);

#endif
