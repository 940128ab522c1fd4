/*
 * ui.c - the screen front end; see ui.h.
 *
 * Owns curses, the windows and the interaction state (prefix pending,
 * scrollback, help, questions, selection).  Callbacks only change state and
 * call mark_dirty(); render() runs from a timer at most FRAME_HZ times a
 * second.  What the person types and clicks is ui-input.c's, the diff
 * section ui-diff.c's; the actions keys run are here.
 */
#define _GNU_SOURCE
#include "ui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <term.h>
#include <unistd.h>

#include "../supervisor/checkpoint.h"
#include "../supervisor/review.h"
#include "../supervisor/undo.h"
#include "../supervisor/util.h"
#include "colour.h"
#include "data.h"
#include "input.h"
#include "model.h"
#include "panel.h"
#include "termview.h"
#include "views.h"
#include "vtscan.h"


#include "ui-int.h"


static struct ui *active_ui; /* for ui_emergency_restore() */

static void mark_dirty(struct ui *ui);

void ui_mark_dirty(struct ui *ui)
{
	mark_dirty(ui);
}

void ui_out_raw(const char *s)
{
	fd_write_all(STDOUT_FILENO, s, strlen(s));
}

static void message_expired(struct loop *loop, void *data)
{
	struct ui *ui = data;

	(void)loop;
	ui->message_timer = NULL;
	free(ui->message);
	ui->message = NULL;
	mark_dirty(ui);
}

void PRINTF_LIKE(2, 3) ui_message(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	free(ui->message);
	va_start(ap, fmt);
	if (vasprintf(&ui->message, fmt, ap) < 0)
		ui->message = NULL;
	va_end(ap);
	loop_cancel_timer(ui->loop, ui->message_timer);
	loop_cancel_timer(ui->loop, ui->flash_timer);
	ui->message_timer = loop_add_timer(ui->loop, MESSAGE_NS, message_expired, ui);
	mark_dirty(ui);
}

/* ---- layout and drawing ---- */

/* The panels' width beside the pane: 0 under 80 columns or zoomed. */
static unsigned side_width(const struct ui *ui)
{
	unsigned cols = (unsigned)ui->cols, side;

	if (ui->zoomed || cols < NARROW_COLS)
		return 0;
	if (ui->side_user)
		return MIN(MAX((unsigned)ui->side_user, 20u), cols - 40);
	side = MIN(MAX(cols / 4, 26u), 40u);
	/* a wide terminal: room for diffs, the agent keeps 100 columns */
	if (cols >= 120)
		side = MAX(side, MIN(cols - 100, cols * 2 / 5));
	return side;
}

void ui_layout(struct ui *ui)
{
	unsigned side;

	getmaxyx(stdscr, ui->rows, ui->cols);
	if (ui->rows < 2 || ui->cols < 2) {
		ui->rows = MAX(ui->rows, 2);
		ui->cols = MAX(ui->cols, 2);
	}
	side = side_width(ui);
	ui->side_cols = side;
	ui->pane_cols = (unsigned)ui->cols - (side ? side + 1 : 0);
	ui->pane_rows = (unsigned)ui->rows - 1;

	if (ui->pane)
		delwin(ui->pane);
	if (ui->side)
		delwin(ui->side);
	if (ui->border)
		delwin(ui->border);
	if (ui->status)
		delwin(ui->status);
	ui->side = ui->border = NULL;
	ui->pane = newwin((int)ui->pane_rows, (int)ui->pane_cols, 0, 0);
	ui->status = newwin(1, ui->cols, ui->rows - 1, 0);
	if (side) {
		ui->border = newwin((int)ui->pane_rows, 1, 0, (int)ui->pane_cols);
		ui->side = newwin((int)ui->pane_rows, (int)side, 0, (int)ui->pane_cols + 1);
	} else {
		/* narrow or zoomed: the panels are a view of their own, over the pane while they have the keyboard */
		ui->side = newwin((int)ui->pane_rows, ui->cols, 0, 0);
	}
	if (!ui->pane || !ui->status || !ui->side)
		fatal("cannot lay out a %dx%d screen", ui->cols, ui->rows);
	if (ui->replay)
		termview_resize(ui->tv, ui->replay_rows, ui->replay_cols);
	else
		termview_resize(ui->tv, ui->pane_rows, ui->pane_cols);
	if (ui->session)
		session_resize(ui->session, ui->pane_rows, ui->pane_cols);
	clearok(curscr, TRUE);
	mark_dirty(ui);
}

static void fill_state(struct ui *ui, struct view_state *st)
{
	const struct model *m = &ui->model;

	memset(st, 0, sizeof(*st));
	st->argv = m->argv;
	st->pid = m->pid;
	st->withheld = m->withheld;
	st->nwithheld = m->nwithheld;
	st->profile = m->profile;
	st->sandbox = m->sandbox;
	st->limits = m->limits;
	st->cwd = m->cwd;
	if (ui->replay) {
		st->elapsed_ns = ui->replay->now(ui->replay->data);
		st->replay = ui->replay->status(ui->replay->data);
		st->replay_label = ui->replay->label;
		st->replay_keys = ui->replay->keys;
	}
	st->running = ui->replay ? !m->exited && !ui->ended : ui->running;
	if (ui->session) {
		st->frozen = session_frozen(ui->session);
		st->elapsed_ns = ui->running ? now_ns() - session_started_ns(ui->session) : m->ran_ns;
	}
	st->exit_code = m->exit_code;
	st->exit_signal = m->exit_signal;
	st->pane_rows = ui->pane_rows;
	st->pane_cols = ui->pane_cols;
	st->title = termview_title(ui->tv);
	st->modes = termview_modes(ui->tv);
	st->alt_screen = termview_alt_screen(ui->tv);
	st->scroll_offset = termview_scroll_offset(ui->tv);
	st->scroll_mode = ui->scroll_mode;
	st->prefix_pending = ui->prefix_pending;
	st->prefix_name = ui->prefix_name;
	st->message = ui->message;
	st->zoomed = ui->zoomed;
	st->focus = ui->focus;
	st->flash = ui->flash_until > now_ns();
	st->intercepting = ui->replay ? ui->replay->intercepted : ui->session && session_intercepting(ui->session);
	st->nsteps = m->nsteps;
	if (m->nheld && (!ui->replay || ui->replay->decide)) { /* a replay shows it in the panel: no keys answer it */
		const struct held_row *h = &m->held[0];

		st->held = h->what;
		st->held_n = h->n;
		/* where, then what: a narrow line keeps the place */
		free(ui->held_why);
		ui->held_why = h->text ? xasprintf("%s: %s", h->rule, h->text) : xstrdup(h->rule);
		st->held_rule = ui->held_why;
		st->nheld = m->nheld;
		st->held_keys = ui->held_keys;
	}
	st->grant = m->ngrants ? m->grants[m->ngrants - 1].text : NULL;
	st->ngrants = m->ngrants;
	st->checkpoint = m->cp_text;
	st->checkpoint_failed = m->cp_failed;
	if (ui->confirm_quit)
		st->prompt = "stop the agent and quit belay? (y/n)";
	else if (ui->undo_step)
		st->prompt = ui->undo_prompt;
	else if (ui->grant_n)
		st->prompt = ui->grant_text;
	else if (ui->reason_n) {
		free(ui->reason_prompt);
		ui->reason_prompt = xasprintf("#%u: deny, because: %s_   Enter: deny · Escape: back", ui->reason_n,
					      ui->reason);
		st->prompt = ui->reason_prompt;
	} else if (ui->noting) {
		free(ui->reason_prompt);
		ui->reason_prompt = ui->note_step ? xasprintf("note on step %u: %s_   Enter: add · Escape: back", ui->note_step, ui->reason)
						  : xasprintf("note on the session: %s_   Enter: add · Escape: back", ui->reason);
		st->prompt = ui->reason_prompt;
	}
	else if (ui->ended && !ui->message && !ui->replay)
		st->message = "the agent has exited: q closes belay";
}

/* ---- the diff the panels show ---- */

static void draw_panels(struct ui *ui, WINDOW *w, const struct view_state *st)
{
	struct panel_state ps = { 0 };

	ui->side_y0 = views_facts(&ui->views, w, st, ui->focus || ui->model.nheld);
	ui_diff_update(ui);
	ps.m = &ui->model;
	ps.focus = ui->focus;
	ps.sel = ui->sel;
	ps.expanded = ui->expanded;
	ps.show_quiet = ui->show_quiet;
	ps.held_keys = ui->held_keys;
	ps.diff_title = ui->rv || ui->replay ? ui->diff_title : NULL;
	ps.diff_note = ui->diff_note;
	ps.files = ui->files;
	ps.nfiles = ui->nfiles;
	ps.file = ui->file;
	ps.extra = ui->extra;
	ps.nextra = ui->nextra;
	ps.difflines = ui->difflines;
	ps.ndifflines = ui->ndifflines;
	ui->diff_top = MIN(ui->diff_top, ui->ndifflines ? (unsigned)ui->ndifflines - 1 : 0);
	ps.top = ui->diff_top;
	panel_draw(&ui->views, w, ui->side_y0, &ps, &ui->hits);
	ui_diff_count(ui);
}

static void render(struct ui *ui)
{
	struct view_state st;
	unsigned cx, cy;
	int over = ui->focus && !ui->side_cols; /* the panels over the pane */

	fill_state(ui, &st);
	if (st.held_n != ui->shown_n) {
		ui->shown_n = st.held && !st.prompt ? st.held_n : 0;
		ui->shown_since = now_ns();
		if (ui->shown_n && ui->message) {
			/* a message about the last key is not about this call:
			 * the call takes the line */
			free(ui->message);
			ui->message = NULL;
			st.message = NULL;
		}
	}
	if (over) {
		draw_panels(ui, ui->side, &st);
		wnoutrefresh(ui->side);
	} else {
		if (ui->replay)
			werase(ui->pane); /* the recorded pane may be smaller than this one */
		termview_draw(ui->tv, ui->pane, &ui->caps);
		views_scroll_badge(&ui->views, ui->pane, &st);
		if (ui->side_cols) {
			draw_panels(ui, ui->side, &st);
			views_border(&ui->views, ui->border, ui->dragging);
			wnoutrefresh(ui->side);
			wnoutrefresh(ui->border);
		}
	}
	views_status(&ui->views, ui->status, &st);
	wnoutrefresh(ui->status);
	if (ui->help_visible) {
		int h = MIN(views_help_lines(ui->km), ui->rows - 1);
		int w = MIN(64, ui->cols);

		if (ui->help)
			delwin(ui->help);
		ui->help = newwin(h, w, MAX(0, (ui->rows - 1 - h) / 2), MAX(0, (ui->cols - w) / 2));
		wnoutrefresh(over ? ui->side : ui->pane);
		if (ui->help) {
			ui->help_rows = h;
			ui->help_top = MIN(ui->help_top, MAX(0, views_help_lines(ui->km) - h));
			views_help(&ui->views, ui->help, ui->km, ui->help_top);
			wnoutrefresh(ui->help);
		}
		curs_set(0);
	} else if (!over && !ui->focus && !ui->confirm_quit && termview_cursor(ui->tv, &cx, &cy)) {
		leaveok(ui->pane, FALSE);
		wmove(ui->pane, (int)cy, (int)cx);
		wnoutrefresh(ui->pane);
		curs_set(1);
	} else {
		if (!over)
			wnoutrefresh(ui->pane);
		curs_set(0);
	}
	doupdate();
	if (termview_take_bells(ui->tv))
		beep();
}

static void frame_due(struct loop *loop, void *data)
{
	struct ui *ui = data;
	uint64_t now = now_ns();

	(void)loop;
	ui->frame_timer = NULL;
	if (ui->terminal_lost)
		return;
	/* an agent in the middle of a synchronized update (?2026) is waited
	 * for, a little, so that half-drawn frames are not shown */
	if (termview_modes(ui->tv) & VT_MODE_SYNC) {
		if (!ui->sync_since)
			ui->sync_since = now;
		if (now - ui->sync_since < SYNC_MAX_NS) {
			ui->frame_timer = loop_add_timer(ui->loop, FRAME_NS, frame_due, ui);
			return;
		}
	}
	ui->sync_since = 0;
	ui->dirty = 0;
	ui->last_frame = now;
	render(ui);
}

static void mark_dirty(struct ui *ui)
{
	uint64_t now, next;

	ui->dirty = 1;
	if (ui->frame_timer || ui->freed)
		return;
	now = now_ns();
	next = ui->last_frame + FRAME_NS;
	ui->frame_timer = loop_add_timer(ui->loop, next > now ? next - now : 0, frame_due, ui);
}

/* The pane as it is, to the recording: a replay seeks from here. */
static void keyframe(struct ui *ui)
{
	struct buf b = BUF_INIT;

	termview_snapshot(ui->tv, &b);
	journal_screen(ui->journal, termview_rows(ui->tv), termview_cols(ui->tv), b.data, b.len);
	buf_release(&b);
	ui->kf_bytes = 0;
	ui->kf_ns = now_ns();
}

static void tick(struct loop *loop, void *data)
{
	struct ui *ui = data;

	ui->tick_timer = NULL;
	if (!ui->running)
		return;
	if (ui->journal && ui->kf_bytes && now_ns() - ui->kf_ns >= KEYFRAME_NS)
		keyframe(ui);
	mark_dirty(ui);
	ui->tick_timer = loop_add_timer(loop, 1000000000ull, tick, ui);
}

/* ---- actions ---- */

void ui_quit_now(struct ui *ui)
{
	ui->quitting = 1;
	if (ui->running && ui->session)
		session_hangup(ui->session, 1000);
	else
		loop_stop(ui->loop, ui->ended && !ui->replay ? ui->model.exit_status : 0);
}

void ui_scroll_by(struct ui *ui, int n)
{
	if (termview_alt_screen(ui->tv)) {
		ui_message(ui, "no scrollback: the agent uses the full screen");
		return;
	}
	ui->scroll_mode = 1;
	termview_scroll(ui->tv, n);
	if (n < 0 && !termview_scroll_offset(ui->tv))
		ui->scroll_mode = 0; /* back at the live screen */
	mark_dirty(ui);
}

static void act_send_prefix(struct ui *ui)
{
	termview_key(ui->tv, keymap_prefix(ui->km), NULL, 0);
}

static void act_help(struct ui *ui)
{
	ui->help_visible = 1;
	ui->help_top = 0;
}

static void act_quit(struct ui *ui)
{
	if (ui->running)
		ui->confirm_quit = 1;
	else
		ui_quit_now(ui);
}

static void act_zoom(struct ui *ui)
{
	ui->zoomed = !ui->zoomed;
	ui_layout(ui);
}

static void act_redraw(struct ui *ui)
{
	clearok(curscr, TRUE);
}

static void act_paste(struct ui *ui)
{
	if (ui->paste_buf)
		termview_paste_text(ui->tv, ui->paste_buf, strlen(ui->paste_buf));
	else
		ui_message(ui, "nothing to paste: select text with the mouse first");
}

static void act_scroll_mode(struct ui *ui)
{
	if (termview_alt_screen(ui->tv))
		ui_message(ui, "no scrollback: the agent uses the full screen");
	else
		ui->scroll_mode = 1;
}

static void act_scroll_up(struct ui *ui) { ui_scroll_by(ui, 1); }
static void act_scroll_down(struct ui *ui) { ui_scroll_by(ui, -1); }
static void act_scroll_half_up(struct ui *ui) { ui_scroll_by(ui, (int)MAX(ui->pane_rows / 2, 1u)); }
static void act_scroll_half_down(struct ui *ui) { ui_scroll_by(ui, -(int)MAX(ui->pane_rows / 2, 1u)); }
static void act_scroll_page_up(struct ui *ui) { ui_scroll_by(ui, (int)MAX(ui->pane_rows - 1, 1u)); }
static void act_scroll_page_down(struct ui *ui) { ui_scroll_by(ui, -(int)MAX(ui->pane_rows - 1, 1u)); }
static void act_scroll_top(struct ui *ui) { ui_scroll_by(ui, 1 << 24); }

static void act_scroll_exit(struct ui *ui)
{
	termview_scroll_reset(ui->tv);
	ui->scroll_mode = 0;
}

/*
 * A key decides the call the screen shows, and only once it has been shown
 * long enough to have been read: a key already on its way when the call
 * appeared was meant for something else.
 */
static unsigned decidable(struct ui *ui)
{
	int found = 0;

	if (ui->replay) {
		/* watched from elsewhere: the session says what still waits */
		if (!ui->replay->decide) {
			ui_message(ui, ui->model.nheld ? "you may watch this session, not decide" : "no call is waiting for a decision");
			return 0;
		}
		for (size_t i = 0; i < ui->model.nheld; i++)
			found |= ui->model.held[i].n == ui->shown_n;
	}
	for (size_t i = 0; ui->session && i < session_nheld(ui->session); i++)
		found |= session_held(ui->session, i)->n == ui->shown_n;
	if (!ui->shown_n || !found) {
		ui_message(ui, ui->model.nheld ? "that call was answered already" : "no call is waiting for a decision");
		return 0;
	}
	if (now_ns() - ui->shown_since < (uint64_t)keymap_decide_delay(ui->km) * 1000000ull) {
		ui_message(ui, "appeared just now: nothing decided (%s again to decide)", ui->how);
		return 0;
	}
	return ui->shown_n;
}

/* A decision through the viewer's session (belay attach). */
static void remote_decide(struct ui *ui, unsigned n, enum answer a, const char *how, const char *reason)
{
	struct buf err = BUF_INIT;

	if (ui->replay->decide(ui->replay->data, n, a, how, reason, &err) < 0)
		ui_message(ui, "%s", err.data);
	buf_release(&err);
}

static void decide(struct ui *ui, enum answer a)
{
	unsigned n = decidable(ui);

	if (!n)
		return;
	if (ui->replay) {
		if (a == ANSWER_ALLOW_SIMILAR)
			ui_message(ui, "allow-similar adds a rule to the session: only its owner, at its screen, can");
		else
			remote_decide(ui, n, a, ui->how, NULL);
		return;
	}
	if (a == ANSWER_ALLOW_SIMILAR) {
		/* the rule is shown first; y adds it */
		char *rule = session_grant_preview(ui->session, n);

		if (!rule) {
			ui_message(ui, "#%u: no grant can be made in this session (--two-person, or no policy); %s a allows this call",
				   n, ui->prefix_name);
			return;
		}
		free(ui->grant_text);
		ui->grant_text = xasprintf("#%u: allow it, and for this session: %s ?  y: yes · any other key: no",
					   n, rule);
		ui->grant_n = n;
		free(rule);
		return;
	}
	session_answer(ui->session, n, a, DECIDED_USER, ui->how);
}

static void act_allow(struct ui *ui) { decide(ui, ANSWER_ALLOW); }
static void act_allow_similar(struct ui *ui) { decide(ui, ANSWER_ALLOW_SIMILAR); }
static void act_deny(struct ui *ui) { decide(ui, ANSWER_DENY); }

/* Deny, with a line of text: the keys that follow write it (reason_key). */
static void act_deny_reason(struct ui *ui)
{
	unsigned n = decidable(ui);

	if (!n)
		return;
	ui->reason_n = n;
	ui->reason[0] = '\0';
}

/* Enter on a note: to the session (ours, or the one watched). */
static void note_done(struct ui *ui)
{
	struct buf err = BUF_INIT;

	ui->noting = 0;
	if (!ui->reason[0]) {
		ui_message(ui, "an empty note: nothing added");
	} else if (ui->replay && ui->replay->note) {
		if (ui->replay->note(ui->replay->data, ui->note_step, ui->reason, &err) < 0)
			ui_message(ui, "%s", err.data);
	} else if (ui->session) {
		struct passwd *pw = getpwuid(getuid());

		session_note(ui->session, ui->note_step, pw ? pw->pw_name : "owner", ui->reason);
	}
	buf_release(&err);
}

static void act_hand_keyboard(struct ui *ui)
{
	if (ui->replay) {
		ui_message(ui, "only the session's owner, at its screen, hands the keyboard over");
		return;
	}
	if (!ui->handover) {
		ui_message(ui, "nobody can attach to this session (no control socket): no keyboard to hand over");
		return;
	}
	/* the session's notice says what happened, on every screen */
	ui->handover(ui->handover_data);
}

void ui_on_handover(struct ui *ui, int (*handover)(void *data), void *data)
{
	ui->handover = handover;
	ui->handover_data = data;
}

/* Write a note on the selected step: the keys that follow write it (reason_key). */
static void act_note(struct ui *ui)
{
	if (ui->replay && !ui->replay->note) {
		ui_message(ui, "a replay's notes are in the recording already: nothing can be added");
		return;
	}
	ui->noting = 1;
	ui->note_step = ui->sel;
	ui->reason[0] = '\0';
	mark_dirty(ui);
}

/* A key while the reason (or a note) is typed: none reaches the agent. */
void ui_reason_key(struct ui *ui, const struct key *k, const char *raw, size_t rawlen)
{
	size_t len = strlen(ui->reason);

	if (ui->noting && k->code == KEYC_ENTER) {
		note_done(ui);
	} else if (ui->noting && (k->code == KEYC_ESCAPE || (k->code == 'c' && k->mods == KEYM_CTRL))) {
		ui->noting = 0;
		ui_message(ui, "no note added");
	} else if (k->code == KEYC_ENTER) {
		unsigned n = ui->reason_n;
		char how[96];

		ui->reason_n = 0;
		snprintf(how, sizeof(how), "%s (with a reason)", ui->how);
		if (ui->replay)
			remote_decide(ui, n, ANSWER_DENY, how, ui->reason);
		else if (session_deny_because(ui->session, n, DECIDED_USER, how, ui->reason) < 0)
			ui_message(ui, "call #%u is no longer waiting: nothing denied", n);
	} else if (k->code == KEYC_ESCAPE || (k->code == 'c' && k->mods == KEYM_CTRL)) {
		ui->reason_n = 0;
		ui_message(ui, "nothing denied; it still waits");
	} else if (k->code == KEYC_BSPACE || (k->code == 'h' && k->mods == KEYM_CTRL)) {
		/* one character back (UTF-8: past its continuation bytes) */
		while (len && ((unsigned char)ui->reason[len - 1] & 0xc0) == 0x80)
			len--;
		if (len)
			len--;
		ui->reason[len] = '\0';
	} else if (k->code == 'u' && k->mods == KEYM_CTRL) {
		ui->reason[0] = '\0';
	} else if (!k->mods && k->code >= 0x20 && k->code < KEYC_BASE && rawlen && len + rawlen < sizeof(ui->reason)) {
		/* text as typed; control bytes never get in */
		for (size_t i = 0; i < rawlen; i++)
			if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
				return;
		memcpy(ui->reason + len, raw, rawlen);
		ui->reason[len + rawlen] = '\0';
	}
	mark_dirty(ui);
}

static void freeze(struct ui *ui, int frozen)
{
	int e;

	if (!ui->session || !ui->running) {
		ui_message(ui, "the agent is not running");
		return;
	}
	if (session_frozen(ui->session) == frozen) {
		ui_message(ui, frozen ? "already frozen" : "not frozen");
		return;
	}
	e = session_freeze(ui->session, frozen);
	if (e < 0)
		ui_message(ui, "cannot %s the agent's tree: %s", frozen ? "freeze" : "thaw", strerror(-e));
}

static void act_freeze(struct ui *ui) { freeze(ui, 1); }
static void act_thaw(struct ui *ui) { freeze(ui, 0); }

/* The newest grant still in force is taken back; again, the one before. */
static void act_revoke_grant(struct ui *ui)
{
	const struct grant_row *g;

	if (!ui->model.ngrants || !ui->session) {
		ui_message(ui, "no grant to take back");
		return;
	}
	g = &ui->model.grants[ui->model.ngrants - 1];
	ui_message(ui, "took back grant %d: %s", g->n, g->text);
	session_revoke(ui->session, g->n);
}

/* ---- the review panels ---- */

static void act_focus(struct ui *ui)
{
	ui->focus = !ui->focus;
	if (ui->focus && termview_selecting(ui->tv))
		termview_select_clear(ui->tv);
	if (!ui->focus)
		ui->undo_step = 0;
	clearok(curscr, !ui->side_cols); /* the panels over the pane, or the pane back */
}

static void act_bell(struct ui *ui)
{
	ui->ring = !ui->ring;
	ui_message(ui, ui->ring ? "held calls ring the bell and flash" : "held calls are silent (no bell, no flash)");
}

void ui_select_step(struct ui *ui, unsigned id)
{
	if (id != ui->sel)
		ui->file = 0, ui->diff_top = 0, ui->undo_step = 0;
	ui->sel = id;
	ui->session_view = 0;
}

static void act_step_up(struct ui *ui) { ui_select_step(ui, panel_move(&ui->model, ui->show_quiet, ui->sel, -1)); }
static void act_step_down(struct ui *ui)
{
	/* past the newest: follow it again */
	unsigned next = panel_move(&ui->model, ui->show_quiet, ui->sel, 1);

	ui_select_step(ui, ui->sel && next == ui->sel ? 0 : next);
}
static void act_step_first(struct ui *ui) { ui_select_step(ui, panel_move(&ui->model, ui->show_quiet, ui->sel, -(1 << 30))); }
static void act_step_last(struct ui *ui) { ui_select_step(ui, 0); }

static void act_step_expand(struct ui *ui)
{
	const struct step_row *r = ui->sel ? model_step(&ui->model, ui->sel) : NULL;

	if (!r) {
		ui_message(ui, "select a step first (%s)", "Up, k");
		return;
	}
	if (r->quiet && !ui->show_quiet) {
		ui->show_quiet = 1;
		return;
	}
	ui->expanded = ui->expanded == r->id ? 0 : r->id;
}

static void act_quiet(struct ui *ui)
{
	ui->show_quiet = !ui->show_quiet;
	ui_message(ui, ui->show_quiet ? "the agent's bookkeeping is listed step by step" : "the agent's bookkeeping is folded");
}

static void move_file(struct ui *ui, int d)
{
	size_t n = ui->nfiles + ui->nextra;

	if (!n)
		return;
	if (d < 0)
		ui->file = ui->file ? ui->file - 1 : n - 1;
	else
		ui->file = ui->file + 1 < n ? ui->file + 1 : 0;
	ui->diff_top = 0;
}

static void act_file_next(struct ui *ui) { move_file(ui, 1); }
static void act_file_prev(struct ui *ui) { move_file(ui, -1); }

void ui_diff_by(struct ui *ui, int n)
{
	long top = (long)ui->diff_top + n;

	ui->diff_top = (unsigned)MAX(MIN(top, (long)ui->ndifflines - 1), 0L);
}

static int diff_page(const struct ui *ui)
{
	return MAX(ui->hits.diff_rows - 1, 1);
}

static void act_diff_up(struct ui *ui) { ui_diff_by(ui, -1); }
static void act_diff_down(struct ui *ui) { ui_diff_by(ui, 1); }
static void act_diff_page_up(struct ui *ui) { ui_diff_by(ui, -diff_page(ui)); }
static void act_diff_page_down(struct ui *ui) { ui_diff_by(ui, diff_page(ui)); }

static void act_session_diff(struct ui *ui)
{
	ui->session_view = !ui->session_view;
	ui->undo_step = 0;
}

/*
 * Rollback or revert of the selected step: the diff section shows what it
 * would change, the status line asks; y does it (undo_confirmed).
 */
static void ask_undo(struct ui *ui, int revert)
{
	unsigned id = ui->sel ? ui->sel : ui_diff_step(ui);
	const struct step_row *r = id ? model_step(&ui->model, id) : NULL;
	struct buf b = BUF_INIT;

	if (!ui->rv || !ui->model.cp_session) {
		ui_message(ui, "no checkpoints in this session: nothing to %s", revert ? "revert" : "roll back");
		return;
	}
	if (!r) {
		ui_message(ui, "select a step first");
		return;
	}
	if (r->changed < 0) {
		ui_message(ui, "step %u has no checkpoint yet: wait until it ends", id);
		return;
	}
	ui->undo_step = id;
	ui->undo_revert = revert;
	ui->shown.valid = 0;
	ui_diff_update(ui);
	if (revert)
		buf_addf(&b, "revert step %u (%zu file%s)?", id, ui->nfiles, ui->nfiles == 1 ? "" : "s");
	else
		buf_addf(&b, "roll back to before step %u (%zu file%s; steps %u and after undone)?", id, ui->nfiles,
			 ui->nfiles == 1 ? "" : "s", id);
	if (revert && r->nwith)
		/* the later steps that changed the same files: their lines may conflict */
		buf_addf(&b, " step %u%s changed the same files;", r->with, r->nwith > 1 ? " and others" : "");
	if (ui->running)
		buf_addstr(&b, " the agent is running;");
	buf_addstr(&b, "  y: yes · any other key: no");
	free(ui->undo_prompt);
	ui->undo_prompt = buf_detach(&b, NULL);
}

static void act_rollback(struct ui *ui)
{
	if (ui->replay)
		ui_message(ui, "a replay undoes nothing: 'belay rollback' in the workspace does");
	else
		ask_undo(ui, 0);
}

static void act_revert(struct ui *ui)
{
	if (ui->replay)
		ui_message(ui, "a replay undoes nothing: 'belay revert' in the workspace does");
	else
		ask_undo(ui, 1);
}

/* y to the question: undo.h does it, as "belay rollback" in another terminal would. */
void ui_undo_confirmed(struct ui *ui)
{
	unsigned id = ui->undo_step;
	int revert = ui->undo_revert;
	struct buf err = BUF_INIT;
	struct undo_result r;
	struct shadow *sh;
	char spec[32];
	int rc;

	ui->undo_step = 0;
	ui->shown.valid = 0;
	snprintf(spec, sizeof(spec), "%u:%u", ui->model.cp_session, id);
	/* its own handle on the repository, as a second belay would have */
	sh = shadow_open(shadow_workspace(checkpoints_shadow(ui->cp)), NULL, &err);
	if (!sh) {
		ui_message(ui, "cannot %s step %s: %s", revert ? "revert" : "roll back to before", spec, err.data);
		buf_release(&err);
		return;
	}
	memset(&r, 0, sizeof(r));
	rc = undo_run(sh, spec, revert, 0, &r, &err);
	if (rc < 0 || rc == 2 || (rc == 1 && !r.session && !r.nothing)) {
		ui_message(ui, "nothing %s: %s", revert ? "reverted" : "rolled back", err.data);
	} else if (r.nothing) {
		ui_message(ui, "nothing to do: the workspace is already as that would make it");
	} else {
		char *label = undo_label(revert, spec);

		/* marked now; the session's checkpoint of it says the same when it comes */
		model_mark_undo(&ui->model, label);
		free(label);
		ui_message(ui, "%s %s: %u written, %u removed%s (belay rollback %u:1 undoes it)",
			     revert ? "reverted" : "rolled back to before", spec, r.written, r.removed,
			     r.nrefused ? "; some not restored (belay log)" : "", r.session);
	}
	undo_result_release(&r);
	shadow_free(sh);
	buf_release(&err);
}

struct held_hint {
	struct buf *b;
	const char *prefix;
	enum action want;
	const char *label;
	int found;
};

static void held_hint_key(const struct key *k, enum action a, void *data)
{
	struct held_hint *h = data;
	char name[32];

	if (a != h->want || h->found)
		return;
	h->found = 1;
	key_format(k, name, sizeof(name));
	buf_addf(h->b, "%s%s %s %s", h->b->len ? " · " : "", h->prefix, name, h->label);
}

/* The keys that answer a held call, as the keymap binds them (after the prefix). */
static void make_held_keys(struct ui *ui)
{
	static const struct { enum action a; const char *label; } answers[] = {
		{ A_ALLOW, "allow" }, { A_ALLOW_SIMILAR, "allow similar" }, { A_DENY, "deny" },
	};
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(answers); i++) {
		/* a viewer adds no rule to the session (allow similar is the owner's) */
		if (ui->replay && answers[i].a == A_ALLOW_SIMILAR)
			continue;
		struct held_hint h = { &b, ui->prefix_name, answers[i].a, answers[i].label, 0 };

		keymap_each(ui->km, KT_PREFIX, held_hint_key, &h);
	}
	if (!b.len)
		buf_addstr(&b, "no key answers held calls: bind allow and deny in the keymap's prefix table");
	snprintf(ui->held_keys, sizeof(ui->held_keys), "%s", b.data);
	buf_reset(&b);
	{
		struct held_hint h = { &b, ui->prefix_name, A_FOCUS, "", 0 };

		keymap_each(ui->km, KT_PREFIX, held_hint_key, &h);
	}
	/* "C-] Tab " less its empty label */
	while (b.len && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	snprintf(ui->focus_keys, sizeof(ui->focus_keys), "%s", b.len ? b.data : "the focus key");
	buf_release(&b);
}

static void (*const action_fns[A__COUNT])(struct ui *) = {
	[A_SEND_PREFIX] = act_send_prefix,
	[A_HELP] = act_help,
	[A_QUIT] = act_quit,
	[A_ZOOM] = act_zoom,
	[A_REDRAW] = act_redraw,
	[A_PASTE] = act_paste,
	[A_SCROLL_MODE] = act_scroll_mode,
	[A_SCROLL_UP] = act_scroll_up,
	[A_SCROLL_DOWN] = act_scroll_down,
	[A_SCROLL_HALF_UP] = act_scroll_half_up,
	[A_SCROLL_HALF_DOWN] = act_scroll_half_down,
	[A_SCROLL_PAGE_UP] = act_scroll_page_up,
	[A_SCROLL_PAGE_DOWN] = act_scroll_page_down,
	[A_SCROLL_TOP] = act_scroll_top,
	[A_SCROLL_BOTTOM] = act_scroll_exit,
	[A_SCROLL_EXIT] = act_scroll_exit,
	[A_ALLOW] = act_allow,
	[A_ALLOW_SIMILAR] = act_allow_similar,
	[A_DENY] = act_deny,
	[A_DENY_REASON] = act_deny_reason,
	[A_REVOKE_GRANT] = act_revoke_grant,
	[A_FREEZE] = act_freeze,
	[A_THAW] = act_thaw,
	[A_FOCUS] = act_focus,
	[A_BELL] = act_bell,
	[A_STEP_UP] = act_step_up,
	[A_STEP_DOWN] = act_step_down,
	[A_STEP_FIRST] = act_step_first,
	[A_STEP_LAST] = act_step_last,
	[A_STEP_EXPAND] = act_step_expand,
	[A_FILE_NEXT] = act_file_next,
	[A_FILE_PREV] = act_file_prev,
	[A_DIFF_UP] = act_diff_up,
	[A_DIFF_DOWN] = act_diff_down,
	[A_DIFF_PAGE_UP] = act_diff_page_up,
	[A_DIFF_PAGE_DOWN] = act_diff_page_down,
	[A_SESSION_DIFF] = act_session_diff,
	[A_NOTE] = act_note,
	[A_HAND_KEYBOARD] = act_hand_keyboard,
	[A_QUIET] = act_quiet,
	[A_ROLLBACK] = act_rollback,
	[A_REVERT] = act_revert,
};

void ui_run_action(struct ui *ui, enum action a)
{
	if (action_fns[a])
		action_fns[a](ui);
	mark_dirty(ui);
}

/* ---- input ---- */

static void on_resize(struct loop *loop, int signo, void *data)
{
	struct ui *ui = data;
	struct winsize ws;

	(void)loop, (void)signo;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return;
	/* a huge terminal gets a screen of bounded size, drawn at its top left */
	resize_term(MIN(ws.ws_row, TERMVIEW_MAX_ROWS), MIN(ws.ws_col, TERMVIEW_MAX_COLS));
	ui_layout(ui);
	/* what a bigger screen took goes back to the system */
	malloc_trim(0);
}

static void on_terminate(struct loop *loop, int signo, void *data)
{
	struct ui *ui = data;

	(void)loop;
	if (signo == SIGHUP)
		ui->terminal_lost = 1;
	ui_quit_now(ui);
}

static void on_continue(struct loop *loop, int signo, void *data)
{
	struct ui *ui = data;

	(void)loop, (void)signo;
	clearok(curscr, TRUE);
	mark_dirty(ui);
}

static void to_agent(void *data, const char *bytes, size_t len)
{
	struct ui *ui = data;

	/* watched from elsewhere: keys when the keyboard was handed over;
	 * never this emulator's replies (the owner's screen answers) */
	if (ui->replay) {
		if (ui->keying && ui->replay->input)
			ui->replay->input(ui->replay->data, bytes, len);
		return;
	}
	/* replies to the agent's queries (where is the cursor, what are
	 * you): one that does not read them gets no more than REPLY_BACKLOG
	 * waiting; keys are not replies and are never dropped here */
	if (ui->session && ui->running && session_pending_input(ui->session) + len <= REPLY_BACKLOG)
		session_write(ui->session, bytes, len);
}

/* ---- life cycle ---- */

struct ui *ui_new(struct loop *loop, const struct ui_opts *o)
{
	struct ui *ui;
	const char *term = getenv("TERM");
	SCREEN *scr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		warn("the screen needs a terminal on stdin and stdout (use --headless without one)");
		return NULL;
	}
	if (!term || !*term) {
		warn("TERM is not set: cannot draw the screen (set TERM, or use --headless)");
		return NULL;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		warn("unknown terminal type '%s' (set TERM to one in terminfo, e.g. xterm-256color)", term);
		return NULL;
	}
	ui = xcalloc(1, sizeof(*ui));
	ui->loop = loop;
	ui->screen = scr;
	ui->km = o->keymap;
	ui->theme = o->theme;
	ui->hold = o->hold;
	ui->mouse = keymap_mouse(ui->km);
	ui->ring = keymap_bell(ui->km);
	model_init(&ui->model, getenv("HOME"));
	ui->cp = o->checkpoints;
	if (ui->cp)
		ui->rv = review_new(checkpoints_shadow(ui->cp));
	key_format(keymap_prefix(ui->km), ui->prefix_name, sizeof(ui->prefix_name));
	make_held_keys(ui);
	set_term(scr);
	if (LINES > TERMVIEW_MAX_ROWS || COLS > TERMVIEW_MAX_COLS)
		resize_term(MIN(LINES, TERMVIEW_MAX_ROWS), MIN(COLS, TERMVIEW_MAX_COLS));
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	typeahead(-1); /* belay reads the terminal itself */
	leaveok(stdscr, TRUE);
	if (has_colors()) {
		start_color();
		use_default_colors();
		ui->caps.ncolours = COLORS;
		ui->caps.direct = tigetflag("RGB") > 0;
	} else if (!o->theme_explicit) {
		/* colours would be dropped and leave no contrast: use attributes */
		size_t len;
		const char *mono = data_builtin(DATA_THEME, "mono", &len);
		struct buf errors = BUF_INIT;

		theme_load(ui->theme, "(built-in mono)", mono, len, &errors);
		buf_release(&errors);
	}
	ui->views.theme = ui->theme;
	ui->views.caps = &ui->caps;
	ui->input = input_new(ui_on_input, ui);
	ui->tv = termview_new(24, 80, o->history, to_agent, ui);
	ui_out_raw(MODES_ON);
	if (ui->mouse)
		ui_out_raw(MOUSE_ON);
	active_ui = ui;
	ui_layout(ui);
	ui->stdin_h = loop_add_fd(loop, STDIN_FILENO, LOOP_IN, ui_stdin_ready, ui);
	if (loop_add_signal(loop, SIGWINCH, on_resize, ui) < 0 || loop_add_signal(loop, SIGTERM, on_terminate, ui) < 0 ||
	    loop_add_signal(loop, SIGHUP, on_terminate, ui) < 0 || loop_add_signal(loop, SIGINT, on_terminate, ui) < 0 ||
	    loop_add_signal(loop, SIGCONT, on_continue, ui) < 0)
		fatal("cannot set up signal handling: %s", strerror(errno));
	if (o->startup_message)
		ui_message(ui, "%s", o->startup_message);
	return ui;
}

void ui_pane_size(const struct ui *ui, unsigned *rows, unsigned *cols)
{
	*rows = ui->pane_rows;
	*cols = ui->pane_cols;
}

void ui_attach(struct ui *ui, struct session *s)
{
	ui->session = s;
	ui->running = 1;
	ui->tick_timer = loop_add_timer(ui->loop, 1000000000ull, tick, ui);
	mark_dirty(ui);
}

static void flash_over(struct loop *loop, void *data)
{
	struct ui *ui = data;

	(void)loop;
	ui->flash_timer = NULL;
	mark_dirty(ui);
}

/* Run the user's notify command for a held call (keymap "set notify"); nothing waits for it. */
static void run_notify(struct ui *ui, const struct held_row *h)
{
	const char *cmd = keymap_notify(ui->km);
	char step[16];
	pid_t pid;

	if (!cmd)
		return;
	snprintf(step, sizeof(step), "%u", h->step);
	pid = fork();
	if (pid < 0) {
		ui_message(ui, "cannot run the notify command: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* not the terminal's: it must not draw over the screen or read keys */
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		/* none of belay's own descriptors (the listener, the agent's pty) */
		close_range(3, ~0u, 0);
		setsid();
		setenv("BELAY_HELD", h->what, 1);
		setenv("BELAY_RULE", h->text ? h->text : h->rule, 1);
		setenv("BELAY_STEP", step, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* the session reaps it with its other children */
}

/* A call was held: a person who looks away must still notice. */
static void held_alarm(struct ui *ui)
{
	const struct held_row *h = ui->model.nheld ? &ui->model.held[ui->model.nheld - 1] : NULL;

	if (!h || h->n <= ui->rung_n || ui->replay)
		return;
	ui->rung_n = h->n;
	if (ui->ring) {
		beep();
		ui->flash_until = now_ns() + FLASH_NS;
		/* the flash ends by itself */
		loop_cancel_timer(ui->loop, ui->flash_timer);
		ui->flash_timer = loop_add_timer(ui->loop, FLASH_NS + 1000000, flash_over, ui);
	}
	run_notify(ui, h);
}

void ui_event(const struct event *ev, void *data)
{
	struct ui *ui = data;

	if (model_event(&ui->model, ev))
		mark_dirty(ui);
	switch (ev->type) {
	case EV_OUTPUT:
		termview_feed(ui->tv, ev->u.output.data, ev->u.output.len);
		mark_dirty(ui);
		ui->kf_bytes += ev->u.output.len;
		if (ui->journal && ui->kf_bytes >= KEYFRAME_BYTES && now_ns() - ui->kf_ns >= KEYFRAME_MIN_NS)
			keyframe(ui);
		break;
	case EV_EXIT:
		/* the exit itself is the model's */
		ui->running = 0;
		mark_dirty(ui);
		break;
	case EV_HELD:
		held_alarm(ui);
		break;
	case EV_GRANT:
		if (!ui->replay_quiet)
			ui_message(ui, "grant %d: %s (%s g takes it back)", ev->u.grant.n, ev->u.grant.text ? ev->u.grant.text : "",
			     ui->prefix_name);
		break;
	case EV_NOTICE:
		if (!ui->replay_quiet)
			ui_message(ui, "%s", ev->u.notice.text);
		break;
	case EV_NOTE:
		ui->shown.valid = 0; /* the diff's title names the step's notes */
		if (!ui->replay_quiet) {
			char *t = text_visible(ev->u.note.text);

			if (ev->step)
				ui_message(ui, "note by %s on step %u: %s", ev->u.note.who, ev->step, t);
			else
				ui_message(ui, "note by %s: %s", ev->u.note.who, t);
			free(t);
		}
		break;
	case EV_DECISION:
		/* someone else decided: everyone sees who */
		if (!ui->replay_quiet && ev->u.decision.by == DECIDED_REVIEWER)
			ui_message(ui, "%s by %s (%s)", ev->u.decision.verdict == VERDICT_DENY ? "denied" : "allowed",
				     ev->u.decision.who ? ev->u.decision.who : "a reviewer",
				     ev->u.decision.how ? ev->u.decision.how : "control socket");
		break;
	case EV_HIDDEN:
		if (!ui->replay_quiet)
			ui_message(ui, "the agent's tree opened %s: a credential store, hidden from it (empty)",
			     ev->u.hidden.path);
		break;
	case EV_SESSION_END:
		ui->ended = 1;
		if (!ui->replay && (!ui->hold || ui->quitting || ui->terminal_lost))
			loop_stop(ui->loop, ui->stopped ? 0 : ui->model.exit_status);
		mark_dirty(ui);
		break;
	default:
		break;
	}
}

static void restore_terminal(struct ui *ui)
{
	if (ui->freed)
		return;
	ui->freed = 1;
	if (!ui->terminal_lost) {
		if (ui->mouse)
			ui_out_raw(MOUSE_OFF);
		ui_out_raw(MODES_OFF);
	}
	endwin();
}

void ui_emergency_restore(void)
{
	if (active_ui)
		restore_terminal(active_ui);
}

void ui_free(struct ui *ui)
{
	if (!ui)
		return;
	restore_terminal(ui);
	/* careful: the journal outlives the screen; nobody may ask it for the pane now */
	if (ui->journal)
		journal_screen_source(ui->journal, NULL, NULL);
	loop_cancel_timer(ui->loop, ui->frame_timer);
	loop_cancel_timer(ui->loop, ui->esc_timer);
	loop_cancel_timer(ui->loop, ui->tick_timer);
	loop_cancel_timer(ui->loop, ui->message_timer);
	loop_cancel_timer(ui->loop, ui->flash_timer);
	loop_remove_fd(ui->loop, ui->stdin_h);
	if (ui->help)
		delwin(ui->help);
	delwin(ui->pane);
	delwin(ui->status);
	if (ui->side)
		delwin(ui->side);
	if (ui->border)
		delwin(ui->border);
	delscreen(ui->screen);
	termview_free(ui->tv);
	input_free(ui->input);
	keymap_free(ui->km);
	theme_free(ui->theme);
	free(ui->paste_buf);
	free(ui->message);
	model_release(&ui->model);
	review_free(ui->rv);
	free(ui->diff_title);
	free(ui->diff_note);
	ui_diff_release(ui);
	free(ui->undo_prompt);
	free(ui->held_why);
	free(ui->grant_text);
	free(ui->reason_prompt);
	if (active_ui == ui)
		active_ui = NULL;
	free(ui);
}

/* ---- a replay drives the screen ---- */

void ui_replay(struct ui *ui, const struct ui_replay *r)
{
	ui->replay = r;
	make_held_keys(ui);
	if (r->decide && strlen(ui->held_keys) + 16 < sizeof(ui->held_keys))
		strcat(ui->held_keys, " · as a reviewer");
	ui->running = 0;
	/* the panels beside the pane have the keyboard; a narrow screen starts on the pane */
	ui->focus = ui->side_cols > 0;
	ui->tick_timer = loop_add_timer(ui->loop, 1000000000ull, tick, ui);
	mark_dirty(ui);
}

void ui_replay_event(struct ui *ui, const struct event *ev, int quiet)
{
	ui->replay_quiet = quiet;
	ui_event(ev, ui);
	ui->replay_quiet = 0;
}

void ui_replay_reset(struct ui *ui, unsigned rows, unsigned cols)
{
	model_release(&ui->model);
	model_init(&ui->model, getenv("HOME"));
	ui->shown.valid = 0;
	ui->rung_n = 0;
	ui->ended = 0;
	termview_reset(ui->tv);
	ui_replay_size(ui, rows, cols);
	mark_dirty(ui);
}

void ui_replay_size(struct ui *ui, unsigned rows, unsigned cols)
{
	ui->replay_rows = rows;
	ui->replay_cols = cols;
	termview_resize(ui->tv, rows, cols);
	clearok(curscr, TRUE);
	mark_dirty(ui);
}

struct termview *ui_termview(struct ui *ui)
{
	return ui->tv;
}

unsigned ui_selected(const struct ui *ui)
{
	return ui->sel;
}

void ui_select(struct ui *ui, unsigned step)
{
	ui->sel = step;
	ui->file = 0;
	ui->diff_top = 0;
	mark_dirty(ui);
}

void ui_say(struct ui *ui, const char *text)
{
	ui_message(ui, "%s", text);
}

void ui_redraw_soon(struct ui *ui)
{
	mark_dirty(ui);
}

/* The pane as it is, for a viewer who joins or falls behind (journal_screen_now). */
static int pane_now(void *arg, unsigned *rows, unsigned *cols, struct buf *out)
{
	struct ui *ui = arg;

	termview_snapshot(ui->tv, out);
	*rows = termview_rows(ui->tv);
	*cols = termview_cols(ui->tv);
	return 0;
}

void ui_record_screen(struct ui *ui, struct journal *j)
{
	ui->journal = j;
	ui->kf_ns = now_ns();
	if (j)
		journal_screen_source(j, pane_now, ui);
}
