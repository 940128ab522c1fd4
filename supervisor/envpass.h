/*
 * envpass.h - the environment the agent gets: an allow-list, not belay's
 * whole environment.  Agents run with their user's authority; the cloud
 * keys, tokens and agent sockets in a developer's environment are not the
 * agent's to read.
 *
 * A variable passes when a pass glob names it (the agent's own API
 * variables from its profile, and what the person adds with --pass-env);
 * else it is withheld when its name looks like a credential (AWS_*,
 * GOOGLE_*, AZURE_*, GITHUB_TOKEN, *_TOKEN, *_SECRET*, *_PASSWORD*,
 * *_API_KEY, SSH_AUTH_SOCK…) or its value is a URL with a password; else it passes when the allow-list knows it
 * (PATH, HOME, LANG, LC_*, TZ, the XDG folders, proxies, toolchains'
 * homes…); everything else is withheld.  Variables that describe the outer
 * terminal are dropped (TERM and COLORTERM are the front end's to set).
 */
#ifndef BELAY_ENVPASS_H
#define BELAY_ENVPASS_H

#include <stddef.h>

struct envpass {
	char **envp;     /* NAME=VALUE…, NULL-terminated; the strings are env's */
	char **withheld; /* the names withheld, sorted, NULL-terminated (owned) */
	size_t nwithheld;
};

/* Sort env (NULL-terminated NAME=VALUE) into what passes and what is withheld; pass: globs, NULL-terminated. */
void envpass_build(char *const *env, char *const *pass, struct envpass *out);
void envpass_release(struct envpass *ep);

#endif
