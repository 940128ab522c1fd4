/* call.c - names and helpers for decoded calls; see call.h. */
#include "call.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

static const char *const op_names[OP__COUNT] = {
	[OP_EXEC] = "exec",       [OP_OPEN] = "write",     [OP_CREATE] = "create",
	[OP_TRUNCATE] = "truncate", [OP_UNLINK] = "delete", [OP_RMDIR] = "rmdir",
	[OP_RENAME] = "rename",   [OP_LINK] = "link",      [OP_SYMLINK] = "symlink",
	[OP_MKDIR] = "mkdir",     [OP_CHMOD] = "chmod",    [OP_CHOWN] = "chown",
	[OP_TIMES] = "times",     [OP_XATTR] = "xattr",    [OP_MKNOD] = "mknod",
	[OP_CONNECT] = "connect",
};

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
	return (unsigned)op < OP__COUNT ? op_names[op] : "?";
}

const char *call_kind_name(enum call_kind kind)
{
	return (unsigned)kind < KIND__COUNT ? kind_names[kind] : "?";
}

enum call_kind call_op_kind(enum call_op op)
{
	switch (op) {
	case OP_EXEC:
		return KIND_EXEC;
	case OP_UNLINK:
	case OP_RMDIR:
	case OP_RENAME:
		return KIND_DELETE;
	case OP_CONNECT:
		return KIND_CONNECT;
	default:
		return KIND_WRITE;
	}
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
