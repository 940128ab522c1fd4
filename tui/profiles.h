/*
 * profiles.h - the agents' profiles a session uses: every profile's
 * settings lines, and all of the agent's own profile (see
 * supervisor/profile.h for what a profile says).
 */
#ifndef BELAY_TUI_PROFILES_H
#define BELAY_TUI_PROFILES_H

#include "../supervisor/buf.h"

struct policy;

/*
 * Add the profiles' rules to p for the agent command argv: the profile
 * named by choice (a name or a file; NULL: the one whose "program" names
 * the command, else "generic").  workspace and home are $WORKSPACE and ~.
 * Errors in a profile go to errors; warnings (a variable that moves a
 * folder too far) to warnings.  Returns the chosen profile's label
 * ("profiles/codex.profile"; caller frees), or NULL when choice names none
 * (said in errors).
 */
char *profiles_apply(struct policy *p, char *const *argv, const char *choice, const char *workspace,
		     const char *home, struct buf *errors, struct buf *warnings);

/*
 * The same choice, and the variables the chosen profile passes to the agent
 * (its env lines), appended to *globs (NULL-terminated, each malloc'd).
 */
char *profiles_apply_env(struct policy *p, char *const *argv, const char *choice, const char *workspace,
			 const char *home, struct buf *errors, struct buf *warnings, char ***globs);

#endif
