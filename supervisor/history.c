/*
 * history.c - sessions and steps read back from checkpoint commits; see
 * history.h.  The commit message's last line is the JSON checkpoint.c
 * wrote; a commit whose message does not parse is skipped (the repository
 * is belay's own, but a bad line must not stop a rollback).
 */
#define _GNU_SOURCE
#include "history.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static json_t *meta_of(const git_commit *c)
{
	const char *msg = git_commit_message(c), *last = msg, *p;

	/* the last non-empty line */
	for (p = msg; *p; p++)
		if (*p == '\n' && p[1] && p[1] != '\n')
			last = p + 1;
	return json_loads(last, JSON_DISABLE_EOF_CHECK, NULL);
}

static void strings_of(json_t *a, char ***v, size_t *n)
{
	size_t i;
	json_t *x;

	for (size_t k = 0; k < *n; k++)
		free((*v)[k]);
	free(*v);
	*v = NULL;
	*n = 0;
	if (!json_is_array(a))
		return;
	*v = xcalloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, x)
		if (json_is_string(x))
			(*v)[(*n)++] = xstrdup(json_string_value(x));
}

/* The id of a step entry of a checkpoint's "steps", or 0 when it is not one. */
static unsigned step_id(json_t *st)
{
	json_int_t id = json_integer_value(json_object_get(st, "step"));

	if (id <= 0 || id > 10000000 || !json_string_value(json_object_get(st, "before")))
		return 0;
	return (unsigned)id;
}

/* Fill s (zeroed, or an earlier reading of the same step) from entry st of the checkpoint here. */
static void read_step(struct hist_step *s, unsigned session, json_t *st, const git_oid *here)
{
	json_int_t id = json_integer_value(json_object_get(st, "step"));
	const char *before = json_string_value(json_object_get(st, "before"));
	const char *after = json_string_value(json_object_get(st, "after"));
	const char *base = json_string_value(json_object_get(st, "base"));
	json_t *with = json_object_get(st, "with");

	free(s->cmd);
	s->session = session;
	s->id = (unsigned)id;
	s->cmd = xstrdup(json_string_value(json_object_get(st, "cmd")) ?: "");
	if (git_oid_fromstr(&s->before, before) < 0)
		return;
	if (!after || git_oid_fromstr(&s->after, after) < 0)
		s->after = *here;
	free(s->failed);
	s->failed = json_string_value(json_object_get(st, "failed")) ? xstrdup(json_string_value(json_object_get(st, "failed")))
								      : NULL;
	s->base = s->before;
	if (base)
		git_oid_fromstr(&s->base, base);
	free(s->with);
	s->with = NULL;
	s->nwith = 0;
	if (json_array_size(with)) {
		size_t i;
		json_t *x;

		s->with = xcalloc(json_array_size(with), sizeof(unsigned));
		json_array_foreach(with, i, x)
			if (json_integer_value(x) > 0 && json_integer_value(x) <= 10000000)
				s->with[s->nwith++] = (unsigned)json_integer_value(x);
	}
	s->start = json_number_value(json_object_get(st, "start"));
	s->end = json_number_value(json_object_get(st, "end"));
}

static void add_step(struct hist_session *hs, json_t *st, const git_oid *here)
{
	unsigned id = step_id(st);

	if (!id)
		return;
	if ((size_t)id >= hs->nsteps) {
		size_t n = hs->nsteps;

		hs->nsteps = id + 1;
		hs->steps = xrealloc(hs->steps, hs->nsteps * sizeof(*hs->steps));
		memset(hs->steps + n, 0, (hs->nsteps - n) * sizeof(*hs->steps));
	}
	read_step(&hs->steps[id], hs->n, st, here);
}

int history_commit_steps(struct shadow *sh, const git_oid *commit, unsigned session, struct hist_step **steps,
			 size_t *n)
{
	git_commit *c;
	json_t *meta, *st;
	size_t i;

	*steps = NULL;
	*n = 0;
	if (git_commit_lookup(&c, shadow_repo(sh), commit) < 0)
		return -1;
	meta = meta_of(c);
	git_commit_free(c);
	if (!meta)
		return -1;
	json_array_foreach(json_object_get(meta, "steps"), i, st) {
		if (!step_id(st))
			continue;
		*steps = xrealloc(*steps, (*n + 1) * sizeof(**steps));
		memset(&(*steps)[*n], 0, sizeof(**steps));
		read_step(&(*steps)[(*n)++], session, st, commit);
	}
	json_decref(meta);
	return 0;
}

void history_steps_free(struct hist_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(steps[i].cmd);
		free(steps[i].with);
		free(steps[i].failed);
	}
	free(steps);
}

static int load_session(struct shadow *sh, unsigned n, struct hist_session *hs, struct buf *err)
{
	char *ref = xasprintf("refs/belay/sessions/%u", n);
	git_oid oid, *chain = NULL;
	size_t nchain = 0, cap = 0;
	int rc = -1;

	memset(hs, 0, sizeof(*hs));
	hs->n = n;
	if (git_reference_name_to_id(&oid, shadow_repo(sh), ref) < 0) {
		buf_addf(err, "cannot read session %u: %s", n, shadow_git_error());
		goto out;
	}
	hs->last = oid;
	/* newest to oldest along first parents; then replayed oldest first */
	for (;;) {
		git_commit *c;

		chain = xgrow(chain, &cap, nchain + 1, sizeof(*chain));
		chain[nchain++] = oid;
		if (git_commit_lookup(&c, shadow_repo(sh), &oid) < 0) {
			buf_addf(err, "cannot read a checkpoint of session %u: %s", n, shadow_git_error());
			goto out;
		}
		if (git_commit_parentcount(c) == 0) {
			git_commit_free(c);
			break;
		}
		oid = *git_commit_parent_id(c, 0);
		git_commit_free(c);
	}
	hs->steps = xcalloc(1, sizeof(*hs->steps));
	hs->nsteps = 1;
	for (size_t k = nchain; k-- > 0;) {
		git_commit *c;
		json_t *meta, *steps, *st;
		size_t i;

		if (git_commit_lookup(&c, shadow_repo(sh), &chain[k]) < 0)
			continue;
		meta = meta_of(c);
		git_commit_free(c);
		if (!meta)
			continue;
		if (k == nchain - 1) {
			json_t *kind = json_object_get(meta, "kind");

			hs->baseline = chain[k];
			hs->cmd = xstrdup(json_string_value(json_object_get(meta, "cmd")) ?: "");
			hs->time = json_number_value(json_object_get(meta, "time"));
			hs->files = (size_t)json_integer_value(json_object_get(meta, "files"));
			(void)kind;
			/* step 0: the baseline itself */
			hs->steps[0].session = n;
			hs->steps[0].cmd = xstrdup("baseline");
			hs->steps[0].before = hs->steps[0].after = hs->steps[0].base = chain[k];
			hs->steps[0].start = hs->steps[0].end = hs->time;
		}
		steps = json_object_get(meta, "steps");
		json_array_foreach(steps, i, st)
			add_step(hs, st, &chain[k]);
		if (json_object_get(meta, "skipped") || json_object_get(meta, "nested")) {
			strings_of(json_object_get(meta, "skipped"), &hs->skipped, &hs->nskipped);
			strings_of(json_object_get(meta, "nested"), &hs->nested, &hs->nnested);
		}
		json_decref(meta);
	}
	rc = 0;
out:
	free(chain);
	free(ref);
	return rc;
}

static int cmp_session(const void *a, const void *b)
{
	unsigned x = ((const struct hist_session *)a)->n, y = ((const struct hist_session *)b)->n;

	return x < y ? -1 : x > y;
}

int history_load(struct shadow *sh, struct history *h, struct buf *err)
{
	git_reference_iterator *it = NULL;
	const char *name;
	unsigned *ns = NULL;
	size_t nn = 0, cap = 0;
	int rc = 0;

	memset(h, 0, sizeof(*h));
	if (git_reference_iterator_glob_new(&it, shadow_repo(sh), "refs/belay/sessions/*") < 0) {
		buf_addf(err, "cannot list sessions: %s", shadow_git_error());
		return -1;
	}
	while (git_reference_next_name(&name, it) == 0) {
		long n;

		if (parse_int(name + strlen("refs/belay/sessions/"), 1, 1000000000, &n)) {
			ns = xgrow(ns, &cap, nn + 1, sizeof(*ns));
			ns[nn++] = (unsigned)n;
		}
	}
	git_reference_iterator_free(it);
	h->s = xcalloc(nn ? nn : 1, sizeof(*h->s));
	for (size_t i = 0; i < nn && rc == 0; i++) {
		rc = load_session(sh, ns[i], &h->s[h->n], err);
		h->n++;
	}
	qsort(h->s, h->n, sizeof(*h->s), cmp_session);
	free(ns);
	return rc;
}

void history_release(struct history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct hist_session *hs = &h->s[i];

		for (size_t k = 0; k < hs->nsteps; k++)
			free(hs->steps[k].cmd), free(hs->steps[k].with), free(hs->steps[k].failed);
		for (size_t k = 0; k < hs->nskipped; k++)
			free(hs->skipped[k]);
		for (size_t k = 0; k < hs->nnested; k++)
			free(hs->nested[k]);
		free(hs->skipped);
		free(hs->nested);
		free(hs->steps);
		free(hs->cmd);
	}
	free(h->s);
	memset(h, 0, sizeof(*h));
}

const struct hist_step *history_find(const struct history *h, const char *spec, struct buf *err)
{
	const char *colon = strchr(spec, ':');
	const struct hist_session *hs = NULL;
	long sn = 0, st;
	char *s;

	if (!h->n) {
		buf_addstr(err, "no sessions recorded in this workspace");
		return NULL;
	}
	if (colon) {
		s = xstrndup(spec, colon - spec);
		if (!parse_int(s, 1, 1000000000, &sn)) {
			buf_addf(err, "'%s' is not a step: use N or SESSION:N (see belay log)", spec);
			free(s);
			return NULL;
		}
		free(s);
		spec = colon + 1;
	}
	if (!parse_int(spec, 0, 1000000000, &st)) {
		buf_addf(err, "'%s' is not a step: use N or SESSION:N (see belay log)", spec);
		return NULL;
	}
	if (!colon) {
		hs = &h->s[h->n - 1];
	} else {
		for (size_t i = 0; i < h->n; i++)
			if (h->s[i].n == (unsigned)sn)
				hs = &h->s[i];
		if (!hs) {
			buf_addf(err, "no session %ld in this workspace (see belay log)", sn);
			return NULL;
		}
	}
	if ((size_t)st >= hs->nsteps || (st && !hs->steps[st].id)) {
		buf_addf(err, "session %u has no step %ld that changed or was recorded (see belay log)", hs->n, st);
		return NULL;
	}
	return &hs->steps[st];
}

git_tree *history_tree(struct shadow *sh, const git_oid *commit)
{
	git_commit *c = NULL;
	git_tree *t = NULL;

	if (git_commit_lookup(&c, shadow_repo(sh), commit) == 0)
		git_commit_tree(&t, c);
	git_commit_free(c);
	return t;
}

char *history_head_at(struct shadow *sh, const git_oid *commit)
{
	git_commit *c = NULL;
	json_t *meta = NULL, *head;
	char *s = NULL;

	if (git_commit_lookup(&c, shadow_repo(sh), commit) == 0 && (meta = meta_of(c)) &&
	    (head = json_object_get(meta, "head")))
		s = json_dumps(head, JSON_COMPACT);
	json_decref(meta);
	git_commit_free(c);
	return s;
}

static unsigned count_side(git_repository *repo, const git_tree_entry *e)
{
	return git_tree_entry_type(e) == GIT_OBJECT_TREE ? shadow_tree_files(repo, git_tree_entry_id(e)) : 1;
}

unsigned history_count_changes(git_repository *repo, const git_oid *a, const git_oid *b)
{
	git_tree *ta = NULL, *tb = NULL;
	unsigned n = 0;

	if (git_oid_equal(a, b))
		return 0;
	if (git_tree_lookup(&ta, repo, a) < 0 || git_tree_lookup(&tb, repo, b) < 0)
		goto out;
	for (size_t i = 0; i < git_tree_entrycount(ta); i++) {
		const git_tree_entry *ea = git_tree_entry_byindex(ta, i);
		const git_tree_entry *eb = git_tree_entry_byname(tb, git_tree_entry_name(ea));

		if (!eb) {
			n += count_side(repo, ea);
		} else if (git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
			   git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb)) {
			continue;
		} else if (git_tree_entry_type(ea) == GIT_OBJECT_TREE && git_tree_entry_type(eb) == GIT_OBJECT_TREE) {
			n += history_count_changes(repo, git_tree_entry_id(ea), git_tree_entry_id(eb));
		} else if (git_tree_entry_type(ea) == GIT_OBJECT_TREE || git_tree_entry_type(eb) == GIT_OBJECT_TREE) {
			n += count_side(repo, ea) + count_side(repo, eb); /* a file became a directory, or back */
		} else {
			n++;
		}
	}
	for (size_t i = 0; i < git_tree_entrycount(tb); i++) {
		const git_tree_entry *eb = git_tree_entry_byindex(tb, i);

		if (!git_tree_entry_byname(ta, git_tree_entry_name(eb)))
			n += count_side(repo, eb);
	}
out:
	git_tree_free(ta);
	git_tree_free(tb);
	return n;
}

double history_time_of(struct shadow *sh, const git_oid *commit)
{
	git_commit *c = NULL;
	json_t *meta = NULL;
	double t = 0;

	if (git_commit_lookup(&c, shadow_repo(sh), commit) == 0) {
		meta = meta_of(c);
		t = json_number_value(json_object_get(meta, "time"));
		if (!t)
			t = (double)git_commit_time(c);
	}
	json_decref(meta);
	git_commit_free(c);
	return t;
}

/* Was k kept at or after checkpoint `at` of session s? */
static int kept_after(struct shadow *sh, const struct kept *k, unsigned s, const git_oid *at)
{
	git_oid after;

	if (k->session != s)
		return k->session > s;
	if (git_oid_fromstr(&after, k->after) < 0)
		return 0;
	return git_oid_equal(&after, at) || git_graph_descendant_of(shadow_repo(sh), &after, at) == 1;
}

size_t history_kept_since(struct shadow *sh, const struct hist_step *st, const struct kept_list *l, int revert,
			  const struct kept ***out)
{
	double then = history_time_of(sh, &st->before);
	size_t n = 0;

	*out = xcalloc(l->n + 1, sizeof(**out));
	for (size_t i = 0; i < l->n; i++) {
		const struct kept *k = &l->v[i];
		size_t j;

		if (revert ? k->session != st->session || k->step != st->id : !kept_after(sh, k, st->session, &st->before))
			continue;
		/* made after the checkpoint: it was not there then */
		if (k->btime && then && k->btime > then)
			continue;
		for (j = 0; j < n && strcmp((*out)[j]->path, k->path); j++)
			;
		if (j == n)
			(*out)[n++] = k; /* l is oldest first: the first keep is the file as it was */
	}
	return n;
}

size_t history_kept_by(const struct hist_step *st, const struct kept_list *l, const struct kept ***out)
{
	size_t n = 0;

	if (out)
		*out = xcalloc(l->n + 1, sizeof(**out));
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].session != st->session || l->v[i].step != st->id)
			continue;
		if (out)
			(*out)[n] = &l->v[i];
		n++;
	}
	return n;
}

size_t history_failed_before(struct shadow *sh, const struct history *h, const struct hist_step *st,
			     const struct hist_step ***out)
{
	const struct hist_session *hs = NULL;
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < h->n; i++)
		if (h->s[i].n == st->session)
			hs = &h->s[i];
	if (!hs)
		return 0;
	for (size_t k = 1; k < hs->nsteps && k < st->id; k++) {
		const struct hist_step *m = &hs->steps[k];

		/* its changes reached a checkpoint only after st's before was taken */
		if (!m->id || !m->failed || git_oid_equal(&m->after, &st->before) ||
		    git_graph_descendant_of(shadow_repo(sh), &st->before, &m->after) == 1)
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = m;
	}
	return n;
}

unsigned history_step_files(struct shadow *sh, const struct hist_step *st)
{
	git_tree *ta = history_tree(sh, &st->base), *tb = history_tree(sh, &st->after);
	unsigned n = ta && tb ? history_count_changes(shadow_repo(sh), git_tree_id(ta), git_tree_id(tb)) : 0;

	git_tree_free(ta);
	git_tree_free(tb);
	return n;
}

struct diff_out {
	void (*line)(enum diff_part part, const char *text, size_t len, void *data);
	void *data;
};

static int diff_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *data)
{
	struct diff_out *o = data;
	enum diff_part part;

	(void)d, (void)h;
	switch (l->origin) {
	case GIT_DIFF_LINE_ADDITION: part = DIFF_ADDED; break;
	case GIT_DIFF_LINE_DELETION: part = DIFF_REMOVED; break;
	case GIT_DIFF_LINE_CONTEXT: part = DIFF_CONTEXT; break;
	case GIT_DIFF_LINE_HUNK_HDR: part = DIFF_HUNK_HEADER; break;
	case GIT_DIFF_LINE_FILE_HDR: part = DIFF_FILE_HEADER; break;
	default: part = DIFF_OTHER; break;
	}
	o->line(part, l->content, l->content_len, o->data);
	return 0;
}

int history_diff(struct shadow *sh, const struct history *h, const struct hist_step *st, int stat,
		 void (*line)(enum diff_part part, const char *text, size_t len, void *data), void *data,
		 struct buf *err)
{
	struct diff_out out = { line, data };
	git_diff_options o;
	git_diff_find_options fo;
	git_diff *d = NULL;
	git_tree *ta = NULL, *tb = NULL;
	int rc = -1;

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_SHOW_UNTRACKED_CONTENT |
		  GIT_DIFF_INCLUDE_TYPECHANGE;
	if (st) {
		ta = history_tree(sh, &st->base);
		tb = history_tree(sh, &st->after);
		if (!ta || !tb || git_diff_tree_to_tree(&d, shadow_repo(sh), ta, tb, &o) < 0) {
			buf_addf(err, "cannot read step %u:%u: %s", st->session, st->id, shadow_git_error());
			goto out;
		}
	} else {
		if (!h->n) {
			buf_addstr(err, "no sessions recorded in this workspace");
			goto out;
		}
		ta = history_tree(sh, &h->s[h->n - 1].baseline);
		if (!ta || git_diff_tree_to_workdir_with_index(&d, shadow_repo(sh), ta, &o) < 0) {
			buf_addf(err, "cannot compare with the workspace: %s", shadow_git_error());
			goto out;
		}
	}
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_FOR_UNTRACKED;
	git_diff_find_similar(d, &fo);
	if (stat) {
		git_diff_stats *gs = NULL;
		git_buf b = { 0 };

		if (git_diff_get_stats(&gs, d) == 0 && git_diff_stats_to_buf(&b, gs, GIT_DIFF_STATS_FULL, 80) == 0)
			line(DIFF_OTHER, b.ptr, b.size, data);
		git_buf_dispose(&b);
		git_diff_stats_free(gs);
		rc = 0;
	} else if (git_diff_print(d, GIT_DIFF_FORMAT_PATCH, diff_line, &out) < 0) {
		buf_addf(err, "cannot print the diff: %s", shadow_git_error());
	} else {
		rc = 0;
	}
out:
	git_diff_free(d);
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}
