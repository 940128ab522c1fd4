/*
 * storecheck.c - is the shadow repository whole?  See shadow_check() in
 * shadow.h.
 *
 * libgit2 1.5 spins forever inflating a truncated loose object (seen in
 * git_odb_read from a "belay log"), so nothing of the store reaches libgit2
 * before it is checked here: every loose object inflates to its end, every
 * pack ends with the checksum its index names, every ref of belay's is an
 * object id, the restore journal names a tree.  The check reads what the
 * store holds outside its packs (a few loose objects: steps write one pack
 * each, repacks merge them) and the last bytes of each pack.
 */
#define _GNU_SOURCE
#include "shadow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"

#define MAX_OBJECT (1ull << 31)

static int damaged(struct buf *err, const char *dir, const char *file, const char *what)
{
	buf_addf(err,
		 "the checkpoint store is damaged: '%s' %s; belay will not read it.  To start afresh, move it aside: "
		 "mv '%s' '%s.damaged' (the sessions recorded there stay in it, for git or a backup)",
		 file, what, dir, dir);
	return -1;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A loose object: a zlib stream that ends, holding "TYPE SIZE\0" and SIZE bytes. */
static const char *check_loose(const char *path)
{
	unsigned char in[65536], out[65536];
	z_stream z;
	int fd = open(path, O_RDONLY | O_CLOEXEC), zr = Z_OK;
	const char *bad = NULL;
	uint64_t total = 0;

	if (fd < 0)
		return "cannot be read";
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		close(fd);
		return "cannot be read";
	}
	while (zr != Z_STREAM_END && !bad) {
		ssize_t n = read(fd, in, sizeof(in));

		if (n < 0) {
			bad = "cannot be read";
			break;
		}
		if (n == 0) {
			bad = "is cut short (a truncated object)";
			break;
		}
		z.next_in = in;
		z.avail_in = (unsigned)n;
		while (z.avail_in && zr != Z_STREAM_END) {
			z.next_out = out;
			z.avail_out = sizeof(out);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END) {
				bad = "is not an object (bad compressed data)";
				break;
			}
			total += sizeof(out) - z.avail_out;
			if (total > MAX_OBJECT) {
				bad = "is too large to be belay's";
				break;
			}
		}
	}
	inflateEnd(&z);
	close(fd);
	return bad;
}

static int check_loose_all(const char *dir, struct buf *err)
{
	char *objects = xasprintf("%s/objects", dir);
	DIR *d = opendir(objects);
	struct dirent *e;
	int rc = 0;

	while (d && rc == 0 && (e = readdir(d))) {
		char *sub;
		DIR *sd;
		struct dirent *f;

		if (strlen(e->d_name) != 2 || !is_hex(e->d_name, 2))
			continue;
		sub = xasprintf("%s/%s", objects, e->d_name);
		sd = opendir(sub);
		while (sd && rc == 0 && (f = readdir(sd))) {
			char *path;
			const char *bad;

			if (strlen(f->d_name) != 38 || !is_hex(f->d_name, 38))
				continue; /* a temporary file of a writer */
			path = xasprintf("%s/%s", sub, f->d_name);
			if ((bad = check_loose(path)))
				rc = damaged(err, dir, path, bad);
			free(path);
		}
		if (sd)
			closedir(sd);
		free(sub);
	}
	if (d)
		closedir(d);
	free(objects);
	return rc;
}

static int read_at(int fd, void *p, size_t n, off_t at)
{
	return pread(fd, p, n, at) == (ssize_t)n ? 0 : -1;
}

/* A pack: "PACK", and its last 20 bytes (the checksum) are the ones its index names. */
static int check_pack(const char *dir, const char *pack, struct buf *err)
{
	size_t n = strlen(pack);
	char *idx = xasprintf("%.*s.idx", (int)(n - 5), pack);
	unsigned char head[4], tail[20], named[20];
	struct stat sp, si;
	int fp = open(pack, O_RDONLY | O_CLOEXEC), fi = open(idx, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fp < 0 || fstat(fp, &sp) < 0)
		rc = damaged(err, dir, pack, "cannot be read");
	else if (fi < 0 || fstat(fi, &si) < 0)
		rc = damaged(err, dir, idx, "is missing (every pack has an index)");
	else if (sp.st_size < 32 || read_at(fp, head, 4, 0) < 0 || memcmp(head, "PACK", 4) ||
		 read_at(fp, tail, 20, sp.st_size - 20) < 0)
		rc = damaged(err, dir, pack, "is cut short or is not a pack");
	else if (si.st_size < 1072 || read_at(fi, named, 20, si.st_size - 40) < 0)
		rc = damaged(err, dir, idx, "is cut short or is not a pack index");
	else if (memcmp(tail, named, 20))
		rc = damaged(err, dir, pack, "does not end as its index says (truncated or changed)");
	if (fp >= 0)
		close(fp);
	if (fi >= 0)
		close(fi);
	free(idx);
	return rc;
}

static int check_packs(const char *dir, struct buf *err)
{
	char *packdir = xasprintf("%s/objects/pack", dir);
	DIR *d = opendir(packdir);
	struct dirent *e;
	int rc = 0;

	while (d && rc == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 5 && !strcmp(e->d_name + n - 5, ".pack") && !strncmp(e->d_name, "pack-", 5)) {
			char *p = xasprintf("%s/%s", packdir, e->d_name);

			rc = check_pack(dir, p, err);
			free(p);
		}
	}
	if (d)
		closedir(d);
	free(packdir);
	return rc;
}

/* A file that must hold an object id (and a newline), or be absent. */
static int check_id_file(const char *dir, const char *path, int required, struct buf *err)
{
	char b[128];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT && !required ? 0 : damaged(err, dir, path, "cannot be read");
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n < 40 || !is_hex(b, 40) || (n > 40 && b[40] != '\n'))
		return damaged(err, dir, path, "does not hold an object id (a damaged ref)");
	return 0;
}

static int check_refs(const char *dir, struct buf *err)
{
	char *sessions = xasprintf("%s/refs/belay/sessions", dir), *packed = xasprintf("%s/packed-refs", dir);
	DIR *d = opendir(sessions);
	struct dirent *e;
	FILE *f;
	int rc = 0;

	while (d && rc == 0 && (e = readdir(d))) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", sessions, e->d_name);
		/* a writer's lock beside a ref is git's; a stale one is harmless to a reader */
		if (!strstr(e->d_name, ".lock"))
			rc = check_id_file(dir, p, 1, err);
		free(p);
	}
	if (d)
		closedir(d);
	if (rc == 0 && (f = fopen(packed, "re"))) {
		char line[4096];

		while (rc == 0 && fgets(line, sizeof(line), f))
			if (line[0] != '#' && line[0] != '^' && (strlen(line) < 42 || !is_hex(line, 40) || line[40] != ' '))
				rc = damaged(err, dir, packed, "has a line that is not a ref");
		fclose(f);
	}
	free(sessions);
	free(packed);
	return rc;
}

int shadow_check(const char *dir, struct buf *err)
{
	char *journal = xasprintf("%s/restoring", dir), *head = xasprintf("%s/HEAD", dir);
	struct stat st;
	int rc = 0;

	if (stat(head, &st) < 0 && errno == ENOENT)
		rc = damaged(err, dir, head, "is missing");
	if (rc == 0)
		rc = check_refs(dir, err);
	if (rc == 0)
		rc = check_packs(dir, err);
	if (rc == 0)
		rc = check_loose_all(dir, err);
	free(journal);
	free(head);
	return rc;
}
