/*
 * digest.h - SHA-256, for what must show that it was not changed: the
 * recording's chain of lines (journal.h) and the policy's fingerprint.
 */
#ifndef BELAY_DIGEST_H
#define BELAY_DIGEST_H

#include <stddef.h>

#define DIGEST_LEN 32

/* SHA-256 of the n parts (data[i], len[i]) one after the other, into out (from the loop's thread only). */
void digest_sha256(const void *const *data, const size_t *len, size_t n, unsigned char out[DIGEST_LEN]);

/* The first n bytes of d as lowercase hex into out (2n + 1 bytes, NUL-terminated). */
void digest_hex(const unsigned char *d, size_t n, char *out);

#endif
