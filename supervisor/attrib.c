/*
 * attrib.c - which step changed which path; see attrib.h.
 *
 * The calls are one array in the order they came (a step's calls are those
 * from its first index on), sorted by path only when a step that overlapped
 * others ends.  A path covers what is below it: "rm -rf sub" touched sub,
 * and a renamed directory's files moved with it.
 */
#define _GNU_SOURCE
#include "attrib.h"

#include <stdlib.h>
#include <string.h>

#include "shadow.h"
#include "util.h"

struct note {
	char *rel;
	unsigned step;
};

struct stepinfo {
	size_t from; /* its first note */
	unsigned char open, mixed;
};

struct attrib {
	struct note *notes;
	size_t n, cap;
	struct stepinfo *steps; /* by id - 1 */
	size_t nsteps;
	unsigned *open; /* ids of the steps running */
	size_t nopen, opencap;
};

struct attrib *attrib_new(void)
{
	return xcalloc(1, sizeof(struct attrib));
}

static void forget(struct attrib *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->notes[i].rel);
	a->n = 0;
}

void attrib_free(struct attrib *a)
{
	if (!a)
		return;
	forget(a);
	free(a->notes);
	free(a->steps);
	free(a->open);
	free(a);
}

static struct stepinfo *info(const struct attrib *a, unsigned step)
{
	return step && step <= a->nsteps ? &a->steps[step - 1] : NULL;
}

void attrib_start(struct attrib *a, unsigned step)
{
	struct stepinfo *si;

	if (!step)
		return;
	if (step > a->nsteps) {
		size_t n = a->nsteps;

		a->nsteps = step + 64;
		a->steps = xrealloc(a->steps, a->nsteps * sizeof(*a->steps));
		memset(a->steps + n, 0, (a->nsteps - n) * sizeof(*a->steps));
	}
	si = &a->steps[step - 1];
	if (si->open)
		return;
	si->open = 1;
	si->from = a->n;
	a->open = xgrow(a->open, &a->opencap, a->nopen + 1, sizeof(*a->open));
	a->open[a->nopen++] = step;
}

void attrib_end(struct attrib *a, unsigned step)
{
	struct stepinfo *si = info(a, step);

	if (!si || !si->open)
		return;
	si->open = 0;
	for (size_t i = 0; i < a->nopen; i++) {
		if (a->open[i] == step) {
			a->open[i] = a->open[--a->nopen];
			break;
		}
	}
	/* nothing runs: no later step's range reaches back to these */
	if (!a->nopen)
		forget(a);
}

void attrib_note(struct attrib *a, unsigned step, const char *rel)
{
	if (!rel || !*rel || !a->nopen)
		return;
	/* a call on the path just noted (a write loop, an open and its rename) */
	if (a->n && a->notes[a->n - 1].step == step && !strcmp(a->notes[a->n - 1].rel, rel))
		return;
	for (size_t i = 0; i < a->nopen; i++)
		if (a->open[i] != step)
			a->steps[a->open[i] - 1].mixed = 1;
	a->notes = xgrow(a->notes, &a->cap, a->n + 1, sizeof(*a->notes));
	a->notes[a->n].rel = xstrdup(rel);
	a->notes[a->n].step = step;
	a->n++;
}

int attrib_mixed(const struct attrib *a, unsigned step)
{
	const struct stepinfo *si = info(a, step);

	return si && si->mixed;
}

static int cmp_note(const void *pa, const void *pb)
{
	const struct note *x = pa, *y = pb;
	int c = strcmp(x->rel, y->rel);

	return c ? c : x->step < y->step ? -1 : x->step > y->step;
}

/* The first note on exactly rel in v (sorted), or n. */
static size_t find(const struct note *v, size_t n, const char *rel, size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(v[mid].rel, rel, len);

		if (c == 0 && v[mid].rel[len])
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strncmp(v[lo].rel, rel, len) && !v[lo].rel[len] ? lo : n;
}

/*
 * Visit the notes on path and on each directory above it: fn(step, data)
 * for each.  Returns how many there were.
 */
static size_t covering(const struct note *v, size_t n, const char *path, void (*fn)(unsigned, void *), void *data)
{
	size_t len = strlen(path), hits = 0;

	for (;;) {
		for (size_t i = find(v, n, path, len); i < n && !strncmp(v[i].rel, path, len) && !v[i].rel[len]; i++) {
			hits++;
			if (fn)
				fn(v[i].step, data);
		}
		while (len > 0 && path[len - 1] != '/')
			len--;
		if (!len)
			return hits;
		len--; /* the slash */
	}
}

struct split_ctx {
	struct attrib_split *out;
	unsigned self;
	size_t wcap;
};

static void add_with(unsigned step, void *data)
{
	struct split_ctx *x = data;
	size_t i;

	if (!step || step == x->self)
		return;
	for (i = 0; i < x->out->nwith && x->out->with[i] < step; i++)
		;
	if (i < x->out->nwith && x->out->with[i] == step)
		return;
	x->out->with = xgrow(x->out->with, &x->wcap, x->out->nwith + 1, sizeof(unsigned));
	memmove(x->out->with + i + 1, x->out->with + i, (x->out->nwith - i) * sizeof(unsigned));
	x->out->with[i] = step;
	x->out->nwith++;
}

int attrib_split(const struct attrib *a, unsigned step, git_repository *repo, const git_oid *before,
		 const git_oid *after, struct attrib_split *out, struct buf *err)
{
	const struct stepinfo *si = info(a, step);
	struct note *own = NULL, *others = NULL;
	size_t nown = 0, nothers = 0, ocap = 0;
	struct split_ctx x = { .out = out, .self = step };
	git_tree *tb = NULL, *ta = NULL;
	git_diff *d = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (git_tree_lookup(&tb, repo, before) < 0 || git_tree_lookup(&ta, repo, after) < 0 ||
	    git_diff_tree_to_tree(&d, repo, tb, ta, NULL) < 0) {
		buf_addf(err, "cannot compare checkpoints: %s", shadow_git_error());
		goto out;
	}
	/* borrowed strings: the notes outlive this call */
	own = xcalloc(a->n + 1, sizeof(*own));
	others = xcalloc(a->n + 1, sizeof(*others));
	for (size_t i = si ? si->from : a->n; i < a->n; i++) {
		if (a->notes[i].step == step)
			own[nown++] = a->notes[i];
		else
			others[nothers++] = a->notes[i];
	}
	qsort(own, nown, sizeof(*own), cmp_note);
	qsort(others, nothers, sizeof(*others), cmp_note);
	for (size_t i = 0; i < git_diff_num_deltas(d); i++) {
		const git_diff_delta *dd = git_diff_get_delta(d, i);
		const char *path = dd->status == GIT_DELTA_DELETED ? dd->old_file.path : dd->new_file.path;
		git_tree_update *u;

		if (covering(own, nown, path, NULL, NULL) || !covering(others, nothers, path, NULL, NULL)) {
			/* its own, perhaps shared; or touched by no call at all */
			out->files++;
			covering(others, nothers, path, add_with, &x);
			continue;
		}
		out->others = xgrow(out->others, &ocap, out->nothers + 1, sizeof(*out->others));
		u = &out->others[out->nothers++];
		memset(u, 0, sizeof(*u));
		u->path = xstrdup(path);
		if (dd->status == GIT_DELTA_DELETED) {
			u->action = GIT_TREE_UPDATE_REMOVE;
		} else {
			u->action = GIT_TREE_UPDATE_UPSERT;
			u->id = dd->new_file.id;
			u->filemode = dd->new_file.mode;
		}
	}
	rc = 0;
out:
	free(own);
	free(others);
	git_diff_free(d);
	git_tree_free(ta);
	git_tree_free(tb);
	if (rc < 0)
		attrib_split_release(out);
	return rc;
}

void attrib_split_release(struct attrib_split *s)
{
	for (size_t i = 0; i < s->nothers; i++)
		free((char *)s->others[i].path);
	free(s->others);
	free(s->with);
	memset(s, 0, sizeof(*s));
}
