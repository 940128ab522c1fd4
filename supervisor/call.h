/*
 * call.h - one intercepted system call, decoded: who made it, what it does,
 * on what.  A value that the listener fills (notify.c), the policy judges
 * (policy.c) and events describe (event.c).  Strings are owned by the call;
 * call_release() frees them.
 */
#ifndef BELAY_CALL_H
#define BELAY_CALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum call_op {
	OP_EXEC,
	OP_OPEN,     /* open for writing an existing file */
	OP_CREATE,   /* open that creates a file */
	OP_TRUNCATE,
	OP_UNLINK,
	OP_RMDIR,
	OP_RENAME,   /* path -> path2 */
	OP_LINK,     /* hard link: path2 names path */
	OP_SYMLINK,  /* path2 is a new symbolic link whose text is target */
	OP_MKDIR,
	OP_CHMOD,
	OP_CHOWN,    /* owner or group */
	OP_TIMES,    /* access or modification times */
	OP_XATTR,    /* an extended attribute set or removed */
	OP_MKNOD,    /* a device, fifo or socket file made */
	OP_CONNECT,  /* also a send to an address (sendto, sendmsg) */
	OP__COUNT
};

/* The kinds policies speak of. */
enum call_kind {
	KIND_EXEC,
	KIND_WRITE,
	KIND_DELETE,
	KIND_CONNECT,
	KIND__COUNT
};

struct call_addr {
	int family;  /* AF_INET, AF_INET6, AF_UNIX, or another */
	char *host;  /* "127.0.0.1", "::1", "/run/docker.sock", "@abstract", "" */
	int port;    /* -1 when there is none */
};

struct call {
	uint64_t id; /* the notification's id */
	int nr;      /* the system call */
	uint64_t args[6]; /* its arguments as the kernel gave them (never re-read) */
	enum call_op op;
	pid_t tid, pid, ppid; /* thread, process (thread group), parent (0: not read) */
	char *exe;   /* the calling process's executable (before an exec) */
	char *cwd;   /* for exec calls, and calls with a relative path; else NULL */
	char *path;  /* absolute; for OP_EXEC the program */
	char *path2; /* OP_RENAME, OP_LINK, OP_SYMLINK: the new name */
	char *target; /* OP_SYMLINK: the link's text */
	int flags;   /* open flags, rename flags, AT_ flags */
	unsigned mode;
	char **argv; /* OP_EXEC: NULL-terminated */
	size_t argc;
	int argv_cut; /* more arguments than were read */
	struct call_addr addr; /* OP_CONNECT */
	int chr;     /* opens: the file is a character device, rdev its number */
	dev_t rdev;
	const char *unreadable; /* why the arguments could not be read, or NULL */
	/* why the call cannot change anything (a read-only openat2, an exec
	 * of a file that does not exist), or NULL: let through unreported */
	const char *no_effect;
	/* ftruncate: the file was opened for writing, and that open judged,
	 * before; the call is seen to keep what it cuts, not asked about again */
	int judged_at_open;
	/* exec: the program has no name on disk (a memfd, a deleted file), so
	 * no rule about programs can say what it is */
	int nameless;
};

void call_release(struct call *c);
/* "exec", "open", "create"…, as in events. */
const char *call_op_name(enum call_op op);
/* "exec", "write", "delete", "connect". */
const char *call_kind_name(enum call_kind kind);
/* The kind of an operation (rename: delete; it also writes path2, see call_effects). */
enum call_kind call_op_kind(enum call_op op);

/*
 * The names c changes and the kind each is judged as, at most two, from the
 * one table of operations (call.c): a rename deletes path and writes path2,
 * a hard link writes both names (a link can be written through); exec and
 * connect are one effect with no path.  The policy and its grants use this.
 */
struct call_effect {
	enum call_kind kind;
	const char *path;
};
size_t call_effects(const struct call *c, struct call_effect out[2]);

/* True if c takes a name away or puts something else in its place. */
int call_replaces(const struct call *c);

/* What c destroys, kept before it runs; *path gets the name it destroys. */
enum call_destroy {
	DESTROYS_NOTHING,
	DESTROYS_CONTENT,  /* a truncate, an open with O_TRUNC: the file's bytes */
	DESTROYS_FILE,     /* an unlink */
	DESTROYS_FOLDER,   /* an rmdir (an empty folder: no content to keep) */
	DESTROYS_REPLACED, /* a rename: whatever was at the new name */
};
enum call_destroy call_destroys(const struct call *c, const char **path);
/* "git push origin main", "write /etc/hosts", "connect 10.0.0.1:443" (caller frees). */
char *call_describe(const struct call *c);
/* The command line of an exec, words joined by blanks (caller frees). */
char *call_cmdline(const struct call *c);

#endif
