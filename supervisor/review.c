/* review.c - a step's changes file by file; see review.h. */
#define _GNU_SOURCE
#include "review.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define RELOAD_NS (1000 * 1000000ull) /* the whole session's diff follows new checkpoints this often at most */

struct review {
	struct shadow *sh;
	struct history h;
	int loaded, stale;
	unsigned gen;       /* changes whenever the diff below is made again */
	uint64_t loaded_ns; /* when the history was read */
	/* the diff last asked for */
	unsigned session, id;
	enum review_what what;
	int have;
	git_diff *diff;
	struct review_file *files;
	size_t nfiles;
	/* the patch last asked for */
	struct review_line *lines;
	size_t nlines, lines_cap;
};

struct review *review_new(struct shadow *sh)
{
	struct review *rv = xcalloc(1, sizeof(*rv));

	rv->sh = sh;
	return rv;
}

static void drop_lines(struct review *rv)
{
	for (size_t i = 0; i < rv->nlines; i++)
		free(rv->lines[i].text);
	rv->nlines = 0;
}

static void drop_diff(struct review *rv)
{
	drop_lines(rv);
	for (size_t i = 0; i < rv->nfiles; i++) {
		free(rv->files[i].path);
		free(rv->files[i].old_path);
	}
	free(rv->files);
	rv->files = NULL;
	rv->nfiles = 0;
	git_diff_free(rv->diff);
	rv->diff = NULL;
	rv->have = 0;
}

void review_free(struct review *rv)
{
	if (!rv)
		return;
	drop_diff(rv);
	free(rv->lines);
	if (rv->loaded)
		history_release(&rv->h);
	free(rv);
}

void review_stale(struct review *rv)
{
	rv->stale = 1;
}

const struct history *review_history(struct review *rv)
{
	return rv->loaded ? &rv->h : NULL;
}

/* The step is in the history as read (id 0: its session is). */
static int have_step(const struct review *rv, unsigned session, unsigned id)
{
	for (size_t i = 0; rv->loaded && i < rv->h.n; i++) {
		const struct hist_session *hs = &rv->h.s[i];

		if (hs->n == session || (!session && i == rv->h.n - 1))
			return !id || (id < hs->nsteps && hs->steps[id].id);
	}
	return 0;
}

/*
 * Read the history when it is needed: first, and when it is stale and
 * lacks what is asked for (a step that ended since), or asks for the
 * session's newest checkpoint (id 0): at once when urgent (a preview of
 * an undo), else at most every RELOAD_NS.  A step once recorded does not
 * change: it is never a reason to read again.
 */
static int load(struct review *rv, unsigned session, unsigned id, int may_reload, int urgent, struct buf *err)
{
	uint64_t now = now_ns();

	if (rv->loaded && (!rv->stale || !may_reload))
		return 0;
	if (rv->loaded && id && have_step(rv, session, id))
		return 0;
	if (rv->loaded && !id && !urgent && now - rv->loaded_ns < RELOAD_NS)
		return 0;
	if (rv->loaded)
		history_release(&rv->h);
	rv->loaded = 0;
	memset(&rv->h, 0, sizeof(rv->h));
	if (history_load(rv->sh, &rv->h, err) < 0)
		return -1;
	rv->loaded = 1;
	rv->stale = 0;
	rv->loaded_ns = now;
	/* what a step changed can be known only now (its checkpoint came) */
	drop_diff(rv);
	return 0;
}

static char status_of(git_delta_t s)
{
	switch (s) {
	case GIT_DELTA_ADDED:
	case GIT_DELTA_UNTRACKED:
	case GIT_DELTA_COPIED:
		return 'A';
	case GIT_DELTA_DELETED:
		return 'D';
	case GIT_DELTA_RENAMED:
		return 'R';
	case GIT_DELTA_TYPECHANGE:
		return 'T';
	default:
		return 'M';
	}
}

/* Fill the file list of rv->diff: names, kinds, lines added and removed. */
static void list_files(struct review *rv)
{
	size_t n = git_diff_num_deltas(rv->diff);

	rv->files = xcalloc(n ? n : 1, sizeof(*rv->files));
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(rv->diff, i);
		struct review_file *f = &rv->files[rv->nfiles];
		git_patch *p = NULL;
		size_t ctx, add, del;

		if (!d || d->status == GIT_DELTA_UNMODIFIED)
			continue;
		rv->nfiles++;
		f->path = xstrdup(d->new_file.path ? d->new_file.path : d->old_file.path);
		if (d->status == GIT_DELTA_RENAMED && d->old_file.path)
			f->old_path = xstrdup(d->old_file.path);
		f->status = status_of(d->status);
		f->size = d->status == GIT_DELTA_DELETED ? d->old_file.size : d->new_file.size;
		/* the sizes of blobs a tree-to-tree diff did not load */
		if (!f->size) {
			const git_oid *id = d->status == GIT_DELTA_DELETED ? &d->old_file.id : &d->new_file.id;
			git_blob *b = NULL;

			if (!git_oid_is_zero(id) && git_blob_lookup(&b, shadow_repo(rv->sh), id) == 0) {
				f->size = (uint64_t)git_blob_rawsize(b);
				if (git_blob_is_binary(b))
					f->binary = 1;
			}
			git_blob_free(b);
		}
		if (d->flags & GIT_DIFF_FLAG_BINARY)
			f->binary = 1;
		if (!f->binary && git_patch_from_diff(&p, rv->diff, i) == 0 && p) {
			if (git_patch_get_delta(p)->flags & GIT_DIFF_FLAG_BINARY)
				f->binary = 1;
			else if (git_patch_line_stats(&ctx, &add, &del, p) == 0)
				f->added = (unsigned)add, f->removed = (unsigned)del;
		}
		git_patch_free(p);
	}
}

/* The diff from commit a to b, renames found, and its files (rv->have); -1 on failure. */
static int make_diff(struct review *rv, const git_oid *a, const git_oid *b)
{
	git_tree *ta = history_tree(rv->sh, a), *tb = history_tree(rv->sh, b);
	git_diff_options o;
	git_diff_find_options fo;
	int rc = -1;

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
	if (!ta || !tb || git_diff_tree_to_tree(&rv->diff, shadow_repo(rv->sh), ta, tb, &o) < 0)
		goto out;
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	git_diff_find_similar(rv->diff, &fo);
	list_files(rv);
	rv->have = 1;
	rv->gen++;
	rc = 0;
out:
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

int review_commits(struct review *rv, const git_oid *a, const git_oid *b, const struct review_file **files,
		   struct buf *err)
{
	*files = NULL;
	drop_diff(rv);
	if (make_diff(rv, a, b) < 0) {
		buf_addf(err, "cannot compare checkpoints: %s", shadow_git_error());
		return -1;
	}
	/* asked by commits: no step of the history is what it shows */
	rv->session = rv->id = (unsigned)-1;
	*files = rv->files;
	return (int)rv->nfiles;
}

int review_files(struct review *rv, enum review_what what, unsigned session, unsigned id,
		 const struct review_file **files, struct buf *err)
{
	const struct hist_session *hs = NULL;
	const git_oid *a, *b;

	*files = NULL;
	/* a rollback's or revert's preview starts from the newest checkpoint: never an old one */
	if (load(rv, session, what == REVIEW_STEP ? id : 0, 1, what != REVIEW_STEP, err) < 0)
		return -1;
	if (rv->have && rv->session == session && rv->id == id && rv->what == what) {
		*files = rv->files;
		return (int)rv->nfiles;
	}
	drop_diff(rv);
	for (size_t i = 0; i < rv->h.n; i++)
		if (rv->h.s[i].n == session || (!session && i == rv->h.n - 1))
			hs = &rv->h.s[i];
	if (!hs) {
		buf_addf(err, session ? "session %u is not recorded in this workspace" : "no session is recorded in this workspace",
			 session);
		return -1;
	}
	if (!id && what == REVIEW_STEP) {
		a = &hs->baseline, b = &hs->last;
	} else if (!id || id >= hs->nsteps || !hs->steps[id].id) {
		buf_addf(err, "step %u has no checkpoint yet", id);
		return -1;
	} else if (what == REVIEW_ROLLBACK) {
		a = &hs->last, b = &hs->steps[id].before;
	} else if (what == REVIEW_REVERT) {
		a = &hs->steps[id].after, b = &hs->steps[id].base;
	} else {
		a = &hs->steps[id].base, b = &hs->steps[id].after;
	}
	if (make_diff(rv, a, b) < 0) {
		buf_addf(err, "cannot read the checkpoints of step %u:%u: %s", hs->n, id, shadow_git_error());
		return -1;
	}
	rv->session = hs->n;
	rv->id = id;
	rv->what = what;
	if (!session)
		rv->session = 0; /* asked as "the newest": answered as that while it is */
	*files = rv->files;
	return (int)rv->nfiles;
}

static void add_line(struct review *rv, enum diff_part part, const char *text, size_t len, unsigned old_no,
		     unsigned new_no)
{
	struct review_line *l;

	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	rv->lines = xgrow(rv->lines, &rv->lines_cap, rv->nlines + 1, sizeof(*rv->lines));
	l = &rv->lines[rv->nlines++];
	l->part = part;
	l->text = xstrndup(text, len);
	l->old_no = old_no;
	l->new_no = new_no;
}

/* The delta of file i: the files list skips unmodified deltas, so count. */
static size_t delta_index(struct review *rv, size_t i)
{
	size_t n = git_diff_num_deltas(rv->diff), k = 0;

	for (size_t d = 0; d < n; d++) {
		const git_diff_delta *dd = git_diff_get_delta(rv->diff, d);

		if (!dd || dd->status == GIT_DELTA_UNMODIFIED)
			continue;
		if (k++ == i)
			return d;
	}
	return n;
}

int review_patch(struct review *rv, size_t i, const struct review_line **out, struct buf *err)
{
	git_patch *p = NULL;
	size_t nh;

	*out = NULL;
	drop_lines(rv);
	if (!rv->have || i >= rv->nfiles) {
		buf_addstr(err, "no such file in this step");
		return -1;
	}
	if (rv->files[i].binary) {
		char *t = xasprintf("binary file, %llu bytes", (unsigned long long)rv->files[i].size);

		add_line(rv, DIFF_OTHER, t, strlen(t), 0, 0);
		free(t);
		*out = rv->lines;
		return (int)rv->nlines;
	}
	if (git_patch_from_diff(&p, rv->diff, delta_index(rv, i)) < 0 || !p) {
		buf_addf(err, "cannot read the diff of %s: %s", rv->files[i].path, shadow_git_error());
		return -1;
	}
	nh = git_patch_num_hunks(p);
	for (size_t h = 0; h < nh; h++) {
		const git_diff_hunk *hunk;
		size_t nl;

		if (git_patch_get_hunk(&hunk, &nl, p, h) < 0)
			continue;
		add_line(rv, DIFF_HUNK_HEADER, hunk->header, hunk->header_len, 0, 0);
		for (size_t k = 0; k < nl; k++) {
			const git_diff_line *l;
			enum diff_part part;

			if (git_patch_get_line_in_hunk(&l, p, h, k) < 0)
				continue;
			switch (l->origin) {
			case GIT_DIFF_LINE_ADDITION: part = DIFF_ADDED; break;
			case GIT_DIFF_LINE_DELETION: part = DIFF_REMOVED; break;
			case GIT_DIFF_LINE_CONTEXT: part = DIFF_CONTEXT; break;
			default: part = DIFF_OTHER; break;
			}
			add_line(rv, part, l->content, l->content_len, l->old_lineno > 0 ? (unsigned)l->old_lineno : 0,
				 l->new_lineno > 0 ? (unsigned)l->new_lineno : 0);
		}
	}
	if (!nh) {
		const char *t = rv->files[i].status == 'R' ? "renamed, content unchanged" : "no changes in its lines";

		add_line(rv, DIFF_OTHER, t, strlen(t), 0, 0);
	}
	git_patch_free(p);
	*out = rv->lines;
	return (int)rv->nlines;
}

int review_count(struct review *rv, unsigned session, unsigned id, unsigned *added, unsigned *removed)
{
	const struct hist_session *hs = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *d = NULL;
	git_diff_stats *gs = NULL;
	git_diff_options o;
	struct buf err = BUF_INIT;
	int rc = -1;

	*added = *removed = 0;
	/* never reads the history again: that would drop the diff kept for review_files */
	if (load(rv, session, id, 0, 0, &err) < 0)
		goto out;
	for (size_t i = 0; i < rv->h.n; i++)
		if (rv->h.s[i].n == session || (!session && i == rv->h.n - 1))
			hs = &rv->h.s[i];
	if (!hs || !id || id >= hs->nsteps || !hs->steps[id].id)
		goto out;
	ta = history_tree(rv->sh, &hs->steps[id].base);
	tb = history_tree(rv->sh, &hs->steps[id].after);
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	if (!ta || !tb || git_diff_tree_to_tree(&d, shadow_repo(rv->sh), ta, tb, &o) < 0 ||
	    git_diff_get_stats(&gs, d) < 0)
		goto out;
	*added = (unsigned)git_diff_stats_insertions(gs);
	*removed = (unsigned)git_diff_stats_deletions(gs);
	rc = (int)git_diff_stats_files_changed(gs);
out:
	git_diff_stats_free(gs);
	git_diff_free(d);
	git_tree_free(ta);
	git_tree_free(tb);
	buf_release(&err);
	return rc;
}

unsigned review_generation(const struct review *rv)
{
	return rv->gen;
}
