/*
 * decode.h - pure decoders for what is read from the agent's memory: paths
 * to make absolute and normal, socket addresses to name.  No system calls:
 * every input is untrusted bytes, and a fuzz target covers each function.
 */
#ifndef BELAY_DECODE_H
#define BELAY_DECODE_H

#include <stddef.h>

#include "buf.h"
#include "call.h"

/*
 * Append to out the absolute, lexically normal form of path (relative to
 * base when it does not start with '/'): no "//", ".", "..", or trailing
 * '/'.  ".." at the root stays at the root.  base must be absolute.
 */
void decode_path(const char *base, const char *path, struct buf *out);

/*
 * Name a socket address of len bytes: family, host text and port.  An
 * address too short for its family, or of another family, gives host ""
 * and port -1 (still a valid call_addr).  out->host is malloc'd.
 */
void decode_sockaddr(const void *sa, size_t len, struct call_addr *out);

#endif
