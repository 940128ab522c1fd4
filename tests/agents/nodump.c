/*
 * nodump - a process that cannot be read (as ssh-agent and gpg-agent make
 * themselves): it turns dumpable off, then writes FILE.  A supervisor that
 * is not root cannot read its memory, so it cannot see what the call is.
 *
 *   nodump FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return 2;
	fd = open(argv[1], O_WRONLY | O_CREAT, 0644);
	printf("nodump: open %s\n", fd >= 0 ? "ok" : strerror(errno));
	return 0;
}
