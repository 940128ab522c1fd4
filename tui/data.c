/*
 * data.c - keymaps, themes and policies: the files embed.S compiles in, and
 * the lookup of a name in the user's config, the installed data and the
 * built-in files.
 */
#define _GNU_SOURCE
#include "data.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../supervisor/conf.h"
#include "../supervisor/dirs.h"
#include "../supervisor/util.h"

#ifndef BELAY_DATADIR
#define BELAY_DATADIR "/usr/local/share/belay"
#endif
#define MAX_DATA_FILE (1u << 20)

#define DECLARE(sym) extern const char sym[], sym##_end[]
DECLARE(belay_keys_default);
DECLARE(belay_keys_tmux);
DECLARE(belay_theme_dark);
DECLARE(belay_theme_light);
DECLARE(belay_theme_mono);
DECLARE(belay_theme_high_contrast);
DECLARE(belay_policy_default);
DECLARE(belay_policy_strict);
DECLARE(belay_policy_ci);
DECLARE(belay_profile_generic);
DECLARE(belay_profile_claude);
DECLARE(belay_profile_codex);
DECLARE(belay_profile_gemini);
DECLARE(belay_profile_qwen);
DECLARE(belay_profile_aider);
DECLARE(belay_profile_opencode);

static const struct {
	enum data_kind kind;
	const char *name;
	const char *start, *end;
} files[] = {
	{ DATA_KEYMAP, "default", belay_keys_default, belay_keys_default_end },
	{ DATA_KEYMAP, "tmux", belay_keys_tmux, belay_keys_tmux_end },
	{ DATA_THEME, "dark", belay_theme_dark, belay_theme_dark_end },
	{ DATA_THEME, "light", belay_theme_light, belay_theme_light_end },
	{ DATA_THEME, "mono", belay_theme_mono, belay_theme_mono_end },
	{ DATA_THEME, "high-contrast", belay_theme_high_contrast, belay_theme_high_contrast_end },
	{ DATA_POLICY, "default", belay_policy_default, belay_policy_default_end },
	{ DATA_POLICY, "strict", belay_policy_strict, belay_policy_strict_end },
	{ DATA_POLICY, "ci", belay_policy_ci, belay_policy_ci_end },
	{ DATA_PROFILE, "generic", belay_profile_generic, belay_profile_generic_end },
	{ DATA_PROFILE, "claude", belay_profile_claude, belay_profile_claude_end },
	{ DATA_PROFILE, "codex", belay_profile_codex, belay_profile_codex_end },
	{ DATA_PROFILE, "gemini", belay_profile_gemini, belay_profile_gemini_end },
	{ DATA_PROFILE, "qwen", belay_profile_qwen, belay_profile_qwen_end },
	{ DATA_PROFILE, "aider", belay_profile_aider, belay_profile_aider_end },
	{ DATA_PROFILE, "opencode", belay_profile_opencode, belay_profile_opencode_end },
};

static const char *const keymap_names[] = { "default", "tmux", NULL };
static const char *const theme_names[] = { "dark", "light", "mono", "high-contrast", NULL };
static const char *const policy_names[] = { "default", "strict", "ci", NULL };
static const char *const profile_names[] = { "aider", "claude", "codex", "gemini", "generic", "opencode", "qwen", NULL };

const char *data_builtin(enum data_kind kind, const char *name, size_t *len)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].kind == kind && !strcmp(files[i].name, name)) {
			*len = (size_t)(files[i].end - files[i].start);
			return files[i].start;
		}
	}
	return NULL;
}

const char *const *data_builtin_names(enum data_kind kind)
{
	return kind == DATA_KEYMAP ? keymap_names : kind == DATA_THEME ? theme_names
	       : kind == DATA_POLICY ? policy_names : profile_names;
}

static const struct {
	const char *name, *dir, *ext;
} kinds[] = {
	[DATA_KEYMAP] = { "keymap", "keymaps", "keys" },
	[DATA_THEME] = { "theme", "themes", "theme" },
	[DATA_POLICY] = { "policy", "policies", "rules" },
	[DATA_PROFILE] = { "profile", "profiles", "profile" },
};

const char *data_kind_name(enum data_kind kind)
{
	return kinds[kind].name;
}

char *data_user_path(enum data_kind kind, const char *name)
{
	char *dir = dirs_get(DIR_CONFIG), *path;

	path = xasprintf("%s/%s/%s.%s", dir, kinds[kind].dir, name, kinds[kind].ext);
	free(dir);
	return path;
}

/*
 * Where the installed data is: beside the binary (so that an install
 * anywhere works), else the directory configured at build time.
 */
const char *data_dir(void)
{
	static char *dir;
	char exe[4096];
	ssize_t n;

	if (dir)
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash, *cand;
		struct stat st;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			cand = xasprintf("%s/../share/belay", exe);
			if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode))
				return dir = cand;
			free(cand);
		}
	}
	return dir = xstrdup(BELAY_DATADIR);
}

static int read_file(const char *path, struct buf *text, char **label, struct buf *errors)
{
	int e = conf_read_file(path, MAX_DATA_FILE, text);

	if (e < 0) {
		if (e == -EFBIG)
			buf_addf(errors, "%s: cannot load: larger than %u bytes\n", path, MAX_DATA_FILE);
		else
			buf_addf(errors, "%s: cannot load: %s\n", path, strerror(-e));
		buf_reset(text);
		return e == -ENOENT ? -EIO : e; /* it was named: not "none" */
	}
	*label = xstrdup(path);
	return 0;
}

int data_find(enum data_kind kind, const char *spec, struct buf *text, char **label, struct buf *errors)
{
	const char *ext = kinds[kind].ext;
	size_t sl = strlen(spec), el = strlen(ext), len;
	const char *builtin;
	char *path;
	struct stat st;
	int e;

	if (strchr(spec, '/') || (sl > el + 1 && !strcmp(spec + sl - el, ext) && spec[sl - el - 1] == '.'))
		return read_file(spec, text, label, errors);
	path = data_user_path(kind, spec);
	if (path && stat(path, &st) == 0) {
		e = read_file(path, text, label, errors);
		free(path);
		return e;
	}
	free(path);
	path = xasprintf("%s/%s/%s.%s", data_dir(), kinds[kind].dir, spec, ext);
	if (stat(path, &st) == 0) {
		e = read_file(path, text, label, errors);
		free(path);
		return e;
	}
	free(path);
	builtin = data_builtin(kind, spec, &len);
	if (!builtin)
		return -ENOENT;
	buf_add(text, builtin, len);
	/* the built-in copy is this file of belay's source */
	*label = xasprintf("%s/%s.%s", kinds[kind].dir, spec, ext);
	return 0;
}

void data_list_builtin(enum data_kind kind, struct buf *out)
{
	for (const char *const *n = data_builtin_names(kind); *n; n++)
		buf_addf(out, " %s", *n);
}

static void add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return;
	*names = xgrow(*names, cap, *n + 2, sizeof(char *));
	(*names)[(*n)++] = xstrdup(name);
	(*names)[*n] = NULL;
}

/* The names of the NAME.EXT files in dir. */
static void add_dir(char ***names, size_t *n, size_t *cap, const char *dir, const char *ext)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t el = strlen(ext);

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] != '.' && l > el + 1 && e->d_name[l - el - 1] == '.' && !strcmp(e->d_name + l - el, ext)) {
			char *name = xstrndup(e->d_name, l - el - 1);

			add_name(names, n, cap, name);
			free(name);
		}
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **data_names(enum data_kind kind)
{
	char **names = xcalloc(1, sizeof(char *)), *dir = dirs_get(DIR_CONFIG), *sub;
	size_t n = 0, cap = 1;

	if (dir) {
		sub = xasprintf("%s/%s", dir, kinds[kind].dir);
		add_dir(&names, &n, &cap, sub, kinds[kind].ext);
		free(sub);
	}
	free(dir);
	sub = xasprintf("%s/%s", data_dir(), kinds[kind].dir);
	add_dir(&names, &n, &cap, sub, kinds[kind].ext);
	free(sub);
	for (const char *const *b = data_builtin_names(kind); *b; b++)
		add_name(&names, &n, &cap, *b);
	qsort(names, n, sizeof(char *), by_name);
	return names;
}

void data_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}
