/*
 * policy.c - rules files and decisions; see policy.h and policies/default.rules.
 *
 * Rules are kept in file order; a decision looks at all of them (tens of
 * rules, a few matchers each), so no index is needed.  Values are expanded
 * when the file is loaded ($WORKSPACE, $HOME, a leading ~), with the glob
 * characters of the expansion escaped so that a workspace named "a[1]" is
 * matched as written.
 */
#define _GNU_SOURCE
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "glob.h"
#include "progid.h"
#include "digest.h"
#include "util.h"

/* M_WORDS is for grants only: one glob a word of the command, as many words */
enum mtype { M_PROGRAM, M_COMMAND, M_ARG, M_PATH, M_HOST, M_PORT, M_FAMILY, M_WORDS };

#define K(k) (1u << (k))

static const struct {
	const char *name;
	enum mtype type;
	unsigned kinds;
} matcher_names[] = {
	{ "program", M_PROGRAM, K(KIND_EXEC) },
	{ "command", M_COMMAND, K(KIND_EXEC) },
	{ "arg", M_ARG, K(KIND_EXEC) },
	{ "path", M_PATH, K(KIND_WRITE) | K(KIND_DELETE) },
	{ "host", M_HOST, K(KIND_CONNECT) },
	{ "port", M_PORT, K(KIND_CONNECT) },
	{ "family", M_FAMILY, K(KIND_CONNECT) },
};

static const char *const verdict_names[] = { "allow", "ask", "freeze", "deny" };

enum by { BY_ANY, BY_AGENT, BY_TOOL };

struct matcher {
	enum mtype type;
	char *glob;
	int lo, hi, family;
	char **words; /* M_WORDS */
	size_t nwords;
	size_t lit;   /* M_PATH: how much of glob any match begins with (0: none known) */
};

struct rule {
	enum verdict verdict;
	enum call_kind kind;
	enum by by;
	struct matcher *m;
	size_t nm;
	char *origin; /* "file:line" or "grant N" */
	char *text;   /* as written */
	int grant;    /* 0, or the grant's number */
	int revoked;
};

struct policy {
	char *workspace, *home;
	struct rule *rules;
	size_t n, cap;
	enum verdict defaults[KIND__COUNT];
	char *default_origin[KIND__COUNT];
	char **launchers;
	size_t nlaunchers, launchers_cap;
	int grants;
	/* "checkpoint" lines: NULL-terminated lists */
	char **cp_skip, **cp_keep;
	size_t ncp_skip, ncp_keep;
	unsigned long long cp_max_size;
	unsigned long long cp_budget;
	unsigned long long record_budget; /* "record budget": the recordings folder's size; 0: the default */
	unsigned char digest[DIGEST_LEN]; /* of every file loaded, in order (policy_digest) */
	int digested;
	unsigned cp_history, cp_history_days; /* days + 1; 0: not set */
	struct progid *progs; /* the programs named, known by content too */
	struct policy_limits limits;
	char **read_ok;       /* "allow read path GLOB": credential stores let through */
	size_t nread_ok, read_ok_cap;
};

/* ---- what the kernel can be told (sandbox.c) ---- */

/* The folder a rule opens whole ("allow write path DIR/…", DIR written out), or 0. */
static size_t whole_folder(const struct rule *r)
{
	const char *g;
	size_t n;

	if (r->verdict != VERDICT_ALLOW || r->grant || r->revoked || r->nm != 1 || r->m[0].type != M_PATH ||
	    !r->m[0].glob)
		return 0;
	g = r->m[0].glob;
	n = strlen(g);
	if (n < 5 || g[0] != '/' || strcmp(g + n - 3, "/**") || strcspn(g, "*?[\\") != n - 2)
		return 0;
	return n - 3;
}

/* Some ask or deny rule about kind may match a name below dir (dlen bytes of glob text). */
static int asked_below(const struct policy *p, enum call_kind kind, const char *dir, size_t dlen)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct rule *r = &p->rules[i];
		int any_path = 0;

		if (r->verdict == VERDICT_ALLOW || r->kind != kind || r->revoked)
			continue;
		for (size_t k = 0; k < r->nm; k++) {
			const struct matcher *m = &r->m[k];

			if (m->type != M_PATH)
				continue;
			any_path = 1;
			/* the rule's names begin with m->lit bytes of its glob */
			if (!m->lit || (m->lit >= dlen && !strncmp(m->glob, dir, dlen) &&
					(m->lit == dlen || m->glob[dlen] == '/')) ||
			    (m->lit < dlen && !strncmp(m->glob, dir, m->lit)))
				return 1;
		}
		if (!any_path)
			return 1;
	}
	return 0;
}

void policy_each_place(const struct policy *p, void (*cb)(const char *dir, enum call_kind kind, void *data),
		       void *data)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct rule *r = &p->rules[i];
		size_t n = whole_folder(r);
		char *dir;

		if (!n || (r->kind != KIND_WRITE && r->kind != KIND_DELETE))
			continue;
		/* a question or a refusal inside it is the policy's to keep:
		 * the folder stays closed, and belay does what is allowed there */
		if (asked_below(p, KIND_WRITE, r->m[0].glob, n) || asked_below(p, KIND_DELETE, r->m[0].glob, n))
			continue;
		dir = xstrndup(r->m[0].glob, n);
		cb(dir, r->kind, data);
		free(dir);
	}
}

void policy_each_port(const struct policy *p, void (*cb)(int port, void *data), void *data)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct rule *r = &p->rules[i];

		if (r->verdict != VERDICT_ALLOW || r->kind != KIND_CONNECT || r->grant || r->revoked)
			continue;
		for (size_t k = 0; k < r->nm; k++) {
			const struct matcher *m = &r->m[k];

			/* a range is opened when it is small; a wide one is left to belay */
			if (m->type == M_PORT && m->hi - m->lo < 64)
				for (int port = m->lo; port <= m->hi; port++)
					cb(port, data);
		}
	}
}

const char *verdict_name(enum verdict v)
{
	return verdict_names[v];
}

struct policy *policy_new(const char *workspace, const char *home)
{
	struct policy *p = xcalloc(1, sizeof(*p));
	static const char *const kinds[KIND__COUNT] = { "default exec", "default write", "default delete",
							"default connect" };

	p->workspace = xstrdup(workspace ? workspace : "/");
	p->home = xstrdup(home ? home : "/");
	p->defaults[KIND_EXEC] = VERDICT_ALLOW;
	p->defaults[KIND_WRITE] = VERDICT_ASK;
	p->defaults[KIND_DELETE] = VERDICT_ASK;
	p->defaults[KIND_CONNECT] = VERDICT_ASK;
	for (int k = 0; k < KIND__COUNT; k++)
		p->default_origin[k] = xstrdup(kinds[k]);
	p->progs = progid_new();
	return p;
}

static void rule_release(struct rule *r)
{
	for (size_t i = 0; i < r->nm; i++) {
		free(r->m[i].glob);
		for (size_t w = 0; w < r->m[i].nwords; w++)
			free(r->m[i].words[w]);
		free(r->m[i].words);
	}
	free(r->m);
	free(r->origin);
	free(r->text);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	progid_free(p->progs);
	for (size_t i = 0; i < p->nread_ok; i++)
		free(p->read_ok[i]);
	free(p->read_ok);
	for (int k = 0; k < KIND__COUNT; k++)
		free(p->default_origin[k]);
	for (size_t i = 0; i < p->nlaunchers; i++)
		free(p->launchers[i]);
	free(p->launchers);
	for (size_t i = 0; i < p->ncp_skip; i++)
		free(p->cp_skip[i]);
	for (size_t i = 0; i < p->ncp_keep; i++)
		free(p->cp_keep[i]);
	free(p->cp_skip);
	free(p->cp_keep);
	free(p->workspace);
	free(p->home);
	free(p);
}

/* $WORKSPACE, $HOME and a leading ~ replaced (escaped for globs). */
static char *expand(const struct policy *p, const char *v)
{
	struct buf b = BUF_INIT;

	if (v[0] == '~' && (v[1] == '/' || !v[1])) {
		glob_escape(&b, p->home);
		v++;
	}
	while (*v) {
		if (!strncmp(v, "$WORKSPACE", 10)) {
			glob_escape(&b, p->workspace);
			v += 10;
		} else if (!strncmp(v, "$HOME", 5)) {
			glob_escape(&b, p->home);
			v += 5;
		} else {
			buf_addch(&b, *v++);
		}
	}
	return buf_detach(&b, NULL);
}

static int parse_verdict(const char *s, enum verdict *v)
{
	for (int i = 0; i < (int)ARRAY_SIZE(verdict_names); i++) {
		if (!strcmp(s, verdict_names[i])) {
			*v = (enum verdict)i;
			return 0;
		}
	}
	return -1;
}

static int parse_kind(struct conf_line *l, const char *s, enum call_kind *k)
{
	for (int i = 0; i < KIND__COUNT; i++) {
		if (!strcmp(s, call_kind_name((enum call_kind)i))) {
			*k = (enum call_kind)i;
			return 0;
		}
	}
	conf_error(l, "unknown kind '%s' (exec, write, delete, connect; and 'allow read path')", s);
	return -1;
}

static int parse_matcher(struct policy *p, struct conf_line *l, enum call_kind kind, const char *name,
			 const char *value, struct matcher *m)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(matcher_names); i++)
		if (!strcmp(name, matcher_names[i].name))
			break;
	if (i == ARRAY_SIZE(matcher_names)) {
		conf_error(l, "unknown matcher '%s' (program, command, arg, path, host, port, family)", name);
		return -1;
	}
	if (!(matcher_names[i].kinds & K(kind))) {
		conf_error(l, "'%s' does not apply to %s rules", name, call_kind_name(kind));
		return -1;
	}
	if (!value) {
		conf_error(l, "'%s' needs a value", name);
		return -1;
	}
	memset(m, 0, sizeof(*m));
	m->type = matcher_names[i].type;
	switch (m->type) {
	case M_PORT: {
		long lo, hi;
		char *dash = strchr(value, '-');

		if (dash) {
			char *first = xstrndup(value, (size_t)(dash - value));
			int ok = parse_int(first, 0, 65535, &lo) && parse_int(dash + 1, 0, 65535, &hi) && lo <= hi;

			free(first);
			if (!ok) {
				conf_error(l, "port range '%s' must look like 8000-8999", value);
				return -1;
			}
		} else if (!parse_int(value, 0, 65535, &lo)) {
			conf_error(l, "port '%s' is not a number from 0 to 65535", value);
			return -1;
		} else {
			hi = lo;
		}
		m->lo = (int)lo, m->hi = (int)hi;
		return 0;
	}
	case M_FAMILY:
		if (!strcmp(value, "inet"))
			m->family = AF_INET;
		else if (!strcmp(value, "inet6"))
			m->family = AF_INET6;
		else if (!strcmp(value, "unix"))
			m->family = AF_UNIX;
		else {
			conf_error(l, "family '%s' must be inet, inet6 or unix", value);
			return -1;
		}
		return 0;
	default:
		m->glob = expand(p, value);
		return 0;
	}
}

/* The literal start of a path glob that every path it matches begins with. */
static size_t literal_start(const char *glob)
{
	size_t n = strcspn(glob, "*?[\\");

	/* a glob ending in a slash and two stars also matches the folder itself */
	if (n && glob[n - 1] == '/')
		n--;
	return n;
}

static void add_rule(struct policy *p, struct rule *r)
{
	for (size_t i = 0; i < r->nm; i++)
		if (r->m[i].type == M_PATH && r->m[i].glob)
			r->m[i].lit = literal_start(r->m[i].glob);
	p->rules = xgrow(p->rules, &p->cap, p->n + 1, sizeof(*p->rules));
	for (size_t i = 0; i < r->nm; i++)
		if (r->m[i].type == M_PROGRAM)
			progid_know(p->progs, r->m[i].glob);
	p->rules[p->n++] = *r;
}

static void add_pattern(char ***v, size_t *n, const char *pat)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(pat);
	(*v)[*n] = NULL;
}

/*
 * checkpoint skip PATTERN…   never checkpointed (gitignore patterns)
 * checkpoint keep GLOB…      checkpointed even when .gitignore ignores them
 * checkpoint max-size SIZE   larger files are not checkpointed (50M)
 * checkpoint budget SIZE     files no checkpoint holds kept per session (2G)
 * checkpoint history N [DAYS]  sessions kept: the newest N, and all of the last DAYS days (20 14;
 *                              0 days: only the newest N)
 */
/* "512K", "50M", "2G", "4096": bytes, more than 0.  0, or -1. */
static int parse_size(const char *text, unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (end && (*end == 'k' || *end == 'K'))
		v <<= 10, end++;
	else if (end && (*end == 'm' || *end == 'M'))
		v <<= 20, end++;
	else if (end && (*end == 'g' || *end == 'G'))
		v <<= 30, end++;
	if (errno || !end || *end || end == text || !v || text[0] == '-' || v > (1ULL << 50))
		return -1;
	*out = v;
	return 0;
}

/* limit processes N | memory SIZE | cpu SECONDS[m|h] | files N */
static void parse_limit(struct policy *p, struct conf_line *l)
{
	const char *what = l->argc > 1 ? l->argv[1] : "", *v = l->argc > 2 ? l->argv[2] : "";
	long n;

	if (l->argc != 3) {
		conf_error(l, "usage: limit processes N | memory SIZE | cpu SECONDS | files N");
		return;
	}
	if (!strcmp(what, "processes") || !strcmp(what, "files")) {
		if (!parse_int(v, 1, 1 << 22, &n)) {
			conf_error(l, "limit %s: '%s' must be a number from 1", what, v);
			return;
		}
		if (*what == 'p')
			p->limits.processes = n;
		else
			p->limits.files = n;
	} else if (!strcmp(what, "memory")) {
		if (parse_size(v, &p->limits.memory) < 0 || p->limits.memory < (1ULL << 20)) {
			p->limits.memory = 0;
			conf_error(l, "limit memory: '%s' must be a size from 1M, such as 512M or 4G", v);
		}
	} else if (!strcmp(what, "cpu")) {
		char *num = xstrdup(v);
		size_t len = strlen(num);
		long mult = 1;

		if (len && (num[len - 1] == 'm' || num[len - 1] == 'h' || num[len - 1] == 's')) {
			mult = num[len - 1] == 'm' ? 60 : num[len - 1] == 'h' ? 3600 : 1;
			num[len - 1] = '\0';
		}
		if (!parse_int(num, 1, 10000000, &n))
			conf_error(l, "limit cpu: '%s' must be a time such as 600, 30m or 2h", v);
		else
			p->limits.cpu = n * mult;
		free(num);
	} else {
		conf_error(l, "unknown limit '%s' (processes, memory, cpu or files)", what);
	}
}

const struct policy_limits *policy_limits(const struct policy *p)
{
	static const struct policy_limits none;

	return p ? &p->limits : &none;
}

static void parse_checkpoint(struct policy *p, struct conf_line *l)
{
	const char *what = l->argc > 1 ? l->argv[1] : "";

	if (!strcmp(what, "skip") || !strcmp(what, "keep")) {
		if (l->argc < 3) {
			conf_error(l, "usage: checkpoint %s PATTERN…", what);
			return;
		}
		for (int i = 2; i < l->argc; i++) {
			if (strlen(l->argv[i]) > 4096) {
				conf_error(l, "pattern too long (%zu bytes; at most 4096)", strlen(l->argv[i]));
				return;
			}
			if (!strcmp(what, "skip"))
				add_pattern(&p->cp_skip, &p->ncp_skip, l->argv[i]);
			else
				add_pattern(&p->cp_keep, &p->ncp_keep, l->argv[i]);
		}
		return;
	}
	if (!strcmp(what, "max-size") || !strcmp(what, "budget")) {
		unsigned long long v;

		if (l->argc != 3) {
			conf_error(l, "usage: checkpoint %s SIZE (such as %s)", what, *what == 'b' ? "2G" : "50M");
			return;
		}
		if (parse_size(l->argv[2], &v) < 0) {
			conf_error(l, "checkpoint %s '%s' must be a size such as 512K, 50M or 1G", what, l->argv[2]);
			return;
		}
		if (*what == 'b')
			p->cp_budget = v;
		else
			p->cp_max_size = v;
		return;
	}
	if (!strcmp(what, "history")) {
		long n, days = 0;

		if (l->argc < 3 || l->argc > 4) {
			conf_error(l, "usage: checkpoint history SESSIONS [DAYS] (such as 20 14)");
			return;
		}
		if (!parse_int(l->argv[2], 1, 100000, &n)) {
			conf_error(l, "checkpoint history: '%s' must be a number of sessions from 1", l->argv[2]);
			return;
		}
		if (l->argc == 4 && !parse_int(l->argv[3], 0, 100000, &days)) {
			conf_error(l, "checkpoint history: '%s' must be a number of days from 0", l->argv[3]);
			return;
		}
		p->cp_history = (unsigned)n;
		if (l->argc == 4)
			p->cp_history_days = (unsigned)days + 1;
		return;
	}
	conf_error(l, "unknown checkpoint setting '%s' (skip, keep, max-size, budget or history)", what);
}

void policy_checkpoint_settings(const struct policy *p, char *const **skip, char *const **keep,
				unsigned long long *max_size)
{
	*skip = p ? p->cp_skip : NULL;
	*keep = p ? p->cp_keep : NULL;
	*max_size = p ? p->cp_max_size : 0;
}

unsigned long long policy_keep_budget(const struct policy *p)
{
	return p ? p->cp_budget : 0;
}

void policy_history(const struct policy *p, unsigned *sessions, unsigned *days)
{
	*sessions = p ? p->cp_history : 0;
	*days = p ? p->cp_history_days : 0;
}

static void policy_line(struct conf_line *l, void *data)
{
	struct policy *p = data;
	struct rule r = { 0 };
	const char *cmd = l->argv[0];
	int i;

	if (!strcmp(cmd, "default")) {
		enum call_kind k;
		enum verdict v;

		if (l->argc != 3) {
			conf_error(l, "usage: default KIND VERDICT");
			return;
		}
		if (parse_kind(l, l->argv[1], &k) < 0)
			return;
		if (parse_verdict(l->argv[2], &v) < 0) {
			conf_error(l, "unknown verdict '%s' (allow, ask, freeze or deny)", l->argv[2]);
			return;
		}
		p->defaults[k] = v;
		free(p->default_origin[k]);
		p->default_origin[k] = xasprintf("%s:%u", l->file, l->lineno);
		return;
	}
	if (!strcmp(cmd, "launcher")) {
		if (l->argc < 2) {
			conf_error(l, "usage: launcher PROGRAM…");
			return;
		}
		for (i = 1; i < l->argc; i++) {
			p->launchers = xgrow(p->launchers, &p->launchers_cap, p->nlaunchers + 1, sizeof(char *));
			p->launchers[p->nlaunchers++] = xstrdup(l->argv[i]);
		}
		return;
	}
	if (!strcmp(cmd, "checkpoint")) {
		parse_checkpoint(p, l);
		return;
	}
	if (!strcmp(cmd, "record")) {
		unsigned long long v;

		if (l->argc != 3 || strcmp(l->argv[1], "budget")) {
			conf_error(l, "usage: record budget SIZE (such as 1G)");
			return;
		}
		if (parse_size(l->argv[2], &v) < 0) {
			conf_error(l, "record budget '%s' must be a size such as 500M or 2G", l->argv[2]);
			return;
		}
		p->record_budget = v;
		return;
	}
	if (!strcmp(cmd, "limit")) {
		parse_limit(p, l);
		return;
	}
	if (parse_verdict(cmd, &r.verdict) < 0) {
		conf_error(l, "unknown verdict or command '%s' (allow, ask, freeze, deny, default, launcher, checkpoint, record or limit)",
			   cmd);
		return;
	}
	if (l->argc < 2) {
		conf_error(l, "usage: %s KIND [MATCHER VALUE]… [by agent|tool]", cmd);
		return;
	}
	if (!strcmp(l->argv[1], "read")) {
		/* reads are not judged one by one: the credential stores are
		 * hidden from the agent, and a rule lets a store through */
		if (r.verdict != VERDICT_ALLOW || l->argc != 4 || strcmp(l->argv[2], "path")) {
			conf_error(l, "reads: only 'allow read path GLOB' (it lets a hidden credential store through)");
			return;
		}
		p->read_ok = xgrow(p->read_ok, &p->read_ok_cap, p->nread_ok + 1, sizeof(char *));
		p->read_ok[p->nread_ok++] = expand(p, l->argv[3]);
		return;
	}
	if (parse_kind(l, l->argv[1], &r.kind) < 0)
		return;
	for (i = 2; i < l->argc; i += 2) {
		const char *name = l->argv[i], *value = i + 1 < l->argc ? l->argv[i + 1] : NULL;

		if (!strcmp(name, "by")) {
			if (value && !strcmp(value, "agent"))
				r.by = BY_AGENT;
			else if (value && (!strcmp(value, "tool") || !strcmp(value, "tools")))
				r.by = BY_TOOL;
			else {
				conf_error(l, "'by' must be followed by agent or tool");
				goto fail;
			}
			continue;
		}
		r.m = xrealloc(r.m, (r.nm + 1) * sizeof(*r.m));
		if (parse_matcher(p, l, r.kind, name, value, &r.m[r.nm]) < 0)
			goto fail;
		r.nm++;
	}
	r.origin = xasprintf("%s:%u", l->file, l->lineno);
	r.text = conf_line_text(l);
	add_rule(p, &r);
	return;
fail:
	rule_release(&r);
}

void policy_add_path_rule(struct policy *p, const char *origin, const char *text, enum verdict v, enum call_kind kind,
			  const char *pattern, int by_agent)
{
	struct rule r = { .verdict = v, .kind = kind, .by = by_agent ? BY_AGENT : BY_ANY };

	r.m = xcalloc(1, sizeof(*r.m));
	r.m[0].type = M_PATH;
	r.m[0].glob = expand(p, pattern);
	r.nm = 1;
	r.origin = xstrdup(origin);
	r.text = xstrdup(text);
	add_rule(p, &r);
}

int policy_load(struct policy *p, const char *file, const char *text, size_t len, struct buf *errors)
{
	/* the fingerprint: the one before, then this file's name and text */
	const void *parts[] = { p->digest, file, "", text };
	size_t lens[] = { p->digested ? DIGEST_LEN : 0, strlen(file), 1, len };

	digest_sha256(parts, lens, 4, p->digest);
	p->digested = 1;
	return conf_parse(file, text, len, policy_line, p, errors);
}

void policy_digest(const struct policy *p, char out[2 * DIGEST_LEN + 8])
{
	strcpy(out, "sha256:");
	digest_hex(p->digest, DIGEST_LEN, out + 7);
}

unsigned long long policy_record_budget(const struct policy *p)
{
	return p && p->record_budget ? p->record_budget : 1ULL << 30;
}

/*
 * A glob too complex to finish counts as matching for ask and deny rules
 * and as not matching for allow rules: the careful answer either way.
 */
static int glob_ok(const char *pattern, const char *text, enum glob_mode mode, enum verdict v)
{
	int r = glob_match(pattern, text, mode);

	return r == GLOB_TOO_COMPLEX ? v != VERDICT_ALLOW : r;
}

/* What is known of a call's program, looked up once per decision (it costs a stat). */
struct known_program {
	struct progid *progs;
	int looked;
	const char *name; /* the named program its content is, or NULL */
};

static int matcher_ok(const struct matcher *m, const struct call *c, const char *path, enum verdict v,
		      struct known_program *kp)
{
	switch (m->type) {
	case M_PROGRAM: {
		if (strchr(m->glob, '/'))
			return c->path && glob_ok(m->glob, c->path, GLOB_PATH, v);
		if (glob_ok(m->glob, path_base(c->path), GLOB_TEXT, v) ||
		    (c->argc && glob_ok(m->glob, path_base(c->argv[0]), GLOB_TEXT, v)))
			return 1;
		/* a copy, a hard link or a renamed file of a program named: that program */
		if (!kp->looked) {
			kp->name = progid_of(kp->progs, c->path);
			kp->looked = 1;
		}
		return kp->name && glob_ok(m->glob, kp->name, GLOB_TEXT, v);
	}
	case M_COMMAND: {
		char *cmd = call_cmdline(c);
		int ok = glob_ok(m->glob, cmd, GLOB_TEXT, v);

		free(cmd);
		return ok;
	}
	case M_ARG:
		for (size_t i = 1; i < c->argc; i++)
			if (glob_ok(m->glob, c->argv[i], GLOB_TEXT, v))
				return 1;
		return 0;
	case M_PATH:
		/* most rules are about other places: their literal start says so */
		if (!path || (m->lit && strncmp(path, m->glob, m->lit)))
			return 0;
		return glob_ok(m->glob, path, GLOB_PATH, v);
	case M_HOST:
		return c->addr.host && glob_ok(m->glob, c->addr.host, GLOB_TEXT, v);
	case M_PORT:
		return c->addr.port >= m->lo && c->addr.port <= m->hi;
	case M_FAMILY:
		return c->addr.family == m->family;
	case M_WORDS:
		if (c->argc != m->nwords)
			return 0;
		for (size_t i = 0; i < c->argc; i++)
			if (!glob_ok(m->words[i], c->argv[i], GLOB_TEXT, v))
				return 0;
		return 1;
	}
	return 0;
}

/* The strictest rule for (kind, path), or the default. */
static void decide_one(const struct policy *p, const struct call *c, enum call_kind kind, const char *path,
		       int by_agent, struct known_program *kp, struct decision *out)
{
	const struct rule *best = NULL, *grant = NULL;

	for (size_t i = 0; i < p->n; i++) {
		const struct rule *r = &p->rules[i];
		size_t k;

		if (r->revoked || r->kind != kind || (r->by == BY_AGENT && !by_agent) || (r->by == BY_TOOL && by_agent))
			continue;
		for (k = 0; k < r->nm && matcher_ok(&r->m[k], c, path, r->verdict, kp); k++)
			;
		if (k < r->nm)
			continue;
		if (r->grant && !grant)
			grant = r;
		else if (!r->grant && (!best || r->verdict > best->verdict))
			best = r;
	}
	/* a person's "allow similar" answers the asks it covers, not a freeze or a deny (a rule's or the default's) */
	if (grant && (best ? best->verdict : p->defaults[kind]) < VERDICT_FREEZE)
		best = grant;
	if (best) {
		out->verdict = best->verdict;
		out->rule = best->origin;
		out->text = best->text;
	} else {
		out->verdict = p->defaults[kind];
		out->rule = p->default_origin[kind];
		out->text = NULL;
	}
}

void policy_decide(const struct policy *p, const struct call *c, int by_agent, struct decision *out)
{
	struct call_effect parts[2];
	struct known_program kp = { p->progs, 0, NULL };
	size_t n;

	if (c->unreadable) {
		/* the fixed rule: a call that cannot be seen is not let through */
		out->verdict = VERDICT_ASK;
		out->rule = "(arguments unreadable)";
		out->text = NULL;
		return;
	}
	n = call_effects(c, parts);
	decide_one(p, c, parts[0].kind, parts[0].path, by_agent, &kp, out);
	for (size_t i = 1; i < n; i++) {
		struct decision d;

		decide_one(p, c, parts[i].kind, parts[i].path, by_agent, &kp, &d);
		if (d.verdict > out->verdict)
			*out = d;
	}
}

int policy_read_allowed(const char *path, void *policy)
{
	const struct policy *p = policy;

	for (size_t i = 0; p && i < p->nread_ok; i++)
		if (glob_match(p->read_ok[i], path, GLOB_PATH) == 1)
			return 1;
	return 0;
}

int policy_is_launcher(const struct policy *p, const char *exe)
{
	for (size_t i = 0; i < p->nlaunchers; i++)
		if (glob_match(p->launchers[i], strchr(p->launchers[i], '/') ? exe : path_base(exe), GLOB_TEXT) == 1)
			return 1;
	return 0;
}

static struct matcher text_matcher(enum mtype type, char *glob)
{
	struct matcher m = { .type = type, .glob = glob };

	return m;
}

/* DIR/\* (escaped) for the files beside path, or path itself at the root. */
static char *dir_glob(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct buf b = BUF_INIT;
	char *dir;

	if (!slash || slash == path) {
		/* at the root, "similar" would be too much: that name only */
		glob_escape(&b, path ? path : "/");
		return buf_detach(&b, NULL);
	}
	dir = xstrndup(path, (size_t)(slash - path));
	glob_escape(&b, dir);
	buf_addstr(&b, "/*");
	free(dir);
	return buf_detach(&b, NULL);
}

/* The rules a grant adds, built apart from the policy so that they can be shown first. */
struct grant {
	struct rule *rules;
	size_t n;
	struct buf text;
};

static void grant_add(struct grant *gr, enum call_kind kind, struct matcher *m, size_t nm)
{
	gr->rules = xrealloc(gr->rules, (gr->n + 1) * sizeof(*gr->rules));
	memset(&gr->rules[gr->n], 0, sizeof(*gr->rules));
	gr->rules[gr->n].verdict = VERDICT_ALLOW;
	gr->rules[gr->n].kind = kind;
	gr->rules[gr->n].m = m;
	gr->rules[gr->n].nm = nm;
	gr->n++;
}

/* A path rule of a grant: kind on the files beside path. */
static void grant_path(struct grant *gr, enum call_kind kind, const char *path)
{
	struct matcher *m = xcalloc(1, sizeof(*m));

	*m = text_matcher(M_PATH, dir_glob(path));
	buf_addf(&gr->text, "%sallow %s path '%s'", gr->text.len ? " and " : "", call_kind_name(kind), m->glob);
	grant_add(gr, kind, m, 1);
}


/*
 * "Allow similar" for c: the command as it was, with the last of three or
 * more words free (any one word there, never more words, never none), but
 * for a program that runs code, exactly; a connection's host and port; a
 * file's directory.
 */
static void grant_build(const struct call *c, struct grant *gr)
{
	memset(gr, 0, sizeof(*gr));
	buf_init(&gr->text);
	if (c->op == OP_EXEC) {
		struct matcher *m = xcalloc(1, sizeof(*m));
		struct buf shown = BUF_INIT;

		int exact = progid_runs_code(c->path) || (c->argc && progid_runs_code(c->argv[0]));

		m->type = M_WORDS;
		m->nwords = c->argc;
		m->words = xcalloc(c->argc + 1, sizeof(char *));
		for (size_t i = 0; i < c->argc; i++) {
			struct buf w = BUF_INIT;

			if (c->argc >= 3 && i == c->argc - 1 && !exact)
				buf_addch(&w, '*');
			else
				glob_escape(&w, c->argv[i]);
			buf_addf(&shown, "%s%s", i ? " " : "", w.data);
			m->words[i] = buf_detach(&w, NULL);
		}
		buf_addf(&gr->text, "allow exec command '%s'", shown.data);
		buf_release(&shown);
		grant_add(gr, KIND_EXEC, m, 1);
	} else if (c->op == OP_CONNECT) {
		struct matcher *m = xcalloc(2, sizeof(*m));
		struct buf host = BUF_INIT;
		size_t nm = 0;

		glob_escape(&host, c->addr.host ? c->addr.host : "");
		m[nm++] = text_matcher(M_HOST, buf_detach(&host, NULL));
		buf_addf(&gr->text, "allow connect host '%s'", m[0].glob);
		if (c->addr.port >= 0) {
			m[nm] = text_matcher(M_PORT, NULL);
			m[nm].lo = m[nm].hi = c->addr.port;
			nm++;
			buf_addf(&gr->text, " port %d", c->addr.port);
		}
		grant_add(gr, KIND_CONNECT, m, nm);
	} else {
		/* each name the call changes, as the policy judged it */
		struct call_effect e[2];
		size_t n = call_effects(c, e);

		for (size_t i = 0; i < n; i++)
			grant_path(gr, e[i].kind, e[i].path);
	}
}

static void grant_release(struct grant *gr)
{
	for (size_t i = 0; i < gr->n; i++)
		rule_release(&gr->rules[i]);
	free(gr->rules);
	buf_release(&gr->text);
}

char *policy_grant_preview(const struct policy *p, const struct call *c)
{
	struct grant gr;
	char *text;

	(void)p;
	grant_build(c, &gr);
	text = xstrdup(gr.text.data);
	grant_release(&gr);
	return text;
}

int policy_grant(struct policy *p, const struct call *c, const char **text)
{
	struct grant gr;
	int g = ++p->grants;
	size_t first = p->n;

	grant_build(c, &gr);
	/* every rule of the grant carries the whole grant's text */
	for (size_t i = 0; i < gr.n; i++) {
		gr.rules[i].grant = g;
		gr.rules[i].origin = xasprintf("grant %d", g);
		gr.rules[i].text = xstrdup(gr.text.data);
		add_rule(p, &gr.rules[i]);
	}
	gr.n = 0; /* the policy owns the rules now */
	grant_release(&gr);
	if (text)
		*text = p->rules[first].text;
	return g;
}

int policy_revoke(struct policy *p, int n)
{
	int found = -1;

	for (size_t i = 0; i < p->n; i++) {
		if (n > 0 && p->rules[i].grant == n && !p->rules[i].revoked) {
			p->rules[i].revoked = 1;
			found = 0;
		}
	}
	return found;
}

void policy_each_grant(const struct policy *p, void (*cb)(int n, const char *text, void *data), void *data)
{
	int last = 0;

	/* a rename's grant is two rules with one number and one text: show it once */
	for (size_t i = 0; i < p->n; i++) {
		if (p->rules[i].grant && !p->rules[i].revoked && p->rules[i].grant != last) {
			last = p->rules[i].grant;
			cb(last, p->rules[i].text, data);
		}
	}
}
