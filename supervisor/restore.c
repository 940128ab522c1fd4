/*
 * restore.c - checkpoints back on disk; see restore.h.
 *
 * libgit2's checkout is not used: it writes files in place (through hard
 * links) and resolves parent directories by path.  Here every write goes
 * through directory descriptors opened one component at a time with
 * O_NOFOLLOW from the workspace's own descriptor, so a symbolic link the
 * agent swapped in for a directory is refused, never followed.  Order:
 * removals first (so a file can become a directory and back), then empty
 * directories they leave, then writes, each to a temporary name renamed
 * over the real one.
 */
#define _GNU_SOURCE
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void restore_report_release(struct restore_report *r)
{
	for (size_t i = 0; i < r->nrefused; i++)
		free(r->refused[i]);
	free(r->refused);
	memset(r, 0, sizeof(*r));
}

static void refuse(struct restore_report *r, const char *path, const char *why)
{
	r->refused = xrealloc(r->refused, (r->nrefused + 1) * sizeof(char *));
	r->refused[r->nrefused++] = xasprintf("%s: %s", path, why);
}

/*
 * A path a restore must never write: empty parts, ".", "..", ".git".  (".Git"
 * is a name of its own on Linux; where a directory ignores case, it is
 * refused when it is written: see same_as_dot_git.)
 */
static int bad_path(const char *p)
{
	if (!*p || *p == '/')
		return 1;
	for (const char *s = p; s; s = strchr(s, '/')) {
		size_t n;

		if (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)) ||
		    (n == 4 && !strncmp(s, ".git", 4)))
			return 1;
	}
	return 0;
}

/*
 * Would name, in dirfd, be the repository's ".git"?  Only ".git" itself on
 * a file system that keeps case; any case of it on one that folds case
 * (ext4 casefold, vfat), where ".Git" opens ".git".
 */
static int same_as_dot_git(int dirfd, const char *name)
{
	struct stat a, b;

	if (strlen(name) != 4 || strncasecmp(name, ".git", 4))
		return 0;
	if (!strcmp(name, ".git"))
		return 1;
	if (fstatat(dirfd, ".git", &a, AT_SYMLINK_NOFOLLOW) < 0)
		return 0; /* no .git here at all */
	return fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) < 0 ? 0 : a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int restore_open_parent(int root, const char *rel, int create, const char **name)
{
	char *copy = xstrdup(rel), *part = copy, *slash;
	int fd = dup(root);

	while (fd >= 0 && (slash = strchr(part, '/'))) {
		int sub;

		*slash = 0;
		if (!*part || !strcmp(part, ".") || !strcmp(part, "..") || same_as_dot_git(fd, part)) {
			close(fd);
			free(copy);
			errno = EPERM;
			return -1;
		}
		sub = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && errno == ENOENT && create && mkdirat(fd, part, 0777) == 0)
			sub = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			int e = errno;

			close(fd);
			free(copy);
			errno = e;
			return -1;
		}
		close(fd);
		fd = sub;
		part = slash + 1;
	}
	*name = rel + (part - copy);
	free(copy);
	return fd;
}

/* The test suite's kill in the middle of a restore: after this many files. */
static long fault_left = -1;

static void fault_point(void)
{
	if (fault_left >= 0 && fault_left-- == 0)
		raise(SIGKILL);
}

/* Write one blob at dirfd/name: beside it first, then renamed over it. */
static int put_file(int dirfd, const char *name, git_blob *blob, git_filemode_t mode, const char **why)
{
	static unsigned counter;
	char tmp[64];
	const char *data = git_blob_rawcontent(blob);
	size_t len = (size_t)git_blob_rawsize(blob);

	snprintf(tmp, sizeof(tmp), ".belay-restore-%d-%u", (int)getpid(), counter++);
	if (mode == GIT_FILEMODE_LINK) {
		char *target = xstrndup(data, len);
		int rc = symlinkat(target, dirfd, tmp);

		free(target);
		if (rc < 0) {
			*why = strerror(errno);
			return -1;
		}
	} else {
		int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0777 : 0666);

		if (fd < 0) {
			*why = strerror(errno);
			return -1;
		}
		if (fd_write_all(fd, data, len) < 0 || close(fd) < 0) {
			*why = strerror(errno);
			unlinkat(dirfd, tmp, 0);
			return -1;
		}
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		/* an empty directory where the file goes: it goes */
		if ((errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) && unlinkat(dirfd, name, AT_REMOVEDIR) == 0 &&
		    renameat(dirfd, tmp, dirfd, name) == 0)
			return 0;
		*why = errno == EISDIR || errno == ENOTEMPTY ? "a directory is in the way" : strerror(errno);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

static char *journal_path(struct shadow *sh)
{
	return xasprintf("%s/restore.journal", shadow_dir(sh));
}

static int journal_write(struct shadow *sh, const git_oid *to, const char *label, struct buf *err)
{
	char *path = journal_path(sh);
	json_t *o = json_pack("{s:s, s:s}", "to", git_oid_tostr_s(to), "label", label);
	char *text = json_dumps(o, JSON_COMPACT);
	int rc = 0;

	/* synced: it must outlive a crash in the middle of the restore */
	if (write_file_replace(path, text, strlen(text), 1) < 0) {
		buf_addf(err, "cannot write the restore journal '%s': %s; nothing was restored", path, strerror(errno));
		rc = -1;
	}
	free(text);
	json_decref(o);
	free(path);
	return rc;
}

static void journal_remove(struct shadow *sh)
{
	char *path = journal_path(sh);

	unlink(path);
	free(path);
}

/*
 * Tell a running session that belay itself rewrote the workspace: its
 * watch saw the writes, and they are not its agent's (restore.h).
 */
static void mark_restored(struct shadow *sh, const char *label)
{
	char *path = xasprintf("%s/restored", shadow_dir(sh)), *text = xasprintf("%s\n", label);

	write_file_replace(path, text, strlen(text), 0);
	free(text);
	free(path);
}

void restore_stamp_label(struct shadow *sh, char *out, size_t len)
{
	char *path = xasprintf("%s/restored", shadow_dir(sh));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd >= 0 && len ? read(fd, out, len - 1) : -1;

	if (len)
		out[n > 0 ? n : 0] = '\0';
	if (len)
		out[strcspn(out, "\n")] = '\0';
	if (fd >= 0)
		close(fd);
	free(path);
}

/* Remove the directories of path that are empty now, deepest first. */
static void prune_dirs(int root, const char *rel)
{
	char *p = xstrdup(rel), *slash;

	while ((slash = strrchr(p, '/'))) {
		const char *name;
		int fd;

		*slash = 0;
		fd = restore_open_parent(root, p, 0, &name);
		if (fd < 0 || unlinkat(fd, name, AT_REMOVEDIR) < 0) {
			if (fd >= 0)
				close(fd);
			break;
		}
		close(fd);
	}
	free(p);
}

static void add_path(char ***v, size_t *n, size_t *cap, const char *p)
{
	*v = xgrow(*v, cap, *n + 1, sizeof(char *));
	(*v)[(*n)++] = xstrdup(p);
}

int restore_tree(struct shadow *sh, const git_oid *from, const git_oid *to, const char *label,
		 struct restore_report *rep, struct buf *err)
{
	git_repository *repo = shadow_repo(sh);
	git_tree *tf = NULL, *tt = NULL;
	git_diff *diff = NULL;
	char **touched = NULL;
	size_t ntouched = 0, cap = 0, n;
	int root = -1, rc = -1, failed = 0;
	git_oid now;

	if (git_tree_lookup(&tf, repo, from) < 0 || git_tree_lookup(&tt, repo, to) < 0 ||
	    git_diff_tree_to_tree(&diff, repo, tf, tt, NULL) < 0) {
		buf_addf(err, "cannot read the checkpoints to restore: %s", shadow_git_error());
		goto out;
	}
	n = git_diff_num_deltas(diff);
	fault_left = getenv("BELAY_FAULT_RESTORE_AFTER") ? atol(getenv("BELAY_FAULT_RESTORE_AFTER")) : -1;
	root = open(shadow_workspace(sh), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		buf_addf(err, "cannot open the workspace '%s': %s", shadow_workspace(sh), strerror(errno));
		goto out;
	}
	if (journal_write(sh, to, label, err) < 0)
		goto out;
	/* removals: what `to` does not have, or has as another type */
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *p = d->old_file.path, *name;
		int fd;

		if (d->status != GIT_DELTA_DELETED && d->status != GIT_DELTA_TYPECHANGE)
			continue;
		if (bad_path(p)) {
			refuse(rep, p, "not a path inside the workspace");
			continue;
		}
		fd = restore_open_parent(root, p, 0, &name);
		if (fd < 0) {
			if (errno != ENOENT)
				refuse(rep, p, "a parent directory is a symbolic link or a file: not followed");
			continue;
		}
		if (same_as_dot_git(fd, name)) {
			refuse(rep, p, "this directory ignores case: the name is the repository's .git");
			close(fd);
			continue;
		}
		fault_point();
		if (unlinkat(fd, name, 0) == 0)
			rep->removed++;
		else if (errno != ENOENT)
			refuse(rep, p, strerror(errno));
		close(fd);
		add_path(&touched, &ntouched, &cap, p);
	}
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status == GIT_DELTA_DELETED || d->status == GIT_DELTA_TYPECHANGE)
			prune_dirs(root, d->old_file.path);
	}
	/* writes: what `to` has and differs */
	for (size_t i = 0; i < n && !failed; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *p = d->new_file.path, *name, *why = NULL;
		git_blob *blob = NULL;
		int fd;

		if (d->status == GIT_DELTA_DELETED)
			continue;
		if (bad_path(p)) {
			refuse(rep, p, "not a path inside the workspace");
			continue;
		}
		if (d->new_file.mode == GIT_FILEMODE_COMMIT)
			continue;
		fd = restore_open_parent(root, p, 1, &name);
		if (fd < 0) {
			refuse(rep, p, errno == ELOOP || errno == ENOTDIR
					       ? "a parent directory is a symbolic link or a file: not followed"
					       : strerror(errno));
			continue;
		}
		if (same_as_dot_git(fd, name)) {
			refuse(rep, p, "this directory ignores case: the name is the repository's .git");
			close(fd);
			continue;
		}
		add_path(&touched, &ntouched, &cap, p);
		fault_point();
		if (git_blob_lookup(&blob, repo, &d->new_file.id) < 0) {
			refuse(rep, p, shadow_git_error());
		} else if (put_file(fd, name, blob, d->new_file.mode, &why) < 0) {
			refuse(rep, p, why);
			/* a full disk fails every write after this one too */
			if (errno == ENOSPC || errno == EDQUOT || errno == EROFS || errno == EIO)
				failed = 1;
		} else {
			rep->written++;
		}
		git_blob_free(blob);
		close(fd);
	}
	/* the index learns the restored files' stat data */
	if (shadow_scan_paths(sh, touched, ntouched, err) < 0 || shadow_write_tree(sh, &now, err) < 0)
		goto out;
	if (!git_oid_equal(&now, to)) {
		git_tree *tn = NULL;
		git_diff *left = NULL;

		buf_addf(err, "the restore is not complete; files that remain to restore:");
		if (git_tree_lookup(&tn, repo, &now) == 0 && git_diff_tree_to_tree(&left, repo, tn, tt, NULL) == 0)
			for (size_t i = 0; i < git_diff_num_deltas(left); i++)
				buf_addf(err, " '%s'", git_diff_get_delta(left, i)->new_file.path);
		for (size_t i = 0; i < rep->nrefused; i++)
			buf_addf(err, "\n  %s", rep->refused[i]);
		buf_addstr(err, "\nfix the cause, then run any belay command in this workspace to finish it");
		git_diff_free(left);
		git_tree_free(tn);
		goto out;
	}
	journal_remove(sh);
	mark_restored(sh, label);
	rc = 0;
out:
	for (size_t i = 0; i < ntouched; i++)
		free(touched[i]);
	free(touched);
	if (root >= 0)
		close(root);
	git_diff_free(diff);
	git_tree_free(tf);
	git_tree_free(tt);
	return rc;
}

int restore_resume(struct shadow *sh, struct buf *out, struct buf *err)
{
	char *path = journal_path(sh), *label = NULL;
	json_t *j = json_load_file(path, 0, NULL);
	const char *to_s = j ? json_string_value(json_object_get(j, "to")) : NULL;
	struct restore_report rep = { 0 };
	git_oid to, from;
	git_tree *tf = NULL, *tt = NULL;
	git_diff *diff = NULL;
	int rc = 0;

	if (!j) {
		if (access(path, F_OK) == 0) {
			buf_addf(err, "cannot read the restore journal '%s': remove it if no restore was running", path);
			rc = -1;
		}
		goto out;
	}
	if (!to_s || git_oid_fromstr(&to, to_s) < 0) {
		buf_addf(err, "the restore journal '%s' is damaged: remove it, then roll back again", path);
		rc = -1;
		goto out;
	}
	label = xstrdup(json_string_value(json_object_get(j, "label")) ?: "restore");
	shadow_lock(sh);
	if (shadow_scan_all(sh, NULL, NULL, err) < 0 || shadow_write_tree(sh, &from, err) < 0) {
		rc = -1;
		goto unlock;
	}
	if (git_tree_lookup(&tf, shadow_repo(sh), &from) == 0 && git_tree_lookup(&tt, shadow_repo(sh), &to) == 0 &&
	    git_diff_tree_to_tree(&diff, shadow_repo(sh), tf, tt, NULL) == 0) {
		buf_addf(out, "belay: an interrupted %s left %zu file(s) to restore:", label, git_diff_num_deltas(diff));
		for (size_t i = 0; i < git_diff_num_deltas(diff) && i < 50; i++)
			buf_addf(out, " '%s'", git_diff_get_delta(diff, i)->new_file.path);
		buf_addstr(out, "\n");
	}
	rc = restore_tree(sh, &from, &to, label, &rep, err);
	if (rc == 0)
		buf_addf(out, "belay: restored them (%u written, %u removed)\n", rep.written, rep.removed);
unlock:
	shadow_unlock(sh);
out:
	restore_report_release(&rep);
	git_diff_free(diff);
	git_tree_free(tf);
	git_tree_free(tt);
	json_decref(j);
	free(label);
	free(path);
	return rc;
}

int restore_revert_tree(struct shadow *sh, const git_oid *before, const git_oid *after, const git_oid *present,
			git_oid *out, struct buf *conflicts, struct buf *err)
{
	git_repository *repo = shadow_repo(sh);
	git_tree *tb = NULL, *ta = NULL, *tp = NULL;
	git_index *idx = NULL;
	git_merge_options mo;
	int rc = -1;

	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	mo.flags = 0; /* no rename detection: a revert undoes what the step did, path by path */
	if (git_tree_lookup(&tb, repo, before) < 0 || git_tree_lookup(&ta, repo, after) < 0 ||
	    git_tree_lookup(&tp, repo, present) < 0) {
		buf_addf(err, "cannot read the checkpoints: %s", shadow_git_error());
		goto out;
	}
	/* ancestor: the step's result; ours: now; theirs: before the step */
	if (git_merge_trees(&idx, repo, ta, tp, tb, &mo) < 0) {
		buf_addf(err, "cannot merge: %s", shadow_git_error());
		goto out;
	}
	if (git_index_has_conflicts(idx)) {
		git_index_conflict_iterator *it = NULL;
		const git_index_entry *a, *o, *t;

		if (git_index_conflict_iterator_new(&it, idx) == 0) {
			while (git_index_conflict_next(&a, &o, &t, it) == 0) {
				const git_index_entry *e = o ? o : t ? t : a;

				buf_addf(conflicts, "%s%s", conflicts->len ? " " : "", e->path);
			}
			git_index_conflict_iterator_free(it);
		}
		rc = 1;
		goto out;
	}
	if (git_index_write_tree_to(out, idx, repo) < 0) {
		buf_addf(err, "cannot write the reverted tree: %s", shadow_git_error());
		goto out;
	}
	rc = 0;
out:
	git_index_free(idx);
	git_tree_free(tb);
	git_tree_free(ta);
	git_tree_free(tp);
	return rc;
}
