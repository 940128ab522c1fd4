/* cmd-record.h - "belay verify|export|replay|recordings": a session's recording (cmd-record.c). */
#ifndef BELAY_CMD_RECORD_H
#define BELAY_CMD_RECORD_H

struct buf;

/* True when argv[0] names one of these commands. */
int cmd_record_is(const char *name);
/* argv[0] is the command; returns the exit status (2: usage, 1: failure or damage). */
int cmd_record(int argc, char **argv);

/*
 * The recording spec names: a file, or a session number of the workspace
 * dir (NULL: the current folder), or "last" (the newest recording there).
 * Returns its path (caller frees) or NULL with err.
 */
char *cmd_record_find(const char *spec, const char *dir, struct buf *err);

#endif
