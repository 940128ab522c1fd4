/*
 * buf.h - a growable byte buffer (like git's strbuf), always NUL-terminated.
 *
 * Embedded in other structs: buf_init()/buf_release().  The bytes are in
 * b->data[0 .. b->len); data[len] is always '\0' so that text can be used as
 * a C string.  Consuming from the front (buf_consume) is O(len) and meant for
 * queues that stay small, such as the pty write queue.
 */
#ifndef BELAY_BUF_H
#define BELAY_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

/*
 * What an unused buffer points at, so that data is a C string from the start.
 * Never written to: cap 0 means the buffer owns nothing.
 */
extern char buf_empty_data[1];

#define BUF_INIT { buf_empty_data, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Make room for at least extra more bytes. */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Append the UTF-8 encoding of code point cp (invalid cps become U+FFFD). */
void buf_add_utf8(struct buf *b, unsigned cp);
void buf_reset(struct buf *b);
/* Keep only the first len bytes (nothing changes if there are fewer). */
void buf_truncate(struct buf *b, size_t len);
/* Drop the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Take ownership of the bytes; the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
