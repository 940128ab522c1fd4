/*
 * shadow.c - the shadow repository of a workspace; see shadow.h.
 *
 * Owns the repository, its private index and its lock.  What a checkpoint
 * means (sessions, steps, their metadata) is checkpoint.c's; putting a tree
 * back on disk is restore.c's.  Facts this relies on are in
 * ../shared/notes/platform.md §5 (libgit2 1.5: a bare repository with an
 * in-memory work tree, info/attributes for byte-exact content, nested
 * repositories reported by git_index_add_all as "dir/").
 */
#define _GNU_SOURCE
#include "shadow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirs.h"
#include "glob.h"
#include "packwrite.h"
#include "util.h"

struct shadow {
	char *ws, *dir;
	git_repository *repo;
	git_index *index;
	int lock_fd, locked;
	uint64_t max_size;
	char **keep;
	size_t nkeep;
	struct shadow_report report;
	struct stat index_st; /* the index file as this process last wrote or read it */
	int index_dirty;      /* changed since written to disk */
	/* paths added or removed in the index since the last tree, for an
	 * incremental one; touched_all: too many or unknown, write it whole */
	char **touched;
	size_t ntouched, touched_cap;
	int touched_all;
	int last_changed; /* files the last incremental tree changed; -1: not known */
	/* during a scan */
	size_t nread;     /* files read */
	size_t nwritten;  /* objects written */
	struct packwriter *pw; /* after the first few objects of a scan */
	void (*progress)(size_t, void *);
	void *progress_data;
};

const char *shadow_git_error(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown error";
}

static void git_setup(void)
{
	static int done;

	git_libgit2_init();
	if (done)
		return;
	done = 1;
	/* the user's and the system's config (core.autocrlf, excludesFile,
	 * filters) must not change what a snapshot holds */
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "");
	/* the user's repository is only ever read (its HEAD), and belay may
	 * run as another user than the workspace's owner */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/* index entries are added before the pack holding their objects is
	 * finished; belay writes every object itself */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
}

static char *state_home(const char *state_dir)
{
	return state_dir ? xstrdup(state_dir) : dirs_get(DIR_STATE);
}

char *shadow_dir_for(const char *workspace, const char *state_dir)
{
	char *home = state_home(state_dir), *out;
	const char *base = strrchr(workspace, '/');
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	char name[64];
	size_t k = 0;

	for (const char *p = workspace; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ull;
	}
	/* the workspace's name, for people listing the directory */
	for (base = base && base[1] ? base + 1 : "root"; *base && k < 24; base++)
		name[k++] = (*base >= 'a' && *base <= 'z') || (*base >= 'A' && *base <= 'Z') ||
					    (*base >= '0' && *base <= '9') || *base == '-' || *base == '_'
				    ? *base
				    : '_';
	name[k] = 0;
	out = xasprintf("%s/shadow/%s-%016llx.git", home, name, (unsigned long long)h);
	free(home);
	return out;
}

static int mkdir_p(const char *path, struct buf *err)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			buf_addf(err, "cannot create '%s': %s", p, strerror(errno));
			rc = -1;
			break;
		}
		if (!c)
			break;
		*s = c;
	}
	free(p);
	return rc;
}

static int write_file(const char *path, const char *text, struct buf *err)
{
	if (write_file_replace(path, text, strlen(text), 0) == 0)
		return 0;
	buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
	return -1;
}

static void index_stamp(struct shadow *sh, struct stat *st);

static int git_fail(struct buf *err, const char *what)
{
	buf_addf(err, "%s: %s", what, shadow_git_error());
	return -1;
}

struct shadow *shadow_open(const char *workspace, const struct shadow_opts *o, struct buf *err)
{
	struct shadow *sh = xcalloc(1, sizeof(*sh));
	struct buf text;
	char *path, *real = realpath(workspace, NULL);
	git_config *cfg = NULL;

	git_setup();
	buf_init(&text);
	sh->lock_fd = -1;
	sh->last_changed = -1;
	if (!real) {
		buf_addf(err, "cannot use workspace '%s': %s", workspace, strerror(errno));
		goto fail;
	}
	sh->ws = real;
	sh->dir = shadow_dir_for(real, o ? o->state_dir : NULL);
	sh->max_size = o && o->max_file_size ? o->max_file_size : SHADOW_MAX_FILE_SIZE;
	for (char *const *k = o ? o->keep : NULL; k && *k; k++) {
		sh->keep = xrealloc(sh->keep, (sh->nkeep + 1) * sizeof(char *));
		sh->keep[sh->nkeep++] = xstrdup(*k);
	}
	if (mkdir_p(sh->dir, err) < 0)
		goto fail;
	path = xasprintf("%s/HEAD", sh->dir);
	if (access(path, F_OK) < 0) {
		git_repository_init_options io;

		git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		/* no workdir_path: init would write a .git link into the workspace */
		io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
		io.description = "belay checkpoints";
		if (git_repository_init_ext(&sh->repo, sh->dir, &io) < 0) {
			free(path);
			git_fail(err, "cannot create the checkpoint repository");
			goto fail;
		}
		git_repository_free(sh->repo);
		sh->repo = NULL;
	}
	free(path);
	if (git_repository_open_bare(&sh->repo, sh->dir) < 0) {
		git_fail(err, "cannot open the checkpoint repository");
		buf_addf(err, " ('%s'; remove it to start afresh)", sh->dir);
		goto fail;
	}
	if (git_repository_config(&cfg, sh->repo) == 0) {
		git_config_set_bool(cfg, "core.filemode", 1);
		git_config_set_bool(cfg, "core.symlinks", 1);
		git_config_set_bool(cfg, "core.ignorecase", 0);
		git_config_set_bool(cfg, "core.autocrlf", 0);
		git_config_set_bool(cfg, "core.precomposeunicode", 0);
		git_config_free(cfg);
	}
	/* in memory only: 0 writes nothing into the workspace */
	if (git_repository_set_workdir(sh->repo, sh->ws, 0) < 0) {
		git_fail(err, "cannot use the workspace as work tree");
		goto fail;
	}
	path = xasprintf("%s/info", sh->dir);
	mkdir(path, 0700);
	free(path);
	/* the highest-precedence attributes: no conversion of any kind */
	path = xasprintf("%s/info/attributes", sh->dir);
	if (write_file(path, "* -text -filter -ident\n", err) < 0) {
		free(path);
		goto fail;
	}
	free(path);
	buf_addstr(&text, "# written by belay from the policy's 'checkpoint skip' lines\n");
	for (char *const *s = o ? o->skip : NULL; s && *s; s++)
		buf_addf(&text, "%s\n", *s);
	/* belay's own state, should it live inside the workspace, is never its content */
	{
		size_t n = strlen(sh->ws);
		char *state = state_home(o ? o->state_dir : NULL);

		if (!strncmp(state, sh->ws, n) && state[n] == '/')
			buf_addf(&text, "/%s/\n", state + n + 1);
		free(state);
	}
	path = xasprintf("%s/info/exclude", sh->dir);
	if (write_file(path, text.data, err) < 0) {
		free(path);
		goto fail;
	}
	free(path);
	buf_reset(&text);
	buf_addf(&text, "%s\n", sh->ws);
	path = xasprintf("%s/workspace", sh->dir);
	write_file(path, text.data, err);
	free(path);
	path = xasprintf("%s/lock", sh->dir);
	sh->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sh->lock_fd < 0) {
		buf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		goto fail;
	}
	free(path);
	index_stamp(sh, &sh->index_st);
	if (git_repository_index(&sh->index, sh->repo) < 0) {
		git_fail(err, "cannot open the checkpoint index");
		goto fail;
	}
	buf_release(&text);
	return sh;
fail:
	buf_release(&text);
	shadow_free(sh);
	return NULL;
}

#define TOUCHED_MAX 5000

static void touch(struct shadow *sh, const char *rel)
{
	sh->index_dirty = 1;
	if (sh->touched_all)
		return;
	if (sh->ntouched >= TOUCHED_MAX) {
		sh->touched_all = 1;
		return;
	}
	sh->touched = xgrow(sh->touched, &sh->touched_cap, sh->ntouched + 1, sizeof(char *));
	sh->touched[sh->ntouched++] = xstrdup(rel);
}

static void touched_clear(struct shadow *sh)
{
	for (size_t i = 0; i < sh->ntouched; i++)
		free(sh->touched[i]);
	sh->ntouched = 0;
	sh->touched_all = 0;
}

static void report_clear(struct shadow_report *r)
{
	for (size_t i = 0; i < r->nskipped; i++)
		free(r->skipped[i]);
	for (size_t i = 0; i < r->nnested; i++)
		free(r->nested[i]);
	free(r->skipped);
	free(r->nested);
	memset(r, 0, sizeof(*r));
}

void shadow_free(struct shadow *sh)
{
	if (!sh)
		return;
	git_index_free(sh->index);
	git_repository_free(sh->repo);
	if (sh->lock_fd >= 0)
		close(sh->lock_fd);
	report_clear(&sh->report);
	touched_clear(sh);
	free(sh->touched);
	packwriter_free(sh->pw);
	for (size_t i = 0; i < sh->nkeep; i++)
		free(sh->keep[i]);
	free(sh->keep);
	free(sh->ws);
	free(sh->dir);
	free(sh);
	git_libgit2_shutdown();
}

git_repository *shadow_repo(struct shadow *sh) { return sh->repo; }
git_index *shadow_index(struct shadow *sh) { return sh->index; }
const char *shadow_workspace(const struct shadow *sh) { return sh->ws; }
const char *shadow_dir(const struct shadow *sh) { return sh->dir; }
const struct shadow_report *shadow_report(const struct shadow *sh) { return &sh->report; }

static void index_stamp(struct shadow *sh, struct stat *st)
{
	char *p = xasprintf("%s/index", sh->dir);

	if (stat(p, st) < 0)
		memset(st, 0, sizeof(*st));
	free(p);
}

/*
 * Re-read the index only when another belay wrote it since: reading 50,000
 * entries costs more than a checkpoint of a few files.
 */
static void index_refresh(struct shadow *sh)
{
	struct stat st;

	index_stamp(sh, &st);
	if (st.st_ino == sh->index_st.st_ino && st.st_size == sh->index_st.st_size &&
	    st.st_mtim.tv_sec == sh->index_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == sh->index_st.st_mtim.tv_nsec)
		return;
	git_index_read(sh->index, 1);
	sh->index_st = st;
}

void shadow_lock(struct shadow *sh)
{
	if (sh->locked++)
		return;
	while (flock(sh->lock_fd, LOCK_EX) < 0 && errno == EINTR)
		;
}

int shadow_trylock(struct shadow *sh)
{
	if (sh->locked) {
		sh->locked++;
		return 0;
	}
	if (flock(sh->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return -1;
	sh->locked = 1;
	return 0;
}

void shadow_unlock(struct shadow *sh)
{
	if (!sh->locked || --sh->locked)
		return;
	flock(sh->lock_fd, LOCK_UN);
}

static void report_add(char ***v, size_t *n, const char *text)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], text))
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(text);
}

static void report_too_big(struct shadow *sh, const char *rel, uint64_t size)
{
	char *t = size >= (1 << 20) ? xasprintf("%s (%llu MB)", rel, (unsigned long long)(size >> 20))
				    : xasprintf("%s (%llu KB)", rel, (unsigned long long)(size >> 10));

	report_add(&sh->report.skipped, &sh->report.nskipped, t);
	free(t);
}

/* lstat of a path relative to the workspace */
static int ws_lstat(const struct shadow *sh, const char *rel, struct stat *st)
{
	char *p = xasprintf("%s/%s", sh->ws, rel);
	int rc = lstat(p, st);

	free(p);
	return rc;
}

/* a relative path with a ".git" component: the user's repository, never ours */
static int in_dot_git(const char *rel)
{
	for (const char *p = rel; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (!strncmp(p, ".git", 4) && (p[4] == '/' || !p[4]))
			return 1;
	}
	return 0;
}

static int matches_keep(const struct shadow *sh, const char *rel)
{
	for (size_t i = 0; i < sh->nkeep; i++)
		if (glob_match(sh->keep[i], rel, GLOB_PATH) == 1)
			return 1;
	return 0;
}

/* Scans write their first objects loose; past this many, into one pack. */
#define LOOSE_MAX 64

static int store_blob(struct shadow *sh, const void *data, size_t len, git_oid *oid, struct buf *err)
{
	git_odb *odb;
	int rc;

	if (++sh->nwritten > LOOSE_MAX) {
		if (!sh->pw) {
			char *objects = xasprintf("%s/objects", sh->dir);

			sh->pw = packwriter_new(objects, err);
			free(objects);
			if (!sh->pw)
				return -1;
		}
		return packwriter_add(sh->pw, GIT_OBJECT_BLOB, data, len, oid, err);
	}
	if (git_repository_odb(&odb, sh->repo) < 0)
		return git_fail(err, "cannot open the checkpoint objects");
	rc = git_odb_write(oid, odb, data, len, GIT_OBJECT_BLOB);
	git_odb_free(odb);
	return rc < 0 ? git_fail(err, "cannot store a file") : 0;
}

/* Objects written into a pack become readable once it is finished. */
static int finish_pack(struct shadow *sh, struct buf *err)
{
	git_odb *odb;
	int rc = 0;

	sh->nwritten = 0;
	if (!sh->pw)
		return 0;
	rc = packwriter_finish(sh->pw, err);
	packwriter_free(sh->pw);
	sh->pw = NULL;
	if (rc == 0 && git_repository_odb(&odb, sh->repo) == 0) {
		git_odb_refresh(odb);
		git_odb_free(odb);
	}
	return rc;
}

/* A file read for the index: its entry (stat data, mode) and content. */
struct filedata {
	git_index_entry e;
	char *data;
	size_t len;
	uint64_t size; /* when over the limit */
};

enum { READ_SKIP, READ_OK, READ_TOO_BIG };

/*
 * Read a file or symbolic link as it is on disk, byte for byte, with the
 * stat data later scans trust.  A file that changes or goes away meanwhile
 * is skipped: the next scan sees it again.  Touches nothing shared.
 */
static int read_file(const char *ws, const char *rel, uint64_t max, struct filedata *f)
{
	char *abs = xasprintf("%s/%s", ws, rel);
	struct stat st;
	int fd, rc = READ_SKIP;

	memset(f, 0, sizeof(*f));
	fd = open(abs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ELOOP) {
		/* a symbolic link: its text is its content */
		ssize_t n;

		if (lstat(abs, &st) < 0 || !S_ISLNK(st.st_mode))
			goto out;
		f->data = xmalloc(PATH_MAX);
		n = readlink(abs, f->data, PATH_MAX);
		if (n < 0)
			goto out;
		f->len = n;
		f->e.mode = GIT_FILEMODE_LINK;
	} else if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		goto out;
	} else if ((uint64_t)st.st_size > max) {
		f->size = st.st_size;
		rc = READ_TOO_BIG;
		goto out;
	} else {
		f->len = st.st_size;
		f->data = xmalloc(f->len ? f->len : 1);
		if (fd_read_all(fd, f->data, f->len) < 0)
			goto out; /* shrank while read */
		f->e.mode = st.st_mode & 0100 ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
	}
	f->e.ctime.seconds = st.st_ctim.tv_sec;
	f->e.ctime.nanoseconds = st.st_ctim.tv_nsec;
	f->e.mtime.seconds = st.st_mtim.tv_sec;
	f->e.mtime.nanoseconds = st.st_mtim.tv_nsec;
	f->e.dev = st.st_dev;
	f->e.ino = st.st_ino;
	f->e.uid = st.st_uid;
	f->e.gid = st.st_gid;
	f->e.file_size = (uint32_t)st.st_size;
	f->e.path = rel;
	rc = READ_OK;
out:
	if (rc != READ_OK) {
		free(f->data);
		f->data = NULL;
	}
	if (fd >= 0)
		close(fd);
	free(abs);
	return rc;
}

/* Record a read file in the index (its object stored already). */
static int index_file(struct shadow *sh, const char *rel, int rc, struct filedata *f, struct buf *err)
{
	touch(sh, rel);
	if (rc == READ_TOO_BIG) {
		report_too_big(sh, rel, f->size);
		git_index_remove_bypath(sh->index, rel);
		return 0;
	}
	if (git_index_add(sh->index, &f->e) < 0) {
		buf_addf(err, "cannot checkpoint '%s': %s", rel, shadow_git_error());
		return -1;
	}
	if (++sh->nread % 2000 == 0 && sh->progress)
		sh->progress(sh->nread, sh->progress_data);
	return 0;
}

static int store_file(struct shadow *sh, const char *rel, struct buf *err)
{
	struct filedata f;
	int rc = read_file(sh->ws, rel, sh->max_size, &f);

	if (rc == READ_OK && store_blob(sh, f.data, f.len, &f.e.id, err) < 0)
		rc = -1;
	else if (rc != READ_SKIP)
		rc = index_file(sh, rel, rc, &f, err);
	else
		rc = 0;
	free(f.data);
	return rc;
}

/*
 * Many files at once (a baseline): every core reads, hashes and compresses;
 * appending to the pack and the index is serialised.
 */
struct store_job {
	struct shadow *sh;
	char **paths;
	size_t n, next;
	pthread_mutex_t mu;
	struct buf *err;
	int failed;
};

static void *store_worker(void *arg)
{
	struct store_job *j = arg;
	struct packobj po;
	struct filedata f;

	memset(&po, 0, sizeof(po));
	for (;;) {
		size_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
		int rc;

		if (i >= j->n || __atomic_load_n(&j->failed, __ATOMIC_RELAXED))
			break;
		rc = read_file(j->sh->ws, j->paths[i], j->sh->max_size, &f);
		if (rc == READ_OK)
			packobj_make(&po, GIT_OBJECT_BLOB, f.data, f.len);
		free(f.data);
		if (rc == READ_SKIP)
			continue;
		pthread_mutex_lock(&j->mu);
		if (!j->failed) {
			if (rc == READ_OK) {
				git_oid_fromraw(&f.e.id, po.id);
				if (packwriter_append(j->sh->pw, &po, j->err) < 0)
					j->failed = 1;
			}
			if (!j->failed && index_file(j->sh, j->paths[i], rc, &f, j->err) < 0)
				j->failed = 1;
		}
		pthread_mutex_unlock(&j->mu);
	}
	packobj_release(&po);
	return NULL;
}

static int store_many(struct shadow *sh, char **paths, size_t n, struct buf *err)
{
	struct store_job j = { .sh = sh, .paths = paths, .n = n, .err = err };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t t[3];
	int nt = 0;

	if (n <= LOOSE_MAX) {
		for (size_t i = 0; i < n; i++)
			if (store_file(sh, paths[i], err) < 0)
				return -1;
		return 0;
	}
	if (!sh->pw) {
		char *objects = xasprintf("%s/objects", sh->dir);

		sh->pw = packwriter_new(objects, err);
		free(objects);
		if (!sh->pw)
			return -1;
	}
	pthread_mutex_init(&j.mu, NULL);
	for (long k = 1; k < MIN(ncpu, 4); k++)
		if (pthread_create(&t[nt], NULL, store_worker, &j) == 0)
			nt++;
	store_worker(&j);
	while (nt)
		pthread_join(t[--nt], NULL);
	pthread_mutex_destroy(&j.mu);
	return j.failed ? -1 : 0;
}

/* Add one file (or symbolic link) found by a partial scan, or skip it. */
static int add_file(struct shadow *sh, const char *rel, const struct stat *st, int kept, struct buf *err)
{
	if (!kept && !git_index_get_bypath(sh->index, rel, 0)) {
		int ignored = 0;

		if (git_ignore_path_is_ignored(&ignored, sh->repo, rel) == 0 && ignored)
			return 0;
	}
	return store_file(sh, rel, err);
}

static int has_dot_git(const struct shadow *sh, const char *rel)
{
	char *p = xasprintf("%s/%s/.git", sh->ws, rel);
	int rc = access(p, F_OK) == 0;

	free(p);
	return rc;
}

/* Inside a repository nested in the workspace?  (Its parents have a .git.) */
static int in_nested(const struct shadow *sh, const char *rel)
{
	char *p = xstrdup(rel);
	int rc = 0;

	for (char *s = strchr(p, '/'); s && !rc; s = strchr(s + 1, '/')) {
		*s = 0;
		rc = has_dot_git(sh, p);
		*s = '/';
	}
	free(p);
	return rc;
}

int shadow_skips_dir(struct shadow *sh, const char *rel)
{
	char *d;
	int ignored = 0;

	if (!*rel)
		return 0;
	if (in_dot_git(rel))
		return 1;
	if (has_dot_git(sh, rel))
		return 1;
	if (matches_keep(sh, rel))
		return 0;
	d = xasprintf("%s/", rel);
	if (git_ignore_path_is_ignored(&ignored, sh->repo, d) < 0)
		ignored = 0;
	free(d);
	return ignored;
}

/* Walk a directory that appeared or changed, adding what it holds. */
static int add_dir(struct shadow *sh, const char *rel, int kept, struct buf *err)
{
	char *abs = xasprintf("%s/%s", sh->ws, rel);
	DIR *d = opendir(abs);
	struct dirent *e;
	int rc = 0;

	free(abs);
	if (!d)
		return 0; /* gone again, or unreadable: nothing to keep */
	while (rc == 0 && (e = readdir(d))) {
		struct stat st;
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
			continue;
		sub = xasprintf("%s/%s", rel, e->d_name);
		if (ws_lstat(sh, sub, &st) == 0) {
			int k = kept || matches_keep(sh, sub);

			if (S_ISDIR(st.st_mode)) {
				if (has_dot_git(sh, sub))
					report_add(&sh->report.nested, &sh->report.nnested, sub);
				else if (k || !shadow_skips_dir(sh, sub))
					rc = add_dir(sh, sub, k, err);
			} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
				rc = add_file(sh, sub, &st, k, err);
			}
		}
		free(sub);
	}
	closedir(d);
	return rc;
}

/* Forget index entries under dir/ whose files are gone. */
static void drop_gone_under(struct shadow *sh, const char *rel)
{
	char *prefix = xasprintf("%s/", rel);
	size_t len = strlen(prefix), pos;
	char **gone = NULL;
	size_t ngone = 0, cap = 0;

	if (git_index_find_prefix(&pos, sh->index, prefix) == 0) {
		const git_index_entry *e;

		for (; (e = git_index_get_byindex(sh->index, pos)) && !strncmp(e->path, prefix, len); pos++) {
			struct stat st;

			if (ws_lstat(sh, e->path, &st) < 0 || S_ISDIR(st.st_mode)) {
				gone = xgrow(gone, &cap, ngone + 1, sizeof(char *));
				gone[ngone++] = xstrdup(e->path);
			}
		}
	}
	for (size_t i = 0; i < ngone; i++) {
		git_index_remove_bypath(sh->index, gone[i]);
		touch(sh, gone[i]);
		free(gone[i]);
	}
	free(gone);
	free(prefix);
}

int shadow_scan_paths(struct shadow *sh, char *const *paths, size_t n, struct buf *err)
{
	int rc = 0;

	index_refresh(sh); /* another belay may have written it */
	/* many paths: one pack from the first object, not many loose files */
	if (n >= 16)
		sh->nwritten = LOOSE_MAX;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *rel = paths[i];
		struct stat st;
		int kept;

		if (!*rel || in_dot_git(rel) || in_nested(sh, rel))
			continue;
		kept = matches_keep(sh, rel);
		if (ws_lstat(sh, rel, &st) < 0) {
			/* gone (or its parent is now a file): forget it and all under it */
			git_index_remove_bypath(sh->index, rel);
			git_index_remove_directory(sh->index, rel, 0);
			touch(sh, rel);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (git_index_get_bypath(sh->index, rel, 0)) {
				git_index_remove_bypath(sh->index, rel); /* it was a file */
				touch(sh, rel);
			}
			if (has_dot_git(sh, rel)) {
				report_add(&sh->report.nested, &sh->report.nnested, rel);
				git_index_remove_directory(sh->index, rel, 0);
				touch(sh, rel);
				continue;
			}
			drop_gone_under(sh, rel);
			if (!kept && shadow_skips_dir(sh, rel))
				continue;
			rc = add_dir(sh, rel, kept, err);
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			size_t pos;
			char *prefix = xasprintf("%s/", rel);

			if (git_index_find_prefix(&pos, sh->index, prefix) == 0) {
				git_index_remove_directory(sh->index, rel, 0); /* it was a directory */
				touch(sh, rel);
			}
			free(prefix);
			rc = add_file(sh, rel, &st, kept, err);
		} else {
			/* a fifo, socket or device: not content */
			git_index_remove_bypath(sh->index, rel);
			touch(sh, rel);
		}
	}
	/* the pack is finished with the tree that follows (shadow_write_tree*) */
	return rc;
}

/* Files kept despite .gitignore: walk for them (only when some are asked for). */
static int add_kept(struct shadow *sh, const char *rel, struct buf *err)
{
	char *abs = xasprintf("%s%s%s", sh->ws, *rel ? "/" : "", rel);
	DIR *d = opendir(abs);
	struct dirent *e;
	int rc = 0;

	free(abs);
	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		struct stat st;
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (ws_lstat(sh, sub, &st) == 0) {
			if (matches_keep(sh, sub)) {
				if (S_ISDIR(st.st_mode))
					rc = add_dir(sh, sub, 1, err);
				else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
					rc = add_file(sh, sub, &st, 1, err);
			} else if (S_ISDIR(st.st_mode) && !has_dot_git(sh, sub)) {
				rc = add_kept(sh, sub, err);
			}
		}
		free(sub);
	}
	closedir(d);
	return rc;
}

/*
 * What changed since the index: libgit2's diff of the index against the
 * work tree walks the workspace once, honours .gitignore directory by
 * directory, and trusts the stat cache for files that did not change.
 * (git_index_add_all does the same walk but then loads attributes and
 * resolves paths for every file it adds: four times slower on a baseline.)
 */
int shadow_scan_all(struct shadow *sh, void (*progress)(size_t, void *), void *data, struct buf *err)
{
	git_diff_options o;
	git_diff *diff = NULL;
	char **todo = NULL;
	size_t ntodo = 0, cap = 0;
	int rc = 0;

	index_refresh(sh);
	report_clear(&sh->report);
	sh->progress = progress;
	sh->progress_data = data;
	sh->nread = 0;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_INCLUDE_TYPECHANGE |
		  GIT_DIFF_UPDATE_INDEX;
	if (git_diff_index_to_workdir(&diff, sh->repo, sh->index, &o) < 0) {
		rc = git_fail(err, "cannot scan the workspace");
		goto out;
	}
	for (size_t i = 0, n = git_diff_num_deltas(diff); i < n && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->new_file.path;
		size_t len = strlen(path);

		if (d->status == GIT_DELTA_DELETED) {
			git_index_remove_bypath(sh->index, d->old_file.path);
			touch(sh, d->old_file.path);
		} else if (d->new_file.mode == GIT_FILEMODE_COMMIT || (len && path[len - 1] == '/')) {
			/* a repository inside the workspace (not a submodule) */
			char *t = xstrndup(path, len && path[len - 1] == '/' ? len - 1 : len);

			report_add(&sh->report.nested, &sh->report.nnested, t);
			free(t);
		} else if (d->status != GIT_DELTA_UNMODIFIED) {
			todo = xgrow(todo, &cap, ntodo + 1, sizeof(char *));
			todo[ntodo++] = (char *)path;
		}
	}
	if (rc == 0)
		rc = store_many(sh, todo, ntodo, err);
	free(todo);
	if (rc == 0 && sh->nkeep)
		rc = add_kept(sh, "", err);
	if (finish_pack(sh, err) < 0)
		rc = -1;
out:
	git_diff_free(diff);
	sh->progress = NULL;
	return rc;
}

int shadow_flush_index(struct shadow *sh, struct buf *err)
{
	if (!sh->index_dirty)
		return 0;
	if (git_index_write(sh->index) < 0)
		return git_fail(err, "cannot write the checkpoint index");
	index_stamp(sh, &sh->index_st);
	sh->index_dirty = 0;
	return 0;
}

/*
 * Trees from the previous checkpoint's tree and the paths touched since,
 * rewriting only the trees on those paths (libgit2's git_tree_create_updated
 * does the same but writes every tree as a loose object, and refuses a file
 * that became a directory).  The objects go to the scan's pack when there
 * are many.  Git's format: gitformat-tree; entries sorted by name, a tree's
 * name compared as if it ended in '/'.
 */
struct tentry {
	char *name;
	unsigned mode;
	git_oid id;
};

static int tentry_cmp(const void *pa, const void *pb);

struct tree_out {
	struct shadow *sh;
	unsigned changed;   /* files (blobs, links) that differ from the base */
	struct buf *objs;   /* serialised trees waiting to be written */
	size_t nobjs;
};

/* A tree object's body: "MODE NAME\0" and the raw id, for each entry in order. */
static void serialize_tree(struct buf *body, struct tentry *e, size_t ne)
{
	if (ne)
		qsort(e, ne, sizeof(*e), tentry_cmp);
	for (size_t i = 0; i < ne; i++) {
		const char *mode = e[i].mode == GIT_FILEMODE_TREE		? "40000 "
				   : e[i].mode == GIT_FILEMODE_BLOB_EXECUTABLE ? "100755 "
				   : e[i].mode == GIT_FILEMODE_LINK		? "120000 "
				   : e[i].mode == GIT_FILEMODE_COMMIT		? "160000 "
										: "100644 ";

		buf_addstr(body, mode);
		buf_add(body, e[i].name, strlen(e[i].name) + 1);
		buf_add(body, e[i].id.id, GIT_OID_RAWSZ);
	}
}

static int tentry_cmp(const void *pa, const void *pb)
{
	const struct tentry *a = pa, *b = pb;
	size_t la = strlen(a->name), lb = strlen(b->name), l = MIN(la, lb);
	int c = memcmp(a->name, b->name, l);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = la > l ? (unsigned char)a->name[l] : a->mode == GIT_FILEMODE_TREE ? '/' : 0;
	cb = lb > l ? (unsigned char)b->name[l] : b->mode == GIT_FILEMODE_TREE ? '/' : 0;
	return (int)ca - (int)cb;
}

/* An update that belongs to the tree at prefix: its path below it. */
static const char *below(const char *path, const char *prefix, size_t plen)
{
	if (!plen)
		return path;
	return !strncmp(path, prefix, plen) && path[plen] == '/' ? path + plen + 1 : NULL;
}

unsigned shadow_tree_files(git_repository *repo, const git_oid *tree)
{
	git_tree *t = NULL;
	unsigned n = 0;

	if (git_tree_lookup(&t, repo, tree) < 0)
		return 0;
	for (size_t i = 0; i < git_tree_entrycount(t); i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);

		n += git_tree_entry_type(te) == GIT_OBJECT_TREE ? shadow_tree_files(repo, git_tree_entry_id(te)) : 1;
	}
	git_tree_free(t);
	return n;
}

/*
 * The tree of these entries (consumed): its id in *out, its body queued
 * for store_trees() unless it is empty and not the root.  Returns whether
 * it is empty.
 */
static int finish_tree(struct tree_out *o, struct tentry *e, size_t ne, int root, git_oid *out)
{
	struct buf body = BUF_INIT;

	serialize_tree(&body, e, ne);
	packwrite_hash(GIT_OBJECT_TREE, body.data, body.len, out);
	if (ne || root) {
		o->objs = xrealloc(o->objs, (o->nobjs + 1) * sizeof(*o->objs));
		o->objs[o->nobjs++] = body;
	} else {
		buf_release(&body);
	}
	for (size_t i = 0; i < ne; i++)
		free(e[i].name);
	free(e);
	return ne == 0;
}

static int build_tree(struct tree_out *o, git_tree *base, const char *prefix, const git_tree_update *up,
		      size_t nup, git_oid *out, int *empty)
{
	struct tentry *e = NULL;
	size_t ne = 0, cap = 0, plen = strlen(prefix);
	int rc = 0;

	for (size_t i = 0; base && i < git_tree_entrycount(base); i++) {
		const git_tree_entry *te = git_tree_entry_byindex(base, i);

		e = xgrow(e, &cap, ne + 1, sizeof(*e));
		e[ne].name = xstrdup(git_tree_entry_name(te));
		e[ne].mode = git_tree_entry_filemode(te);
		git_oid_cpy(&e[ne++].id, git_tree_entry_id(te));
	}
	/* updates are sorted: those of one child name are adjacent */
	for (size_t i = 0; i < nup && rc == 0;) {
		const char *rest = below(up[i].path, prefix, plen), *slash;
		size_t nlen, j, k;
		const git_tree_update *direct = NULL;
		char *name;

		if (!rest) {
			i++;
			continue;
		}
		slash = strchr(rest, '/');
		nlen = slash ? (size_t)(slash - rest) : strlen(rest);
		name = xstrndup(rest, nlen);
		/* every update for this name: itself, or below it */
		for (j = i; j < nup; j++) {
			const char *r = below(up[j].path, prefix, plen);

			if (!r || strncmp(r, name, nlen) || (r[nlen] != '/' && r[nlen]))
				break;
			if (!r[nlen])
				direct = &up[j];
		}
		for (k = 0; k < ne && strcmp(e[k].name, name); k++)
			;
		if (direct && direct->action == GIT_TREE_UPDATE_UPSERT) {
			/* a file (or link) here now, whatever was below it before */
			if (k == ne || e[k].mode != direct->filemode || !git_oid_equal(&e[k].id, &direct->id))
				o->changed += k < ne && e[k].mode == GIT_FILEMODE_TREE ? 1 + shadow_tree_files(o->sh->repo, &e[k].id) : 1;
			if (k == ne) {
				e = xgrow(e, &cap, ne + 1, sizeof(*e));
				e[ne++].name = xstrdup(name);
			}
			e[k].mode = direct->filemode;
			git_oid_cpy(&e[k].id, &direct->id);
		} else if (j > i + (direct ? 1 : 0)) {
			/* a directory with changes below it */
			git_tree *sub = NULL;
			git_oid id;
			int sub_empty = 0;
			char *subprefix = plen ? xasprintf("%s/%s", prefix, name) : xstrdup(name);

			if (k < ne && e[k].mode == GIT_FILEMODE_TREE && !direct &&
			    git_tree_lookup(&sub, o->sh->repo, &e[k].id) < 0)
				rc = -1;
			if (rc == 0)
				rc = build_tree(o, sub, subprefix, up + i, j - i, &id, &sub_empty);
			git_tree_free(sub);
			free(subprefix);
			if (rc == 0 && sub_empty && k < ne) {
				free(e[k].name);
				e[k] = e[--ne];
			} else if (rc == 0 && !sub_empty) {
				if (k == ne) {
					e = xgrow(e, &cap, ne + 1, sizeof(*e));
					e[ne++].name = xstrdup(name);
				}
				e[k].mode = GIT_FILEMODE_TREE;
				git_oid_cpy(&e[k].id, &id);
			}
		} else if (k < ne) {
			/* removed */
			o->changed += e[k].mode == GIT_FILEMODE_TREE ? shadow_tree_files(o->sh->repo, &e[k].id) : 1;
			free(e[k].name);
			e[k] = e[--ne];
		}
		free(name);
		i = j;
	}
	if (rc == 0) {
		/* the root stays, even empty */
		*empty = finish_tree(o, e, ne, !plen, out) && plen;
		return 0;
	}
	for (size_t i = 0; i < ne; i++)
		free(e[i].name);
	free(e);
	return rc;
}

/* Every tree of the index, from its sorted entries (a tree's entries are adjacent). */
static int index_tree(struct tree_out *o, size_t *pos, const char *prefix, git_oid *out)
{
	git_index *idx = o->sh->index;
	size_t n = git_index_entrycount(idx), plen = strlen(prefix), ne = 0, cap = 0;
	struct tentry *e = NULL;
	int rc = 0;

	while (*pos < n && rc == 0) {
		const git_index_entry *ie = git_index_get_byindex(idx, *pos);
		const char *rest = below(ie->path, prefix, plen), *slash;

		if (!rest)
			break;
		if (git_index_entry_stage(ie) != 0) {
			(*pos)++;
			continue;
		}
		e = xgrow(e, &cap, ne + 1, sizeof(*e));
		slash = strchr(rest, '/');
		if (!slash) {
			e[ne].name = xstrdup(rest);
			e[ne].mode = ie->mode;
			git_oid_cpy(&e[ne++].id, &ie->id);
			(*pos)++;
		} else {
			char *name = xstrndup(rest, slash - rest);
			char *sub = plen ? xasprintf("%s/%s", prefix, name) : xstrdup(name);

			e[ne].name = name;
			e[ne].mode = GIT_FILEMODE_TREE;
			rc = index_tree(o, pos, sub, &e[ne++].id);
			free(sub);
		}
	}
	if (rc == 0) {
		/* the index has no empty directories: every tree is stored */
		finish_tree(o, e, ne, 1, out);
		return 0;
	}
	for (size_t i = 0; i < ne; i++)
		free(e[i].name);
	free(e);
	return rc;
}

/* Store the trees built: into the pack when there are many (or one is open), else loose. */
static int store_trees(struct shadow *sh, struct tree_out *o, struct buf *err)
{
	int rc = 0;

	if (o->nobjs > 16 || sh->pw) {
		if (!sh->pw) {
			char *objects = xasprintf("%s/objects", sh->dir);

			sh->pw = packwriter_new(objects, err);
			free(objects);
			if (!sh->pw)
				return -1;
		}
		for (size_t i = 0; i < o->nobjs && rc == 0; i++) {
			git_oid id;

			rc = packwriter_add(sh->pw, GIT_OBJECT_TREE, o->objs[i].data, o->objs[i].len, &id, err);
		}
	} else {
		git_odb *odb;

		if (git_repository_odb(&odb, sh->repo) < 0)
			return git_fail(err, "cannot open the checkpoint objects");
		for (size_t i = 0; i < o->nobjs && rc == 0; i++) {
			git_oid id;

			if (git_odb_write(&id, odb, o->objs[i].data, o->objs[i].len, GIT_OBJECT_TREE) < 0)
				rc = git_fail(err, "cannot store a tree");
		}
		git_odb_free(odb);
	}
	return rc < 0 ? -1 : finish_pack(sh, err);
}

static void tree_out_release(struct tree_out *o)
{
	for (size_t i = 0; i < o->nobjs; i++)
		buf_release(&o->objs[i]);
	free(o->objs);
	o->objs = NULL;
	o->nobjs = 0;
}

/* Paths in tree order: a directory's paths stay together ("a/x" before "a b"). */
static int cmp_update(const void *pa, const void *pb)
{
	const unsigned char *a = (const unsigned char *)((const git_tree_update *)pa)->path;
	const unsigned char *b = (const unsigned char *)((const git_tree_update *)pb)->path;

	for (;; a++, b++) {
		int ca = !*a ? -1 : *a == '/' ? 0 : *a + 1, cb = !*b ? -1 : *b == '/' ? 0 : *b + 1;

		if (ca != cb || ca < 0)
			return ca - cb;
	}
}

/* The new tree from base and the paths touched since.  Returns 0, or 1: do it the long way. */
static int tree_updated(struct shadow *sh, const git_oid *base_oid, git_oid *out, struct buf *err)
{
	git_tree *base = NULL;
	git_tree_update *up = xcalloc(sh->ntouched + 1, sizeof(*up));
	struct tree_out o = { .sh = sh };
	size_t nup = 0;
	int rc = 1, empty = 0;

	if (git_tree_lookup(&base, sh->repo, base_oid) < 0)
		goto out;
	for (size_t i = 0; i < sh->ntouched; i++) {
		const git_index_entry *e = git_index_get_bypath(sh->index, sh->touched[i], 0);

		up[nup].path = sh->touched[i];
		if (e) {
			up[nup].action = GIT_TREE_UPDATE_UPSERT;
			git_oid_cpy(&up[nup].id, &e->id);
			up[nup].filemode = e->mode;
		} else {
			up[nup].action = GIT_TREE_UPDATE_REMOVE;
		}
		nup++;
	}
	qsort(up, nup, sizeof(*up), cmp_update);
	/* the same path twice: keep one (the index says what it is now) */
	{
		size_t k = 0;

		for (size_t i = 0; i < nup; i++)
			if (!k || strcmp(up[i].path, up[k - 1].path))
				up[k++] = up[i];
		nup = k;
	}
	if (build_tree(&o, base, "", up, nup, out, &empty) < 0)
		goto out;
	rc = store_trees(sh, &o, err) < 0 ? -1 : 0;
	sh->last_changed = (int)o.changed;
out:
	tree_out_release(&o);
	free(up);
	git_tree_free(base);
	return rc;
}

/* The whole index as trees, written with the scan's objects. */
static int write_all_trees(struct shadow *sh, git_oid *tree, struct buf *err)
{
	struct tree_out o = { .sh = sh };
	size_t pos = 0;
	int rc = index_tree(&o, &pos, "", tree) < 0 ? git_fail(err, "cannot write a checkpoint") : store_trees(sh, &o, err);

	tree_out_release(&o);
	if (rc == 0 && getenv("BELAY_VERIFY_TREES")) {
		git_oid full;

		if (git_index_write_tree(&full, sh->index) < 0 || !git_oid_equal(&full, tree))
			BUG("tree %s differs from the index's", git_oid_tostr_s(tree));
	}
	return rc;
}

int shadow_write_tree(struct shadow *sh, git_oid *tree, struct buf *err)
{
	touched_clear(sh);
	if (write_all_trees(sh, tree, err) < 0)
		return -1;
	sh->index_dirty = 1;
	return shadow_flush_index(sh, err);
}

int shadow_last_changed(const struct shadow *sh)
{
	return sh->last_changed;
}

int shadow_write_tree_from(struct shadow *sh, const git_oid *base, git_oid *tree, struct buf *err)
{
	int rc = 1;

	sh->last_changed = -1;
	if (base && !sh->touched_all)
		rc = tree_updated(sh, base, tree, err);
	if (rc < 0)
		return -1;
	if (rc == 0 && getenv("BELAY_VERIFY_TREES")) {
		git_oid full;

		/* the test suite checks the shortcut against the whole */
		if (git_index_write_tree(&full, sh->index) < 0 || !git_oid_equal(&full, tree))
			BUG("incremental tree %s differs from the index's", git_oid_tostr_s(tree));
	}
	if (rc != 0 && write_all_trees(sh, tree, err) < 0)
		return -1;
	touched_clear(sh);
	return 0;
}

int shadow_commit(struct shadow *sh, const char *ref, const git_oid *tree_oid, const char *summary,
		  const char *meta, git_oid *out, struct buf *err)
{
	git_oid parent_oid;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	char *msg = xasprintf("%s\n\n%s\n", summary, meta);
	int rc = -1;

	if (git_reference_name_to_id(&parent_oid, sh->repo, ref) == 0 &&
	    git_commit_lookup(&parent, sh->repo, &parent_oid) < 0) {
		git_fail(err, "cannot read the last checkpoint");
		goto out;
	}
	if (git_tree_lookup(&tree, sh->repo, tree_oid) < 0) {
		git_fail(err, "cannot read a checkpoint's tree");
		goto out;
	}
	/* not the user's name: belay's commits are its own */
	if (git_signature_now(&sig, "belay", "belay@localhost") < 0) {
		git_fail(err, "cannot sign a checkpoint");
		goto out;
	}
	if (git_commit_create(out, sh->repo, ref, sig, sig, NULL, msg, tree, parent ? 1 : 0,
			      (const git_commit **)&parent) < 0) {
		git_fail(err, "cannot record a checkpoint");
		goto out;
	}
	rc = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(parent);
	free(msg);
	return rc;
}

/* Small packs: merged when there are too many (each lookup searches every one). */
#define SMALL_PACK (8u << 20)
#define SMALL_PACK_OBJECTS 5000

static int read_idx_ids(const char *path, git_oid **ids, size_t *n)
{
	FILE *f = fopen(path, "rbe");
	unsigned char head[8], fan[1024];
	uint32_t count;

	*ids = NULL;
	*n = 0;
	if (!f)
		return -1;
	if (fread(head, 1, 8, f) != 8 || memcmp(head, "\377tOc\0\0\0\2", 8) || fread(fan, 1, 1024, f) != 1024) {
		fclose(f);
		return -1;
	}
	count = (uint32_t)fan[1020] << 24 | (uint32_t)fan[1021] << 16 | (uint32_t)fan[1022] << 8 | fan[1023];
	*ids = xcalloc(count ? count : 1, sizeof(git_oid));
	for (uint32_t i = 0; i < count; i++) {
		unsigned char raw[GIT_OID_RAWSZ];

		if (fread(raw, 1, sizeof(raw), f) != sizeof(raw)) {
			fclose(f);
			free(*ids);
			*ids = NULL;
			return -1;
		}
		git_oid_fromraw(&(*ids)[i], raw);
	}
	*n = count;
	fclose(f);
	return 0;
}

int shadow_repack(struct shadow *sh, unsigned max_packs, struct buf *err)
{
	char *packdir = xasprintf("%s/objects/pack", sh->dir), *objects = xasprintf("%s/objects", sh->dir);
	DIR *d = opendir(packdir);
	struct dirent *de;
	char **small = NULL;
	size_t nsmall = 0, cap = 0, npacks = 0;
	struct packwriter *pw = NULL;
	git_odb *odb = NULL;
	int rc = 0;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *pack;

		if (len < 5 || strcmp(de->d_name + len - 4, ".idx") || strncmp(de->d_name, "pack-", 5))
			continue;
		npacks++;
		pack = xasprintf("%s/%.*s.pack", packdir, (int)(len - 4), de->d_name);
		if (stat(pack, &st) == 0 && (uint64_t)st.st_size < SMALL_PACK) {
			char *base = xasprintf("%s/%.*s", packdir, (int)(len - 4), de->d_name);
			char *idx = xasprintf("%s.idx", base);
			git_oid *ids = NULL;
			size_t n = 0;

			/* a baseline is one big pack of many small objects: it stays */
			if (read_idx_ids(idx, &ids, &n) == 0 && n < SMALL_PACK_OBJECTS) {
				small = xgrow(small, &cap, nsmall + 1, sizeof(char *));
				small[nsmall++] = base;
				base = NULL;
			}
			free(ids);
			free(idx);
			free(base);
		}
		free(pack);
	}
	if (d)
		closedir(d);
	if (npacks <= max_packs || nsmall < 2)
		goto out;
	if (git_repository_odb(&odb, sh->repo) < 0 || !(pw = packwriter_new(objects, err))) {
		rc = -1;
		goto out;
	}
	/* every object of the small packs into one; then they go */
	for (size_t i = 0; i < nsmall && rc == 0; i++) {
		char *idx = xasprintf("%s.idx", small[i]);
		git_oid *ids;
		size_t n;

		if (read_idx_ids(idx, &ids, &n) < 0) {
			buf_addf(err, "cannot read the pack index '%s'", idx);
			rc = -1;
		}
		for (size_t k = 0; rc == 0 && k < n; k++) {
			git_odb_object *obj;
			git_oid id;

			if (git_odb_read(&obj, odb, &ids[k]) < 0) {
				rc = git_fail(err, "cannot read an object to repack");
				break;
			}
			rc = packwriter_add(pw, git_odb_object_type(obj), git_odb_object_data(obj),
					    git_odb_object_size(obj), &id, err);
			git_odb_object_free(obj);
		}
		free(ids);
		free(idx);
	}
	if (rc == 0 && packwriter_finish(pw, err) == 0) {
		git_odb_refresh(odb);
		for (size_t i = 0; i < nsmall; i++) {
			char *idx = xasprintf("%s.idx", small[i]), *pack = xasprintf("%s.pack", small[i]);

			/* the index first: a pack without one is invisible */
			unlink(idx);
			unlink(pack);
			free(idx);
			free(pack);
		}
		git_odb_refresh(odb);
		rc = (int)nsmall;
	} else {
		rc = -1;
	}
out:
	packwriter_free(pw);
	git_odb_free(odb);
	for (size_t i = 0; i < nsmall; i++)
		free(small[i]);
	free(small);
	free(packdir);
	free(objects);
	return rc;
}
