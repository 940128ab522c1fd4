/*
 * cmd-control.h - "belay ls|held|approve|deny|note" (cmd-control.c),
 * and the client side of a session's control socket they share with the
 * viewer (viewer.c).
 */
#ifndef BELAY_CMD_CONTROL_H
#define BELAY_CMD_CONTROL_H

#include <jansson.h>

#include "../supervisor/buf.h"
#include "../supervisor/ctlsock.h"

/* True when argv[0] names one of these commands. */
int cmd_control_is(const char *name);
/* argv[0] is the command; returns the exit status (2: usage, 1: failure). */
int cmd_control(int argc, char **argv);

/* A connection to a session's control socket, hello said. */
struct ctl {
	int fd;
	char *id;   /* the session's */
	char *role; /* ours: "owner", "review", "watch" */
	struct buf in, line;
};

/* Connect to the session f found and say hello.  0, or -1 with err. */
int ctl_open(struct ctl *c, const struct ctlsock_found *f, struct buf *err);
void ctl_close(struct ctl *c);
/* Send a request (its reference taken).  0 or -1. */
int ctl_send(struct ctl *c, json_t *req);
/* Send a request and read the answer: NULL with err (the session's "error" message, or why). */
json_t *ctl_ask(struct ctl *c, json_t *req, struct buf *err);
/* The session id names, or the only one when id is NULL.  0 (out's strings to free), or -1 with err. */
int ctl_find(const char *id, struct ctlsock_found *out, struct buf *err);

#endif
