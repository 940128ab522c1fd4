/*
 * fuzz-control.c - a session's control socket (supervisor/control.c) on
 * any bytes a client sends: each input is what one client writes on a real
 * socket (after a hello, so that the requests behind it are reached), with
 * the loop run in between.  Checked: no crash, no leak, every answer a line
 * of JSON, and the session keeps accepting clients after each.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../supervisor/control.h"
#include "../../supervisor/journal.h"
#include "../../supervisor/util.h"

static struct loop *loop;
static struct journal *journal;
static struct control *control;
static char dir[] = "/tmp/belay-fuzz-control.XXXXXX";

static void teardown(void)
{
	char *sub = xasprintf("%s/belay", dir);

	control_free(control);
	journal_free(journal);
	loop_free(loop);
	rmdir(sub);
	rmdir(dir);
	free(sub);
}

static void setup(void)
{
	char *const argv[] = { "agent", NULL };
	struct journal_header h = { .argv = argv, .workspace = "/w", .rows = 24, .cols = 80 };
	struct buf err = BUF_INIT;
	struct event ev = { .type = EV_NOTICE, .seq = 1 };

	if (!mkdtemp(dir))
		abort();
	setenv("XDG_RUNTIME_DIR", dir, 1);
	loop = loop_new();
	journal = journal_new(loop);
	journal_begin(journal, &h);
	control = control_new(loop, journal, NULL, 0, &err);
	if (!control)
		abort();
	ev.u.notice.text = "a record for late joiners";
	journal_event(journal, &ev);
	buf_release(&err);
	atexit(teardown);
}

static void pump(int times)
{
	for (int i = 0; i < times; i++)
		loop_run_once(loop, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char hello[] = "{\"op\":\"hello\",\"version\":1}\n";
	char chunk[65536];
	struct buf got = BUF_INIT;
	ssize_t r;
	int fd;

	if (!loop)
		setup();
	strcpy(sa.sun_path, control_path(control));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort(); /* the session must still accept */
	if (write(fd, hello, sizeof(hello) - 1) < 0)
		abort();
	for (size_t at = 0; at < len;) {
		r = write(fd, data + at, len - at);
		if (r <= 0)
			break;
		at += (size_t)r;
		pump(2);
	}
	pump(4);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		buf_add(&got, chunk, (size_t)r);
		pump(2);
	}
	close(fd);
	pump(2);
	/* answers (not the stream's raw output) are lines of JSON */
	if (got.len && !memmem(got.data, got.len, "\"type\":\"attached\"", 17)) {
		for (char *p = got.data, *nl; p < got.data + got.len; p = nl + 1) {
			json_t *o;

			nl = memchr(p, '\n', (size_t)(got.data + got.len - p));
			if (!nl)
				break;
			o = json_loadb(p, (size_t)(nl - p), 0, NULL);
			if (!json_is_object(o))
				abort();
			json_decref(o);
		}
	}
	buf_release(&got);
	return 0;
}
