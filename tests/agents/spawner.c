/*
 * spawner - runs a program with posix_spawn(3) (glibc: clone(CLONE_VM |
 * CLONE_VFORK) then exec), as Node and Python may.
 *
 *   spawner PROGRAM [ARG…]
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	pid_t pid;
	int status, e;

	if (argc < 2)
		return 2;
	e = posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ);
	if (e) {
		fprintf(stderr, "spawner: posix_spawn: error %d\n", e);
		return 1;
	}
	waitpid(pid, &status, 0);
	printf("spawned %s: %d\n", argv[1], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
