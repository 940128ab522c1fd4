/*
 * fuzz-decode.c - the decoders of what is read from an agent's memory
 * (supervisor/decode.c) and policy globs (supervisor/glob.c) on any bytes.
 * Checks: paths come out absolute and normal, addresses are C strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/decode.h"
#include "../../supervisor/glob.h"
#include "../../supervisor/util.h"

/* The fuzz input is the agent's memory, mapped at BASE. */
#define BASE 0x7f0000001000ull

struct image {
	const uint8_t *data;
	size_t size;
};

static ssize_t image_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (addr < BASE || addr - BASE >= im->size)
		return -1;
	if (len > im->size - (addr - BASE))
		len = im->size - (addr - BASE); /* a short read, as at the end of a mapping */
	memcpy(buf, im->data + (addr - BASE), len);
	return (ssize_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf path = BUF_INIT;
	struct call_addr a;
	char *s = xstrndup((const char *)data, size); /* up to the first NUL */
	const char *half = s + strlen(s) / 2;

	decode_path("/base/dir", s, &path);
	if (path.data[0] != '/' || strstr(path.data, "//") || strstr(path.data, "/./") ||
	    strstr(path.data, "/../") || (path.len > 1 && path.data[path.len - 1] == '/'))
		abort();
	buf_release(&path);
	decode_sockaddr(data, size, &a);
	if (!a.host || strlen(a.host) > 128)
		abort();
	free(a.host);
	/* globs are the user's and short; the texts are the agent's */
	if (strlen(s) < 512) {
		glob_match(s, half, GLOB_PATH);
		glob_match(half, s, GLOB_TEXT);
	}
	free(s);

	/* argv: the first 8 bytes say where the array is, the rest is memory */
	if (size >= 8) {
		struct image im = { data, size };
		uint64_t at;
		char **argv;
		size_t argc, total = 0;
		int cut;

		memcpy(&at, data, 8);
		at = BASE + at % (size + 16); /* mostly inside, sometimes just past */
		if (decode_argv(image_read, &im, at, 64, 4096, &argv, &argc, &cut) == 0) {
			for (size_t i = 0; i < argc; i++)
				total += strlen(argv[i]) + 1;
			if (argv[argc] || argc > 64 || total > 4096 + 1)
				abort();
			for (size_t i = 0; i < argc; i++)
				free(argv[i]);
			free(argv);
		}
	}
	return 0;
}
