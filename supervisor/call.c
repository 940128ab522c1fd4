/* call.c - names and helpers for decoded calls; see call.h. */
#include "call.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

/*
 * What each operation does: the one table of it.  Its name in events; the
 * names it changes and the kind each is judged as (the policy, and the
 * grants made from a call); whether it takes a name away or puts another
 * in its place (belay's own folders); and what it destroys, kept first
 * (the write-ahead checkpoint, ignored files).
 */
enum { NAME_NONE, NAME_PATH, NAME_PATH2 };

static const struct op_row {
	const char *name;
	struct { enum call_kind kind; int which; } names[2];
	int replaces;
	enum call_destroy destroys;
	int which_destroyed;
	int only_if_trunc; /* an open destroys only with O_TRUNC */
} ops[OP__COUNT] = {
	[OP_EXEC] = { "exec", { { KIND_EXEC, NAME_NONE } } },
	[OP_OPEN] = { "write", { { KIND_WRITE, NAME_PATH } }, 0, DESTROYS_CONTENT, NAME_PATH, 1 },
	[OP_CREATE] = { "create", { { KIND_WRITE, NAME_PATH } }, 0, DESTROYS_CONTENT, NAME_PATH, 1 },
	[OP_TRUNCATE] = { "truncate", { { KIND_WRITE, NAME_PATH } }, 0, DESTROYS_CONTENT, NAME_PATH },
	[OP_UNLINK] = { "delete", { { KIND_DELETE, NAME_PATH } }, 1, DESTROYS_FILE, NAME_PATH },
	[OP_RMDIR] = { "rmdir", { { KIND_DELETE, NAME_PATH } }, 1, DESTROYS_FOLDER, NAME_PATH },
	/* a rename deletes the old name and writes the new one, over what was there */
	[OP_RENAME] = { "rename", { { KIND_DELETE, NAME_PATH }, { KIND_WRITE, NAME_PATH2 } }, 1,
			DESTROYS_REPLACED, NAME_PATH2 },
	/* a hard link can be written through: both names count */
	[OP_LINK] = { "link", { { KIND_WRITE, NAME_PATH2 }, { KIND_WRITE, NAME_PATH } }, 1 },
	[OP_SYMLINK] = { "symlink", { { KIND_WRITE, NAME_PATH2 } }, 1 },
	[OP_MKDIR] = { "mkdir", { { KIND_WRITE, NAME_PATH } } },
	[OP_CHMOD] = { "chmod", { { KIND_WRITE, NAME_PATH } } },
	[OP_CHOWN] = { "chown", { { KIND_WRITE, NAME_PATH } } },
	[OP_TIMES] = { "times", { { KIND_WRITE, NAME_PATH } } },
	[OP_XATTR] = { "xattr", { { KIND_WRITE, NAME_PATH } } },
	[OP_MKNOD] = { "mknod", { { KIND_WRITE, NAME_PATH } } },
	[OP_CONNECT] = { "connect", { { KIND_CONNECT, NAME_NONE } } },
};

static const char *name_of(const struct call *c, int which)
{
	return which == NAME_PATH ? c->path : which == NAME_PATH2 ? c->path2 : NULL;
}

size_t call_effects(const struct call *c, struct call_effect out[2])
{
	const struct op_row *r = (unsigned)c->op < OP__COUNT ? &ops[c->op] : &ops[OP_OPEN];
	size_t n = 0;

	for (size_t i = 0; i < 2; i++) {
		if (i && r->names[i].which == NAME_NONE)
			break;
		out[n].kind = r->names[i].kind;
		out[n++].path = name_of(c, r->names[i].which);
	}
	return n;
}

int call_replaces(const struct call *c)
{
	return (unsigned)c->op < OP__COUNT && ops[c->op].replaces;
}

enum call_destroy call_destroys(const struct call *c, const char **path)
{
	const struct op_row *r = (unsigned)c->op < OP__COUNT ? &ops[c->op] : &ops[OP_OPEN];

	*path = NULL;
	if (r->destroys == DESTROYS_NOTHING || (r->only_if_trunc && !(c->flags & O_TRUNC)))
		return DESTROYS_NOTHING;
	*path = name_of(c, r->which_destroyed);
	return r->destroys;
}

static const char *const kind_names[KIND__COUNT] = { "exec", "write", "delete", "connect" };

void call_release(struct call *c)
{
	if (!c)
		return;
	free(c->exe);
	free(c->cwd);
	free(c->path);
	free(c->path2);
	free(c->target);
	for (size_t i = 0; c->argv && c->argv[i]; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->addr.host);
	memset(c, 0, sizeof(*c));
}

const char *call_op_name(enum call_op op)
{
	return (unsigned)op < OP__COUNT ? ops[op].name : "?";
}

const char *call_kind_name(enum call_kind kind)
{
	return (unsigned)kind < KIND__COUNT ? kind_names[kind] : "?";
}

enum call_kind call_op_kind(enum call_op op)
{
	return (unsigned)op < OP__COUNT ? ops[op].names[0].kind : KIND_WRITE;
}

char *call_cmdline(const struct call *c)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; c->argv && c->argv[i]; i++) {
		if (i)
			buf_addch(&b, ' ');
		buf_addstr(&b, c->argv[i]);
	}
	return buf_detach(&b, NULL);
}

char *call_describe(const struct call *c)
{
	if (c->unreadable)
		return xasprintf("%s (%s)", call_op_name(c->op), c->unreadable);
	switch (c->op) {
	case OP_EXEC:
		return call_cmdline(c);
	case OP_CONNECT:
		if (c->addr.port >= 0)
			return xasprintf(strchr(c->addr.host ? c->addr.host : "", ':') ? "connect [%s]:%d" : "connect %s:%d",
					 c->addr.host ? c->addr.host : "?", c->addr.port);
		return xasprintf("connect %s", c->addr.host ? c->addr.host : "?");
	case OP_RENAME:
	case OP_LINK:
		return xasprintf("%s %s -> %s", call_op_name(c->op), c->path, c->path2);
	case OP_SYMLINK:
		return xasprintf("symlink %s -> %s", c->path2, c->target ? c->target : "?");
	default:
		return xasprintf("%s %s", call_op_name(c->op), c->path ? c->path : "?");
	}
}
