/*
 * decode.h - pure decoders for what is read from the agent's memory: paths
 * to make absolute and normal, socket addresses to name.  No system calls:
 * every input is untrusted bytes, and a fuzz target covers each function.
 */
#ifndef BELAY_DECODE_H
#define BELAY_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/*
 * How the decoders read the agent's memory: len bytes at addr into buf;
 * returns the bytes read (fewer at the end of a mapping), or -1.
 */
typedef ssize_t (*decode_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/*
 * A NUL-terminated string at addr, read in pieces that never cross a page
 * (a read across an unmapped page fails as a whole), at most max bytes.
 * Returns 0, or -1 if it cannot be read or is longer than max.
 */
int decode_string(decode_read_fn rd, void *ctx, uint64_t addr, size_t max, struct buf *out);

/*
 * A NULL-terminated array of string pointers at addr (argv): at most
 * max_args strings and max_bytes in all; what is past the bounds, or cannot
 * be read, is left out and *cut set.  *argv (NULL-terminated, malloc'd)
 * and *argc are set; returns -1 only if the array itself cannot be read.
 */
int decode_argv(decode_read_fn rd, void *ctx, uint64_t addr, size_t max_args, size_t max_bytes, char ***argv,
		size_t *argc, int *cut);

#endif
