/*
 * flood - write a stream of coloured text as fast as the terminal takes it,
 * and note when a key arrives, for the latency benchmark.
 *
 *   flood MEGABYTES [KEYLOG]
 * Writes MEGABYTES MB of generated lines with SGR colours (16, 256, RGB),
 * cursor movement and wide characters.  With KEYLOG, a thread reads stdin
 * and appends "<realtime ns> <byte>" to KEYLOG for every byte.  After the
 * stream, prints "flood done" and, with KEYLOG, waits for a 'q'.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *keylog;
static volatile int got_q;

static void *reader(void *arg)
{
	unsigned char c;
	int fd = open(keylog, O_WRONLY | O_CREAT | O_APPEND, 0644);

	(void)arg;
	while (read(0, &c, 1) == 1) {
		struct timespec ts;
		char line[64];
		int n;

		clock_gettime(CLOCK_REALTIME, &ts);
		n = snprintf(line, sizeof(line), "%lld %d\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, c);
		write(fd, line, (size_t)n);
		if (c == 'q') {
			got_q = 1;
			break;
		}
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	long total = (argc > 1 ? atol(argv[1]) : 10) * 1000000L, done = 0;
	static char buf[1 << 16];
	pthread_t t;
	unsigned i = 0;

	if (argc > 2) {
		struct termios tio;

		keylog = argv[2];
		if (tcgetattr(0, &tio) == 0) {
			tio.c_lflag &= ~(ICANON | ECHO);
			tio.c_cc[VMIN] = 1;
			tio.c_cc[VTIME] = 0;
			tcsetattr(0, TCSANOW, &tio);
		}
		pthread_create(&t, NULL, reader, NULL);
	}
	while (done < total) {
		size_t n = 0;

		while (n < sizeof(buf) - 256) {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "\033[3%um%06u\033[0m \033[38;5;%um256\033[0m \033[1;38;2;%u;%u;%umrgb\033[0m"
					      " \033[4mline\033[24m of text 日本 ok \033[K\r\n",
					      i % 8, i, i % 256, i % 256, (i * 7) % 256, (i * 13) % 256);
			i++;
		}
		for (size_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, n - off);

			if (w <= 0)
				return 1;
			off += (size_t)w;
		}
		done += (long)n;
	}
	printf("flood done\r\n");
	fflush(stdout);
	if (keylog) {
		while (!got_q)
			usleep(10000);
	}
	return 0;
}
