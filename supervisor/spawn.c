/*
 * spawn.c - fork a command onto a new pty; see spawn.h.
 *
 * Child setup order (../shared/DESIGN.md, Process model): setsid + controlling
 * tty, PR_SET_PDEATHSIG, close every other fd, then the caller's hook (where
 * the sandbox goes), then exec.  Only async-signal-safe calls happen between
 * fork and exec.
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

const char *spawn_stage_name(int stage)
{
	switch (stage) {
	case SPAWN_STAGE_TTY:
		return "set up the terminal for";
	case SPAWN_STAGE_CWD:
		return "change to the directory of";
	case SPAWN_STAGE_SETUP:
		return "set up the sandbox for";
	default:
		return "run";
	}
}

void spawn_default_termios(struct termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON | IXANY | IMAXBEL | BRKINT | IUTF8;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = CREAD | CS8 | HUPCL;
	t->c_lflag = ICANON | ISIG | IEXTEN | ECHO | ECHOE | ECHOK | ECHOKE | ECHOCTL;
	t->c_cc[VINTR] = 0x03;
	t->c_cc[VQUIT] = 0x1c;
	t->c_cc[VERASE] = 0x7f;
	t->c_cc[VKILL] = 0x15;
	t->c_cc[VEOF] = 0x04;
	t->c_cc[VSTART] = 0x11;
	t->c_cc[VSTOP] = 0x13;
	t->c_cc[VSUSP] = 0x1a;
	t->c_cc[VREPRINT] = 0x12;
	t->c_cc[VWERASE] = 0x17;
	t->c_cc[VLNEXT] = 0x16;
	t->c_cc[VDISCARD] = 0x0f;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
	cfsetispeed(t, B38400);
	cfsetospeed(t, B38400);
}

char *spawn_resolve(const char *cmd)
{
	const char *path, *p;
	int saw_eacces = 0;

	if (!*cmd) {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(cmd, '/')) {
		struct stat st;

		if (stat(cmd, &st) < 0 || access(cmd, X_OK) < 0)
			return NULL;
		/* access() allows a directory, execve() would not */
		if (S_ISDIR(st.st_mode)) {
			errno = EACCES;
			return NULL;
		}
		return xstrdup(cmd);
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		char *cand;
		struct stat st;

		if (end == p)
			cand = xasprintf("./%s", cmd);
		else
			cand = xasprintf("%.*s/%s", (int)(end - p), p, cmd);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0)
				return cand;
			saw_eacces = 1;
		}
		free(cand);
		if (!*end)
			break;
		p = end;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	return NULL;
}

static int open_pty(int *master, int *slave)
{
	char name[128];
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0)
		goto fail;
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		goto fail;
	*master = m;
	*slave = s;
	return 0;
fail:;
	int e = errno;

	close(m);
	return -e;
}

static void NORETURN child_fail(int fd, int stage, int err)
{
	struct spawn_error se = { stage, err };
	ssize_t n = write(fd, &se, sizeof(se));

	(void)n;
	/* as shells do: 127 for a command that is not there, 126 otherwise */
	_exit(stage == SPAWN_STAGE_EXEC && err == ENOENT ? 127 : 126);
}

/* As bash decides: a NUL byte in the first line means not a script. */
static int looks_binary(const char *path)
{
	char head[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 1;
	n = read(fd, head, sizeof(head));
	close(fd);
	for (ssize_t i = 0; i < n && head[i] != '\n'; i++)
		if (head[i] == '\0')
			return 1;
	return n < 0; /* an empty file is an empty script */
}

static void NORETURN child(const struct spawn_opts *o, int slave, int errfd, pid_t parent)
{
	sigset_t all;
	struct sigaction sa;

	/* Signals: the supervisor blocks them for its signalfd. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++) {
		/* glibc keeps 32 and 33 for itself and refuses them, but an
		 * ignored one would stay ignored in the agent: ask the kernel */
		if (sigaction(sig, &sa, NULL) < 0) {
			struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } ksa = { 0 };

			syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
		}
	}
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		child_fail(errfd, SPAWN_STAGE_TTY, errno);
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		child_fail(errfd, SPAWN_STAGE_TTY, errno);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(errfd, SPAWN_STAGE_SETUP, errno);
	/* belay is not dumpable (sandbox.c) and the child inherits that until
	 * its exec: belay must read the memory of the agent's first exec */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		child_fail(errfd, SPAWN_STAGE_SETUP, errno);
	if (getppid() != parent) /* belay died before the death signal was armed */
		_exit(127);
	if (o->cwd && chdir(o->cwd) < 0)
		child_fail(errfd, SPAWN_STAGE_CWD, errno);

	/* Every fd but 0-2, the error pipe (moved to 3), the passed fd (to
	 * 4) and the kept one (to 5) goes.  Careful: any of them may sit where
	 * another goes, so all move above 10 first. */
	{
		int pass = -1, keep = -1;
		unsigned first = 4;

		if (o->pass_fd > 2 && (pass = fcntl(o->pass_fd, F_DUPFD_CLOEXEC, 10)) < 0)
			child_fail(errfd, SPAWN_STAGE_TTY, errno);
		if (o->keep_fd > 2 && (keep = fcntl(o->keep_fd, F_DUPFD_CLOEXEC, 10)) < 0)
			child_fail(errfd, SPAWN_STAGE_SETUP, errno);
		if (errfd != 3) {
			int e = fcntl(errfd, F_DUPFD_CLOEXEC, 10);

			if (e < 0 || dup3(e, 3, O_CLOEXEC) < 0)
				child_fail(errfd, SPAWN_STAGE_TTY, errno);
			errfd = 3;
		}
		if (pass >= 0 && dup3(pass, SPAWN_PASS_FD, O_CLOEXEC) < 0)
			child_fail(errfd, SPAWN_STAGE_TTY, errno);
		if (keep >= 0 && dup3(keep, SPAWN_KEEP_FD, O_CLOEXEC) < 0)
			child_fail(errfd, SPAWN_STAGE_SETUP, errno);
		if (pass < 0)
			close(SPAWN_PASS_FD);
		if (keep >= 0)
			first = 6;
		else if (pass >= 0)
			first = 5;
		if (syscall(SYS_close_range, first, ~0U, 0U) < 0)
			for (int fd = (int)first; fd < 65536; fd++)
				close(fd);
	}

	if (o->child_setup) {
		int e = o->child_setup(o->child_data);

		if (e)
			child_fail(errfd, SPAWN_STAGE_SETUP, e);
	}
	execve(o->path, o->argv, o->envp);
	if (errno == ENOEXEC && !looks_binary(o->path)) {
		/* a script without "#!": run it with sh, as execvp(3) and shells do */
		char *sh_argv[256];
		size_t n = 0;

		sh_argv[n++] = "sh";
		sh_argv[n++] = (char *)o->path;
		for (size_t i = 1; o->argv[i] && n < ARRAY_SIZE(sh_argv) - 1; i++)
			sh_argv[n++] = o->argv[i];
		sh_argv[n] = NULL;
		execve("/bin/sh", sh_argv, o->envp);
		errno = ENOEXEC;
	}
	child_fail(errfd, SPAWN_STAGE_EXEC, errno);
}

int spawn_pty(const struct spawn_opts *o, struct spawn_result *r)
{
	struct termios tio;
	struct winsize ws = { 0 };
	struct stat st;
	int master = -1, slave = -1, pipefd[2] = { -1, -1 };
	pid_t parent = getpid(), pid;
	int e;

	e = open_pty(&master, &slave);
	if (e < 0)
		return e;
	if (o->termios)
		tio = *o->termios;
	else
		spawn_default_termios(&tio);
	ws.ws_row = o->rows ? o->rows : 24;
	ws.ws_col = o->cols ? o->cols : 80;
	if (tcsetattr(slave, TCSANOW, &tio) < 0 || ioctl(master, TIOCSWINSZ, &ws) < 0 || fstat(slave, &st) < 0) {
		e = -errno;
		goto fail;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		e = -errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		e = -errno;
		goto fail;
	}
	if (pid == 0) {
		close(master);
		close(pipefd[0]);
		child(o, slave, pipefd[1], parent);
	}
	close(slave);
	close(pipefd[1]);
	fd_set_nonblock(master, 1);
	fd_set_nonblock(pipefd[0], 1);
	r->pid = pid;
	r->master = master;
	r->err_fd = pipefd[0];
	r->tty = st.st_rdev;
	return 0;
fail:
	close(master);
	close(slave);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	return e;
}
