/*
 * actor - an agent that does what its arguments say, in order, and reports
 * each: the shape of a native agent (claude, codex's binary, opencode)
 * whose own process writes its state and whose tools are shell commands.
 *
 *   actor OP…
 *     write:PATH   create or truncate PATH and write a line (its edit tool)
 *     mkdir:PATH   make the folder PATH
 *     rm:PATH      delete the file PATH
 *     tool:CMD     run "sh -c CMD" (its shell tool) and wait for it
 *     exec:CMD     become "sh -c CMD" (what codex's sandbox helper does)
 *     again:OP     run itself again (/proc/self/exe) to do OP, and wait:
 *                  codex's helper, opencode's server
 *
 * Prints "ok OP" or "failed OP: reason" for each, and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int act(const char *op)
{
	const char *arg = strchr(op, ':');

	if (!arg)
		return errno = EINVAL, -1;
	arg++;
	if (!strncmp(op, "write:", 6)) {
		int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0)
			return -1;
		if (write(fd, "actor\n", 6) != 6) {
			close(fd);
			return -1;
		}
		return close(fd);
	}
	if (!strncmp(op, "mkdir:", 6))
		return mkdir(arg, 0755);
	if (!strncmp(op, "rm:", 3))
		return unlink(arg);
	if (!strncmp(op, "exec:", 5)) {
		fflush(stdout);
		execl("/bin/sh", "sh", "-c", arg, (char *)NULL);
		return -1;
	}
	if (!strncmp(op, "again:", 6)) {
		int st;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			execl("/proc/self/exe", "actor", arg, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			return -1;
		return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : (errno = EPERM, -1);
	}
	if (!strncmp(op, "tool:", 5)) {
		int st = system(arg);

		return st == 0 ? 0 : (errno = EPERM, -1);
	}
	return errno = EINVAL, -1;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (act(argv[i]) == 0)
			printf("ok %s\n", argv[i]);
		else
			printf("failed %s: %s\n", argv[i], strerror(errno));
		fflush(stdout);
	}
	return 0;
}
