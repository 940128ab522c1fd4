/* cmd-checkpoint.h - "belay log|diff|rollback|revert" on the current workspace (cmd-checkpoint.c). */
#ifndef BELAY_CMD_CHECKPOINT_H
#define BELAY_CMD_CHECKPOINT_H

/* True when argv[0] names one of these commands. */
int cmd_checkpoint_is(const char *name);
/* argv[0] is the command; returns the exit status (2: usage, 1: failure). */
int cmd_checkpoint(int argc, char **argv);

#endif
