/*
 * packwrite.h - writes many git objects as one pack file (and its index).
 *
 * A baseline checkpoint stores every file of the workspace.  As loose
 * objects that is one file (and a rename) per object, which costs more than
 * reading and hashing them; one pack is one sequential write.  Objects are
 * stored whole (no deltas), compressed at zlib's fastest level, as git does
 * for loose objects.  Format: gitformat-pack(5), pack version 2, index
 * version 2.
 */
#ifndef BELAY_PACKWRITE_H
#define BELAY_PACKWRITE_H

#include <git2.h>
#include <stddef.h>

#include "buf.h"

struct packwriter;

/* Start a pack in objects_dir/pack (temporary files until packwriter_finish). */
struct packwriter *packwriter_new(const char *objects_dir, struct buf *err);
/* Delete what was not finished. */
void packwriter_free(struct packwriter *pw);

/*
 * An object made ready for a pack: its id and compressed form.  Making one
 * touches no shared state, so threads can make them in parallel and append
 * them one at a time.
 */
struct packobj {
	unsigned char id[20];
	unsigned char hdr[16];
	unsigned hlen;
	unsigned char *z;
	size_t zlen, zcap;
};

void packobj_make(struct packobj *po, git_object_t type, const void *data, size_t len);
void packobj_release(struct packobj *po);
/* Append a made object (not stored twice).  Returns 0 or -1. */
int packwriter_append(struct packwriter *pw, const struct packobj *po, struct buf *err);

/*
 * Add an object; *oid gets its id.  An object already added is not stored
 * twice.  Returns 0, or -1 (err says why: a write failed).
 */
int packwriter_add(struct packwriter *pw, git_object_t type, const void *data, size_t len, git_oid *oid,
		   struct buf *err);
/* The id git gives an object (SHA-1 of "type size\0" and the data). */
void packwrite_hash(git_object_t type, const void *data, size_t len, git_oid *oid);

/* How many objects were added. */
size_t packwriter_count(const struct packwriter *pw);

/*
 * Write the pack's checksum and its index, and move both into place, where
 * git_odb_refresh() finds them.  An empty pack is dropped.  Returns 0 or -1.
 */
int packwriter_finish(struct packwriter *pw, struct buf *err);
/* The finished pack's name ("pack-<sha1>"), "" before (or when it was empty and dropped). */
const char *packwriter_name(const struct packwriter *pw);

#endif
