/*
 * profiles.c - choose the agent's profile and add the profiles' rules; see
 * profiles.h.
 */
#define _GNU_SOURCE
#include "profiles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../supervisor/profile.h"
#include "../supervisor/util.h"
#include "data.h"

static const char *from_environ(const char *name, void *data)
{
	(void)data;
	return getenv(name);
}

static struct profile *load(const char *spec, char **label, struct buf *errors)
{
	struct buf text = BUF_INIT;
	struct profile *pr = NULL;
	int e = data_find(DATA_PROFILE, spec, &text, label, errors);

	if (e == 0)
		pr = profile_parse(*label, text.data, text.len, errors);
	else if (e == -ENOENT)
		*label = NULL;
	buf_release(&text);
	return pr;
}

char *profiles_apply(struct policy *p, char *const *argv, const char *choice, const char *workspace,
		     const char *home, struct buf *errors, struct buf *warnings)
{
	return profiles_apply_env(p, argv, choice, workspace, home, errors, warnings, NULL);
}

char *profiles_apply_env(struct policy *p, char *const *argv, const char *choice, const char *workspace,
			 const char *home, struct buf *errors, struct buf *warnings, char ***globs)
{
	char **names = data_names(DATA_PROFILE), *agent = profile_command_name(argv), *mine_label = NULL;
	struct profile *mine = NULL, **all;
	char **labels;
	size_t n = 0;
	struct profile_place at = { agent, home, workspace, from_environ, NULL };

	while (names[n])
		n++;
	all = xcalloc(n + 1, sizeof(*all));
	labels = xcalloc(n + 1, sizeof(*labels));
	for (size_t i = 0; i < n; i++)
		all[i] = load(names[i], &labels[i], errors);
	if (choice) {
		mine = load(choice, &mine_label, errors);
		if (!mine && !mine_label) {
			struct buf list = BUF_INIT;

			for (size_t i = 0; i < n; i++)
				buf_addf(&list, " %s", names[i]);
			buf_addf(errors, "no profile named '%s' (there are:%s; or give a file)\n", choice, list.data);
			buf_release(&list);
		}
	} else {
		/* the agent's by its command name; a user's file before a built-in one (sorted: by name) */
		for (size_t i = 0; i < n && !mine; i++) {
			if (all[i] && strcmp(names[i], "generic") && profile_matches(all[i], agent)) {
				mine = all[i], mine_label = labels[i];
				all[i] = NULL, labels[i] = NULL;
			}
		}
		if (!mine)
			mine = load("generic", &mine_label, errors);
	}
	/* every profile's settings, whichever agent runs */
	for (size_t i = 0; i < n; i++)
		if (all[i] && (!mine_label || !labels[i] || strcmp(labels[i], mine_label)))
			profile_apply(all[i], p, 0, &at, warnings);
	if (mine)
		profile_apply(mine, p, 1, &at, warnings);
	if (mine && globs) {
		size_t have = 0, add = 0;
		char *const *env = profile_env(mine);

		while (*globs && (*globs)[have])
			have++;
		while (env[add])
			add++;
		*globs = xrealloc(*globs, (have + add + 1) * sizeof(char *));
		for (size_t i = 0; i < add; i++)
			(*globs)[have + i] = xstrdup(env[i]);
		(*globs)[have + add] = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		profile_free(all[i]);
		free(labels[i]);
	}
	free(all);
	free(labels);
	profile_free(mine);
	data_names_free(names);
	free(agent);
	if (!mine) {
		free(mine_label);
		return NULL;
	}
	return mine_label;
}
