/*
 * treewrite.c - belay writes the trees of its checkpoints itself, from the
 * shadow index or from the previous checkpoint's tree and the paths touched
 * since; see shadow.h.
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
			/* removed as a whole (gone, or a file that became a directory):
			 * all it held went; what is below it now is counted as new */
			if (direct && k < ne)
				o->changed += e[k].mode == GIT_FILEMODE_TREE ? shadow_tree_files(o->sh->repo, &e[k].id) : 1;
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
			e[ne].name = ipath_dec_part(rest, strlen(rest));
			e[ne].mode = ie->mode;
			git_oid_cpy(&e[ne++].id, &ie->id);
			(*pos)++;
		} else {
			char *name = xstrndup(rest, slash - rest);
			char *sub = plen ? xasprintf("%s/%s", prefix, name) : xstrdup(name);

			e[ne].name = ipath_dec_part(name, strlen(name));
			free(name);
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
		if (!scan_pack(sh, err))
			return -1;
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

/*
 * base with these updates (sorted here; the same path twice: the first
 * wins) as a new tree, stored.  Returns 0, -1 (err), or 1 when base cannot
 * be read.
 */
static int apply_updates(struct shadow *sh, const git_oid *base_oid, git_tree_update *up, size_t nup, git_oid *out,
			 struct buf *err)
{
	git_tree *base = NULL;
	struct tree_out o = { .sh = sh };
	size_t k = 0;
	int rc = 1, empty = 0;

	if (base_oid && git_tree_lookup(&base, sh->repo, base_oid) < 0)
		return 1;
	qsort(up, nup, sizeof(*up), cmp_update);
	for (size_t i = 0; i < nup; i++)
		if (!k || strcmp(up[i].path, up[k - 1].path))
			up[k++] = up[i];
	nup = k;
	if (build_tree(&o, base, "", up, nup, out, &empty) == 0) {
		rc = store_trees(sh, &o, err) < 0 ? -1 : 0;
		sh->last_changed = (int)o.changed;
	}
	tree_out_release(&o);
	git_tree_free(base);
	return rc;
}

/* The new tree from base and the paths touched since.  Returns 0, or 1: do it the long way. */
static int tree_updated(struct shadow *sh, const git_oid *base_oid, git_oid *out, struct buf *err)
{
	git_tree_update *up = xcalloc(sh->ntouched + 1, sizeof(*up));
	size_t nup = 0;
	int rc;

	for (size_t i = 0; i < sh->ntouched; i++) {
		char *enc = ipath_enc(sh->touched[i]);
		const git_index_entry *e = git_index_get_bypath(sh->index, enc ? enc : sh->touched[i], 0);

		free(enc);

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
	/* the same path twice: one update (the index says what it is now) */
	rc = apply_updates(sh, base_oid, up, nup, out, err);
	free(up);
	return rc;
}

int shadow_tree_apply(struct shadow *sh, const git_oid *base, git_tree_update *up, size_t n, git_oid *out,
		      struct buf *err)
{
	int rc = apply_updates(sh, base, up, n, out, err);

	if (rc > 0)
		buf_addf(err, "cannot read a checkpoint's tree: %s", shadow_git_error());
	return rc ? -1 : 0;
}

/* Does the index hold an encoded name (which git_index_write_tree would write as it is)? */
static int index_encoded(struct shadow *sh)
{
	for (size_t i = 0; i < git_index_entrycount(sh->index); i++)
		if (strchr(git_index_get_byindex(sh->index, i)->path, '\001'))
			return 1;
	return 0;
}

/* The whole index as trees, written with the scan's objects. */
static int write_all_trees(struct shadow *sh, git_oid *tree, struct buf *err)
{
	struct tree_out o = { .sh = sh };
	size_t pos = 0;
	int rc = index_tree(&o, &pos, "", tree) < 0 ? git_fail(err, "cannot write a checkpoint") : store_trees(sh, &o, err);

	tree_out_release(&o);
	if (rc == 0 && getenv("BELAY_VERIFY_TREES") && !index_encoded(sh)) {
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
	if (rc == 0 && getenv("BELAY_VERIFY_TREES") && !index_encoded(sh)) {
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
