/*
 * cmd-checkpoint.c - the checkpoints of the current workspace from the
 * command line, during a session or after it:
 *
 *   belay log      [-C DIR]                         sessions and their steps
 *   belay diff     [-C DIR] [--stat] [STEP]         a step's changes; without
 *                                                   STEP, the session's so far
 *   belay rollback [-C DIR] [--move-branch] STEP    everything as before STEP
 *   belay revert   [-C DIR] STEP                    only STEP's changes undone
 *   belay gc       [-C DIR] [--keep N] [--days D] [--dry-run]
 *                                                   drop old sessions, prune
 *
 * STEP is N (of the newest session) or SESSION:N, as "belay log" shows.  A
 * rollback or revert is itself recorded as a session of one step, so that
 * it can be rolled back in turn.  Output is plain when not a terminal.
 */
#define _GNU_SOURCE
#include "cmd-checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../supervisor/checkpoint.h"
#include "../supervisor/gc.h"
#include "../supervisor/history.h"
#include "../supervisor/keep.h"
#include "../supervisor/restore.h"
#include "../supervisor/shadow.h"
#include "../supervisor/util.h"

struct args {
	const char *dir;
	int stat, move_branch, dry;
	long keep, days; /* gc: -1, the policy's */
	const char *step;
};

static int colour;

static const char *sgr(const char *code)
{
	return colour ? code : "";
}

static int usage(const char *cmd, const char *msg)
{
	fprintf(stderr, "%s %s: %s (usage: belay %s%s)\n", progname, cmd, msg, cmd,
		!strcmp(cmd, "log")	 ? " [-C DIR]"
		: !strcmp(cmd, "diff")	 ? " [-C DIR] [--stat] [STEP]"
		: !strcmp(cmd, "rollback") ? " [-C DIR] [--move-branch] STEP"
		: !strcmp(cmd, "gc")	 ? " [-C DIR] [--keep SESSIONS] [--days DAYS] [--dry-run]"
					   : " [-C DIR] STEP");
	return 2;
}

int cmd_checkpoint_is(const char *name)
{
	return !strcmp(name, "log") || !strcmp(name, "diff") || !strcmp(name, "rollback") || !strcmp(name, "revert") ||
	       !strcmp(name, "gc");
}

/* The workspace's shadow repository, if belay ever ran there; finishes an interrupted restore. */
static struct shadow *open_existing(const char *dir)
{
	char *ws = realpath(dir ? dir : ".", NULL), *sd;
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct shadow *sh;
	struct stat st;

	if (!ws) {
		warn("cannot use '%s' as the workspace: %s", dir ? dir : ".", strerror(errno));
		return NULL;
	}
	sd = shadow_dir_for(ws, NULL);
	if (stat(sd, &st) < 0) {
		warn("no checkpoints for '%s': belay has not run there (or XDG_STATE_HOME differs)", ws);
		free(sd);
		free(ws);
		return NULL;
	}
	free(sd);
	sh = shadow_open(ws, NULL, &err);
	free(ws);
	if (!sh) {
		warn("%s", err.data);
		buf_release(&err);
		return NULL;
	}
	if (restore_resume(sh, &out, &err) < 0) {
		fputs(out.data ? out.data : "", stderr);
		warn("%s", err.data);
		shadow_free(sh);
		sh = NULL;
	} else if (out.len) {
		fputs(out.data, stderr);
	}
	buf_release(&out);
	buf_release(&err);
	return sh;
}

static unsigned changed_between(struct shadow *sh, const git_oid *a, const git_oid *b)
{
	git_tree *ta = history_tree(sh, a), *tb = history_tree(sh, b);
	unsigned n = ta && tb ? history_count_changes(shadow_repo(sh), git_tree_id(ta), git_tree_id(tb)) : 0;

	git_tree_free(ta);
	git_tree_free(tb);
	return n;
}

static void clock_of(double t, char *out, size_t n, const char *fmt)
{
	time_t s = (time_t)t;
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(out, n, fmt, &tm);
}

static uint64_t du_total;

static int du_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)flag, (void)ftw;
	du_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

/* Bytes on disk under dir (hard links into the workspace count: they keep the file alive). */
static void disk_usage(const char *dir, uint64_t *bytes)
{
	du_total = 0;
	nftw(dir, du_one, 16, FTW_PHYS);
	*bytes = du_total;
}

/* Under a step in the log: the ignored files it destroyed, which belay kept. */
static void print_kept(const struct hist_step *st, const struct kept_list *kl)
{
	const struct kept **v;
	size_t n = history_kept_by(st, kl, &v);

	if (n) {
		printf("                           %s+ %zu ignored file%s kept:", sgr("\033[33m"), n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n && i < 3; i++)
			printf(" %s", v[i]->path);
		printf("%s%s\n", n > 3 ? " …" : "", sgr("\033[m"));
	}
	free(v);
}

/* "steps 3–4 together": steps that ran at the same time and changed some of the same files */
static void together_of(const struct hist_step *st, char *out, size_t size)
{
	unsigned lo = st->id, hi = st->id;
	size_t n = 0;

	for (size_t i = 0; i < st->nwith; i++) {
		lo = st->with[i] < lo ? st->with[i] : lo;
		hi = st->with[i] > hi ? st->with[i] : hi;
	}
	if (st->nwith == 1)
		n = (size_t)snprintf(out, size, "steps %u–%u together", lo, hi);
	else
		n = (size_t)snprintf(out, size, "steps %u and %zu others between %u and %u together", st->id, st->nwith, lo, hi);
	(void)n;
}

static void print_together(const struct hist_session *s, const struct hist_step *st)
{
	char t[128];

	if (st->failed)
		printf("          %scheckpoint failed: %s (its changes are in the next checkpoint)%s\n", sgr("\033[31m"),
		       st->failed, sgr("\033[m"));
	if (!st->nwith)
		return;
	together_of(st, t, sizeof(t));
	printf("          %s%s: some files changed by each are in both diffs%s\n", sgr("\033[2m"), t, sgr("\033[m"));
	(void)s;
}

/* After a step's diff: its ignored files, which no diff shows. */
static void show_kept(const struct hist_step *st, const struct kept_list *kl, int stat)
{
	const struct kept **v;
	size_t n = history_kept_by(st, kl, &v);

	for (size_t i = 0; i < n; i++) {
		const char *what = !strcmp(v[i]->op, "truncate") ? "emptied" : !strcmp(v[i]->op, "rename-over") ? "replaced" : "deleted";

		if (stat)
			printf(" %s | ignored file, %s (kept: %llu bytes)\n", v[i]->path, what, (unsigned long long)v[i]->size);
		else
			printf("%signored file %s: %s (kept by belay, %llu bytes; belay rollback restores it)%s\n",
			       sgr("\033[1m"), what, v[i]->path, (unsigned long long)v[i]->size, sgr("\033[m"));
	}
	if (n && stat)
		printf(" %zu ignored file%s kept\n", n, n == 1 ? "" : "s");
	free(v);
}

static int do_log(struct shadow *sh)
{
	struct kept_list kl = { 0 };
	struct history h;
	struct buf err = BUF_INIT;

	if (history_load(sh, &h, &err) < 0) {
		warn("%s", err.data);
		buf_release(&err);
		history_release(&h);
		return 1;
	}
	kept_load(shadow_dir(sh), &kl);
	if (!h.n)
		printf("no sessions recorded in %s\n", shadow_workspace(sh));
	for (size_t i = 0; i < h.n; i++) {
		const struct hist_session *s = &h.s[i];
		char when[32];

		clock_of(s->time, when, sizeof(when), "%Y-%m-%d %H:%M:%S");
		printf("%ssession %u%s  %s  %s\n", sgr("\033[1m"), s->n, sgr("\033[m"), when, s->cmd);
		for (size_t k = 0; k < s->nsteps; k++) {
			const struct hist_step *st = &s->steps[k];
			unsigned n;
			char at[16], label[32], what[32];

			if (k && !st->id)
				continue;
			clock_of(st->start, at, sizeof(at), "%H:%M:%S");
			snprintf(label, sizeof(label), "%u:%zu", s->n, k);
			if (k == 0) {
				printf("  %-7s %s  baseline, %zu files\n", label, at, s->files);
				continue;
			}
			n = changed_between(sh, &st->base, &st->after);
			if (!n && history_kept_by(st, &kl, NULL))
				snprintf(what, sizeof(what), "ignored");
			else if (n)
				snprintf(what, sizeof(what), "%u file%s", n, n == 1 ? "" : "s");
			else
				snprintf(what, sizeof(what), "no change");
			printf("  %-7s %s  %5.1fs  %s%-10s%s  %s\n", label, at,
			       st->end > st->start ? st->end - st->start : 0.0, n ? sgr("\033[33m") : "", what,
			       n ? sgr("\033[m") : "", st->cmd);
			print_together(s, st);
			print_kept(st, &kl);
		}
		for (size_t k = 0; k < s->nskipped; k++)
			printf("  not checkpointed (over the size limit): %s\n", s->skipped[k]);
		for (size_t k = 0; k < s->nnested; k++)
			printf("  not checkpointed (a repository of its own): %s\n", s->nested[k]);
	}
	{
		uint64_t bytes = 0;

		/* what the history takes: the store and the files kept in it */
		disk_usage(shadow_dir(sh), &bytes);
		printf("history: %.1f MB in %s (%zu ignored files kept)\n", (double)bytes / (1 << 20), shadow_dir(sh), kl.n);
	}
	history_release(&h);
	kept_release(&kl);
	buf_release(&err);
	return 0;
}

static int print_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *data)
{
	const char *c = "";

	switch (l->origin) {
	case GIT_DIFF_LINE_ADDITION: c = "\033[32m"; break;
	case GIT_DIFF_LINE_DELETION: c = "\033[31m"; break;
	case GIT_DIFF_LINE_HUNK_HDR: c = "\033[36m"; break;
	case GIT_DIFF_LINE_FILE_HDR: c = "\033[1m"; break;
	default: break;
	}
	if (l->origin == GIT_DIFF_LINE_CONTEXT || l->origin == GIT_DIFF_LINE_ADDITION ||
	    l->origin == GIT_DIFF_LINE_DELETION)
		printf("%s%c", sgr(c), l->origin);
	else
		fputs(sgr(c), stdout);
	fwrite(l->content, 1, l->content_len, stdout);
	if (*c && colour)
		fputs("\033[m", stdout);
	return 0;
}

static int show_diff(git_diff *d, int stat)
{
	git_diff_find_options fo;

	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_FOR_UNTRACKED;
	git_diff_find_similar(d, &fo);
	if (stat) {
		git_diff_stats *st = NULL;
		git_buf b = { 0 };

		if (git_diff_get_stats(&st, d) == 0 && git_diff_stats_to_buf(&b, st, GIT_DIFF_STATS_FULL, 80) == 0)
			fwrite(b.ptr, 1, b.size, stdout);
		git_buf_dispose(&b);
		git_diff_stats_free(st);
		return 0;
	}
	return git_diff_print(d, GIT_DIFF_FORMAT_PATCH, print_line, NULL) < 0 ? -1 : 0;
}

static int do_diff(struct shadow *sh, const struct args *a)
{
	struct history h;
	struct buf err = BUF_INIT;
	git_diff_options o;
	git_diff *d = NULL;
	git_tree *ta = NULL, *tb = NULL;
	int rc = 1;

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_SHOW_UNTRACKED_CONTENT |
		  GIT_DIFF_INCLUDE_TYPECHANGE;
	if (history_load(sh, &h, &err) < 0)
		goto out;
	if (a->step) {
		const struct hist_step *st = history_find(&h, a->step, &err);

		if (!st) {
			rc = 2; /* a step that is not there: a usage error */
			goto out;
		}
		ta = history_tree(sh, &st->base);
		tb = history_tree(sh, &st->after);
		if (!ta || !tb || git_diff_tree_to_tree(&d, shadow_repo(sh), ta, tb, &o) < 0) {
			buf_addf(&err, "cannot read step %s: %s", a->step, shadow_git_error());
			goto out;
		}
	} else {
		if (!h.n) {
			buf_addstr(&err, "no sessions recorded in this workspace");
			goto out;
		}
		/* the newest session's baseline against the files now */
		ta = history_tree(sh, &h.s[h.n - 1].baseline);
		if (!ta || git_diff_tree_to_workdir_with_index(&d, shadow_repo(sh), ta, &o) < 0) {
			buf_addf(&err, "cannot compare with the workspace: %s", shadow_git_error());
			goto out;
		}
	}
	if (a->step) {
		const struct hist_step *st = history_find(&h, a->step, &err);
		char t[128];

		if (st && st->nwith) {
			together_of(st, t, sizeof(t));
			/* not part of the patch: on stderr */
			fprintf(stderr, "belay: %s: the files both changed show what each did together\n", t);
		}
	}
	rc = show_diff(d, a->stat) < 0 ? 1 : 0;
	if (a->step) {
		struct kept_list kl;

		kept_load(shadow_dir(sh), &kl);
		show_kept(history_find(&h, a->step, &err), &kl, a->stat);
		kept_release(&kl);
	}
out:
	if (err.len)
		warn("%s", err.data);
	git_diff_free(d);
	git_tree_free(ta);
	git_tree_free(tb);
	history_release(&h);
	buf_release(&err);
	return rc;
}

static double wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A checkpoint commit from the command line (meta: the JSON object, consumed). */
static int record(struct shadow *sh, const char *ref, const git_oid *tree, const char *summary, json_t *meta,
		  git_oid *out, struct buf *err)
{
	char *text, *head = checkpoints_user_head(shadow_workspace(sh));
	int rc;

	json_object_set_new(meta, "v", json_integer(1));
	json_object_set_new(meta, "time", json_real(wall_time()));
	if (head) {
		json_object_set_new(meta, "head", json_loads(head, 0, NULL));
		free(head);
	}
	text = json_dumps(meta, JSON_COMPACT);
	rc = shadow_commit(sh, ref, tree, NULL, 0, summary, text, out, err);
	free(text);
	json_decref(meta);
	return rc;
}

static unsigned next_session(const struct history *h)
{
	return h->n ? h->s[h->n - 1].n + 1 : 1;
}

/* If the agent moved the user's branch since `at`, say so (and move it back when asked). */
static void check_branch(struct shadow *sh, const git_oid *at, int move, const char *undo_cmd)
{
	char *then = history_head_at(sh, at), *now = checkpoints_user_head(shadow_workspace(sh));
	json_t *a = then ? json_loads(then, 0, NULL) : NULL, *b = now ? json_loads(now, 0, NULL) : NULL;
	const char *ref_a = json_string_value(json_object_get(a, "ref")), *oid_a = json_string_value(json_object_get(a, "oid"));
	const char *ref_b = json_string_value(json_object_get(b, "ref")), *oid_b = json_string_value(json_object_get(b, "oid"));

	if (!ref_a || !ref_b || !oid_a || !oid_b || (!strcmp(ref_a, ref_b) && !strcmp(oid_a, oid_b)))
		goto out;
	if (strcmp(ref_a, ref_b)) {
		printf("note: the repository's HEAD was %s then and is %s now (a checkout); belay left it: "
		       "run 'git checkout %s' to go back\n",
		       ref_a, ref_b, !strncmp(ref_a, "refs/heads/", 11) ? ref_a + 11 : oid_a);
		goto out;
	}
	if (!move) {
		printf("note: '%s' was at %.12s then and is at %.12s now (a commit or reset since); belay left it.\n"
		       "      to move it back too: %s --move-branch\n",
		       ref_a, oid_a, oid_b, undo_cmd);
		goto out;
	}
	{
		git_repository *user = NULL;
		git_reference *r = NULL;
		git_oid want, cur;

		git_oid_fromstr(&want, oid_a);
		git_oid_fromstr(&cur, oid_b);
		if (git_repository_open_ext(&user, shadow_workspace(sh), 0, NULL) < 0 ||
		    (strcmp(ref_a, "HEAD") ? git_reference_create_matching(&r, user, ref_a, &want, 1, &cur,
									   "belay rollback: moved back")
					   : git_repository_set_head_detached(user, &want)) < 0)
			warn("cannot move '%s' back to %.12s: %s", ref_a, oid_a, shadow_git_error());
		else
			printf("moved '%s' back from %.12s to %.12s (the index and files of the repository are "
			       "as restored)\n",
			       ref_a, oid_b, oid_a);
		git_reference_free(r);
		git_repository_free(user);
	}
out:
	json_decref(a);
	json_decref(b);
	free(then);
	free(now);
}

/*
 * Put kept files back (ignored files a step destroyed).  One that is there
 * again is kept first, in the restore's own session sn, so that the restore
 * can be rolled back too.
 */
static void put_kept(struct shadow *sh, const struct kept **kept, size_t n, unsigned sn, const git_oid *base,
		     struct restore_report *rep, size_t *nput)
{
	struct buf err = BUF_INIT;
	struct keeper *k = keeper_new(shadow_dir(sh), shadow_workspace(sh), sn, 0, &err);
	int ws = open(shadow_workspace(sh), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), base);
	for (size_t i = 0; i < n && ws >= 0; i++) {
		const char *why = NULL;

		buf_reset(&err);
		if (!k || keeper_keep(k, kept[i]->path, KEEP_RENAME_OVER, 1, hex, &err) != 0) {
			char *t = xasprintf("%s: the file there now cannot be kept first (%s)", kept[i]->path,
					    err.len ? err.data : "no store");

			rep->refused = xrealloc(rep->refused, (rep->nrefused + 1) * sizeof(char *));
			rep->refused[rep->nrefused++] = t;
			continue;
		}
		if (kept_put(ws, kept[i], &why) < 0) {
			char *t = xasprintf("%s: %s", kept[i]->path, why);

			rep->refused = xrealloc(rep->refused, (rep->nrefused + 1) * sizeof(char *));
			rep->refused[rep->nrefused++] = t;
			continue;
		}
		(*nput)++;
	}
	if (ws >= 0)
		close(ws);
	keeper_free(k);
	buf_release(&err);
}

/* rollback (revert = 0) or revert of a step. */
static int do_restore(struct shadow *sh, const struct args *a, int revert)
{
	const char *cmd = revert ? "revert" : "rollback";
	struct history h;
	struct buf err = BUF_INIT, conflicts = BUF_INIT;
	struct restore_report rep = { 0 };
	const struct hist_step *st;
	git_oid present, target, base, done;
	git_tree *tt = NULL;
	char *ref = NULL, *label = NULL, *spec = NULL, *undo = NULL;
	unsigned sn;
	int rc = 1;
	json_t *meta, *steps, *one;
	struct kept_list kl = { 0 };
	const struct kept **kept = NULL;
	size_t nkept = 0, nput = 0;

	shadow_lock(sh);
	if (history_load(sh, &h, &err) < 0)
		goto out;
	if (!(st = history_find(&h, a->step, &err))) {
		rc = 2; /* a step that is not there: a usage error */
		goto out;
	}
	spec = xasprintf("%u:%u", st->session, st->id);
	/* the present first, so that this can be undone too */
	if (shadow_scan_all(sh, NULL, NULL, &err) < 0 || shadow_write_tree(sh, &present, &err) < 0)
		goto out;
	if (revert) {
		git_tree *tb = history_tree(sh, &st->base), *ta = history_tree(sh, &st->after);
		int m = tb && ta ? restore_revert_tree(sh, git_tree_id(tb), git_tree_id(ta), &present, &target, &conflicts, &err)
				 : -1;

		git_tree_free(tb);
		git_tree_free(ta);
		if (m < 0) {
			if (!err.len)
				buf_addf(&err, "cannot read step %s", spec);
			goto out;
		}
		if (m == 1) {
			buf_addf(&err, "cannot revert %s: later changes touch the same lines of %s; nothing was written "
				       "(roll back to before a later step instead, see belay log)",
				 spec, conflicts.data);
			goto out;
		}
	} else {
		tt = history_tree(sh, &st->before);
		if (!tt) {
			buf_addf(&err, "cannot read the checkpoint before %s: %s", spec, shadow_git_error());
			goto out;
		}
		target = *git_tree_id(tt);
	}
	kept_load(shadow_dir(sh), &kl);
	nkept = history_kept_since(sh, st, &kl, revert, &kept);
	if (revert) {
		/* a revert keeps later changes: a file made again since stays */
		size_t j = 0;

		for (size_t i = 0; i < nkept; i++) {
			struct stat sb;
			char *abs = xasprintf("%s/%s", shadow_workspace(sh), kept[i]->path);

			if (lstat(abs, &sb) < 0)
				kept[j++] = kept[i];
			free(abs);
		}
		nkept = j;
	}
	/* checkpoints that failed: say what cannot be put back, never "already right" */
	{
		const struct hist_step **f = NULL;
		size_t nf = revert ? 0 : history_failed_before(sh, &h, st, &f);

		for (size_t i = 0; i < nf; i++)
			warn("the checkpoint of step %u:%u (%s) failed: %s; what it changed was never checkpointed, so the "
			     "files go back to before it and its changes cannot be restored",
			     f[i]->session, f[i]->id, f[i]->cmd, f[i]->failed);
		if (st->failed)
			warn("the checkpoint of %s failed: %s; its changes were checkpointed with later ones%s", spec,
			     st->failed, revert ? ", which this revert undoes too" : "");
		free(f);
	}
	if (git_oid_equal(&present, &target) && !nkept) {
		printf("nothing to %s: the workspace is already as %s would make it\n", cmd, spec);
		/* the files are back (an earlier rollback): the branch may still be asked for */
		if (!revert) {
			undo = xasprintf("belay rollback %s", spec);
			check_branch(sh, &st->before, a->move_branch, undo);
		}
		rc = 0;
		goto out;
	}
	sn = next_session(&h);
	ref = xasprintf("refs/belay/sessions/%u", sn);
	label = revert ? xasprintf("revert of %s", spec) : xasprintf("rollback to before %s", spec);
	meta = json_pack("{s:s, s:i, s:s, s:s, s:i}", "kind", checkpoint_kind_name(CP_BASELINE), "session", (int)sn, "cmd", label,
			 "workspace", shadow_workspace(sh), "files", (int)git_index_entrycount(shadow_index(sh)));
	if (record(sh, ref, &present, label, meta, &base, &err) < 0)
		goto out;
	if (!git_oid_equal(&present, &target) && restore_tree(sh, &present, &target, label, &rep, &err) < 0)
		goto out;
	if (nkept)
		put_kept(sh, kept, nkept, sn, &base, &rep, &nput);
	one = json_pack("{s:i, s:s, s:s, s:n, s:f, s:f}", "step", 1, "cmd", label, "before", git_oid_tostr_s(&base),
			"after", "start", (double)time(NULL), "end", (double)time(NULL));
	steps = json_array();
	json_array_append_new(steps, one);
	meta = json_pack("{s:s, s:i}", "kind", checkpoint_kind_name(CP_STEP), "session", (int)sn);
	json_object_set_new(meta, "steps", steps);
	if (record(sh, ref, &target, label, meta, &done, &err) < 0)
		goto out;
	printf("%s: %u file(s) written, %u removed", label, rep.written, rep.removed);
	if (nput)
		printf(", %zu ignored file%s restored", nput, nput == 1 ? "" : "s");
	printf("\n");
	for (size_t i = 0; i < rep.nrefused; i++)
		printf("  not restored: %s\n", rep.refused[i]);
	{
		/* a command to copy: with -C unless the workspace is here */
		char *here = realpath(".", NULL);

		if (here && !strcmp(here, shadow_workspace(sh)))
			printf("to undo it: belay rollback %u:1\n", sn);
		else
			printf("to undo it: belay rollback -C %s %u:1\n", shadow_workspace(sh), sn);
		free(here);
	}
	undo = xasprintf("belay rollback %s", spec);
	if (!revert)
		check_branch(sh, &st->before, a->move_branch, undo);
	rc = rep.nrefused ? 1 : 0;
out:
	shadow_unlock(sh);
	if (err.len)
		warn("%s", err.data);
	restore_report_release(&rep);
	kept_release(&kl);
	free(kept);
	git_tree_free(tt);
	history_release(&h);
	buf_release(&err);
	buf_release(&conflicts);
	free(ref);
	free(label);
	free(spec);
	free(undo);
	return rc;
}

/* belay gc: the sessions past the history the policy keeps (or --keep/--days) go, and what no one needs. */
static int do_gc(struct shadow *sh, const struct args *a)
{
	struct gc_report r;
	struct buf err = BUF_INIT;
	unsigned keep, days;
	uint64_t before = 0, after = 0;
	int rc;

	shadow_history(sh, &keep, &days);
	if (a->keep > 0)
		keep = (unsigned)a->keep;
	if (a->days >= 0)
		days = (unsigned)a->days;
	disk_usage(shadow_dir(sh), &before);
	shadow_lock(sh);
	rc = shadow_gc(sh, keep, days, wall_time(), a->dry, 1, &r, &err);
	shadow_unlock(sh);
	if (rc < 0) {
		warn("gc of %s failed: %s", shadow_dir(sh), err.data);
		buf_release(&err);
		free(r.which);
		return 1;
	}
	printf("%s %u of %u session%s (keeping the newest %u and those of the last %u days)", a->dry ? "would drop" : "dropped",
	       r.dropped, r.sessions, r.sessions == 1 ? "" : "s", keep, days);
	for (unsigned i = 0; i < r.dropped && i < 20; i++)
		printf("%s%u", i ? ", " : ": ", r.which[i]);
	printf("%s\n", r.dropped > 20 ? ", …" : "");
	if (!a->dry) {
		disk_usage(shadow_dir(sh), &after);
		printf("history: %.1f MB, was %.1f MB (%zu objects kept, %zu files pruned, %u kept-file folders removed)\n",
		       (double)after / (1 << 20), (double)before / (1 << 20), r.objects, r.pruned, r.kept_dirs);
	}
	free(r.which);
	buf_release(&err);
	return 0;
}

int cmd_checkpoint(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "stat", no_argument, NULL, 's' },
		{ "move-branch", no_argument, NULL, 'm' },
		{ "keep", required_argument, NULL, 'k' },
		{ "days", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *cmd = argv[0];
	struct args a = { .keep = -1, .days = -1 };
	struct shadow *sh;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":C:h", longs, NULL)) != -1) {
		switch (c) {
		case 'C': a.dir = optarg; break;
		case 's':
			if (strcmp(cmd, "diff"))
				return usage(cmd, "--stat is an option of diff");
			a.stat = 1;
			break;
		case 'm':
			if (strcmp(cmd, "rollback"))
				return usage(cmd, "--move-branch is an option of rollback");
			a.move_branch = 1;
			break;
		case 'k':
		case 'd':
			if (strcmp(cmd, "gc"))
				return usage(cmd, c == 'k' ? "--keep is an option of gc" : "--days is an option of gc");
			if (!parse_int(optarg, c == 'k', 100000, c == 'k' ? &a.keep : &a.days)) {
				char m[160];

				snprintf(m, sizeof(m), "%s '%.60s' must be a number from %d", c == 'k' ? "--keep" : "--days",
					 optarg, c == 'k');
				return usage(cmd, m);
			}
			break;
		case 'n':
			if (strcmp(cmd, "gc"))
				return usage(cmd, "--dry-run is an option of gc");
			a.dry = 1;
			break;
		case 'h': usage(cmd, "help"); return 0;
		case ':':
			return usage(cmd, optopt == 'C' ? "-C needs a directory" : "this option needs a value");
		default: {
			char m[128];

			snprintf(m, sizeof(m), "unknown option '%s'", argv[optind - 1]);
			return usage(cmd, m);
		}
		}
	}
	if (optind < argc)
		a.step = argv[optind++];
	if (optind < argc)
		return usage(cmd, "too many arguments");
	if ((!strcmp(cmd, "log") || !strcmp(cmd, "gc")) && a.step)
		return usage(cmd, !strcmp(cmd, "gc") ? "gc takes no step" : "log takes no step");
	if ((!strcmp(cmd, "rollback") || !strcmp(cmd, "revert")) && !a.step)
		return usage(cmd, "which step? (see belay log)");
	colour = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	sh = open_existing(a.dir);
	if (!sh)
		return 1;
	if (!strcmp(cmd, "log"))
		rc = do_log(sh);
	else if (!strcmp(cmd, "diff"))
		rc = do_diff(sh, &a);
	else if (!strcmp(cmd, "gc"))
		rc = do_gc(sh, &a);
	else
		rc = do_restore(sh, &a, !strcmp(cmd, "revert"));
	shadow_free(sh);
	return rc;
}
