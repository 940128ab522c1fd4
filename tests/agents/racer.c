/*
 * racer - an agent that races belay's judgement: it shows belay one name
 * and hands the kernel another.
 *
 *   racer thread|exchange|rename WS OUTSIDE SECONDS
 *
 * thread    a second thread rewrites the path between WS/good.txt and
 *           OUTSIDE/evil.txt while the first creates it, over and over
 * exchange  two links in WS, one to a folder in WS and one to OUTSIDE,
 *           swapped with renameat2(RENAME_EXCHANGE) while the first
 *           creates link/evil.txt
 * rename    a second thread rewrites a rename's new name between WS/b.txt
 *           and OUTSIDE/evil.txt while the first renames WS/a.txt there
 *
 *   racer connect HOST:PORT HOST2:PORT2 SECONDS
 *
 * connect   a second thread rewrites the address between HOST:PORT (one
 *           the policy allows) and HOST2:PORT2 while the first connects;
 *           "escaped" when a connection reached HOST2:PORT2 (its peer
 *           address says so)
 *
 * Prints "racer MODE: N tries, M opened, escaped" (or "held") and exits 0;
 * the test looks at OUTSIDE itself.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static char good[4096], evil[4096], buf[4096];
static char l1[4096], l2[4096];
static volatile int stop;
static const char *mode;

static void *flip(void *arg)
{
	size_t n = strlen(good) > strlen(evil) ? strlen(good) : strlen(evil);

	(void)arg;
	while (!stop) {
		/* whole copies, so that every read sees one name or the other */
		memcpy(buf, good, n + 1);
		__asm__ volatile("" ::: "memory");
		memcpy(buf, evil, n + 1);
		__asm__ volatile("" ::: "memory");
	}
	return NULL;
}

static void *swap(void *arg)
{
	(void)arg;
	while (!stop)
		syscall(SYS_renameat2, AT_FDCWD, l1, AT_FDCWD, l2, RENAME_EXCHANGE);
	return NULL;
}

static double now(void);

static struct sockaddr_in addr_good, addr_evil, addr_buf;

static void *flip_addr(void *arg)
{
	(void)arg;
	while (!stop) {
		/* the barriers keep both stores: each is seen by the other thread */
		memcpy(&addr_buf, &addr_good, sizeof(addr_buf));
		__asm__ volatile("" ::: "memory");
		memcpy(&addr_buf, &addr_evil, sizeof(addr_buf));
		__asm__ volatile("" ::: "memory");
	}
	return NULL;
}

static int parse_addr(const char *text, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(text, ':');

	if (!colon || (size_t)(colon - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* racer connect GOOD EVIL SECONDS */
static int race_connect(char **argv)
{
	double until;
	long tries = 0, done = 0, escaped = 0;
	pthread_t t;

	if (parse_addr(argv[2], &addr_good) < 0 || parse_addr(argv[3], &addr_evil) < 0) {
		fprintf(stderr, "racer: addresses are HOST:PORT (IPv4)\n");
		return 2;
	}
	until = now() + atof(argv[4]);
	addr_buf = addr_good;
	pthread_create(&t, NULL, flip_addr, NULL);
	while (now() < until && !escaped) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);

		tries++;
		if (connect(fd, (struct sockaddr *)&addr_buf, sizeof(addr_buf)) == 0) {
			done++;
			if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == addr_evil.sin_port &&
			    peer.sin_addr.s_addr == addr_evil.sin_addr.s_addr)
				escaped = 1;
		}
		close(fd);
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("racer connect: %ld tries, %ld done, %s\n", tries, done, escaped ? "escaped" : "held");
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *ws, *outside;
	char target[4096], made[4096], src[4096];
	double until;
	long tries = 0, opened = 0;
	pthread_t t;
	struct stat st;

	if (argc != 5) {
		fprintf(stderr, "usage: racer thread|exchange|rename WS OUTSIDE SECONDS\n"
				"       racer connect HOST:PORT HOST2:PORT2 SECONDS\n");
		return 2;
	}
	if (!strcmp(argv[1], "connect"))
		return race_connect(argv);
	mode = argv[1], ws = argv[2], outside = argv[3];
	until = now() + atof(argv[4]);
	snprintf(made, sizeof(made), "%s/evil.txt", outside);
	if (!strcmp(mode, "exchange")) {
		char gooddir[4096];

		snprintf(gooddir, sizeof(gooddir), "%s/gooddir", ws);
		mkdir(gooddir, 0755);
		snprintf(l1, sizeof(l1), "%s/l1", ws);
		snprintf(l2, sizeof(l2), "%s/l2", ws);
		unlink(l1), unlink(l2);
		if (symlink(gooddir, l1) < 0 || symlink(outside, l2) < 0) {
			perror("symlink");
			return 1;
		}
		snprintf(target, sizeof(target), "%s/l1/evil.txt", ws);
		pthread_create(&t, NULL, swap, NULL);
	} else {
		snprintf(good, sizeof(good), "%s/%s", ws, !strcmp(mode, "rename") ? "b.txt" : "good.txt");
		snprintf(evil, sizeof(evil), "%s/evil.txt", outside);
		memcpy(buf, good, strlen(good) + 1);
		pthread_create(&t, NULL, flip, NULL);
	}
	snprintf(src, sizeof(src), "%s/a.txt", ws);
	while (now() < until && stat(made, &st) < 0) {
		tries++;
		if (!strcmp(mode, "rename")) {
			int fd = open(src, O_WRONLY | O_CREAT, 0644);

			if (fd >= 0)
				close(fd);
			if (rename(src, buf) == 0)
				opened++;
		} else {
			int fd = open(!strcmp(mode, "exchange") ? target : buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (fd >= 0) {
				if (write(fd, "pwned\n", 6) != 6)
					perror("write");
				close(fd);
				opened++;
			}
		}
	}
	stop = 1;
	pthread_join(t, NULL);
	printf("racer %s: %ld tries, %ld done, %s\n", mode, tries, opened, stat(made, &st) == 0 ? "escaped" : "held");
	return 0;
}
