/*
 * fuzz-storecheck.c - the checker of a damaged checkpoint store
 * (supervisor/storecheck.c) on any bytes, as a loose object, a pack with its
 * index, a ref and packed-refs.
 *
 * Checked: it returns 0 or -1, and on -1 says which file and what to do;
 * it never hangs (libFuzzer's -timeout) and never reads out of bounds.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../supervisor/buf.h"
#include "../../supervisor/shadow.h"

static char dir[64];

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz-storecheck: cannot remove %s\n", dir);
}

static void put(const char *rel, const uint8_t *data, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	static const char *const files[] = {
		"objects/ab/cdef0123456789abcdef0123456789abcdef01",
		"objects/pack/pack-0000000000000000000000000000000000000000.pack",
		"objects/pack/pack-0000000000000000000000000000000000000000.idx",
		"refs/belay/sessions/1",
		"packed-refs",
	};
	size_t which = size ? data[0] % 5 : 0;
	int rc;

	if (!dir[0]) {
		char path[256];

		snprintf(dir, sizeof(dir), "/tmp/fuzz-storecheck-%d", (int)getpid());
		atexit(remove_dir);
		const char *mk[] = { "", "/objects", "/objects/ab", "/objects/pack", "/refs", "/refs/belay",
				     "/refs/belay/sessions" };
		for (size_t i = 0; i < sizeof(mk) / sizeof(*mk); i++) {
			snprintf(path, sizeof(path), "%s%s", dir, mk[i]);
			mkdir(path, 0700);
		}
		put("HEAD", (const uint8_t *)"ref: refs/heads/main\n", 21);
	}
	for (size_t i = 0; i < 5; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (which == 1 || which == 2) {
		/* a pack and its index, both from the input */
		size_t half = size / 2;

		put(files[1], data, half);
		put(files[2], data + half, size - half);
	} else {
		put(files[which], size ? data + 1 : data, size ? size - 1 : 0);
	}
	rc = shadow_check(dir, &err);
	if (rc != 0 && rc != -1)
		abort();
	if (rc < 0 && (!err.data || !strstr(err.data, "the checkpoint store is damaged") || !strstr(err.data, "mv ")))
		abort();
	buf_release(&err);
	return 0;
}
