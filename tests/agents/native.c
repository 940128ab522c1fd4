/*
 * native - the shape of a native agent (claude, codex's binary): it writes a
 * file itself (its edit tool), then runs a tool (its shell tool).
 *
 *   native DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], cmd[4200];
	int fd;

	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/edited-by-agent.txt", argv[1]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	snprintf(cmd, sizeof(cmd), "ls '%s' > /dev/null", argv[1]);
	printf("native agent: tool status %d\n", system(cmd));
	return 0;
}
