/*
 * glob.h - shell-style patterns for policies: '*', '?', '[abc]', '[!a-z]',
 * and, for paths, '**' (any number of directories).  A backslash makes the
 * next character literal.
 *
 * In a path pattern, '*' and '?' do not match '/' and '**' matches across
 * directories; a pattern ending in slash, star, star also matches the
 * directory itself, and a slash-star-star-slash matches one slash ("a/b").
 * In a text pattern (command lines, addresses) '*' matches anything.
 * Matching aborts hopeless branches early as git's wildmatch does, and a
 * pattern that still needs too many steps (many '**' segments against a
 * long text) stops with GLOB_TOO_COMPLEX rather than hang: the caller
 * decides which answer is the careful one.
 */
#ifndef BELAY_GLOB_H
#define BELAY_GLOB_H

#include "buf.h"

enum glob_mode {
	GLOB_TEXT,
	GLOB_PATH,
};

#define GLOB_TOO_COMPLEX (-1)

/* 1 if text matches pattern, 0 if not, GLOB_TOO_COMPLEX (see above). */
int glob_match(const char *pattern, const char *text, enum glob_mode mode);

/* Append s to b with every glob character made literal (a path from outside as a pattern). */
void glob_escape(struct buf *b, const char *s);

#endif
