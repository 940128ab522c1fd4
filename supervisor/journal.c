/*
 * journal.c - the session's recording and its events file, written from
 * the session's events; see journal.h for the format.  Reading a recording
 * back is recording.c's.
 */
#define _GNU_SOURCE
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "dirs.h"
#include "history.h"
#include "review.h"
#include "util.h"

#ifndef BELAY_VERSION
#define BELAY_VERSION "0.0.0"
#endif
#ifndef BELAY_LIBTSM_VERSION
#define BELAY_LIBTSM_VERSION ""
#endif

#define PENDING_MAX (64 * 1024) /* output held back at most, bytes */
#define SYNC_NS (100 * 1000000ull) /* step boundaries synced this often at most */
#define QUEUE_MAX (32u << 20) /* bytes waiting for the writer, at most: past it the session waits */

/*
 * The recording is written by a thread of its own: the loop only queues
 * what to write (a line's JSON, or the output's raw bytes); the writer
 * encodes the output, chains and writes the lines, and syncs, in the order
 * queued, so that recording costs the pane's throughput only a copy.
 */
enum job { JOB_LINE, JOB_OUTPUT, JOB_SYNC };

struct job_output {
	uint64_t seq, t_ns;
	unsigned step;
};

struct sink {
	int fd;           /* -1: none, or it failed */
	int chained;      /* the recording: "h" on every line */
	char prev[JOURNAL_HASH_HEX + 1]; /* the last line's "h" ("" before the header) */
	const char *what; /* for messages */
};

struct journal {
	struct loop *loop;
	struct sink rec, events;
	char *path;
	struct buf line, text;
	/* the agent's output not written yet: one line per JOURNAL_COALESCE_NS */
	struct buf pending;
	uint64_t pending_seq, pending_t;
	unsigned pending_step;
	struct loop_timer *timer;
	struct loop_timer *sync_timer; /* a sync put off (SYNC_NS) */
	/* the writer thread: it alone touches rec (its fd and chain) while it runs */
	pthread_t writer;
	int writing, stop, failed;
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	struct buf queue;       /* jobs: kind (1 byte), length (size_t), bytes */
	uint64_t synced_ns;
	struct shadow *sh;
	struct review *rv;
	uint64_t last_seq, last_t; /* of the newest event */
	struct buf header;         /* the header's JSON (journal_begin) */
	journal_tap_fn tap;        /* the control socket's copy of the stream, or NULL */
	void *tap_arg;
	journal_screen_fn screen_fn; /* the front end that draws the pane, or NULL */
	void *screen_arg;
};

struct journal *journal_new(struct loop *loop)
{
	struct journal *j = xcalloc(1, sizeof(*j));

	j->loop = loop;
	j->rec.fd = j->events.fd = -1;
	j->rec.chained = 1;
	j->rec.what = "the recording";
	j->events.what = "events";
	buf_init(&j->line);
	buf_init(&j->text);
	buf_init(&j->pending);
	buf_init(&j->queue);
	buf_init(&j->header);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->more, NULL);
	pthread_cond_init(&j->room, NULL);
	return j;
}

static void put_job(struct journal *j, enum job kind, const void *a, size_t alen, const void *b, size_t blen)
{
	char k = (char)kind;
	size_t len = alen + blen;

	pthread_mutex_lock(&j->mu);
	while (j->queue.len > QUEUE_MAX && !j->failed)
		pthread_cond_wait(&j->room, &j->mu);
	buf_add(&j->queue, &k, 1);
	buf_add(&j->queue, &len, sizeof(len));
	if (alen)
		buf_add(&j->queue, a, alen);
	if (blen)
		buf_add(&j->queue, b, blen);
	pthread_cond_signal(&j->more);
	pthread_mutex_unlock(&j->mu);
}

/* Write body (JSON text, one object) as a line of k; body is changed. */
static void sink_write(struct sink *k, struct buf *body)
{
	if (k->fd < 0)
		return;
	if (k->chained) {
		const void *parts[] = { k->prev, body->data };
		size_t lens[] = { strlen(k->prev), body->len };
		unsigned char d[DIGEST_LEN];

		digest_sha256(parts, lens, 2, d);
		digest_hex(d, JOURNAL_HASH_HEX / 2, k->prev);
		buf_truncate(body, body->len - 1); /* the closing brace */
		buf_addf(body, ",\"h\":\"%s\"}", k->prev);
	}
	buf_addch(body, '\n');
	if (fd_write_all(k->fd, body->data, body->len) < 0) {
		warn("cannot write %s: %s (nothing more is written to it)", k->what, strerror(errno));
		close(k->fd);
		k->fd = -1;
	}
}

static void json_to(json_t *o, struct buf *out)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

	if (!s)
		BUG("json_dumps failed");
	buf_reset(out);
	buf_addstr(out, s);
	free(s);
}

/* Bytes at the end of s that begin a UTF-8 character not complete in s. */
static size_t incomplete_tail(const char *s, size_t len)
{
	for (size_t back = 1; back <= 3 && back <= len; back++) {
		unsigned char c = (unsigned char)s[len - back];

		if ((c & 0xc0) == 0x80)
			continue;
		if (c >= 0xc0) {
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			return need > back ? back : 0;
		}
		return 0;
	}
	return 0;
}

static double seconds(uint64_t ns)
{
	return (double)(ns / 1000) / 1e6;
}

/*
 * An output line: the bytes as base64, made by hand (a JSON string of
 * terminal output would escape every control byte, and cost twice the
 * pane's time).
 */
static void output_line(struct buf *line, uint64_t seq, uint64_t t_ns, unsigned step, const char *d, size_t n)
{
	size_t at;

	buf_reset(line);
	buf_addf(line, "{\"seq\":%llu,\"t\":%.6f,\"type\":\"output\",\"step\":%u,\"b64\":\"", (unsigned long long)seq,
		 seconds(t_ns), step);
	at = line->len;
	buf_grow(line, 4 * ((n + 2) / 3) + 64);
	EVP_EncodeBlock((unsigned char *)line->data + at, (const unsigned char *)d, (int)n);
	line->len = at + 4 * ((n + 2) / 3);
	line->data[line->len] = '\0';
	buf_addstr(line, "\"}");
}

/* The writer thread: the queued jobs, in order, until told to stop with none left. */
static void *writer_main(void *data)
{
	struct journal *j = data;
	struct buf jobs = BUF_INIT, line = BUF_INIT;

	for (;;) {
		struct buf swap;
		size_t at = 0;
		int stop;

		pthread_mutex_lock(&j->mu);
		while (!j->queue.len && !j->stop)
			pthread_cond_wait(&j->more, &j->mu);
		swap = j->queue, j->queue = jobs, jobs = swap;
		buf_reset(&j->queue);
		stop = j->stop && !jobs.len;
		pthread_cond_broadcast(&j->room);
		pthread_mutex_unlock(&j->mu);
		if (stop)
			break;
		while (at < jobs.len) {
			enum job kind = (enum job)jobs.data[at];
			size_t len;
			const char *p;

			memcpy(&len, jobs.data + at + 1, sizeof(len));
			p = jobs.data + at + 1 + sizeof(len);
			at += 1 + sizeof(len) + len;
			if (kind == JOB_SYNC) {
				if (j->rec.fd >= 0)
					fdatasync(j->rec.fd);
				continue;
			}
			if (kind == JOB_OUTPUT) {
				struct job_output h;

				memcpy(&h, p, sizeof(h));
				output_line(&line, h.seq, h.t_ns, h.step, p + sizeof(h), len - sizeof(h));
			} else {
				buf_reset(&line);
				buf_add(&line, p, len);
			}
			sink_write(&j->rec, &line);
			if (j->rec.fd < 0) {
				pthread_mutex_lock(&j->mu);
				j->failed = 1; /* nobody waits for room any more */
				pthread_cond_broadcast(&j->room);
				pthread_mutex_unlock(&j->mu);
			}
		}
	}
	buf_release(&jobs);
	buf_release(&line);
	return NULL;
}

/* The session is being recorded (careful: while the writer runs, only it reads rec.fd). */
static int recording(const struct journal *j)
{
	return j->writing || j->rec.fd >= 0;
}

/* Records are made: for the recording, or the tap (diffs and screens are neither the events file's). */
static int streaming(const struct journal *j)
{
	return recording(j) || j->tap;
}

static void tap(struct journal *j, enum journal_part_kind kind, const char *d, size_t n, uint64_t seq, uint64_t t,
		unsigned step)
{
	struct journal_part p = { kind, d, n, seq, t, step };

	if (j->tap)
		j->tap(&p, j->tap_arg);
}

/* A line of the recording (JSON text, one object): to the writer, or written now before it runs. */
static void rec_line_quiet(struct journal *j, struct buf *body)
{
	if (j->writing)
		put_job(j, JOB_LINE, body->data, body->len, NULL, 0);
	else
		sink_write(&j->rec, body);
}

/* A record: to the tap, and to the recording. */
static void rec_line(struct journal *j, struct buf *body)
{
	tap(j, JOURNAL_RECORD, body->data, body->len, 0, 0, 0);
	if (recording(j))
		rec_line_quiet(j, body);
}

/* Write the pending output; all: even a character cut at its end. */
static void flush_output(struct journal *j, int all)
{
	size_t n = j->pending.len - (all ? 0 : incomplete_tail(j->pending.data, j->pending.len));
	const char *d = j->pending.data;
	struct event ev = { .type = EV_OUTPUT };

	if (!n)
		return;
	ev.seq = j->pending_seq;
	ev.t_ns = j->pending_t;
	ev.step = j->pending_step;
	ev.u.output.data = d;
	ev.u.output.len = n;
	tap(j, JOURNAL_OUTPUT, d, n, ev.seq, ev.t_ns, ev.step);
	if (j->events.fd >= 0) {
		buf_reset(&j->line);
		event_to_json(&ev, &j->line);
		sink_write(&j->events, &j->line);
	}
	if (j->writing) {
		struct job_output h = { ev.seq, ev.t_ns, ev.step };

		put_job(j, JOB_OUTPUT, &h, sizeof(h), d, n);
	} else if (j->rec.fd >= 0) {
		output_line(&j->line, ev.seq, ev.t_ns, ev.step, d, n);
		sink_write(&j->rec, &j->line);
	}
	buf_consume(&j->pending, n);
}

static void flush_timer(struct loop *loop, void *data)
{
	struct journal *j = data;

	j->timer = NULL;
	flush_output(j, 0);
}

static void add_output(struct journal *j, const struct event *ev)
{
	if (j->pending.len && ev->step != j->pending_step)
		flush_output(j, 1);
	if (!j->pending.len) {
		j->pending_seq = ev->seq;
		j->pending_t = ev->t_ns;
		j->pending_step = ev->step;
	}
	buf_add(&j->pending, ev->u.output.data, ev->u.output.len);
	if (j->pending.len >= PENDING_MAX)
		flush_output(j, 0);
	if (j->pending.len && !j->timer)
		j->timer = loop_add_timer(j->loop, JOURNAL_COALESCE_NS, flush_timer, j);
}

static void sync_now(struct journal *j)
{
	if (j->writing)
		put_job(j, JOB_SYNC, NULL, 0, NULL, 0);
	else if (j->rec.fd >= 0)
		fdatasync(j->rec.fd);
	j->synced_ns = now_ns();
}

static void sync_timer(struct loop *loop, void *data)
{
	struct journal *j = data;

	(void)loop;
	j->sync_timer = NULL;
	sync_now(j);
}

/*
 * To disk at a step boundary: at once, or SYNC_NS after the last sync when
 * steps come faster than that (2,000 execs a second would otherwise wait
 * for the disk 4,000 times).
 */
static void sync_rec(struct journal *j)
{
	uint64_t now = now_ns();

	if (!recording(j) || j->sync_timer)
		return;
	if (now - j->synced_ns >= SYNC_NS)
		sync_now(j);
	else
		j->sync_timer = loop_add_timer(j->loop, j->synced_ns + SYNC_NS - now, sync_timer, j);
}

/* One patch as text: hunk headers, then ' ', '+', '-' or '\' and the line. */
static void patch_text(const struct review_line *l, size_t n, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		switch (l[i].part) {
		case DIFF_HUNK_HEADER: break;
		case DIFF_ADDED: buf_addch(out, '+'); break;
		case DIFF_REMOVED: buf_addch(out, '-'); break;
		case DIFF_CONTEXT: buf_addch(out, ' '); break;
		default: buf_addstr(out, "\\ "); break;
		}
		buf_addstr(out, l[i].text);
		buf_addch(out, '\n');
	}
}

/* The "diff" record of step st, which the checkpoint of ev ends: its files and patches. */
static void write_diff(struct journal *j, const struct event *ev, const struct hist_step *st)
{
	const struct review_file *f;
	struct buf err = BUF_INIT;
	size_t left = JOURNAL_DIFF_BUDGET;
	int nf = review_commits(j->rv, &st->base, &st->after, &f, &err);
	json_t *o = json_object(), *files = json_array();

	json_object_set_new(o, "seq", json_integer((json_int_t)ev->seq));
	json_object_set_new(o, "t", json_real(seconds(ev->t_ns)));
	json_object_set_new(o, "type", json_string("diff"));
	json_object_set_new(o, "step", json_integer(st->id));
	json_object_set_new(o, "session", json_integer(st->session));
	json_object_set_new(o, "commit", json_string(ev->u.checkpoint.commit));
	if (nf < 0)
		json_object_set_new(o, "error", event_json_text(err.data, err.len));
	for (int i = 0; i < nf; i++) {
		json_t *x = json_object();
		char status[2] = { f[i].status, 0 };
		const struct review_line *l;
		int nl;

		json_object_set_new(x, "path", event_json_text(f[i].path, strlen(f[i].path)));
		if (f[i].old_path)
			json_object_set_new(x, "old", event_json_text(f[i].old_path, strlen(f[i].old_path)));
		json_object_set_new(x, "status", json_string(status));
		json_object_set_new(x, "added", json_integer(f[i].added));
		json_object_set_new(x, "removed", json_integer(f[i].removed));
		json_object_set_new(x, "size", json_integer((json_int_t)f[i].size));
		if (f[i].binary)
			json_object_set_new(x, "binary", json_true());
		else if ((uint64_t)f[i].added + f[i].removed > left / 2 ||
			 (nl = review_patch(j->rv, (size_t)i, &l, &err)) < 0)
			json_object_set_new(x, "cut", json_true());
		else {
			patch_text(l, (size_t)nl, &j->text);
			if (j->text.len > left) {
				json_object_set_new(x, "cut", json_true());
			} else {
				left -= j->text.len;
				json_object_set_new(x, "patch", event_json_text(j->text.data, j->text.len));
			}
		}
		json_array_append_new(files, x);
	}
	json_object_set_new(o, "files", files);
	json_to(o, &j->line);
	json_decref(o);
	buf_release(&err);
	if (nf != 0)
		rec_line(j, &j->line);
}

/* A "diff" record for each step the checkpoint of ev ends. */
static void write_diffs(struct journal *j, const struct event *ev)
{
	struct hist_step *steps;
	size_t n;
	git_oid oid;

	if (!j->rv || !ev->u.checkpoint.commit || git_oid_fromstr(&oid, ev->u.checkpoint.commit) < 0)
		return;
	if (history_commit_steps(j->sh, &oid, ev->u.checkpoint.session, &steps, &n) < 0)
		return;
	for (size_t k = 0; k < n; k++)
		/* a step that changed nothing has no diff (most steps: a test, a build, a search) */
		if (!git_oid_equal(&steps[k].base, &steps[k].after))
			write_diff(j, ev, &steps[k]);
	history_steps_free(steps, n);
}

void journal_event(struct journal *j, const struct event *ev)
{
	if (!j || (!streaming(j) && j->events.fd < 0))
		return;
	j->last_seq = ev->seq;
	j->last_t = ev->t_ns;
	if (ev->type == EV_OUTPUT) {
		add_output(j, ev);
		return;
	}
	/* what the agent printed came first */
	flush_output(j, ev->type == EV_SESSION_END || ev->type == EV_EXIT);
	buf_reset(&j->text);
	event_to_json(ev, &j->text);
	if (j->events.fd >= 0) {
		buf_reset(&j->line);
		buf_add(&j->line, j->text.data, j->text.len);
		sink_write(&j->events, &j->line);
	}
	rec_line(j, &j->text);
	if (ev->type == EV_CHECKPOINT && streaming(j))
		write_diffs(j, ev);
	switch (ev->type) {
	case EV_STEP_START:
	case EV_STEP_END:
		sync_rec(j);
		break;
	case EV_SESSION_END:
		sync_now(j);
		if (j->events.fd >= 0)
			fsync(j->events.fd);
		break;
	default:
		break;
	}
}

/* A "screen" record of the pane as bytes draw it, after everything recorded so far, into out. */
static void screen_record(struct journal *j, unsigned rows, unsigned cols, const char *bytes, size_t len, struct buf *out)
{
	json_t *o = json_object();

	json_object_set_new(o, "seq", json_integer((json_int_t)j->last_seq));
	json_object_set_new(o, "t", json_real(seconds(j->last_t)));
	json_object_set_new(o, "type", json_string("screen"));
	json_object_set_new(o, "rows", json_integer(rows));
	json_object_set_new(o, "cols", json_integer(cols));
	json_object_set_new(o, "data", event_json_text(bytes, len));
	json_to(o, out);
	json_decref(o);
}

void journal_screen(struct journal *j, unsigned rows, unsigned cols, const char *bytes, size_t len)
{
	if (!j || !streaming(j))
		return;
	/* the screen is what the output so far drew: that output comes first */
	flush_output(j, 1);
	screen_record(j, rows, cols, bytes, len, &j->line);
	tap(j, JOURNAL_SCREEN, j->line.data, j->line.len, j->last_seq, j->last_t, 0);
	if (recording(j))
		rec_line_quiet(j, &j->line);
}

void journal_screen_source(struct journal *j, journal_screen_fn fn, void *arg)
{
	j->screen_fn = fn;
	j->screen_arg = arg;
}

int journal_draws_screen(const struct journal *j)
{
	return j && j->screen_fn;
}

int journal_screen_now(struct journal *j, struct buf *record)
{
	struct buf bytes = BUF_INIT;
	unsigned rows, cols;

	if (!j || !j->screen_fn)
		return -1;
	flush_output(j, 1);
	if (j->screen_fn(j->screen_arg, &rows, &cols, &bytes) < 0) {
		buf_release(&bytes);
		return -1;
	}
	screen_record(j, rows, cols, bytes.data ? bytes.data : "", bytes.len, record);
	buf_release(&bytes);
	return 0;
}

void journal_begin(struct journal *j, const struct journal_header *h)
{
	struct timespec ts;
	struct tm tm;
	char when[64];
	json_t *o;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_object();
	json_object_set_new(o, "belay-recording", json_integer(JOURNAL_VERSION));
	json_object_set_new(o, "belay", json_string(BELAY_VERSION));
	json_object_set_new(o, "libtsm", json_string(BELAY_LIBTSM_VERSION));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "epoch", json_real((double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1e3));
	json_object_set_new(o, "rows", json_integer(h->rows));
	json_object_set_new(o, "cols", json_integer(h->cols));
	if (h->workspace)
		json_object_set_new(o, "workspace", event_json_text(h->workspace, strlen(h->workspace)));
	{
		json_t *a = json_array();

		for (size_t i = 0; h->argv && h->argv[i]; i++)
			json_array_append_new(a, event_json_text(h->argv[i], strlen(h->argv[i])));
		json_object_set_new(o, "argv", a);
	}
	if (h->session)
		json_object_set_new(o, "session", json_integer(h->session));
	if (h->policy)
		json_object_set_new(o, "policy", json_string(h->policy));
	if (h->profile)
		json_object_set_new(o, "profile", event_json_text(h->profile, strlen(h->profile)));
	json_to(o, &j->header);
	json_decref(o);
}

const char *journal_header_text(const struct journal *j)
{
	return j && j->header.len ? j->header.data : NULL;
}

void journal_tap(struct journal *j, journal_tap_fn fn, void *arg)
{
	j->tap = fn;
	j->tap_arg = arg;
}

void journal_flush(struct journal *j)
{
	if (j)
		flush_output(j, 1);
}

int journal_record(struct journal *j, const char *path, const struct journal_header *h, struct buf *err)
{
	j->rec.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_APPEND, 0600);
	if (j->rec.fd < 0) {
		buf_addf(err, errno == EEXIST ? "cannot record to '%s': it exists (choose another file, or remove it)"
					      : "cannot record to '%s': %s",
			 path, strerror(errno));
		return -1;
	}
	free(j->path);
	j->path = realpath(path, NULL);
	if (!j->path)
		j->path = xstrdup(path);
	if (!j->header.len)
		journal_begin(j, h);
	buf_reset(&j->line);
	buf_add(&j->line, j->header.data, j->header.len);
	sink_write(&j->rec, &j->line);
	if (j->rec.fd < 0) {
		buf_addf(err, "cannot record to '%s': the header could not be written", path);
		return -1;
	}
	{
		/* careful: the loop takes its signals from a signalfd, so no
		 * other thread may receive one (SIGCHLD would be lost) */
		sigset_t all, old;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		if (pthread_create(&j->writer, NULL, writer_main, j) == 0)
			j->writing = 1; /* else the loop writes, more slowly */
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return 0;
}

const char *journal_path(const struct journal *j)
{
	return j ? j->path : NULL;
}

void journal_events(struct journal *j, int fd)
{
	if (j->events.fd >= 0)
		close(j->events.fd);
	j->events.fd = fd;
}

void journal_checkpoints(struct journal *j, struct shadow *sh)
{
	review_free(j->rv);
	j->rv = sh ? review_new(sh) : NULL;
	j->sh = sh;
}

void journal_free(struct journal *j)
{
	if (!j)
		return;
	flush_output(j, 1);
	loop_cancel_timer(j->loop, j->timer);
	loop_cancel_timer(j->loop, j->sync_timer);
	if (j->writing) {
		/* what is queued is written first */
		pthread_mutex_lock(&j->mu);
		j->stop = 1;
		pthread_cond_signal(&j->more);
		pthread_mutex_unlock(&j->mu);
		pthread_join(j->writer, NULL);
		j->writing = 0;
	}
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->more);
	pthread_cond_destroy(&j->room);
	buf_release(&j->queue);
	if (j->rec.fd >= 0) {
		fdatasync(j->rec.fd);
		close(j->rec.fd);
	}
	if (j->events.fd >= 0)
		close(j->events.fd);
	review_free(j->rv);
	buf_release(&j->line);
	buf_release(&j->text);
	buf_release(&j->pending);
	buf_release(&j->header);
	free(j->path);
	free(j);
}

/* ---- where recordings are kept ---- */

char *journal_dir(void)
{
	char *state = dirs_get(DIR_STATE), *d = xasprintf("%s/sessions", state);

	free(state);
	return d;
}

char *journal_default_path(const char *workspace, unsigned session)
{
	char *dir = journal_dir(), when[32], name[48];
	const char *base = path_base(workspace);
	time_t now = time(NULL);
	struct tm tm;
	size_t k = 0;
	char *path;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	/* the workspace's name, in characters any shell and file system takes */
	for (const char *p = base; *p && k < 40; p++)
		name[k++] = (strchr("._-", *p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9'))
				    ? *p
				    : '_';
	name[k] = 0;
	if (!k || name[0] == '.')
		strcpy(name, "workspace");
	path = session ? xasprintf("%s/%s-%s-%u.belay", dir, when, name, session)
		       : xasprintf("%s/%s-%s.belay", dir, when, name);
	for (unsigned n = 2; access(path, F_OK) == 0 && n < 1000; n++) {
		free(path);
		path = session ? xasprintf("%s/%s-%s-%u.%u.belay", dir, when, name, session, n)
			       : xasprintf("%s/%s-%s.%u.belay", dir, when, name, n);
	}
	free(dir);
	return path;
}

struct rec_file {
	char *path;
	time_t mtime;
	unsigned long long size;
};

static int cmp_age(const void *a, const void *b)
{
	const struct rec_file *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->path, y->path);
}

unsigned journal_prune(const char *dir, unsigned long long budget, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct rec_file *v = NULL;
	size_t n = 0, cap = 0;
	unsigned long long total = 0;
	unsigned removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct stat st;
		char *p;

		if (len < 7 || strcmp(e->d_name + len - 6, ".belay"))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n].path = p;
		v[n].mtime = st.st_mtime;
		v[n++].size = (unsigned long long)st.st_size;
		total += (unsigned long long)st.st_size;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_age);
	for (size_t i = 0; i < n; i++) {
		if (total > budget && !(keep && !strcmp(v[i].path, keep)) && unlink(v[i].path) == 0) {
			total -= v[i].size;
			removed++;
		}
		free(v[i].path);
	}
	free(v);
	return removed;
}
