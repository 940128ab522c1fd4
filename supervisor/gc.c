/*
 * gc.c - dropping old sessions and pruning the shadow repository; see gc.h.
 */
#define _GNU_SOURCE
#include "gc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "packwrite.h"
#include "shadow-int.h"
#include "util.h"

/*
 * Every object is written under the lock and named by a ref before the lock
 * is let go, but for one: a step's base whose checkpoint failed waits, loose,
 * for the next.  The automatic gc leaves loose objects this young alone;
 * "belay gc", asked for, prunes them all.
 */
#define LOOSE_GRACE 600

struct sess {
	unsigned n;
	double time; /* its newest checkpoint */
};

/* A set of object ids: open addressing on their first bytes. */
struct oidset {
	git_oid *v;
	unsigned char *used;
	size_t n, cap;
};

static size_t slot_of(const struct oidset *s, const git_oid *id)
{
	uint64_t h;

	memcpy(&h, id->id, sizeof(h));
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
		if (!s->used[i] || git_oid_equal(&s->v[i], id))
			return i;
}

/* Add id; returns 0 when it was there already. */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct oidset t = { 0 };

		t.cap = s->cap ? 2 * s->cap : 1024;
		t.v = xcalloc(t.cap, sizeof(*t.v));
		t.used = xcalloc(t.cap, 1);
		for (size_t k = 0; k < s->cap; k++) {
			if (s->used[k]) {
				size_t j = slot_of(&t, &s->v[k]);

				t.v[j] = s->v[k];
				t.used[j] = 1;
				t.n++;
			}
		}
		free(s->v);
		free(s->used);
		*s = t;
	}
	i = slot_of(s, id);
	if (s->used[i])
		return 0;
	s->v[i] = *id;
	s->used[i] = 1;
	s->n++;
	return 1;
}

static void oidset_free(struct oidset *s)
{
	free(s->v);
	free(s->used);
}

static int list_sessions(struct shadow *sh, struct sess **out, size_t *n)
{
	git_reference_iterator *it = NULL;
	const char *name;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (git_reference_iterator_glob_new(&it, sh->repo, "refs/belay/sessions/*") < 0)
		return -1;
	while (git_reference_next_name(&name, it) == 0) {
		git_commit *c = NULL;
		git_oid oid;
		long k;

		if (!parse_int(name + strlen("refs/belay/sessions/"), 1, 1000000000, &k))
			continue;
		*out = xgrow(*out, &cap, *n + 1, sizeof(**out));
		(*out)[*n].n = (unsigned)k;
		(*out)[*n].time = 0;
		if (git_reference_name_to_id(&oid, sh->repo, name) == 0 && git_commit_lookup(&c, sh->repo, &oid) == 0)
			(*out)[*n].time = (double)git_commit_time(c);
		git_commit_free(c);
		(*n)++;
	}
	git_reference_iterator_free(it);
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	unsigned x = ((const struct sess *)a)->n, y = ((const struct sess *)b)->n;

	return x > y ? -1 : x < y;
}

/* Mark the sessions to drop (n set to 0 for those that stay); returns how many. */
static unsigned choose(struct sess *s, size_t n, unsigned keep, unsigned days, double now)
{
	unsigned drop = 0;

	qsort(s, n, sizeof(*s), newest_first);
	for (size_t i = 0; i < n; i++) {
		/* one of the newest, or recent (a running session is) */
		if (i < keep || (days && s[i].time >= now - (double)days * 86400))
			s[i].n = 0;
		else
			drop++;
	}
	return drop;
}

unsigned shadow_gc_due(struct shadow *sh, unsigned sessions, unsigned days, double now)
{
	struct sess *s;
	size_t n;
	unsigned drop;

	if (list_sessions(sh, &s, &n) < 0)
		return 0;
	drop = choose(s, n, sessions ? sessions : SHADOW_HISTORY, days, now);
	free(s);
	return drop;
}

static int mark_tree(struct shadow *sh, struct oidset *set, const git_oid *id)
{
	git_tree *t = NULL;
	int rc = 0;

	if (!oidset_add(set, id))
		return 0;
	if (git_tree_lookup(&t, sh->repo, id) < 0)
		return -1;
	for (size_t i = 0; i < git_tree_entrycount(t) && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);

		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			rc = mark_tree(sh, set, git_tree_entry_id(e));
		else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			oidset_add(set, git_tree_entry_id(e));
	}
	git_tree_free(t);
	return rc;
}

/* Every object a ref reaches (all parents: a step's base is one), and the index's. */
static int mark_reachable(struct shadow *sh, struct oidset *set, struct buf *err)
{
	git_revwalk *w = NULL;
	git_oid id;
	int rc = 0;

	if (git_revwalk_new(&w, sh->repo) < 0 || git_revwalk_push_glob(w, "refs/*") < 0) {
		git_revwalk_free(w);
		return git_fail(err, "cannot walk the checkpoints");
	}
	while (rc == 0 && git_revwalk_next(&id, w) == 0) {
		git_commit *c = NULL;

		oidset_add(set, &id);
		if (git_commit_lookup(&c, sh->repo, &id) < 0 || mark_tree(sh, set, git_commit_tree_id(c)) < 0)
			rc = git_fail(err, "cannot read a checkpoint");
		git_commit_free(c);
	}
	git_revwalk_free(w);
	/* the index's files are what the next checkpoint reuses without reading */
	for (size_t i = 0; rc == 0 && i < git_index_entrycount(sh->index); i++) {
		const git_index_entry *e = git_index_get_byindex(sh->index, i);

		if ((e->mode & 0170000) != 0160000)
			oidset_add(set, &e->id);
	}
	return rc;
}

/* Write every object of the set into one new pack; its name in name. */
static int pack_set(struct shadow *sh, const struct oidset *set, char *name, size_t size, struct buf *err)
{
	char *objects = xasprintf("%s/objects", sh->dir);
	struct packwriter *pw = packwriter_new(objects, err);
	git_odb *odb = NULL;
	int rc = 0;

	free(objects);
	if (!pw)
		return -1;
	if (git_repository_odb(&odb, sh->repo) < 0) {
		packwriter_free(pw);
		return git_fail(err, "cannot open the checkpoint objects");
	}
	for (size_t i = 0; i < set->cap && rc == 0; i++) {
		git_odb_object *o;
		git_oid id;

		if (!set->used[i])
			continue;
		if (git_odb_read(&o, odb, &set->v[i]) < 0) {
			/* an index entry whose object never reached the store: nothing to keep */
			continue;
		}
		rc = packwriter_add(pw, git_odb_object_type(o), git_odb_object_data(o), git_odb_object_size(o), &id, err);
		git_odb_object_free(o);
	}
	if (rc == 0)
		rc = packwriter_finish(pw, err);
	snprintf(name, size, "%s", packwriter_name(pw));
	packwriter_free(pw);
	git_odb_free(odb);
	return rc;
}

static char **old_packs(const char *packdir, size_t *n)
{
	DIR *d = opendir(packdir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 9 && !strncmp(de->d_name, "pack-", 5) && !strcmp(de->d_name + len - 4, ".idx")) {
			v = xgrow(v, &cap, *n + 1, sizeof(char *));
			v[(*n)++] = xasprintf("%s/%.*s", packdir, (int)(len - 4), de->d_name);
		}
	}
	if (d)
		closedir(d);
	return v;
}

/* Loose objects older than the grace: every one that is needed is in the new pack. */
static size_t prune_loose(const char *objects, double now, double grace)
{
	size_t n = 0;

	for (int i = 0; i < 256; i++) {
		char *dir = xasprintf("%s/%02x", objects, i);
		DIR *d = opendir(dir);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			struct stat st;

			if (strlen(de->d_name) != GIT_OID_HEXSZ - 2 || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(st.st_mode) || (double)st.st_mtime > now - grace)
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) == 0)
				n++;
		}
		if (d) {
			closedir(d);
			rmdir(dir); /* when empty */
		}
		free(dir);
	}
	return n;
}

/* <shadow>/kept/<n>: flat (the files and their list). */
static int drop_kept(const char *shadow_dir, unsigned session)
{
	char *dir = xasprintf("%s/kept/%u", shadow_dir, session);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		free(dir);
		return 0;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rc = rmdir(dir) == 0;
	free(dir);
	return rc;
}

int shadow_gc(struct shadow *sh, unsigned sessions, unsigned days, double now, int dry, int prune_always,
	      struct gc_report *r, struct buf *err)
{
	struct sess *s = NULL;
	size_t n = 0, npacks = 0;
	struct oidset set = { 0 };
	char *packdir = xasprintf("%s/objects/pack", sh->dir), *objects = xasprintf("%s/objects", sh->dir);
	char **packs = NULL, fresh[64] = "";
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (list_sessions(sh, &s, &n) < 0) {
		git_fail(err, "cannot list the sessions");
		goto out;
	}
	r->sessions = (unsigned)n;
	r->dropped = choose(s, n, sessions ? sessions : SHADOW_HISTORY, days, now);
	r->which = xcalloc(r->dropped + 1, sizeof(unsigned));
	for (size_t i = n, k = 0; i-- > 0;)
		if (s[i].n)
			r->which[k++] = s[i].n; /* oldest first */
	if (dry || (!r->dropped && !prune_always)) {
		rc = 0;
		goto out;
	}
	for (unsigned i = 0; i < r->dropped; i++) {
		char *ref = xasprintf("refs/belay/sessions/%u", r->which[i]);
		git_reference *gr = NULL;

		if (git_reference_lookup(&gr, sh->repo, ref) == 0 && git_reference_delete(gr) < 0) {
			git_fail(err, "cannot drop a session");
			git_reference_free(gr);
			free(ref);
			goto out;
		}
		git_reference_free(gr);
		free(ref);
		r->kept_dirs += (unsigned)drop_kept(sh->dir, r->which[i]);
	}
	packs = old_packs(packdir, &npacks);
	if (mark_reachable(sh, &set, err) < 0 || pack_set(sh, &set, fresh, sizeof(fresh), err) < 0)
		goto out;
	r->objects = set.n;
	/* the new pack holds all that is needed: the old ones go (each index first: a pack without one is unseen) */
	for (size_t i = 0; i < npacks; i++) {
		char *idx = xasprintf("%s.idx", packs[i]), *pack = xasprintf("%s.pack", packs[i]);
		char *rev = xasprintf("%s.rev", packs[i]);
		const char *base = strrchr(packs[i], '/') + 1;

		/* the same objects make the same pack: never the one just written */
		if (*fresh && !strcmp(base, fresh)) {
			free(idx), free(pack), free(rev);
			continue;
		}
		if (unlink(idx) == 0)
			r->pruned++;
		unlink(pack);
		unlink(rev);
		free(idx);
		free(pack);
		free(rev);
	}
	r->pruned += prune_loose(objects, now, prune_always ? 0 : LOOSE_GRACE);
	{
		git_odb *odb = NULL;

		if (git_repository_odb(&odb, sh->repo) == 0)
			git_odb_refresh(odb);
		git_odb_free(odb);
	}
	rc = 0;
out:
	for (size_t i = 0; i < npacks; i++)
		free(packs[i]);
	free(packs);
	oidset_free(&set);
	free(s);
	free(packdir);
	free(objects);
	return rc;
}
