/*
 * proc.h - what /proc says about a process, read in one place: the small
 * files (stat, status) and the fields of /proc/PID/stat belay needs.
 */
#ifndef BELAY_PROC_H
#define BELAY_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* The fields of /proc/PID/stat that belay reads (proc(5)). */
struct proc_stat {
	char state;   /* R, S, T… */
	pid_t ppid;
	pid_t pgrp;
	pid_t session;
	dev_t tty;    /* the controlling terminal, 0: none */
};

/* Read the whole small file /proc/PID/WHAT into b (NUL-terminated); -1 on failure. */
int proc_read(pid_t pid, const char *what, char *b, size_t size);
/* Fill st from /proc/PID/stat; -1 if the process is gone. */
int proc_stat(pid_t pid, struct proc_stat *st);

#endif
