/*
 * sigheld - opens FILE for writing while a SIGALRM arrives every 10 ms (with
 * SA_RESTART, as Go's and Node's runtimes signal themselves).  A call held
 * for a decision must stay one call, not come back after every signal.
 *
 *   sigheld FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	int fd;

	if (argc < 2)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	fd = open(argv[1], O_WRONLY | O_CREAT, 0644);
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	printf("open: %s; alarms during the program: %d\n", fd >= 0 ? "ok" : strerror(errno), (int)alarms);
	return 0;
}
