/*
 * undo.c - rollback and revert from the checkpoints; see undo.h.
 */
#define _GNU_SOURCE
#include "undo.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "history.h"
#include "keep.h"
#include "restore.h"
#include "util.h"

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
static void check_branch(struct shadow *sh, const git_oid *at, int move, const char *undo_cmd, struct undo_result *res)
{
	char *then = history_head_at(sh, at), *now = checkpoints_user_head(shadow_workspace(sh));
	json_t *a = then ? json_loads(then, 0, NULL) : NULL, *b = now ? json_loads(now, 0, NULL) : NULL;
	const char *ref_a = json_string_value(json_object_get(a, "ref")), *oid_a = json_string_value(json_object_get(a, "oid"));
	const char *ref_b = json_string_value(json_object_get(b, "ref")), *oid_b = json_string_value(json_object_get(b, "oid"));

	if (!ref_a || !ref_b || !oid_a || !oid_b || (!strcmp(ref_a, ref_b) && !strcmp(oid_a, oid_b)))
		goto out;
	if (strcmp(ref_a, ref_b)) {
		buf_addf(&res->notes, "note: the repository's HEAD was %s then and is %s now (a checkout); belay left it: "
		       "run 'git checkout %s' to go back\n",
		       ref_a, ref_b, !strncmp(ref_a, "refs/heads/", 11) ? ref_a + 11 : oid_a);
		goto out;
	}
	if (!move) {
		buf_addf(&res->notes, "note: '%s' was at %.12s then and is at %.12s now (a commit or reset since); belay left it.\n"
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
			buf_addf(&res->warnings, "cannot move '%s' back to %.12s: %s\n", ref_a, oid_a, shadow_git_error());
		else
			buf_addf(&res->notes, "moved '%s' back from %.12s to %.12s (the index and files of the repository are "
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

int undo_run(struct shadow *sh, const char *step, int revert, int move_branch, struct undo_result *res,
	     struct buf *err)
{
	struct history h;
	struct buf conflicts = BUF_INIT;
	struct restore_report rep = { 0 };
	const struct hist_step *st;
	git_oid present, target, base, done;
	git_tree *tt = NULL;
	char *ref = NULL, *label = NULL, *spec = NULL, *undo = NULL;
	unsigned sn;
	int rc = -1;
	json_t *meta, *steps, *one;
	struct kept_list kl = { 0 };
	const struct kept **kept = NULL;
	size_t nkept = 0, nput = 0;

	shadow_lock(sh);
	if (history_load(sh, &h, err) < 0)
		goto out;
	if (!(st = history_find(&h, step, err))) {
		rc = 2; /* a step that is not there: a usage error */
		goto out;
	}
	spec = xasprintf("%u:%u", st->session, st->id);
	res->spec = xstrdup(spec);
	/* the present first, so that this can be undone too */
	if (shadow_scan_all(sh, NULL, NULL, err) < 0 || shadow_write_tree(sh, &present, err) < 0)
		goto out;
	if (revert) {
		git_tree *tb = history_tree(sh, &st->base), *ta = history_tree(sh, &st->after);
		int m = tb && ta ? restore_revert_tree(sh, git_tree_id(tb), git_tree_id(ta), &present, &target, &conflicts, err)
				 : -1;

		git_tree_free(tb);
		git_tree_free(ta);
		if (m < 0) {
			if (!err->len)
				buf_addf(err, "cannot read step %s", spec);
			goto out;
		}
		if (m == 1) {
			buf_addf(err, "cannot revert %s: later changes touch the same lines of %s; nothing was written "
				       "(roll back to before a later step instead, see belay log)",
				 spec, conflicts.data);
			rc = 1;
			goto out;
		}
	} else {
		tt = history_tree(sh, &st->before);
		if (!tt) {
			buf_addf(err, "cannot read the checkpoint before %s: %s", spec, shadow_git_error());
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
			buf_addf(&res->warnings,
				 "the checkpoint of step %u:%u (%s) failed: %s; what it changed was never checkpointed, so "
				 "the files go back to before it and its changes cannot be restored\n",
				 f[i]->session, f[i]->id, f[i]->cmd, f[i]->failed);
		if (st->failed)
			buf_addf(&res->warnings, "the checkpoint of %s failed: %s; its changes were checkpointed with later ones%s\n",
				 spec, st->failed, revert ? ", which this revert undoes too" : "");
		free(f);
	}
	if (git_oid_equal(&present, &target) && !nkept) {
		res->nothing = 1;
		/* the files are back (an earlier rollback): the branch may still be asked for */
		if (!revert) {
			undo = xasprintf("belay rollback %s", spec);
			check_branch(sh, &st->before, move_branch, undo, res);
		}
		rc = 0;
		goto out;
	}
	sn = next_session(&h);
	ref = xasprintf("refs/belay/sessions/%u", sn);
	label = undo_label(revert, spec);
	meta = json_pack("{s:s, s:i, s:s, s:s, s:i}", "kind", checkpoint_kind_name(CP_BASELINE), "session", (int)sn, "cmd", label,
			 "workspace", shadow_workspace(sh), "files", (int)git_index_entrycount(shadow_index(sh)));
	if (record(sh, ref, &present, label, meta, &base, err) < 0)
		goto out;
	if (!git_oid_equal(&present, &target) && restore_tree(sh, &present, &target, label, &rep, err) < 0)
		goto out;
	if (nkept)
		put_kept(sh, kept, nkept, sn, &base, &rep, &nput);
	one = json_pack("{s:i, s:s, s:s, s:n, s:f, s:f}", "step", 1, "cmd", label, "before", git_oid_tostr_s(&base),
			"after", "start", (double)time(NULL), "end", (double)time(NULL));
	steps = json_array();
	json_array_append_new(steps, one);
	meta = json_pack("{s:s, s:i}", "kind", checkpoint_kind_name(CP_STEP), "session", (int)sn);
	json_object_set_new(meta, "steps", steps);
	if (record(sh, ref, &target, label, meta, &done, err) < 0)
		goto out;
	res->session = sn;
	res->written = rep.written;
	res->removed = rep.removed;
	res->kept_put = nput;
	res->refused = rep.refused;
	res->nrefused = rep.nrefused;
	rep.refused = NULL;
	rep.nrefused = 0;
	undo = xasprintf("belay rollback %s", spec);
	if (!revert)
		check_branch(sh, &st->before, move_branch, undo, res);
	rc = res->nrefused ? 1 : 0;
out:
	shadow_unlock(sh);
	restore_report_release(&rep);
	kept_release(&kl);
	free(kept);
	git_tree_free(tt);
	history_release(&h);
	buf_release(&conflicts);
	free(ref);
	free(label);
	free(spec);
	free(undo);
	return rc;
}


void undo_result_release(struct undo_result *r)
{
	for (size_t i = 0; i < r->nrefused; i++)
		free(r->refused[i]);
	free(r->refused);
	free(r->spec);
	buf_release(&r->warnings);
	buf_release(&r->notes);
	memset(r, 0, sizeof(*r));
}

#define REVERT_OF "revert of "
#define ROLLBACK_TO "rollback to before "

char *undo_label(int revert, const char *spec)
{
	return xasprintf("%s%s", revert ? REVERT_OF : ROLLBACK_TO, spec);
}

int undo_label_parse(const char *label, int *revert, unsigned *session, unsigned *step)
{
	const char *spec;
	char tail;

	if (!strncmp(label, REVERT_OF, strlen(REVERT_OF)))
		*revert = 1, spec = label + strlen(REVERT_OF);
	else if (!strncmp(label, ROLLBACK_TO, strlen(ROLLBACK_TO)))
		*revert = 0, spec = label + strlen(ROLLBACK_TO);
	else
		return -1;
	if (spec[0] < '0' || spec[0] > '9' || sscanf(spec, "%u:%u%c", session, step, &tail) != 2)
		return -1;
	return 0;
}
