/*
 * main.c - belay's command line: options, loading keymaps and themes, and
 * wiring a session to a front end (the screen, or headless).
 *
 * Usage: belay [run] [OPTIONS] [--] COMMAND [ARG…]; see belay(1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <getopt.h>
#include <git2.h>
#include <langinfo.h>
#include <libtsm.h>
#include <locale.h>
#include <ncurses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../supervisor/buf.h"
#include "../supervisor/conf.h"
#include "../supervisor/event.h"
#include "../supervisor/control.h"
#include "../supervisor/journal.h"
#include "../supervisor/loop.h"
#include "../supervisor/policy.h"
#include "../supervisor/sandbox.h"
#include "../supervisor/session.h"
#include "../supervisor/spawn.h"
#include "../supervisor/util.h"
#include "cmd-checkpoint.h"
#include "cmd-doctor.h"
#include "cmd-policy.h"
#include "cmd-control.h"
#include "cmd-record.h"
#include "viewer.h"
#include "data.h"
#include "headless.h"
#include "keymap.h"
#include "player.h"
#include "profiles.h"
#include "theme.h"
#include "ui.h"

#ifndef BELAY_VERSION
#define BELAY_VERSION "0.0.0"
#endif

#define USAGE "belay [run] [OPTIONS] [--] COMMAND [ARG…]"

struct options {
	const char *workspace;
	const char *events;
	const char *record;
	int no_record;
	const char *keymap;
	const char *theme;
	unsigned history;
	unsigned rows, cols; /* --size, headless */
	int headless;
	int hold;
	int no_intercept;
	int no_checkpoint;
	const char *policy;
	const char *profile;
	char **pass_env; /* --pass-env globs, NULL-terminated */
	int no_hide;
	int no_sandbox;
	const char *user;
	uint64_t keep_caps;
	size_t npass_env;
	int on_ask_allow;  /* --on-ask allow */
	int on_ask_wait;   /* --on-ask wait: for an answer on the control socket */
	struct control_share *shares; /* --share */
	size_t nshares;
	char **two_person; /* --two-person globs, NULL-terminated */
	size_t ntwo;
	long ask_timeout;  /* --ask-timeout seconds; -1: not given */
	char **argv;
};

enum {
	OPT_EVENTS = 0x100,
	OPT_RECORD,
	OPT_NO_RECORD,
	OPT_KEYMAP,
	OPT_THEME,
	OPT_HISTORY,
	OPT_HOLD,
	OPT_SIZE,
	OPT_HEADLESS,
	OPT_POLICY,
	OPT_PROFILE,
	OPT_PASS_ENV,
	OPT_NO_HIDE,
	OPT_NO_SANDBOX,
	OPT_USER,
	OPT_KEEP_CAP,
	OPT_NO_INTERCEPT,
	OPT_NO_CHECKPOINT,
	OPT_ON_ASK,
	OPT_ASK_TIMEOUT,
	OPT_SHARE,
	OPT_TWO_PERSON,
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "headless", no_argument, NULL, OPT_HEADLESS },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "no-record", no_argument, NULL, OPT_NO_RECORD },
	{ "keymap", required_argument, NULL, OPT_KEYMAP },
	{ "theme", required_argument, NULL, OPT_THEME },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "pass-env", required_argument, NULL, OPT_PASS_ENV },
	{ "no-hide", no_argument, NULL, OPT_NO_HIDE },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "user", required_argument, NULL, OPT_USER },
	{ "keep-cap", required_argument, NULL, OPT_KEEP_CAP },
	{ "no-intercept", no_argument, NULL, OPT_NO_INTERCEPT },
	{ "no-checkpoint", no_argument, NULL, OPT_NO_CHECKPOINT },
	{ "on-ask", required_argument, NULL, OPT_ON_ASK },
	{ "ask-timeout", required_argument, NULL, OPT_ASK_TIMEOUT },
	{ "share", required_argument, NULL, OPT_SHARE },
	{ "two-person", required_argument, NULL, OPT_TWO_PERSON },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	printf("usage: %s\n"
	       "\n"
	       "Run COMMAND (an AI coding agent, or any program) in a terminal pane that belay\n"
	       "supervises.  The agent gets every key but the prefix (C-] by default;\n"
	       "C-] ? shows the key bindings).\n"
	       "\n"
	       "options:\n"
	       "  -C DIR            run in DIR (the workspace) instead of the current directory\n"
	       "      --headless    no screen: copy the agent's output to stdout and stdin to the\n"
	       "                    agent, like script(1)\n"
	       "      --size COLSxROWS  with --headless: the agent's terminal size, fixed\n"
	       "      --events FILE write every event as a line of JSON to FILE\n"
	       "      --policy NAME|FILE  the rules (built in: default, strict, ci)\n"
	       "      --profile NAME|FILE  what belay knows of the agent (its state folders,\n"
	       "                    its settings); default: chosen by the command's name\n"
	       "      --no-hide     leave the credential stores (~/.aws, ~/.ssh…) visible to it\n"
	       "      --no-sandbox  no kernel boundary (Landlock) around the agent: calls are\n"
	       "                    still held, but a racing agent can get past a hold\n"
	       "      --user NAME   as root, run the agent as this user (its home, its groups)\n"
	       "      --keep-cap NAME  as root, let the agent keep this capability (all are\n"
	       "                    dropped by default); repeatable\n"
	       "      --pass-env NAME  give the agent this variable (a glob) even if it looks\n"
	       "                    like a credential; repeatable (see belay(1), ENVIRONMENT)\n"
	       "      --on-ask allow|deny|wait  answer held calls this way (headless: deny);\n"
	       "                    wait: for 'belay approve' or a reviewer (deny at the timeout)\n"
	       "      --ask-timeout SECONDS  after this long (headless: 0; screen, wait: never)\n"
	       "      --share USER[:ROLE]  let USER (or @GROUP) attach: ROLE watch (default) or\n"
	       "                    review (watch and decide); repeatable\n"
	       "      --two-person GLOB  calls held by rules GLOB matches (their place or text)\n"
	       "                    need two people, two users, to allow them; repeatable\n"
	       "      --no-intercept  do not intercept the agent's calls (unsupervised)\n"
	       "      --no-checkpoint  do not checkpoint the workspace (nothing can be rolled back)\n"
	       "      --keymap NAME|FILE  key bindings (built in: default, tmux)\n"
	       "      --theme NAME|FILE   colours (built in: dark, light, mono, high-contrast)\n"
	       "      --history N   lines of scrollback to keep (default 2000)\n"
	       "      --hold        keep the screen after the agent exits, until q\n"
	       "  -h, --help        show this help\n"
	       "  -V, --version     show the version\n"
	       "\n"
	       "checkpoints of the workspace (every step can be rolled back):\n"
	       "  belay log [-C DIR]                        sessions and their steps\n"
	       "  belay diff [-C DIR] [--stat] [STEP]       a step's changes, or the session's\n"
	       "  belay rollback [-C DIR] [--move-branch] STEP  everything as before STEP\n"
	       "  belay revert [-C DIR] STEP                undo only STEP's changes\n"
	       "  belay gc [-C DIR] [--keep N] [--days D] [--dry-run]  drop old sessions\n"
	       "  (STEP: N, or SESSION:N as belay log shows)\n"
	       "\n"
	       "pair review (running sessions, through their control sockets):\n"
	       "  belay ls                                  the sessions you may attach to\n"
	       "  belay attach [--read-only] [SESSION]      a running session's review screen\n"
	       "  belay held [SESSION]                      calls waiting, as SESSION:CALL\n"
	       "  belay approve SESSION:CALL                allow one\n"
	       "  belay deny SESSION:CALL [REASON]          deny one (the reason reaches the agent)\n"
	       "  belay note SESSION[:STEP] TEXT            a note everyone sees\n"
	       "\n"
	       "rules: belay policy check|test|show (see belay(1))\n"
	       "this machine: belay doctor   what the kernel lets belay enforce\n"
	       "\n"
	       "belay exits with the agent's exit status (128+N if signal N killed it).\n"
	       "See belay(1) for keymaps, themes and the events format.\n",
	       USAGE);
}

static void version(void)
{
	int maj, min, rev;

	git_libgit2_version(&maj, &min, &rev);
	printf("belay %s (%s, libgit2 %d.%d.%d)\n", BELAY_VERSION, curses_version(), maj, min, rev);
}

static NORETURN void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (usage: %s; belay --help)\n", USAGE);
	exit(2);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	int c;
	long n;

	o->history = 2000;
	o->ask_timeout = -1;
	opterr = 0;
	/* "belay run …" is "belay …": the word only reads better in scripts */
	if (argc > 1 && !strcmp(argv[1], "run")) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	/* "+": stop at the first word that is not an option, so that the
	 * agent's own options stay the agent's (belay vim -R file). */
	while ((c = getopt_long(argc, argv, "+:C:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'C':
			o->workspace = optarg;
			break;
		case 'h':
			usage();
			exit(0);
		case 'V':
			version();
			exit(0);
		case OPT_HEADLESS:
			o->headless = 1;
			break;
		case OPT_EVENTS:
			o->events = optarg;
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_NO_RECORD:
			o->no_record = 1;
			break;
		case OPT_KEYMAP:
			o->keymap = optarg;
			break;
		case OPT_THEME:
			o->theme = optarg;
			break;
		case OPT_HISTORY:
			if (!parse_int(optarg, 0, 1000000, &n))
				usage_error("--history '%s' must be a number of lines from 0 to 1000000", optarg);
			o->history = (unsigned)n;
			break;
		case OPT_HOLD:
			o->hold = 1;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_NO_SANDBOX:
			o->no_sandbox = 1;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_NO_HIDE:
			o->no_hide = 1;
			break;
		case OPT_KEEP_CAP: {
			int cap = sandbox_cap_number(optarg);

			if (cap == -2)
				usage_error("--keep-cap '%s': belay never leaves that one to the agent (it reaches into belay)",
					    optarg);
			if (cap < 0)
				usage_error("--keep-cap '%s' is not a capability (see capabilities(7): net_bind_service…)",
					    optarg);
			o->keep_caps |= 1ULL << cap;
			break;
		}
		case OPT_PASS_ENV:
			o->pass_env = xrealloc(o->pass_env, (o->npass_env + 2) * sizeof(char *));
			o->pass_env[o->npass_env++] = xstrdup(optarg);
			o->pass_env[o->npass_env] = NULL;
			break;
		case OPT_POLICY:
			o->policy = optarg;
			break;
		case OPT_NO_INTERCEPT:
			o->no_intercept = 1;
			break;
		case OPT_NO_CHECKPOINT:
			o->no_checkpoint = 1;
			break;
		case OPT_ON_ASK:
			o->on_ask_allow = !strcmp(optarg, "allow");
			o->on_ask_wait = !strcmp(optarg, "wait");
			if (!o->on_ask_allow && !o->on_ask_wait && strcmp(optarg, "deny"))
				usage_error("--on-ask '%s' must be allow, deny or wait", optarg);
			break;
		case OPT_SHARE: {
			struct buf err = BUF_INIT;

			o->shares = xrealloc(o->shares, (o->nshares + 1) * sizeof(*o->shares));
			if (control_share_parse(optarg, &o->shares[o->nshares], &err) < 0)
				usage_error("%s", err.data);
			o->nshares++;
			buf_release(&err);
			break;
		}
		case OPT_TWO_PERSON:
			o->two_person = xrealloc(o->two_person, (o->ntwo + 2) * sizeof(char *));
			o->two_person[o->ntwo++] = xstrdup(optarg);
			o->two_person[o->ntwo] = NULL;
			break;
		case OPT_ASK_TIMEOUT:
			if (!parse_int(optarg, 0, 86400 * 365, &n))
				usage_error("--ask-timeout '%s' must be a number of seconds", optarg);
			o->ask_timeout = n;
			break;
		case OPT_SIZE: {
			unsigned cols, rows;
			char extra;

			if (sscanf(optarg, "%ux%u%c", &cols, &rows, &extra) != 2 || cols < 2 || rows < 2 ||
			    cols > 10000 || rows > 10000)
				usage_error("--size '%s' must look like 120x40", optarg);
			o->cols = cols;
			o->rows = rows;
			break;
		}
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		case '?':
			usage_error("unknown option '%s'", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->record && o->no_record)
		usage_error("%s", "--record and --no-record: choose one");
	if (o->rows && !o->headless)
		usage_error("%s", "--size only applies with --headless (the screen gives the pane its size)");
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		usage_error("%s", "missing command");
	o->argv = argv + optind;
}

/* ---- keymaps, themes and policies ---- */

/* Apply the text of a keymap, theme or policy file to obj. */
static void apply_data(enum data_kind kind, void *obj, const char *label, const struct buf *text, struct buf *errors)
{
	if (kind == DATA_KEYMAP)
		keymap_load(obj, label, text->data, text->len, errors);
	else if (kind == DATA_THEME)
		theme_load(obj, label, text->data, text->len, errors);
	else
		policy_load(obj, label, text->data, text->len, errors);
}

/*
 * Apply NAME or FILE (see data_find) on top of obj.  A name that is not
 * found is an error only when required (exit 2); a file named on the command
 * line that cannot be read is one too.
 */
static int load_named(enum data_kind kind, void *obj, const char *spec, int required, struct buf *errors)
{
	struct buf text = BUF_INIT;
	char *label = NULL;
	int e = data_find(kind, spec, &text, &label, errors);

	if (e == 0) {
		apply_data(kind, obj, label, &text, errors);
		free(label);
		buf_release(&text);
		return 0;
	}
	buf_release(&text);
	if (!required)
		return -1;
	if (e == -ENOENT) {
		struct buf names = BUF_INIT;

		data_list_builtin(kind, &names);
		warn("no %s named '%s' (built in:%s; or give a file)", data_kind_name(kind), spec, names.data);
		buf_release(&names);
	} else {
		fputs(errors->data, stderr);
	}
	exit(2);
}

static void load_builtin(enum data_kind kind, void *obj, const char *name)
{
	struct buf errors = BUF_INIT, text = BUF_INIT;
	char *label = xasprintf("(built-in %s %s)", data_kind_name(kind), name);
	size_t len;
	const char *t = data_builtin(kind, name, &len);

	if (!t)
		BUG("no built-in %s '%s'", data_kind_name(kind), name);
	buf_add(&text, t, len);
	apply_data(kind, obj, label, &text, &errors);
	if (errors.len)
		BUG("built-in file is broken: %s", errors.data);
	buf_release(&errors);
	buf_release(&text);
	free(label);
}

static char *first_line_summary(const struct buf *errors)
{
	const char *nl;
	unsigned n = 0;

	for (const char *p = errors->data; (p = strchr(p, '\n')); p++)
		n++;
	nl = strchr(errors->data, '\n');
	if (n > 1)
		return xasprintf("%.*s (and %u more, printed when belay exits)", (int)(nl - errors->data), errors->data,
				 n - 1);
	return xasprintf("%.*s", (int)(nl ? nl - errors->data : (long)errors->len), errors->data);
}

static void setup_locale(void)
{
	setlocale(LC_ALL, "");
	/* belay draws UTF-8 whatever the locale says; agents print it anyway */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 && !setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C.utf8");
}

static void restore_screen(void)
{
	ui_emergency_restore();
}

struct progress {
	uint64_t t0;
	int shown;
};

/* "checkpointing the workspace: 12000 files", once the baseline takes a moment */
static void baseline_progress(size_t files, void *data)
{
	struct progress *p = data;

	if (!isatty(STDERR_FILENO) || now_ns() - p->t0 < 300 * 1000000ull)
		return;
	fprintf(stderr, "\r%s: checkpointing the workspace: %zu files", progname, files);
	p->shown = 1;
}

/*
 * The session's baseline, before the agent starts and before the screen
 * takes the terminal.  Without checkpoints nothing could be rolled back, so
 * a failure stops belay (--no-checkpoint runs without).
 */
static struct checkpoints *start_checkpoints(struct loop *loop, const char *workspace, const struct policy *policy,
					     char *const *argv, struct checkpoint_info *info, int *rc)
{
	struct shadow_opts so = { 0 };
	unsigned long long max;

	char *ws = workspace ? xstrdup(workspace) : realpath(".", NULL);
	char *home = getenv("HOME") ? realpath(getenv("HOME"), NULL) : NULL;
	struct progress p = { now_ns(), 0 };
	struct checkpoints *cp;
	struct buf err = BUF_INIT;

	if (!ws)
		fatal("cannot find the current directory: %s", strerror(errno));
	if (!strcmp(ws, "/") || (home && !strcmp(ws, home))) {
		warn("will not checkpoint all of '%s': run belay in a project directory (-C DIR), "
		     "or add --no-checkpoint", ws);
		exit(2);
	}
	free(home);
	/* the policy's "checkpoint skip|keep|max-size" lines */
	policy_checkpoint_settings(policy, &so.skip, &so.keep, &max);
	so.max_file_size = max;
	so.keep_budget = policy_keep_budget(policy);
	policy_history(policy, &so.history, &so.history_days);
	so.fresh_if_damaged = 1;
	so.from_policy = 1;
	cp = checkpoints_new(loop, ws, &so, &err);
	if (!cp) {
		warn("cannot checkpoint the workspace: %s (or add --no-checkpoint)", err.data);
		exit(2);
	}
	if (shadow_notice(checkpoints_shadow(cp)))
		warn("%s", shadow_notice(checkpoints_shadow(cp)));
	*rc = checkpoints_begin(cp, argv, baseline_progress, &p, info);
	if (p.shown)
		fprintf(stderr, "\r\033[K");
	if (*rc < 0) {
		warn("cannot checkpoint the workspace: %s (or add --no-checkpoint)", info->error);
		exit(2);
	}
	*rc = 1;
	buf_release(&err);
	free(ws);
	return cp;
}

/*
 * The screen, with the keymap and theme the options and the user's files
 * say (errors: what was wrong in them, also shown at the start).  Exits
 * when there is no terminal to take.
 */
static struct ui *make_ui(struct loop *loop, const struct options *o, struct checkpoints *cp, struct buf *errors,
			  char **startup)
{
	struct keymap *km = keymap_new();
	struct theme *th = theme_new();
	struct ui_opts uo = { 0 };
	const char *no_color = getenv("NO_COLOR");
	char *user_default;
	struct ui *ui;

	load_builtin(DATA_KEYMAP, km, "default");
	user_default = data_user_path(DATA_KEYMAP, "default");
	if (o->keymap) {
		load_named(DATA_KEYMAP, km, o->keymap, 1, errors);
	} else if (user_default && access(user_default, F_OK) == 0) {
		load_named(DATA_KEYMAP, km, user_default, 0, errors);
	}
	free(user_default);
	/* a theme file may set only some elements: the rest are the
	 * built-in default's */
	load_builtin(DATA_THEME, th, no_color && *no_color ? "mono" : "dark");
	load_named(DATA_THEME, th, o->theme ? o->theme : no_color && *no_color ? "mono" : "dark", 1, errors);
	if (errors->len) {
		fputs(errors->data, stderr);
		*startup = first_line_summary(errors);
	}
	uo.keymap = km;
	uo.theme = th;
	uo.history = o->history;
	uo.hold = o->hold;
	uo.theme_explicit = o->theme != NULL || (no_color && *no_color);
	uo.startup_message = *startup;
	uo.checkpoints = cp;
	ui = ui_new(loop, &uo);
	if (!ui) {
		keymap_free(km);
		theme_free(th);
		exit(1);
	}
	die_hook = restore_screen;
	return ui;
}

/*
 * belay replay [-C DIR] [--at SECONDS | --step N] [--paused] [--speed X]
 * [--keymap K] [--theme T] FILE|SESSION|last: the review screen, driven by
 * a recording.
 */
/* belay attach [--read-only] [SESSION]: a running session's review screen, from its control socket. */
static int cmd_attach(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "read-only", no_argument, NULL, 'r' },
		{ "keymap", required_argument, NULL, 'k' },
		{ "theme", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *usage = "usage: belay attach [--read-only] [SESSION]   (belay ls lists the sessions)\n";
	struct options o = { .history = 2000 };
	struct buf err = BUF_INIT, errors = BUF_INIT;
	struct ctlsock_found f;
	struct ctl c;
	struct viewer *v;
	struct loop *loop;
	struct ui *ui;
	char *startup = NULL;
	int read_only = 0, ch, status;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "rh", longs, NULL)) != -1) {
		switch (ch) {
		case 'r':
			read_only = 1;
			break;
		case 'k':
			o.keymap = optarg;
			break;
		case 't':
			o.theme = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		warn("belay attach needs a terminal ('belay held' and 'belay approve' work without one)");
		return 2;
	}
	if (ctl_find(optind < argc ? argv[optind] : NULL, &f, &err) < 0 || ctl_open(&c, &f, &err) < 0 ||
	    !(v = viewer_new(&c, read_only, &err))) {
		warn("%s", err.data);
		buf_release(&err);
		return 1;
	}
	free(f.path);
	free(f.id);
	loop = loop_new();
	ui = make_ui(loop, &o, NULL, &errors, &startup);
	viewer_start(v, loop, ui);
	status = loop_run(loop);
	ui_free(ui);
	die_hook = NULL;
	viewer_free(v);
	loop_free(loop);
	if (errors.len)
		fputs(errors.data, stderr);
	buf_release(&errors);
	buf_release(&err);
	free(startup);
	return status;
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "step", required_argument, NULL, 's' },
		{ "paused", no_argument, NULL, 'p' },
		{ "speed", required_argument, NULL, 'x' },
		{ "keymap", required_argument, NULL, 'k' },
		{ "theme", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *usage = "usage: belay replay [-C DIR] [--at SECONDS | --step N] [--paused] [--speed X] "
			    "FILE|SESSION|last\n";
	struct options o = { .history = 2000 };
	const char *dir = NULL;
	double at = 0, speed = 1;
	long step = 0;
	int paused = 0, c, status;
	struct buf err = BUF_INIT, errors = BUF_INIT;
	char *path, *startup = NULL, *end;
	struct player *p;
	struct loop *loop;
	struct ui *ui;

	optind = 1;
	while ((c = getopt_long(argc, argv, "C:h", longs, NULL)) != -1) {
		switch (c) {
		case 'C':
			dir = optarg;
			break;
		case 'a':
			at = strtod(optarg, &end);
			if (*end || !(at >= 0 && at < 1e9)) {
				warn("--at '%s' must be a number of seconds from the start", optarg);
				return 2;
			}
			break;
		case 's':
			if (!parse_int(optarg, 1, 10000000, &step)) {
				warn("--step '%s' must be a step number", optarg);
				return 2;
			}
			break;
		case 'p':
			paused = 1;
			break;
		case 'x':
			speed = strtod(optarg, &end);
			if (*end || !(speed >= 0.5 && speed <= 16)) {
				warn("--speed '%s' must be from 0.5 to 16", optarg);
				return 2;
			}
			break;
		case 'k':
			o.keymap = optarg;
			break;
		case 't':
			o.theme = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	path = cmd_record_find(argv[optind], dir, &err);
	if (!path || !(p = player_open(path, &err))) {
		warn("%s", err.data);
		free(path);
		buf_release(&err);
		return 1;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		warn("belay replay needs a terminal ('belay export --format md %s' reads it without one)", argv[optind]);
		player_free(p);
		free(path);
		return 2;
	}
	loop = loop_new();
	ui = make_ui(loop, &o, NULL, &errors, &startup);
	player_start(p, loop, ui, (uint64_t)(at * 1e9), (unsigned)step, !paused, speed);
	status = loop_run(loop);
	ui_free(ui);
	die_hook = NULL;
	player_free(p);
	loop_free(loop);
	if (errors.len)
		fputs(errors.data, stderr);
	buf_release(&errors);
	buf_release(&err);
	free(startup);
	free(path);
	return status;
}

/*
 * Record the session (--record FILE, or a new file in the recordings
 * folder, whose oldest files go when it passes the policy's budget).  A
 * recording that cannot be made stops belay: the person asked for one,
 * or expects one (--no-record goes without).  *protect: the file, kept
 * from the agent (the folder is belay's state, kept already).
 */
static void start_recording(struct journal *j, const struct options *o, const struct session_opts *so,
			    const struct policy *policy, struct checkpoints *cp, char **protect)
{
	char digest[80], *ws = so->cwd ? xstrdup(so->cwd) : realpath(".", NULL), *path;
	struct journal_header h = { 0 };
	struct buf err = BUF_INIT;

	if (o->record) {
		path = xstrdup(o->record);
	} else {
		char *dir = journal_dir();
		size_t failed;

		if (make_dirs(dir, &failed) < 0) {
			warn("cannot make the recordings folder '%s': %s (or add --no-record)", dir, strerror(errno));
			exit(2);
		}
		path = journal_default_path(ws ? ws : "/", cp ? checkpoints_session(cp) : 0);
		free(dir);
	}
	h.argv = so->argv;
	h.workspace = ws;
	h.rows = so->rows;
	h.cols = so->cols;
	h.session = cp ? checkpoints_session(cp) : 0;
	if (policy) {
		policy_digest(policy, digest);
		h.policy = digest;
	}
	h.profile = so->profile;
	if (journal_record(j, path, &h, &err) < 0) {
		warn("%s (or add --no-record)", err.data);
		exit(2);
	}
	if (!o->record) {
		char *dir = journal_dir();

		journal_prune(dir, policy_record_budget(policy), journal_path(j));
		free(dir);
	}
	*protect = xstrdup(journal_path(j));
	buf_release(&err);
	free(path);
	free(ws);
}

/*
 * The control socket (belay ls, attach, approve): a session shared, or
 * one that waits for answers from it, does not start without it; any
 * other goes on and says so.
 */
static struct control *start_control(struct loop *loop, struct journal *j, const struct options *o,
				     const struct session_opts *so, const struct policy *policy, struct checkpoints *cp)
{
	struct buf err = BUF_INIT;
	struct control *c;

	if (!journal_header_text(j)) {
		/* not recorded: viewers still get the header */
		char digest[80], *ws = so->cwd ? xstrdup(so->cwd) : realpath(".", NULL);
		struct journal_header h = { so->argv, ws, so->rows, so->cols, cp ? checkpoints_session(cp) : 0, NULL,
					    so->profile };

		if (policy) {
			policy_digest(policy, digest);
			h.policy = digest;
		}
		journal_begin(j, &h);
		free(ws);
	}
	c = control_new(loop, j, o->shares, o->nshares, &err);
	if (!c) {
		if (o->nshares || o->on_ask_wait) {
			warn("%s: nobody could attach (--share) or answer (--on-ask wait)", err.data);
			exit(2);
		}
		warn("%s: nobody can attach to this session", err.data);
	}
	buf_release(&err);
	return c;
}

static int hand_keyboard(void *data)
{
	return control_hand_keyboard(data);
}

/* "~/x" for a path in the home folder (caller frees). */
static char *tilde(const char *path)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;

	if (n > 1 && !strncmp(path, home, n) && path[n] == '/')
		return xasprintf("~%s", path + n);
	return xstrdup(path);
}

/* After a session on the screen: where its history and its recording are, and how to use them. */
static void print_history_hint(struct checkpoints *cp, const struct session *s, const struct journal *j)
{
	const char *ws = shadow_workspace(checkpoints_shadow(cp));
	char *dir = tilde(shadow_dir(checkpoints_shadow(cp)));
	unsigned n = session_steps(s) ? steps_count(session_steps(s)) : 0;

	fprintf(stderr, "%s: session %u of %s: %u step%s, checkpointed in %s\n", progname,
		checkpoints_session(cp), ws, n, n == 1 ? "" : "s", dir);
	fprintf(stderr, "%s: 'belay log -C %s' lists them; 'belay rollback -C %s STEP' undoes from STEP on\n",
		progname, ws, ws);
	free(dir);
	if (journal_path(j)) {
		char *rec = tilde(journal_path(j));

		fprintf(stderr, "%s: recorded in %s; 'belay replay %s' plays it back\n", progname, rec, journal_path(j));
		free(rec);
	}
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct session_opts so = { 0 };
	struct journal *journal;
	session_event_cb front;
	void *front_data;
	int events_fd = -1;
	struct loop *loop;
	struct session *s;
	struct headless *hl = NULL;
	struct ui *ui = NULL;
	struct buf errors = BUF_INIT;
	struct termios tio;
	struct policy *policy = NULL;
	char *profile_label = NULL, *agent_home = NULL;
	char *workspace = NULL, *startup = NULL, *protect[4] = { NULL, NULL, NULL, NULL };
	struct checkpoints *cp = NULL;
	struct checkpoint_info cpinfo;
	struct control *control;
	char **covers;
	int status, cprc = 0;

	setup_locale();
	if (argc > 1 && !strcmp(argv[1], "policy"))
		return cmd_policy(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "doctor"))
		return cmd_doctor(argc - 1, argv + 1);
	if (argc > 1 && cmd_checkpoint_is(argv[1]))
		return cmd_checkpoint(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "attach"))
		return cmd_attach(argc - 1, argv + 1);
	if (argc > 1 && cmd_record_is(argv[1]))
		return cmd_record(argc - 1, argv + 1);
	if (argc > 1 && cmd_control_is(argv[1]))
		return cmd_control(argc - 1, argv + 1);
	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);

	if (o.workspace) {
		struct stat st;

		workspace = realpath(o.workspace, NULL);
		if (!workspace || stat(workspace, &st) < 0 || !S_ISDIR(st.st_mode)) {
			warn("cannot use '%s' as the workspace: %s", o.workspace, workspace ? "not a directory" : strerror(errno));
			exit(2);
		}
	}
	if (o.events) {
		/* non-blocking open: a FIFO without a reader is an error, not a hang */
		events_fd = open(o.events, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0644);
		if (events_fd < 0) {
			warn("cannot write events to '%s': %s", o.events,
			     errno == ENXIO ? "a FIFO with nobody reading it" : strerror(errno));
			exit(2);
		}
		fd_set_nonblock(events_fd, 0);
		/* the record of the session is not the agent's to change */
		protect[1] = realpath(o.events, NULL);
	}
	/* nor the installed policies, keymaps and themes belay reads */
	protect[0] = xstrdup(data_dir());

	/* Before the screen takes the terminal, so that the reason is seen. */
	{
		char *path = spawn_resolve(o.argv[0]);

		if (!path) {
			if (errno == EACCES) {
				warn("cannot run '%s': permission denied", o.argv[0]);
				exit(126);
			}
			warn("command not found: '%s' (check the name or PATH)", o.argv[0]);
			exit(127);
		}
		free(path);
	}

	if (o.user) {
		struct passwd *pw = getpwnam(o.user);

		if (geteuid() != 0)
			usage_error("--user '%s': only a belay run as root can run the agent as another user", o.user);
		if (o.no_intercept)
			usage_error("--user '%s' needs interception (it is set up with the agent's confinement)", o.user);
		if (!pw)
			usage_error("--user '%s': no such user (see /etc/passwd)", o.user);
		so.run_user = o.user;
		so.run_uid = pw->pw_uid;
		so.run_gid = pw->pw_gid;
		so.run_home = agent_home = xstrdup(pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : "/");
	}
	if (!o.no_intercept) {
		char *ws = workspace ? xstrdup(workspace) : realpath(".", NULL);

		policy = policy_new(ws ? ws : "/", agent_home ? agent_home : getenv("HOME"));
		free(ws);
		/* a policy belay cannot read whole is no policy: refuse */
		load_named(DATA_POLICY, policy, o.policy ? o.policy : "default", 1, &errors);
		if (errors.len) {
			fputs(errors.data, stderr);
			warn("the policy has errors: fix them, or check it with 'belay policy check'");
			exit(2);
		}
		{
			struct buf warnings = BUF_INIT;

			ws = workspace ? xstrdup(workspace) : realpath(".", NULL);
			profile_label = profiles_apply_env(policy, o.argv, o.profile, ws ? ws : "/",
							   agent_home ? agent_home : getenv("HOME"),
							   &errors, &warnings, &o.pass_env);
			free(ws);
			if (errors.len) {
				fputs(errors.data, stderr);
				warn("the agents' profiles have errors: fix them, or check them with 'belay policy check'");
				exit(2);
			}
			if (warnings.len)
				fputs(warnings.data, stderr);
			buf_release(&warnings);
		}
	}

	loop = loop_new();
	if (!o.no_checkpoint)
		cp = start_checkpoints(loop, workspace, policy, o.argv, &cpinfo, &cprc);
	so.checkpoints = cp;
	so.argv = o.argv;
	so.cwd = workspace;
	so.intercept = !o.no_intercept;
	so.policy = policy;
	so.profile = profile_label;
	so.pass_env = o.pass_env;
	so.show_stores = o.no_hide;
	so.no_sandbox = o.no_sandbox;
	so.keep_caps = o.keep_caps;
	so.protect = protect;
	so.two_person = o.two_person;
	so.covers = covers = ctlsock_covers();
	/* headless, nobody can answer: at once unless told to wait (for belay approve) */
	so.timed_asks = o.on_ask_wait ? o.ask_timeout > 0 : o.headless || o.ask_timeout >= 0;
	so.ask_timeout_ms = o.ask_timeout > 0 ? (unsigned long)o.ask_timeout * 1000 : 0;
	so.timeout_allows = o.on_ask_allow;
	if (o.headless) {
		if (o.rows)
			so.rows = o.rows, so.cols = o.cols;
		else
			headless_size(&so.rows, &so.cols);
		if (headless_termios(&tio) == 0)
			so.termios = &tio;
		hl = headless_new(loop, o.rows != 0);
		front = headless_event;
		front_data = hl;
	} else {
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tio) == 0)
			so.termios = &tio;
		ui = make_ui(loop, &o, cp, &errors, &startup);
		die_hook = restore_screen;
		ui_pane_size(ui, &so.rows, &so.cols);
		so.term = "xterm-256color";
		front = ui_event;
		front_data = ui;
	}

	journal = journal_new(loop);
	if (events_fd >= 0)
		journal_events(journal, events_fd);
	if (!o.no_record)
		start_recording(journal, &o, &so, policy, cp, protect + (protect[1] ? 2 : 1));
	if (cp)
		journal_checkpoints(journal, checkpoints_shadow(cp));
	control = start_control(loop, journal, &o, &so, policy, cp);
	if (ui && (!o.no_record || control))
		ui_record_screen(ui, journal);
	so.journal = journal;
	s = session_new(loop, &so, front, front_data);
	if (control)
		control_serve(control, s);
	if (control && ui)
		ui_on_handover(ui, hand_keyboard, control);
	if (hl && control && o.on_ask_wait)
		headless_waits(hl, control_id(control));
	if (cp)
		session_report_checkpoint(s, cprc, &cpinfo);
	if (hl)
		headless_attach(hl, s);
	if (ui)
		ui_attach(ui, s);
	status = session_start(s);
	if (status == 0) {
		int screen = ui != NULL;

		status = loop_run(loop);
		ui_free(ui); /* the terminal is back: the hint can be read */
		ui = NULL;
		if (screen && cp)
			print_history_hint(cp, s, journal);
	}
	ui_free(ui); /* it did not start: the message is on stderr already; show it */
	die_hook = NULL;
	headless_free(hl);
	control_free(control);
	session_free(s);
	strv_free(covers);
	strv_free(o.two_person);
	for (size_t i = 0; i < o.nshares; i++)
		free(o.shares[i].name);
	free(o.shares);
	checkpoints_free(cp);
	policy_free(policy);
	free(profile_label);
	for (size_t i = 0; o.pass_env && o.pass_env[i]; i++)
		free(o.pass_env[i]);
	free(o.pass_env);
	journal_free(journal);
	loop_free(loop);
	if (errors.len && !o.headless)
		fputs(errors.data, stderr);
	buf_release(&errors);
	free(startup);
	free(workspace);
	free(protect[0]);
	free(protect[1]);
	free(protect[2]);
	return status;
}
