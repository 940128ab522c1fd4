/*
 * hide.c - credential stores hidden from the agent's tree; see hide.h.
 *
 * Kernel interface: user_namespaces(7), mount_namespaces(7), mount(2)
 * (MS_BIND, then MS_REMOUNT|MS_BIND|MS_RDONLY with the flags the
 * stand-in's file system is locked with), inotify(7).
 */
#define _GNU_SOURCE
#include "hide.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util.h"

/* The stores, from the home folder: cloud and cluster logins, keys, tokens. */
static const char *const stores[] = {
	".aws", ".config/gcloud", ".azure", ".kube", ".ssh", ".gnupg", ".password-store", ".docker/config.json",
	".netrc", ".git-credentials", ".npmrc", ".pypirc", ".config/gh", ".config/hub", ".vault-token",
	".terraform.d/credentials.tfrc.json", ".cargo/credentials", ".cargo/credentials.toml", ".gem/credentials",
	".config/op", ".env",
};

struct store {
	char *path;    /* the store, absolute */
	char *standin; /* what is mounted over it */
	int is_dir;
	int wd;        /* its inotify watch */
	int reported;
	int cover;     /* one of belay's own folders, covered: not a store, not watched */
	unsigned long flags; /* the remount's: MS_RDONLY and what the stand-in's mount is locked with */
};

struct hide {
	struct store *s;
	size_t n, cap;
	char *dir;
	int root;
	int ifd;
	char uid_map[64], gid_map[64];
	char **seen; /* paths inside folders already reported */
	size_t nseen, seen_cap;
};

static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = MS_BIND | MS_REMOUNT | MS_RDONLY;

	if (statvfs(path, &sv) == 0) {
		if (sv.f_flag & ST_NOSUID)
			f |= MS_NOSUID;
		if (sv.f_flag & ST_NODEV)
			f |= MS_NODEV;
		if (sv.f_flag & ST_NOEXEC)
			f |= MS_NOEXEC;
		if (sv.f_flag & ST_NOATIME)
			f |= MS_NOATIME;
		if (sv.f_flag & ST_NODIRATIME)
			f |= MS_NODIRATIME;
		if (sv.f_flag & ST_RELATIME)
			f |= MS_RELATIME;
	}
	return f;
}

static int make_empty_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The stand-in of a folder: an empty folder with empty files (and folders) of the same names. */
static int make_standin_dir(const char *real, const char *standin)
{
	DIR *d;
	struct dirent *e;

	if (mkdir(standin, 0755) < 0)
		return -errno;
	d = opendir(real);
	if (d) {
		while ((e = readdir(d))) {
			char *p;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = xasprintf("%s/%s", standin, e->d_name);
			if (e->d_type == DT_DIR)
				mkdir(p, 0555);
			else
				make_empty_file(p, 0444);
			free(p);
		}
		closedir(d);
	}
	return chmod(standin, 0555) < 0 ? -errno : 0;
}

/* The environment files of the folders above the workspace (a monorepo's root, the home folder). */
static const char *const env_files[] = { ".env", ".env.local" };

/* Hide path if it is a store that exists and is not let through.  0, or -1 with why in err. */
static int add_store(struct hide *h, const char *path, int (*let_through)(const char *path, void *data), void *data,
		     struct buf *err)
{
	struct stat st;
	char *standin;
	int e;

	/* a link is followed, as the mount will follow it */
	if (stat(path, &st) < 0 || (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) ||
	    (let_through && let_through(path, data)))
		return 0;
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->s[i].path, path))
			return 0;
	if (!h->n && (e = make_dirs(h->dir, NULL)) < 0) {
		buf_addf(err, "cannot make '%s' for the stand-ins of credential stores: %s", h->dir, strerror(-e));
		return -1;
	}
	standin = xasprintf("%s/%zu", h->dir, h->n);
	e = S_ISDIR(st.st_mode) ? make_standin_dir(path, standin) : make_empty_file(standin, 0444);
	if (e < 0) {
		buf_addf(err, "cannot make a stand-in for '%s' in '%s': %s", path, h->dir, strerror(-e));
		free(standin);
		return -1;
	}
	h->s = xgrow(h->s, &h->cap, h->n + 1, sizeof(*h->s));
	h->s[h->n++] = (struct store){ xstrdup(path), standin, S_ISDIR(st.st_mode), -1, 0, 0, locked_flags(standin) };
	return 0;
}

/*
 * Cover belay's folder path with an empty one: nothing in it can be reached
 * (the control sockets).  A read-only tmpfs, mounted in the child: nothing
 * to make beforehand, so that a belay that cannot write its own state (one
 * inside another) still says its real reason.
 */
static int add_cover(struct hide *h, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	h->s = xgrow(h->s, &h->cap, h->n + 1, sizeof(*h->s));
	h->s[h->n++] = (struct store){ xstrdup(path), NULL, 1, -1, 0, 1, 0 };
	return 0;
}

struct hide *hide_new(const char *home, const char *workspace, const char *dir, char *const *covers,
		      int (*let_through)(const char *path, void *data), void *data, struct buf *err)
{
	struct hide *h = xcalloc(1, sizeof(*h));
	int bad = 0;

	h->root = geteuid() == 0;
	h->ifd = -1;
	h->dir = xstrdup(dir);
	snprintf(h->uid_map, sizeof(h->uid_map), "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
	snprintf(h->gid_map, sizeof(h->gid_map), "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
	for (size_t i = 0; !bad && home && home[0] == '/' && i < ARRAY_SIZE(stores); i++) {
		char *path = xasprintf("%s/%s", strcmp(home, "/") ? home : "", stores[i]);

		bad = add_store(h, path, let_through, data, err) < 0;
		free(path);
	}
	/* the .env files of every folder above the workspace: the project's own stay */
	if (!bad && workspace && workspace[0] == '/') {
		char *up = xstrdup(workspace), *slash;

		while (!bad && (slash = strrchr(up, '/'))) {
			slash[slash == up ? 1 : 0] = '\0';
			for (size_t i = 0; !bad && i < ARRAY_SIZE(env_files); i++) {
				char *path = xasprintf("%s/%s", strcmp(up, "/") ? up : "", env_files[i]);

				bad = add_store(h, path, let_through, data, err) < 0;
				free(path);
			}
			if (!strcmp(up, "/"))
				break;
		}
		free(up);
	}
	for (size_t i = 0; !bad && covers && covers[i]; i++)
		bad = add_cover(h, covers[i]) < 0;
	if (bad) {
		hide_free(h);
		return NULL;
	}
	return h;
}

void hide_free(struct hide *h)
{
	if (!h)
		return;
	if (h->ifd >= 0)
		close(h->ifd);
	for (size_t i = 0; i < h->n; i++) {
		if (h->s[i].standin)
			remove_tree(h->s[i].standin);
		free(h->s[i].path);
		free(h->s[i].standin);
	}
	free(h->s);
	if (h->n)
		rmdir(h->dir);
	free(h->dir);
	for (size_t i = 0; i < h->nseen; i++)
		free(h->seen[i]);
	free(h->seen);
	free(h);
}

int hide_child(const struct hide *h)
{
	int e;

	if (!h || !h->n)
		return 0;
	if (!h->root) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return errno;
		/* the same ids inside: the agent sees itself as it is */
		if ((e = write_small_file("/proc/self/setgroups", "deny")) ||
		    (e = write_small_file("/proc/self/uid_map", h->uid_map)) ||
		    (e = write_small_file("/proc/self/gid_map", h->gid_map)))
			return -e;
	} else if (unshare(CLONE_NEWNS) < 0) {
		return errno;
	}
	/* the host's new mounts still come in; ours never go out */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return errno;
	for (size_t i = 0; i < h->n; i++) {
		if (h->s[i].cover) {
			if (mount("belay", h->s[i].path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
				  "size=4k,mode=555") < 0)
				return errno;
			continue;
		}
		if (mount(h->s[i].standin, h->s[i].path, NULL, MS_BIND, NULL) < 0)
			return errno;
		if (mount(NULL, h->s[i].path, NULL, h->s[i].flags, NULL) < 0)
			return errno;
	}
	return 0;
}

int hide_watch(struct hide *h)
{
	if (!h || !h->n)
		return -1;
	if (h->ifd < 0)
		h->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (h->ifd < 0)
		return -1;
	for (size_t i = 0; i < h->n; i++)
		h->s[i].wd = h->s[i].cover ? -1 : inotify_add_watch(h->ifd, h->s[i].standin, IN_OPEN);
	return h->ifd;
}

/* Report path once. */
static void report(struct hide *h, struct store *s, const char *name, void (*cb)(const char *, void *), void *data)
{
	char *path;

	if (!name || !*name) {
		if (!s->reported) {
			s->reported = 1;
			cb(s->path, data);
		}
		return;
	}
	path = xasprintf("%s/%s", s->path, name);
	for (size_t i = 0; i < h->nseen; i++) {
		if (!strcmp(h->seen[i], path)) {
			free(path);
			return;
		}
	}
	cb(path, data);
	h->seen = xgrow(h->seen, &h->seen_cap, h->nseen + 1, sizeof(char *));
	h->seen[h->nseen++] = path;
}

void hide_read_events(struct hide *h, void (*cb)(const char *path, void *data), void *data)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (!h || h->ifd < 0)
		return;
	while ((n = read(h->ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			for (size_t i = 0; i < h->n; i++)
				if (h->s[i].wd == ev->wd && !(ev->mask & IN_IGNORED))
					report(h, &h->s[i], ev->len ? ev->name : NULL, cb, data);
			p += sizeof(*ev) + ev->len;
		}
	}
}
