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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "call.h"
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

/* file system rights, by bit (landlock.h of newer kernels) */
#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REMOVE_DIR (1ULL << 4)
#define FS_REMOVE_FILE (1ULL << 5)
#define FS_MAKE_CHAR (1ULL << 6)
#define FS_MAKE_DIR (1ULL << 7)
#define FS_MAKE_REG (1ULL << 8)
#define FS_MAKE_SOCK (1ULL << 9)
#define FS_MAKE_FIFO (1ULL << 10)
#define FS_MAKE_BLOCK (1ULL << 11)
#define FS_MAKE_SYM (1ULL << 12)
#define FS_REFER (1ULL << 13)
#define FS_TRUNCATE (1ULL << 14)
#define NET_CONNECT_TCP (1ULL << 1)
#define RULE_NET_PORT 2
#define SCOPE_ABSTRACT_UNIX (1ULL << 0)

#define FS_READ (FS_EXECUTE | FS_READ_FILE | FS_READ_DIR)
/* what a place open for writing lets the agent do there (no device made) */
#define FS_WRITES (FS_WRITE_FILE | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_SOCK | FS_MAKE_FIFO | FS_MAKE_SYM | \
		   FS_REFER | FS_TRUNCATE)
#define FS_DELETES (FS_REMOVE_DIR | FS_REMOVE_FILE | FS_REFER)
/* on a file: only these may be granted */
#define FS_FILE_RIGHTS (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE)

struct place {
	char *path;  /* as realpath(3) gives it */
	unsigned what; /* SANDBOX_WRITE, SANDBOX_DELETE */
	int file;    /* a device file, not a folder */
};

struct sandbox {
	int abi;
	int off;     /* --no-sandbox: no boundary, only belay's own protection */
	uint64_t keep_caps; /* capabilities left in the bounding set */
	struct place *places;
	size_t nplaces, places_cap;
	int *ports;
	size_t nports, ports_cap;
	dev_t tty;   /* the agent's own terminal */
	int rfd;     /* the ruleset, made in belay before the fork */
	struct rlimit_set {
		int resource;
		rlim_t value;
	} rl[4];
	size_t nrl;
	uint64_t handled_fs, handled_net, scoped;
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
	sb->rfd = -1;
	return sb;
}

void sandbox_free(struct sandbox *sb)
{
	if (!sb)
		return;
	for (size_t i = 0; i < sb->nplaces; i++)
		free(sb->places[i].path);
	free(sb->places);
	free(sb->ports);
	if (sb->rfd >= 0)
		close(sb->rfd);
	free(sb);
}

int sandbox_abi(const struct sandbox *sb)
{
	return sb->abi;
}

void sandbox_off(struct sandbox *sb)
{
	sb->off = 1;
}

int sandbox_holds_files(const struct sandbox *sb)
{
	/* ABI 1 fails every rename across folders (EXDEV): git, editors and
	 * package managers would break, so belay needs refer (ABI 2) */
	return !sb->off && sb->abi >= 2;
}

int sandbox_holds_ports(const struct sandbox *sb)
{
	return sandbox_holds_files(sb) && sb->abi >= 4;
}

int sandbox_scopes_signals(const struct sandbox *sb)
{
	return sb->abi >= 6;
}

const char *sandbox_gaps(const struct sandbox *sb)
{
	if (!sb->abi)
		return "the kernel has no Landlock: nothing but belay's interception stands between the agent and your files";
	if (sb->off)
		return "no sandbox (--no-sandbox): belay holds calls, but a racing agent can get past a hold";
	if (sb->abi < 2)
		return "the kernel's Landlock is ABI 1 (no moves across folders): belay runs without its boundary";
	if (sb->abi < 3)
		return "the kernel's Landlock has no truncate right (ABI 3): a truncate outside the workspace is only held";
	if (sb->abi < 4)
		return "the kernel's Landlock has no network rules (ABI 4): connections are only held, not enforced";
	if (!sandbox_scopes_signals(sb))
		return "the kernel's Landlock has no signal scoping (ABI 6): signals to belay are refused by pid only";
	return NULL;
}

/* path, without its trailing slashes, is below dir (not dir itself) */
static int below(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (n == 1) /* "/" */
		return path[0] == '/' && path[1];
	return !strncmp(dir, path, n) && path[n] == '/' && path[n + 1];
}

void sandbox_open_place(struct sandbox *sb, const char *path, unsigned what)
{
	char *real = realpath(path, NULL);
	struct stat st;
	struct place *pl;

	if (!real)
		return; /* made later, it is not in the boundary: belay does what is allowed there */
	if (stat(real, &st) < 0 || (!S_ISDIR(st.st_mode) && !S_ISCHR(st.st_mode))) {
		free(real);
		return;
	}
	for (size_t i = 0; i < sb->nplaces; i++) {
		if (!strcmp(sb->places[i].path, real)) {
			sb->places[i].what |= what;
			free(real);
			return;
		}
	}
	sb->places = xgrow(sb->places, &sb->places_cap, sb->nplaces + 1, sizeof(*sb->places));
	pl = &sb->places[sb->nplaces++];
	pl->path = real;
	pl->what = what;
	pl->file = !S_ISDIR(st.st_mode);
}

void sandbox_open_port(struct sandbox *sb, int port)
{
	if (port < 0 || port > 65535 || sandbox_port_open(sb, port))
		return;
	sb->ports = xgrow(sb->ports, &sb->ports_cap, sb->nports + 1, sizeof(*sb->ports));
	sb->ports[sb->nports++] = port;
}

int sandbox_port_open(const struct sandbox *sb, int port)
{
	for (size_t i = 0; i < sb->nports; i++)
		if (sb->ports[i] == port)
			return 1;
	return 0;
}

void sandbox_set_rlimit(struct sandbox *sb, int resource, unsigned long long value)
{
	if (sb->nrl < ARRAY_SIZE(sb->rl)) {
		sb->rl[sb->nrl].resource = resource;
		sb->rl[sb->nrl].value = (rlim_t)value;
		sb->nrl++;
	}
}

void sandbox_set_tty(struct sandbox *sb, dev_t tty)
{
	sb->tty = tty;
}

/* The kernel lets path be changed so (SANDBOX_WRITE or SANDBOX_DELETE) by itself. */
static int place_lets(const struct sandbox *sb, const char *path, unsigned what, int existing_file)
{
	for (size_t i = 0; i < sb->nplaces; i++) {
		const struct place *pl = &sb->places[i];

		if (!(pl->what & what))
			continue;
		if (pl->file ? existing_file && !strcmp(pl->path, path) : below(pl->path, path))
			return 1;
	}
	return 0;
}

int sandbox_lets(const struct sandbox *sb, const struct call *c)
{
	struct call_effect eff[2];
	size_t n;

	if (!sandbox_holds_files(sb))
		return 1;
	switch (c->op) {
	case OP_EXEC:
	case OP_CHMOD: /* metadata: Landlock does not mediate it */
	case OP_CHOWN:
	case OP_TIMES:
	case OP_XATTR:
		return 1;
	case OP_CONNECT:
		/* TCP only; UDP and unix sockets are not Landlock's */
		return !sandbox_holds_ports(sb) || (c->addr.family != AF_INET && c->addr.family != AF_INET6) ||
		       sandbox_port_open(sb, c->addr.port);
	case OP_TRUNCATE:
		if (c->judged_at_open || sb->abi < 3)
			return 1; /* ftruncate: what was opened for writing may be cut */
		break;
	default:
		break;
	}
	if (c->chr && sb->tty && c->rdev == sb->tty)
		return 1; /* its own terminal, by any name */
	n = call_effects(c, eff);
	for (size_t i = 0; i < n; i++) {
		unsigned what = eff[i].kind == KIND_DELETE ? SANDBOX_DELETE : SANDBOX_WRITE;

		if (!eff[i].path || !place_lets(sb, eff[i].path, what, c->chr))
			return 0;
	}
	/* a rename or link across places also needs refer on both */
	return 1;
}

/* the rights this ABI knows, as the kernel's sandboxer.c strips them */
static void handled(struct sandbox *sb)
{
	sb->handled_fs = FS_READ | FS_WRITES | FS_DELETES | FS_MAKE_CHAR | FS_MAKE_BLOCK;
	sb->handled_net = NET_CONNECT_TCP;
	sb->scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
	switch (sb->abi) {
	case 1:
		sb->handled_fs &= ~FS_REFER;
		/* fallthrough */
	case 2:
		sb->handled_fs &= ~FS_TRUNCATE;
		/* fallthrough */
	case 3:
		sb->handled_net = 0;
		/* fallthrough */
	case 4:
	case 5:
		sb->scoped = 0;
		/* fallthrough */
	default:
		break;
	}
	if (!sandbox_holds_files(sb)) {
		sb->handled_fs = 0;
		sb->handled_net = 0;
	}
	if (!sb->scoped && !sb->handled_fs) {
		/* a domain needs something handled: one right, granted on
		 * the whole tree, restricts nothing but makes the domain */
		sb->handled_fs = FS_MAKE_BLOCK;
	}
}

static int add_path_rule(int rfd, const char *path, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = rights };
	int e = 0;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return -errno;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		e = -errno;
	close(pb.parent_fd);
	return e;
}

int sandbox_prepare(struct sandbox *sb, struct buf *err)
{
	struct ruleset_attr attr = { 0 };
	int e;

	if (!sb->abi)
		return 0;
	handled(sb);
	attr.handled_access_fs = sb->handled_fs;
	attr.handled_access_net = sb->handled_net;
	attr.scoped = sb->scoped;
	sb->rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (sb->rfd < 0) {
		buf_addf(err, "cannot make a Landlock ruleset: %s", strerror(errno));
		return -1;
	}
	if (sb->handled_fs == FS_MAKE_BLOCK) {
		e = add_path_rule(sb->rfd, "/", FS_MAKE_BLOCK);
		if (e < 0) {
			buf_addf(err, "cannot add a Landlock rule for '/': %s", strerror(-e));
			return -1;
		}
		return 0;
	}
	if (!sandbox_holds_files(sb))
		return 0;
	/* read and run everything; change only the places */
	e = add_path_rule(sb->rfd, "/", FS_READ);
	for (size_t i = 0; !e && i < sb->nplaces; i++) {
		const struct place *pl = &sb->places[i];
		uint64_t r = FS_READ;

		if (pl->what & SANDBOX_WRITE)
			r |= FS_WRITES;
		if (pl->what & SANDBOX_DELETE)
			r |= FS_DELETES;
		if (pl->file)
			r &= FS_FILE_RIGHTS;
		e = add_path_rule(sb->rfd, pl->path, r & sb->handled_fs);
		if (e < 0) {
			buf_addf(err, "cannot add a Landlock rule for '%s': %s", pl->path, strerror(-e));
			return -1;
		}
	}
	if (e < 0) {
		buf_addf(err, "cannot add a Landlock rule for '/': %s", strerror(-e));
		return -1;
	}
	for (size_t i = 0; sb->handled_net && i < sb->nports; i++) {
		struct {
			uint64_t allowed_access;
			uint64_t port;
		} __attribute__((packed)) np = { NET_CONNECT_TCP, (uint64_t)sb->ports[i] };

		if (syscall(SYS_landlock_add_rule, sb->rfd, RULE_NET_PORT, &np, 0) < 0) {
			buf_addf(err, "cannot add a Landlock rule for port %d: %s", sb->ports[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

void sandbox_describe(const struct sandbox *sb, struct buf *out)
{
	if (!sb->abi) {
		buf_addstr(out, "none (no Landlock)");
		return;
	}
	if (!sandbox_holds_files(sb)) {
		buf_addstr(out, sb->off ? "off (--no-sandbox): calls are held, not fenced"
					: "off: Landlock ABI 1 cannot move files across folders");
		return;
	}
	buf_addf(out, "Landlock %d: %zu place%s", sb->abi, sb->nplaces, sb->nplaces == 1 ? "" : "s");
	if (sandbox_holds_ports(sb)) {
		buf_addstr(out, ", TCP");
		for (size_t i = 0; i < sb->nports; i++)
			buf_addf(out, " %d", sb->ports[i]);
	}
	if (sandbox_scopes_signals(sb))
		buf_addstr(out, ", signals");
}

void sandbox_each_place(const struct sandbox *sb, void (*cb)(const char *path, unsigned what, void *data),
			void *data)
{
	for (size_t i = 0; i < sb->nplaces; i++)
		cb(sb->places[i].path, sb->places[i].what, data);
}

int sandbox_parent(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ? -errno : 0;
}

int sandbox_ruleset_fd(const struct sandbox *sb)
{
	return sb->rfd;
}

int sandbox_child(const struct sandbox *sb, int rfd)
{
	int e = 0;

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
	/* the policy's limits the cgroups do not hold: each process's own */
	for (size_t i = 0; i < sb->nrl; i++) {
		struct rlimit r = { sb->rl[i].value, sb->rl[i].value }, now;

		/* not above the hard limit belay has (only root could) */
		if (getrlimit(sb->rl[i].resource, &now) == 0 && now.rlim_max != RLIM_INFINITY && r.rlim_max > now.rlim_max)
			r.rlim_cur = r.rlim_max = now.rlim_max;
		if (setrlimit(sb->rl[i].resource, &r) < 0)
			return errno;
	}
	if (sb->rfd < 0 || rfd < 0)
		return 0;
	if (sb->handled_fs & FS_WRITE_FILE) {
		/* its own terminal by name (/dev/pts/N, what ttyname says):
		 * standard input is it by now (spawn.c) */
		struct landlock_path_beneath_attr pb = {
			.allowed_access = (FS_READ_FILE | FS_WRITE_FILE) & sb->handled_fs,
		};

		pb.parent_fd = open("/proc/self/fd/0", O_PATH | O_CLOEXEC);
		if (pb.parent_fd >= 0) {
			if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
				e = errno;
			close(pb.parent_fd);
		}
	}
	if (!e && syscall(SYS_landlock_restrict_self, rfd, 0) < 0)
		e = errno;
	return e;
}
