/*
 * recdiff.c - a recorded step's changes read back; see recdiff.h.  Nothing
 * in the record is trusted: counts are clamped, statuses checked, a
 * missing patch said in words.
 */
#define _GNU_SOURCE
#include "recdiff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../supervisor/util.h"

static void drop_lines(struct recdiff *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i].text);
	d->nlines = 0;
}

void recdiff_release(struct recdiff *d)
{
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i].path), free(d->files[i].old_path);
	free(d->files);
	d->files = NULL;
	d->nfiles = 0;
	drop_lines(d);
	free(d->lines);
	d->lines = NULL;
	d->lines_cap = 0;
}

static unsigned count_of(json_t *f, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(f, key));

	return v > 0 && v < 1 << 30 ? (unsigned)v : 0;
}

size_t recdiff_files(struct recdiff *d, json_t *record)
{
	json_t *fs = json_object_get(record, "files"), *f;
	size_t i;

	recdiff_release(d);
	d->files = xcalloc(json_array_size(fs) + 1, sizeof(*d->files));
	json_array_foreach(fs, i, f) {
		struct review_file *rf = &d->files[d->nfiles++];
		const char *st = json_string_value(json_object_get(f, "status"));
		json_int_t size = json_integer_value(json_object_get(f, "size"));

		rf->path = xstrdup(json_string_value(json_object_get(f, "path")) ?: "?");
		if (json_string_value(json_object_get(f, "old")))
			rf->old_path = xstrdup(json_string_value(json_object_get(f, "old")));
		rf->status = st && st[0] && strchr("AMDRT", st[0]) ? st[0] : 'M';
		rf->added = count_of(f, "added");
		rf->removed = count_of(f, "removed");
		rf->binary = json_is_true(json_object_get(f, "binary"));
		rf->size = size > 0 ? (uint64_t)size : 0;
	}
	return d->nfiles;
}

static void add_line(struct recdiff *d, enum diff_part part, const char *text, size_t len, unsigned o, unsigned n)
{
	struct review_line *l;

	d->lines = xgrow(d->lines, &d->lines_cap, d->nlines + 1, sizeof(*d->lines));
	l = &d->lines[d->nlines++];
	l->part = part;
	l->text = xstrndup(text, len);
	l->old_no = o;
	l->new_no = n;
}

/* A recorded patch ("@@ -a,b +c,d @@", then ' ', '+', '-', '\' lines) as lines with their numbers. */
static void parse_patch(struct recdiff *d, const char *s, size_t len)
{
	unsigned o = 0, n = 0;
	const char *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (l >= 2 && !strncmp(s, "@@", 2)) {
			unsigned a = 0, c = 0;

			if (sscanf(s, "@@ -%u%*[^+]+%u", &a, &c) == 2 || sscanf(s, "@@ -%u +%u", &a, &c) == 2)
				o = a, n = c;
			add_line(d, DIFF_HUNK_HEADER, s, l, 0, 0);
		} else if (l && *s == '+') {
			add_line(d, DIFF_ADDED, s + 1, l - 1, 0, n++);
		} else if (l && *s == '-') {
			add_line(d, DIFF_REMOVED, s + 1, l - 1, o++, 0);
		} else if (l && *s == ' ') {
			add_line(d, DIFF_CONTEXT, s + 1, l - 1, o++, n++);
		} else {
			add_line(d, DIFF_OTHER, l >= 2 ? s + 2 : s, l >= 2 ? l - 2 : l, 0, 0);
		}
		s += l + 1;
	}
}

size_t recdiff_patch(struct recdiff *d, json_t *record, size_t i)
{
	json_t *f = json_array_get(json_object_get(record, "files"), i), *t = json_object_get(f, "patch");

	drop_lines(d);
	if (i < d->nfiles && d->files[i].binary) {
		char *s = xasprintf("binary file, %llu bytes", (unsigned long long)d->files[i].size);

		add_line(d, DIFF_OTHER, s, strlen(s), 0, 0);
		free(s);
	} else if (json_is_string(t)) {
		parse_patch(d, json_string_value(t), json_string_length(t));
	} else {
		const char *s = "too large to be recorded line by line (the checkpoints have it)";

		add_line(d, DIFF_OTHER, s, strlen(s), 0, 0);
	}
	return d->nlines;
}

void recdiff_count(json_t *record, unsigned *added, unsigned *removed)
{
	json_t *f;
	size_t i;

	*added = *removed = 0;
	json_array_foreach(json_object_get(record, "files"), i, f) {
		*added += count_of(f, "added");
		*removed += count_of(f, "removed");
	}
}
