/*
 * ctlsock.h - where sessions' control sockets are, for the session that
 * listens (control.h) and the commands that dial it (belay ls, attach,
 * held, approve, deny).
 *
 * A session's socket is named by its id (belay's pid: one per machine at a
 * time) in one of two folders, each checked before use (a folder, ours,
 * not a link, nobody else may write in it):
 *
 *   private  $XDG_RUNTIME_DIR/belay/ID (0700), or /tmp/belay-UID/ID when
 *            the variable is unset (the same checks);
 *   shared   /tmp/belay-shared/UID/ID (0755, the socket 0666) for a
 *            session started with --share: other users must reach it,
 *            and the session checks who they are (SO_PEERCRED);
 *            /tmp/belay-shared is sticky like /tmp.
 *
 * Both are covered in the agent's mount namespace (hide.h): no agent,
 * of this session or another, reaches a control socket.
 *
 * The protocol is in belay(1), CONTROL PROTOCOL: JSON lines, the first
 * {"op":"hello","version":1}.
 */
#ifndef BELAY_CTLSOCK_H
#define BELAY_CTLSOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define CONTROL_VERSION 1
#define CTLSOCK_SHARED "/tmp/belay-shared"
#define CONTROL_MAX_LINE (64 * 1024) /* a request, at most (a longer one drops its client) */

/*
 * The private (shared = 0) or shared folder of uid's sessions, made when
 * make and it is missing (caller frees).  NULL with why in err when it is
 * not safe to use.
 */
char *ctlsock_dir(uid_t uid, int shared, int make, struct buf *err);

/*
 * The folders to cover in an agent's mount namespace: the private one and
 * the parent of the shared ones, made when missing (NULL-terminated;
 * strv_free).  Those that cannot be made or written in are left out
 * (nothing of ours can listen there).
 */
char **ctlsock_covers(void);

/* A session found: its socket and id. */
struct ctlsock_found {
	char *path;
	char *id;
	uid_t owner;
};

/*
 * The sockets one may try: ours (both folders) and every other user's
 * shared folder.  Returns how many (*out to free with ctlsock_found_free).
 */
size_t ctlsock_find(struct ctlsock_found **out);
void ctlsock_found_free(struct ctlsock_found *f, size_t n);

/*
 * Connect to the socket at path (whose folder's owner must be owner, and
 * the listening process too: SO_PEERCRED).  A blocking fd, or -1 with why
 * in err.
 */
int ctlsock_dial(const char *path, uid_t owner, struct buf *err);

/*
 * A line from fd into line (without its newline), reading through in
 * (what was read past it stays there).  1, 0 at the end, -1 on an error
 * or a line longer than max.
 */
int ctlsock_read_line(int fd, struct buf *in, struct buf *line, size_t max);

#endif
