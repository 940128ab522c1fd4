/*
 * fuzz-profile.c - agents' profiles (supervisor/profile.c) on any bytes:
 * parse, apply as the agent's and as another's with variables set, then
 * judge a few calls against the rules made; and the command-name reader
 * on the same bytes cut into words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/policy.h"
#include "../../supervisor/profile.h"
#include "../../supervisor/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *env(const char *name, void *data)
{
	(void)data;
	if (!strcmp(name, "CODEX_HOME"))
		return "/srv/codex*home";
	if (!strcmp(name, "XDG_STATE_HOME"))
		return "/home/u";
	return name[0] == 'A' ? "relative" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = policy_new("/w/s[p]ace", "/home/u");
	struct buf errors = BUF_INIT, warnings = BUF_INIT;
	struct profile_place at = { "ag*ent", "/home/u", "/w/s[p]ace", env, NULL };
	struct profile *pr = profile_parse("fuzz.profile", (const char *)data, size, &errors);
	struct call f = { .op = OP_RENAME, .path = "/w/s[p]ace/a/b", .path2 = "/home/u/.codex/x" };
	struct decision d;
	char *words[9] = { 0 }, *copy = malloc(size + 1), *name;
	size_t nw = 0;

	profile_apply(pr, p, 0, &at, &warnings);
	profile_apply(pr, p, 1, &at, &warnings);
	profile_matches(pr, "codex");
	for (int by = 0; by < 2; by++)
		policy_decide(p, &f, by, &d);
	/* the bytes as a command line */
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *w = strtok(copy, " \n"); w && nw < 8; w = strtok(NULL, " \n"))
		words[nw++] = w;
	name = profile_command_name(nw ? words : NULL);
	free(name);
	free(copy);
	profile_free(pr);
	policy_free(p);
	buf_release(&errors);
	buf_release(&warnings);
	return 0;
}
