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
#include "shadow-int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "dirs.h"
#include "glob.h"
#include "packwrite.h"
#include "util.h"


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
	size_t failed = strlen(path);
	int e = make_dirs(path, &failed);

	if (e < 0)
		buf_addf(err, "cannot create '%.*s': %s", (int)failed, path, strerror(-e));
	return e < 0 ? -1 : 0;
}

static int write_file(const char *path, const char *text, struct buf *err)
{
	if (write_file_replace(path, text, strlen(text), 0) == 0)
		return 0;
	buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
	return -1;
}

void index_stamp(struct shadow *sh, struct stat *st);

int git_fail(struct buf *err, const char *what)
{
	buf_addf(err, "%s: %s", what, shadow_git_error());
	return -1;
}

static void linked_load(struct shadow *sh);
static void drop_stale_locks(struct shadow *sh, int refs);

/*
 * The checkpoint settings of the policy (skip, keep, max-size), saved with
 * the store so that "belay log", "diff" and "rollback" see the workspace as
 * the session did: a file a keep line checkpoints is not "ignored" to them.
 */
static void settings_save(const char *dir, const struct shadow_opts *o)
{
	json_t *j = json_object(), *skip = json_array(), *keep = json_array();
	char *path = xasprintf("%s/settings.json", dir), *text;

	for (char *const *k = o->skip; k && *k; k++)
		json_array_append_new(skip, json_string(*k));
	for (char *const *k = o->keep; k && *k; k++)
		json_array_append_new(keep, json_string(*k));
	json_object_set_new(j, "skip", skip);
	json_object_set_new(j, "keep", keep);
	json_object_set_new(j, "max_size", json_integer((json_int_t)o->max_file_size));
	json_object_set_new(j, "history", json_integer(o->history));
	json_object_set_new(j, "history_days", json_integer(o->history_days));
	text = json_dumps(j, JSON_COMPACT);
	if (text)
		write_file_replace(path, text, strlen(text), 0);
	free(text);
	json_decref(j);
	free(path);
}

struct saved_settings {
	char **skip, **keep;
};

static char **strings_of(json_t *a)
{
	char **v = xcalloc(json_array_size(a) + 1, sizeof(char *));
	size_t i, n = 0;
	json_t *x;

	json_array_foreach(a, i, x)
		if (json_is_string(x))
			v[n++] = xstrdup(json_string_value(x));
	return v;
}

static struct saved_settings *settings_load(const char *dir, struct shadow_opts *o)
{
	char *path = xasprintf("%s/settings.json", dir);
	json_t *j = json_load_file(path, 0, NULL);
	struct saved_settings *ss = NULL;

	free(path);
	memset(o, 0, sizeof(*o));
	if (json_is_object(j)) {
		ss = xcalloc(1, sizeof(*ss));
		ss->skip = strings_of(json_object_get(j, "skip"));
		ss->keep = strings_of(json_object_get(j, "keep"));
		o->skip = ss->skip;
		o->keep = ss->keep;
		o->max_file_size = (uint64_t)json_integer_value(json_object_get(j, "max_size"));
		if (json_integer_value(json_object_get(j, "history")) > 0 &&
		    json_integer_value(json_object_get(j, "history")) < 1000000)
			o->history = (unsigned)json_integer_value(json_object_get(j, "history"));
		if (json_integer_value(json_object_get(j, "history_days")) > 0 &&
		    json_integer_value(json_object_get(j, "history_days")) < 1000000)
			o->history_days = (unsigned)json_integer_value(json_object_get(j, "history_days"));
	}
	json_decref(j);
	return ss;
}

static void settings_free(struct saved_settings *ss)
{
	if (!ss)
		return;
	for (char **k = ss->skip; *k; k++)
		free(*k);
	for (char **k = ss->keep; *k; k++)
		free(*k);
	free(ss->skip);
	free(ss->keep);
	free(ss);
}

struct shadow *shadow_open(const char *workspace, const struct shadow_opts *o, struct buf *err)
{
	struct shadow_opts loaded;
	struct saved_settings *saved = NULL;
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
	if (!o || !o->from_policy) {
		/* the command line: the settings the last session's policy gave */
		saved = settings_load(sh->dir, &loaded);
		if (saved)
			o = &loaded;
	}
	sh->max_size = o && o->max_file_size ? o->max_file_size : SHADOW_MAX_FILE_SIZE;
	sh->history = o && o->history ? o->history : SHADOW_HISTORY;
	sh->history_days = o && o->history_days ? o->history_days - 1 : SHADOW_HISTORY_DAYS;
	for (char *const *k = o ? o->keep : NULL; k && *k; k++) {
		sh->keep = xrealloc(sh->keep, (sh->nkeep + 1) * sizeof(char *));
		sh->keep[sh->nkeep++] = xstrdup(*k);
	}
	if (mkdir_p(sh->dir, err) < 0)
		goto fail;
	path = xasprintf("%s/HEAD", sh->dir);
	/* a damaged store is an error, never a hang (storecheck.c) */
	if (access(path, F_OK) == 0 && shadow_check(sh->dir, err) < 0) {
		char *aside, *cut;

		if (!o || !o->fresh_if_damaged) {
			free(path);
			goto fail;
		}
		aside = xasprintf("%s.damaged-%lld", sh->dir, (long long)time(NULL));
		if (rename(sh->dir, aside) < 0 || mkdir_p(sh->dir, err) < 0) {
			buf_addf(err, " (and it cannot be moved aside: %s)", strerror(errno));
			free(aside);
			free(path);
			goto fail;
		}
		if ((cut = strstr(err->data, "; belay will not read it")))
			*cut = 0;
		sh->notice = xasprintf("%s: belay moved it to '%s' and started a fresh one (belay log shows the "
				       "sessions from now on)",
				       err->data, aside);
		buf_reset(err);
		free(aside);
	}
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
		/* Windows' and macOS's reserved names ("git~1", ".git.") are
		 * plain names on Linux; ".Git" is encoded (ipath_enc) */
		git_config_set_bool(cfg, "core.protectNTFS", 0);
		git_config_set_bool(cfg, "core.protectHFS", 0);
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
	if (o && o->from_policy)
		settings_save(sh->dir, o);
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
	if (flock(sh->lock_fd, LOCK_EX | LOCK_NB) == 0) {
		drop_stale_locks(sh, 1);
		flock(sh->lock_fd, LOCK_UN);
	}
	index_stamp(sh, &sh->index_st);
	linked_load(sh);
	if (git_repository_index(&sh->index, sh->repo) < 0) {
		git_fail(err, "cannot open the checkpoint index");
		goto fail;
	}
	buf_release(&text);
	settings_free(saved);
	return sh;
fail:
	buf_release(&text);
	settings_free(saved);
	shadow_free(sh);
	return NULL;
}

#define TOUCHED_MAX 5000

void touch(struct shadow *sh, const char *rel)
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

void touched_clear(struct shadow *sh)
{
	for (size_t i = 0; i < sh->ntouched; i++)
		free(sh->touched[i]);
	sh->ntouched = 0;
	sh->touched_all = 0;
}

void report_clear(struct shadow_report *r)
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
	for (size_t i = 0; i < sh->nlinked; i++)
		free(sh->linked[i]);
	free(sh->linked);
	packwriter_free(sh->pw);
	for (size_t i = 0; i < sh->nkeep; i++)
		free(sh->keep[i]);
	free(sh->keep);
	free(sh->ws);
	free(sh->dir);
	free(sh->notice);
	free(sh);
	git_libgit2_shutdown();
}

git_repository *shadow_repo(struct shadow *sh) { return sh->repo; }
git_index *shadow_index(struct shadow *sh) { return sh->index; }
const char *shadow_workspace(const struct shadow *sh) { return sh->ws; }
void shadow_history(const struct shadow *sh, unsigned *sessions, unsigned *days)
{
	*sessions = sh->history;
	*days = sh->history_days;
}

const char *shadow_dir(const struct shadow *sh) { return sh->dir; }
const char *shadow_notice(const struct shadow *sh) { return sh->notice; }
const struct shadow_report *shadow_report(const struct shadow *sh) { return &sh->report; }

void index_stamp(struct shadow *sh, struct stat *st)
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
void index_refresh(struct shadow *sh)
{
	struct stat st;

	index_stamp(sh, &st);
	if (st.st_ino == sh->index_st.st_ino && st.st_size == sh->index_st.st_size &&
	    st.st_mtim.tv_sec == sh->index_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == sh->index_st.st_mtim.tv_nsec)
		return;
	git_index_read(sh->index, 1);
	sh->index_st = st;
}

/*
 * Under belay's lock no other belay writes: a git lock file there is what a
 * killed belay left (a stale one stops every later write).  The index's at
 * every lock; the refs' when the store is opened.
 */
static void drop_stale_locks(struct shadow *sh, int refs)
{
	char *p = xasprintf("%s/index.lock", sh->dir);

	unlink(p);
	free(p);
	if (refs) {
		char *dir = xasprintf("%s/refs/belay/sessions", sh->dir);
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			size_t n = strlen(e->d_name);

			if (n > 5 && !strcmp(e->d_name + n - 5, ".lock")) {
				char *q = xasprintf("%s/%s", dir, e->d_name);

				unlink(q);
				free(q);
			}
		}
		if (d)
			closedir(d);
		free(dir);
		p = xasprintf("%s/packed-refs.lock", sh->dir);
		unlink(p);
		free(p);
	}
}

void shadow_lock(struct shadow *sh)
{
	if (sh->locked++)
		return;
	while (flock(sh->lock_fd, LOCK_EX) < 0 && errno == EINTR)
		;
	drop_stale_locks(sh, 0);
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
	drop_stale_locks(sh, 0);
	return 0;
}

void shadow_unlock(struct shadow *sh)
{
	if (!sh->locked || --sh->locked)
		return;
	flock(sh->lock_fd, LOCK_UN);
}

void report_add(char ***v, size_t *n, const char *text)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], text))
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(text);
}

void report_too_big(struct shadow *sh, const char *rel, uint64_t size)
{
	char *t = size >= (1 << 20) ? xasprintf("%s (%llu MB)", rel, (unsigned long long)(size >> 20))
				    : xasprintf("%s (%llu KB)", rel, (unsigned long long)(size >> 10));

	report_add(&sh->report.skipped, &sh->report.nskipped, t);
	free(t);
}

/* lstat of a path relative to the workspace */
int ws_lstat(const struct shadow *sh, const char *rel, struct stat *st)
{
	char *p = xasprintf("%s/%s", sh->ws, rel);
	int rc = lstat(p, st);

	free(p);
	return rc;
}

/* a relative path with a ".git" component: the user's repository, never ours */
int in_dot_git(const char *rel)
{
	for (const char *p = rel; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (!strncmp(p, ".git", 4) && (p[4] == '/' || !p[4]))
			return 1;
	}
	return 0;
}

int matches_keep(const struct shadow *sh, const char *rel)
{
	for (size_t i = 0; i < sh->nkeep; i++)
		if (glob_match(sh->keep[i], rel, GLOB_PATH) == 1)
			return 1;
	return 0;
}


struct packwriter *scan_pack(struct shadow *sh, struct buf *err)
{
	if (!sh->pw) {
		char *objects = xasprintf("%s/objects", sh->dir);

		sh->pw = packwriter_new(objects, err);
		free(objects);
	}
	return sh->pw;
}

int store_blob(struct shadow *sh, const void *data, size_t len, git_oid *oid, struct buf *err)
{
	git_odb *odb;
	int rc;

	if (++sh->nwritten > LOOSE_MAX)
		return scan_pack(sh, err) ? packwriter_add(sh->pw, GIT_OBJECT_BLOB, data, len, oid, err) : -1;
	if (git_repository_odb(&odb, sh->repo) < 0)
		return git_fail(err, "cannot open the checkpoint objects");
	rc = git_odb_write(oid, odb, data, len, GIT_OBJECT_BLOB);
	git_odb_free(odb);
	return rc < 0 ? git_fail(err, "cannot store a file") : 0;
}

/* Objects written into a pack become readable once it is finished. */
int finish_pack(struct shadow *sh, struct buf *err)
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

/* The files with other names (see scan.c), one per line, kept beside the index. */
static void linked_save(struct shadow *sh)
{
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/linked", sh->dir);

	for (size_t i = 0; i < sh->nlinked; i++)
		if (!strchr(sh->linked[i], '\n'))
			buf_addf(&b, "%s\n", sh->linked[i]);
	write_file_replace(path, b.data ? b.data : "", b.len, 0);
	buf_release(&b);
	free(path);
}

static void linked_load(struct shadow *sh)
{
	char *path = xasprintf("%s/linked", sh->dir), *line = NULL;
	FILE *f = fopen(path, "re");
	size_t cap = 0;
	ssize_t n;

	free(path);
	while (f && (n = getline(&line, &cap, f)) > 1 && sh->nlinked < 100000) {
		line[n - 1] = 0;
		sh->linked = xgrow(sh->linked, &sh->linked_cap, sh->nlinked + 1, sizeof(char *));
		sh->linked[sh->nlinked++] = xstrdup(line);
	}
	free(line);
	if (f)
		fclose(f);
}

int shadow_has_linked(const struct shadow *sh)
{
	return sh->nlinked > 0;
}

int shadow_flush_index(struct shadow *sh, struct buf *err)
{
	if (!sh->index_dirty)
		return 0;
	linked_save(sh);
	if (git_index_write(sh->index) < 0)
		return git_fail(err, "cannot write the checkpoint index");
	index_stamp(sh, &sh->index_st);
	sh->index_dirty = 0;
	return 0;
}

int shadow_commit(struct shadow *sh, const char *ref, const git_oid *tree_oid, const git_oid *extra, size_t nextra,
		  const char *summary, const char *meta, git_oid *out, struct buf *err)
{
	git_oid parent_oid;
	git_commit **parents = xcalloc(nextra + 1, sizeof(*parents));
	size_t np = 0;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	char *msg = xasprintf("%s\n\n%s\n", summary, meta);
	int rc = -1;

	if (ref && git_reference_name_to_id(&parent_oid, sh->repo, ref) == 0) {
		if (git_commit_lookup(&parents[np], sh->repo, &parent_oid) < 0) {
			git_fail(err, "cannot read the last checkpoint");
			goto out;
		}
		np++;
	}
	for (size_t i = 0; i < nextra; i++) {
		if (git_commit_lookup(&parents[np], sh->repo, &extra[i]) < 0) {
			git_fail(err, "cannot read a checkpoint");
			goto out;
		}
		np++;
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
	if (git_commit_create(out, sh->repo, ref, sig, sig, NULL, msg, tree, np, (const git_commit **)parents) < 0) {
		git_fail(err, "cannot record a checkpoint");
		goto out;
	}
	rc = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	for (size_t i = 0; i < np; i++)
		git_commit_free(parents[i]);
	free(parents);
	free(msg);
	return rc;
}

/*
 * What libgit2 refuses in an index it reads, whatever the repository's
 * settings: ".git" and Windows' "GIT~1" in any case, alone or followed
 * only by dots and spaces, or by ':' or '\\' and anything.
 */
static int part_needs_enc(const char *p, size_t n)
{
	size_t k = n >= 4 && !strncasecmp(p, ".git", 4) ? 4 : n >= 5 && !strncasecmp(p, "git~1", 5) ? 5 : 0;

	if (n && p[0] == '\001')
		return 1;
	if (!k)
		return 0;
	if (k < n && (p[k] == ':' || p[k] == '\\'))
		return 1;
	for (; k < n; k++)
		if (p[k] != '.' && p[k] != ' ')
			return 0;
	return 1;
}

char *ipath_enc(const char *rel)
{
	struct buf b = BUF_INIT;
	int any = 0;

	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");

		if (part_needs_enc(p, n)) {
			any = 1;
			break;
		}
		p += n;
		if (*p)
			p++;
	}
	if (!any)
		return NULL;
	for (const char *p = rel;;) {
		size_t n = strcspn(p, "/");

		if (part_needs_enc(p, n)) {
			buf_addstr(&b, "\001");
			for (size_t i = 0; i < n; i++)
				buf_addf(&b, "%02x", (unsigned char)p[i]);
		} else {
			buf_add(&b, p, n);
		}
		p += n;
		if (!*p)
			break;
		buf_addstr(&b, "/");
		p++;
	}
	return buf_detach(&b, NULL);
}

char *ipath_dec_part(const char *part, size_t n)
{
	char *out;

	if (!n || part[0] != '\001')
		return xstrndup(part, n);
	out = xmalloc(n / 2 + 1);
	n = (n - 1) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		sscanf(part + 1 + 2 * i, "%2x", &v);
		out[i] = (char)v;
	}
	out[n] = 0;
	return out;
}

char *ipath_dec(const char *ipath)
{
	struct buf b = BUF_INIT;

	if (!strchr(ipath, '\001'))
		return NULL;
	for (const char *p = ipath;;) {
		size_t n = strcspn(p, "/");
		char *part = ipath_dec_part(p, n);

		buf_addstr(&b, part);
		free(part);
		p += n;
		if (!*p)
			break;
		buf_addstr(&b, "/");
		p++;
	}
	return buf_detach(&b, NULL);
}
