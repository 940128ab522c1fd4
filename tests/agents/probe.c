/*
 * probe - send a query to the terminal and print the reply.
 *
 *   probe QUERY [WAIT_MS]
 * QUERY may use \e for ESC and \a for BEL.  Prints "reply: <escaped>" with
 * what arrived within WAIT_MS (default 1000), or "reply: none".
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct termios saved, raw;
	char q[4096];
	unsigned char buf[4096];
	size_t n = 0, got = 0;
	int wait_ms = argc > 2 ? atoi(argv[2]) : 1000;
	struct timespec start, now;

	if (argc < 2)
		return 2;
	for (const char *p = argv[1]; *p && n < sizeof(q) - 1; p++) {
		if (p[0] == '\\' && p[1] == 'e')
			q[n++] = 0x1b, p++;
		else if (p[0] == '\\' && p[1] == 'a')
			q[n++] = 0x07, p++;
		else
			q[n++] = *p;
	}
	tcgetattr(0, &saved);
	raw = saved;
	cfmakeraw(&raw);
	tcsetattr(0, TCSANOW, &raw);
	write(1, q, n);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { 0, POLLIN, 0 };
		long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = wait_ms - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		ssize_t r = read(0, buf + got, sizeof(buf) - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		/* a complete reply ends in a letter or BEL/ST: stop early */
		if (got && (buf[got - 1] == 'R' || buf[got - 1] == 'c' || buf[got - 1] == 'n' || buf[got - 1] == 't' ||
			    buf[got - 1] == 0x07 || buf[got - 1] == '\\'))
			break;
	}
	tcsetattr(0, TCSANOW, &saved);
	printf("\r\nreply: ");
	if (!got)
		printf("none");
	for (size_t i = 0; i < got; i++) {
		if (buf[i] == 0x1b)
			printf("\\e");
		else if (buf[i] < 0x20 || buf[i] >= 0x7f)
			printf("\\x%02x", buf[i]);
		else
			putchar(buf[i]);
	}
	printf("\n");
	return 0;
}
