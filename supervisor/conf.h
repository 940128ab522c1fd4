/*
 * conf.h - the line format shared by belay's text files (keymaps, themes,
 * and later policies): one statement per line, words separated by blanks,
 * '#' starting a comment where a word could start, and 'single' or "double"
 * quotes around a word that holds blanks or '#'.
 *
 * conf_parse() splits the text and calls back once per non-empty line; the
 * callback reports problems with conf_error(), which formats them as
 * "file:line: message" (the form editors and compilers use).
 */
#ifndef BELAY_CONF_H
#define BELAY_CONF_H

#include <stddef.h>

#include "buf.h"

#define CONF_MAX_WORDS 32
#define CONF_MAX_LINE 4096

struct conf_line {
	const char *file; /* name used in messages */
	unsigned lineno;
	int argc;
	char **argv;
	struct buf *errors; /* where conf_error() appends */
	int nerrors;
};

typedef void (*conf_line_cb)(struct conf_line *line, void *data);

/*
 * Parse len bytes of text named file.  Errors (the callback's and the
 * lexer's: NUL bytes, overlong lines, unterminated quotes, too many words) go
 * to errors, one per line ending in '\n'.  Returns the number of errors.
 */
int conf_parse(const char *file, const char *text, size_t len, conf_line_cb cb, void *data,
	       struct buf *errors);

/* Report a problem with the current line. */
void conf_error(struct conf_line *line, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Read a whole file for conf_parse(), at most max bytes.  Returns 0, or
 * -errno (-EISDIR for a directory, -EFBIG when larger than max).
 */
int conf_read_file(const char *path, size_t max, struct buf *out);

/* A line's words joined by blanks, a word with a blank or '#' quoted: the line as written (caller frees). */
char *conf_line_text(const struct conf_line *l);

#endif
