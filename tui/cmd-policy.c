/*
 * cmd-policy.c - "belay policy": check a rules file, or ask it what it
 * would decide, so that users can test their rules before an agent does.
 *
 *   belay policy check [NAME|FILE]…       (a FILE.profile: an agent's profile)
 *   belay policy test [-C DIR] [--by agent|tool] [--agent NAME] [--profile NAME|FILE] [NAME|FILE] -- COMMAND [ARG…]
 *   belay policy test [-C DIR] [--by agent|tool] [NAME|FILE] write|delete PATH
 *   belay policy test [-C DIR] [--by agent|tool] [NAME|FILE] connect HOST [PORT]
 *   belay policy show [NAME|FILE]
 */
#define _GNU_SOURCE
#include "cmd-policy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../supervisor/call.h"
#include "../supervisor/decode.h"
#include "../supervisor/policy.h"
#include "../supervisor/profile.h"
#include "../supervisor/spawn.h"
#include "../supervisor/util.h"
#include "data.h"
#include "profiles.h"

#define POLICY_USAGE                                                                                          \
	"usage: belay policy check [NAME|FILE]…\n"                                                            \
	"       belay policy test [OPTIONS] [NAME|FILE] -- COMMAND [ARG…]\n"                                  \
	"       belay policy test [OPTIONS] [NAME|FILE] write|delete PATH\n"                                  \
	"       belay policy test [OPTIONS] [NAME|FILE] connect HOST [PORT]\n"                                \
	"       (OPTIONS: -C DIR, --by agent|tool, --agent NAME, --profile NAME|FILE)\n"                     \
	"       belay policy show [NAME|FILE]\n"

static NORETURN void policy_usage(const char *problem, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, problem, arg);
	fprintf(stderr, "\n%s", POLICY_USAGE);
	exit(2);
}

/* Load NAME|FILE into p; on any error print them all and exit 2. */
static void load_or_exit(struct policy *p, const char *spec)
{
	struct buf text = BUF_INIT, errors = BUF_INIT;
	char *label = NULL;
	int e = data_find(DATA_POLICY, spec, &text, &label, &errors);

	if (e == -ENOENT) {
		struct buf names = BUF_INIT;

		data_list_builtin(DATA_POLICY, &names);
		warn("no policy named '%s' (built in:%s; or give a file)", spec, names.data);
		exit(2);
	}
	if (e == 0)
		policy_load(p, label, text.data, text.len, &errors);
	if (errors.len) {
		fputs(errors.data, stderr);
		exit(2);
	}
	free(label);
	buf_release(&text);
	buf_release(&errors);
}

static char *workspace_of(const char *dir)
{
	char *ws = realpath(dir ? dir : ".", NULL);

	if (!ws) {
		warn("cannot use '%s' as the workspace: %s", dir ? dir : ".", strerror(errno));
		exit(2);
	}
	return ws;
}

static int cmd_check(int argc, char **argv)
{
	char *ws = workspace_of(NULL);
	int status = 0;

	char **all = NULL;

	if (argc == 0) {
		/* the default policy, and every profile there is */
		size_t n = 0;

		all = data_names(DATA_PROFILE);
		while (all[n])
			n++;
		argv = xcalloc(n + 2, sizeof(char *));
		argv[0] = xstrdup("default");
		for (size_t i = 0; i < n; i++)
			argv[i + 1] = xasprintf("profile:%s", all[i]);
		argc = (int)n + 1;
		data_names_free(all);
		all = argv;
	}
	for (int i = 0; i < argc; i++) {
		struct policy *p = policy_new(ws, getenv("HOME"));
		struct buf text = BUF_INIT, errors = BUF_INIT;
		char *label = NULL;
		size_t len = strlen(argv[i]);
		int profile = !strncmp(argv[i], "profile:", 8) || (len > 8 && !strcmp(argv[i] + len - 8, ".profile"));
		const char *spec = strncmp(argv[i], "profile:", 8) ? argv[i] : argv[i] + 8;
		int e = data_find(profile ? DATA_PROFILE : DATA_POLICY, spec, &text, &label, &errors);

		if (e == 0 && profile) {
			profile_free(profile_parse(label, text.data, text.len, &errors));
			if (errors.len) {
				fputs(errors.data, stderr);
				status = 2;
			} else {
				printf("%s: ok\n", label);
			}
		} else if (e == -ENOENT) {
			warn("no policy named '%s' (give a file, or one of default, strict, ci)", argv[i]);
			status = 2;
		} else {
			if (e == 0)
				policy_load(p, label, text.data, text.len, &errors);
			if (errors.len) {
				fputs(errors.data, stderr);
				status = 2;
			} else {
				printf("%s: ok\n", label);
			}
		}
		free(label);
		buf_release(&text);
		buf_release(&errors);
		policy_free(p);
	}
	for (size_t i = 0; all && all[i]; i++)
		free(all[i]);
	free(all);
	free(ws);
	return status;
}

static int cmd_show(int argc, char **argv)
{
	struct buf text = BUF_INIT, errors = BUF_INIT;
	char *label = NULL;
	int e = data_find(DATA_POLICY, argc ? argv[0] : "default", &text, &label, &errors);

	if (e < 0) {
		if (errors.len)
			fputs(errors.data, stderr);
		else
			warn("no policy named '%s'", argv[0]);
		return 2;
	}
	fwrite(text.data, 1, text.len, stdout);
	free(label);
	buf_release(&text);
	return 0;
}

/*
 * An absolute path as belay sees it during a session: its directory through
 * symbolic links, the last name too when follow is set (a socket's).
 */
static char *seen_path(char *path, int follow)
{
	char *slash = strrchr(path, '/'), *real, *result;

	if (follow && (real = realpath(path, NULL))) {
		free(path);
		return real;
	}
	if (!slash || slash == path)
		return path;
	*slash = '\0';
	real = realpath(path, NULL);
	*slash = '/';
	if (!real)
		return path;
	result = xasprintf("%s%s", strcmp(real, "/") ? real : "", slash);
	free(real);
	free(path);
	return result;
}

static int cmd_test(int argc, char **argv)
{
	const char *dir = NULL, *spec = "default", *profile = NULL, *agent = "agent";
	int by_agent = 0, i = 0;
	struct call c = { 0 };
	struct decision d;
	struct policy *p;
	char *ws, cwd[PATH_MAX];

	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--")) {
		if (!strcmp(argv[i], "-C") && i + 1 < argc) {
			dir = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
			profile = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--agent") && i + 1 < argc) {
			agent = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--by") && i + 1 < argc) {
			if (!strcmp(argv[i + 1], "agent"))
				by_agent = 1;
			else if (strcmp(argv[i + 1], "tool"))
				policy_usage("--by '%s' must be agent or tool", argv[i + 1]);
			i += 2;
		} else {
			policy_usage("unknown option '%s'", argv[i]);
		}
	}
	if (i < argc && strcmp(argv[i], "--") && strcmp(argv[i], "write") && strcmp(argv[i], "delete") &&
	    strcmp(argv[i], "connect"))
		spec = argv[i++];
	if (i >= argc)
		policy_usage("%s", "policy test: what to test is missing");
	ws = workspace_of(dir);
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	c.addr.port = -1;
	if (!strcmp(argv[i], "--")) {
		size_t n = (size_t)(argc - i - 1);

		if (!n)
			policy_usage("%s", "policy test: the command is missing after --");
		c.op = OP_EXEC;
		c.path = spawn_resolve(argv[i + 1]);
		if (!c.path)
			c.path = xstrdup(argv[i + 1]);
		c.argv = xcalloc(n + 1, sizeof(char *));
		for (size_t k = 0; k < n; k++)
			c.argv[k] = xstrdup(argv[i + 1 + (int)k]);
		c.argc = n;
	} else if (!strcmp(argv[i], "write") || !strcmp(argv[i], "delete")) {
		struct buf path = BUF_INIT;

		if (i + 2 != argc)
			policy_usage("policy test %s: one PATH", argv[i]);
		decode_path(cwd, argv[i + 1], &path);
		c.op = !strcmp(argv[i], "write") ? OP_CREATE : OP_UNLINK;
		c.path = seen_path(buf_detach(&path, NULL), 0);
	} else {
		long port = -1;

		if (i + 2 > argc || i + 3 < argc)
			policy_usage("%s", "policy test connect: HOST [PORT]");
		if (i + 3 == argc && !parse_int(argv[i + 2], 0, 65535, &port))
			policy_usage("port '%s' is not a number from 0 to 65535", argv[i + 2]);
		c.op = OP_CONNECT;
		c.addr.host = xstrdup(argv[i + 1]);
		c.addr.port = (int)port;
		c.addr.family = strchr(argv[i + 1], '/') ? AF_UNIX : strchr(argv[i + 1], ':') ? AF_INET6 : AF_INET;
		if (c.addr.family == AF_UNIX) {
			struct buf path = BUF_INIT;

			decode_path(cwd, c.addr.host, &path);
			free(c.addr.host);
			c.addr.host = seen_path(buf_detach(&path, NULL), 1);
		}
	}
	p = policy_new(ws, getenv("HOME"));
	load_or_exit(p, spec);
	{
		/* the agents' profiles, as a session of that agent has them */
		struct buf errors = BUF_INIT, warnings = BUF_INIT;
		char *agent_argv[] = { (char *)agent, NULL };
		char *label = profiles_apply(p, agent_argv, profile, ws, getenv("HOME"), &errors, &warnings);

		fputs(warnings.data, stderr);
		if (errors.len) {
			fputs(errors.data, stderr);
			exit(2);
		}
		free(label);
		buf_release(&errors);
		buf_release(&warnings);
	}
	policy_decide(p, &c, by_agent, &d);
	printf("%s\t%s", verdict_name(d.verdict), d.rule);
	if (d.text)
		printf("\t%s", d.text);
	putchar('\n');
	policy_free(p);
	call_release(&c);
	free(ws);
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2)
		policy_usage("%s", "policy: check, test or show?");
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "test"))
		return cmd_test(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 2, argv + 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(POLICY_USAGE, stdout);
		return 0;
	}
	policy_usage("unknown policy command '%s'", argv[1]);
}
