/*
 * notify.c - the listener side of seccomp user notification; see notify.h.
 *
 * Reads follow ../shared/notes/platform.md §2.5: strings are read in
 * page-bounded pieces until their NUL (one big read fails near an unmapped
 * page), argv is read as an array of pointers then each string, everything
 * is capped, and the id is checked again before the data is used.
 */
#define _GNU_SOURCE
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "decode.h"
#include "filter.h"
#include "proc.h"
#include "resolve.h"
#include "util.h"


struct notify {
	int fd;
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
};

/* Linux 6.6; Debian 12's headers are older */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

struct notify *notify_new(int fd)
{
	struct notify *n;
	struct seccomp_notif_sizes sizes;
	__u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return NULL;
	/*
	 * The agent waits while belay decides, so the two take turns: on
	 * kernels that can (6.6), let the wake-ups switch on one CPU rather
	 * than wake another, which is slow on virtual machines.  Older
	 * kernels say EINVAL; nothing else changes.
	 */
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags);
	n = xcalloc(1, sizeof(*n));
	n->fd = fd;
	n->sizes = sizes;
	n->req = xcalloc(1, MAX(sizes.seccomp_notif, sizeof(struct seccomp_notif)));
	n->resp = xcalloc(1, MAX(sizes.seccomp_notif_resp, sizeof(struct seccomp_notif_resp)));
	return n;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	close(n->fd);
	free(n->req);
	free(n->resp);
	free(n);
}

int notify_fd(const struct notify *n)
{
	return n->fd;
}

int notify_pending(struct notify *n, uint64_t id)
{
	return ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

static int send_resp(struct notify *n)
{
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, n->resp) == 0)
		return 0;
	/* ENOENT: the target went away or was interrupted; nothing to answer */
	return errno == ENOENT ? 0 : -errno;
}

int notify_allow(struct notify *n, uint64_t id)
{
	memset(n->resp, 0, n->sizes.seccomp_notif_resp);
	n->resp->id = id;
	n->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	return send_resp(n);
}

void notify_tell(pid_t pid, const char *text)
{
	char path[64];
	struct buf line = BUF_INIT;
	int fd;

	/* its own descriptor (a file's offset is shared, so what it writes next
	 * comes after); else a new description of the same thing, appended */
	{
		int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

		fd = pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, 2, 0) : -1;
		if (pidfd >= 0)
			close(pidfd);
	}
	if (fd >= 0) {
		struct stat st;
		int fl = fcntl(fd, F_GETFL);

		/* a terminal or pipe it blocks on would block belay: not those */
		if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !(fl & O_NONBLOCK))) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/fd/2", (int)pid);
		fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	if (fd < 0)
		return;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		buf_addch(&line, *p < 0x20 || *p == 0x7f ? '?' : (char)*p);
	buf_addch(&line, '\n');
	if (write(fd, line.data, line.len) < 0) {
		/* a full pipe, a closed terminal: the denial stands without its reason */
	}
	close(fd);
	buf_release(&line);
}

int notify_return(struct notify *n, uint64_t id, int64_t val, int err)
{
	memset(n->resp, 0, n->sizes.seccomp_notif_resp);
	n->resp->id = id;
	n->resp->val = err ? 0 : val;
	n->resp->error = err ? -err : 0;
	return send_resp(n);
}

int notify_hand_fd(struct notify *n, uint64_t id, int fd, int cloexec)
{
	struct seccomp_notif_addfd add = { 0 };

	add.id = id;
	add.flags = SECCOMP_ADDFD_FLAG_SEND;
	add.srcfd = (uint32_t)fd;
	add.newfd_flags = cloexec ? O_CLOEXEC : 0;
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0)
		return 0;
	/* ENOENT: the target went away or was interrupted */
	return errno == ENOENT ? 0 : -errno;
}

int notify_deny(struct notify *n, uint64_t id, int err)
{
	memset(n->resp, 0, n->sizes.seccomp_notif_resp);
	n->resp->id = id;
	n->resp->error = -err;
	return send_resp(n);
}

/* ---- reading the target ---- */

struct target {
	struct notify *n;
	uint64_t id;
	pid_t tid, pid;
	int mem;     /* /proc/TID/mem, or -1 */
	char **cwd;  /* the call's cwd, read when first needed */
};

/*
 * The caller's own /proc/PID given back as /proc/self, as rules write it.
 * Careful: a path rewritten so means the caller's, never belay's: anything
 * belay itself looks at (stat, lstat) uses the path from before.
 */
static char *proc_self_out(const struct target *t, char *path)
{
	char prefix[64];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "/proc/%d/task/%d", (int)t->pid, (int)t->tid);
	char *out;

	if (!strncmp(path, prefix, n) && (path[n] == '/' || !path[n])) {
		out = xasprintf("/proc/thread-self%s", path + n);
		free(path);
		return out;
	}
	n = (size_t)snprintf(prefix, sizeof(prefix), "/proc/%d", (int)t->pid);
	if (strncmp(path, prefix, n) || (path[n] != '/' && path[n]))
		return path;
	out = xasprintf("/proc/self%s", path + n);
	free(path);
	return out;
}

static char *read_link(pid_t pid, const char *what)
{
	char path[64], buf[PATH_MAX];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	len = readlink(path, buf, sizeof(buf) - 1);
	if (len < 0)
		return NULL;
	buf[len] = '\0';
	return xstrdup(buf);
}

static pid_t tgid_of(pid_t tid)
{
	char b[2048], *p;
	int fd;

	/* careful: /proc/TID/status is slow to make (it sums the memory);
	 * pidfd_open() takes only a thread group's leader, so when it works
	 * the thread is its own process, which is most of the time */
	fd = (int)syscall(SYS_pidfd_open, tid, 0);
	if (fd >= 0) {
		close(fd);
		return tid;
	}
	if (proc_read(tid, "status", b, sizeof(b)) < 0 || !(p = strstr(b, "\nTgid:")))
		return tid;
	return (pid_t)strtol(p + 6, NULL, 10);
}

pid_t notify_ppid(pid_t pid)
{
	struct proc_stat st;

	return proc_stat(pid, &st) < 0 ? 0 : st.ppid;
}

static ssize_t mem_pread(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct target *t = ctx;

	return t->mem < 0 ? -1 : pread(t->mem, buf, len, (off_t)addr);
}

static int mem_read(struct target *t, uint64_t addr, void *buf, size_t len)
{
	return mem_pread(t, addr, buf, len) == (ssize_t)len ? 0 : -1;
}

/* A NUL-terminated string at addr, at most max bytes; -1 if unreadable or longer. */
static int mem_string(struct target *t, uint64_t addr, size_t max, struct buf *out)
{
	return decode_string(mem_pread, t, addr, max, out);
}

/* The directory a dirfd stands for (AT_FDCWD: the cwd); NULL if unknown. */
static char *dir_of(struct target *t, int dirfd)
{
	char what[32];

	if (dirfd == AT_FDCWD) {
		if (!*t->cwd)
			*t->cwd = read_link(t->tid, "cwd");
		return *t->cwd ? xstrdup(*t->cwd) : NULL;
	}
	snprintf(what, sizeof(what), "fd/%d", dirfd);
	return read_link(t->tid, what);
}

/*
 * The absolute path a (dirfd, path) pair names, resolved as the kernel will
 * (resolve.c), the last component too when follow is set.  NULL if it cannot
 * be read.  The caller's /proc/PID is left as it is (see proc_self_out).
 */
static char *resolve(struct target *t, int dirfd, const char *raw, int follow)
{
	char *dir = NULL, *result;

	if (raw[0] != '/') {
		dir = dir_of(t, dirfd);
		if (!dir)
			return NULL;
	}
	result = resolve_path(dir, raw, follow, t->pid, t->tid);
	free(dir);
	return result;
}

/* The path at addr, resolved; physical: the path before proc_self_out, or NULL. */
static char *path_at_phys(struct target *t, int dirfd, uint64_t addr, int follow, char **physical)
{
	struct buf raw = BUF_INIT;
	char *result = NULL;

	if (mem_string(t, addr, PATH_MAX, &raw) == 0)
		result = resolve(t, dirfd, raw.data, follow);
	buf_release(&raw);
	if (physical)
		*physical = result ? xstrdup(result) : NULL;
	return result ? proc_self_out(t, result) : NULL;
}

static char *path_at(struct target *t, int dirfd, uint64_t addr, int follow)
{
	return path_at_phys(t, dirfd, addr, follow, NULL);
}

static int read_argv(struct target *t, uint64_t addr, struct call *c)
{
	return decode_argv(mem_pread, t, addr, NOTIFY_MAX_ARGS, NOTIFY_MAX_ARGV_BYTES, &c->argv, &c->argc,
			   &c->argv_cut);
}

/*
 * True if an exec of path fails for want of the file: execvp and shells try
 * each directory of $PATH in turn, and those misses change nothing.
 */
static int exec_missing(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* The file path leads to has no name left on disk (a memfd, a deleted file: no links). */
static int unnamed(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_nlink == 0;
}

/* Decide between open, create and truncate for an open of path with flags. */
static enum call_op open_op(const char *path, int flags)
{
	struct stat st;

	if ((flags & O_CREAT) && lstat(path, &st) < 0)
		return OP_CREATE;
	if (flags & O_TRUNC)
		return OP_TRUNCATE;
	return OP_OPEN;
}


/* The file a descriptor stands for: c->path, or no_effect for a pipe, a socket, a memfd. */
static int fd_path(struct target *t, int fd, struct call *c)
{
	char what[32], *p;

	snprintf(what, sizeof(what), "fd/%d", fd);
	p = read_link(t->tid, what);
	if (!p || p[0] != '/') {
		free(p);
		c->no_effect = "not a file in a folder";
		return 0;
	}
	c->path = p;
	return 0;
}

/* (dirfd, path) as the *at calls take them; a NULL path (utimensat) is the descriptor. */
static int at_or_fd(struct target *t, int dirfd, uint64_t path, int follow, struct call *c)
{
	if (!path)
		return fd_path(t, dirfd, c);
	c->path = path_at(t, dirfd, path, follow);
	return c->path ? 0 : -1;
}

static int decode_connect_addr(struct target *t, struct call *c, const char *sa, size_t len);

/* A send to the address at addr (len bytes): a connection to it; none: a connected socket's. */
static int sent_to(struct target *t, uint64_t addr, size_t len, struct call *c)
{
	char sa[128];

	c->op = OP_CONNECT;
	if (!addr || !len) {
		c->no_effect = "a send on a connected socket";
		return 0;
	}
	len = MIN(len, sizeof(sa));
	if (mem_read(t, addr, sa, len) < 0)
		return -1;
	return decode_connect_addr(t, c, sa, len);
}

/* Whether row r's last path component is followed, given the call's flags. */
static int follows(const struct filter_rule *r, int flags)
{
	switch (r->follow) {
	case FOLLOW_YES:
		return 1;
	case FOLLOW_UNLESS_NOFOLLOW:
		return !(flags & AT_SYMLINK_NOFOLLOW);
	case FOLLOW_IF_FOLLOW:
		return (flags & AT_SYMLINK_FOLLOW) != 0;
	default:
		return 0;
	}
}

/*
 * Decode the call the row r describes (filter.c's table: the operation,
 * the shape, which argument is which).  A = argument at position i (from 1);
 * DIR = a dirfd argument, AT_FDCWD where the call has none.
 */
#define A(i) (req->data.args[(i) - 1])
#define IA(i) ((int)(int32_t)req->data.args[(i) - 1])
#define DIR(i) ((i) ? IA(i) : AT_FDCWD)

static int decode_args(struct target *t, const struct seccomp_notif *req, const struct filter_rule *r,
		       struct call *c)
{
	c->op = r->op;
	if (r->flags)
		c->flags = IA(r->flags);
	if (r->mode)
		c->mode = (unsigned)A(r->mode);
	if (r->alt_flag && (c->flags & r->alt_flag))
		c->op = r->alt_op;
	switch (r->shape) {
	case SHAPE_EXECVE: {
		char *phys;
		int missing;

		c->path = path_at_phys(t, AT_FDCWD, A(r->path), 0, &phys);
		missing = phys && exec_missing(phys);
		/* /proc/self/fd/N of a memfd or a deleted file: a name that
		 * leads to no name on disk */
		c->nameless = phys && !missing && unnamed(phys);
		free(phys);
		if (missing) {
			c->no_effect = "no such program";
			return 0;
		}
		return c->path && read_argv(t, A(r->path + 1), c) == 0 ? 0 : -1;
	}
	case SHAPE_EXECVEAT: {
		struct buf p = BUF_INIT;

		if (mem_string(t, A(r->path), PATH_MAX, &p) == 0 && !p.data[0]) {
			/* fileless: execveat(fd, "", AT_EMPTY_PATH) */
			char proc[64];
			struct stat st;
			size_t len;

			c->path = dir_of(t, IA(r->at));
			snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", (int)t->tid, IA(r->at));
			len = c->path ? strlen(c->path) : 0;
			c->nameless = !c->path || c->path[0] != '/' || !strncmp(c->path, "/memfd:", 7) ||
				      (len > 10 && !strcmp(c->path + len - 10, " (deleted)")) || stat(proc, &st) < 0 ||
				      st.st_nlink == 0;
		} else {
			char *phys;
			int missing;

			c->path = path_at_phys(t, IA(r->at), A(r->path), 0, &phys);
			missing = phys && !(c->flags & AT_SYMLINK_NOFOLLOW) && exec_missing(phys);
			c->nameless = phys && !missing && unnamed(phys);
			free(phys);
			if (missing) {
				buf_release(&p);
				c->no_effect = "no such program";
				return 0;
			}
		}
		buf_release(&p);
		return c->path && read_argv(t, A(r->path + 1), c) == 0 ? 0 : -1;
	}
	case SHAPE_OPEN:
	case SHAPE_OPEN_HOW:
	case SHAPE_CREAT: {
		char *phys;
		struct stat st;

		if (r->shape == SHAPE_CREAT) {
			c->flags = O_CREAT | O_WRONLY | O_TRUNC;
		} else if (r->shape == SHAPE_OPEN_HOW) {
			struct open_how how = { 0 };

			if (A(r->path + 2) < sizeof(uint64_t) * 2 ||
			    mem_read(t, A(r->path + 1), &how, sizeof(uint64_t) * 2) < 0)
				return -1;
			c->flags = (int)how.flags, c->mode = (unsigned)how.mode;
		}
		if (!(c->flags & FILTER_WRITE_FLAGS)) {
			/* openat2 is trapped whatever its flags (they are not in a register) */
			c->op = OP_OPEN;
			c->no_effect = "opened for reading";
			return 0;
		}
		c->path = path_at_phys(t, DIR(r->at), A(r->path), !(c->flags & O_NOFOLLOW), &phys);
		if (!c->path)
			return -1;
		c->op = open_op(phys, c->flags);
		/* a device is judged by what it is, whatever its name */
		if (stat(phys, &st) == 0 && S_ISCHR(st.st_mode)) {
			c->chr = 1;
			c->rdev = st.st_rdev;
		}
		free(phys);
		return 0;
	}
	case SHAPE_FTRUNCATE: {
		char what[32], proc[64], *p;
		struct stat st;

		c->judged_at_open = 1;
		snprintf(what, sizeof(what), "fd/%d", IA(r->at));
		p = read_link(t->tid, what);
		snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", (int)t->tid, IA(r->at));
		/* a pipe, a memfd, a deleted file, or a file made longer: nothing is cut */
		if (!p || p[0] != '/' || stat(proc, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink == 0 ||
		    (int64_t)A(r->at + 1) >= (int64_t)st.st_size) {
			free(p);
			c->no_effect = "nothing is cut";
			return 0;
		}
		c->path = p;
		return 0;
	}
	case SHAPE_PATH:
		c->path = path_at(t, DIR(r->at), A(r->path), follows(r, c->flags));
		if (r->path2)
			c->path2 = path_at(t, DIR(r->at2), A(r->path2), 0);
		return c->path && (!r->path2 || c->path2) ? 0 : -1;
	case SHAPE_FD:
		return fd_path(t, IA(r->at), c);
	case SHAPE_AT_OR_FD:
		return at_or_fd(t, IA(r->at), A(r->path), follows(r, c->flags), c);
	case SHAPE_SYMLINK: {
		struct buf target = BUF_INIT;

		if (mem_string(t, A(r->path), PATH_MAX, &target) < 0) {
			buf_release(&target);
			return -1;
		}
		c->target = buf_detach(&target, NULL);
		c->path2 = path_at(t, DIR(r->at2), A(r->path2), 0);
		c->path = c->path2 ? xstrdup(c->path2) : NULL;
		return c->path2 ? 0 : -1;
	}
	case SHAPE_SENDTO:
		return sent_to(t, A(r->path), (size_t)A(r->path2), c);
	case SHAPE_SENDMSG:
	case SHAPE_SENDMMSG: {
		/* the first message's address (sendmmsg: the first that has one) */
		int many = r->shape == SHAPE_SENDMMSG;
		size_t count = many ? MIN((size_t)A(r->path2), 64) : 1;
		size_t stride = many ? sizeof(struct mmsghdr) : sizeof(struct msghdr);
		uint64_t first = 0;
		size_t first_len = 0;

		for (size_t i = 0; i < count; i++) {
			struct msghdr m;

			if (mem_read(t, A(r->path) + i * stride, &m, sizeof(m)) < 0)
				return -1;
			if (!m.msg_name || !m.msg_namelen)
				continue;
			if (!first) {
				first = (uint64_t)(uintptr_t)m.msg_name;
				first_len = m.msg_namelen;
			} else if ((uint64_t)(uintptr_t)m.msg_name != first || m.msg_namelen != first_len) {
				/* several addresses in one call: judged as the first, the rest unknown */
				c->unreadable = "messages to several addresses";
			}
		}
		return sent_to(t, first, first_len, c);
	}
	case SHAPE_CONNECT: {
		char sa[128];
		size_t len = MIN((size_t)A(r->path2), sizeof(sa));

		if (mem_read(t, A(r->path), sa, len) < 0)
			return -1;
		return decode_connect_addr(t, c, sa, len);
	}
	case SHAPE_NONE:
		break;
	}
	return -1;
}

#undef A
#undef IA
#undef DIR

static int decode_connect_addr(struct target *t, struct call *c, const char *sa, size_t len)
{
	decode_sockaddr(sa, len, &c->addr);
	if (c->addr.family == AF_UNIX && c->addr.host && c->addr.host[0] &&
	    len > offsetof(struct sockaddr_un, sun_path) && sa[offsetof(struct sockaddr_un, sun_path)] != '\0') {
		/* a socket file: named as the kernel will find it,
		 * relative to the cwd and through links */
		char *abs = resolve(t, AT_FDCWD, c->addr.host, 1);

		if (!abs)
			return -1;
		free(c->addr.host);
		c->addr.host = proc_self_out(t, abs);
	}
	return 0;
}

int notify_receive(struct notify *n, struct call *c)
{
	struct seccomp_notif *req = n->req;
	struct target t = { n, 0, 0, 0, -1, NULL };
	const struct filter_rule *row;
	char path[64];

	memset(req, 0, n->sizes.seccomp_notif);
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return errno == ENOENT || errno == EINTR ? 0 : -errno;
	memset(c, 0, sizeof(*c));
	c->id = req->id;
	c->tid = (pid_t)req->pid;
	c->nr = req->data.nr;
	memcpy(c->args, req->data.args, sizeof(c->args));
	c->addr.port = -1;
	/* a call the table does not trap cannot come (the filter is built from it) */
	row = filter_rule_for(c->nr);
	if (row)
		c->op = row->op;
	t.id = req->id;
	t.tid = c->tid;
	c->pid = tgid_of(c->tid);
	t.pid = c->pid;
	/* the parent is for exec events and for placing a new process in a
	 * step; other calls get it when they need it (call_ppid) */
	if (c->op == OP_EXEC)
		c->ppid = notify_ppid(c->pid);
	c->exe = read_link(c->pid, "exe");
	t.cwd = &c->cwd;
	/* the cwd is in every exec event; others read it only for a relative path */
	if (c->op == OP_EXEC)
		c->cwd = read_link(c->tid, "cwd");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)c->tid);
	t.mem = open(path, O_RDONLY | O_CLOEXEC);
	if (t.mem < 0) {
		c->unreadable = errno == EACCES || errno == EPERM ? "its memory cannot be read (not dumpable)"
								  : "its memory cannot be opened";
	} else if (!notify_pending(n, c->id)) {
		/* the pid may be another process by now: trust nothing */
		close(t.mem);
		call_release(c);
		return 0;
	} else if (!row || decode_args(&t, req, row, c) < 0) {
		c->unreadable = "its arguments cannot be read";
	}
	if (t.mem >= 0)
		close(t.mem);
	if (!notify_pending(n, c->id)) {
		call_release(c);
		return 0;
	}
	if (c->unreadable && row)
		c->op = row->op; /* the operation is still known from the call's number */
	return 1;
}
