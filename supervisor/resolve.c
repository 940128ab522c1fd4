/*
 * resolve.c - paths resolved the way the kernel walks them; see resolve.h
 * and path_resolution(7).
 *
 * The walk keeps two things: the physical directory reached so far (every
 * link in it already followed, so ".." is simply its parent) and the text
 * still to walk.  A link replaces itself by its text in front of what is
 * still to walk, from the root when the text is absolute, from the link's
 * directory when not: exactly the kernel's order, so "deep/../x" with deep
 * a link goes to the parent of where deep points, not to "x" beside deep.
 */
#define _GNU_SOURCE
#include "resolve.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

#define MAX_LINKS 40 /* the kernel's limit (ELOOP beyond) */

static void pop(struct buf *cur)
{
	char *slash = strrchr(cur->data ? cur->data : "", '/');

	if (slash)
		buf_truncate(cur, (size_t)(slash - cur->data));
}

static void push(struct buf *cur, const char *comp, size_t len)
{
	buf_addch(cur, '/');
	buf_add(cur, comp, len);
}

/* The rest of the text, taken as written ("." and ".." lexically). */
static void lexical(struct buf *cur, const char *p)
{
	while (*p) {
		const char *end;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		if (end - p == 2 && !strncmp(p, "..", 2))
			pop(cur);
		else if (end - p != 1 || *p != '.')
			push(cur, p, (size_t)(end - p));
		p = end;
	}
}

/* True if nothing but slashes follows p. */
static int at_end(const char *p)
{
	while (*p == '/')
		p++;
	return !*p;
}

char *resolve_path(const char *dir, const char *path, int follow, pid_t pid, pid_t tid)
{
	struct buf cur = BUF_INIT; /* "" stands for "/" */
	char *todo = xstrdup(path), *p;
	int links = 0;

	if (path[0] != '/')
		lexical(&cur, dir ? dir : "/");
	for (p = todo; *p;) {
		char target[PATH_MAX], *next;
		const char *comp, *end;
		struct stat st;
		size_t clen, cut;
		ssize_t n;
		int last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		comp = p;
		end = strchrnul(p, '/');
		clen = (size_t)(end - comp);
		last = at_end(end);
		p = (char *)end;
		if (clen == 1 && *comp == '.')
			continue;
		if (clen == 2 && !strncmp(comp, "..", 2)) {
			pop(&cur);
			continue;
		}
		if (!strcmp(cur.data, "/proc") &&
		    ((clen == 4 && !strncmp(comp, "self", 4)) || (clen == 11 && !strncmp(comp, "thread-self", 11)))) {
			/* the process's own, not belay's */
			char num[64];

			snprintf(num, sizeof(num), clen == 4 ? "%d" : "%d/task/%d", (int)pid, (int)tid);
			lexical(&cur, num);
			continue;
		}
		cut = cur.len;
		push(&cur, comp, clen);
		if (lstat(cur.data, &st) < 0) {
			/* nothing there (yet): the kernel stops, or creates
			 * the last component; the rest is as written */
			lexical(&cur, p);
			break;
		}
		if (!S_ISLNK(st.st_mode) || (last && !follow))
			continue;
		if (++links > MAX_LINKS) {
			errno = ELOOP;
			goto fail;
		}
		n = readlink(cur.data, target, sizeof(target) - 1);
		if (n < 0) {
			errno = EACCES;
			goto fail;
		}
		target[n] = '\0';
		if (target[0] != '/' && !strncmp(cur.data, "/proc/", 6) && strchr(target, ':')) {
			/* a magic link to a pipe, a socket, an anonymous
			 * inode: it names no path; the link is the name */
			lexical(&cur, p);
			break;
		}
		buf_truncate(&cur, target[0] == '/' ? 0 : cut);
		next = xasprintf("%s/%s", target, p);
		free(todo);
		todo = next;
		p = todo;
	}
	free(todo);
	if (!cur.len)
		buf_addch(&cur, '/');
	return buf_detach(&cur, NULL);
fail:
	free(todo);
	buf_release(&cur);
	return NULL;
}
