/*
 * policy.h - rules files: which actions run, which are held for a decision,
 * which are refused.  The format is in policies/default.rules and belay(1),
 * POLICY; in short, one rule a line:
 *
 *     VERDICT KIND [MATCHER VALUE]… [by agent|tool]
 *     default KIND VERDICT
 *     launcher PROGRAM
 *
 * VERDICT is allow, ask, freeze or deny; KIND is exec, write, delete or
 * connect.  freeze asks like ask, and freezes the agent's whole tree until
 * the answer.  When several rules match a call, the strictest wins (deny,
 * freeze, ask, allow); when none does, the kind's default.  A grant (a
 * person's "allow similar") answers the asks it covers, but never
 * overrides a freeze or a deny.  Every decision names the rule
 * that made it ("file:line").
 */
#ifndef BELAY_POLICY_H
#define BELAY_POLICY_H

#include <stddef.h>

#include "buf.h"
#include "call.h"

enum verdict {
	VERDICT_ALLOW,
	VERDICT_ASK,
	VERDICT_FREEZE, /* ask, with the agent's whole tree frozen until the answer */
	VERDICT_DENY,
};

struct decision {
	enum verdict verdict;
	const char *rule; /* "policies/default.rules:12", "default write", "grant 3"… */
	const char *text; /* the rule as written, or NULL for a default */
};

struct policy;

/*
 * An empty policy: exec allowed; write, delete and connect asked.  workspace
 * and home replace $WORKSPACE and ~ in the rules loaded after.
 */
struct policy *policy_new(const char *workspace, const char *home);
void policy_free(struct policy *p);

/* Add the rules of a file; errors as "file:line: …" lines.  Returns their number. */
int policy_load(struct policy *p, const char *file, const char *text, size_t len, struct buf *errors);

/* "sha256:…" of the files loaded, names and texts in order: which policy a recording ran under. */
void policy_digest(const struct policy *p, char out[2 * 32 + 8]);
/* The size the recordings folder is kept under ("record budget"; 1G when not set). */
unsigned long long policy_record_budget(const struct policy *p);

/*
 * Add one rule about paths, made from another file (an agent's profile):
 * "VERDICT KIND path PATTERN [by agent]", named origin ("file:line") and
 * shown as text.  PATTERN is a glob in which ~, $HOME and $WORKSPACE are
 * replaced as in a rules file.
 */
void policy_add_path_rule(struct policy *p, const char *origin, const char *text, enum verdict v, enum call_kind kind,
			  const char *pattern, int by_agent);

/* Judge a call; by_agent: made by the agent process itself, not a tool. */
void policy_decide(const struct policy *p, const struct call *c, int by_agent, struct decision *out);

/*
 * True if an "allow read path GLOB" rule lets the credential store at path
 * through (see hide.h); policy is a struct policy *, for hide_new().
 */
int policy_read_allowed(const char *path, void *policy);

/* True if exe (a path) is a launcher named by a "launcher" rule. */
int policy_is_launcher(const struct policy *p, const char *exe);

/*
 * "Allow similar": add a session rule scoped to calls like c (an exec's
 * command with its last argument as '*', a file's directory, a connection's
 * host and port).  Returns the grant's number; its text is written to
 * *text (owned by the policy).
 */
int policy_grant(struct policy *p, const struct call *c, const char **text);
/* The text of the rule policy_grant() would add for c, without adding it (caller frees). */
char *policy_grant_preview(const struct policy *p, const struct call *c);
/* Remove grant n; 0, or -1 if there is none. */
int policy_revoke(struct policy *p, int n);
/* Call cb for each grant still in force. */
void policy_each_grant(const struct policy *p, void (*cb)(int n, const char *text, void *data), void *data);

/* The "checkpoint" lines: skip and keep patterns (NULL-terminated, or NULL), and the size limit (0: default). */
/* "checkpoint budget": bytes of ignored files kept per session before a destroying call asks (0: default). */
unsigned long long policy_keep_budget(const struct policy *p);
/* "limit" lines: what the agent's whole tree may use (0: no limit). */
struct policy_limits {
	long processes;            /* at once */
	unsigned long long memory; /* bytes */
	long cpu;                  /* seconds of CPU time */
	long files;                /* open at once, a process */
};
const struct policy_limits *policy_limits(const struct policy *p);
/* "checkpoint history N [DAYS]": sessions kept (0: the default), days + 1 (0: the default). */
void policy_history(const struct policy *p, unsigned *sessions, unsigned *days);
void policy_checkpoint_settings(const struct policy *p, char *const **skip, char *const **keep,
				unsigned long long *max_size);

const char *verdict_name(enum verdict v);

/*
 * What the kernel boundary can hold for the policy (sandbox.c): each
 * folder an allow rule opens whole ("allow write path DIR/…") for kind,
 * unless a question or refusal could match a name inside it; each TCP port
 * an allow rule names (a small range: each of its ports).
 */
void policy_each_place(const struct policy *p, void (*cb)(const char *dir, enum call_kind kind, void *data),
		       void *data);
void policy_each_port(const struct policy *p, void (*cb)(int port, void *data), void *data);

#endif
