/*
 * dirs.c - belay's own folders; see dirs.h and the XDG Base Directory
 * Specification (specifications.freedesktop.org/basedir-spec).
 */
#include "dirs.h"

#include <stdlib.h>
#include <unistd.h>

#include "util.h"

static const struct {
	const char *var;
	const char *under_home; /* NULL: no fallback under the home folder */
} dirs[DIR__COUNT] = {
	[DIR_STATE] = { "XDG_STATE_HOME", ".local/state" },
	[DIR_CONFIG] = { "XDG_CONFIG_HOME", ".config" },
	[DIR_RUNTIME] = { "XDG_RUNTIME_DIR", NULL },
};

char *dirs_get(enum belay_dir which)
{
	const char *x = getenv(dirs[which].var), *home = getenv("HOME");

	if (x && x[0] == '/')
		return xasprintf("%s/belay", x);
	if (!dirs[which].under_home)
		return xasprintf("/tmp/belay-%u", (unsigned)getuid());
	return xasprintf("%s/%s/belay", home && home[0] == '/' ? home : "", dirs[which].under_home);
}
