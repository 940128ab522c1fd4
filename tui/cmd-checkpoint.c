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
#include "../supervisor/undo.h"
#include "../supervisor/util.h"

struct args {
	const char *dir;
	int stat, move_branch, dry;
	long keep, days; /* gc: -1, the policy's */
	const char *step;
};


/*
 * A name or command as it can be printed to a terminal (text_visible):
 * never an escape sequence, a bidirectional override or an invisible
 * character of the agent's.  The last few are kept, for one printf.
 */
static const char *V(const char *text)
{
	static char *ring[8];
	static unsigned next;
	char **slot = &ring[next++ % ARRAY_SIZE(ring)];

	free(*slot);
	*slot = text_visible(text ? text : "");
	return *slot;
}

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
			printf(" %s", V(v[i]->path));
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
			printf(" %s | ignored file, %s (kept: %llu bytes)\n", V(v[i]->path), what, (unsigned long long)v[i]->size);
		else
			printf("%signored file %s: %s (kept by belay, %llu bytes; belay rollback restores it)%s\n",
			       sgr("\033[1m"), what, V(v[i]->path), (unsigned long long)v[i]->size, sgr("\033[m"));
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
		printf("%ssession %u%s  %s  %s\n", sgr("\033[1m"), s->n, sgr("\033[m"), when, V(s->cmd));
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
			n = history_step_files(sh, st);
			if (!n && history_kept_by(st, &kl, NULL))
				snprintf(what, sizeof(what), "ignored");
			else if (n)
				snprintf(what, sizeof(what), "%u file%s", n, n == 1 ? "" : "s");
			else
				snprintf(what, sizeof(what), "no change");
			printf("  %-7s %s  %5.1fs  %s%-10s%s  %s\n", label, at,
			       st->end > st->start ? st->end - st->start : 0.0, n ? sgr("\033[33m") : "", what,
			       n ? sgr("\033[m") : "", V(st->cmd));
			print_together(s, st);
			print_kept(st, &kl);
		}
		for (size_t k = 0; k < s->nskipped; k++)
			printf("  not checkpointed (over the size limit): %s\n", V(s->skipped[k]));
		for (size_t k = 0; k < s->nnested; k++)
			printf("  not checkpointed (a repository of its own): %s\n", V(s->nested[k]));
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

static void print_line(enum diff_part part, const char *text, size_t len, void *data)
{
	static const char *const colours[] = {
		[DIFF_FILE_HEADER] = "\033[1m", [DIFF_HUNK_HEADER] = "\033[36m", [DIFF_CONTEXT] = "",
		[DIFF_ADDED] = "\033[32m", [DIFF_REMOVED] = "\033[31m", [DIFF_OTHER] = "",
	};
	static const char marks[] = { [DIFF_CONTEXT] = ' ', [DIFF_ADDED] = '+', [DIFF_REMOVED] = '-' };
	const char *c = colours[part];

	(void)data;
	fputs(sgr(c), stdout);
	if (part == DIFF_CONTEXT || part == DIFF_ADDED || part == DIFF_REMOVED)
		putchar(marks[part]);
	if (isatty(STDOUT_FILENO)) {
		/* to a terminal, what the agent wrote is shown, never
		 * interpreted: each piece between newlines and tabs made visible */
		char *all = xstrndup(text, len), *piece = all;

		while (*piece) {
			size_t k = strcspn(piece, "\t\n");
			char sep = piece[k];

			piece[k] = '\0';
			fputs(V(piece), stdout);
			if (!sep)
				break;
			putchar(sep);
			piece += k + 1;
		}
		free(all);
	} else {
		fwrite(text, 1, len, stdout);
	}
	if (*c && colour)
		fputs("\033[m", stdout);
}

static int do_diff(struct shadow *sh, const struct args *a)
{
	struct history h;
	struct buf err = BUF_INIT;
	const struct hist_step *st = NULL;
	int rc = 1;

	if (history_load(sh, &h, &err) < 0)
		goto out;
	if (a->step && !(st = history_find(&h, a->step, &err))) {
		rc = 2; /* a step that is not there: a usage error */
		goto out;
	}
	if (st && st->nwith) {
		char t[128];

		together_of(st, t, sizeof(t));
		/* not part of the patch: on stderr */
		fprintf(stderr, "belay: %s: the files both changed show what each did together\n", t);
	}
	if (history_diff(sh, &h, st, a->stat, print_line, NULL, &err) < 0)
		goto out;
	rc = 0;
	if (st) {
		struct kept_list kl;

		kept_load(shadow_dir(sh), &kl);
		show_kept(st, &kl, a->stat);
		kept_release(&kl);
	}
out:
	if (err.len)
		warn("%s", err.data);
	history_release(&h);
	buf_release(&err);
	return rc;
}

/* rollback (revert = 0) or revert of a step: undo.h does it, this says what it did. */
static int do_restore(struct shadow *sh, const struct args *a, int revert)
{
	struct undo_result r = { 0 };
	struct buf err = BUF_INIT;
	int rc = undo_run(sh, a->step, revert, a->move_branch, &r, &err);

	if (r.warnings.len)
		for (char *line = r.warnings.data, *nl; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			*nl = '\0';
			warn("%s", line);
		}
	if (rc < 0 || rc == 2 || (rc == 1 && !r.session && !r.nothing)) {
		warn("%s", err.data);
	} else if (r.nothing) {
		printf("nothing to %s: the workspace is already as %s would make it\n", revert ? "revert" : "rollback",
		       r.spec);
	} else {
		printf("%s %s: %u file(s) written, %u removed", revert ? "revert of" : "rollback to before", r.spec,
		       r.written, r.removed);
		if (r.kept_put)
			printf(", %zu ignored file%s restored", r.kept_put, r.kept_put == 1 ? "" : "s");
		printf("\n");
		for (size_t i = 0; i < r.nrefused; i++)
			printf("  not restored: %s\n", V(r.refused[i]));
		{
			/* a command to copy: with -C unless the workspace is here */
			char *here = realpath(".", NULL);

			if (here && !strcmp(here, shadow_workspace(sh)))
				printf("to undo it: belay rollback %u:1\n", r.session);
			else
				printf("to undo it: belay rollback -C %s %u:1\n", shadow_workspace(sh), r.session);
			free(here);
		}
	}
	fputs(r.notes.len ? r.notes.data : "", stdout);
	undo_result_release(&r);
	buf_release(&err);
	return rc < 0 ? 1 : rc;
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
	rc = shadow_gc(sh, keep, days, (double)time(NULL), a->dry, 1, &r, &err);
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
