/*
 * fuzz-vtscan.c - the scanner ahead of libtsm (tui/vtscan.c) on any bytes.
 *
 * The first two bytes choose where the rest is cut into feeds.  Checked:
 * the output of the cut feeds is the output of one feed (and so are the
 * modes, the bells and the stand-ins), and every cell libtsm makes of the
 * output maps back through vtscan_unmap() to itself or, for a stand-in, to
 * the character it stands for (never to a stand-in nobody handed out).
 */
#define _GNU_SOURCE
#include <libtsm.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/buf.h"
#include "../../tui/vtscan.h"

#define REP_LIMIT 512

struct run {
	struct buf out;
	unsigned modes, bells;
};

static void collect(void *data, const char *bytes, size_t len)
{
	struct buf *b = data;

	if (!len)
		abort(); /* the out callback never gets empty pieces */
	buf_add(b, bytes, len);
}

static int standin_range(uint32_t cp)
{
	return (cp >= 0x32000 && cp <= 0x3fffd) || (cp >= 0xf0000 && cp <= 0xffffd);
}

static void check_cell(struct vtscan *vs, uint32_t ch)
{
	uint32_t orig = vtscan_unmap(vs, ch);

	/* a stand-in nobody handed out cannot be in a cell (vtscan.c) */
	if (standin_range(ch) && orig == 0xfffd)
		abort();
	/* unmapping is only for stand-ins: everything else is itself */
	if (!standin_range(ch) && orig != ch)
		abort();
}

static int draw_cell(struct tsm_screen *scr, uint64_t id, const uint32_t *ch, size_t len, unsigned width,
		     unsigned x, unsigned y, const struct tsm_screen_attr *a, tsm_age_t age, void *data)
{
	(void)scr, (void)id, (void)width, (void)x, (void)y, (void)a, (void)age;
	if (len && width)
		check_cell(data, ch[0]);
	return 0;
}

static void reply(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
	(void)vte, (void)u8, (void)len, (void)data;
}

static struct vtscan *run_scan(const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts, struct run *r)
{
	struct vtscan *vs = vtscan_new(collect, &r->out);
	size_t pos = 0;

	vtscan_set_rep_limit(vs, REP_LIMIT);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		vtscan_feed(vs, (const char *)in + pos, end - pos);
		pos = end;
	}
	r->modes = vtscan_modes(vs);
	r->bells = vtscan_take_bells(vs);
	return vs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct run whole = { BUF_INIT, 0, 0 }, part = { BUF_INIT, 0, 0 };
	struct vtscan *a, *b;
	size_t cuts[32], ncuts = 0, len;
	const uint8_t *in;
	unsigned seed;

	if (!init) {
		setlocale(LC_CTYPE, "C.UTF-8");
		init = 1;
	}
	if (size < 2)
		return 0;
	seed = (unsigned)data[0] << 8 | data[1];
	in = data + 2;
	len = size - 2;
	/* cut points from the seed: a step, and a multiplier that varies it */
	if (len) {
		size_t step = 1 + (seed & 0x1f), pos = 0;

		while (ncuts < 32) {
			pos += step + ((seed >> 5) * (ncuts + 1)) % 7;
			if (pos >= len)
				break;
			cuts[ncuts++] = pos;
		}
	}

	a = run_scan(in, len, NULL, 0, &whole);
	b = run_scan(in, len, cuts, ncuts, &part);
	if (whole.out.len != part.out.len || (whole.out.len && memcmp(whole.out.data, part.out.data, whole.out.len)))
		abort();
	if (whole.modes != part.modes || whole.bells != part.bells)
		abort();
	/* the same stand-ins stand for the same characters */
	for (uint32_t cp = 0x32000; cp < 0x32040; cp++)
		if (vtscan_unmap(a, cp) != vtscan_unmap(b, cp))
			abort();
	for (uint32_t cp = 0xf0000; cp < 0xf0040; cp++)
		if (vtscan_unmap(a, cp) != vtscan_unmap(b, cp))
			abort();

	/* what libtsm makes of it, cell by cell */
	{
		struct tsm_screen *scr;
		struct tsm_vte *vte;

		if (tsm_screen_new(&scr, NULL, NULL) < 0)
			abort();
		tsm_screen_resize(scr, 20, 5);
		if (tsm_vte_new(&vte, scr, reply, NULL, NULL, NULL) < 0)
			abort();
		tsm_vte_input(vte, whole.out.data ? whole.out.data : "", whole.out.len);
		tsm_screen_draw(scr, draw_cell, a);
		tsm_vte_unref(vte);
		tsm_screen_unref(scr);
	}

	vtscan_free(a);
	vtscan_free(b);
	buf_release(&whole.out);
	buf_release(&part.out);
	return 0;
}
