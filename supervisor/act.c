/*
 * act.c - belay carries out an allowed call outside the kernel boundary;
 * see act.h.
 */
#define _GNU_SOURCE
#include "act.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* a name belay judged, as the process it was judged for sees it */
struct place {
	int dir;    /* its folder, opened O_PATH from the agent's root */
	char *name; /* its last component */
};

/*
 * Rules write the caller's /proc/PID as /proc/self (notify.c): give it its
 * number back, so that belay never opens its own.
 */
static char *physical(const struct call *c, const char *path)
{
	if (!strncmp(path, "/proc/thread-self", 17) && (path[17] == '/' || !path[17]))
		return xasprintf("/proc/%d/task/%d%s", (int)c->pid, (int)c->tid, path + 17);
	if (!strncmp(path, "/proc/self", 10) && (path[10] == '/' || !path[10]))
		return xasprintf("/proc/%d%s", (int)c->pid, path + 10);
	return xstrdup(path);
}

static int open_beneath(int root, const char *path, uint64_t flags, uint64_t mode)
{
	struct open_how how = { 0 };

	how.flags = flags;
	how.mode = mode;
	/* every link was followed when belay judged the name: one now is a swap */
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
}

/* 0, or -errno */
static int place_open(const struct call *c, const char *judged, struct place *pl)
{
	char root[64], *path, *slash;
	int rfd, e = 0;

	pl->dir = -1;
	pl->name = NULL;
	if (!judged || judged[0] != '/')
		return -EACCES;
	path = physical(c, judged);
	slash = strrchr(path, '/');
	if (!slash[1]) {
		free(path);
		return -EBUSY; /* the root itself */
	}
	pl->name = xstrdup(slash + 1);
	*slash = '\0';
	snprintf(root, sizeof(root), "/proc/%d/root", (int)c->tid);
	{
		/* a process that chrooted (in a user namespace of its own)
		 * sees other names than belay judged: belay does not act for it */
		char target[8];
		ssize_t n = readlink(root, target, sizeof(target));

		if (n != 1 || target[0] != '/') {
			free(path);
			return -EACCES;
		}
	}
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		e = -errno;
	} else {
		pl->dir = open_beneath(rfd, path[0] ? path : "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		if (pl->dir < 0)
			e = -errno;
		close(rfd);
	}
	free(path);
	return e;
}

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/*
 * The name is a mount point where the agent is (a hidden store's stand-in):
 * the kernel refuses the agent a rename or removal of it (EBUSY), and would
 * not refuse belay, whose mounts are others; belay refuses it the same.
 */
static int mounted_on(const struct place *pl)
{
	struct statx stx;

	return statx(pl->dir, pl->name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) == 0 &&
	       (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static void place_close(struct place *pl)
{
	if (pl->dir >= 0)
		close(pl->dir);
	free(pl->name);
}

/* Who the process is, for what belay makes for it: its umask and file system ids. */
struct creds {
	mode_t umask;
	uid_t uid;
	gid_t gid;
	int known; /* the ids were read */
};

/* From /proc/TID/status; umask 022 and nothing known when it cannot be read. */
static void agent_creds(pid_t tid, struct creds *cr)
{
	char path[64], buf[2048];
	unsigned mask = 022, u[4], g[4];
	ssize_t n;
	int fd;

	memset(cr, 0, sizeof(*cr));
	cr->umask = 022;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	{
		char *m = strstr(buf, "\nUmask:"), *pu = strstr(buf, "\nUid:"), *pg = strstr(buf, "\nGid:");

		if (m && sscanf(m + 7, "%o", &mask) == 1)
			cr->umask = (mode_t)(mask & 0777);
		/* real, effective, saved, file system: files are made as the last */
		if (pu && pg && sscanf(pu + 5, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]) == 4 &&
		    sscanf(pg + 5, "%u %u %u %u", &g[0], &g[1], &g[2], &g[3]) == 4) {
			cr->uid = (uid_t)u[3];
			cr->gid = (gid_t)g[3];
			cr->known = 1;
		}
	}
}

/*
 * What belay made for the agent is the agent's: when belay runs as root
 * and the agent as another user (--user), the new name is given to it.
 */
static void give(const struct creds *cr, int dir, const char *name)
{
	if (cr->known && geteuid() == 0 && cr->uid != 0 && fchownat(dir, name, cr->uid, cr->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		/* it stays belay's: the agent may not change it, nothing more */
	}
}

static int do_open(struct notify *n, const struct call *c)
{
	struct place pl;
	struct creds cr;
	mode_t old;
	int fd, e, fl, flags, made;

	e = place_open(c, c->path, &pl);
	if (e < 0) {
		place_close(&pl);
		return notify_return(n, c->id, 0, -e);
	}
	/* O_NONBLOCK: a fifo or a device that waits on open never stops belay */
	flags = (c->flags | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) & ~O_PATH;
	agent_creds(c->tid, &cr);
	made = (c->flags & O_CREAT) && faccessat(pl.dir, pl.name, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
	old = umask(cr.umask);
	fd = open_beneath(pl.dir, pl.name, (unsigned)flags,
			  (c->flags & (O_CREAT | __O_TMPFILE)) ? (c->mode & 07777) : 0);
	e = errno;
	umask(old);
	if (fd >= 0 && made)
		give(&cr, pl.dir, pl.name);
	place_close(&pl);
	if (fd < 0)
		return notify_return(n, c->id, 0, e);
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && !(c->flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	e = notify_hand_fd(n, c->id, fd, (c->flags & O_CLOEXEC) != 0);
	close(fd);
	return e;
}

static int do_truncate(struct notify *n, const struct call *c)
{
	struct place pl;
	int fd, e;

	e = place_open(c, c->path, &pl);
	if (e < 0) {
		place_close(&pl);
		return notify_return(n, c->id, 0, -e);
	}
	fd = open_beneath(pl.dir, pl.name, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
	e = fd < 0 ? errno : 0;
	place_close(&pl);
	if (fd >= 0) {
		if (ftruncate(fd, (off_t)c->args[1]) < 0)
			e = errno;
		close(fd);
	}
	return notify_return(n, c->id, 0, e);
}

/* unlink, rmdir, mkdir, mknod, symlink: one name */
static int do_one(struct notify *n, const struct call *c)
{
	struct place pl;
	const char *judged = c->op == OP_SYMLINK ? c->path2 : c->path;
	struct creds cr;
	mode_t old;
	int e, r = -1;

	e = place_open(c, judged, &pl);
	if (e < 0) {
		place_close(&pl);
		return notify_return(n, c->id, 0, -e);
	}
	if ((c->op == OP_UNLINK || c->op == OP_RMDIR) && mounted_on(&pl)) {
		place_close(&pl);
		return notify_return(n, c->id, 0, EBUSY);
	}
	agent_creds(c->tid, &cr);
	old = umask(cr.umask);
	errno = EACCES;
	switch (c->op) {
	case OP_UNLINK:
		r = unlinkat(pl.dir, pl.name, 0);
		break;
	case OP_RMDIR:
		r = unlinkat(pl.dir, pl.name, AT_REMOVEDIR);
		break;
	case OP_MKDIR:
		r = mkdirat(pl.dir, pl.name, c->mode & 07777);
		break;
	case OP_MKNOD:
		/* a fifo, a socket or a file; never a device */
		if (S_ISCHR(c->mode) || S_ISBLK(c->mode))
			errno = EPERM;
		else
			r = mknodat(pl.dir, pl.name, c->mode, 0);
		break;
	case OP_SYMLINK:
		if (c->target)
			r = symlinkat(c->target, pl.dir, pl.name);
		break;
	default:
		break;
	}
	e = r < 0 ? errno : 0;
	umask(old);
	if (!e && (c->op == OP_MKDIR || c->op == OP_MKNOD || c->op == OP_SYMLINK))
		give(&cr, pl.dir, pl.name);
	place_close(&pl);
	return notify_return(n, c->id, 0, e);
}

/* rename, link: two names */
static int do_two(struct notify *n, const struct call *c)
{
	struct place from, to;
	int e, r;

	e = place_open(c, c->path, &from);
	if (!e)
		e = place_open(c, c->path2, &to);
	else
		to.dir = -1, to.name = NULL;
	if (e < 0) {
		place_close(&from);
		place_close(&to);
		return notify_return(n, c->id, 0, -e);
	}
	if (mounted_on(&from) || (c->op == OP_RENAME && mounted_on(&to)))
		r = -1, errno = EBUSY;
	else if (c->op == OP_RENAME)
		r = renameat2(from.dir, from.name, to.dir, to.name, (unsigned)c->flags);
	else
		r = linkat(from.dir, from.name, to.dir, to.name, 0);
	e = r < 0 ? errno : 0;
	place_close(&from);
	place_close(&to);
	return notify_return(n, c->id, 0, e);
}

/* ---- connect, in a thread ---- */

struct connecting {
	int listener; /* a copy of belay's: the notification is answered from here */
	int sock;     /* the agent's socket, taken */
	uint64_t id;
	struct sockaddr_storage sa;
	socklen_t salen;
};

static void *connect_thread(void *data)
{
	struct connecting *k = data;
	struct seccomp_notif_resp resp = { 0 };

	resp.id = k->id;
	if (connect(k->sock, (struct sockaddr *)&k->sa, k->salen) < 0)
		resp.error = -errno;
	if (ioctl(k->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) {
		/* the agent went away, or gave up waiting: nothing to answer */
	}
	close(k->sock);
	close(k->listener);
	free(k);
	return NULL;
}

/* The address belay judged (never read again from the agent). */
static int judged_address(const struct call *c, struct sockaddr_storage *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	if (c->addr.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)sa;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)c->addr.port);
		*len = sizeof(*in);
		return c->addr.host && inet_pton(AF_INET, c->addr.host, &in->sin_addr) == 1 ? 0 : -1;
	}
	if (c->addr.family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)c->addr.port);
		*len = sizeof(*in6);
		return c->addr.host && inet_pton(AF_INET6, c->addr.host, &in6->sin6_addr) == 1 ? 0 : -1;
	}
	return -1;
}

static int do_connect(struct notify *n, const struct call *c)
{
	struct connecting *k;
	int pidfd, sock, type = 0, e;
	socklen_t len = sizeof(type);
	pthread_attr_t attr;
	pthread_t t;

	/* sendto, sendmsg: a datagram's address; Landlock holds no UDP */
	if (c->nr != SYS_connect)
		return notify_allow(n, c->id);
	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (pidfd < 0)
		return notify_return(n, c->id, 0, errno == ESRCH ? ESRCH : EACCES);
	sock = (int)syscall(SYS_pidfd_getfd, pidfd, (int)c->args[0], 0);
	e = errno;
	close(pidfd);
	if (sock < 0)
		return notify_return(n, c->id, 0, e == EBADF ? EBADF : EACCES);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) {
		/* not TCP: the kernel lets it through by itself */
		close(sock);
		return notify_allow(n, c->id);
	}
	k = xcalloc(1, sizeof(*k));
	k->id = c->id;
	k->sock = sock;
	k->listener = fcntl(notify_fd(n), F_DUPFD_CLOEXEC, 0);
	if (k->listener < 0 || judged_address(c, &k->sa, &k->salen) < 0) {
		if (k->listener >= 0)
			close(k->listener);
		close(sock);
		free(k);
		return notify_return(n, c->id, 0, EACCES);
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&t, &attr, connect_thread, k);
	pthread_attr_destroy(&attr);
	if (e) {
		close(k->listener);
		close(sock);
		free(k);
		return notify_return(n, c->id, 0, EAGAIN);
	}
	return 0;
}

int act_carry_out(struct notify *n, const struct call *c)
{
	switch (c->op) {
	case OP_OPEN:
	case OP_CREATE:
		return do_open(n, c);
	case OP_TRUNCATE:
		/* truncate(2) itself, or an open with O_TRUNC */
		return c->nr == SYS_truncate ? do_truncate(n, c) : do_open(n, c);
	case OP_UNLINK:
	case OP_RMDIR:
	case OP_MKDIR:
	case OP_MKNOD:
	case OP_SYMLINK:
		return do_one(n, c);
	case OP_RENAME:
	case OP_LINK:
		return do_two(n, c);
	case OP_CONNECT:
		return do_connect(n, c);
	default:
		/* exec, metadata: the kernel's own */
		return notify_allow(n, c->id);
	}
}
