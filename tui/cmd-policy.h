/* cmd-policy.h - "belay policy …": check and test rules files (cmd-policy.c). */
#ifndef BELAY_CMD_POLICY_H
#define BELAY_CMD_POLICY_H

/* argv[0] is "policy"; returns the exit status (2 for errors). */
int cmd_policy(int argc, char **argv);

#endif
