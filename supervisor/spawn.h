/*
 * spawn.h - start a command in a new pseudo-terminal.
 *
 * The child runs in its own session with the pty slave as controlling
 * terminal, dies with belay (PR_SET_PDEATHSIG), inherits no fd but 0-2 and
 * has every signal unblocked and at its default.  It is dumpable whatever
 * belay is (belay reads its calls' arguments from /proc/PID/mem).  The caller owns the master
 * fd (non-blocking, close-on-exec) and reaps the child.
 *
 * Exec errors in the child arrive asynchronously on err_fd (so that the caller
 * can keep serving its loop while the child execs): EOF means the exec
 * happened; otherwise a struct spawn_error follows.
 */
#ifndef BELAY_SPAWN_H
#define BELAY_SPAWN_H

#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

struct spawn_opts {
	const char *path;          /* the file to exec (already resolved) */
	char *const *argv;
	char *const *envp;
	const char *cwd;           /* NULL: inherit */
	unsigned short rows, cols; /* initial window size */
	const struct termios *termios; /* NULL: sane defaults */
	/*
	 * Runs in the child just before exec; returns 0 or a positive errno.
	 * Only async-signal-safe calls.  pass_fd, if above 2, is open in the
	 * child as fd SPAWN_PASS_FD when it runs (0, the default, passes none).
	 */
	int (*child_setup)(void *data);
	void *child_data;
	int pass_fd;
	/* keep_fd, if above 2, is open in the child as SPAWN_KEEP_FD for
	 * child_setup (the Landlock ruleset), close-on-exec. */
	int keep_fd;
};

/* Where pass_fd is in the child: after 0-2 and the error pipe (3). */
#define SPAWN_PASS_FD 4
#define SPAWN_KEEP_FD 5

struct spawn_result {
	pid_t pid;
	int master; /* pty master: O_NONBLOCK, O_CLOEXEC */
	int err_fd; /* see above; O_NONBLOCK, O_CLOEXEC */
	dev_t tty;  /* the device number of the pty slave (the child's terminal) */
};

/* What the child reports on err_fd when it could not exec. */
struct spawn_error {
	int stage; /* enum spawn_stage */
	int err;   /* errno */
};

enum spawn_stage {
	SPAWN_STAGE_TTY,
	SPAWN_STAGE_CWD,
	SPAWN_STAGE_SETUP,
	SPAWN_STAGE_EXEC,
};

/* Human name of a stage for messages ("change directory", "exec"…). */
const char *spawn_stage_name(int stage);

/* Fork the child; -errno on failure with nothing left open. */
int spawn_pty(const struct spawn_opts *o, struct spawn_result *r);

/*
 * Resolve cmd like execvp(3) does, against PATH (or a default PATH).
 * Returns a newly allocated path, or NULL with errno set (ENOENT, EACCES…).
 */
char *spawn_resolve(const char *cmd);

/* Fill t with the settings of a freshly opened terminal (cooked, UTF-8). */
void spawn_default_termios(struct termios *t);

#endif
