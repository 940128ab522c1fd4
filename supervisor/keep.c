/*
 * keep.c - files no checkpoint holds, kept before a call destroys them;
 * see keep.h.
 */
#define _GNU_SOURCE
#include "keep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "restore.h"
#include "util.h"

struct keeper {
	int ws_fd;   /* the workspace */
	int dir_fd;  /* <shadow>/kept/<session> */
	int list_fd; /* its list, appended to */
	char *dir;
	unsigned session, next;
	uint64_t budget, bytes;
	size_t files;
};

static int mkdir_at(const char *path)
{
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

struct keeper *keeper_new(const char *shadow_dir, const char *workspace, unsigned session, uint64_t budget,
			  struct buf *err)
{
	struct keeper *k = xcalloc(1, sizeof(*k));
	char *top = xasprintf("%s/kept", shadow_dir), *list;

	k->ws_fd = k->dir_fd = k->list_fd = -1;
	k->session = session;
	k->budget = budget ? budget : KEEP_BUDGET_DEFAULT;
	k->dir = xasprintf("%s/%u", top, session);
	list = xasprintf("%s/list", k->dir);
	if (mkdir_at(top) < 0 || mkdir_at(k->dir) < 0 ||
	    (k->dir_fd = open(k->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (k->list_fd = open(list, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    (k->ws_fd = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		buf_addf(err, "cannot keep files in '%s': %s", k->dir, strerror(errno));
		free(top);
		free(list);
		keeper_free(k);
		return NULL;
	}
	free(top);
	free(list);
	return k;
}

void keeper_free(struct keeper *k)
{
	if (!k)
		return;
	if (k->ws_fd >= 0)
		close(k->ws_fd);
	if (k->dir_fd >= 0)
		close(k->dir_fd);
	if (k->list_fd >= 0)
		close(k->list_fd);
	free(k->dir);
	free(k);
}

void keeper_totals(const struct keeper *k, size_t *files, uint64_t *bytes)
{
	*files = k ? k->files : 0;
	*bytes = k ? k->bytes : 0;
}

/* The directory holding rel inside the workspace, never through a link or out of it. */
static int open_parent_beneath(int ws_fd, const char *rel, const char **name)
{
	const char *slash = strrchr(rel, '/');
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	char *dir;
	int fd;

	*name = slash ? slash + 1 : rel;
	if (!slash)
		return dup(ws_fd);
	dir = xstrndup(rel, (size_t)(slash - rel));
	fd = (int)syscall(SYS_openat2, ws_fd, dir, &how, sizeof(how));
	free(dir);
	return fd;
}

static const char *op_name(enum keep_op op)
{
	return op == KEEP_DELETE ? "delete" : op == KEEP_RENAME_OVER ? "rename-over" : "truncate";
}

/* Copy fd's content into a new file at dir_fd/name with mode. */
static int copy_into(int src, int dir_fd, const char *name, unsigned mode)
{
	int dst = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
	struct stat st;
	off_t left;

	if (dst < 0)
		return -1;
	if (fstat(src, &st) < 0)
		goto fail;
	for (left = st.st_size; left > 0;) {
		ssize_t n = copy_file_range(src, NULL, dst, NULL, (size_t)left, 0);

		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
			char b[65536];

			n = read(src, b, sizeof(b));
			if (n > 0 && fd_write_all(dst, b, (size_t)n) < 0)
				goto fail;
		}
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		left -= n;
	}
	if (close(dst) < 0) {
		unlinkat(dir_fd, name, 0);
		return -1;
	}
	return 0;
fail: {
	int e = errno;

	close(dst);
	unlinkat(dir_fd, name, 0);
	errno = e;
	return -1;
}
}

static double ts_of(const struct statx_timestamp *t)
{
	return (double)t->tv_sec + t->tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int keeper_keep(struct keeper *k, const char *rel, enum keep_op op, unsigned step, const char *after, struct buf *why)
{
	const char *name, *how = "link";
	struct statx sx;
	char obj[32];
	int pfd, rc = -1;
	json_t *o;
	char *line;

	pfd = open_parent_beneath(k->ws_fd, rel, &name);
	if (pfd < 0)
		return 0; /* gone, or through a link: nothing of the workspace to keep */
	if (statx(pfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0 ||
	    !(S_ISREG(sx.stx_mode) || S_ISLNK(sx.stx_mode)) || (op == KEEP_TRUNCATE && (!S_ISREG(sx.stx_mode) || !sx.stx_size))) {
		close(pfd);
		return 0;
	}
	if (k->bytes + sx.stx_size > k->budget) {
		buf_addf(why, "keeping '%s' (%llu bytes) would pass this session's budget of %llu MB for files no "
			      "checkpoint holds ('checkpoint budget' in the policy)",
			 rel, (unsigned long long)sx.stx_size, (unsigned long long)(k->budget >> 20));
		close(pfd);
		return 1;
	}
	snprintf(obj, sizeof(obj), "%u", ++k->next);
	/* a name that only goes away keeps its file by a second name: the
	 * inode stays, nothing is copied.  Emptying the file itself needs a copy. */
	if (op != KEEP_TRUNCATE && linkat(pfd, name, k->dir_fd, obj, 0) == 0) {
		how = "link";
	} else if (S_ISLNK(sx.stx_mode)) {
		char target[4096];
		ssize_t n = readlinkat(pfd, name, target, sizeof(target) - 1);

		if (n < 0 || (target[n] = 0, symlinkat(target, k->dir_fd, obj) < 0)) {
			buf_addf(why, "cannot keep '%s': %s", rel, strerror(errno));
			goto out;
		}
		how = "copy";
	} else {
		int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0 || copy_into(fd, k->dir_fd, obj, sx.stx_mode) < 0) {
			buf_addf(why, "cannot keep '%s': %s", rel, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		close(fd);
		how = "copy";
	}
	o = json_pack("{s:i, s:i, s:s, s:i, s:I, s:s, s:s, s:f, s:f, s:s}", "n", (int)k->next, "step", (int)step,
		      "path", rel, "mode", (int)sx.stx_mode, "size", (json_int_t)sx.stx_size, "how", how, "op",
		      op_name(op), "btime", sx.stx_mask & STATX_BTIME ? ts_of(&sx.stx_btime) : 0.0, "time",
		      wall_now(), "after", after ? after : "");
	line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!line) {
		buf_addf(why, "cannot keep '%s': its name is not text", rel);
		unlinkat(k->dir_fd, obj, 0);
		goto out;
	}
	{
		size_t len = strlen(line);

		line[len] = '\n';
		if (fd_write_all(k->list_fd, line, len + 1) < 0) {
			buf_addf(why, "cannot keep '%s': %s", rel, strerror(errno));
			unlinkat(k->dir_fd, obj, 0);
			free(line);
			goto out;
		}
	}
	free(line);
	k->bytes += sx.stx_size;
	k->files++;
	rc = 0;
out:
	close(pfd);
	return rc;
}

static void load_session(const char *top, unsigned session, struct kept_list *l, size_t *cap)
{
	char *path = xasprintf("%s/%u/list", top, session);
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t lcap = 0;

	free(path);
	if (!f)
		return;
	while (getline(&line, &lcap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *p = json_string_value(json_object_get(o, "path"));
		struct kept *k;

		if (!p || !*p || p[0] == '/' || !json_is_integer(json_object_get(o, "n"))) {
			json_decref(o);
			continue;
		}
		l->v = xgrow(l->v, cap, l->n + 1, sizeof(*l->v));
		k = &l->v[l->n++];
		memset(k, 0, sizeof(*k));
		k->session = session;
		k->n = (unsigned)json_integer_value(json_object_get(o, "n"));
		k->step = (unsigned)json_integer_value(json_object_get(o, "step"));
		k->path = xstrdup(p);
		k->obj = xasprintf("%s/%u/%u", top, session, k->n);
		k->mode = (unsigned)json_integer_value(json_object_get(o, "mode"));
		k->size = (uint64_t)json_integer_value(json_object_get(o, "size"));
		snprintf(k->how, sizeof(k->how), "%s", json_string_value(json_object_get(o, "how")) ?: "");
		snprintf(k->op, sizeof(k->op), "%s", json_string_value(json_object_get(o, "op")) ?: "");
		k->btime = json_number_value(json_object_get(o, "btime"));
		k->time = json_number_value(json_object_get(o, "time"));
		snprintf(k->after, sizeof(k->after), "%s", json_string_value(json_object_get(o, "after")) ?: "");
		json_decref(o);
	}
	free(line);
	fclose(f);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

void kept_load(const char *shadow_dir, struct kept_list *l)
{
	char *top = xasprintf("%s/kept", shadow_dir);
	DIR *d = opendir(top);
	struct dirent *e;
	unsigned *sessions = NULL;
	size_t ns = 0, scap = 0, cap = 0;

	memset(l, 0, sizeof(*l));
	while (d && (e = readdir(d))) {
		long n;

		if (parse_int(e->d_name, 1, 1000000000, &n)) {
			sessions = xgrow(sessions, &scap, ns + 1, sizeof(*sessions));
			sessions[ns++] = (unsigned)n;
		}
	}
	if (d)
		closedir(d);
	if (ns)
		qsort(sessions, ns, sizeof(*sessions), cmp_uint);
	for (size_t i = 0; i < ns; i++)
		load_session(top, sessions[i], l, &cap);
	free(sessions);
	free(top);
}

void kept_release(struct kept_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].obj);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int kept_put(int ws_fd, const struct kept *k, const char **why)
{
	static unsigned counter;
	const char *name;
	char tmp[64];
	int pfd, src, rc = -1;

	pfd = restore_open_parent(ws_fd, k->path, 1, &name);
	if (pfd < 0) {
		*why = errno == ELOOP || errno == ENOTDIR ? "a parent directory is a symbolic link or a file: not followed"
							  : strerror(errno);
		return -1;
	}
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".git")) {
		*why = "not a path inside the workspace";
		close(pfd);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".belay-restore-%d-%u", (int)getpid(), counter++);
	if (S_ISLNK(k->mode)) {
		char target[4096];
		ssize_t n = readlink(k->obj, target, sizeof(target) - 1);

		if (n < 0 || (target[n] = 0, symlinkat(target, pfd, tmp) < 0)) {
			*why = strerror(errno);
			goto out;
		}
	} else {
		src = open(k->obj, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0 || copy_into(src, pfd, tmp, k->mode) < 0) {
			*why = src < 0 && errno == ENOENT ? "the kept file is gone (belay gc?)" : strerror(errno);
			if (src >= 0)
				close(src);
			goto out;
		}
		close(src);
		fchmodat(pfd, tmp, k->mode & 07777, 0); /* the umask took bits off */
	}
	if (renameat(pfd, tmp, pfd, name) < 0) {
		*why = errno == EISDIR ? "a directory is in the way" : strerror(errno);
		unlinkat(pfd, tmp, 0);
		goto out;
	}
	rc = 0;
out:
	close(pfd);
	return rc;
}
