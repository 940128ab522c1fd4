/* test-colour.c - colour names and nearest-colour mapping (tui/colour.c). */
#include "unit.h"

#include "../../tui/colour.h"

static void test_parse(void **state)
{
	int c;

	(void)state;
	assert_int_equal(colour_parse("default", &c), 0);
	assert_int_equal(c, COLOUR_DEFAULT);
	assert_int_equal(colour_parse("red", &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(colour_parse("brightwhite", &c), 0);
	assert_int_equal(c, 15);
	assert_int_equal(colour_parse("colour196", &c), 0);
	assert_int_equal(c, 196);
	assert_int_equal(colour_parse("color7", &c), 0);
	assert_int_equal(c, 7);
	assert_int_equal(colour_parse("#ff8000", &c), 0);
	assert_int_equal(c, COLOUR_MAKE_RGB(0xff, 0x80, 0x00));
	assert_int_equal(colour_parse("colour256", &c), -1);
	assert_int_equal(colour_parse("#ff80", &c), -1);
	assert_int_equal(colour_parse("#gg0000", &c), -1);
	assert_int_equal(colour_parse("purple", &c), -1);
	assert_int_equal(colour_parse("", &c), -1);
}

/* Every xterm-256 index maps back to itself through its RGB value. */
static void test_256_round_trip(void **state)
{
	(void)state;
	for (int i = 16; i < 256; i++) {
		uint8_t r, g, b;

		colour_index_rgb(i, &r, &g, &b);
		assert_int_equal(colour_rgb_to_256(r, g, b), i);
	}
	assert_int_equal(colour_rgb_to_256(0xff, 0x80, 0x00), 208);
}

static void test_to_curses(void **state)
{
	struct colour_caps c256 = { 256, 0 }, c8 = { 8, 0 }, c16 = { 16, 0 }, direct = { 1 << 24, 1 }, mono = { 0, 0 };
	int bright;

	(void)state;
	assert_int_equal(colour_to_curses(COLOUR_DEFAULT, &c256, &bright), -1);
	assert_int_equal(colour_to_curses(9, &c256, &bright), 9);
	assert_int_equal(bright, 0);
	assert_int_equal(colour_to_curses(9, &c8, &bright), 1);
	assert_int_equal(bright, 1);
	assert_int_equal(colour_to_curses(196, &c16, &bright), 9);
	assert_int_equal(colour_to_curses(COLOUR_MAKE_RGB(255, 0, 0), &c256, &bright), 196);
	assert_int_equal(colour_to_curses(COLOUR_MAKE_RGB(255, 128, 0), &direct, &bright), 0xff8000);
	/* small RGB values would be palette indices in direct mode */
	assert_int_equal(colour_to_curses(COLOUR_MAKE_RGB(0, 0, 0xff), &direct, &bright), 0x1ff);
	assert_int_equal(colour_to_curses(3, &direct, &bright), 3);
	assert_int_equal(colour_to_curses(1, &mono, &bright), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_256_round_trip),
		cmocka_unit_test(test_to_curses),
	};

	return RUN_TESTS(tests);
}
