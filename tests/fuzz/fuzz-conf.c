/*
 * fuzz-conf.c - keymap and theme files (tui/keymap.c, tui/theme.c) and the
 * lexer under them (supervisor/conf.c), on any bytes.
 *
 * Checked: every line the lexer hands over is well formed, every error is one
 * "file:line: message" line, the error count is the number of those lines,
 * and a keymap or theme survives any file (lookups still work afterwards).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/buf.h"
#include "../../supervisor/conf.h"
#include "../../tui/keymap.h"
#include "../../tui/theme.h"

static unsigned last_line;

static void check_line(struct conf_line *l, void *data)
{
	(void)data;
	if (l->argc < 1 || l->argc > CONF_MAX_WORDS || !l->argv || l->argv[l->argc])
		abort();
	if (l->lineno <= last_line)
		abort(); /* one call per line, in order */
	last_line = l->lineno;
	for (int i = 0; i < l->argc; i++)
		if (!l->argv[i] || strlen(l->argv[i]) > CONF_MAX_LINE || strchr(l->argv[i], '\n'))
			abort();
	/* report an error for some lines, as callbacks do */
	if (l->argc > 3)
		conf_error(l, "more than three words (%d)", l->argc);
}

/* Every line of errors is "file:N: …\n" with N from 1 up; returns their number. */
static int check_errors(const struct buf *errors, const char *file)
{
	const char *p = errors->data, *end = errors->data + errors->len;
	size_t fl = strlen(file);
	int n = 0;

	if (!errors->len)
		return 0;
	if (errors->data[errors->len - 1] != '\n')
		abort();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *num_end;
		unsigned long line;

		if (!nl || (size_t)(nl - p) < fl + 3 || memcmp(p, file, fl) || p[fl] != ':')
			abort();
		line = strtoul(p + fl + 1, &num_end, 10);
		if (!line || num_end[0] != ':' || num_end[1] != ' ')
			abort();
		n++;
		p = nl + 1;
	}
	return n;
}

static void count_binding(const struct key *k, enum action a, void *data)
{
	(void)k;
	if (a >= A__COUNT)
		abort();
	(*(int *)data)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct buf errors = BUF_INIT;
	struct keymap *km;
	struct theme *th;
	int n, nb = 0;

	last_line = 0;
	n = conf_parse("f", text, size, check_line, NULL, &errors);
	if (n < 0 || check_errors(&errors, "f") != n)
		abort();
	buf_release(&errors);

	km = keymap_new();
	n = keymap_load(km, "k.keys", text, size, &errors);
	if (n < 0 || check_errors(&errors, "k.keys") != n)
		abort();
	for (int t = 0; t < KT__COUNT; t++) {
		keymap_each(km, (enum key_table)t, count_binding, &nb);
		if (keymap_lookup(km, (enum key_table)t, keymap_prefix(km)) >= A__COUNT)
			abort();
	}
	if (keymap_escape_time(km) > 2000)
		abort();
	{
		char name[64];

		key_format(keymap_prefix(km), name, sizeof(name));
	}
	keymap_free(km);
	buf_release(&errors);

	th = theme_new();
	n = theme_load(th, "t.theme", text, size, &errors);
	if (n < 0 || check_errors(&errors, "t.theme") != n)
		abort();
	for (int e = 0; e < TH__COUNT; e++)
		if (theme_style(th, (enum theme_element)e)->attrs & ~0x3fu)
			abort();
	theme_free(th);
	buf_release(&errors);
	return 0;
}
