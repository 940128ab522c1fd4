/*
 * scan.c - reading the workspace into the shadow index: a stat pass over
 * the whole workspace (baseline, rollback) or over the dirty paths of a
 * step; see shadow.h.  Files are read byte for byte and stored as blobs;
 * the index is the stat cache that later scans trust.
 */
#define _GNU_SOURCE
#include "shadow-int.h"

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

/* The index by workspace path (see ipath_enc). */
static const git_index_entry *idx_get(struct shadow *sh, const char *rel)
{
	char *e = ipath_enc(rel);
	const git_index_entry *ie = git_index_get_bypath(sh->index, e ? e : rel, 0);

	free(e);
	return ie;
}

static void idx_remove(struct shadow *sh, const char *rel)
{
	char *e = ipath_enc(rel);

	git_index_remove_bypath(sh->index, e ? e : rel);
	free(e);
}

static void idx_remove_dir(struct shadow *sh, const char *rel)
{
	char *e = ipath_enc(rel);

	git_index_remove_directory(sh->index, e ? e : rel, 0);
	free(e);
}

/* Is anything under rel/ in the index? */
static int idx_has_under(struct shadow *sh, const char *rel)
{
	char *e = ipath_enc(rel), *prefix = xasprintf("%s/", e ? e : rel);
	size_t pos;
	int rc = git_index_find_prefix(&pos, sh->index, prefix) == 0;

	free(prefix);
	free(e);
	return rc;
}

int shadow_holds(struct shadow *sh, const char *rel)
{
	return idx_get(sh, rel) != NULL;
}

/* Files with other names (hard links): changed through those, no event names them. */
static void linked_set(struct shadow *sh, const char *rel, int linked)
{
	size_t i;

	for (i = 0; i < sh->nlinked && strcmp(sh->linked[i], rel); i++)
		;
	if (linked && i == sh->nlinked) {
		sh->linked = xgrow(sh->linked, &sh->linked_cap, sh->nlinked + 1, sizeof(char *));
		sh->linked[sh->nlinked++] = xstrdup(rel);
	} else if (!linked && i < sh->nlinked) {
		free(sh->linked[i]);
		sh->linked[i] = sh->linked[--sh->nlinked];
	}
}

/* A file read for the index: its entry (stat data, mode) and content. */
struct filedata {
	git_index_entry e;
	char *data;
	size_t len;
	uint64_t size; /* when over the limit */
	nlink_t nlink;
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
	f->nlink = st.st_nlink;
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
	char *enc;
	int bad;

	touch(sh, rel);
	if (rc == READ_TOO_BIG) {
		report_too_big(sh, rel, f->size);
		idx_remove(sh, rel);
		return 0;
	}
	linked_set(sh, rel, f->e.mode != GIT_FILEMODE_LINK && f->nlink > 1);
	enc = ipath_enc(rel);
	f->e.path = enc ? enc : rel;
	bad = git_index_add(sh->index, &f->e) < 0;
	f->e.path = rel;
	free(enc);
	if (bad) {
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
	size_t at = err->len;

	if (rc == READ_OK && store_blob(sh, f.data, f.len, &f.e.id, err) < 0) {
		/* say which file, and where the store is (a full disk is freed there) */
		char *why = xstrdup(err->data + at);
		const char *colon = strstr(why, ": ");

		buf_truncate(err, at);
		buf_addf(err, "cannot checkpoint '%s': %s (the checkpoint store is %s)", rel, colon ? colon + 2 : why,
			 sh->dir);
		free(why);
		rc = -1;
	}
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
	if (!scan_pack(sh, err))
		return -1;
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
	if (!kept && !idx_get(sh, rel)) {
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
	char *e_rel = ipath_enc(rel), *prefix = xasprintf("%s/", e_rel ? e_rel : rel);
	size_t len = strlen(prefix), pos;
	char **gone = NULL;
	size_t ngone = 0, cap = 0;

	if (git_index_find_prefix(&pos, sh->index, prefix) == 0) {
		const git_index_entry *e;

		for (; (e = git_index_get_byindex(sh->index, pos)) && !strncmp(e->path, prefix, len); pos++) {
			char *real = ipath_dec(e->path);
			struct stat st;

			if (ws_lstat(sh, real ? real : e->path, &st) < 0 || S_ISDIR(st.st_mode)) {
				gone = xgrow(gone, &cap, ngone + 1, sizeof(char *));
				gone[ngone++] = xstrdup(e->path);
			}
			free(real);
		}
	}
	for (size_t i = 0; i < ngone; i++) {
		char *real = ipath_dec(gone[i]);

		git_index_remove_bypath(sh->index, gone[i]);
		touch(sh, real ? real : gone[i]);
		free(real);
		free(gone[i]);
	}
	free(gone);
	free(prefix);
	free(e_rel);
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
			idx_remove(sh, rel);
			idx_remove_dir(sh, rel);
			linked_set(sh, rel, 0);
			touch(sh, rel);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (idx_get(sh, rel)) {
				idx_remove(sh, rel); /* it was a file */
				touch(sh, rel);
			}
			if (has_dot_git(sh, rel)) {
				report_add(&sh->report.nested, &sh->report.nnested, rel);
				idx_remove_dir(sh, rel);
				touch(sh, rel);
				continue;
			}
			drop_gone_under(sh, rel);
			if (!kept && shadow_skips_dir(sh, rel))
				continue;
			rc = add_dir(sh, rel, kept, err);
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			if (idx_has_under(sh, rel)) {
				idx_remove_dir(sh, rel); /* it was a directory */
				touch(sh, rel);
			}
			rc = add_file(sh, rel, &st, kept, err);
		} else {
			/* a fifo, socket or device: not content */
			idx_remove(sh, rel);
			touch(sh, rel);
		}
	}
	/* a file with other names may have changed through one of them,
	 * outside the workspace or unseen: its stat data says */
	for (size_t i = 0; i < sh->nlinked && rc == 0; i++) {
		char *rel = xstrdup(sh->linked[i]);
		const git_index_entry *ie = idx_get(sh, rel);
		struct stat st;

		if (ws_lstat(sh, rel, &st) == 0 && S_ISREG(st.st_mode) &&
		    (!ie || ie->mtime.seconds != st.st_mtim.tv_sec || ie->mtime.nanoseconds != (uint32_t)st.st_mtim.tv_nsec ||
		     ie->file_size != (uint32_t)st.st_size || ie->ino != (uint32_t)st.st_ino))
			rc = add_file(sh, rel, &st, matches_keep(sh, rel), err);
		free(rel);
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
	char **todo = NULL, **extra = NULL;
	size_t ntodo = 0, cap = 0, nextra = 0, ecap = 0;
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
			char *real = ipath_dec(d->old_file.path);
			struct stat st;

			git_index_remove_bypath(sh->index, d->old_file.path);
			touch(sh, real ? real : d->old_file.path);
			/* libgit2's walk never shows a ".Git": its encoded entry
			 * looks deleted while the file is there */
			if (real && ws_lstat(sh, real, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
				extra = xgrow(extra, &ecap, nextra + 1, sizeof(char *));
				extra[nextra++] = real;
				todo = xgrow(todo, &cap, ntodo + 1, sizeof(char *));
				todo[ntodo++] = real;
			} else {
				free(real);
			}
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
	for (size_t i = 0; i < nextra; i++)
		free(extra[i]);
	free(extra);
	if (rc == 0 && sh->nkeep)
		rc = add_kept(sh, "", err);
	if (finish_pack(sh, err) < 0)
		rc = -1;
out:
	git_diff_free(diff);
	sh->progress = NULL;
	return rc;
}
