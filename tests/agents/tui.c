/*
 * tui - a small full-screen program drawn with ncurses, as agent TUIs are:
 * alternate screen, a box, colours, a list moved with the arrow keys (which
 * ncurses asks for in application cursor mode), and runs of one character
 * that ncurses may send with REP.  q quits; the selection is printed.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <locale.h>
#include <string.h>

static const char *const items[] = {
	"read the issue", "sketch the data flow", "write the parser", "fuzz the parser",
	"draw the pane", "compare with tmux", "measure throughput", "write the note",
};
#define NITEMS (int)(sizeof(items) / sizeof(items[0]))

static void draw(int sel)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	erase();
	attron(COLOR_PAIR(1));
	box(stdscr, 0, 0);
	attroff(COLOR_PAIR(1));
	attron(A_BOLD | COLOR_PAIR(2));
	mvprintw(0, 2, " plan (%dx%d) ", cols, rows);
	attroff(A_BOLD | COLOR_PAIR(2));
	for (int i = 0; i < NITEMS && i + 2 < rows - 2; i++) {
		if (i == sel)
			attron(A_REVERSE);
		mvprintw(i + 2, 3, "%d. %-24s", i + 1, items[i]);
		if (i == sel)
			attroff(A_REVERSE);
	}
	if (rows > 4 && cols > 8) {
		int w = cols - 8, done = w * (sel + 1) / NITEMS;

		attron(COLOR_PAIR(3));
		mvhline(rows - 3, 4, '#', done);
		attroff(COLOR_PAIR(3));
		mvhline(rows - 3, 4 + done, '.', w - done);
	}
	mvprintw(rows - 2, 3, "arrows move, q quits");
	refresh();
}

int main(void)
{
	int sel = 0, ch;

	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_YELLOW, COLOR_BLUE);
		init_pair(3, COLOR_GREEN, -1);
	}
	draw(sel);
	while ((ch = getch()) != 'q' && ch != ERR) {
		if (ch == KEY_UP && sel > 0)
			sel--;
		else if (ch == KEY_DOWN && sel < NITEMS - 1)
			sel++;
		draw(sel);
	}
	endwin();
	printf("selected: %s\n", items[sel]);
	return 0;
}
