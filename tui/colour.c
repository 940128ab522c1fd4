/*
 * colour.c - colour names and nearest-colour mapping.  The 256-colour search
 * follows tmux's colour_find_rgb(): the nearest of the 6x6x6 cube and of the
 * grey ramp, by squared distance.  No curses here, so it can be unit tested.
 */
#include "colour.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../supervisor/util.h"

static const char *const names[8] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };

/* xterm's default 16 colours */
static const uint8_t ansi_rgb[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0xcd, 0x00, 0x00 }, { 0x00, 0xcd, 0x00 }, { 0xcd, 0xcd, 0x00 },
	{ 0x00, 0x00, 0xee }, { 0xcd, 0x00, 0xcd }, { 0x00, 0xcd, 0xcd }, { 0xe5, 0xe5, 0xe5 },
	{ 0x7f, 0x7f, 0x7f }, { 0xff, 0x00, 0x00 }, { 0x00, 0xff, 0x00 }, { 0xff, 0xff, 0x00 },
	{ 0x5c, 0x5c, 0xff }, { 0xff, 0x00, 0xff }, { 0x00, 0xff, 0xff }, { 0xff, 0xff, 0xff },
};

static const uint8_t cube[6] = { 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff };

int colour_parse(const char *s, int *out)
{
	long n;

	if (!strcasecmp(s, "default") || !strcmp(s, "-")) {
		*out = COLOUR_DEFAULT;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (!strcasecmp(s, names[i])) {
			*out = i;
			return 0;
		}
		if (!strncasecmp(s, "bright", 6) && !strcasecmp(s + 6, names[i])) {
			*out = i + 8;
			return 0;
		}
	}
	if (!strncasecmp(s, "colour", 6) && parse_int(s + 6, 0, 255, &n)) {
		*out = (int)n;
		return 0;
	}
	if (!strncasecmp(s, "color", 5) && parse_int(s + 5, 0, 255, &n)) {
		*out = (int)n;
		return 0;
	}
	if (s[0] == '#' && strlen(s) == 7 && strspn(s + 1, "0123456789abcdefABCDEF") == 6) {
		unsigned long v = strtoul(s + 1, NULL, 16);

		*out = COLOUR_RGB | (int)v;
		return 0;
	}
	return -1;
}

void colour_index_rgb(int i, uint8_t *r, uint8_t *g, uint8_t *b)
{
	if (i < 16) {
		*r = ansi_rgb[i][0], *g = ansi_rgb[i][1], *b = ansi_rgb[i][2];
	} else if (i < 232) {
		i -= 16;
		*r = cube[i / 36], *g = cube[(i / 6) % 6], *b = cube[i % 6];
	} else {
		uint8_t v = (uint8_t)(8 + (i - 232) * 10);

		*r = *g = *b = v;
	}
}

static int sqdist(int r1, int g1, int b1, int r2, int g2, int b2)
{
	return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) + (b1 - b2) * (b1 - b2);
}

static int cube_index(int v)
{
	if (v < 48)
		return 0;
	if (v < 114)
		return 1;
	return (v - 35) / 40;
}

int colour_rgb_to_256(uint8_t r, uint8_t g, uint8_t b)
{
	int qr = cube_index(r), qg = cube_index(g), qb = cube_index(b);
	int cr = cube[qr], cg = cube[qg], cb = cube[qb];
	int grey_avg, grey_idx, grey;

	if (cr == r && cg == g && cb == b)
		return 16 + 36 * qr + 6 * qg + qb;
	grey_avg = (r + g + b) / 3;
	grey_idx = grey_avg > 238 ? 23 : (grey_avg < 3 ? 0 : (grey_avg - 3) / 10);
	grey = 8 + 10 * grey_idx;
	if (sqdist(grey, grey, grey, r, g, b) < sqdist(cr, cg, cb, r, g, b))
		return 232 + grey_idx;
	return 16 + 36 * qr + 6 * qg + qb;
}

int colour_rgb_to_16(uint8_t r, uint8_t g, uint8_t b)
{
	int best = 0, bestd = -1;

	for (int i = 0; i < 16; i++) {
		int d = sqdist(r, g, b, ansi_rgb[i][0], ansi_rgb[i][1], ansi_rgb[i][2]);

		if (bestd < 0 || d < bestd)
			best = i, bestd = d;
	}
	return best;
}

int colour_to_curses(int colour, const struct colour_caps *caps, int *bright)
{
	uint8_t r, g, b;
	int idx;

	if (bright)
		*bright = 0;
	if (colour == COLOUR_DEFAULT || caps->ncolours < 8)
		return -1;
	if (COLOUR_IS_RGB(colour)) {
		r = (uint8_t)(colour >> 16), g = (uint8_t)(colour >> 8), b = (uint8_t)colour;
		if (caps->direct) {
			int v = colour & 0xffffff;

			/* direct terminfo entries treat small numbers (below 8, 16 or
			 * 256, by entry) as palette indices; one step of green is
			 * invisible, a palette colour is not */
			return v < 256 ? v + 256 : v;
		}
		if (caps->ncolours >= 256)
			return colour_rgb_to_256(r, g, b);
		idx = colour_rgb_to_16(r, g, b);
	} else {
		idx = colour & 0xff;
		if (caps->direct) {
			if (idx < 8)
				return idx;
			colour_index_rgb(idx, &r, &g, &b);
			int v = (r << 16) | (g << 8) | b;

			return v < 256 ? v + 256 : v;
		}
		if (idx < caps->ncolours && caps->ncolours >= 16)
			return idx;
		if (idx >= 16) {
			colour_index_rgb(idx, &r, &g, &b);
			idx = colour_rgb_to_16(r, g, b);
		}
		if (caps->ncolours >= 16)
			return idx;
	}
	if (idx >= 8) {
		if (bright)
			*bright = 1;
		idx -= 8;
	}
	return idx;
}
