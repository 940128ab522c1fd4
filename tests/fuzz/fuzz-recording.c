/*
 * fuzz-recording.c - a recording's reader (supervisor/recording.c) and what
 * reads its records (event_from_json in event.c, the exports in export.c)
 * on any bytes.  The input is read twice: as it is (the chain stops most
 * of it at once), and with the chain made anew over its lines, so that
 * whatever a line holds reaches the parsers behind the chain: the header's
 * sizes, times, outputs, events, diffs.  Checked: no crash, no leak, sizes
 * clamped, times never going back.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/buf.h"
#include "../../supervisor/digest.h"
#include "../../supervisor/event.h"
#include "../../supervisor/export.h"
#include "../../supervisor/journal.h"
#include "../../supervisor/recording.h"

static void read_all(const char *data, size_t len)
{
	struct buf err = BUF_INIT;
	struct recording *r = recording_open_mem(data, len, &err);
	struct rec_line l;
	struct event ev;
	struct event_read keep = { 0 };
	uint64_t last = 0;
	unsigned rows, cols;
	json_t *prev = NULL;

	buf_release(&err);
	if (!r)
		return;
	recording_size(r, &rows, &cols);
	if (rows < 2 || rows > RECORDING_MAX_ROWS || cols < 2 || cols > RECORDING_MAX_COLS)
		abort();
	while (recording_next(r, &l) > 0) {
		if (l.t_ns < last)
			abort();
		last = l.t_ns;
		event_from_json(l.obj, prev, &ev, &keep);
		json_decref(prev);
		prev = json_incref(l.obj);
		{
			json_t *again = recording_read_at(r, l.offset);

			json_decref(again);
		}
	}
	json_decref(prev);
	event_read_release(&keep);
	recording_free(r);
	/* each export reads it from the start */
	for (int f = EXPORT_ASCIICAST; f <= EXPORT_MD; f++) {
		FILE *out = fopen("/dev/null", "w");

		r = recording_open_mem(data, len, &err);
		if (r && out)
			export_recording(r, (enum export_format)f, out, &err);
		if (out)
			fclose(out);
		recording_free(r);
		buf_release(&err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf chained = BUF_INIT;
	char prev[JOURNAL_HASH_HEX + 1] = "";
	const char *p = (const char *)data, *end = p + size;

	read_all((const char *)data, size);
	/* each line ending in '}' gets its "h" as the journal writes it */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n && p[n - 1] == '}') {
			unsigned char d[DIGEST_LEN];
			const void *parts[] = { prev, p };
			size_t lens[] = { strlen(prev), n };

			digest_sha256(parts, lens, 2, d);
			digest_hex(d, JOURNAL_HASH_HEX / 2, prev);
			buf_add(&chained, p, n - 1);
			buf_addf(&chained, ",\"h\":\"%s\"}", prev);
		} else {
			buf_add(&chained, p, n);
		}
		if (nl)
			buf_addch(&chained, '\n');
		p += n + (nl ? 1 : 0);
	}
	read_all(chained.data ? chained.data : "", chained.len);
	buf_release(&chained);
	return 0;
}
