/*
 * glob.h - shell-style patterns for policies: '*', '?', '[abc]', '[!a-z]',
 * and, for paths, '**' (any number of directories).  A backslash makes the
 * next character literal.
 *
 * In a path pattern, '*' and '?' do not match '/' and '**' matches across
 * directories; a pattern ending in slash, star, star also matches the
 * directory itself, and a slash-star-star-slash matches one slash ("a/b").
 * In a text pattern (command lines, addresses) '*' matches anything.  Matching takes time polynomial in the lengths, as
 * git's wildmatch does: no pattern can make it take exponential time.
 */
#ifndef BELAY_GLOB_H
#define BELAY_GLOB_H

enum glob_mode {
	GLOB_TEXT,
	GLOB_PATH,
};

/* True if text matches pattern. */
int glob_match(const char *pattern, const char *text, enum glob_mode mode);

#endif
