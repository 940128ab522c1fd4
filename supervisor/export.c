/*
 * export.c - a recording as asciicast v2, JSON lines or a Markdown report;
 * see export.h.  asciicast v2: https://docs.asciinema.org/manual/asciicast/v2/
 * (the "m" markers and "r" resizes are ignored by players that do not know
 * them, Debian 12's asciinema 2.2 among them).
 */
#define _GNU_SOURCE
#include "export.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "util.h"

#define RECENT_CALLS 4096 /* calls remembered for the held ones that name them */

int export_format_parse(const char *name, enum export_format *f)
{
	if (!strcmp(name, "asciicast") || !strcmp(name, "cast"))
		*f = EXPORT_ASCIICAST;
	else if (!strcmp(name, "jsonl") || !strcmp(name, "json"))
		*f = EXPORT_JSONL;
	else if (!strcmp(name, "md") || !strcmp(name, "markdown"))
		*f = EXPORT_MD;
	else
		return -1;
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The words of a JSON array of strings, joined by spaces (caller frees). */
static char *joined(json_t *a)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x) {
		if (i)
			buf_addch(&b, ' ');
		buf_addstr(&b, json_string_value(x) ?: "");
	}
	return buf_detach(&b, NULL);
}

/* A call record in plain words: "git push origin", "write /etc/x", "connect 1.2.3.4:443" (caller frees). */
static char *call_words(json_t *o)
{
	const char *type = str(o, "type") ?: "";

	if (!strcmp(type, "exec"))
		return joined(json_object_get(o, "argv"));
	if (!strcmp(type, "connect")) {
		if (json_is_integer(json_object_get(o, "port")))
			return xasprintf("connect %s:%lld", str(o, "addr") ?: "?", num(o, "port"));
		return xasprintf("connect %s", str(o, "addr") ?: "?");
	}
	if (!strcmp(type, "file")) {
		if (str(o, "to"))
			return xasprintf("%s %s → %s", str(o, "op") ?: "?", str(o, "path") ?: "?", str(o, "to"));
		return xasprintf("%s %s", str(o, "op") ?: "?", str(o, "path") ?: "?");
	}
	return xstrdup(type);
}

/* The calls read lately, by seq: what a held or decided call was. */
struct recent {
	char *words[RECENT_CALLS];
	long long seq[RECENT_CALLS];
};

static void recent_note(struct recent *r, json_t *o, const char *type)
{
	if (!strcmp(type, "exec") || !strcmp(type, "file") || !strcmp(type, "connect")) {
		long long seq = num(o, "seq");
		size_t k = (size_t)seq % RECENT_CALLS;

		free(r->words[k]);
		r->words[k] = call_words(o);
		r->seq[k] = seq;
	}
}

static const char *recent_words(const struct recent *r, long long seq)
{
	size_t k = (size_t)seq % RECENT_CALLS;

	return r->seq[k] == seq && r->words[k] ? r->words[k] : NULL;
}

static void recent_release(struct recent *r)
{
	for (size_t i = 0; i < RECENT_CALLS; i++)
		free(r->words[i]);
}

static void put_json(FILE *out, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

	if (s) {
		fputs(s, out);
		fputc('\n', out);
		free(s);
	}
}

/* ---- asciicast ---- */

static void cast_event(FILE *out, uint64_t t_ns, const char *code, json_t *data)
{
	json_t *a = json_array();

	json_array_append_new(a, json_real((double)(t_ns / 1000) / 1e6));
	json_array_append_new(a, json_string(code));
	json_array_append_new(a, data);
	put_json(out, a);
	json_decref(a);
}

static void cast_marker(FILE *out, uint64_t t_ns, const char *text)
{
	cast_event(out, t_ns, "m", event_json_text(text, strlen(text)));
}

static int export_cast(struct recording *r, FILE *out)
{
	json_t *h = recording_header(r), *o = json_object(), *env = json_object();
	char *cmd = joined(json_object_get(h, "argv")), *title;
	struct rec_line l;
	struct buf bytes = BUF_INIT;
	struct recent *calls = xcalloc(1, sizeof(*calls));
	unsigned rows, cols;
	int rc;

	recording_size(r, &rows, &cols);
	json_object_set_new(o, "version", json_integer(2));
	json_object_set_new(o, "width", json_integer(cols));
	json_object_set_new(o, "height", json_integer(rows));
	json_object_set_new(o, "timestamp", json_integer((json_int_t)json_number_value(json_object_get(h, "epoch"))));
	json_object_set_new(o, "command", event_json_text(cmd, strlen(cmd)));
	title = xasprintf("belay: %s", cmd);
	json_object_set_new(o, "title", event_json_text(title, strlen(title)));
	json_object_set_new(env, "TERM", json_string("xterm-256color"));
	json_object_set_new(o, "env", env);
	put_json(out, o);
	json_decref(o);
	free(title);
	free(cmd);
	while ((rc = recording_next(r, &l)) > 0) {
		char *text = NULL;

		recent_note(calls, l.obj, l.type);
		if (!strcmp(l.type, "output")) {
			buf_reset(&bytes);
			if (recording_output(l.obj, &bytes) == 0 && bytes.len)
				cast_event(out, l.t_ns, "o", event_json_text(bytes.data, bytes.len));
		} else if (!strcmp(l.type, "resize")) {
			text = xasprintf("%lldx%lld", num(l.obj, "cols"), num(l.obj, "rows"));
			cast_event(out, l.t_ns, "r", json_string(text));
		} else if (!strcmp(l.type, "step-start")) {
			text = xasprintf("step %lld: %s", num(l.obj, "step"), str(l.obj, "cmd") ?: "");
			cast_marker(out, l.t_ns, text);
		} else if (!strcmp(l.type, "held")) {
			text = xasprintf("held #%lld (step %lld): %s — %s", num(l.obj, "held"), num(l.obj, "step"),
					 recent_words(calls, num(l.obj, "call")) ?: "a call", str(l.obj, "rule") ?: "");
			cast_marker(out, l.t_ns, text);
		} else if (!strcmp(l.type, "decision") && json_object_get(l.obj, "held_ms")) {
			text = xasprintf("%s by %s%s%s", !strcmp(str(l.obj, "verdict") ?: "", "allow") ? "allowed" : "denied",
					 str(l.obj, "who") ?: str(l.obj, "by") ?: "?", str(l.obj, "how") ? " with " : "",
					 str(l.obj, "how") ?: "");
			cast_marker(out, l.t_ns, text);
		} else if (!strcmp(l.type, "note")) {
			text = xasprintf("note by %s (step %lld): %s", str(l.obj, "who") ?: "?", num(l.obj, "step"),
					 str(l.obj, "text") ?: "");
			cast_marker(out, l.t_ns, text);
		} else if (!strcmp(l.type, "checkpoint") && str(l.obj, "restored")) {
			cast_marker(out, l.t_ns, str(l.obj, "restored"));
		}
		free(text);
	}
	buf_release(&bytes);
	recent_release(calls);
	free(calls);
	return rc < 0 ? 1 : 0;
}

/* ---- JSON lines ---- */

static void iso_time(double epoch, char *out, size_t n)
{
	time_t s = (time_t)epoch;
	struct tm tm;
	char base[40];

	gmtime_r(&s, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03dZ", base, (int)((epoch - (double)s) * 1000) % 1000);
}

static int export_jsonl(struct recording *r, FILE *out)
{
	json_t *h = json_deep_copy(recording_header(r));
	double epoch = json_number_value(json_object_get(h, "epoch"));
	long long session = num(h, "session");
	struct rec_line l;
	char when[48];
	int rc;

	json_object_del(h, "h");
	json_object_set_new(h, "type", json_string("recording"));
	put_json(out, h);
	json_decref(h);
	while ((rc = recording_next(r, &l)) > 0) {
		json_t *o = json_deep_copy(l.obj);

		json_object_del(o, "h");
		iso_time(epoch + (double)l.t_ns / 1e9, when, sizeof(when));
		json_object_set_new(o, "time", json_string(when));
		if (session && !json_object_get(o, "session"))
			json_object_set_new(o, "session", json_integer(session));
		put_json(out, o);
		json_decref(o);
	}
	return rc < 0 ? 1 : 0;
}

/* ---- Markdown ---- */

struct md_step {
	long long id;
	char *cmd;
	uint64_t start, end;
	int ended, held, denied, files_known;
	long long files;
	off_t diff;   /* its last "diff" record, or -1 */
};

struct md_decision {
	long long step, held;
	char *what, *verdict, *by, *how, *rule, *reason, *who;
	long long held_ms;
	uint64_t t;
};

struct md {
	struct md_step *steps;
	size_t nsteps, steps_cap;
	struct md_decision *dec;
	size_t ndec, dec_cap;
	struct recent calls;
	char *restores;            /* rollbacks and reverts, one line each */
	struct md_note { uint64_t t; long long step; char *who, *text; } *notes;
	size_t nnotes, notes_cap;
	long long exit_status;
	int exited;
	uint64_t last_t;
};

/* Markdown-safe inline text: shown as it is, never read as markup or HTML. */
static void md_text(FILE *out, const char *s)
{
	char *v = text_visible(s ? s : "");

	for (const char *p = v; *p; p++) {
		if (strchr("\\`*_[]<>|&", *p))
			fputc('\\', out);
		fputc(*p, out);
	}
	free(v);
}

/* Inline code: a run of backticks longer than any inside; a pipe escaped (it would end a table's cell). */
static void md_code(FILE *out, const char *s)
{
	char *v = text_visible(s ? s : "");
	size_t run = 0, longest = 0;

	for (const char *p = v; *p; p++)
		run = *p == '`' ? run + 1 : 0, longest = run > longest ? run : longest;
	for (size_t i = 0; i <= longest; i++)
		fputc('`', out);
	fputc(' ', out);
	for (const char *p = v; *p; p++) {
		if (*p == '|')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc(' ', out);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', out);
	free(v);
}

static void md_clock(FILE *out, uint64_t ns)
{
	unsigned long long s = ns / 1000000000ull;

	if (s >= 3600)
		fprintf(out, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	else
		fprintf(out, "%llu:%02llu", s / 60, s % 60);
}

static struct md_step *md_step(struct md *m, long long id)
{
	for (size_t i = m->nsteps; i-- > 0;)
		if (m->steps[i].id == id)
			return &m->steps[i];
	if (id <= 0)
		return NULL;
	m->steps = xgrow(m->steps, &m->steps_cap, m->nsteps + 1, sizeof(*m->steps));
	memset(&m->steps[m->nsteps], 0, sizeof(*m->steps));
	m->steps[m->nsteps].id = id;
	m->steps[m->nsteps].diff = -1;
	return &m->steps[m->nsteps++];
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void md_read(struct md *m, const struct rec_line *l)
{
	json_t *o = l->obj;
	const char *type = l->type;
	struct md_step *st;

	m->last_t = l->t_ns;
	recent_note(&m->calls, o, type);
	if (!strcmp(type, "step-start") && (st = md_step(m, num(o, "step")))) {
		free(st->cmd);
		st->cmd = xstrdup(str(o, "cmd") ?: "");
		st->start = l->t_ns;
	} else if (!strcmp(type, "step-end") && (st = md_step(m, num(o, "step")))) {
		st->ended = 1;
		st->end = l->t_ns;
		if (json_is_integer(json_object_get(o, "files")))
			st->files_known = 1, st->files = num(o, "files");
	} else if (!strcmp(type, "held")) {
		if ((st = md_step(m, num(o, "step"))))
			st->held = 1;
	} else if (!strcmp(type, "decision") && (json_object_get(o, "held_ms") || !strcmp(str(o, "verdict") ?: "", "deny"))) {
		struct md_decision *d;

		m->dec = xgrow(m->dec, &m->dec_cap, m->ndec + 1, sizeof(*m->dec));
		d = &m->dec[m->ndec++];
		memset(d, 0, sizeof(*d));
		d->step = num(o, "step");
		d->t = l->t_ns;
		d->what = xstrdup(recent_words(&m->calls, num(o, "call")) ?: "(a call not in the recording)");
		d->verdict = xstrdup(str(o, "verdict") ?: "?");
		d->by = xstrdup(str(o, "by") ?: "?");
		d->how = dup_or_null(str(o, "how"));
		d->rule = dup_or_null(str(o, "text") ?: str(o, "rule"));
		d->reason = dup_or_null(str(o, "reason"));
		d->who = dup_or_null(str(o, "who"));
		d->held_ms = json_object_get(o, "held_ms") ? num(o, "held_ms") : -1;
		if (strcmp(d->verdict, "allow") && (st = md_step(m, d->step)))
			st->denied = 1;
	} else if (!strcmp(type, "diff") && (st = md_step(m, num(o, "step")))) {
		st->diff = l->offset;
	} else if (!strcmp(type, "checkpoint") && str(o, "restored")) {
		char *line = xasprintf("%s%s\n", m->restores ?: "", str(o, "restored"));

		free(m->restores);
		m->restores = line;
	} else if (!strcmp(type, "note")) {
		m->notes = xgrow(m->notes, &m->notes_cap, m->nnotes + 1, sizeof(*m->notes));
		m->notes[m->nnotes++] = (struct md_note){ l->t_ns, num(o, "step"), xstrdup(str(o, "who") ?: "?"),
							   xstrdup(str(o, "text") ?: "") };
	} else if (!strcmp(type, "exit")) {
		m->exited = 1;
		m->exit_status = num(o, "status");
	}
}

static void md_diff(FILE *out, struct recording *r, const struct md_step *st)
{
	json_t *o = recording_read_at(r, st->diff), *files, *f;
	size_t i;

	if (!o)
		return;
	files = json_object_get(o, "files");
	if (!json_array_size(files)) {
		json_decref(o);
		return;
	}
	fprintf(out, "\n### Step %lld: ", st->id);
	md_code(out, st->cmd ?: "");
	fputc('\n', out);
	json_array_foreach(files, i, f) {
		const char *patch = str(f, "patch");
		size_t run = 0, longest = 2;

		fputs("\n", out);
		md_code(out, str(f, "path") ?: "?");
		if (str(f, "old")) {
			fputs(" (renamed from ", out);
			md_code(out, str(f, "old"));
			fputc(')', out);
		}
		fprintf(out, " %s, +%lld −%lld", str(f, "status") ?: "?", num(f, "added"), num(f, "removed"));
		if (json_is_true(json_object_get(f, "binary"))) {
			fprintf(out, ", binary, %lld bytes\n", num(f, "size"));
			continue;
		}
		if (!patch) {
			fputs(", too large to record its lines\n", out);
			continue;
		}
		fputc('\n', out);
		for (const char *p = patch; *p; p++)
			run = *p == '`' ? run + 1 : 0, longest = run > longest ? run : longest;
		fputc('\n', out);
		for (size_t k = 0; k <= longest; k++)
			fputc('`', out);
		fputs("diff\n", out);
		{
			/* the patch as it is, but nothing the reader's terminal would act on */
			char *v = text_visible(patch);

			/* text_visible shows newlines as \x0a: put them back */
			for (char *p = v; *p; p++) {
				if (!strncmp(p, "\\x0a", 4)) {
					fputc('\n', out);
					p += 3;
				} else {
					fputc(*p, out);
				}
			}
			free(v);
		}
		if (patch[0] && patch[strlen(patch) - 1] != '\n')
			fputc('\n', out);
		for (size_t k = 0; k <= longest; k++)
			fputc('`', out);
		fputc('\n', out);
	}
	json_decref(o);
}

static int export_md(struct recording *r, FILE *out)
{
	json_t *h = recording_header(r);
	struct md m = { 0 };
	struct rec_line l;
	char *cmd = joined(json_object_get(h, "argv"));
	int rc;

	while ((rc = recording_next(r, &l)) > 0)
		md_read(&m, &l);
	fputs("# belay session: ", out);
	md_code(out, cmd);
	fputs("\n\n| | |\n|---|---|\n| started | ", out);
	md_text(out, str(h, "time") ?: "?");
	fputs(" |\n| length | ", out);
	md_clock(out, m.last_t);
	fputs(" |\n| workspace | ", out);
	md_code(out, str(h, "workspace") ?: "?");
	if (num(h, "session"))
		fprintf(out, " (session %lld)", num(h, "session"));
	fputs(" |\n| agent | ", out);
	md_code(out, cmd);
	fputs(" |\n| policy | ", out);
	md_text(out, str(h, "policy") ?: "none (not intercepted)");
	fputs(" |\n| exit | ", out);
	if (m.exited)
		fprintf(out, "%lld", m.exit_status);
	else
		fputs("not recorded", out);
	fputs(" |\n| recording | ", out);
	if (rc < 0)
		md_text(out, recording_damage(r));
	else
		fprintf(out, "intact, %zu lines%s", recording_lines(r), recording_ended(r) ? "" : ", the session's end missing");
	fputs(" |\n", out);

	fprintf(out, "\n## Decisions\n\n");
	if (!m.ndec)
		fputs("No call was held or denied.\n", out);
	else
		fputs("| at | step | call | decision | by | waited | rule |\n|---|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < m.ndec; i++) {
		struct md_decision *d = &m.dec[i];

		fputs("| ", out);
		md_clock(out, d->t);
		fprintf(out, " | %lld | ", d->step);
		md_code(out, d->what);
		fprintf(out, " | %s", !strcmp(d->verdict, "allow") ? "allowed" : "**denied**");
		if (d->reason) {
			fputs(": ", out);
			md_text(out, d->reason);
		}
		fputs(" | ", out);
		if (d->who) {
			md_text(out, d->who);
			fputs(!strcmp(d->by, "reviewer") ? ", reviewing" : "", out);
		} else {
			md_text(out, !strcmp(d->by, "user") ? "a person" : d->by);
		}
		if (d->how) {
			fputs(" (", out);
			md_code(out, d->how);
			fputc(')', out);
		}
		if (d->held_ms >= 0)
			fprintf(out, " | %lld.%01lld s | ", d->held_ms / 1000, d->held_ms % 1000 / 100);
		else
			fputs(" | — | ", out);
		md_text(out, d->rule ?: "");
		fputs(" |\n", out);
	}
	if (m.restores) {
		fputs("\n## Undone\n\n", out);
		for (char *p = m.restores, *nl; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			*nl = 0;
			fputs("- ", out);
			md_text(out, p);
			fputc('\n', out);
		}
	}
	if (m.nnotes) {
		fputs("\n## Notes\n\n| at | step | by | note |\n|---|---|---|---|\n", out);
		for (size_t i = 0; i < m.nnotes; i++) {
			fputs("| ", out);
			md_clock(out, m.notes[i].t);
			if (m.notes[i].step > 0)
				fprintf(out, " | %lld | ", m.notes[i].step);
			else
				fputs(" | — | ", out);
			md_text(out, m.notes[i].who);
			fputs(" | ", out);
			md_text(out, m.notes[i].text);
			fputs(" |\n", out);
		}
	}
	fprintf(out, "\n## Steps\n\n");
	if (!m.nsteps)
		fputs("The agent took no step.\n", out);
	else
		fputs("| step | at | took | command | outcome |\n|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < m.nsteps; i++) {
		struct md_step *st = &m.steps[i];

		fprintf(out, "| %lld | ", st->id);
		md_clock(out, st->start);
		fputs(" | ", out);
		if (st->ended)
			fprintf(out, "%.1f s", (double)(st->end - st->start) / 1e9);
		fputs(" | ", out);
		md_code(out, st->cmd ?: "");
		fputs(" | ", out);
		fputs(st->denied ? "denied" : st->held ? "held, allowed" : st->ended ? "done" : "running", out);
		if (st->files_known)
			fprintf(out, ", %lld file%s changed", st->files, st->files == 1 ? "" : "s");
		fputs(" |\n", out);
	}
	fputs("\n## Changes\n", out);
	{
		int any = 0;

		for (size_t i = 0; i < m.nsteps; i++)
			if (m.steps[i].diff >= 0) {
				md_diff(out, r, &m.steps[i]);
				any = 1;
			}
		if (!any)
			fputs("\nNo file in the workspace changed (or the session ran without checkpoints).\n", out);
	}
	for (size_t i = 0; i < m.nsteps; i++)
		free(m.steps[i].cmd);
	free(m.steps);
	for (size_t i = 0; i < m.ndec; i++) {
		free(m.dec[i].what), free(m.dec[i].verdict), free(m.dec[i].by), free(m.dec[i].how);
		free(m.dec[i].rule), free(m.dec[i].reason), free(m.dec[i].who);
	}
	free(m.dec);
	for (size_t i = 0; i < m.nnotes; i++)
		free(m.notes[i].who), free(m.notes[i].text);
	free(m.notes);
	recent_release(&m.calls);
	free(m.restores);
	free(cmd);
	return rc < 0 ? 1 : 0;
}

int export_recording(struct recording *r, enum export_format f, FILE *out, struct buf *err)
{
	int rc = f == EXPORT_ASCIICAST ? export_cast(r, out) : f == EXPORT_JSONL ? export_jsonl(r, out) : export_md(r, out);

	if (fflush(out) != 0 || ferror(out)) {
		buf_addf(err, "cannot write the export: %s", strerror(errno));
		return -1;
	}
	return rc;
}
