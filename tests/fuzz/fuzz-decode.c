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
	return 0;
}
