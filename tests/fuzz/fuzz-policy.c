/*
 * fuzz-policy.c - rules files (supervisor/policy.c, glob.c, conf.c) on any
 * bytes: parse, then judge a few calls, whose globs meet the fuzzed ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../supervisor/policy.h"
#include "../../supervisor/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void place(const char *dir, enum call_kind kind, void *data)
{
	(void)kind;
	*(size_t *)data += strlen(dir);
}

static void port(int n, void *data)
{
	*(size_t *)data += (size_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = policy_new("/w/s[p]ace", "/home/u");
	struct buf errors = BUF_INIT;
	char *argv[] = { "git", "push", "origin", "ma*in", NULL };
	struct call c = { .op = OP_EXEC, .path = "/usr/bin/git", .argv = argv, .argc = 4 };
	struct call f = { .op = OP_RENAME, .path = "/w/s[p]ace/a/b", .path2 = "/home/u/.cache/x" };
	struct call n = { .op = OP_CONNECT, .addr = { AF_INET6, "::1", 443 } };
	struct decision d;

	policy_load(p, "fuzz.rules", (const char *)data, size, &errors);
	for (int by = 0; by < 2; by++) {
		policy_decide(p, &c, by, &d);
		policy_decide(p, &f, by, &d);
		policy_decide(p, &n, by, &d);
	}
	if (size > 0)
		policy_is_launcher(p, "/usr/bin/node");
	{
		/* what the kernel boundary would be told, and the limits */
		size_t sum = 0;

		policy_each_place(p, place, &sum);
		policy_each_port(p, port, &sum);
		sum += (size_t)policy_limits(p)->processes;
		(void)sum;
	}
	policy_free(p);
	buf_release(&errors);
	return 0;
}
