/* proc.c - /proc/PID files; see proc.h and proc(5). */
#include "proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int proc_read(pid_t pid, const char *what, char *b, size_t size)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, b, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	b[len] = '\0';
	return 0;
}

int proc_stat(pid_t pid, struct proc_stat *st)
{
	char b[1024], *p;
	int ppid, pgrp, session, tty;

	/* "pid (comm) state ppid pgrp session tty_nr …": comm may hold
	 * anything, even ") ", so the fields start after the last ')' */
	if (proc_read(pid, "stat", b, sizeof(b)) < 0 || !(p = strrchr(b, ')')) ||
	    sscanf(p + 1, " %c %d %d %d %d", &st->state, &ppid, &pgrp, &session, &tty) != 5)
		return -1;
	st->ppid = ppid;
	st->pgrp = pgrp;
	st->session = session;
	/* the kernel's encoding of a device number is glibc's */
	st->tty = (dev_t)(unsigned)tty;
	return 0;
}
