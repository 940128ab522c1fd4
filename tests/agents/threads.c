/*
 * threads - a multithreaded agent: N threads each create a file at once.
 *
 *   threads DIR [N]
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *dir;

static void *work(void *arg)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/thread-%ld.txt", dir, (long)arg);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, "x\n", 2) != 2)
			perror(path);
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 8;
	pthread_t t[64];

	if (argc < 2 || n < 1 || n > 64)
		return 2;
	dir = argv[1];
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("threads done\n");
	return 0;
}
