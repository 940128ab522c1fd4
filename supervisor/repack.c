/*
 * repack.c - merging the small packs that steps leave in the shadow
 * repository; see shadow_repack() in shadow.h.
 */
#define _GNU_SOURCE
#include "shadow-int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirs.h"
#include "glob.h"
#include "packwrite.h"
#include "util.h"

/* Small packs: merged when there are too many (each lookup searches every one). */
#define SMALL_PACK (8u << 20)
#define SMALL_PACK_OBJECTS 5000

static int read_idx_ids(const char *path, git_oid **ids, size_t *n)
{
	FILE *f = fopen(path, "rbe");
	unsigned char head[8], fan[1024];
	uint32_t count;

	*ids = NULL;
	*n = 0;
	if (!f)
		return -1;
	if (fread(head, 1, 8, f) != 8 || memcmp(head, "\377tOc\0\0\0\2", 8) || fread(fan, 1, 1024, f) != 1024) {
		fclose(f);
		return -1;
	}
	count = (uint32_t)fan[1020] << 24 | (uint32_t)fan[1021] << 16 | (uint32_t)fan[1022] << 8 | fan[1023];
	*ids = xcalloc(count ? count : 1, sizeof(git_oid));
	for (uint32_t i = 0; i < count; i++) {
		unsigned char raw[GIT_OID_RAWSZ];

		if (fread(raw, 1, sizeof(raw), f) != sizeof(raw)) {
			fclose(f);
			free(*ids);
			*ids = NULL;
			return -1;
		}
		git_oid_fromraw(&(*ids)[i], raw);
	}
	*n = count;
	fclose(f);
	return 0;
}

int shadow_repack(struct shadow *sh, unsigned max_packs, struct buf *err)
{
	char *packdir = xasprintf("%s/objects/pack", sh->dir), *objects = xasprintf("%s/objects", sh->dir);
	DIR *d = opendir(packdir);
	struct dirent *de;
	char **small = NULL;
	size_t nsmall = 0, cap = 0, npacks = 0;
	struct packwriter *pw = NULL;
	git_odb *odb = NULL;
	int rc = 0;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *pack;

		if (len < 5 || strcmp(de->d_name + len - 4, ".idx") || strncmp(de->d_name, "pack-", 5))
			continue;
		npacks++;
		pack = xasprintf("%s/%.*s.pack", packdir, (int)(len - 4), de->d_name);
		if (stat(pack, &st) == 0 && (uint64_t)st.st_size < SMALL_PACK) {
			char *base = xasprintf("%s/%.*s", packdir, (int)(len - 4), de->d_name);
			char *idx = xasprintf("%s.idx", base);
			git_oid *ids = NULL;
			size_t n = 0;

			/* a baseline is one big pack of many small objects: it stays */
			if (read_idx_ids(idx, &ids, &n) == 0 && n < SMALL_PACK_OBJECTS) {
				small = xgrow(small, &cap, nsmall + 1, sizeof(char *));
				small[nsmall++] = base;
				base = NULL;
			}
			free(ids);
			free(idx);
			free(base);
		}
		free(pack);
	}
	if (d)
		closedir(d);
	if (npacks <= max_packs || nsmall < 2)
		goto out;
	if (git_repository_odb(&odb, sh->repo) < 0 || !(pw = packwriter_new(objects, err))) {
		rc = -1;
		goto out;
	}
	/* every object of the small packs into one; then they go */
	for (size_t i = 0; i < nsmall && rc == 0; i++) {
		char *idx = xasprintf("%s.idx", small[i]);
		git_oid *ids;
		size_t n;

		if (read_idx_ids(idx, &ids, &n) < 0) {
			buf_addf(err, "cannot read the pack index '%s'", idx);
			rc = -1;
		}
		for (size_t k = 0; rc == 0 && k < n; k++) {
			git_odb_object *obj;
			git_oid id;

			if (git_odb_read(&obj, odb, &ids[k]) < 0) {
				rc = git_fail(err, "cannot read an object to repack");
				break;
			}
			rc = packwriter_add(pw, git_odb_object_type(obj), git_odb_object_data(obj),
					    git_odb_object_size(obj), &id, err);
			git_odb_object_free(obj);
		}
		free(ids);
		free(idx);
	}
	if (rc == 0 && packwriter_finish(pw, err) == 0) {
		git_odb_refresh(odb);
		for (size_t i = 0; i < nsmall; i++) {
			char *idx = xasprintf("%s.idx", small[i]), *pack = xasprintf("%s.pack", small[i]);

			/* the same objects make the same pack: never the one just written */
			if (!strcmp(strrchr(small[i], '/') + 1, packwriter_name(pw))) {
				free(idx);
				free(pack);
				continue;
			}
			/* the index first: a pack without one is invisible */
			unlink(idx);
			unlink(pack);
			free(idx);
			free(pack);
		}
		git_odb_refresh(odb);
		rc = (int)nsmall;
	} else {
		rc = -1;
	}
out:
	packwriter_free(pw);
	git_odb_free(odb);
	for (size_t i = 0; i < nsmall; i++)
		free(small[i]);
	free(small);
	free(packdir);
	free(objects);
	return rc;
}
