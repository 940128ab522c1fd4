/*
 * event.h - the event model every module speaks.
 *
 * Everything that happens in a session is an event with a sequence number
 * and a time since the session started.  Events are values: the pointers in
 * them are only valid during the callback that delivers them; a consumer that
 * keeps an event copies what it needs.  event_to_json() is the one place where
 * events become JSON (the documented interface of --events, see belay(1)).
 */
#ifndef BELAY_EVENT_H
#define BELAY_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "call.h"
#include "policy.h"

/* What decided a call (a decision event's "by"). */
enum decider {
	DECIDED_RULE,        /* the policy, or a fixed rule, at once */
	DECIDED_USER,        /* a person, with keys */
	DECIDED_TIMEOUT,     /* --on-ask, once --ask-timeout ran out */
	DECIDED_GRANT,       /* a grant made while the call waited */
	DECIDED_AGENT_START, /* nothing: the call starts the agent */
	DECIDED_GONE,        /* nothing: the process went away while it waited */
	DECIDED_SESSION_END, /* nothing: the session ended while it waited */
	DECIDED_REVIEWER,    /* a person through the control socket (belay attach, approve, deny) */
	DECIDED__COUNT
};

/* Why a checkpoint was taken (a checkpoint event's "kind"). */
enum checkpoint_kind {
	CP_BASELINE,    /* when the session starts */
	CP_BETWEEN,     /* before a step: changes made outside every step */
	CP_STEP,        /* a step ended */
	CP_WRITE_AHEAD, /* before a held destructive call is let through */
	CP_STEPS,       /* steps that changed nothing, recorded a second later */
	CP_RESTORE,     /* what a rollback run beside the session wrote */
	CP_END,         /* the session is over */
	CP_UPKEEP,      /* an error after the last checkpoint (merging packs, gc) */
	CP__COUNT
};

enum event_type {
	EV_SESSION_START, /* the agent was started */
	EV_OUTPUT,        /* bytes the agent wrote to its terminal */
	EV_RESIZE,        /* the agent's terminal changed size */
	EV_EXIT,          /* the agent's process ended */
	EV_SESSION_END,   /* the session is over; nothing follows */
	EV_EXEC,          /* a process of the agent's tree runs a program */
	EV_FILE,          /* … writes, creates, deletes, renames… a file */
	EV_CONNECT,       /* … connects a socket */
	EV_HELD,          /* a call waits for a person's decision */
	EV_DECISION,      /* a call was allowed or denied, and by what */
	EV_STEP_START,    /* a step begins: a tool call, or a burst of edits */
	EV_STEP_END,
	EV_GRANT,         /* "allow similar" added a rule for the session */
	EV_REVOKE,        /* a grant was taken back */
	EV_NOTICE,        /* something the person should know (interception off…) */
	EV_CHECKPOINT,    /* the workspace was checkpointed (or could not be) */
	EV_HIDDEN,        /* the agent's tree opened a hidden credential store (and found it empty) */
	EV_NOTE,          /* a person's note on a step ("why did it delete this?") */
	EV__COUNT
};

struct event {
	enum event_type type;
	uint64_t seq;  /* 1, 2, 3… in the order of delivery */
	uint64_t t_ns; /* nanoseconds since the session started */
	unsigned step; /* the step it belongs to; 0: none (the agent itself) */
	union {
		struct {
			pid_t pid;
			char *const *argv;
			const char *cwd;
			unsigned rows, cols;
			const char *profile; /* the agent's profile ("profiles/codex.profile"), or NULL */
			char *const *withheld; /* the variables withheld from it, NULL-terminated */
			const char *sandbox;   /* what the kernel holds around it (sandbox_describe), or NULL */
			const char *limits;    /* the policy's limits on its tree, or NULL */
		} start;
		struct {
			const char *data;
			size_t len;
		} output;
		struct {
			unsigned rows, cols;
		} resize;
		struct {
			pid_t pid;
			int code;   /* exit code, or -1 when killed */
			int signal; /* the signal that killed it, or 0 */
			int status; /* what belay exits with: code, or 128+signal */
			int killed; /* processes of its tree still running then, killed */
		} exit;
		struct {
			int status;
		} end;
		struct {
			const struct call *call; /* EV_EXEC, EV_FILE, EV_CONNECT */
			int by_agent;            /* made by the agent itself, not a tool */
		} call;
		struct {
			uint64_t call; /* seq of the call's event */
			unsigned n;    /* the held call's number, for answering it */
			const char *rule; /* what asked for the decision */
			const char *text; /* the rule as written, or NULL */
			const struct call *c; /* the call itself */
			int two;          /* it needs two people to allow it (--two-person) */
		} held;
		struct {
			uint64_t call;       /* seq of the call's event */
			enum verdict verdict;
			enum decider by;
			const char *how;     /* a person's: the keys ("C-] a"), or NULL */
			const char *rule;    /* "policies/default.rules:12", or NULL */
			const char *text;    /* the rule as written, or NULL */
			uint64_t held_ns;    /* how long it waited (0: not held) */
			const char *reason;  /* the person's words when denying, or NULL */
			const char *who;     /* the person's user name (a reviewer's), or NULL */
		} decision;
		struct {
			pid_t pid;       /* the step's first process (0 for edits) */
			const char *cmd; /* its command, or "edit" */
		} step;
		struct {
			uint64_t duration_ns;
			int known;            /* what it changed is known (its checkpoint was taken) */
			unsigned files;       /* the files it changed */
			const unsigned *with; /* steps that changed some of the same files */
			size_t nwith;
		} step_end;
		struct {
			int n;
			const char *text;
		} grant;
		struct {
			const char *text;
		} notice;
		struct {
			const char *path; /* the store, or the file in it */
		} hidden;
		struct {
			const char *who;  /* the user who wrote it */
			const char *text; /* one line */
		} note;
		struct {
			enum checkpoint_kind kind;
			unsigned session;
			const char *commit; /* hex id, "" when it failed */
			unsigned changed;   /* files changed since the previous checkpoint */
			unsigned kept;      /* files no checkpoint holds, kept since (keep.h) */
			unsigned files;     /* files read */
			uint64_t ns;
			const char *error;  /* NULL, or why it failed */
			const char *restored; /* CP_RESTORE: what belay restored ("rollback to before 2:3"), or NULL */
		} checkpoint;
	} u;
};

/* "session-start", "output"… */
const char *event_type_name(enum event_type type);
/* "rule", "user"…; "baseline", "step"… (the names in events and the manual) */
const char *decider_name(enum decider d);
const char *checkpoint_kind_name(enum checkpoint_kind k);

/*
 * Append ev as one line of JSON, without the newline.  Bytes that are not
 * valid UTF-8 (agent output, file names) are replaced by U+FFFD.
 */
void event_to_json(const struct event *ev, struct buf *out);

/*
 * An event read back from its JSON (a recording's line): what its pointers
 * point at.  event_from_json fills ev from o; for a held call, call is the
 * JSON of the call it holds (NULL when unknown).  Values out of range are
 * clamped, unknown names read as the first of their kind; strings are
 * kept as written.  Returns 0, or -1 when o is not an event (no known
 * "type").  event_read_release frees what the last read kept.
 */
struct event_read {
	struct call call;
	char **argv, **withheld;
	unsigned *with;
	struct buf output;
};
struct json_t;
int event_from_json(struct json_t *o, struct json_t *call, struct event *ev, struct event_read *keep);
void event_read_release(struct event_read *keep);
/* The bytes of an output line ("data", or "b64" decoded) appended to out; -1 when it has neither. */
int event_output_bytes(struct json_t *o, struct buf *out);

/* A JSON string (jansson's, a new reference) of bytes, valid UTF-8 kept and the rest U+FFFD. */
struct json_t *event_json_text(const char *s, size_t len);

#endif
