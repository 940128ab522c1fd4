/*
 * fuzz-input.c - the decoder of the outer terminal's bytes (tui/input.c).
 *
 * The first byte chooses the read sizes and where input_flush() (the escape
 * time running out) comes between reads.  Checked: events are well formed,
 * no event carries more bytes than came in, and when only keys came out (no
 * paste, mouse, focus, nor a dropped stray end of paste) their bytes are
 * exactly the input, in order.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/buf.h"
#include "../../tui/input.h"

struct seen {
	struct buf keys;  /* bytes of key events */
	size_t pasted;    /* bytes of paste text */
	int nonkey;       /* events other than keys */
	int in_paste;
};

static void on_event(const struct input_event *ev, void *data)
{
	struct seen *s = data;

	switch (ev->type) {
	case INPUT_KEY:
		if (!ev->data || !ev->len || ev->len > 4096 + 64)
			abort();
		if (s->in_paste)
			abort(); /* keys do not come inside a paste */
		buf_add(&s->keys, ev->data, ev->len);
		break;
	case INPUT_PASTE_BEGIN:
		if (s->in_paste)
			abort();
		s->in_paste = 1;
		s->nonkey++;
		break;
	case INPUT_PASTE:
		if (!s->in_paste || !ev->data || !ev->len)
			abort();
		s->pasted += ev->len;
		s->nonkey++;
		break;
	case INPUT_PASTE_END:
		if (!s->in_paste)
			abort();
		s->in_paste = 0;
		s->nonkey++;
		break;
	case INPUT_MOUSE:
		if (ev->mouse.action > MOUSE_WHEEL_DOWN || ev->mouse.button < -1 || ev->mouse.button > 2 ||
		    ev->mouse.mods & ~7u)
			abort();
		s->nonkey++;
		break;
	case INPUT_FOCUS_IN:
	case INPUT_FOCUS_OUT:
		s->nonkey++;
		break;
	default:
		abort();
	}
}

/* An end of paste (ESC [ 201 ~, any leading zeros, any further
 * parameters) anywhere in p: input
 * drops a stray one, so its bytes are not a key's. */
static int has_paste_end(const char *p, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++) {
		unsigned v = 0;
		size_t j;

		if (p[i] != '\033' || p[i + 1] != '[')
			continue;
		for (j = i + 2; j < len && p[j] >= '0' && p[j] <= '9' && v < 100000; j++)
			v = v * 10 + (unsigned)(p[j] - '0');
		/* the decoder takes the first parameter, whatever follows it */
		while (j < len && ((p[j] >= '0' && p[j] <= '9') || p[j] == ';' || p[j] == ':'))
			j++;
		if (v == 201 && j < len && p[j] == '~')
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { BUF_INIT, 0, 0, 0 };
	struct input *in;
	const char *p;
	size_t len, pos = 0;
	unsigned ctl, k = 0;

	if (size < 1)
		return 0;
	ctl = data[0];
	p = (const char *)data + 1;
	len = size - 1;
	in = input_new(on_event, &s);
	while (pos < len) {
		/* reads of 1 to 16 bytes, or everything at once */
		size_t n = ctl & 0x80 ? len - pos : 1 + ((ctl + k * 7) & 15);

		if (n > len - pos)
			n = len - pos;
		input_feed(in, p + pos, n);
		pos += n;
		k++;
		if ((ctl >> (k % 7)) & 1 && !(ctl & 0x40))
			input_flush(in);
	}
	input_flush(in);
	if (input_pending(in))
		abort();

	if (s.keys.len + s.pasted > len)
		abort();
	if (!s.nonkey && !has_paste_end(p, len) && !memmem(p, len, "\033[<", 3) &&
	    !memmem(p, len, "\033[M", 3)) {
		/* keys only: their bytes are the input (mouse reports that are
		 * not used, and stray ends of pastes, are dropped) */
		if (s.keys.len != len || memcmp(s.keys.data, p, len))
			abort();
	}
	input_free(in);
	buf_release(&s.keys);
	return 0;
}
