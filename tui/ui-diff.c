/*
 * ui-diff.c - the screen's diff section: what the selected step (or the
 * newest, or the whole session, or an undo's preview) changed, file by
 * file, read from the checkpoints (review.h) or, in a replay, from the
 * recording (player.h).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "../supervisor/util.h"
#include "ui-int.h"

/* The diffs come from the checkpoints, or in a replay from the recording. */
static int src_files(struct ui *ui, enum review_what what, unsigned session, unsigned id,
		     const struct review_file **files, struct buf *err)
{
	if (!ui->replay)
		return review_files(ui->rv, what, session, id, files, err);
	*files = NULL;
	if (what != REVIEW_STEP) {
		buf_addstr(err, "a replay undoes nothing");
		return -1;
	}
	if (!id && !ui->session_view) {
		static const struct review_file none;

		*files = &none; /* following the newest step, and none changed a file yet */
		return 0;
	}
	if (!id) {
		buf_addstr(err, "a recording keeps each step's changes, not the whole session's: select a step");
		return -1;
	}
	return ui->replay->files(ui->replay->data, id, files, err);
}

static unsigned src_generation(struct ui *ui)
{
	return ui->replay ? ui->replay->generation(ui->replay->data) : review_generation(ui->rv);
}

static int src_patch(struct ui *ui, size_t i, const struct review_line **lines, struct buf *err)
{
	return ui->replay ? ui->replay->patch(ui->replay->data, i, lines, err) : review_patch(ui->rv, i, lines, err);
}

static int src_count(struct ui *ui, unsigned session, unsigned id, unsigned *added, unsigned *removed)
{
	return ui->replay ? ui->replay->count(ui->replay->data, id, added, removed)
			  : review_count(ui->rv, session, id, added, removed);
}

void ui_diff_release(struct ui *ui)
{
	for (size_t i = 0; i < ui->nextra; i++)
		free(ui->extra[i]);
	free(ui->extra);
	ui->extra = NULL;
	ui->nextra = 0;
}

unsigned ui_diff_step(const struct ui *ui)
{
	const struct model *m = &ui->model;

	if (ui->undo_step)
		return ui->undo_step;
	if (ui->session_view)
		return 0;
	if (ui->sel)
		return ui->sel;
	for (size_t i = m->nsteps; i-- > 0;)
		if (m->steps[i].changed > 0 && !m->steps[i].quiet)
			return m->steps[i].id;
	return 0;
}

/* Files the step's calls wrote in the workspace that no checkpoint holds (ignored, too big). */
static void list_extra(struct ui *ui, const struct step_row *r)
{
	for (size_t i = 0; i < r->npaths && ui->nextra < 16; i++) {
		const char *ws = ui->model.cwd;
		size_t wl = ws ? strlen(ws) : 0;
		const char *rel;
		struct stat stb;
		int listed = 0;
		char sz[32], *name;

		if (!wl || strncmp(r->paths[i], ws, wl) || r->paths[i][wl] != '/')
			continue;
		rel = r->paths[i] + wl + 1;
		/* git's own files are git's business, never checkpointed */
		if (!strncmp(rel, ".git/", 5) || strstr(rel, "/.git/"))
			continue;
		for (size_t k = 0; k < ui->nfiles && !listed; k++)
			listed = !strcmp(ui->files[k].path, rel) ||
				 (ui->files[k].old_path && !strcmp(ui->files[k].old_path, rel));
		if (listed || lstat(r->paths[i], &stb) < 0 || !S_ISREG(stb.st_mode))
			continue;
		panel_size((uint64_t)stb.st_size, sz, sizeof(sz));
		name = text_visible(rel);
		ui->extra = xrealloc(ui->extra, (ui->nextra + 1) * sizeof(*ui->extra));
		ui->extra[ui->nextra++] = xasprintf("%s (not in checkpoints: ignored; %s)", name, sz);
		free(name);
	}
}

void ui_diff_update(struct ui *ui)
{
	struct model *m = &ui->model;
	unsigned id = ui_diff_step(ui);
	enum review_what what = ui->undo_step ? (ui->undo_revert ? REVIEW_REVERT : REVIEW_ROLLBACK) : REVIEW_STEP;
	struct buf err = BUF_INIT, t = BUF_INIT;
	const struct step_row *r = id ? model_step(m, id) : NULL;
	int n;

	int same;

	if (!ui->rv && !ui->replay)
		return;
	if (m->diffs != ui->rv_diffs) {
		/* new checkpoints: what is shown may have changed (a step that
		 * ended, the session's newest state); the review reads again
		 * only what it lacks */
		if (ui->rv)
			review_stale(ui->rv);
		ui->rv_diffs = m->diffs;
		ui->shown.check = 1;
	}
	same = ui->shown.valid && ui->shown.step == id && ui->shown.what == what && ui->shown.followed == !ui->sel;
	if (same && ui->shown.file == ui->file && !ui->shown.check)
		return;
	ui->shown.check = 0;
	if (same && ui->shown.file == ui->file && ui->shown.ok && m->cp_session && (!r || r->changed >= 0)) {
		/* the same diff, unless the review made it again */
		const struct review_file *f;

		n = src_files(ui, what, m->cp_session, id, &f, &err);
		if (n >= 0 && src_generation(ui) == ui->shown.gen) {
			buf_release(&err);
			return;
		}
		buf_reset(&err);
	}
	if (!same) {
		/* another step: its first file, from the top (the same one keeps its place) */
		ui->file = 0;
		ui->diff_top = 0;
	}
	ui->shown.valid = 1;
	ui->shown.ok = 0;
	ui->shown.followed = !ui->sel;
	ui->shown.step = id;
	ui->shown.what = what;
	ui->shown.file = ui->file;
	ui->files = NULL;
	ui->difflines = NULL;
	ui->nfiles = ui->ndifflines = 0;
	free(ui->diff_note);
	ui->diff_note = NULL;
	ui_diff_release(ui);
	if (!m->cp_session) {
		buf_addstr(&t, "changes");
		ui->diff_note = xstrdup("no checkpoints in this session: nothing to compare");
		goto out;
	}
	if (r && r->changed < 0 && what == REVIEW_STEP) {
		buf_addf(&t, "step %u", id);
		ui->diff_note = xstrdup(r->state == STEP_RUNNING || r->state == STEP_HELD
					? "running: what it changed shows when it ends" : "not checkpointed yet");
		goto out;
	}
	n = src_files(ui, what, m->cp_session, id, &ui->files, &err);
	if (n < 0) {
		buf_addf(&t, id ? "step %u" : "the session", id);
		ui->diff_note = buf_detach(&err, NULL);
		goto out;
	}
	ui->shown.ok = 1;
	ui->shown.gen = src_generation(ui);
	ui->nfiles = (size_t)n;
	if (r && what == REVIEW_STEP) {
		struct step_row *w = model_step(m, id);

		w->added = w->removed = 0;
		for (size_t i = 0; i < ui->nfiles; i++)
			w->added += ui->files[i].added, w->removed += ui->files[i].removed;
		w->lines_known = 1;
		if (!ui->replay)
			list_extra(ui, r); /* what is on disk now, not then */
	}
	if (what == REVIEW_ROLLBACK)
		buf_addf(&t, "rollback to before step %u would change %zu file%s", id, ui->nfiles, ui->nfiles == 1 ? "" : "s");
	else if (what == REVIEW_REVERT)
		buf_addf(&t, "revert of step %u would change %zu file%s", id, ui->nfiles, ui->nfiles == 1 ? "" : "s");
	else if (!id)
		buf_addf(&t, "the session: %zu file%s changed", ui->nfiles, ui->nfiles == 1 ? "" : "s");
	else
		buf_addf(&t, "step %u%s: %zu file%s", id, ui->sel ? "" : " (the newest)", ui->nfiles,
			 ui->nfiles == 1 ? "" : "s");
	if (r && r->lines_known && what == REVIEW_STEP && ui->nfiles)
		buf_addf(&t, " +%u −%u", r->added, r->removed);
	if (r && r->note && what == REVIEW_STEP) {
		char *v = text_visible(r->note);

		/* the newest of the step's notes (all are in the recording) */
		if (r->notes > 1)
			buf_addf(&t, " · %u notes, the last %s", r->notes, v);
		else
			buf_addf(&t, " · note %s", v);
		free(v);
	}
	if (!ui->nfiles && !ui->nextra) {
		ui->diff_note = xstrdup(what == REVIEW_STEP ? "no file changed" : "nothing would change");
		goto out;
	}
	ui->file = MIN(ui->file, ui->nfiles + ui->nextra - 1);
	ui->shown.file = ui->file;
	if (ui->file < ui->nfiles) {
		buf_reset(&err);
		n = src_patch(ui, ui->file, &ui->difflines, &err);
		if (n < 0)
			ui->diff_note = buf_detach(&err, NULL);
		else
			ui->ndifflines = (size_t)n;
	} else {
		ui->diff_note = xstrdup("belay does not checkpoint this file (it is ignored, or too big): "
					"its content is not shown");
	}
out:
	free(ui->diff_title);
	ui->diff_title = buf_detach(&t, NULL);
	buf_release(&err);
}

void ui_diff_count(struct ui *ui)
{
	struct model *m = &ui->model;
	int done = 0;

	if ((!ui->rv && !ui->replay) || !m->cp_session)
		return;
	for (int y = 0; y < PANEL_MAX_ROWS && done < COUNTS_PER_FRAME; y++) {
		struct step_row *r = ui->hits.step[y] ? model_step(m, ui->hits.step[y]) : NULL;

		if (!r || r->lines_known || r->changed < 0)
			continue;
		if (r->changed == 0) {
			r->lines_known = 1;
			continue;
		}
		done++;
		/* not in the history as read yet: counted in a later frame */
		if (src_count(ui, m->cp_session, r->id, &r->added, &r->removed) < 0)
			continue;
		r->lines_known = 1;
		ui_mark_dirty(ui);
	}
}

