/* model.c - the review model, built from events; see model.h. */
#define _GNU_SOURCE
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../supervisor/call.h"
#include "../supervisor/undo.h"
#include "../supervisor/util.h"
#include "fit.h"

static char **copy_strv(char *const *v, size_t *n)
{
	size_t k = 0;
	char **out;

	while (v && v[k])
		k++;
	out = xcalloc(k + 1, sizeof(*out));
	for (size_t i = 0; i < k; i++)
		out[i] = xstrdup(v[i]);
	if (n)
		*n = k;
	return out;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

void model_init(struct model *m, const char *home)
{
	memset(m, 0, sizeof(*m));
	m->home = xstrdup(home ? home : "");
}

static void held_release(struct held_row *h)
{
	free(h->what);
	free(h->from);
	free(h->rule);
	free(h->text);
}

void model_release(struct model *m)
{
	free_strv(m->argv);
	free_strv(m->withheld);
	free(m->cwd);
	free(m->home);
	free(m->profile);
	free(m->sandbox);
	free(m->limits);
	for (size_t i = 0; i < m->nsteps; i++) {
		struct step_row *r = &m->steps[i];

		free(r->cmd);
		free(r->summary);
		free(r->note);
		for (size_t j = 0; j < r->nprocs; j++)
			free(r->procs[j].cmd);
		free(r->procs);
		for (size_t j = 0; j < r->npaths; j++)
			free(r->paths[j]);
		free(r->paths);
	}
	free(m->steps);
	for (size_t i = 0; i < m->nheld; i++)
		held_release(&m->held[i]);
	free(m->held);
	for (size_t i = 0; i < m->ngrants; i++)
		free(m->grants[i].text);
	free(m->grants);
	free(m->cp_text);
	memset(m, 0, sizeof(*m));
}

struct step_row *model_step(const struct model *m, unsigned id)
{
	/* steps arrive in id order: the row is where the id says, or before */
	size_t i = MIN((size_t)id, m->nsteps);

	while (i-- > 0)
		if (m->steps[i].id == id)
			return &m->steps[i];
	return NULL;
}

char *model_path(const struct model *m, const char *path)
{
	return fit_path(path, m->cwd, m->home);
}

static int inside_workspace(const struct model *m, const char *path)
{
	size_t n = m->cwd ? strlen(m->cwd) : 0;

	return n && !strncmp(path, m->cwd, n) && (path[n] == '/' || !path[n]);
}

/* "edit a.ts, b.ts" / "edit a.ts and 3 more": the files of a burst of edits */
static void edit_summary(const struct model *m, struct step_row *r)
{
	struct buf b = BUF_INIT;
	size_t shown = 0;

	buf_addstr(&b, "edit ");
	/* the workspace's files first: they are the work */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->npaths; i++) {
			char *p;

			if (inside_workspace(m, r->paths[i]) != !pass)
				continue;
			if (shown == 3) {
				shown++;
				continue;
			}
			if (shown++ > 3)
				continue;
			p = model_path(m, r->paths[i]);
			buf_addf(&b, "%s%s", shown > 1 ? ", " : "", p);
			free(p);
		}
	if (shown > 3)
		buf_addf(&b, " and %zu more", r->npaths - 3);
	if (!r->npaths)
		buf_addstr(&b, "files");
	free(r->summary);
	r->summary = buf_detach(&b, NULL);
}

static void add_path(const struct model *m, struct step_row *r, const char *path)
{
	if (!path || !*path)
		return;
	for (size_t i = 0; i < r->npaths; i++)
		if (!strcmp(r->paths[i], path))
			return;
	if (r->npaths >= MODEL_PATHS)
		return;
	r->paths = xgrow(r->paths, &r->paths_cap, r->npaths + 1, sizeof(*r->paths));
	r->paths[r->npaths++] = xstrdup(path);
	if (inside_workspace(m, path))
		r->paths_inside++;
}

/* The agent's bookkeeping: its own edits, none of them in the workspace, none asked about. */
static void update_quiet(struct model *m, struct step_row *r)
{
	int quiet = r->edit && r->npaths && !r->paths_inside && !r->was_held && !r->was_denied && r->undo == UNDO_NONE;

	if (quiet != r->quiet) {
		r->quiet = quiet;
		if (quiet)
			m->nquiet++;
		else
			m->nquiet--;
	}
}

static void add_proc(struct step_row *r, const struct call *c)
{
	struct model_proc *p;
	unsigned depth = 0;
	int known = 0;

	/* a process that runs another program keeps its place in the tree */
	for (size_t i = r->nprocs; i-- > 0;) {
		if (r->procs[i].pid == c->pid) {
			depth = r->procs[i].depth, known = 1;
			break;
		}
		if (r->procs[i].pid == c->ppid) {
			depth = r->procs[i].depth + 1, known = 1;
			break;
		}
	}
	if (!known && r->nprocs)
		depth = 1;
	if (r->nprocs >= MODEL_PROCS)
		return;
	r->procs = xgrow(r->procs, &r->procs_cap, r->nprocs + 1, sizeof(*r->procs));
	p = &r->procs[r->nprocs++];
	p->pid = c->pid;
	p->ppid = c->ppid;
	p->depth = depth;
	p->cmd = c->argv ? fit_command(c->argv, c->argc) : fit_command(NULL, 0);
	if (!*p->cmd && c->path) {
		free(p->cmd);
		p->cmd = fit_path(c->path, NULL, NULL);
	}
}

/*
 * The program at path is what its name says: in a system folder, under
 * the name argv[0] gives (a shell script's own interpreter line aside).
 */
static int system_program(const char *path, const char *argv0)
{
	static const char *const dirs[] = { "/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/", "/usr/local/bin/" };
	const char *base = path_base(path);

	if (strcmp(base, path_base(argv0)))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!strncmp(path, dirs[i], strlen(dirs[i])) && !strchr(path + strlen(dirs[i]), '/'))
			return 1;
	return 0;
}

/* What a held call is, in plain words. */
static char *held_what(const struct model *m, const struct call *c)
{
	char *a, *b, *out;

	if (!c)
		return xstrdup("?");
	if (c->unreadable)
		return xasprintf("%s (%s)", call_op_name(c->op), c->unreadable);
	switch (c->op) {
	case OP_EXEC:
		out = c->argv && c->argc ? fit_command(c->argv, c->argc) : model_path(m, c->path ? c->path : "?");
		if (c->path && c->argv && c->argc && !system_program(c->path, c->argv[0])) {
			/* "git push" must not stand for a "git" of the agent's own making: the program by its path */
			a = out;
			b = model_path(m, c->path);
			out = xasprintf("%s (program: %s)", a, b);
			free(a);
			free(b);
		}
		if (c->nameless) {
			a = out;
			out = xasprintf("%s (a program with no name on disk)", a);
			free(a);
		}
		return out;
	case OP_CONNECT: {
		char *host = text_visible(c->addr.host ? c->addr.host : "?");

		if (c->addr.port >= 0)
			out = xasprintf(strchr(host, ':') ? "connect [%s]:%d" : "connect %s:%d", host, c->addr.port);
		else
			out = xasprintf("connect %s", host);
		free(host);
		return out;
	}
	case OP_RENAME:
	case OP_LINK:
		a = model_path(m, c->path ? c->path : "?");
		b = model_path(m, c->path2 ? c->path2 : "?");
		out = xasprintf("%s %s → %s", call_op_name(c->op), a, b);
		free(a);
		free(b);
		return out;
	case OP_SYMLINK:
		a = model_path(m, c->path2 ? c->path2 : "?");
		b = text_visible(c->target ? c->target : "?");
		out = xasprintf("symlink %s → %s", a, b);
		free(a);
		free(b);
		return out;
	default:
		a = model_path(m, c->path ? c->path : "?");
		out = xasprintf("%s %s", call_op_name(c->op), a);
		free(a);
		return out;
	}
}

static void add_held(struct model *m, const struct event *ev)
{
	struct held_row *h;
	const struct call *c = ev->u.held.c;

	m->held = xgrow(m->held, &m->held_cap, m->nheld + 1, sizeof(*m->held));
	h = &m->held[m->nheld++];
	memset(h, 0, sizeof(*h));
	h->n = ev->u.held.n;
	h->seq = ev->u.held.call;
	h->step = ev->step;
	h->what = held_what(m, c);
	h->from = text_visible(c && c->exe ? path_base(c->exe) : "");
	h->rule = text_visible(ev->u.held.rule ? ev->u.held.rule : "");
	if (ev->u.held.text)
		h->text = text_visible(ev->u.held.text);
	else if (c && ev->u.held.rule && strstr(ev->u.held.rule, ".rules:"))
		/* a policy's "default" line: no rule about this call */
		h->text = xasprintf("no rule matches: %s asks by default", call_kind_name(call_op_kind(c->op)));
	else
		h->text = NULL;
}

static void drop_held(struct model *m, uint64_t seq)
{
	for (size_t i = 0; i < m->nheld; i++) {
		if (m->held[i].seq != seq)
			continue;
		held_release(&m->held[i]);
		memmove(&m->held[i], &m->held[i + 1], (m->nheld - i - 1) * sizeof(*m->held));
		m->nheld--;
		return;
	}
}

static void checkpoint_event(struct model *m, const struct event *ev)
{
	if (ev->u.checkpoint.error) {
		free(m->cp_text);
		m->cp_text = xasprintf("checkpoint failed: %s", ev->u.checkpoint.error);
		m->cp_failed = 1;
		/* a busy lock is only a delay */
		if (strncmp(ev->u.checkpoint.error, "another belay", 13))
			m->cp_failures++;
		return;
	}
	m->cp_count++;
	m->cp_session = ev->u.checkpoint.session;
	m->cp_failed = m->cp_failures > 0;
	m->diffs++;
	free(m->cp_text);
	/* a failure stays in sight: what changed then is in a later checkpoint */
	m->cp_text = m->cp_failures ? xasprintf("session %u · %u checkpoints · %u failed (belay log)",
						ev->u.checkpoint.session, m->cp_count, m->cp_failures)
				    : xasprintf("session %u · %u checkpoints", ev->u.checkpoint.session, m->cp_count);
	if (ev->u.checkpoint.restored)
		model_mark_undo(m, ev->u.checkpoint.restored);
}

void model_mark_undo(struct model *m, const char *label)
{
	unsigned sn, id;
	int revert;

	/* only this session's steps are on the screen */
	if (undo_label_parse(label, &revert, &sn, &id) < 0 || sn != m->cp_session)
		return;
	for (size_t i = 0; i < m->nsteps; i++) {
		struct step_row *r = &m->steps[i];

		if (revert ? r->id == id : r->id >= id) {
			if (r->undo != UNDO_ROLLED_BACK)
				r->undo = revert ? UNDO_REVERTED : UNDO_ROLLED_BACK;
			update_quiet(m, r);
		}
	}
	m->diffs++;
}

static void start_event(struct model *m, const struct event *ev)
{
	free_strv(m->argv);
	free_strv(m->withheld);
	m->argv = copy_strv(ev->u.start.argv, NULL);
	m->withheld = copy_strv(ev->u.start.withheld, &m->nwithheld);
	set_str(&m->cwd, ev->u.start.cwd);
	set_str(&m->profile, ev->u.start.profile);
	set_str(&m->sandbox, ev->u.start.sandbox);
	set_str(&m->limits, ev->u.start.limits);
	m->pid = ev->u.start.pid;
}

static void step_start(struct model *m, const struct event *ev)
{
	struct step_row *r;

	m->steps = xgrow(m->steps, &m->steps_cap, m->nsteps + 1, sizeof(*m->steps));
	r = &m->steps[m->nsteps++];
	memset(r, 0, sizeof(*r));
	r->id = ev->step;
	r->changed = -1;
	r->edit = !ev->u.step.pid;
	r->cmd = xstrdup(ev->u.step.cmd ? ev->u.step.cmd : "");
	r->summary = text_visible(r->cmd);
	r->state = STEP_RUNNING;
	r->start_ns = ev->t_ns;
}

int model_event(struct model *m, const struct event *ev)
{
	struct step_row *r = ev->step ? model_step(m, ev->step) : NULL;

	switch (ev->type) {
	case EV_SESSION_START:
		start_event(m, ev);
		break;
	case EV_EXIT:
		m->exited = 1;
		m->exit_code = ev->u.exit.code;
		m->exit_signal = ev->u.exit.signal;
		m->exit_status = ev->u.exit.status;
		m->ran_ns = ev->t_ns;
		break;
	case EV_SESSION_END:
		m->ended = 1;
		m->exit_status = ev->u.end.status;
		break;
	case EV_STEP_START:
		step_start(m, ev);
		break;
	case EV_STEP_END:
		if (!r)
			return 0;
		if (r->state == STEP_RUNNING)
			r->state = STEP_DONE;
		r->duration_ns = ev->u.step_end.duration_ns;
		if (ev->u.step_end.known)
			r->changed = (int)ev->u.step_end.files;
		r->nwith = (unsigned)ev->u.step_end.nwith;
		r->with = r->nwith ? ev->u.step_end.with[0] : 0;
		m->diffs++;
		break;
	case EV_EXEC:
		if (!r)
			return 0;
		if (!r->nprocs && ev->u.call.call->argv && ev->u.call.call->argc) {
			/* the command the agent meant: a shell's script, not the shell */
			free(r->summary);
			r->summary = fit_command(ev->u.call.call->argv, ev->u.call.call->argc);
		}
		add_proc(r, ev->u.call.call);
		break;
	case EV_FILE:
		if (!r)
			return 0;
		/* a folder made is not a file changed: the files in it will say */
		if (ev->u.call.call->op == OP_MKDIR)
			break;
		add_path(m, r, ev->u.call.call->path);
		add_path(m, r, ev->u.call.call->path2);
		if (r->edit)
			edit_summary(m, r);
		update_quiet(m, r);
		break;
	case EV_CHECKPOINT:
		checkpoint_event(m, ev);
		break;
	case EV_HELD:
		add_held(m, ev);
		if (r) {
			r->state = STEP_HELD;
			r->was_held = 1;
			update_quiet(m, r);
		}
		break;
	case EV_DECISION:
		drop_held(m, ev->u.decision.call);
		/* once something in a step was refused, the step says so */
		if (r && ev->u.decision.verdict == VERDICT_DENY) {
			r->state = STEP_DENIED, r->was_denied = 1;
			update_quiet(m, r);
		} else if (r && r->state == STEP_HELD) {
			int still = 0;

			for (size_t i = 0; i < m->nheld; i++)
				still |= m->held[i].step == r->id;
			r->state = still ? STEP_HELD : r->was_denied ? STEP_DENIED : r->duration_ns ? STEP_DONE : STEP_RUNNING;
		}
		break;
	case EV_NOTE:
		if (!r)
			return 0;
		free(r->note);
		r->note = xasprintf("%s: %s", ev->u.note.who, ev->u.note.text);
		r->notes++;
		break;
	case EV_GRANT:
		m->grants = xgrow(m->grants, &m->grants_cap, m->ngrants + 1, sizeof(*m->grants));
		m->grants[m->ngrants].n = ev->u.grant.n;
		m->grants[m->ngrants].text = xstrdup(ev->u.grant.text ? ev->u.grant.text : "");
		m->ngrants++;
		break;
	case EV_REVOKE:
		for (size_t i = 0; i < m->ngrants; i++) {
			if (m->grants[i].n != ev->u.grant.n)
				continue;
			free(m->grants[i].text);
			memmove(&m->grants[i], &m->grants[i + 1], (m->ngrants - i - 1) * sizeof(*m->grants));
			m->ngrants--;
			break;
		}
		break;
	default:
		return 0;
	}
	return 1;
}
