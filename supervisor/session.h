/*
 * session.h - one supervised agent: its pty, its process, its events.
 *
 * The session is the only module that wires the others together.  Front ends
 * (the screen in tui/, the headless copier) create one, give it a loop and an
 * event callback, and talk to the agent only through this API; the session
 * never knows whether there is a screen.
 */
#ifndef BELAY_SESSION_H
#define BELAY_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "call.h"
#include "checkpoint.h"
#include "event.h"
#include "journal.h"
#include "loop.h"
#include "policy.h"
#include "step.h"

struct session;

struct session_opts {
	char *const *argv;       /* the agent's command; argv[0] is looked up in PATH */
	const char *cwd;         /* the workspace; NULL: the current directory */
	unsigned rows, cols;     /* initial size of the agent's terminal */
	const char *term;        /* TERM for the agent; NULL keeps the caller's */
	const struct termios *termios; /* NULL: sane defaults */
	/*
	 * Intercept the agent's calls (seccomp user notification) and judge
	 * them with policy (not owned).  Without it (--no-intercept) the agent
	 * runs unseen, and a notice says so.
	 */
	int intercept;
	struct policy *policy;
	/* Files the agent's tree may never change, beyond belay's own folders
	 * (NULL-terminated, copied; the events file): see guard.h. */
	char *const *protect;
	/* With timed_asks, held calls nobody answers in ask_timeout_ms are
	 * allowed (timeout_allows) or denied, by "timeout"; without, they
	 * wait for an answer however long it takes. */
	int timed_asks;
	unsigned long ask_timeout_ms;
	int timeout_allows;
	/* Checkpoint the workspace at step boundaries and before held
	 * destructive calls (not owned; NULL: no checkpoints). */
	struct checkpoints *checkpoints;
	/* The recording and the events file: every event goes there first (not owned; NULL: none). */
	struct journal *journal;
	/* The agent's profile, for the session's first event (copied; NULL: none). */
	const char *profile;
	/* The variables the agent gets whatever their names look like: globs
	 * (its profile's env lines, --pass-env), NULL-terminated, copied; the
	 * rest of the environment goes through envpass.h's allow-list. */
	char *const *pass_env;
	/* Leave the credential stores visible to the agent (--no-hide); else
	 * they are hidden whenever its calls are intercepted (hide.h). */
	int show_stores;
	/* Capabilities the agent keeps when belay runs as root (a mask; 0: none). */
	uint64_t keep_caps;
	/* --no-sandbox: no kernel boundary around the agent (sandbox.h); else
	 * the session does not start where the kernel cannot hold one. */
	int no_sandbox;
	/* --user: the agent runs as this user (belay runs as root); NULL: as belay */
	const char *run_user;
	uid_t run_uid;
	gid_t run_gid;
	const char *run_home;
	/* Calls held by rules these globs match (the rule's place, or its
	 * text) need two people to allow them: the person at the screen and
	 * a reviewer, two users (NULL-terminated, copied; NULL: none).  With
	 * any, no grant is made (allow-similar allows the one call) and a
	 * timeout never allows a two-person call. */
	char *const *two_person;
	/* Folders of belay the agent's tree must never reach, even with
	 * show_stores (the control sockets'): covered in its mount namespace
	 * (hide.h; NULL-terminated, copied). */
	char *const *covers;
};

/* How a person (or a front end) answers a held call. */
enum answer {
	ANSWER_ALLOW,         /* this call */
	ANSWER_ALLOW_SIMILAR, /* this call, and a grant for calls like it */
	ANSWER_DENY,
};

/* A held call, as front ends see it. */
struct held_call {
	unsigned n;             /* its number, for session_answer() */
	const struct call *call;
	unsigned step;
	int by_agent;
	const char *rule;       /* what made it ask */
	uint64_t since_ns;      /* when it was held (monotonic) */
	uint64_t seq;           /* the seq of its call event */
	int freezes;            /* the policy said freeze: the tree is frozen while it waits */
	int two;                /* it needs two people (session_opts.two_person) */
};

typedef void (*session_event_cb)(const struct event *ev, void *data);

/*
 * Create a session; nothing runs until session_start().  cb receives every
 * event, in order, from inside the loop.
 */
struct session *session_new(struct loop *loop, const struct session_opts *opts,
			    session_event_cb cb, void *data);
void session_free(struct session *s);

/*
 * Start the agent.  Returns 0, or the exit status belay should end with
 * (127: command not found, 126: not executable, 1: other) after printing why
 * with warn().
 */
int session_start(struct session *s);

/*
 * Queue bytes for the agent's terminal input.  Returns the number queued:
 * less than len when the queue is full (the agent is not reading).
 */
size_t session_write(struct session *s, const void *data, size_t len);
/* Bytes waiting to be written to the agent. */
size_t session_pending_input(const struct session *s);

/* Change the agent's terminal size (TIOCSWINSZ; the kernel sends SIGWINCH). */
void session_resize(struct session *s, unsigned rows, unsigned cols);

/*
 * End the agent as closing its terminal would: SIGHUP to its process group,
 * then SIGKILL after grace_ms if it is still there.
 */
void session_hangup(struct session *s, unsigned grace_ms);

/* Report a checkpoint taken outside the session (the baseline): rc as checkpoints_begin's, 1 for taken. */
void session_report_checkpoint(struct session *s, int rc, const struct checkpoint_info *info);

/* Send sig to the agent's foreground process group. */
void session_signal_foreground(struct session *s, int sig);

/*
 * Answer held call n; by says who ("user", "timeout", "reviewer"…), how
 * how a person did (the keys, "C-] a"), NULL for anything else.  Both go
 * into the decision's event.  Returns 0, or -1 if there is no such held call
 * (or it went away).
 */
int session_answer(struct session *s, unsigned n, enum answer a, enum decider by, const char *how);
/* Who answers, for session_decide. */
struct answerer {
	enum decider by;     /* DECIDED_USER at the screen, DECIDED_REVIEWER through the control socket */
	const char *how;     /* the keys, or the command ("belay approve"), or NULL */
	const char *who;     /* the person's user name, or NULL (the person at the screen) */
	uid_t uid;           /* theirs: a two-person call needs two different ones */
	const char *reason;  /* a denial's words, or NULL */
};
/*
 * Answer held call n as w says.  0; 1 when it is a two-person call this
 * was the first yes to (it still waits); -2 when this user had allowed it
 * already; -1 when there is no such call.
 */
int session_decide(struct session *s, unsigned n, enum answer a, const struct answerer *w);
/* Something the person should know (an EV_NOTICE). */
void session_notice(struct session *s, const char *text);
/* A note on step (0: the session) by who: an EV_NOTE for everyone. */
void session_note(struct session *s, unsigned step, const char *who, const char *text);
/*
 * Deny held call n with the person's reason (one line; shown to the denied
 * process with the denial, and kept in the decision's event).
 */
int session_deny_because(struct session *s, unsigned n, enum decider by, const char *how, const char *reason);
/* The rule ANSWER_ALLOW_SIMILAR would add for held call n (caller frees), or NULL. */
char *session_grant_preview(const struct session *s, unsigned n);
/*
 * Freeze (1) or thaw (0) the agent's whole tree at once (tree.h); held
 * calls can still be answered.  A notice event says so.  0, or -errno.
 */
int session_freeze(struct session *s, int frozen);
int session_frozen(const struct session *s);
/* Deny the held calls of the terminal's foreground process group (C-c). */
int session_deny_foreground(struct session *s, enum decider by, const char *how);
/* How many calls are held, and the i-th oldest (valid until the next event). */
size_t session_nheld(const struct session *s);
const struct held_call *session_held(const struct session *s, size_t i);
/* Take back a grant made by ANSWER_ALLOW_SIMILAR. */
int session_revoke(struct session *s, int grant);
/* The steps so far. */
const struct steps *session_steps(const struct session *s);
/* True when the agent's calls are intercepted. */
int session_intercepting(const struct session *s);

/* Read-only facts for the views. */
pid_t session_pid(const struct session *s);
/* What the kernel holds around the agent ("Landlock 7: 4 places, TCP 443, signals"), once started. */
const char *session_sandbox(const struct session *s);
/* The policy's limits on the agent's tree and what holds them ("512 processes, memory 4096M a process"), or NULL. */
const char *session_limits(const struct session *s);
/* The variables withheld from the agent's environment (names, sorted; NULL when none), once started. */
char *const *session_withheld(const struct session *s, size_t *n);
/* The agent's profile ("profiles/codex.profile"), or NULL. */
const char *session_profile(const struct session *s);
char *const *session_argv(const struct session *s);
const char *session_cwd(const struct session *s);
uint64_t session_started_ns(const struct session *s);
int session_running(const struct session *s);
/* After EV_EXIT: the status belay exits with (code, or 128+signal); else -1. */
int session_exit_status(const struct session *s);
/* The termios of the agent's terminal now (for ICANON/VEOF); -1 on failure. */
int session_get_termios(const struct session *s, struct termios *t);
/* True once the agent has exited and its terminal has been drained. */
int session_ended(const struct session *s);

#endif
