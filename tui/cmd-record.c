/*
 * cmd-record.c - the commands on recordings: "belay verify FILE" checks the
 * chain, "belay export --format F FILE" converts, "belay recordings" lists
 * the workspace's; "belay replay" is player.c's.  Reading is recording.c's,
 * converting export.c's.
 */
#define _GNU_SOURCE
#include "cmd-record.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../supervisor/buf.h"
#include "../supervisor/export.h"
#include "../supervisor/journal.h"
#include "../supervisor/recording.h"
#include "../supervisor/util.h"

int cmd_record_is(const char *name)
{
	return !strcmp(name, "verify") || !strcmp(name, "export") || !strcmp(name, "recordings");
}

/* A recording's header, read without the rest (NULL when it is not one). */
static json_t *header_of(const char *path)
{
	struct buf err = BUF_INIT;
	struct recording *r = recording_open(path, &err);
	json_t *h = r ? json_incref(recording_header(r)) : NULL;

	recording_free(r);
	buf_release(&err);
	return h;
}

struct found {
	char *path;
	json_t *h;
};

static int cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	double tx = json_number_value(json_object_get(x->h, "epoch")), ty = json_number_value(json_object_get(y->h, "epoch"));

	return tx < ty ? -1 : tx > ty;
}

/* The recordings of workspace ws in the recordings folder, oldest first. */
static struct found *list_of(const char *ws, size_t *n)
{
	char *dir = journal_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	struct found *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *p;
		json_t *h;

		if (len < 7 || strcmp(e->d_name + len - 6, ".belay"))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		h = header_of(p);
		if (!h || !json_string_value(json_object_get(h, "workspace")) ||
		    strcmp(json_string_value(json_object_get(h, "workspace")), ws)) {
			json_decref(h);
			free(p);
			continue;
		}
		v = xgrow(v, &cap, *n + 1, sizeof(*v));
		v[*n].path = p;
		v[(*n)++].h = h;
	}
	if (d)
		closedir(d);
	free(dir);
	qsort(v, *n, sizeof(*v), cmp_found);
	return v;
}

static void free_list(struct found *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		json_decref(v[i].h);
	}
	free(v);
}

char *cmd_record_find(const char *spec, const char *dir, struct buf *err)
{
	char *ws, *out = NULL;
	struct found *v;
	size_t n;
	long want = 0;

	if (strcmp(spec, "last") && !parse_int(spec, 1, 10000000, &want))
		return xstrdup(spec);
	/* a number, or "last": a file by that name wins, as a path */
	if (access(spec, F_OK) == 0)
		return xstrdup(spec);
	ws = realpath(dir ? dir : ".", NULL);
	if (!ws) {
		buf_addf(err, "cannot find the folder '%s': %s", dir ? dir : ".", strerror(errno));
		return NULL;
	}
	v = list_of(ws, &n);
	for (size_t i = n; i-- > 0 && !out;)
		if (!want || json_integer_value(json_object_get(v[i].h, "session")) == want)
			out = xstrdup(v[i].path);
	if (!out) {
		char *d = journal_dir();

		if (want)
			buf_addf(err, "no recording of session %ld of '%s' in '%s' ('belay recordings' lists them)", want, ws, d);
		else
			buf_addf(err, "no recording of '%s' in '%s' (sessions are recorded unless run with --no-record)", ws, d);
		free(d);
	}
	free_list(v, n);
	free(ws);
	return out;
}

/* The recording spec names (cmd_record_find), opened; NULL after saying why. */
static struct recording *open_spec(const char *spec, const char *dir, char **path)
{
	struct buf err = BUF_INIT;
	struct recording *r = NULL;

	*path = cmd_record_find(spec, dir, &err);
	if (*path)
		r = recording_open(*path, &err);
	if (!r) {
		warn("%s", err.data);
		free(*path);
		*path = NULL;
	}
	buf_release(&err);
	return r;
}

static int cmd_recordings(int argc, char **argv)
{
	const char *dir = NULL;
	char *ws;
	struct found *v;
	size_t n;
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "+C:h")) != -1) {
		if (c == 'C')
			dir = optarg;
		else {
			fprintf(c == 'h' ? stdout : stderr, "usage: belay recordings [-C DIR]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	ws = realpath(dir ? dir : ".", NULL);
	if (!ws) {
		warn("cannot find the folder '%s': %s", dir ? dir : ".", strerror(errno));
		return 1;
	}
	v = list_of(ws, &n);
	if (!n) {
		char *d = journal_dir();

		printf("no recordings of %s in %s\n", ws, d);
		free(d);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *h = v[i].h, *a = json_object_get(h, "argv"), *x;
		struct stat st;
		size_t k;
		char *cmd;
		struct buf b = BUF_INIT;

		json_array_foreach(a, k, x) {
			if (k)
				buf_addch(&b, ' ');
			buf_addstr(&b, json_string_value(x) ?: "");
		}
		cmd = text_visible(b.data ? b.data : "");
		if (stat(v[i].path, &st) < 0)
			st.st_size = 0;
		printf("%-6lld %s  %7.1f KB  %s\n       %s\n", json_integer_value(json_object_get(h, "session")),
		       json_string_value(json_object_get(h, "time")) ?: "?", (double)st.st_size / 1024, cmd, v[i].path);
		free(cmd);
		buf_release(&b);
	}
	free_list(v, n);
	free(ws);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	const char *dir = NULL;
	struct buf err = BUF_INIT;
	struct recording *r;
	struct rec_line l;
	char *path;
	int c, rc, quiet = 0;

	optind = 1;
	while ((c = getopt(argc, argv, "+C:qh")) != -1) {
		if (c == 'C')
			dir = optarg;
		else if (c == 'q')
			quiet = 1;
		else {
			fprintf(c == 'h' ? stdout : stderr, "usage: belay verify [-q] [-C DIR] FILE|SESSION|last\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: belay verify [-q] [-C DIR] FILE|SESSION|last\n");
		return 2;
	}
	if (!(r = open_spec(argv[optind], dir, &path)))
		return 1;
	while ((rc = recording_next(r, &l)) > 0)
		;
	if (*recording_warnings(r))
		fprintf(stderr, "%s", recording_warnings(r));
	if (rc < 0) {
		printf("%s: damaged: %s\n", path, recording_damage(r));
		rc = 1;
	} else if (!recording_ended(r)) {
		printf("%s: intact but incomplete: %zu lines, and the session's end is not among them "
		       "(belay stopped, or the session still runs)\n", path, recording_lines(r));
		rc = 1;
	} else if (*recording_warnings(r)) {
		printf("%s: the chain holds (%zu lines), but some lines are odd (above): not as belay writes them\n", path,
		       recording_lines(r));
		rc = 1;
	} else {
		if (!quiet)
			printf("%s: intact: %zu lines, from the header to the session's end\n", path, recording_lines(r));
		rc = 0;
	}
	recording_free(r);
	free(path);
	buf_release(&err);
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *usage = "usage: belay export --format asciicast|jsonl|md [-o OUT] [-C DIR] FILE|SESSION|last\n";
	const char *dir = NULL, *outpath = NULL;
	enum export_format f = EXPORT_JSONL;
	int have_format = 0, c, rc;
	struct buf err = BUF_INIT;
	struct recording *r;
	char *path, *tmp = NULL;
	FILE *out = stdout;

	optind = 1;
	while ((c = getopt_long(argc, argv, "C:f:o:h", longs, NULL)) != -1) {
		switch (c) {
		case 'C':
			dir = optarg;
			break;
		case 'f':
			if (export_format_parse(optarg, &f) < 0) {
				warn("--format '%s': not a format belay exports (asciicast, jsonl or md)", optarg);
				return 2;
			}
			have_format = 1;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !have_format) {
		fputs(usage, stderr);
		return 2;
	}
	if (!(r = open_spec(argv[optind], dir, &path)))
		return 1;
	if (outpath && strcmp(outpath, "-")) {
		/* written beside and renamed: a failed export leaves no half file */
		tmp = xasprintf("%s.tmp%d", outpath, (int)getpid());
		out = fopen(tmp, "wx");
		if (!out) {
			warn("cannot write '%s': %s", outpath, strerror(errno));
			recording_free(r);
			free(path);
			free(tmp);
			return 1;
		}
	}
	rc = export_recording(r, f, out, &err);
	if (out != stdout && fclose(out) != 0 && rc >= 0) {
		buf_addf(&err, "cannot write '%s': %s", outpath, strerror(errno));
		rc = -1;
	}
	if (rc < 0) {
		warn("%s", err.data);
		if (tmp)
			unlink(tmp);
		rc = 1;
	} else {
		if (tmp && rename(tmp, outpath) < 0) {
			warn("cannot write '%s': %s", outpath, strerror(errno));
			unlink(tmp);
			rc = 1;
		} else if (rc == 1) {
			warn("'%s' is damaged: exported up to it (%s)", path, recording_damage(r));
		}
	}
	recording_free(r);
	free(path);
	free(tmp);
	buf_release(&err);
	return rc;
}

int cmd_record(int argc, char **argv)
{
	if (!strcmp(argv[0], "verify"))
		return cmd_verify(argc, argv);
	if (!strcmp(argv[0], "export"))
		return cmd_export(argc, argv);
	return cmd_recordings(argc, argv);
}
