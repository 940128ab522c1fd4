/*
 * recording.c - a recording read back, line by line, each line checked
 * against the chain before it is parsed; see recording.h and journal.h.
 */
#define _GNU_SOURCE
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "journal.h"
#include "util.h"

#define CHUNK (256 * 1024)
#define MAX_WARNINGS 20
#define MAX_T 1e9 /* seconds: 30 years of session is past any real one */
#define H_TAIL (6 + JOURNAL_HASH_HEX + 2) /* ,"h":"…"} */

struct recording {
	int fd;                 /* -1: from memory */
	char *mem;
	size_t memlen;
	char *chunk;            /* read ahead: bytes [chunk_off, chunk_off + chunk_len) of the file */
	off_t chunk_off, pos;   /* pos: where the next line starts */
	size_t chunk_len;
	struct buf line;
	size_t no;              /* lines read */
	char prev[JOURNAL_HASH_HEX + 1];
	json_t *header, *obj;
	uint64_t last_t;
	unsigned rows, cols;
	int stopped, ended;
	int skip_output;
	char *damage;
	struct buf warnings;
	unsigned nwarnings;
};

static ssize_t src_read(struct recording *r, off_t off, char *dst, size_t n)
{
	if (r->fd < 0) {
		if ((size_t)off >= r->memlen)
			return 0;
		if (n > r->memlen - (size_t)off)
			n = r->memlen - (size_t)off;
		memcpy(dst, r->mem + off, n);
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t k = pread(r->fd, dst, n, off);

		if (k >= 0 || errno != EINTR)
			return k;
	}
}

/*
 * The line at r->pos into r->line (without its newline).  1: read; 0: the
 * end; -1: cut off (no newline; *reason), -2: too long, -3: cannot read.
 */
static int read_line(struct recording *r)
{
	int too_long = 0;

	buf_reset(&r->line);
	for (;;) {
		size_t at, avail;
		const char *nl;

		if (r->pos < r->chunk_off || r->pos >= r->chunk_off + (off_t)r->chunk_len) {
			ssize_t k = src_read(r, r->pos, r->chunk, CHUNK);

			if (k < 0)
				return -3;
			r->chunk_off = r->pos;
			r->chunk_len = (size_t)k;
			if (!k)
				return r->line.len || too_long ? -1 : 0;
		}
		at = (size_t)(r->pos - r->chunk_off);
		avail = r->chunk_len - at;
		nl = memchr(r->chunk + at, '\n', avail);
		if (nl)
			avail = (size_t)(nl - (r->chunk + at));
		if (!too_long && r->line.len + avail > RECORDING_MAX_LINE)
			too_long = 1, buf_release(&r->line);
		if (!too_long)
			buf_add(&r->line, r->chunk + at, avail);
		r->pos += (off_t)avail + (nl ? 1 : 0);
		if (nl)
			return too_long ? -2 : 1;
	}
}

static void set_damage(struct recording *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void set_damage(struct recording *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(r->damage);
	r->damage = msg ? msg : xstrdup("damaged");
	r->stopped = 1;
}

static void warn_line(struct recording *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void warn_line(struct recording *r, const char *fmt, ...)
{
	va_list ap;

	if (++r->nwarnings > MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	{
		char *msg;

		if (vasprintf(&msg, fmt, ap) >= 0) {
			buf_addstr(&r->warnings, msg);
			buf_addch(&r->warnings, '\n');
			free(msg);
		}
	}
	va_end(ap);
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Check line no (r->line) against the chain; the chain moves on.  0, or -1 (damage set). */
static int check_chain(struct recording *r, size_t no)
{
	const char *l = r->line.data;
	size_t n = r->line.len;
	unsigned char d[DIGEST_LEN];
	char hex[JOURNAL_HASH_HEX + 1];

	if (n < H_TAIL + 1 || memcmp(l + n - H_TAIL, ",\"h\":\"", 6) || l[n - 2] != '"' || l[n - 1] != '}' ||
	    !is_hex(l + n - H_TAIL + 6, JOURNAL_HASH_HEX)) {
		set_damage(r, "line %zu has no chain hash (\"h\" at its end): not a line belay wrote", no);
		return -1;
	}
	{
		const void *parts[] = { r->prev, l, "}" };
		size_t lens[] = { strlen(r->prev), n - H_TAIL, 1 };

		digest_sha256(parts, lens, 3, d);
	}
	digest_hex(d, JOURNAL_HASH_HEX / 2, hex);
	if (memcmp(hex, l + n - H_TAIL + 6, JOURNAL_HASH_HEX)) {
		set_damage(r, no == 1 ? "line 1 (the header) was changed"
				      : "line %zu does not follow the line before it: it was changed, or lines before it "
					"were removed or added",
			   no);
		return -1;
	}
	memcpy(r->prev, hex, sizeof(hex));
	return 0;
}

static json_t *parse(const char *s, size_t n, json_error_t *e)
{
	return json_loadb(s, n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, e);
}

/* The terminal's size in the header, clamped to what a screen shows. */
static unsigned clamp_size(struct recording *r, const char *key, unsigned max)
{
	json_t *v = json_object_get(r->header, key);
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;

	if (n >= 2 && n <= max)
		return (unsigned)n;
	warn_line(r, "line 1: %s %s, taken as %u", key, json_is_integer(v) ? "out of range" : "missing",
		  n > max ? max : *key == 'r' ? 24u : 80u);
	return n > max ? max : *key == 'r' ? 24 : 80;
}

static struct recording *start(struct recording *r, const char *name, struct buf *err)
{
	json_error_t je;
	json_t *v;
	int rc;

	r->chunk = xmalloc(CHUNK);
	buf_init(&r->line);
	buf_init(&r->warnings);
	r->chunk_off = -1;
	rc = read_line(r);
	if (rc == 0 || (rc == -1 && !r->line.len)) {
		buf_addf(err, "'%s' is empty: not a belay recording", name);
		goto fail;
	}
	if (rc == -3) {
		buf_addf(err, "cannot read '%s': %s", name, strerror(errno));
		goto fail;
	}
	if (rc == -2 || !(r->header = parse(r->line.data, r->line.len, &je)) || !json_is_object(r->header) ||
	    !json_object_get(r->header, "belay-recording")) {
		buf_addf(err, "'%s' is not a belay recording (its first line is not a recording's header)", name);
		goto fail;
	}
	v = json_object_get(r->header, "belay-recording");
	if (!json_is_integer(v) || json_integer_value(v) != JOURNAL_VERSION) {
		buf_addf(err, "'%s' is a recording of format %s; this belay reads format %d (a newer belay made it?)",
			 name, json_is_integer(v) ? "newer or unknown" : "unknown", JOURNAL_VERSION);
		goto fail;
	}
	if (rc == -1) {
		buf_addf(err, "'%s' ends inside its header: nothing was recorded", name);
		goto fail;
	}
	r->no = 1;
	if (check_chain(r, 1) < 0) {
		buf_addf(err, "'%s': %s", name, r->damage);
		goto fail;
	}
	r->rows = clamp_size(r, "rows", RECORDING_MAX_ROWS);
	r->cols = clamp_size(r, "cols", RECORDING_MAX_COLS);
	return r;
fail:
	recording_free(r);
	return NULL;
}

struct recording *recording_open(const char *path, struct buf *err)
{
	struct recording *r = xcalloc(1, sizeof(*r));
	struct stat st;

	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (r->fd < 0) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_addf(err, "cannot read '%s': not a file", path);
		close(r->fd);
		free(r);
		return NULL;
	}
	return start(r, path, err);
}

struct recording *recording_open_mem(const char *data, size_t len, struct buf *err)
{
	struct recording *r = xcalloc(1, sizeof(*r));

	r->fd = -1;
	r->mem = xmalloc(len ? len : 1);
	memcpy(r->mem, data, len);
	r->memlen = len;
	return start(r, "(memory)", err);
}

void recording_free(struct recording *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->mem);
	free(r->chunk);
	buf_release(&r->line);
	buf_release(&r->warnings);
	json_decref(r->header);
	json_decref(r->obj);
	free(r->damage);
	free(r);
}

json_t *recording_header(const struct recording *r)
{
	return r->header;
}

void recording_size(const struct recording *r, unsigned *rows, unsigned *cols)
{
	*rows = r->rows;
	*cols = r->cols;
}

/* A record's time: a number of seconds, not before the one before (else clamped and said). */
static uint64_t time_at(struct recording *r, size_t no, int is_number, double t)
{
	if (!is_number || !isfinite(t) || t < 0) {
		warn_line(r, "line %zu: no time, taken as the time before", no);
		return r->last_t;
	}
	if (t > MAX_T) {
		warn_line(r, "line %zu: time %.0f s is past any session, taken as the time before", no, t);
		return r->last_t;
	}
	if ((uint64_t)(t * 1e9) + 1000 < r->last_t) {
		warn_line(r, "line %zu: time goes back (%.6f s after %.6f s), taken as the time before", no, t,
			  (double)r->last_t / 1e9);
		return r->last_t;
	}
	return (uint64_t)(t * 1e9) > r->last_t ? (uint64_t)(t * 1e9) : r->last_t;
}

static uint64_t time_of(struct recording *r, size_t no, json_t *o)
{
	json_t *v = json_object_get(o, "t");

	return time_at(r, no, json_is_number(v), json_number_value(v));
}

void recording_skip_output(struct recording *r, int skip)
{
	r->skip_output = skip;
}

/*
 * An output line as the journal writes it: {"seq":N,"t":T,"type":"output",
 * read without a JSON parser (its time in *t).  0 when it is not one.
 */
static int output_line(const char *l, size_t n, double *t)
{
	static const char seq[] = "{\"seq\":", tkey[] = ",\"t\":", type[] = ",\"type\":\"output\",";
	const char *p = l, *end = l + n;
	char num[40];
	size_t k = 0;
	char *stop;

	if (n < sizeof(seq) || memcmp(p, seq, sizeof(seq) - 1))
		return 0;
	p += sizeof(seq) - 1;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if ((size_t)(end - p) < sizeof(tkey) || memcmp(p, tkey, sizeof(tkey) - 1))
		return 0;
	p += sizeof(tkey) - 1;
	while (p < end && k < sizeof(num) - 1 && strchr("0123456789.eE+-", *p))
		num[k++] = *p++;
	num[k] = 0;
	if ((size_t)(end - p) < sizeof(type) || memcmp(p, type, sizeof(type) - 1))
		return 0;
	*t = strtod(num, &stop);
	return k && !*stop;
}

int recording_next(struct recording *r, struct rec_line *out)
{
	json_error_t je;
	off_t at = r->pos;
	size_t no = r->no + 1;
	int rc;

	json_decref(r->obj);
	r->obj = NULL;
	if (r->stopped)
		return r->damage ? -1 : 0;
	rc = read_line(r);
	if (rc == 0) {
		r->stopped = 1;
		return 0;
	}
	if (rc == -1) {
		set_damage(r, "line %zu is cut off (no end of line): the recording stopped there, "
			      "lines before it are intact", no);
		return -1;
	}
	if (rc == -2) {
		set_damage(r, "line %zu is longer than %u MB: not a line belay wrote", no, RECORDING_MAX_LINE >> 20);
		return -1;
	}
	if (rc == -3) {
		set_damage(r, "line %zu cannot be read: %s", no, strerror(errno));
		return -1;
	}
	if (check_chain(r, no) < 0)
		return -1;
	if (r->skip_output) {
		double t;

		if (output_line(r->line.data, r->line.len, &t)) {
			r->no = no;
			out->no = no;
			out->offset = at;
			out->obj = NULL;
			out->type = "output";
			out->t_ns = r->last_t = time_at(r, no, 1, t);
			return 1;
		}
	}
	r->obj = parse(r->line.data, r->line.len, &je);
	if (!r->obj || !json_is_object(r->obj)) {
		/* careful: the chain held, so belay wrote it, or someone made the chain anew */
		set_damage(r, "line %zu is not a JSON object (%s at column %d)", no, r->obj ? "not an object" : je.text,
			   je.column);
		json_decref(r->obj);
		r->obj = NULL;
		return -1;
	}
	r->no = no;
	out->no = no;
	out->offset = at;
	out->obj = r->obj;
	out->type = json_string_value(json_object_get(r->obj, "type")) ?: "";
	out->t_ns = r->last_t = time_of(r, no, r->obj);
	if (!strcmp(out->type, "session-end"))
		r->ended = 1;
	return 1;
}

const char *recording_damage(const struct recording *r)
{
	return r->damage;
}

const char *recording_warnings(const struct recording *r)
{
	if (r->nwarnings > MAX_WARNINGS && !strstr(r->warnings.data, "more like these")) {
		struct buf *w = (struct buf *)&r->warnings;

		buf_addf(w, "(and %u more like these)\n", r->nwarnings - MAX_WARNINGS);
	}
	return r->warnings.data ? r->warnings.data : "";
}

size_t recording_lines(const struct recording *r)
{
	return r->no;
}

int recording_ended(const struct recording *r)
{
	return r->ended;
}

json_t *recording_read_at(struct recording *r, off_t offset)
{
	off_t keep = r->pos;
	json_error_t je;
	json_t *o = NULL;

	r->pos = offset;
	if (read_line(r) == 1)
		o = parse(r->line.data, r->line.len, &je);
	r->pos = keep;
	return o;
}

int recording_output(json_t *obj, struct buf *out)
{
	return event_output_bytes(obj, out);
}
