/*
 * profile.c - agents' profiles; see profile.h.
 */
#define _GNU_SOURCE
#include "profile.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "glob.h"
#include "policy.h"
#include "progid.h"
#include "util.h"

enum ptype { P_STATE, P_STATE_FILE, P_HELPER, P_SETTINGS, P_REFUSE };

static const struct {
	const char *name;
	enum ptype type;
	int movable;
} directives[] = {
	{ "state", P_STATE, 1 },     { "state-file", P_STATE_FILE, 1 }, { "helper", P_HELPER, 1 },
	{ "settings", P_SETTINGS, 1 }, { "refuse", P_REFUSE, 0 },
};

struct pline {
	enum ptype type;
	char *path, *moved; /* moved: NULL when no variable moves it */
	unsigned lineno;
	char *text;
};

struct profile {
	char *file, *name;
	char **programs;
	size_t nprograms, programs_cap;
	char **env;            /* NULL-terminated */
	size_t nenv, env_cap;
	struct pline *lines;
	size_t n, cap;
};

/* A path as a profile may write it: absolute, or from ~, $HOME, $WORKSPACE or a variable. */
static char *moved_variable(const char *moved, const char **rest);

static int path_ok(const char *v)
{
	return v[0] == '/' || (v[0] == '~' && (v[1] == '/' || !v[1])) || v[0] == '$';
}

static void profile_line(struct conf_line *l, void *data)
{
	struct profile *pr = data;
	const char *cmd = l->argv[0];
	size_t i;

	if (!strcmp(cmd, "program")) {
		if (l->argc < 2) {
			conf_error(l, "usage: program NAME…");
			return;
		}
		for (int k = 1; k < l->argc; k++) {
			pr->programs = xgrow(pr->programs, &pr->programs_cap, pr->nprograms + 1, sizeof(char *));
			pr->programs[pr->nprograms++] = xstrdup(l->argv[k]);
		}
		return;
	}
	if (!strcmp(cmd, "env")) {
		if (l->argc < 2) {
			conf_error(l, "usage: env NAME…");
			return;
		}
		for (int k = 1; k < l->argc; k++) {
			pr->env = xgrow(pr->env, &pr->env_cap, pr->nenv + 2, sizeof(char *));
			pr->env[pr->nenv++] = xstrdup(l->argv[k]);
			pr->env[pr->nenv] = NULL;
		}
		return;
	}
	for (i = 0; i < ARRAY_SIZE(directives); i++)
		if (!strcmp(cmd, directives[i].name))
			break;
	if (i == ARRAY_SIZE(directives)) {
		conf_error(l, "unknown statement '%s' (program, env, state, state-file, helper, settings or refuse)", cmd);
		return;
	}
	if (l->argc < 2 || l->argc > 2 + directives[i].movable) {
		conf_error(l, directives[i].movable ? "usage: %s PATH [PATH-WHEN-MOVED]" : "usage: %s PATH", cmd);
		return;
	}
	{
		const char *v = l->argv[1];

		for (const char *d = strchr(v, '$'); d; d = strchr(d + 1, '$')) {
			if (strncmp(d, "$HOME", 5) && strncmp(d, "$WORKSPACE", 10) && strncmp(d, "$AGENT", 6) &&
			    strncmp(d, "${AGENT}", 8)) {
				conf_error(l, "'%s': the first path may use $HOME, $WORKSPACE and $AGENT; a variable "
					      "that moves it goes in the second",
					   v);
				return;
			}
		}
	}
	for (int k = 1; k < l->argc; k++) {
		if (!path_ok(l->argv[k])) {
			conf_error(l, "'%s' must be an absolute path, or start with ~, $HOME, $WORKSPACE or a variable",
				   l->argv[k]);
			return;
		}
	}
	if (l->argc == 3) {
		const char *rest = "", *m = l->argv[2];
		char *var = m[0] == '$' ? moved_variable(m, &rest) : NULL;
		int ok = var && *var && (!*rest || *rest == '/');

		for (const char *d = ok ? strchr(rest, '$') : NULL; ok && d; d = strchr(d + 1, '$'))
			ok = !strncmp(d, "$AGENT", 6) || !strncmp(d, "${AGENT}", 8);

		free(var);
		if (!ok) {
			conf_error(l, "'%s' must start with the variable that moves it, as $CODEX_HOME or "
				      "$GEMINI_CLI_HOME/.gemini",
				   m);
			return;
		}
	}
	pr->lines = xgrow(pr->lines, &pr->cap, pr->n + 1, sizeof(*pr->lines));
	pr->lines[pr->n++] = (struct pline){ directives[i].type, xstrdup(l->argv[1]),
					     l->argc == 3 ? xstrdup(l->argv[2]) : NULL, l->lineno, conf_line_text(l) };
}

struct profile *profile_parse(const char *file, const char *text, size_t len, struct buf *errors)
{
	struct profile *pr = xcalloc(1, sizeof(*pr));
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t n = strlen(base);

	pr->file = xstrdup(file);
	if (n > 8 && !strcmp(base + n - 8, ".profile"))
		n -= 8;
	/* "(built-in profile codex)" */
	if (base[n - 1] == ')')
		n--;
	pr->name = xstrndup(base, n);
	conf_parse(file, text, len, profile_line, pr, errors);
	return pr;
}

void profile_free(struct profile *pr)
{
	if (!pr)
		return;
	for (size_t i = 0; i < pr->nprograms; i++)
		free(pr->programs[i]);
	free(pr->programs);
	for (size_t i = 0; i < pr->nenv; i++)
		free(pr->env[i]);
	free(pr->env);
	for (size_t i = 0; i < pr->n; i++) {
		free(pr->lines[i].path);
		free(pr->lines[i].moved);
		free(pr->lines[i].text);
	}
	free(pr->lines);
	free(pr->file);
	free(pr->name);
	free(pr);
}

char *const *profile_env(const struct profile *pr)
{
	static char *none[] = { NULL };

	return pr->env ? pr->env : none;
}

const char *profile_name(const struct profile *pr)
{
	return pr->name;
}

int profile_matches(const struct profile *pr, const char *command)
{
	for (size_t i = 0; command && i < pr->nprograms; i++)
		if (glob_match(pr->programs[i], command, GLOB_TEXT) == 1)
			return 1;
	return 0;
}

/* ---- which agent a command line runs ---- */

/* node, python3.11, npx…: they run the agent named by their first argument. */
static int runs_another(const char *b)
{
	static const char *const names[] = { "node", "nodejs", "bun", "deno", "python", "pypy", "npx", "pnpx",
					     "bunx", "uvx", "pipx", "tsx", "ts-node" };

	return progid_named(b, names, ARRAY_SIZE(names));
}

/* "…/@openai/codex/bin/codex.js" -> "codex"; "…/claude-code/cli.js" -> "claude-code"; "aider.main" -> "aider". */
static char *script_name(const char *arg, int module)
{
	char *s = xstrdup(arg), *dot, *at;
	const char *b;

	if (module) {
		if ((dot = strchr(s, '.')))
			*dot = '\0';
		return s;
	}
	/* a package spec: "@openai/codex@latest" */
	if (s[0] != '/' && s[0] != '.' && (at = strchr(s + (s[0] == '@'), '@')))
		*at = '\0';
	while (strlen(s) > 1 && s[strlen(s) - 1] == '/')
		s[strlen(s) - 1] = '\0';
	b = path_base(s);
	{
		static const char *const exts[] = { ".js", ".mjs", ".cjs", ".ts", ".py" };
		static const char *const generic[] = { "cli", "index", "main", "__main__", "bin", "run" };
		char *name = xstrdup(b);
		size_t n = strlen(name);

		for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
			size_t e = strlen(exts[i]);

			if (n > e && !strcmp(name + n - e, exts[i])) {
				name[n - e] = '\0';
				break;
			}
		}
		for (size_t i = 0; i < ARRAY_SIZE(generic); i++) {
			if (!strcmp(name, generic[i]) && b > s + 1) {
				/* the package's folder says what it is: …/claude-code/cli.js */
				char *dir = xstrndup(s, (size_t)(b - 1 - s));

				free(name);
				name = script_name(dir, 0);
				free(dir);
				break;
			}
		}
		free(s);
		return name;
	}
}

char *profile_command_name(char *const *argv)
{
	const char *b;
	int i = 1;

	if (!argv || !argv[0])
		return xstrdup("");
	b = path_base(argv[0]);
	if (!strcmp(b, "env")) {
		/* env [-i] [-u NAME] [NAME=VALUE]… COMMAND */
		while (argv[i] && (argv[i][0] == '-' || strchr(argv[i], '='))) {
			if (!strcmp(argv[i], "-u") && argv[i + 1])
				i++;
			i++;
		}
		return argv[i] ? profile_command_name(argv + i) : xstrdup(b);
	}
	if (!runs_another(b))
		return xstrdup(b);
	for (; argv[i]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-m") && argv[i + 1])
			return script_name(argv[i + 1], 1);
		if (!strcmp(a, "-c") || !strcmp(a, "-e") || !strcmp(a, "--eval") || !strcmp(a, "-p"))
			break; /* code on the command line: the interpreter itself */
		if (a[0] == '-') {
			/* npx -p PACKAGE, --package PACKAGE */
			if ((!strcmp(a, "--package") || !strcmp(a, "-r") || !strcmp(a, "--require")) && argv[i + 1])
				i++;
			continue;
		}
		if (!strcmp(a, "run") || !strcmp(a, "exec") || !strcmp(a, "x"))
			continue; /* bun run, pipx run */
		return script_name(a, 0);
	}
	return xstrdup(b);
}

/* ---- the rules a profile adds ---- */

/* pattern with $AGENT replaced (escaped); ~, $HOME and $WORKSPACE are the policy's. */
static char *with_agent(const char *pattern, const struct profile_place *at)
{
	struct buf b = BUF_INIT;

	for (const char *v = pattern; *v;) {
		if (!strncmp(v, "$AGENT", 6) && !isalnum((unsigned char)v[6]) && v[6] != '_') {
			glob_escape(&b, at->agent ? at->agent : "");
			v += 6;
		} else if (!strncmp(v, "${AGENT}", 8)) {
			glob_escape(&b, at->agent ? at->agent : "");
			v += 8;
		} else {
			buf_addch(&b, *v++);
		}
	}
	return buf_detach(&b, NULL);
}

/* The variable a moved place starts with ("$CODEX_HOME/x": CODEX_HOME), its length in *len, the rest in *rest. */
static char *moved_variable(const char *moved, const char **rest)
{
	const char *start = moved + 1 + (moved[1] == '{');
	size_t n;

	for (n = 0; isalnum((unsigned char)start[n]) || start[n] == '_'; n++)
		;
	*rest = start + n + (moved[1] == '{' && start[n] == '}');
	return xstrndup(start, n);
}

/* True if a is b or a folder above b. */
static int holds(const char *a, const char *b)
{
	size_t n = strlen(a);

	while (n > 1 && a[n - 1] == '/')
		n--;
	return b && !strncmp(a, b, n) && (b[n] == '/' || !b[n] || n == 1);
}

/*
 * Why a variable's value (a folder the agent would change freely) is too
 * much, or NULL.  dir is its value resolved (realpath where it exists).
 */
static const char *too_much(const char *dir, const struct profile_place *at)
{
	static const char *const system[] = { "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
					      "/boot", "/dev", "/proc", "/sys", "/run", "/var/lib", "/var/spool" };
	static const char *const system_only[] = { "/var/lib", "/var/spool" }; /* itself, not below */
	const char *slash;
	size_t n = strlen(dir);

	if (dir[0] != '/')
		return "not an absolute path";
	if (strstr(dir, "/../") || strstr(dir, "/./") || (n >= 3 && !strcmp(dir + n - 3, "/..")) ||
	    (n >= 2 && !strcmp(dir + n - 2, "/.")))
		return "a path with . or .. in it";
	if (!strcmp(dir, "/"))
		return "a folder at the top of the file system";
	for (size_t i = 0; i < ARRAY_SIZE(system); i++) {
		int only = 0;

		for (size_t k = 0; k < ARRAY_SIZE(system_only); k++)
			only |= !strcmp(system[i], system_only[k]);
		if (only ? holds(dir, system[i]) : holds(system[i], dir) || holds(dir, system[i]))
			return "a system folder";
	}
	if (!strcmp(dir, "/") || !(slash = strchr(dir + 1, '/')) || !slash[1])
		return "a folder at the top of the file system";
	if (at->home && holds(dir, at->home))
		return "it holds the home folder";
	if (at->workspace && holds(dir, at->workspace) && strcmp(dir, at->workspace))
		return "it holds the workspace and the folders beside it";
	return NULL;
}

/* One rule for line l about pattern. */
static void add(struct policy *p, const struct profile *pr, const struct pline *l, enum verdict v,
		enum call_kind kind, const char *pattern, int by_agent)
{
	char *origin = xasprintf("%s:%u", pr->file, l->lineno);

	policy_add_path_rule(p, origin, l->text, v, kind, pattern, by_agent);
	free(origin);
}

static void add_line(struct policy *p, const struct profile *pr, const struct pline *l, const char *pattern)
{
	char *glob = l->type == P_STATE ? xasprintf("%s/**", pattern) : xstrdup(pattern);

	switch (l->type) {
	case P_STATE:
	case P_STATE_FILE:
		add(p, pr, l, VERDICT_ALLOW, KIND_WRITE, glob, 1);
		add(p, pr, l, VERDICT_ALLOW, KIND_DELETE, glob, 1);
		break;
	case P_HELPER:
		add(p, pr, l, VERDICT_ALLOW, KIND_WRITE, glob, 0);
		add(p, pr, l, VERDICT_ALLOW, KIND_DELETE, glob, 0);
		break;
	case P_SETTINGS:
		add(p, pr, l, VERDICT_ASK, KIND_WRITE, glob, 0);
		add(p, pr, l, VERDICT_ASK, KIND_DELETE, glob, 0);
		break;
	case P_REFUSE:
		add(p, pr, l, VERDICT_DENY, KIND_WRITE, glob, 1);
		break;
	}
	free(glob);
}

/*
 * Where line l's variable moves it: *set tells whether the variable is set;
 * the pattern (the variable's folder as the kernel names it, then the
 * rest), or NULL when it is not set, or (checked, with a warning) when the
 * folder would hand the agent too much.
 */
static char *moved_place(const struct profile *pr, const struct pline *l, const struct profile_place *at, int check,
			 struct buf *warnings, int *set)
{
	const char *rest, *value, *why;
	char *var, *real, *pattern = NULL;
	struct buf b = BUF_INIT;

	*set = 0;
	if (!l->moved)
		return NULL;
	var = moved_variable(l->moved, &rest);
	value = at->env ? at->env(var, at->env_data) : NULL;
	if (!value || !*value) {
		free(var);
		return NULL;
	}
	*set = 1;
	real = realpath(value, NULL);
	if (check) {
		/* what the agent gets: the variable's folder and the rest
		 * ($GEMINI_CLI_HOME/.gemini), as the kernel names it */
		char *rest_plain = with_agent(rest, at), *final = xasprintf("%s%s", real ? real : value, rest_plain);

		why = too_much(final, at);
		free(final);
		free(rest_plain);
	} else {
		why = NULL;
	}
	if (why) {
		buf_addf(warnings,
			 "%s:%u: %s is '%s' (%s): belay does not let the agent change that folder without asking, so its "
			 "writes there will ask; set %s to a folder of its own\n",
			 pr->file, l->lineno, var, value, why, var);
	} else {
		glob_escape(&b, real ? real : value);
		buf_addstr(&b, rest);
		pattern = with_agent(b.data, at);
	}
	buf_release(&b);
	free(real);
	free(var);
	return pattern;
}

void profile_apply(const struct profile *pr, struct policy *p, int mine, const struct profile_place *at,
		   struct buf *warnings)
{
	for (size_t i = 0; i < pr->n; i++) {
		const struct pline *l = &pr->lines[i];
		int settings = l->type == P_SETTINGS, set;
		char *moved, *here;

		if (!mine && !settings)
			continue;
		/* a moved folder is where the agent keeps its state now; its
		 * settings ask in both places (another run may not move them) */
		moved = moved_place(pr, l, at, !settings, warnings, &set);
		if (moved)
			add_line(p, pr, l, moved);
		if (settings || !set) {
			here = with_agent(l->path, at);
			add_line(p, pr, l, here);
			free(here);
		}
		free(moved);
	}
}
