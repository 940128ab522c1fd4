/*
 * keys - an agent that shows what reaches it.  It puts its terminal in raw
 * mode, turns on the modes named on the command line, prints "ready", then
 * prints every chunk of input it gets as one escaped line ("got: \e[A").
 * It exits when it reads "quit", at end of input, or after 30 s.
 *
 *   keys [paste] [mouse] [mouse-any] [ckm] [focus] [x10]
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void put_escaped(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0x1b)
			fputs("\\e", stdout);
		else if (p[i] == '\\')
			fputs("\\\\", stdout);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			printf("\\x%02x", p[i]);
		else
			putchar(p[i]);
	}
}

int main(int argc, char **argv)
{
	struct termios saved, raw;
	unsigned char buf[4096];
	int have_tty = tcgetattr(0, &saved) == 0;

	if (have_tty) {
		raw = saved;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR;
		tcsetattr(0, TCSANOW, &raw);
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "paste"))
			fputs("\033[?2004h", stdout);
		else if (!strcmp(argv[i], "mouse"))
			fputs("\033[?1000h\033[?1006h", stdout);
		else if (!strcmp(argv[i], "mouse-any"))
			fputs("\033[?1003h\033[?1006h", stdout);
		else if (!strcmp(argv[i], "x10"))
			fputs("\033[?1000h", stdout);
		else if (!strcmp(argv[i], "ckm"))
			fputs("\033[?1h", stdout);
		else if (!strcmp(argv[i], "focus"))
			fputs("\033[?1004h", stdout);
	}
	puts("ready");
	fflush(stdout);
	for (;;) {
		struct pollfd pfd = { 0, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 30000) <= 0)
			break;
		n = read(0, buf, sizeof(buf));
		if (n <= 0)
			break;
		fputs("got: ", stdout);
		put_escaped(buf, (size_t)n);
		putchar('\n');
		fflush(stdout);
		if (n >= 4 && !memcmp(buf + n - 4, "quit", 4))
			break;
	}
	fputs("\033[?2004l\033[?1000l\033[?1003l\033[?1006l\033[?1l\033[?1004l", stdout);
	fflush(stdout);
	if (have_tty)
		tcsetattr(0, TCSANOW, &saved);
	return 0;
}
