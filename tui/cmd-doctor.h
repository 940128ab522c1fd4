/* cmd-doctor.h - "belay doctor": what this machine lets belay enforce. */
#ifndef BELAY_CMD_DOCTOR_H
#define BELAY_CMD_DOCTOR_H

int cmd_doctor(int argc, char **argv);

#endif
