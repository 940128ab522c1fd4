/*
 * colour.h - colours: names in theme files, and mapping the agent's colours
 * (16 palette entries, 256 indices, 24-bit RGB) to what the outer terminal
 * supports (8, 16, 256 colours or direct colour).
 *
 * A colour value is COLOUR_DEFAULT, a palette index 0..255, or an RGB value
 * marked with COLOUR_RGB.
 */
#ifndef BELAY_COLOUR_H
#define BELAY_COLOUR_H

#include <stdint.h>

#define COLOUR_DEFAULT (-1)
#define COLOUR_RGB 0x1000000
#define COLOUR_IS_RGB(c) ((c) >= 0 && ((c)&COLOUR_RGB))
#define COLOUR_MAKE_RGB(r, g, b) (COLOUR_RGB | ((int)(r) << 16) | ((int)(g) << 8) | (int)(b))

/* What the outer terminal can show (from ncurses: COLORS and the RGB flag). */
struct colour_caps {
	int ncolours; /* 0 (monochrome), 8, 16, 88, 256, or 2^24 */
	int direct;   /* colour numbers are 0xRRGGBB (terminfo RGB) */
};

/* Parse "default", "red", "brightred", "colour123", "color123", "#rrggbb". */
int colour_parse(const char *s, int *out);

/* Nearest xterm-256 index (16..255) of an RGB colour, as tmux does. */
int colour_rgb_to_256(uint8_t r, uint8_t g, uint8_t b);
/* Nearest of the 16 ANSI colours. */
int colour_rgb_to_16(uint8_t r, uint8_t g, uint8_t b);
/* The RGB value xterm gives palette index i. */
void colour_index_rgb(int i, uint8_t *r, uint8_t *g, uint8_t *b);

/*
 * The curses colour number for a colour value on a terminal with caps, or -1
 * (the terminal's default).  When a bright palette colour has to become its
 * dark twin (8-colour terminals), *bright is set so the caller can add bold.
 */
int colour_to_curses(int colour, const struct colour_caps *caps, int *bright);

#endif
