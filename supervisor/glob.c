/*
 * glob.c - pattern matching for policies; see glob.h.  The recursion follows
 * the shape of git's wildmatch.c: a failure that no later position of the
 * same star could fix aborts the whole match (ABORT_ALL), and a failure
 * that only a '**' further out could fix unwinds to it (ABORT_TO_STARSTAR),
 * which keeps the work polynomial.
 */
#include "glob.h"

#include <string.h>

enum { MATCH, NOMATCH, ABORT_ALL, ABORT_TO_STARSTAR, TOO_COMPLEX };

#define MAX_STEPS 200000

/* Match the class at *pp (after '[') against c; advances *pp past ']'. */
static int class_match(const char **pp, char c, int *ok)
{
	const char *p = *pp;
	int negate = 0, matched = 0;

	if (*p == '!' || *p == '^') {
		negate = 1;
		p++;
	}
	if (*p == ']') { /* a ']' first is literal */
		matched |= c == ']';
		p++;
	}
	while (*p && *p != ']') {
		char lo = *p == '\\' && p[1] ? *++p : *p;

		if (p[1] == '-' && p[2] && p[2] != ']') {
			char hi = p[2] == '\\' && p[3] ? p[3] : p[2];

			matched |= c >= lo && c <= hi;
			p += p[2] == '\\' && p[3] ? 4 : 3;
		} else {
			matched |= c == lo;
			p++;
		}
	}
	if (*p != ']') { /* unterminated: the '[' was literal */
		*ok = 0;
		return 0;
	}
	*pp = p + 1;
	*ok = 1;
	return matched != negate;
}

static int match(const char *p, const char *t, enum glob_mode mode, unsigned long *steps)
{
	if (++*steps > MAX_STEPS)
		return TOO_COMPLEX;
	for (; *p; p++, t++) {
		switch (*p) {
		case '\\':
			if (!p[1])
				return *t == '\\' && !t[1] ? MATCH : NOMATCH;
			p++;
			if (*t != *p)
				return *t ? NOMATCH : ABORT_ALL;
			break;
		case '?':
			if (!*t)
				return ABORT_ALL;
			if (mode == GLOB_PATH && *t == '/')
				return NOMATCH;
			break;
		case '[': {
			const char *q = p + 1;
			int ok, m;

			if (!*t)
				return ABORT_ALL;
			m = class_match(&q, *t, &ok);
			if (!ok) {
				if (*t != '[')
					return NOMATCH;
				break;
			}
			if (!m || (mode == GLOB_PATH && *t == '/'))
				return NOMATCH;
			p = q - 1;
			break;
		}
		case '*': {
			int starstar = p[1] == '*' || mode == GLOB_TEXT;

			while (p[1] == '*')
				p++;
			p++;
			if (mode == GLOB_PATH && starstar && *p == '/') {
				/* "**" + "/": zero directories is a match too */
				int r = match(p + 1, t, mode, steps);

				if (r == MATCH || r == TOO_COMPLEX)
					return r;
			}
			if (!*p) {
				if (starstar)
					return MATCH;
				return strchr(t, '/') ? ABORT_TO_STARSTAR : MATCH;
			}
			for (;; t++) {
				/* the rest of the pattern is tried at the end of
				 * the text too: a star then slash-star-star matches
				 * a name with nothing below it */
				int r = match(p, t, mode, steps);

				if (r == MATCH || r == ABORT_ALL || r == TOO_COMPLEX)
					return r;
				if (r == ABORT_TO_STARSTAR && !starstar)
					return r;
				if (!*t)
					return ABORT_ALL;
				if (!starstar && *t == '/')
					return ABORT_TO_STARSTAR;
			}
		}
		default:
			if (*t != *p) {
				/* slash-star-star at the end matches the directory too */
				if (mode == GLOB_PATH && !*t && !strcmp(p, "/**"))
					return MATCH;
				return *t ? NOMATCH : ABORT_ALL;
			}
		}
	}
	return *t ? NOMATCH : MATCH;
}

int glob_match(const char *pattern, const char *text, enum glob_mode mode)
{
	unsigned long steps = 0;
	int r = match(pattern, text, mode, &steps);

	return r == MATCH ? 1 : r == TOO_COMPLEX ? GLOB_TOO_COMPLEX : 0;
}

void glob_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("*?[]\\", *s))
			buf_addch(b, '\\');
		buf_addch(b, *s);
	}
}
