/*
 * fuzz-termview.c - the agent's terminal (tui/termview.c: vtscan and libtsm)
 * on any bytes, in a small 20x5 view with scrollback.
 *
 * The first byte chooses the feed sizes.  After feeding, every row's text is
 * taken (it must be UTF-8 holding at most 20 characters), the view is
 * scrolled to the top and back, a selection is copied, and the title, modes
 * and cursor are read.
 */
#define _GNU_SOURCE
#include <libtsm.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/buf.h"
#include "../../tui/termview.h"

#define ROWS 5
#define COLS 20

static size_t replied;

static void to_agent(void *data, const char *bytes, size_t len)
{
	(void)data;
	if (!bytes || !len)
		abort();
	replied += len;
}

/* Characters in a UTF-8 string, or -1 if it is not UTF-8. */
static int utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;

	for (size_t i = 0; i < len; n++) {
		size_t l = p[i] < 0x80 ? 1 : (p[i] & 0xe0) == 0xc0 ? 2 : (p[i] & 0xf0) == 0xe0 ? 3 :
			   (p[i] & 0xf8) == 0xf0 ? 4 : 0;

		if (!l || i + l > len)
			return -1;
		for (size_t k = 1; k < l; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
		i += l;
	}
	return n;
}

static void check_rows(struct termview *tv)
{
	for (unsigned y = 0; y < ROWS; y++) {
		struct buf b = BUF_INIT;
		int n;

		termview_row_text(tv, y, &b);
		n = utf8_chars(b.data ? b.data : "", b.len);
		if (n < 1 || n > COLS)
			abort();
		buf_release(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct termview *tv;
	unsigned ctl, x, y, k = 0;
	size_t pos = 0, len;
	const char *p, *title;
	char *copy;

	if (!init) {
		setlocale(LC_CTYPE, "C.UTF-8");
		init = 1;
	}
	if (size < 1)
		return 0;
	ctl = data[0];
	p = (const char *)data + 1;
	len = size - 1;
	tv = termview_new(ROWS, COLS, 50, to_agent, NULL);
	while (pos < len) {
		size_t n = ctl & 0x80 ? len - pos : 1 + ((ctl + k * 13) & 31);

		if (n > len - pos)
			n = len - pos;
		termview_feed(tv, p + pos, n);
		pos += n;
		k++;
	}
	check_rows(tv);

	title = termview_title(tv);
	if (strlen(title) > 120 || utf8_chars(title, strlen(title)) < 0)
		abort();
	(void)termview_modes(tv);
	(void)termview_take_bells(tv);
	if (termview_cursor(tv, &x, &y) && (x >= COLS || y >= ROWS))
		abort();

	/* the scrollback: up to the top, and back */
	if (!termview_alt_screen(tv)) {
		unsigned up = termview_scroll(tv, 1000);

		if (up > 50 + ROWS)
			abort();
		check_rows(tv);
		if (termview_scroll(tv, -1000) != 0)
			abort();
	}
	termview_scroll_reset(tv);

	/* a selection over the whole view */
	termview_select_start(tv, 0, 0);
	termview_select_to(tv, COLS - 1, ROWS - 1);
	copy = termview_select_copy(tv);
	if (copy && utf8_chars(copy, strlen(copy)) < 0)
		abort();
	free(copy);
	termview_select_clear(tv);
	termview_free(tv);
	return 0;
}
