/*
 * conf.c - the lexer for belay's text files; see conf.h.  It never trusts
 * the input: every limit (line length, word count) is checked and reported
 * with the line it happened on, and a bad line never stops the lines after it.
 */
#define _GNU_SOURCE
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void conf_error(struct conf_line *line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_addf(line->errors, "%s:%u: %s\n", line->file, line->lineno, msg ? msg : fmt);
	free(msg);
	line->nerrors++;
}

/* "#rrggbb" and a blank or the end: a colour (themes), not a comment. */
static int is_hex_colour(const char *s)
{
	return strspn(s + 1, "0123456789abcdefABCDEF") == 6 &&
	       (!s[7] || s[7] == ' ' || s[7] == '\t' || s[7] == '\r');
}

/* Split one line (NUL-terminated, modified in place) into words. */
static int split(char *s, char **argv, int *argc, const char **problem)
{
	int n = 0;

	*problem = NULL;
	for (;;) {
		char *w;

		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || (*s == '#' && !is_hex_colour(s)))
			break;
		if (n == CONF_MAX_WORDS) {
			*problem = "too many words";
			return -1;
		}
		w = s;
		argv[n++] = w;
		/* a word: quoted pieces and plain characters until a blank */
		char *o = w;

		while (*s && *s != ' ' && *s != '\t' && *s != '\r') {
			if (*s == '\'' || *s == '"') {
				char q = *s++;

				while (*s && *s != q)
					*o++ = *s++;
				if (*s != q) {
					*problem = "unterminated quote";
					return -1;
				}
				s++;
			} else {
				*o++ = *s++;
			}
		}
		if (*s)
			s++;
		*o = '\0';
	}
	*argc = n;
	return 0;
}

int conf_parse(const char *file, const char *text, size_t len, conf_line_cb cb, void *data,
	       struct buf *errors)
{
	struct conf_line line = { .file = file, .errors = errors };
	char *argv[CONF_MAX_WORDS + 1];
	char *copy = NULL;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *problem;
		int argc = 0;

		line.lineno++;
		if (l > CONF_MAX_LINE) {
			conf_error(&line, "line too long (%zu bytes, at most %d)", l, CONF_MAX_LINE);
		} else if (memchr(text + pos, '\0', l)) {
			conf_error(&line, "NUL byte in line (is this a text file?)");
		} else {
			free(copy);
			copy = xstrndup(text + pos, l);
			if (split(copy, argv, &argc, &problem) < 0) {
				conf_error(&line, "%s", problem);
			} else if (argc) {
				argv[argc] = NULL;
				line.argc = argc;
				line.argv = argv;
				cb(&line, data);
			}
		}
		pos += l + (nl ? 1 : 0);
	}
	free(copy);
	return line.nerrors;
}

int conf_read_file(const char *path, size_t max, struct buf *out)
{
	struct stat st;
	char tmp[8192];
	int fd, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		e = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		e = -EISDIR;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			e = -EFBIG;
			goto out;
		}
		buf_add(out, tmp, (size_t)n);
	}
out:
	close(fd);
	return e;
}

char *conf_line_text(const struct conf_line *l)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < l->argc; i++) {
		if (i)
			buf_addch(&b, ' ');
		if (strpbrk(l->argv[i], " \t#") || !*l->argv[i])
			buf_addf(&b, "'%s'", l->argv[i]);
		else
			buf_addstr(&b, l->argv[i]);
	}
	return buf_detach(&b, NULL);
}
