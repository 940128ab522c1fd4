/*
 * profile.h - what belay knows of an agent: the programs that are it, the
 * folders where it keeps its own state (and the environment variables that
 * move them), what the programs it runs write there for it, the files in
 * which it keeps what it may do without asking, and what it tries that is
 * refused without a question.  Profiles are data files (profiles/NAME.profile,
 * and the user's own); the format is in profiles/generic.profile and
 * belay(1), PROFILES.  One statement a line:
 *
 *     program GLOB…           the agent's command names (claude, codex)
 *     env GLOB…               its own variables (API keys), passed to it
 *     state DIR [MOVED]       the agent process writes and deletes in DIR
 *     state-file GLOB [MOVED] … and these files (or this one folder)
 *     helper GLOB [MOVED]     the programs it runs may write these too
 *     settings GLOB [MOVED]   its approval settings: changing them asks
 *     refuse GLOB             the agent's writes there fail without asking
 *
 * MOVED is where the same thing is when an environment variable moves it
 * ("$CODEX_HOME", "$GEMINI_CLI_HOME/.gemini"): used instead of the first
 * when every variable in it is set.  A path may use ~, $HOME, $WORKSPACE
 * and $AGENT (the agent's command name).
 *
 * The agent's own state is its own; its approval settings are not: the
 * settings lines of every profile apply whichever agent runs, so that one
 * agent cannot widen another's permissions either.
 */
#ifndef BELAY_PROFILE_H
#define BELAY_PROFILE_H

#include <stddef.h>

#include "buf.h"

struct policy;
struct profile;

/* Parse a profile file named file; errors as "file:line: …" lines. */
struct profile *profile_parse(const char *file, const char *text, size_t len, struct buf *errors);
void profile_free(struct profile *pr);

/* True if the command name (a base name: "codex") is this agent's. */
int profile_matches(const struct profile *pr, const char *command);

/*
 * The command name that chooses a profile for argv: its program's base
 * name, or for an interpreter or launcher (node, python3, npx, bun, env…)
 * the script or package it runs ("node …/bin/codex.js" is codex,
 * "python3 -m aider" is aider).  Caller frees.
 */
char *profile_command_name(char *const *argv);

/* Where a variable's value comes from (getenv, or a test's table). */
typedef const char *(*profile_env_fn)(const char *name, void *data);

/*
 * Add this profile's rules to the policy, each named by its line
 * ("profiles/codex.profile:7"): everything when it is the agent's profile
 * (mine), only the settings lines otherwise.  A moved folder that would hand the agent too much (/, a folder
 * that holds the home folder, a system folder, a relative path) is not
 * used: a warning line goes to warnings and the writes there ask.
 */
struct profile_place {
	const char *agent;     /* $AGENT */
	const char *home;      /* ~ and $HOME */
	const char *workspace; /* $WORKSPACE */
	profile_env_fn env;
	void *env_data;
};
void profile_apply(const struct profile *pr, struct policy *p, int mine, const struct profile_place *at,
		   struct buf *warnings);

/* The variables the agent gets whatever they look like (its API keys): globs, NULL-terminated. */
char *const *profile_env(const struct profile *pr);

/* The profile's name: its file's base name without ".profile". */
const char *profile_name(const struct profile *pr);

#endif
