/*
 * checkpoint.c - a session's checkpoints; see checkpoint.h.
 *
 * Owns the session's ref in the shadow repository and its dirty set (a
 * watch, plus the paths of intercepted calls).  Reading checkpoints back
 * (log, diff) is history.c's; restoring them is restore.c's.  Everything
 * runs in the loop's thread, between two notifications: a checkpoint after
 * a step re-reads only the dirty paths, so it costs what changed.
 */
#define _GNU_SOURCE
#include "checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attrib.h"
#include "gc.h"
#include "history.h"
#include "keep.h"
#include "restore.h"
#include "util.h"
#include "watch.h"

/* Steps that changed nothing wait this long for a commit to ride on. */
#define FLUSH_NS (1000 * 1000000ull)
/* how often a "belay rollback" run beside an idle session is looked for */
#define RESTORE_POLL_NS (1000 * 1000000ull)
#define SCAN_ALL_FROM 1000
#define MAX_PACKS 16

struct pending {
	unsigned step;
	char *cmd;
	git_oid before, after; /* after: the checkpoint it ended at, when not the one it rides on */
	git_oid base;          /* before, with the changes of other steps in its range (has_base) */
	int has_base;
	unsigned files;        /* files it changed */
	unsigned *with;        /* steps that changed some of the same files */
	size_t nwith;
	double start, end;
	int unknown; /* not checkpointed when it ended (busy): ends at the next checkpoint */
	char *failed; /* why its checkpoint failed, or NULL */
};

struct checkpoints {
	struct loop *loop;
	struct shadow *sh;
	struct watch *w;
	unsigned session;
	char *ref;
	git_oid head, head_tree;
	int have_head;
	git_oid *before; /* by step id - 1 */
	size_t nbefore;
	struct pending *pend;
	size_t npend, pcap;
	struct loop_timer *flush_timer;
	struct loop_timer *restore_timer;
	git_repository *user; /* the user's repository, read only; NULL: none */
	char *cmd; /* the agent's command line */
	struct stat restored; /* <shadow>/restored as last seen */
	unsigned char *open_steps; /* by step id - 1: started, not ended */
	struct keeper *keep;
	struct attrib *at;
	unsigned *with; /* the last step's, for its checkpoint_info */
	int rescan;     /* the last scan failed: the next reads everything */
	int scan_changed; /* files the last scan's tree changed from the head's; -1: not known */
	void (*report)(int rc, const struct checkpoint_info *info, void *data);
	void *report_data;
	git_oid *xpar; /* bases of steps: parents of the next checkpoint, which keeps them */
	size_t nxpar, xparcap;
	uint64_t keep_budget;
	unsigned kept; /* files kept since the last checkpoint */
	struct buf err;
};

static double wall_of(uint64_t mono_ns)
{
	struct timespec ts;
	double now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec + ts.tv_nsec / 1e9;
	return mono_ns ? now - (double)(now_ns() - mono_ns) / 1e9 : now;
}

static int skip_dir(const char *rel, void *data)
{
	return shadow_skips_dir(data, rel);
}

struct checkpoints *checkpoints_new(struct loop *loop, const char *workspace, const struct shadow_opts *o,
				    struct buf *err)
{
	struct checkpoints *cp = xcalloc(1, sizeof(*cp));

	cp->loop = loop;
	buf_init(&cp->err);
	cp->keep_budget = o ? o->keep_budget : 0;
	cp->scan_changed = -1;
	cp->at = attrib_new();
	cp->sh = shadow_open(workspace, o, err);
	if (!cp->sh) {
		checkpoints_free(cp);
		return NULL;
	}
	if (git_repository_open_ext(&cp->user, shadow_workspace(cp->sh), 0, NULL) < 0)
		cp->user = NULL;
	return cp;
}

void checkpoints_free(struct checkpoints *cp)
{
	if (!cp)
		return;
	if (cp->flush_timer)
		loop_cancel_timer(cp->loop, cp->flush_timer);
	if (cp->restore_timer)
		loop_cancel_timer(cp->loop, cp->restore_timer);
	for (size_t i = 0; i < cp->npend; i++)
		free(cp->pend[i].cmd), free(cp->pend[i].with), free(cp->pend[i].failed);
	free(cp->pend);
	free(cp->xpar);
	attrib_free(cp->at);
	free(cp->with);
	free(cp->before);
	free(cp->open_steps);
	watch_free(cp->w);
	keeper_free(cp->keep);
	git_repository_free(cp->user);
	shadow_free(cp->sh);
	free(cp->ref);
	free(cp->cmd);
	buf_release(&cp->err);
	free(cp);
}

unsigned checkpoints_session(const struct checkpoints *cp) { return cp->session; }

void checkpoints_set_report(struct checkpoints *cp, void (*report)(int rc, const struct checkpoint_info *info, void *data),
			    void *data)
{
	cp->report = report;
	cp->report_data = data;
}

static void report(struct checkpoints *cp, int rc, const struct checkpoint_info *info)
{
	if (cp->report && rc)
		cp->report(rc, info, cp->report_data);
}
struct shadow *checkpoints_shadow(struct checkpoints *cp) { return cp->sh; }

static json_t *head_json(git_repository *user)
{
	git_reference *ref = NULL;
	json_t *o;
	int rc;

	if (!user)
		return NULL;
	o = json_object();
	rc = git_repository_head(&ref, user);
	if (rc == 0) {
		json_object_set_new(o, "ref", json_string(git_repository_head_detached(user) ? "HEAD"
											 : git_reference_name(ref)));
		json_object_set_new(o, "oid", json_string(git_oid_tostr_s(git_reference_target(ref))));
	} else if (rc == GIT_EUNBORNBRANCH) {
		json_object_set_new(o, "ref", json_string("HEAD"));
		json_object_set_new(o, "oid", json_null());
	} else {
		json_decref(o);
		o = NULL;
	}
	git_reference_free(ref);
	return o;
}

char *checkpoints_user_head(const char *workspace)
{
	git_repository *user = NULL;
	json_t *o;
	char *s = NULL;

	git_libgit2_init();
	if (git_repository_open_ext(&user, workspace, 0, NULL) == 0 && (o = head_json(user))) {
		s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	git_repository_free(user);
	git_libgit2_shutdown();
	return s;
}

static json_t *strings_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < 100; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *step_json(const struct pending *p, int ended_here)
{
	json_t *o = json_object();

	json_object_set_new(o, "step", json_integer(p->step));
	json_object_set_new(o, "cmd", json_string(p->cmd ? p->cmd : ""));
	json_object_set_new(o, "before", json_string(git_oid_tostr_s(&p->before)));
	/* null: the checkpoint this rides on */
	json_object_set_new(o, "after", ended_here ? json_null() : json_string(git_oid_tostr_s(&p->after)));
	if (p->has_base)
		json_object_set_new(o, "base", json_string(git_oid_tostr_s(&p->base)));
	if (!p->unknown)
		json_object_set_new(o, "files", json_integer(p->files));
	if (p->failed)
		json_object_set_new(o, "failed", json_string(p->failed));
	if (p->nwith) {
		json_t *w = json_array();

		for (size_t i = 0; i < p->nwith; i++)
			json_array_append_new(w, json_integer(p->with[i]));
		json_object_set_new(o, "with", w);
	}
	json_object_set_new(o, "start", json_real(p->start));
	json_object_set_new(o, "end", json_real(p->end));
	return o;
}

static unsigned count_changes(struct checkpoints *cp, const git_oid *a, const git_oid *b)
{
	return history_count_changes(shadow_repo(cp->sh), a, b);
}

static int fail(struct checkpoints *cp, struct checkpoint_info *info)
{
	info->session = cp->session;
	info->error = cp->err.data;
	return -1;
}

/* Bring the index up to date with the dirty set (or everything). */
static int scan(struct checkpoints *cp, git_oid *tree, unsigned *files)
{
	size_t n = 0;
	int full = 0, rc;
	char **paths;

	watch_drain(cp->w);
	paths = watch_take(cp->w, &n, &full);
	/* after a failure the paths it took are not in the index: all of it */
	if (cp->rescan)
		full = 1;
	/* thousands of paths: one walk of the tree (ignore rules a directory
	 * at a time, files read on every core) beats them one by one */
	if (n > SCAN_ALL_FROM)
		full = 1;
	rc = full ? shadow_scan_all(cp->sh, NULL, NULL, &cp->err) : shadow_scan_paths(cp->sh, paths, n, &cp->err);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	*files = full ? (unsigned)git_index_entrycount(shadow_index(cp->sh)) : (unsigned)n;
	/* from the previous checkpoint's tree: only what changed is rewritten */
	if (rc == 0)
		rc = shadow_write_tree_from(cp->sh, cp->have_head && !full ? &cp->head_tree : NULL, tree, &cp->err);
	cp->rescan = rc < 0;
	cp->scan_changed = rc == 0 ? shadow_last_changed(cp->sh) : -1;
	return rc;
}

static void flush(struct loop *loop, void *data);
static void restore_poll(struct loop *loop, void *data);
static void restored_stamp(struct checkpoints *cp, struct stat *st);

/*
 * Commit tree as a checkpoint of this kind; the pending steps ride on it,
 * and cur (when given) is the step that ended here.
 */
static int commit(struct checkpoints *cp, enum checkpoint_kind kind, const git_oid *tree, const struct pending *cur,
		  struct checkpoint_info *info)
{
	json_t *meta = json_object(), *steps = json_array(), *head;
	const struct shadow_report *r = shadow_report(cp->sh);
	char *text, *summary;
	git_oid oid;
	int rc;

	json_object_set_new(meta, "v", json_integer(1));
	json_object_set_new(meta, "kind", json_string(checkpoint_kind_name(kind)));
	json_object_set_new(meta, "session", json_integer(cp->session));
	json_object_set_new(meta, "time", json_real(wall_of(0)));
	if (kind == CP_BASELINE) {
		json_object_set_new(meta, "cmd", json_string(cp->cmd ? cp->cmd : ""));
		json_object_set_new(meta, "workspace", json_string(shadow_workspace(cp->sh)));
		json_object_set_new(meta, "files", json_integer((json_int_t)git_index_entrycount(shadow_index(cp->sh))));
	}
	for (size_t i = 0; i < cp->npend; i++)
		json_array_append_new(steps, step_json(&cp->pend[i], cp->pend[i].unknown));
	if (cur)
		json_array_append_new(steps, step_json(cur, 1));
	json_object_set_new(meta, "steps", steps);
	if (cp->kept)
		json_object_set_new(meta, "kept", json_integer(cp->kept));
	if ((head = head_json(cp->user)))
		json_object_set_new(meta, "head", head);
	if (r->nskipped)
		json_object_set_new(meta, "skipped", strings_json(r->skipped, r->nskipped));
	if (r->nnested)
		json_object_set_new(meta, "nested", strings_json(r->nested, r->nnested));
	text = json_dumps(meta, JSON_COMPACT);
	json_decref(meta);
	summary = cur ? xasprintf("%s %u: %s", checkpoint_kind_name(kind), cur->step, cur->cmd ? cur->cmd : "")
		      : xasprintf("%s (session %u)", checkpoint_kind_name(kind), cp->session);
	/* one line: the summary is what "git log --oneline" shows */
	for (char *p = summary; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	rc = shadow_commit(cp->sh, cp->ref, tree, cp->xpar, cp->nxpar, summary, text, &oid, &cp->err);
	free(summary);
	free(text);
	if (rc < 0)
		return -1;
	cp->nxpar = 0;
	info->changed = !cp->have_head ? (unsigned)git_index_entrycount(shadow_index(cp->sh))
			: git_oid_equal(&cp->head_tree, tree) ? 0
			: cp->scan_changed >= 0 ? (unsigned)cp->scan_changed
						: count_changes(cp, &cp->head_tree, tree);
	cp->scan_changed = -1;
	info->kept = cp->kept;
	cp->kept = 0;
	cp->head = oid;
	cp->head_tree = *tree;
	cp->have_head = 1;
	for (size_t i = 0; i < cp->npend; i++)
		free(cp->pend[i].cmd), free(cp->pend[i].with), free(cp->pend[i].failed);
	cp->npend = 0;
	/* the index reaches the disk a moment later, off the checkpoint's path */
	if (!cp->flush_timer && cp->loop)
		cp->flush_timer = loop_add_timer(cp->loop, FLUSH_NS, flush, cp);
	info->kind = kind;
	info->session = cp->session;
	git_oid_tostr(info->commit, sizeof(info->commit), &oid);
	return 0;
}

static void info_init(struct checkpoint_info *info, enum checkpoint_kind kind, unsigned step)
{
	memset(info, 0, sizeof(*info));
	info->kind = kind;
	info->step = step;
}

/* The highest session number recorded in this workspace. */
static unsigned last_session(struct shadow *sh)
{
	git_reference_iterator *it = NULL;
	const char *name;
	unsigned max = 0;

	if (git_reference_iterator_glob_new(&it, shadow_repo(sh), "refs/belay/sessions/*") < 0)
		return 0;
	while (git_reference_next_name(&name, it) == 0) {
		long n;

		if (parse_int(name + strlen("refs/belay/sessions/"), 1, 1000000000, &n) && (unsigned)n > max)
			max = n;
	}
	git_reference_iterator_free(it);
	return max;
}

int checkpoints_begin(struct checkpoints *cp, char *const *argv, void (*progress)(size_t, void *), void *data,
		      struct checkpoint_info *info)
{
	uint64_t t0 = now_ns();
	git_oid tree;
	char *cmd = NULL;
	int rc = -1;

	info_init(info, CP_BASELINE, 0);
	buf_reset(&cp->err);
	/* watch first: what changes while the baseline is read is dirty */
	cp->w = watch_new(cp->loop, shadow_workspace(cp->sh), skip_dir, cp->sh);
	shadow_lock(cp->sh);
	cp->session = last_session(cp->sh) + 1;
	restored_stamp(cp, &cp->restored);
	cp->ref = xasprintf("refs/belay/sessions/%u", cp->session);
	if (cp->loop && !cp->restore_timer)
		cp->restore_timer = loop_add_timer(cp->loop, RESTORE_POLL_NS, restore_poll, cp);
	if (shadow_scan_all(cp->sh, progress, data, &cp->err) < 0 || shadow_write_tree(cp->sh, &tree, &cp->err) < 0)
		goto out;
	info->files = (unsigned)git_index_entrycount(shadow_index(cp->sh));
	/* the session's command rides on the baseline as step 0 */
	for (char *const *a = argv; a && *a; a++) {
		char *t = cmd ? xasprintf("%s %s", cmd, *a) : xstrdup(*a);

		free(cmd);
		cmd = t;
	}
	cp->cmd = cmd;
	if (commit(cp, CP_BASELINE, &tree, NULL, info) < 0)
		goto out;
	cp->keep = keeper_new(shadow_dir(cp->sh), shadow_workspace(cp->sh), cp->session, cp->keep_budget, &cp->err);
	if (!cp->keep)
		goto out;
	rc = 0;
out:
	shadow_unlock(cp->sh);
	info->ns = now_ns() - t0;
	return rc < 0 ? fail(cp, info) : 0;
}

/* path relative to the workspace; NULL when outside it */
static const char *rel_of(struct checkpoints *cp, const char *path)
{
	const char *ws = shadow_workspace(cp->sh);
	size_t n = strlen(ws);

	return path && !strncmp(path, ws, n) && path[n] == '/' ? path + n + 1 : NULL;
}

void checkpoints_note(struct checkpoints *cp, const struct call *c, unsigned step)
{
	if (!cp || !cp->w || c->op == OP_EXEC || c->op == OP_CONNECT)
		return;
	watch_mark(cp->w, c->path);
	watch_mark(cp->w, c->path2);
	attrib_note(cp->at, step, rel_of(cp, c->path));
	attrib_note(cp->at, step, rel_of(cp, c->path2));
}

static void set_before(struct checkpoints *cp, unsigned step)
{
	if (!step)
		return;
	if (step > cp->nbefore) {
		size_t n = cp->nbefore;

		cp->nbefore = step + 64;
		cp->before = xrealloc(cp->before, cp->nbefore * sizeof(git_oid));
		memset(cp->before + n, 0, (cp->nbefore - n) * sizeof(git_oid));
		cp->open_steps = xrealloc(cp->open_steps, cp->nbefore);
		memset(cp->open_steps + n, 0, cp->nbefore - n);
	}
	cp->before[step - 1] = cp->head;
	cp->open_steps[step - 1] = 1;
	attrib_start(cp->at, step);
}

static void restored_stamp(struct checkpoints *cp, struct stat *st)
{
	char *p = xasprintf("%s/restored", shadow_dir(cp->sh));

	if (stat(p, st) < 0)
		memset(st, 0, sizeof(*st));
	free(p);
}

/*
 * A "belay rollback" or "revert" ran beside this session: what it wrote
 * is checkpointed on its own, and the steps now running start from there,
 * so that none of them is shown doing what belay did.  Under the lock.
 */
static void catch_restore(struct checkpoints *cp)
{
	struct checkpoint_info info = { 0 };
	struct stat st;
	git_oid tree;
	unsigned files = 0;

	restored_stamp(cp, &st);
	if (st.st_ino == cp->restored.st_ino && st.st_mtim.tv_sec == cp->restored.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == cp->restored.st_mtim.tv_nsec)
		return;
	cp->restored = st;
	if (!cp->have_head || scan(cp, &tree, &files) < 0)
		return;
	if (!git_oid_equal(&tree, &cp->head_tree) && commit(cp, CP_RESTORE, &tree, NULL, &info) == 0) {
		char label[128];

		for (size_t i = 0; i < cp->nbefore; i++)
			if (cp->open_steps[i])
				cp->before[i] = cp->head;
		/* what restored it: the screen marks those steps */
		restore_stamp_label(cp->sh, label, sizeof(label));
		info.restored = label[0] ? label : NULL;
		report(cp, 1, &info);
	}
}

/*
 * A rollback run beside a session whose agent is idle: no step boundary
 * would take its checkpoint, so a timer looks for its stamp.  What is
 * pending waits for the next checkpoint, which catches the restore too.
 */
static void restore_poll(struct loop *loop, void *data)
{
	struct checkpoints *cp = data;
	struct stat st;

	cp->restore_timer = loop_add_timer(loop, RESTORE_POLL_NS, restore_poll, cp);
	restored_stamp(cp, &st);
	if ((st.st_ino == cp->restored.st_ino && st.st_mtim.tv_sec == cp->restored.st_mtim.tv_sec &&
	     st.st_mtim.tv_nsec == cp->restored.st_mtim.tv_nsec) ||
	    cp->npend || !cp->have_head || shadow_trylock(cp->sh) < 0)
		return;
	watch_drain(cp->w);
	catch_restore(cp);
	shadow_unlock(cp->sh);
}

/* The tree of a checkpoint commit. */
static int tree_of(struct checkpoints *cp, const git_oid *commit, git_oid *tree)
{
	git_commit *c = NULL;

	if (git_oid_equal(commit, &cp->head)) {
		*tree = cp->head_tree;
		return 0;
	}
	if (git_commit_lookup(&c, shadow_repo(cp->sh), commit) < 0)
		return -1;
	*tree = *git_commit_tree_id(c);
	git_commit_free(c);
	return 0;
}

/*
 * What the step that ends at tree changed: the files from its checkpoint
 * before to tree that are its own (attrib.h).  When others' changes are in
 * that range, its diff starts from a base: before with theirs, a commit
 * that the next checkpoint keeps as a parent.  Under the lock.
 */
static void attribute(struct checkpoints *cp, struct pending *cur, const git_oid *tree)
{
	struct attrib_split sp;
	git_oid before_tree, base_tree;
	json_t *meta;
	char *text, *summary;

	if (tree_of(cp, &cur->before, &before_tree) < 0)
		return;
	if (!attrib_mixed(cp->at, cur->step)) {
		/* the usual case: the step began at the head, and the scan counted */
		if (git_oid_equal(&before_tree, tree))
			cur->files = 0;
		else if (git_oid_equal(&cur->before, &cp->head) && cp->scan_changed >= 0)
			cur->files = (unsigned)cp->scan_changed;
		else
			cur->files = count_changes(cp, &before_tree, tree);
		return;
	}
	if (attrib_split(cp->at, cur->step, shadow_repo(cp->sh), &before_tree, tree, &sp, &cp->err) < 0)
		return; /* its range, as if alone */
	cur->files = sp.files;
	cur->with = sp.with;
	cur->nwith = sp.nwith;
	sp.with = NULL;
	if (sp.nothers && shadow_tree_apply(cp->sh, &before_tree, sp.others, sp.nothers, &base_tree, &cp->err) == 0) {
		meta = json_pack("{s:i, s:s, s:i, s:i}", "v", 1, "kind", "base", "session", cp->session, "step",
				 cur->step);
		text = json_dumps(meta, JSON_COMPACT);
		summary = xasprintf("base of step %u: before it, with the other steps' changes", cur->step);
		if (shadow_commit(cp->sh, NULL, &base_tree, &cur->before, 1, summary, text, &cur->base, &cp->err) == 0) {
			cur->has_base = 1;
			cp->xpar = xgrow(cp->xpar, &cp->xparcap, cp->nxpar + 1, sizeof(*cp->xpar));
			cp->xpar[cp->nxpar++] = cur->base;
		}
		free(summary);
		free(text);
		json_decref(meta);
	}
	attrib_split_release(&sp);
}

/* Take a checkpoint of kind if anything changed; cur rides on it. */
static int take(struct checkpoints *cp, enum checkpoint_kind kind, struct pending *cur, int always,
		struct checkpoint_info *info)
{
	uint64_t t0 = now_ns();
	git_oid tree = cp->head_tree;
	int rc = 0;

	buf_reset(&cp->err);
	cp->scan_changed = -1;
	watch_drain(cp->w);
	/* nothing changed (a restore beside us would have made paths dirty):
	 * no lock, no scan; this is every step of a build or an exec loop */
	if (!always && !watch_dirty(cp->w) && !shadow_has_linked(cp->sh) && !cp->nxpar &&
	    !(cur && attrib_mixed(cp->at, cur->step))) {
		if (cur)
			attribute(cp, cur, &tree);
		info->ns = now_ns() - t0;
		return 0;
	}
	if (shadow_trylock(cp->sh) < 0) {
		/* the dirty set is kept for the next checkpoint */
		buf_addstr(&cp->err, "another belay holds the checkpoint lock; checkpointed later");
		if (!cp->flush_timer && cp->loop)
			cp->flush_timer = loop_add_timer(cp->loop, FLUSH_NS, flush, cp);
		info->ns = now_ns() - t0;
		return fail(cp, info);
	}
	catch_restore(cp);
	if (cur && cur->step && cur->step <= cp->nbefore)
		cur->before = cp->before[cur->step - 1]; /* perhaps moved past a restore */
	tree = cp->head_tree;
	if ((watch_dirty(cp->w) || shadow_has_linked(cp->sh)) && scan(cp, &tree, &info->files) < 0) {
		rc = fail(cp, info);
		goto out;
	}
	if (cur)
		attribute(cp, cur, &tree);
	/* a base waits for a checkpoint to keep it */
	if (!always && git_oid_equal(&tree, &cp->head_tree) && !cp->nxpar)
		goto out;
	if (commit(cp, kind, &tree, cur, info) < 0) {
		cp->rescan = 1;
		rc = fail(cp, info);
		goto out;
	}
	rc = 1;
out:
	shadow_unlock(cp->sh);
	info->ns = now_ns() - t0;
	return rc;
}

int checkpoints_step_start(struct checkpoints *cp, const struct step *st, struct checkpoint_info *info)
{
	int rc;

	info_init(info, CP_BETWEEN, st->id);
	if (!cp->have_head)
		return 0;
	/* changes made outside every step (the person's own edits) */
	rc = take(cp, CP_BETWEEN, NULL, 0, info);
	set_before(cp, st->id);
	return rc;
}

static void flush(struct loop *loop, void *data)
{
	struct checkpoints *cp = data;
	struct checkpoint_info info;

	cp->flush_timer = NULL;
	info_init(&info, CP_STEPS, 0);
	if (cp->npend)
		report(cp, take(cp, CP_STEPS, NULL, 1, &info), &info);
	if (shadow_trylock(cp->sh) == 0) {
		shadow_flush_index(cp->sh, &cp->err);
		shadow_unlock(cp->sh);
	}
}

int checkpoints_step_end(struct checkpoints *cp, const struct step *st, struct checkpoint_info *info)
{
	struct pending cur = { .step = st->id, .cmd = st->cmd };
	int rc;

	info_init(info, CP_STEP, st->id);
	if (!cp->have_head)
		return 0;
	cur.before = st->id <= cp->nbefore ? cp->before[st->id - 1] : cp->head;
	cur.start = wall_of(st->start_ns);
	cur.end = wall_of(st->end_ns ? st->end_ns : now_ns());
	rc = take(cp, CP_STEP, &cur, 0, info);
	if (st->id <= cp->nbefore)
		cp->open_steps[st->id - 1] = 0;
	attrib_end(cp->at, st->id);
	info->step_known = rc >= 0;
	info->step_files = cur.files;
	free(cp->with);
	cp->with = cur.with;
	info->with = cp->with;
	info->nwith = cur.nwith;
	if (rc <= 0) {
		/* no checkpoint now (nothing changed, or the lock was busy): it
		 * rides on the next one, ending at the newest so far */
		cp->pend = xgrow(cp->pend, &cp->pcap, cp->npend + 1, sizeof(*cp->pend));
		cur.cmd = xstrdup(st->cmd ? st->cmd : "");
		cur.after = cp->head;
		cur.unknown = rc < 0;
		/* a busy lock loses nothing; a failure is said where the step is listed */
		cur.failed = rc < 0 && strncmp(info->error, "another belay", 13) ? xstrdup(info->error) : NULL;
		if (cur.nwith) {
			cur.with = xcalloc(cur.nwith, sizeof(unsigned));
			memcpy(cur.with, cp->with, cur.nwith * sizeof(unsigned));
		}
		cp->pend[cp->npend++] = cur;
		if (!cp->flush_timer && cp->loop)
			cp->flush_timer = loop_add_timer(cp->loop, FLUSH_NS, flush, cp);
	}
	return rc;
}

int checkpoints_wants_write_ahead(const struct call *c)
{
	const char *path;

	return call_destroys(c, &path) != DESTROYS_NOTHING;
}

int checkpoints_write_ahead(struct checkpoints *cp, const struct call *c, unsigned step,
			    struct checkpoint_info *info)
{
	info_init(info, CP_WRITE_AHEAD, step);
	if (!cp->have_head)
		return 0;
	/* the call has not run: what is read now is what it would destroy */
	checkpoints_note(cp, c, step);
	return take(cp, CP_WRITE_AHEAD, NULL, 0, info);
}

int checkpoints_keep(struct checkpoints *cp, const struct call *c, unsigned step, struct buf *why)
{
	const char *ws = shadow_workspace(cp->sh), *path;
	enum keep_op op;
	size_t n = strlen(ws);
	int rc;

	if (!cp->keep || c->unreadable)
		return 0;
	switch (call_destroys(c, &path)) {
	case DESTROYS_FILE: op = KEEP_DELETE; break;
	case DESTROYS_REPLACED: op = KEEP_RENAME_OVER; break;
	case DESTROYS_CONTENT: op = KEEP_TRUNCATE; break;
	default: return 0; /* nothing, or an empty folder */
	}
	if (!path || strncmp(path, ws, n) || path[n] != '/' || !path[n + 1])
		return 0; /* outside the workspace: the policy's business */
	path += n + 1;
	/* the repository's own files are never restored; a checkpoint has the rest */
	if (!strcmp(path, ".git") || !strncmp(path, ".git/", 5) || strstr(path, "/.git/") || shadow_holds(cp->sh, path))
		return 0;
	{
		size_t before, after;
		uint64_t bytes;

		keeper_totals(cp->keep, &before, &bytes);
		rc = keeper_keep(cp->keep, path, op, step, cp->have_head ? git_oid_tostr_s(&cp->head) : "", why);
		keeper_totals(cp->keep, &after, &bytes);
		cp->kept += (unsigned)(after - before);
	}
	return rc;
}

/*
 * The history within the policy's bounds (gc.h), once enough sessions are
 * past them that the rewrite of the store is worth it.  Under the lock.
 */
static int auto_gc(struct checkpoints *cp)
{
	unsigned keep, days, due;
	struct gc_report r;
	int rc = 0;

	shadow_history(cp->sh, &keep, &days);
	due = shadow_gc_due(cp->sh, keep, days, wall_of(0));
	if (due && due >= (keep + 3) / 4) {
		rc = shadow_gc(cp->sh, keep, days, wall_of(0), 0, 0, &r, &cp->err);
		free(r.which);
	}
	return rc;
}

int checkpoints_end(struct checkpoints *cp, struct checkpoint_info *info)
{
	int rc;

	info_init(info, CP_END, 0);
	if (!cp->have_head)
		return 0;
	rc = take(cp, CP_END, NULL, cp->npend > 0, info);
	if (shadow_trylock(cp->sh) == 0) {
		shadow_flush_index(cp->sh, &cp->err);
		/* each step that changed many files left a pack: merge them */
		buf_reset(&cp->err);
		if (shadow_repack(cp->sh, MAX_PACKS, &cp->err) < 0 || auto_gc(cp) < 0) {
			struct checkpoint_info up;

			info_init(&up, CP_UPKEEP, 0);
			report(cp, fail(cp, &up), &up);
		}
		shadow_unlock(cp->sh);
	}
	if (cp->flush_timer) {
		loop_cancel_timer(cp->loop, cp->flush_timer);
		cp->flush_timer = NULL;
	}
	return rc;
}
