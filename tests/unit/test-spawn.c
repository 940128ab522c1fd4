/* test-spawn.c - children on real ptys (supervisor/spawn.c). */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../supervisor/buf.h"
#include "../../supervisor/spawn.h"
#include "../../supervisor/util.h"

/* The bound for "this never happens": a child that neither writes nor ends. */
#define CAP_MS 10000

static char *const env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", NULL };

/* Everything the child writes to its terminal, until no slave fd is left. */
static void read_until_eio(int master, struct buf *out)
{
	char tmp[4096];

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, CAP_MS) == 0)
			fail_msg("the child neither wrote nor closed its terminal");
		n = read(master, tmp, sizeof(tmp));
		if (n > 0) {
			buf_add(out, tmp, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		assert_true(n < 0 && errno == EIO);
		return;
	}
}

/* Reap the child; its exit code, or 128+signal. */
static int reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Run argv on a pty and collect its output; returns what reap() does. */
static int run(struct spawn_opts *o, struct buf *out, struct spawn_error *se, ssize_t *se_len)
{
	struct spawn_result r;
	int status;

	if (!o->envp)
		o->envp = env;
	if (!o->path)
		o->path = o->argv[0];
	assert_int_equal(spawn_pty(o, &r), 0);
	assert_true(r.pid > 0);
	assert_true(fcntl(r.master, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(r.master, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(r.err_fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(r.err_fd, F_GETFD) & FD_CLOEXEC);
	read_until_eio(r.master, out);
	status = reap(r.pid);
	/* the child is gone: err_fd has the error or EOF, never EAGAIN */
	*se_len = read(r.err_fd, se, sizeof(*se));
	close(r.err_fd);
	close(r.master);
	return status;
}

static void test_tty_size_and_session(void **state)
{
	char *argv[] = { "/bin/sh", "-c",
			 "stty size; tty; echo pid=$$ sid=$(cut -d' ' -f6 /proc/$$/stat); "
			 ": </dev/tty && echo has-ctty", NULL };
	struct spawn_opts o = { .argv = argv, .rows = 37, .cols = 123 };
	struct spawn_result r;
	struct buf out = BUF_INIT;
	char name[128];
	const char *p;
	int pid = 0, sid = -1;

	(void)state;
	o.path = argv[0];
	o.envp = env;
	assert_int_equal(spawn_pty(&o, &r), 0);
	assert_int_equal(ptsname_r(r.master, name, sizeof(name)), 0);
	read_until_eio(r.master, &out);
	assert_int_equal(reap(r.pid), 0);
	close(r.err_fd);
	close(r.master);

	/* the window size reached the child before it ran */
	assert_non_null(strstr(out.data, "37 123\r\n"));
	/* its terminal is our pty, and it is its controlling terminal */
	p = strstr(out.data, "/dev/pts/");
	assert_non_null(p);
	assert_int_equal(strncmp(p, name, strlen(name)), 0);
	assert_int_equal(p[strlen(name)], '\r');
	assert_non_null(strstr(out.data, "has-ctty\r\n"));
	/* it leads its own session */
	p = strstr(out.data, "pid=");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "pid=%d sid=%d", &pid, &sid), 2);
	assert_int_equal(pid, r.pid);
	assert_int_equal(sid, pid);
	buf_release(&out);
}

/* Whether word appears in text between blanks, ';' or line ends. */
static int has_word(const char *text, const char *word)
{
	size_t l = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
		if ((p == text || strchr(" \t\r\n", p[-1])) && strchr(" \t\r\n;", p[l]))
			return 1;
	return 0;
}

static void test_default_size_and_termios(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "stty size; stty -a", NULL };
	struct spawn_opts o = { .argv = argv };
	struct buf out = BUF_INIT;
	struct spawn_error se;
	struct termios t;
	ssize_t n;

	(void)state;
	assert_int_equal(run(&o, &out, &se, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(strncmp(out.data, "24 80\r\n", 7), 0);
	assert_true(has_word(out.data, "echo"));
	assert_true(has_word(out.data, "icanon"));
	assert_true(has_word(out.data, "iutf8"));
	assert_true(has_word(out.data, "onlcr"));
	buf_release(&out);

	/* the caller's termios wins */
	spawn_default_termios(&t);
	t.c_lflag &= ~(tcflag_t)ECHO;
	o.termios = &t;
	o.rows = 5;
	o.cols = 300;
	assert_int_equal(run(&o, &out, &se, &n), 0);
	assert_int_equal(strncmp(out.data, "5 300\r\n", 7), 0);
	assert_true(has_word(out.data, "-echo"));
	assert_false(has_word(out.data, "echo"));
	assert_true(has_word(out.data, "icanon"));
	buf_release(&out);
}

/* A pipe without O_CLOEXEC, high up, must not reach the child. */
static void test_fds_closed(void **state)
{
	char *argv[] = { "/bin/ls", "-1", "/proc/self/fd", NULL };
	struct spawn_opts o = { .argv = argv };
	struct buf out = BUF_INIT;
	struct spawn_error se;
	int p[2], hi[2];
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(p), 0);
	hi[0] = fcntl(p[0], F_DUPFD, 50);
	hi[1] = fcntl(p[1], F_DUPFD, 60);
	assert_true(hi[0] >= 50 && hi[1] >= 60);
	assert_int_equal(fcntl(p[0], F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(fcntl(hi[0], F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(run(&o, &out, &se, &n), 0);
	assert_int_equal(n, 0);
	/* 0-2 are the terminal, 3 is the directory ls is reading */
	assert_string_equal(out.data, "0\r\n1\r\n2\r\n3\r\n");
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(hi[i]);
	}
	buf_release(&out);
}

/* Every signal unblocked and at its default, whatever belay had. */
static void test_signals_reset(void **state)
{
	/* not through sh: dash clears its signal mask when it starts */
	char *argv[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	struct spawn_opts o = { .argv = argv };
	struct buf out = BUF_INIT;
	struct spawn_error se;
	sigset_t set, old;
	ssize_t n;

	(void)state;
	o.path = spawn_resolve("grep");
	assert_non_null(o.path);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(run(&o, &out, &se, &n), 0);
	signal(SIGUSR2, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_string_equal(out.data, "SigBlk:\t0000000000000000\r\nSigIgn:\t0000000000000000\r\n");
	buf_release(&out);
	free((char *)o.path);
}

static void test_cwd(void **state)
{
	char *argv[] = { "/bin/pwd", NULL };
	struct spawn_opts o = { .argv = argv };
	struct buf out = BUF_INIT;
	struct spawn_error se = { -1, -1 };
	ssize_t n;

	(void)state;
	o.cwd = "/usr/bin";
	assert_int_equal(run(&o, &out, &se, &n), 0);
	assert_string_equal(out.data, "/usr/bin\r\n");
	buf_release(&out);

	o.cwd = "/nonexistent/belay-test";
	assert_int_equal(run(&o, &out, &se, &n), 126);
	assert_int_equal(n, (ssize_t)sizeof(se));
	assert_int_equal(se.stage, SPAWN_STAGE_CWD);
	assert_int_equal(se.err, ENOENT);
	buf_release(&out);
}

static int setup_fails(void *data)
{
	return *(int *)data;
}

static void test_child_setup(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "echo ran", NULL };
	int e = 0;
	struct spawn_opts o = { .argv = argv, .child_setup = setup_fails, .child_data = &e };
	struct buf out = BUF_INIT;
	struct spawn_error se;
	ssize_t n;

	(void)state;
	assert_int_equal(run(&o, &out, &se, &n), 0);
	assert_string_equal(out.data, "ran\r\n");
	buf_release(&out);

	e = EPERM;
	assert_int_equal(run(&o, &out, &se, &n), 126);
	assert_int_equal(n, (ssize_t)sizeof(se));
	assert_int_equal(se.stage, SPAWN_STAGE_SETUP);
	assert_int_equal(se.err, EPERM);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void test_exec_error(void **state)
{
	char dir[] = "/tmp/belay-test-spawn-XXXXXX";
	char *argv[] = { "x", NULL };
	struct spawn_opts o = { .argv = argv };
	struct buf out = BUF_INIT;
	struct spawn_error se;
	char *plain;
	ssize_t n;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	plain = xasprintf("%s/plain", dir);
	fd = open(plain, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\necho no\n", 18), 18);
	close(fd);

	o.path = "/nonexistent/belay-test";
	assert_int_equal(run(&o, &out, &se, &n), 127);
	assert_int_equal(n, (ssize_t)sizeof(se));
	assert_int_equal(se.stage, SPAWN_STAGE_EXEC);
	assert_int_equal(se.err, ENOENT);
	assert_string_equal(spawn_stage_name(se.stage), "run");

	o.path = plain;
	assert_int_equal(run(&o, &out, &se, &n), 126);
	assert_int_equal(n, (ssize_t)sizeof(se));
	assert_int_equal(se.stage, SPAWN_STAGE_EXEC);
	assert_int_equal(se.err, EACCES);
	assert_int_equal(out.len, 0);

	unlink(plain);
	rmdir(dir);
	free(plain);
	buf_release(&out);
}

static void expect_resolve_error(const char *cmd, int err)
{
	char *p;

	errno = 0;
	p = spawn_resolve(cmd);
	if (p)
		fail_msg("'%s' resolved to '%s'", cmd, p);
	assert_int_equal(errno, err);
}

static void test_resolve(void **state)
{
	char dir[] = "/tmp/belay-test-resolve-XXXXXX";
	char *old_path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	char *file, *sub, *path, *p;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	file = xasprintf("%s/belay-plain", dir);
	fd = open(file, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	sub = xasprintf("%s/belay-dir", dir);
	assert_int_equal(mkdir(sub, 0755), 0);

	setenv("PATH", "/usr/bin:/bin", 1);
	p = spawn_resolve("sh");
	assert_non_null(p);
	assert_true(!strcmp(p, "/usr/bin/sh") || !strcmp(p, "/bin/sh"));
	free(p);
	expect_resolve_error("belay-no-such-command", ENOENT);
	expect_resolve_error("", ENOENT);

	/* found but not executable, and a directory is not a command */
	path = xasprintf("/usr/bin:%s:/bin", dir);
	setenv("PATH", path, 1);
	expect_resolve_error("belay-plain", EACCES);
	expect_resolve_error("belay-dir", ENOENT);
	/* the same file once it is executable */
	assert_int_equal(chmod(file, 0755), 0);
	p = spawn_resolve("belay-plain");
	assert_non_null(p);
	assert_string_equal(p, file);
	free(p);
	assert_int_equal(chmod(file, 0644), 0);

	/* with a '/', PATH is not searched */
	p = spawn_resolve("/bin/sh");
	assert_non_null(p);
	assert_string_equal(p, "/bin/sh");
	free(p);
	expect_resolve_error(file, EACCES);
	/* execve() would fail on a directory with EACCES: so does this */
	expect_resolve_error(sub, EACCES);
	expect_resolve_error("/nonexistent/sh", ENOENT);
	expect_resolve_error("./belay-no-such-command", ENOENT);

	setenv("PATH", old_path, 1);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
	free(file);
	free(sub);
	free(path);
	free(old_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tty_size_and_session),
		cmocka_unit_test(test_default_size_and_termios),
		cmocka_unit_test(test_fds_closed),
		cmocka_unit_test(test_signals_reset),
		cmocka_unit_test(test_cwd),
		cmocka_unit_test(test_child_setup),
		cmocka_unit_test(test_exec_error),
		cmocka_unit_test(test_resolve),
	};

	return RUN_TESTS(tests);
}
