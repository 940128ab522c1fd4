/*
 * hide.h - credential stores are hidden from the agent's tree.
 *
 * The agent runs in a mount namespace of its own (through a user namespace
 * of its own when belay is not root) in which an empty, read-only stand-in
 * is mounted over each store that exists: ~/.aws, ~/.ssh, ~/.kube,
 * ~/.netrc, ~/.git-credentials, ~/.npmrc… (the table is in hide.c), and
 * over the .env and .env.local of every folder above the workspace.  A
 * folder's stand-in holds empty files of the same names, so that reading
 * ~/.aws/credentials opens one, finds nothing, and belay sees the open
 * (inotify) and reports it.  A store the policy lets through ("allow read
 * path ~/.npmrc") is left as it is.
 *
 * hide_new() prepares everything in belay (the stand-ins live in belay's
 * state folder, which the agent can never write); hide_child() runs in the
 * child between fork and exec, before Landlock and the filter, with only
 * async-signal-safe calls.
 */
#ifndef BELAY_HIDE_H
#define BELAY_HIDE_H

#include <stddef.h>

#include "buf.h"

struct hide;

/*
 * Prepare the stand-ins for the stores under home and above workspace that
 * exist, but for those let_through(path, data) says the policy lets
 * through, and an empty folder over each of covers (belay's own folders
 * the agent must never reach, NULL-terminated; NULL: none); dir is a folder of belay's own for them (made, and removed by
 * hide_free).  NULL with why in err when they cannot be made.
 */
struct hide *hide_new(const char *home, const char *workspace, const char *dir, char *const *covers,
		      int (*let_through)(const char *path, void *data), void *data, struct buf *err);
void hide_free(struct hide *h);

/*
 * In the child: a mount namespace of its own (and a user namespace when not
 * root), the stand-ins mounted read-only over the stores.  0, or a positive
 * errno.
 */
int hide_child(const struct hide *h);

/*
 * An inotify descriptor that reports every open of a stand-in (read it when
 * readable, then hide_read_events), or -1.
 */
int hide_watch(struct hide *h);
/* The stores opened since the last call, each reported by cb(path, data). */
void hide_read_events(struct hide *h, void (*cb)(const char *path, void *data), void *data);

#endif
