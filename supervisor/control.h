/*
 * control.h - a session's control socket: reviewers and scripts attach,
 * list and answer held calls, and write notes (belay(1), CONTROL PROTOCOL).
 *
 * Who may connect is the kernel's word (SO_PEERCRED): the owner (belay's
 * user, or root), and other users only as --share says, with the role it
 * gives (watch, or review: watch and decide).  A process of the agent's tree
 * never: its mount namespace covers the socket folders (hide.h), and a peer
 * that is a descendant of belay (its subreaper) is refused all the same.
 * Every request is bounded (CONTROL_MAX_LINE) and checked; a client that
 * sends garbage, too much, or does not read what it is sent (past
 * CONTROL_MAX_QUEUE) is dropped, and the session never waits for one.
 */
#ifndef BELAY_CONTROL_H
#define BELAY_CONTROL_H

#include <sys/types.h>

#include "buf.h"
#include "ctlsock.h"
#include "journal.h"
#include "loop.h"
#include "session.h"

#define CONTROL_MAX_QUEUE (16u << 20) /* bytes a viewer may be behind before it is dropped */
#define CONTROL_MAX_CLIENTS 64

enum control_role { ROLE_NONE, ROLE_WATCH, ROLE_REVIEW, ROLE_OWNER };

/* --share NAME[:ROLE]: a user, or a group (@NAME, or a name no user has). */
struct control_share {
	char *name;
	int group;
	enum control_role role;
};

/*
 * Parse a --share argument.  0, or -1 with why in err (no such user or
 * group, an unknown role).
 */
int control_share_parse(const char *arg, struct control_share *out, struct buf *err);

struct control;

/*
 * Listen for session id (its socket in the private folder, or the shared
 * one when shares are given; copied).  The stream of j (not owned) is
 * tapped for viewers.  NULL with why in err.
 */
struct control *control_new(struct loop *loop, struct journal *j, const struct control_share *shares, size_t nshares,
			    struct buf *err);
/* Close every client, remove the socket. */
void control_free(struct control *c);

/* The session to answer for (not owned), once made. */
void control_serve(struct control *c, struct session *s);

/* The socket's folder (hidden from the agent's tree) and path, and the session's id. */
const char *control_dir(const struct control *c);
const char *control_path(const struct control *c);
const char *control_id(const struct control *c);
/*
 * Hand the keyboard to the reviewers attached (review role), or take it
 * back: while it is theirs, the keys they send reach the agent.  Returns
 * whether it is handed now.
 */
int control_hand_keyboard(struct control *c);
/* Clients attached now. */
unsigned control_viewers(const struct control *c);

/* "watch", "review"… and back (ROLE_NONE when unknown). */
const char *control_role_name(enum control_role r);
enum control_role control_role_parse(const char *s);

#endif
