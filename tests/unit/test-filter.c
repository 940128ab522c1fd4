/*
 * test-filter.c - the seccomp filter (supervisor/filter.c) and the listener
 * (supervisor/notify.c), with real children making real system calls.
 *
 * A child installs the filter, hands its listener over a socketpair, then
 * makes each call of a list directly with syscall(2), so that libc cannot
 * pick another call.  The parent answers every notification and records
 * it; the test compares what was seen with the table.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../supervisor/buf.h"
#include "../../supervisor/filter.h"
#include "../../supervisor/notify.h"
#include "../../supervisor/util.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

static char dir[] = "/tmp/belay-filter.XXXXXX";

/* As belay does: the number by a write (sendmsg is trapped), the descriptor by pidfd_getfd. */
static void send_fd(int sock, int fd)
{
	char ack;

	if (write(sock, &fd, sizeof(fd)) != (ssize_t)sizeof(fd) || read(sock, &ack, 1) != 1)
		_exit(90);
}

static int recv_fd(int sock, pid_t pid)
{
	int num, pidfd, fd;

	if (read(sock, &num, sizeof(num)) != (ssize_t)sizeof(num))
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	fd = pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, num, 0) : -1;
	if (pidfd >= 0)
		close(pidfd);
	if (write(sock, "L", 1) != 1)
		return -1;
	return fd;
}

struct seen {
	int nr[256];
	enum call_op op[256];
	char *path[256], *path2[256], *host[256];
	int port[256];
	char *argv1[256];
	int n;
};

typedef void (*child_fn)(void);

/*
 * Run fn in a child under the filter; answer each notification with deny
 * (errno deny_err) when its number is deny_nr, else allow.  Returns the
 * child's exit status.
 */
static int supervise(child_fn fn, struct seen *s, int deny_nr, int deny_err, int hold_ms)
{
	struct sock_fprog prog;
	int sp[2], status = -1;
	pid_t pid;
	struct notify *n;

	filter_build(&prog);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		close(sp[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(91);
		fd = filter_install(&prog);
		if (fd < 0)
			_exit(92);
		send_fd(sp[1], fd);
		close(fd);
		fn();
		_exit(0);
	}
	close(sp[1]);
	filter_free(&prog);
	n = notify_new(recv_fd(sp[0], pid));
	close(sp[0]);
	assert_non_null(n);
	memset(s, 0, sizeof(*s));
	for (;;) {
		struct pollfd p = { notify_fd(n), POLLIN, 0 };
		struct call c;
		int r = poll(&p, 1, 10000);

		assert_true(r > 0); /* never a silent hang */
		if (p.revents & POLLIN) {
			r = notify_receive(n, &c);
			assert_true(r >= 0);
			if (r == 0)
				continue;
			if (s->n < 256) {
				s->nr[s->n] = c.nr;
				s->op[s->n] = c.op;
				s->path[s->n] = c.path ? xstrdup(c.path) : NULL;
				s->path2[s->n] = c.path2 ? xstrdup(c.path2) : NULL;
				s->host[s->n] = c.addr.host ? xstrdup(c.addr.host) : NULL;
				s->port[s->n] = c.addr.port;
				s->argv1[s->n] = c.argc > 1 ? xstrdup(c.argv[1]) : NULL;
				s->n++;
			}
			if (hold_ms)
				usleep((useconds_t)hold_ms * 1000);
			if (c.nr == deny_nr)
				assert_int_equal(notify_deny(n, c.id, deny_err), 0);
			else
				assert_int_equal(notify_allow(n, c.id), 0);
			call_release(&c);
		} else if (p.revents & (POLLHUP | POLLERR)) {
			break; /* no task uses the filter any more */
		}
	}
	notify_free(n);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void seen_free(struct seen *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->path[i]);
		free(s->path2[i]);
		free(s->host[i]);
		free(s->argv1[i]);
	}
}

static int count(const struct seen *s, int nr)
{
	int k = 0;

	for (int i = 0; i < s->n; i++)
		k += s->nr[i] == nr;
	return k;
}

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Every trapped call once, each untrapped call that looks like one. */
static void child_all(void)
{
	char *a = in_dir("a"), *b = in_dir("b"), *d = in_dir("d"), *l = in_dir("l"), *h = in_dir("h");
	struct open_how how = { .flags = O_WRONLY | O_CREAT, .mode = 0644 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(0x7f000001) };
	struct stat st;
	int fd, s;

	/* not trapped */
	fd = (int)syscall(__NR_open, "/etc/hostname", O_RDONLY);
	close(fd);
	fd = (int)syscall(__NR_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
	syscall(__NR_fstat, fd, &st);
	close(fd);
	syscall(__NR_getpid);
	/* trapped: every write-open form */
	fd = (int)syscall(__NR_open, a, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		syscall(__NR_ftruncate, fd, 0), syscall(__NR_fchmod, fd, 0644), close(fd);
	close((int)syscall(__NR_openat, AT_FDCWD, a, O_RDWR));
	close((int)syscall(__NR_openat2, AT_FDCWD, b, &how, sizeof(how)));
	close((int)syscall(__NR_creat, b, 0644));
	syscall(__NR_truncate, a, 0);
	syscall(__NR_mkdir, d, 0755);
	syscall(__NR_mkdirat, AT_FDCWD, l, 0755);
	syscall(__NR_rmdir, l);
	syscall(__NR_chmod, a, 0600);
	syscall(__NR_fchmodat, AT_FDCWD, a, 0644);
	syscall(__NR_fchmodat2, AT_FDCWD, a, 0644, 0);
	syscall(__NR_link, a, h);
	syscall(__NR_linkat, AT_FDCWD, a, AT_FDCWD, l, 0);
	syscall(__NR_unlink, l);
	syscall(__NR_symlink, "a", l);
	syscall(__NR_unlinkat, AT_FDCWD, l, 0);
	syscall(__NR_symlinkat, "a", AT_FDCWD, l);
	syscall(__NR_rename, l, d);
	syscall(__NR_renameat, AT_FDCWD, h, AT_FDCWD, l);
	syscall(__NR_renameat2, AT_FDCWD, l, AT_FDCWD, h, 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	syscall(__NR_connect, s, &sin, sizeof(sin));
	close(s);
	/* a datagram to an address is seen; one on a connected socket is not */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	syscall(__NR_sendto, s, "x", 1, 0, &sin, sizeof(sin));
	syscall(__NR_connect, s, &sin, sizeof(sin));
	syscall(__NR_sendto, s, "x", 1, 0, NULL, 0);
	close(s);
	/* what a file is, besides its bytes */
	fd = (int)syscall(__NR_open, a, O_RDONLY);
	syscall(__NR_fchown, fd, getuid(), getgid());
	syscall(__NR_fsetxattr, fd, "user.belay", "1", 1, 0);
	close(fd);
	syscall(__NR_utimensat, AT_FDCWD, a, NULL, 0);
	syscall(__NR_utime, a, NULL);
	syscall(__NR_utimes, a, NULL);
	syscall(__NR_futimesat, AT_FDCWD, a, NULL);
	syscall(__NR_chown, a, getuid(), getgid());
	syscall(__NR_lchown, a, getuid(), getgid());
	syscall(__NR_fchownat, AT_FDCWD, a, getuid(), getgid(), 0);
	syscall(__NR_setxattr, a, "user.belay", "1", 1, 0);
	syscall(__NR_lsetxattr, a, "user.belay", "1", 1, 0);
	syscall(__NR_removexattr, a, "user.belay");
	syscall(__NR_lremovexattr, a, "user.belay");
	fd = (int)syscall(__NR_open, a, O_RDONLY);
	syscall(__NR_fremovexattr, fd, "user.belay");
	close(fd);
	syscall(__NR_mknod, b, S_IFIFO | 0644, 0);
	syscall(__NR_mknodat, AT_FDCWD, b, S_IFIFO | 0644, 0);
	{
		struct iovec iov = { "x", 1 };
		struct msghdr mh = { .msg_name = &sin, .msg_namelen = sizeof(sin), .msg_iov = &iov, .msg_iovlen = 1 };
		struct mmsghdr mm = { .msg_hdr = mh };

		s = socket(AF_INET, SOCK_DGRAM, 0);
		syscall(__NR_sendmsg, s, &mh, 0);
		syscall(__NR_sendmmsg, s, &mm, 1, 0);
		close(s);
	}
	/* denied without a notification */
	if (syscall(__NR_io_uring_setup, 1, NULL) != -1 || errno != ENOSYS)
		_exit(10);
	if (syscall(__NR_getpid | 0x40000000) != -1 || errno != ENOSYS)
		_exit(11);
	free(a), free(b), free(d), free(l), free(h);
}

static void test_every_call(void **state)
{
	static const int trapped[] = {
		__NR_open, __NR_openat, __NR_openat2, __NR_creat, __NR_truncate, __NR_mkdir, __NR_mkdirat,
		__NR_rmdir, __NR_chmod, __NR_fchmodat, __NR_fchmodat2, __NR_link, __NR_linkat, __NR_unlink,
		__NR_symlink, __NR_unlinkat, __NR_symlinkat, __NR_rename, __NR_renameat, __NR_renameat2,
		__NR_connect, __NR_ftruncate, __NR_fchmod, __NR_fchown, __NR_utimensat, __NR_fsetxattr, __NR_mknod,
		__NR_sendto,
	};
	struct seen s;
	size_t n;
	const struct filter_rule *rules = filter_rules(&n);

	(void)state;
	assert_int_equal(supervise(child_all, &s, -1, 0, 0), 0);
	for (size_t i = 0; i < ARRAY_SIZE(trapped); i++) {
		if (!count(&s, trapped[i]))
			fail_msg("system call %d was not seen", trapped[i]);
	}
	/* the read-only opens, fstat, getpid, a send without an address: not seen */
	assert_int_equal(count(&s, __NR_fstat) + count(&s, __NR_getpid), 0);
	assert_int_equal(count(&s, __NR_sendto), 1); /* the one with an address */
	for (int i = 0; i < s.n; i++) {
		/* a send to an address is a connection to it; a descriptor's call names its file */
		if (s.nr[i] == __NR_sendto || s.nr[i] == __NR_sendmsg || s.nr[i] == __NR_sendmmsg) {
			assert_int_equal(s.op[i], OP_CONNECT);
			assert_string_equal(s.host[i], "127.0.0.1");
			assert_int_equal(s.port[i], 9);
		}
		if (s.nr[i] == __NR_fchown || s.nr[i] == __NR_fremovexattr || s.nr[i] == __NR_fchmod) {
			assert_non_null(s.path[i]);
			assert_string_equal(strrchr(s.path[i], '/'), "/a");
		}
	}
	assert_int_equal(count(&s, __NR_open), 1);   /* the write, not the read */
	assert_int_equal(count(&s, __NR_openat), 1); /* O_RDWR, not O_RDONLY */
	/* every row of the table that traps was exercised (exec: below) */
	for (size_t i = 0; i < n; i++)
		if (rules[i].action != FILTER_DENY && rules[i].action != FILTER_DENY_IF_ARG &&
		    rules[i].nr != __NR_execve && rules[i].nr != __NR_execveat)
			if (!count(&s, rules[i].nr))
				fail_msg("table row %s never seen", rules[i].name);
	seen_free(&s);
}

static void child_decode(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	int s;

	if (chdir(dir) < 0)
		_exit(20);
	close((int)syscall(__NR_open, "sub/../rel", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	syscall(__NR_rename, "rel", "./renamed");
	strcpy(sun.sun_path, "/run/none.sock");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	syscall(__NR_connect, s, &sun, sizeof(sun));
	close(s);
	sin6.sin6_addr.s6_addr[15] = 1;
	s = socket(AF_INET6, SOCK_STREAM, 0);
	syscall(__NR_connect, s, &sin6, sizeof(sin6));
	close(s);
	execl("/bin/true", "true", "first-arg", (char *)NULL);
	_exit(21);
}

static void test_decode(void **state)
{
	struct seen s;
	char *rel = in_dir("rel"), *renamed = in_dir("renamed");

	(void)state;
	assert_int_equal(supervise(child_decode, &s, -1, 0, 0), 0);
	assert_true(s.n >= 5);
	assert_int_equal(s.op[0], OP_CREATE);
	assert_string_equal(s.path[0], rel);
	assert_int_equal(s.op[1], OP_RENAME);
	assert_string_equal(s.path[1], rel);
	assert_string_equal(s.path2[1], renamed);
	assert_string_equal(s.host[2], "/run/none.sock");
	assert_int_equal(s.port[2], -1);
	assert_string_equal(s.host[3], "::1");
	assert_int_equal(s.port[3], 443);
	assert_int_equal(s.op[4], OP_EXEC);
	{
		char *real = realpath("/bin/true", NULL); /* /usr/bin/true with a merged /usr */

		assert_string_equal(s.path[4], real);
		free(real);
	}
	assert_string_equal(s.argv1[4], "first-arg");
	unlink(renamed);
	free(rel), free(renamed);
	seen_free(&s);
}

static void child_denied(void)
{
	char *victim = in_dir("victim");

	if (syscall(__NR_unlink, victim) != -1 || errno != EACCES)
		_exit(30);
	free(victim);
}

/* A denied call fails with the errno given and does not happen. */
static void test_deny(void **state)
{
	struct seen s;
	char *victim = in_dir("victim");
	int fd = open(victim, O_WRONLY | O_CREAT, 0644);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(supervise(child_denied, &s, __NR_unlink, EACCES, 0), 0);
	assert_int_equal(access(victim, F_OK), 0);
	unlink(victim);
	free(victim);
	seen_free(&s);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void child_signalled(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	char *f = in_dir("signalled");

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	close((int)syscall(__NR_open, f, O_WRONLY | O_CREAT, 0644));
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	unlink(f);
	free(f);
	_exit(alarms > 0 ? 0 : 40); /* the signals did come */
}

/* A held call with a signal every 10 ms is one notification, not many. */
static void test_signal_while_held(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(supervise(child_signalled, &s, -1, 0, 300), 0);
	assert_int_equal(count(&s, __NR_open), 1);
	seen_free(&s);
}

static void *writer_thread(void *arg)
{
	char *f = arg;

	close((int)syscall(__NR_open, f, O_WRONLY | O_CREAT, 0644));
	return NULL;
}

#include <pthread.h>

static void child_threads(void)
{
	pthread_t t[4];
	char *f[4];

	for (int i = 0; i < 4; i++) {
		f[i] = xasprintf("%s/thread%d", dir, i);
		pthread_create(&t[i], NULL, writer_thread, f[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		unlink(f[i]);
		free(f[i]);
	}
}

/* Every thread is covered; each thread's call is its own notification. */
static void test_threads(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(supervise(child_threads, &s, -1, 0, 0), 0);
	assert_int_equal(count(&s, __NR_open), 4);
	seen_free(&s);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	(void)state;
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

/* The supervisor (the parent here) cannot be signalled, pidfd'd, traced or
 * read by pid; nobody's terminal takes TIOCSTI or TIOCLINUX.  By the filter
 * alone: there is no Landlock domain in this test. */
static void child_reach(void)
{
	pid_t parent = getppid();
	char c = 'x';
	struct iovec local = { &c, 1 }, remote = { &c, 1 };

	if (kill(parent, 0) != -1 || errno != EPERM)
		_exit(40);
	if (kill(-getpgid(parent), 0) != -1 || errno != EPERM)
		_exit(41);
	if (syscall(__NR_tgkill, parent, parent, 0) != -1 || errno != EPERM)
		_exit(42);
	if (syscall(__NR_pidfd_open, parent, 0) != -1 || errno != EPERM)
		_exit(43);
	if (syscall(__NR_ptrace, PTRACE_ATTACH, parent, 0, 0) != -1 || errno != EPERM)
		_exit(44);
	if (syscall(__NR_process_vm_readv, parent, &local, 1, &remote, 1, 0) != -1 || errno != EPERM)
		_exit(45);
	if (ioctl(0, TIOCSTI, &c) != -1 || errno != EPERM)
		_exit(46);
	if (syscall(__NR_ioctl, 0, (unsigned long)TIOCLINUX | (1ul << 32), &c) != -1 || errno != EPERM)
		_exit(47); /* the kernel takes the low 32 bits of the command: so does the filter */
	/* others are still others' to signal: the child itself, its own child */
	if (kill(getpid(), 0) != 0)
		_exit(48);
	if (syscall(__NR_pidfd_open, getpid(), 0) < 0)
		_exit(49);
}

static void test_reach(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(supervise(child_reach, &s, -1, 0, 0), 0);
	seen_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_call),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_deny),
		cmocka_unit_test(test_signal_while_held),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_reach),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
