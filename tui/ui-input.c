/*
 * ui-input.c - what the person types and clicks: keys (the prefix, the
 * tables of the keymap, the questions on the status line), the mouse,
 * pastes, focus, and the outer terminal going away.  Input from the outer
 * terminal is decoded by input.c; a key that is not belay's goes to the
 * agent through termview (or, on a screen watching a session from
 * elsewhere, nowhere unless the owner handed the keyboard over).  The
 * actions keys run are ui.c's (ui_run_action).
 */
#define _GNU_SOURCE
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../supervisor/util.h"
#include "input.h"
#include "panel.h"
#include "termview.h"
#include "views.h"
#include "ui-int.h"

static void handle_key(struct ui *ui, const struct key *k, const char *raw, size_t rawlen)
{
	const struct key *prefix = keymap_prefix(ui->km);
	enum action a;

	if (ui->help_visible) {
		/* a help longer than the window scrolls with the usual keys;
		 * any other key closes it */
		int scrolls = views_help_lines(ui->km) > ui->help_rows;

		if (!scrolls)
			ui->help_visible = 0;
		else if (k->code == KEYC_UP || k->code == 'k')
			ui->help_top = MAX(ui->help_top - 1, 0);
		else if (k->code == KEYC_DOWN || k->code == 'j')
			ui->help_top++;
		else if (k->code == KEYC_PAGEUP)
			ui->help_top = MAX(ui->help_top - (ui->rows - 2), 0);
		else if (k->code == KEYC_PAGEDOWN || k->code == ' ')
			ui->help_top += ui->rows - 2;
		else
			ui->help_visible = 0;
		ui_mark_dirty(ui);
		return;
	}
	if (ui->confirm_quit) {
		ui->confirm_quit = 0;
		if (k->code == 'y' || k->code == 'Y') {
			ui->stopped = ui->running; /* the person's own stop is no failure */
			ui_quit_now(ui);
		}
		ui_mark_dirty(ui);
		return;
	}
	if (ui->reason_n || ui->noting) {
		ui_reason_key(ui, k, raw, rawlen);
		return;
	}
	if (ui->undo_step) {
		/* the answer to the question, and nothing else */
		if (k->code == 'y' && !k->mods) {
			ui_undo_confirmed(ui);
		} else {
			ui->undo_step = 0;
			ui->shown.valid = 0;
			ui_message(ui, "nothing undone");
		}
		ui_mark_dirty(ui);
		return;
	}
	if (ui->grant_n) {
		/* the answer to the question on the status line, and nothing
		 * else: the key is not the agent's */
		unsigned n = ui->grant_n;

		ui->grant_n = 0;
		if (k->code == 'y' && !k->mods) {
			char how[80];

			snprintf(how, sizeof(how), "%s y", ui->how);
			if (session_answer(ui->session, n, ANSWER_ALLOW_SIMILAR, DECIDED_USER, how) < 0)
				ui_message(ui, "call #%u is no longer waiting: nothing granted", n);
		} else {
			ui_message(ui, "nothing granted; it still waits");
		}
		ui_mark_dirty(ui);
		return;
	}
	if (ui->prefix_pending) {
		char name[32];

		ui->prefix_pending = 0;
		a = keymap_lookup(ui->km, KT_PREFIX, k);
		key_format(k, name, sizeof(name));
		snprintf(ui->how, sizeof(ui->how), "%s %s", ui->prefix_name, name);
		if (a == A_NONE && key_equal(k, prefix))
			a = A_SEND_PREFIX;
		if (a == A_NONE)
			ui_message(ui, "%s %s does nothing (%s ? lists the keys)", ui->prefix_name, name,
				     ui->prefix_name);
		ui_run_action(ui, a);
		return;
	}
	if (key_equal(k, prefix)) {
		ui->prefix_pending = 1;
		ui_mark_dirty(ui);
		return;
	}
	if (ui->replay && !ui->focus && ui->replay->input && ui->replay->handed(ui->replay->data)) {
		/* watched from elsewhere, the keyboard handed over: keys to the agent */
		ui->keying = 1;
		termview_key(ui->tv, k, raw, rawlen);
		ui->keying = 0;
		return;
	}
	if (ui->replay) {
		/* a replay: its keys, then the review's; nothing is sent anywhere */
		a = keymap_lookup(ui->km, KT_REPLAY, k);
		key_format(k, ui->how, sizeof(ui->how));
		if (a >= A_PLAY) {
			ui->replay->action(ui->replay->data, a);
			ui_mark_dirty(ui);
			return;
		}
		if (a == A_NONE)
			a = keymap_lookup(ui->km, KT_REVIEW, k);
		if (a == A_NONE)
			a = keymap_lookup(ui->km, KT_ROOT, k);
		if (a != A_NONE) {
			ui_run_action(ui, a);
		} else {
			char name[32];

			key_format(k, name, sizeof(name));
			ui_message(ui, "%s does nothing %s (%s ? lists the keys)", name,
				   ui->replay->label ? "here: your keys go to the panels, not to the agent" : "in a replay",
				   ui->prefix_name);
		}
		return;
	}
	if (ui->focus) {
		/* the panels have the keyboard: no key reaches the agent */
		a = keymap_lookup(ui->km, KT_REVIEW, k);
		if (a != A_NONE) {
			key_format(k, ui->how, sizeof(ui->how));
			ui_run_action(ui, a);
		} else {
			char name[32];

			key_format(k, name, sizeof(name));
			ui_message(ui, "%s does nothing here: the review panels have the keyboard (%s gives it back, %s ? lists the keys)",
				     name, ui->focus_keys, ui->prefix_name);
		}
		return;
	}
	if (ui->session && session_nheld(ui->session) && k->code == 'c' && k->mods == KEYM_CTRL) {
		/* C-c while calls are held: the program in the foreground
		 * wants to stop, not to wait for an answer (a deny: nothing
		 * runs because of it) */
		int n = session_deny_foreground(ui->session, DECIDED_USER, "C-c");

		if (n)
			ui_message(ui, "denied %d held call%s (C-c)", n, n > 1 ? "s" : "");
	}
	if (ui->scroll_mode || termview_scroll_offset(ui->tv)) {
		a = keymap_lookup(ui->km, KT_SCROLL, k);
		if (a != A_NONE) {
			ui_run_action(ui, a);
			return;
		}
		ui_run_action(ui, A_SCROLL_EXIT);
		ui_mark_dirty(ui);
	}
	a = keymap_lookup(ui->km, KT_ROOT, k);
	if (a != A_NONE) {
		ui_run_action(ui, a);
		return;
	}
	if (!ui->running) {
		if (k->code == 'q' || k->code == KEYC_ENTER || k->code == KEYC_ESCAPE)
			ui_quit_now(ui);
		return;
	}
	if (termview_selecting(ui->tv)) {
		termview_select_clear(ui->tv);
		ui_mark_dirty(ui);
	}
	termview_key(ui->tv, k, raw, rawlen);
}

static void copy_to_clipboard(struct ui *ui, const char *text)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(text);
	struct buf b = BUF_INIT;

	free(ui->paste_buf);
	ui->paste_buf = xstrdup(text);
	if (len > OSC52_MAX) {
		ui_message(ui, "copied %zu bytes (too many for the terminal's clipboard)", len);
		return;
	}
	/* OSC 52: the outer terminal's clipboard, where it allows it */
	buf_addstr(&b, "\033]52;c;");
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)text[i] << 16;

		if (i + 1 < len)
			v |= (unsigned char)text[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)text[i + 2];
		buf_addch(&b, b64[(v >> 18) & 63]);
		buf_addch(&b, b64[(v >> 12) & 63]);
		buf_addch(&b, i + 1 < len ? b64[(v >> 6) & 63] : '=');
		buf_addch(&b, i + 2 < len ? b64[v & 63] : '=');
	}
	buf_addstr(&b, "\a");
	ui_out_raw(b.data);
	buf_release(&b);
	ui_message(ui, "copied %zu bytes", len);
}

static void send_wheel_keys(struct ui *ui, uint32_t code)
{
	struct key k = { code, 0 };

	for (int i = 0; i < 3; i++)
		termview_key(ui->tv, &k, NULL, 0);
}

/* A click or the wheel over the panels: a step, a file, the diff. */
static void panel_mouse(struct ui *ui, const struct mouse *m)
{
	int y = m->y;
	int in_diff = y >= ui->hits.diff_first && y < ui->hits.diff_first + ui->hits.diff_rows;

	if (y < 0 || y >= PANEL_MAX_ROWS)
		return;
	switch (m->action) {
	case MOUSE_WHEEL_UP:
	case MOUSE_WHEEL_DOWN: {
		int up = m->action == MOUSE_WHEEL_UP;

		if (in_diff)
			ui_diff_by(ui, up ? -3 : 3);
		else
			ui_select_step(ui, panel_move(&ui->model, ui->show_quiet, ui->sel, up ? -1 : 1));
		break;
	}
	case MOUSE_PRESS:
		if (m->button != 0)
			return;
		ui->focus = 1; /* as a click on a tmux pane: the keyboard follows */
		if (ui->hits.step[y]) {
			if (ui->hits.step[y] == ui->sel)
				ui_run_action(ui, A_STEP_EXPAND); /* a second click opens it */
			else
				ui_select_step(ui, ui->hits.step[y]);
		} else if (ui->hits.file[y] >= 0) {
			ui->file = (size_t)ui->hits.file[y];
			ui->diff_top = 0;
		}
		break;
	default:
		return;
	}
	ui_mark_dirty(ui);
}

static void handle_mouse(struct ui *ui, const struct mouse *m)
{
	int in_pane = m->x >= 0 && m->y >= 0 && (unsigned)m->x < ui->pane_cols && (unsigned)m->y < ui->pane_rows;
	unsigned x = (unsigned)MIN(MAX(m->x, 0), (int)ui->pane_cols - 1);
	unsigned y = (unsigned)MIN(MAX(m->y, 0), (int)ui->pane_rows - 1);

	if (ui->help_visible) {
		if (m->action == MOUSE_PRESS) {
			ui->help_visible = 0;
			ui_mark_dirty(ui);
		}
		return;
	}
	if (ui->dragging) {
		/* the border follows the pointer: the panels' width */
		if (m->action == MOUSE_DRAG && m->x > 0) {
			ui->side_user = MAX(ui->cols - 1 - m->x, 20);
			ui_layout(ui);
		} else if (m->action == MOUSE_RELEASE) {
			ui->dragging = 0;
			ui_mark_dirty(ui);
		}
		return;
	}
	if (ui->side_cols && m->x == (int)ui->pane_cols && m->y < (int)ui->pane_rows && m->action == MOUSE_PRESS &&
	    m->button == 0) {
		ui->dragging = 1;
		ui_mark_dirty(ui);
		return;
	}
	if (m->y >= 0 && m->y < (int)ui->pane_rows &&
	    (ui->side_cols ? m->x > (int)ui->pane_cols : ui->focus)) {
		panel_mouse(ui, m);
		return;
	}
	if (ui->focus && in_pane && m->action == MOUSE_PRESS) {
		/* a click in the agent's pane gives it the keyboard back */
		ui_run_action(ui, A_FOCUS);
		ui_mark_dirty(ui);
	}
	if (ui->running && !termview_scroll_offset(ui->tv) && !ui->selecting && (in_pane || m->action == MOUSE_RELEASE) &&
	    termview_mouse(ui->tv, m))
		return;
	switch (m->action) {
	case MOUSE_WHEEL_UP:
		if (!in_pane)
			return;
		if (termview_alt_screen(ui->tv))
			send_wheel_keys(ui, KEYC_UP); /* as terminals do for full-screen programs */
		else
			ui_scroll_by(ui, 3);
		break;
	case MOUSE_WHEEL_DOWN:
		if (!in_pane)
			return;
		if (termview_alt_screen(ui->tv))
			send_wheel_keys(ui, KEYC_DOWN);
		else if (termview_scroll_offset(ui->tv))
			ui_scroll_by(ui, -3);
		break;
	case MOUSE_PRESS:
		if (!in_pane)
			return;
		if (m->button == 1) { /* middle: paste, as X does */
			if (ui->paste_buf && ui->running)
				termview_paste_text(ui->tv, ui->paste_buf, strlen(ui->paste_buf));
			return;
		}
		if (m->button != 0)
			return;
		termview_select_clear(ui->tv);
		termview_select_start(ui->tv, x, y);
		ui->selecting = 1;
		ui->selection_moved = 0;
		ui_mark_dirty(ui);
		break;
	case MOUSE_DRAG:
		if (!ui->selecting)
			return;
		termview_select_to(ui->tv, x, y);
		ui->selection_moved = 1;
		ui_mark_dirty(ui);
		break;
	case MOUSE_RELEASE:
		if (!ui->selecting)
			return;
		ui->selecting = 0;
		if (ui->selection_moved) {
			char *text;

			termview_select_to(ui->tv, x, y);
			text = termview_select_copy(ui->tv);
			if (text && *text)
				copy_to_clipboard(ui, text);
			free(text);
		} else {
			termview_select_clear(ui->tv);
		}
		ui_mark_dirty(ui);
		break;
	default:
		break;
	}
}

void ui_on_input(const struct input_event *ev, void *data)
{
	struct ui *ui = data;

	switch (ev->type) {
	case INPUT_KEY:
		handle_key(ui, &ev->key, ev->data, ev->len);
		break;
	case INPUT_PASTE_BEGIN:
		if (ui->focus) {
			/* the panels have the keyboard: a paste is for the agent, not sent behind the person's back */
			ui->paste_held = 1;
			ui_message(ui, "nothing pasted: the review panels have the keyboard (%s gives it to the agent)",
				     ui->focus_keys);
			break;
		}
		if (ui->scroll_mode || termview_scroll_offset(ui->tv))
			ui_run_action(ui, A_SCROLL_EXIT);
		ui->help_visible = ui->confirm_quit = ui->prefix_pending = 0;
		ui->grant_n = ui->reason_n = 0; /* a paste is the agent's, never a yes */
		if (ui->running)
			termview_paste_begin(ui->tv);
		ui_mark_dirty(ui);
		break;
	case INPUT_PASTE:
		if (ui->running && !ui->paste_held)
			termview_paste(ui->tv, ev->data, ev->len);
		break;
	case INPUT_PASTE_END:
		if (ui->running && !ui->paste_held)
			termview_paste_end(ui->tv);
		ui->paste_held = 0;
		break;
	case INPUT_MOUSE:
		handle_mouse(ui, &ev->mouse);
		break;
	case INPUT_FOCUS_IN:
	case INPUT_FOCUS_OUT:
		if (ui->running)
			termview_focus(ui->tv, ev->type == INPUT_FOCUS_IN);
		break;
	}
}

static void escape_timeout(struct loop *loop, void *data)
{
	struct ui *ui = data;

	(void)loop;
	ui->esc_timer = NULL;
	input_flush(ui->input);
}

static void lost_terminal(struct ui *ui)
{
	/* The outer terminal is gone: nobody is watching, so nothing may run. */
	ui->terminal_lost = 1;
	loop_remove_fd(ui->loop, ui->stdin_h);
	ui->stdin_h = NULL;
	ui_quit_now(ui);
}

void ui_stdin_ready(struct loop *loop, int fd, unsigned revents, void *data)
{
	struct ui *ui = data;
	char buf[16384];
	ssize_t n;

	(void)revents;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		lost_terminal(ui);
		return;
	}
	loop_cancel_timer(loop, ui->esc_timer);
	ui->esc_timer = NULL;
	input_feed(ui->input, buf, (size_t)n);
	if (input_pending(ui->input))
		ui->esc_timer = loop_add_timer(loop, (uint64_t)keymap_escape_time(ui->km) * 1000000, escape_timeout, ui);
}

