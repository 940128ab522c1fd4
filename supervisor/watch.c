/*
 * watch.c - the dirty set of the workspace, from inotify; see watch.h and
 * inotify(7).
 *
 * inotify is not recursive: one watch per directory, mapped from watch
 * descriptor to relative path.  A directory that appears is watched and
 * then marked dirty as a whole, so the checkpoint walks it and finds what
 * was created before the watch existed.  A directory renamed inside the
 * tree keeps its watches but changes the paths under it; rather than pair
 * MOVED_FROM and MOVED_TO cookies, both names are marked dirty and the
 * map is rebuilt at the next take, which is rare and cheap next to a
 * checkpoint.  Overflow, a lost watch or too many paths mean "rescan all".
 */
#define _GNU_SOURCE
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define MASK                                                                                         \
	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |  \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* Past this many dirty paths a full rescan is cheaper than the list. */
#define DIRTY_MAX 20000

struct watch {
	struct loop *loop;
	struct loop_timer *tick;
	int fd;
	char *root;
	size_t rootlen;
	int (*skip_dir)(const char *, void *);
	void *data;
	char **wd_path; /* by watch descriptor; NULL: not ours */
	size_t nwd;
	char **dirty;
	size_t ndirty, cap;
	int full;       /* rescan everything at the next take */
	int remap;      /* a directory moved: rebuild the watches */
};

static void add_dirty(struct watch *w, const char *rel)
{
	if (w->full)
		return;
	if (w->ndirty >= DIRTY_MAX) {
		w->full = 1;
		return;
	}
	w->dirty = xgrow(w->dirty, &w->cap, w->ndirty + 1, sizeof(char *));
	w->dirty[w->ndirty++] = xstrdup(rel);
}

static char *abs_of(const struct watch *w, const char *rel)
{
	return *rel ? xasprintf("%s/%s", w->root, rel) : xstrdup(w->root);
}

/* Watch dir (relative) and every directory under it that is not skipped. */
static void watch_tree(struct watch *w, const char *rel)
{
	char *abs = abs_of(w, rel);
	int wd = inotify_add_watch(w->fd, abs, MASK);
	DIR *d;
	struct dirent *e;

	if (wd < 0) {
		/* ENOSPC: out of watches; changes there are only seen by a rescan */
		if (errno == ENOSPC)
			w->full = 1;
		free(abs);
		return;
	}
	if ((size_t)wd >= w->nwd) {
		size_t n = w->nwd;

		w->nwd = wd + 64;
		w->wd_path = xrealloc(w->wd_path, w->nwd * sizeof(char *));
		memset(w->wd_path + n, 0, (w->nwd - n) * sizeof(char *));
	}
	free(w->wd_path[wd]);
	w->wd_path[wd] = xstrdup(rel);
	d = opendir(abs);
	free(abs);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *sub;

		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;
			char *a = abs_of(w, sub);
			int isdir = lstat(a, &st) == 0 && S_ISDIR(st.st_mode);

			free(a);
			if (!isdir) {
				free(sub);
				continue;
			}
		}
		if (!w->skip_dir || !w->skip_dir(sub, w->data))
			watch_tree(w, sub);
		free(sub);
	}
	closedir(d);
}

static void unwatch_all(struct watch *w)
{
	for (size_t i = 0; i < w->nwd; i++) {
		if (w->wd_path[i]) {
			inotify_rm_watch(w->fd, (int)i);
			free(w->wd_path[i]);
			w->wd_path[i] = NULL;
		}
	}
}

static void handle(struct watch *w, const struct inotify_event *ev)
{
	const char *dir;
	char *rel;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->full = 1;
		return;
	}
	if (ev->wd < 0 || (size_t)ev->wd >= w->nwd || !(dir = w->wd_path[ev->wd]))
		return;
	if (ev->mask & IN_IGNORED) {
		free(w->wd_path[ev->wd]);
		w->wd_path[ev->wd] = NULL;
		return;
	}
	if (!ev->len) {
		/* about the directory itself */
		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
			add_dirty(w, dir);
		return;
	}
	rel = *dir ? xasprintf("%s/%s", dir, ev->name) : xstrdup(ev->name);
	if (!strcmp(ev->name, ".git")) {
		free(rel);
		return;
	}
	add_dirty(w, rel);
	if (ev->mask & IN_ISDIR) {
		if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
			/* watch it, then the checkpoint walks all it holds */
			if (!w->skip_dir || !w->skip_dir(rel, w->data))
				watch_tree(w, rel);
		}
		if (ev->mask & (IN_MOVED_FROM | IN_MOVED_TO))
			w->remap = 1;
	}
	free(rel);
}

void watch_drain(struct watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (!w || w->fd < 0)
		return;
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			handle(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

/*
 * The queue is read on a slow tick and before each checkpoint, never per
 * event: a wake-up per write doubled the cost of an agent's file writes.
 * A queue that overflows meanwhile means a rescan, which is correct.
 */
#define DRAIN_NS (500 * 1000000ull)

static void tick(struct loop *loop, void *data)
{
	struct watch *w = data;

	watch_drain(w);
	w->tick = loop_add_timer(loop, DRAIN_NS, tick, w);
}

struct watch *watch_new(struct loop *loop, const char *root, int (*skip_dir)(const char *, void *), void *data)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->loop = loop;
	w->root = xstrdup(root);
	w->rootlen = strlen(root);
	w->skip_dir = skip_dir;
	w->data = data;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		free(w->root);
		free(w);
		return NULL;
	}
	watch_tree(w, "");
	if (loop)
		w->tick = loop_add_timer(loop, DRAIN_NS, tick, w);
	return w;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	if (w->tick)
		loop_cancel_timer(w->loop, w->tick);
	close(w->fd);
	for (size_t i = 0; i < w->nwd; i++)
		free(w->wd_path[i]);
	free(w->wd_path);
	watch_forget(w);
	free(w->dirty);
	free(w->root);
	free(w);
}

void watch_mark(struct watch *w, const char *abs)
{
	if (!w || !abs || strncmp(abs, w->root, w->rootlen))
		return;
	if (abs[w->rootlen] == '/')
		add_dirty(w, abs + w->rootlen + 1);
	else if (!abs[w->rootlen])
		w->full = 1;
}

int watch_dirty(const struct watch *w)
{
	return !w || w->full || w->ndirty;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **watch_take(struct watch *w, size_t *n, int *full)
{
	char **out;
	size_t k = 0;

	*n = 0;
	if (!w) {
		*full = 1;
		return NULL;
	}
	*full = w->full;
	if (w->remap || w->full) {
		/* paths under a moved directory changed: watch afresh */
		unwatch_all(w);
		watch_tree(w, "");
		w->remap = 0;
	}
	if (*full) {
		watch_forget(w);
		w->full = 0;
		return NULL;
	}
	qsort(w->dirty, w->ndirty, sizeof(char *), cmp_str);
	for (size_t i = 0; i < w->ndirty; i++) {
		if (k && !strcmp(w->dirty[k - 1], w->dirty[i]))
			free(w->dirty[i]);
		else
			w->dirty[k++] = w->dirty[i];
	}
	out = w->dirty;
	*n = k;
	w->dirty = NULL;
	w->ndirty = w->cap = 0;
	return out;
}

void watch_forget(struct watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ndirty; i++)
		free(w->dirty[i]);
	w->ndirty = 0;
	w->full = 0;
}
