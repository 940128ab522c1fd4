/*
 * ctlsock.c - the folders of control sockets, finding and dialing them;
 * see ctlsock.h.  The checks are tmux's for /tmp/tmux-UID: the folder is
 * ours, a folder (not a link), and nobody else can write in it.
 *
 * Kernel interface: unix(7) (SO_PEERCRED).
 */
#define _GNU_SOURCE
#include "ctlsock.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

/* path is a folder uid owns that only it can write in (private: only it can enter). 0, or -1 with err. */
static int check_dir(const char *path, uid_t uid, int shared, struct buf *err)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		buf_addf(err, "cannot use '%s' for control sockets: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		buf_addf(err, "'%s' is not a folder (remove it: belay keeps its control sockets there)", path);
		return -1;
	}
	if (st.st_uid != uid) {
		buf_addf(err, "'%s' belongs to uid %u, not %u (remove it: someone else may listen there)", path,
			 (unsigned)st.st_uid, (unsigned)uid);
		return -1;
	}
	if ((st.st_mode & (shared ? 022 : 077)) != 0) {
		buf_addf(err, "'%s' has mode %04o: others could %s (chmod %s '%s')", path, (unsigned)(st.st_mode & 07777),
			 shared ? "replace its sockets" : "reach its sockets", shared ? "755" : "700", path);
		return -1;
	}
	return 0;
}

/* The parent of every user's shared folder: like /tmp, sticky (nobody removes another's folder). */
static int shared_root(int make, struct buf *err)
{
	struct stat st;

	if (make && mkdir(CTLSOCK_SHARED, 01777) == 0)
		chmod(CTLSOCK_SHARED, 01777);
	if (lstat(CTLSOCK_SHARED, &st) < 0) {
		buf_addf(err, "cannot use '%s' for shared sessions: %s", CTLSOCK_SHARED, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || ((st.st_mode & 002) && !(st.st_mode & S_ISVTX))) {
		buf_addf(err, "'%s' is not a sticky folder (remove it: belay makes it again)", CTLSOCK_SHARED);
		return -1;
	}
	return 0;
}

char *ctlsock_dir(uid_t uid, int shared, int make, struct buf *err)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	char *dir;

	if (shared && shared_root(make, err) < 0)
		return NULL;
	if (shared)
		dir = xasprintf("%s/%u", CTLSOCK_SHARED, (unsigned)uid);
	else if (run && run[0] == '/' && uid == geteuid())
		dir = xasprintf("%s/belay", run);
	else
		dir = xasprintf("/tmp/belay-%u", (unsigned)uid);
	if (make && mkdir(dir, shared ? 0755 : 0700) == 0 && shared)
		chmod(dir, 0755); /* past the umask: others must reach the socket */
	if (check_dir(dir, uid, shared, err) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* The sockets of dir (owned by owner) into *out. */
static void find_in(const char *dir, uid_t owner, struct ctlsock_found **out, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *path;
		struct stat st;

		if (e->d_name[0] == '.' || strspn(e->d_name, "0123456789") != strlen(e->d_name))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_uid != owner) {
			free(path);
			continue;
		}
		*out = xgrow(*out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = (struct ctlsock_found){ path, xstrdup(e->d_name), owner };
	}
	closedir(d);
}

static int cmp_found(const void *a, const void *b)
{
	const struct ctlsock_found *x = a, *y = b;
	long p = atol(x->id), q = atol(y->id);

	return p < q ? -1 : p > q;
}

size_t ctlsock_find(struct ctlsock_found **out)
{
	struct buf err = BUF_INIT;
	size_t n = 0, cap = 0;
	uid_t me = geteuid();
	char *dir;
	DIR *d;
	struct dirent *e;

	*out = NULL;
	for (int shared = 0; shared <= 1; shared++) {
		buf_reset(&err);
		if ((dir = ctlsock_dir(me, shared, 0, &err))) {
			find_in(dir, me, out, &n, &cap);
			free(dir);
		}
	}
	/* a session started where XDG_RUNTIME_DIR was not set (a cron job, a tmux started early) */
	if (getenv("XDG_RUNTIME_DIR")) {
		char *fallback = xasprintf("/tmp/belay-%u", (unsigned)me);

		buf_reset(&err);
		if (check_dir(fallback, me, 0, &err) == 0)
			find_in(fallback, me, out, &n, &cap);
		free(fallback);
	}
	/* other users' shared sessions: a session says who may attach */
	if ((d = opendir(CTLSOCK_SHARED))) {
		while ((e = readdir(d))) {
			unsigned long uid;
			char *end;

			uid = strtoul(e->d_name, &end, 10);
			if (*end || end == e->d_name || uid == me)
				continue;
			buf_reset(&err);
			if ((dir = ctlsock_dir((uid_t)uid, 1, 0, &err))) {
				find_in(dir, (uid_t)uid, out, &n, &cap);
				free(dir);
			}
		}
		closedir(d);
	}
	buf_release(&err);
	if (n)
		qsort(*out, n, sizeof(**out), cmp_found);
	return n;
}

char **ctlsock_covers(void)
{
	struct buf err = BUF_INIT;
	char **v = xcalloc(3, sizeof(char *));
	size_t n = 0;

	/* a folder no socket can be made in (belay inside belay: the outer
	 * one's cover, read-only) needs no cover, and could get none */
	if ((v[n] = ctlsock_dir(geteuid(), 0, 1, &err)) && access(v[n], W_OK) == 0)
		n++;
	else
		free(v[n]), v[n] = NULL;
	if (shared_root(1, &err) == 0 && access(CTLSOCK_SHARED, W_OK) == 0)
		v[n++] = xstrdup(CTLSOCK_SHARED);
	buf_release(&err);
	return v;
}

void ctlsock_found_free(struct ctlsock_found *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].path), free(f[i].id);
	free(f);
}

int ctlsock_dial(const char *path, uid_t owner, struct buf *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		buf_addf(err, "socket path '%s' is too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		buf_addf(err, errno == ECONNREFUSED ? "session '%s' is gone (nothing listens on its socket)"
			      : errno == EACCES     ? "cannot reach '%s': not shared with you"
						    : "cannot connect to '%s': %s",
			 errno == ECONNREFUSED ? path_base(path) : path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* whoever listens must be the folder's owner (not a socket left for us by someone else) */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || (cred.uid != owner && cred.uid != 0)) {
		buf_addf(err, "'%s' is not served by its owner (uid %u): not trusted", path, (unsigned)owner);
		close(fd);
		return -1;
	}
	return fd;
}

int ctlsock_read_line(int fd, struct buf *in, struct buf *line, size_t max)
{
	for (;;) {
		char *nl = in->len ? memchr(in->data, '\n', in->len) : NULL;
		char chunk[65536];
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - in->data);

			buf_reset(line);
			buf_add(line, in->data, n);
			buf_consume(in, n + 1);
			return 1;
		}
		if (in->len > max)
			return -1;
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		buf_add(in, chunk, (size_t)r);
	}
}
