/*
 * sandbox.c - belay not dumpable, the agent's tree in a Landlock domain of
 * its own; see sandbox.h.
 *
 * Landlock: Documentation/userspace-api/landlock.rst and the kernel's
 * samples/landlock/sandboxer.c.  Debian 12's <linux/landlock.h> is from
 * Linux 6.1 (ABI 2), so the newer fields and flags are defined here.
 */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#define SCOPE_SIGNAL (1ULL << 1) /* LANDLOCK_SCOPE_SIGNAL, ABI 6 */

/* landlock_ruleset_attr as of ABI 6; older kernels take it whole as long as
 * the fields they do not know are zero */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct sandbox {
	int abi;
	uint64_t keep_caps; /* capabilities left in the bounding set */
};

/* capabilities(7), by number */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
	"linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write", "audit_control", "setfcap",
	"mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf",
	"checkpoint_restore",
};

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

/* Capabilities that read another process's memory or /proc whatever its dumpability: never kept. */
static const int dropped_caps[] = { CAP_SYS_PTRACE, CAP_SYS_ADMIN, CAP_PERFMON };

int sandbox_cap_number(const char *name)
{
	const char *n = !strncasecmp(name, "cap_", 4) ? name + 4 : name;

	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++) {
		if (!strcasecmp(n, cap_names[i])) {
			for (size_t k = 0; k < ARRAY_SIZE(dropped_caps); k++)
				if (dropped_caps[k] == (int)i)
					return -2;
			return (int)i;
		}
	}
	return -1;
}

void sandbox_keep_caps(struct sandbox *sb, uint64_t mask)
{
	sb->keep_caps = mask;
}

struct sandbox *sandbox_new(void)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	/* ENOSYS: not built in; EOPNOTSUPP: off at boot (lsm=) */
	sb->abi = abi > 0 ? (int)abi : 0;
	return sb;
}

void sandbox_free(struct sandbox *sb)
{
	free(sb);
}

int sandbox_abi(const struct sandbox *sb)
{
	return sb->abi;
}

int sandbox_scopes_signals(const struct sandbox *sb)
{
	return sb->abi >= 6;
}

const char *sandbox_gaps(const struct sandbox *sb)
{
	if (!sb->abi)
		return "the kernel has no Landlock: an agent running as root could read belay's memory";
	if (!sandbox_scopes_signals(sb))
		return "the kernel's Landlock has no signal scoping (ABI 6): signals to belay are refused by pid only";
	return NULL;
}

int sandbox_parent(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ? -errno : 0;
}

int sandbox_child(const struct sandbox *sb)
{
	struct ruleset_attr attr = { 0 };
	int rfd, e = 0;

	/*
	 * Landlock refuses a ptrace attach across domains but lets a read
	 * (/proc/PID/environ, maps) through to whoever passes the kernel's
	 * own check, which root passes whatever belay's dumpability with any
	 * of these (seen on 6.18).  Out of the bounding set, no exec gives
	 * them back.  Not root: nothing to drop (EPERM without CAP_SETPCAP).
	 */
	for (size_t i = 0; i < ARRAY_SIZE(dropped_caps); i++)
		if (prctl(PR_CAPBSET_READ, dropped_caps[i], 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, dropped_caps[i], 0, 0, 0) < 0 && errno != EPERM)
			return errno;
	/*
	 * An agent run as root keeps no capability it was not given: no
	 * reboot, module, raw network, firewall, clock or other users' files.
	 * Root's own files stay its own (it owns them).
	 */
	for (int c = 0; c < 64; c++)
		if (!(sb->keep_caps & (1ULL << c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EPERM)
			return errno;
	/* nothing inherited across the exec either */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (!sb->abi)
		return 0;
	if (sandbox_scopes_signals(sb)) {
		attr.scoped = SCOPE_SIGNAL;
	} else {
		/* a domain needs something handled: one right, granted on
		 * the whole tree, restricts nothing but makes the domain */
		attr.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	}
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rfd < 0)
		return errno;
	if (attr.handled_access_fs) {
		struct landlock_path_beneath_attr pb = { .allowed_access = LANDLOCK_ACCESS_FS_MAKE_BLOCK };

		pb.parent_fd = open("/", O_PATH | O_CLOEXEC);
		if (pb.parent_fd < 0 ||
		    syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
			e = errno;
		if (pb.parent_fd >= 0)
			close(pb.parent_fd);
	}
	if (!e && syscall(SYS_landlock_restrict_self, rfd, 0) < 0)
		e = errno;
	close(rfd);
	return e;
}
