/*
 * packwrite.c - one pack file for many objects; see packwrite.h.
 *
 * Object ids are SHA-1 over "type size\0" and the content, as git defines
 * them (computed with OpenSSL's SHA-1, which is several times faster than
 * libgit2's collision-detecting one; the shadow repository holds only what
 * belay itself wrote).  The pack's checksum covers the finished file, so it
 * is computed by reading the file back once at the end.
 */
#define _GNU_SOURCE
#include "packwrite.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"

struct entry {
	unsigned char id[20];
	uint64_t offset;
	uint32_t crc;
};

struct packwriter {
	char *dir, *tmp;
	int fd;
	uint64_t offset;
	struct entry *e;
	size_t n, cap;
	size_t *slots; /* open addressing over e, index + 1; 0: empty */
	size_t nslots;
	struct packobj po; /* for packwriter_add */
	struct buf wbuf;
	char name[46]; /* "pack-<sha1>" once finished */
};

static int io_fail(struct buf *err, const char *what, const char *path)
{
	buf_addf(err, "cannot %s '%s': %s", what, path, strerror(errno));
	return -1;
}

static int flush(struct packwriter *pw)
{
	if (pw->wbuf.len && fd_write_all(pw->fd, pw->wbuf.data, pw->wbuf.len) < 0)
		return -1;
	buf_reset(&pw->wbuf);
	return 0;
}

static int emit(struct packwriter *pw, const void *p, size_t n)
{
	buf_add(&pw->wbuf, p, n);
	pw->offset += n;
	return pw->wbuf.len >= (1 << 20) ? flush(pw) : 0;
}

struct packwriter *packwriter_new(const char *objects_dir, struct buf *err)
{
	struct packwriter *pw = xcalloc(1, sizeof(*pw));
	/* version 2, object count patched by packwriter_finish */
	static const unsigned char header[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0 };

	buf_init(&pw->wbuf);
	pw->dir = xasprintf("%s/pack", objects_dir);
	mkdir(pw->dir, 0755);
	pw->tmp = xasprintf("%s/tmp_belay_XXXXXX", pw->dir);
	pw->fd = mkostemp(pw->tmp, O_CLOEXEC);
	if (pw->fd < 0) {
		io_fail(err, "create", pw->tmp);
		free(pw->tmp);
		pw->tmp = NULL;
		packwriter_free(pw);
		return NULL;
	}
	emit(pw, header, sizeof(header));
	return pw;
}

void packwriter_free(struct packwriter *pw)
{
	if (!pw)
		return;
	if (pw->fd >= 0)
		close(pw->fd);
	if (pw->tmp)
		unlink(pw->tmp);
	free(pw->tmp);
	free(pw->dir);
	free(pw->e);
	free(pw->slots);
	packobj_release(&pw->po);
	buf_release(&pw->wbuf);
	free(pw);
}

size_t packwriter_count(const struct packwriter *pw)
{
	return pw->n;
}

static size_t slot_of(const unsigned char *id, size_t nslots)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h)); /* SHA-1 bytes are uniform already */
	return h & (nslots - 1);
}

/* The entry with this id, or the empty slot where it goes. */
static size_t *find_slot(struct packwriter *pw, const unsigned char *id)
{
	size_t i = slot_of(id, pw->nslots);

	while (pw->slots[i] && memcmp(pw->e[pw->slots[i] - 1].id, id, 20))
		i = (i + 1) & (pw->nslots - 1);
	return &pw->slots[i];
}

static void rehash(struct packwriter *pw)
{
	free(pw->slots);
	pw->nslots = pw->nslots ? pw->nslots * 2 : 1024;
	pw->slots = xcalloc(pw->nslots, sizeof(size_t));
	for (size_t k = 0; k < pw->n; k++)
		*find_slot(pw, pw->e[k].id) = k + 1;
}

static const char *type_name(git_object_t t)
{
	switch (t) {
	case GIT_OBJECT_COMMIT: return "commit";
	case GIT_OBJECT_TREE: return "tree";
	case GIT_OBJECT_TAG: return "tag";
	default: return "blob";
	}
}

void packobj_make(struct packobj *po, git_object_t type, const void *data, size_t len)
{
	char hdr[64];
	int hlen = snprintf(hdr, sizeof(hdr), "%s %zu", type_name(type), len) + 1;
	unsigned char id[EVP_MAX_MD_SIZE];
	unsigned idlen = 0, k = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uLongf clen;
	size_t sz = len;

	if (!md)
		fatal("out of memory (a SHA-1 context)");
	EVP_DigestInit_ex(md, EVP_sha1(), NULL);
	EVP_DigestUpdate(md, hdr, hlen);
	EVP_DigestUpdate(md, data, len);
	EVP_DigestFinal_ex(md, id, &idlen);
	EVP_MD_CTX_free(md);
	memcpy(po->id, id, 20);
	/* entry header: type and size, 4 bits then 7 bits a byte, low first */
	po->hdr[k] = (unsigned char)((type << 4) | (sz & 15));
	sz >>= 4;
	while (sz) {
		po->hdr[k++] |= 0x80;
		po->hdr[k] = sz & 0x7f;
		sz >>= 7;
	}
	po->hlen = k + 1;
	clen = compressBound(len);
	if (clen > po->zcap) {
		po->zcap = clen;
		free(po->z);
		po->z = xmalloc(po->zcap);
	}
	if (compress2(po->z, &clen, data, len, Z_BEST_SPEED) != Z_OK)
		fatal("out of memory (compressing %zu bytes)", len);
	po->zlen = clen;
}

void packwrite_hash(git_object_t type, const void *data, size_t len, git_oid *oid)
{
	char hdr[64];
	int hlen = snprintf(hdr, sizeof(hdr), "%s %zu", type_name(type), len) + 1;
	unsigned char id[EVP_MAX_MD_SIZE];
	unsigned idlen = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md)
		fatal("out of memory (a SHA-1 context)");
	EVP_DigestInit_ex(md, EVP_sha1(), NULL);
	EVP_DigestUpdate(md, hdr, hlen);
	EVP_DigestUpdate(md, data, len);
	EVP_DigestFinal_ex(md, id, &idlen);
	EVP_MD_CTX_free(md);
	git_oid_fromraw(oid, id);
}

void packobj_release(struct packobj *po)
{
	free(po->z);
	memset(po, 0, sizeof(*po));
}

int packwriter_append(struct packwriter *pw, const struct packobj *po, struct buf *err)
{
	struct entry *e;
	size_t *slot;

	if (pw->n * 2 >= pw->nslots)
		rehash(pw);
	slot = find_slot(pw, po->id);
	if (*slot)
		return 0;
	pw->e = xgrow(pw->e, &pw->cap, pw->n + 1, sizeof(*pw->e));
	e = &pw->e[pw->n];
	memcpy(e->id, po->id, 20);
	e->offset = pw->offset;
	e->crc = crc32(crc32(0, po->hdr, po->hlen), po->z, po->zlen);
	if (emit(pw, po->hdr, po->hlen) < 0 || emit(pw, po->z, po->zlen) < 0)
		return io_fail(err, "write", pw->tmp);
	*slot = ++pw->n;
	return 0;
}

int packwriter_add(struct packwriter *pw, git_object_t type, const void *data, size_t len, git_oid *oid,
		   struct buf *err)
{
	packobj_make(&pw->po, type, data, len);
	git_oid_fromraw(oid, pw->po.id);
	return packwriter_append(pw, &pw->po, err);
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id, 20);
}

/* The SHA-1 of a whole file. */
static int file_sha1(int fd, unsigned char *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *chunk = xmalloc(1 << 20);
	unsigned len = 0;
	off_t at = 0;
	ssize_t r;
	int rc = 0;

	EVP_DigestInit_ex(md, EVP_sha1(), NULL);
	while ((r = pread(fd, chunk, 1 << 20, at)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		EVP_DigestUpdate(md, chunk, r);
		at += r;
	}
	EVP_DigestFinal_ex(md, out, &len);
	EVP_MD_CTX_free(md);
	free(chunk);
	return rc;
}

static void put32(struct buf *b, uint32_t v)
{
	v = htonl(v);
	buf_add(b, &v, 4);
}

int packwriter_finish(struct packwriter *pw, struct buf *err)
{
	unsigned char sum[20], isum[20];
	uint32_t count = htonl((uint32_t)pw->n), fan[256] = { 0 };
	char hex[41], *pack = NULL, *idx = NULL, *itmp = NULL;
	struct buf ib;
	size_t nlarge = 0;
	unsigned len = 0;
	int ifd = -1, rc = -1;

	buf_init(&ib);
	if (!pw->n) {
		rc = 0;
		goto out;
	}
	if (flush(pw) < 0 || pwrite(pw->fd, &count, 4, 8) != 4 || file_sha1(pw->fd, sum) < 0 ||
	    fd_write_all(pw->fd, sum, 20) < 0) {
		io_fail(err, "write", pw->tmp);
		goto out;
	}
	qsort(pw->e, pw->n, sizeof(*pw->e), cmp_entry);
	for (size_t i = 0; i < pw->n; i++)
		fan[pw->e[i].id[0]]++;
	for (int i = 1; i < 256; i++)
		fan[i] += fan[i - 1];
	buf_add(&ib, "\377tOc", 4);
	put32(&ib, 2);
	for (int i = 0; i < 256; i++)
		put32(&ib, fan[i]);
	for (size_t i = 0; i < pw->n; i++)
		buf_add(&ib, pw->e[i].id, 20);
	for (size_t i = 0; i < pw->n; i++)
		put32(&ib, pw->e[i].crc);
	for (size_t i = 0; i < pw->n; i++)
		put32(&ib, pw->e[i].offset < 0x80000000u ? (uint32_t)pw->e[i].offset : 0x80000000u | nlarge++);
	for (size_t i = 0; i < pw->n; i++) {
		if (pw->e[i].offset >= 0x80000000u) {
			put32(&ib, (uint32_t)(pw->e[i].offset >> 32));
			put32(&ib, (uint32_t)pw->e[i].offset);
		}
	}
	buf_add(&ib, sum, 20);
	EVP_Digest(ib.data, ib.len, isum, &len, EVP_sha1(), NULL);
	buf_add(&ib, isum, 20);
	for (int i = 0; i < 20; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
	pack = xasprintf("%s/pack-%s.pack", pw->dir, hex);
	idx = xasprintf("%s/pack-%s.idx", pw->dir, hex);
	itmp = xasprintf("%s/tmp_belay_idx_%s", pw->dir, hex);
	ifd = open(itmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
	if (ifd < 0 || fd_write_all(ifd, ib.data, ib.len) < 0 || close(ifd) < 0) {
		ifd = -1;
		io_fail(err, "write", itmp);
		unlink(itmp);
		goto out;
	}
	ifd = -1;
	fchmod(pw->fd, 0444);
	/* the pack first: an index is what makes a pack visible */
	if (rename(pw->tmp, pack) < 0) {
		io_fail(err, "rename", pw->tmp);
		unlink(itmp);
		goto out;
	}
	free(pw->tmp);
	pw->tmp = NULL;
	if (rename(itmp, idx) < 0) {
		io_fail(err, "rename", itmp);
		unlink(itmp);
		goto out;
	}
	snprintf(pw->name, sizeof(pw->name), "pack-%s", hex);
	rc = 0;
out:
	if (ifd >= 0)
		close(ifd);
	free(pack);
	free(idx);
	free(itmp);
	buf_release(&ib);
	return rc;
}

const char *packwriter_name(const struct packwriter *pw)
{
	return pw->name;
}
