/*
 * util.h - allocation that cannot fail, and the three kinds of failure.
 *
 * xmalloc() and friends die with the size they could not get; callers never
 * check for NULL.  fatal() is for start-up when nothing can go on, warn() for
 * errors reported where they happen, BUG() for broken invariants.
 */
#ifndef BELAY_UTIL_H
#define BELAY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Grow an array of n elements of size esz to hold at least want, doubling. */
void *xgrow(void *p, size_t *n, size_t want, size_t esz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* A copy of a NULL-terminated array of strings (NULL for NULL), and its free. */
char **strv_copy(char *const *v);
void strv_free(char **v);

/* The program name used in messages ("belay"). */
extern const char *progname;

/* "belay: <message>" on stderr, then exit(status). */
NORETURN void die(int status, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* die(1, …): start-up failures nothing can recover from. */
NORETURN void fatal(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* "belay: <message>" on stderr; returns. */
void warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void vwarn(const char *fmt, va_list ap);
/*
 * A hook that runs before die()/fatal()/BUG() print, so that a front end can
 * give the terminal back first (endwin); NULL for none.
 */
extern void (*die_hook)(void);

NORETURN void bug_at(const char *file, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

/* Make fd non-blocking / close-on-exec; -errno on failure. */
int fd_set_nonblock(int fd, int on);
int fd_set_cloexec(int fd);
/* Write or read all n bytes (blocking), retrying after EINTR.  0, or -1 with errno
 * (a read that meets the end of the file fails with errno 0). */
int fd_write_all(int fd, const void *p, size_t n);
int fd_read_all(int fd, void *p, size_t n);
/*
 * Replace the file at path by data, atomically: written beside it, synced
 * to disk first when sync is set, then renamed over it.  0, or -1 with errno.
 */
int write_file_replace(const char *path, const void *data, size_t n, int sync);

/* Parse a decimal integer in [min, max]; false if s is not exactly one. */
int parse_int(const char *s, long min, long max, long *out);

/* mkdir -p, each folder made 0700.  0, or -errno of the first that failed (*failed: its length in path). */
int make_dirs(const char *path, size_t *failed);

/* The last component of a path ("" for NULL). */
const char *path_base(const char *path);

/* The length of the valid UTF-8 sequence at s (at most n bytes), its code point in *cp; 0: not valid
 * (overlong, a surrogate, past U+10FFFF, cut short). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Write text to an existing file (a /proc or cgroup file) in one write.  0, or -errno.  Async-signal-safe. */
int write_small_file(const char *path, const char *text);
/*
 * text as it can be shown anywhere without being interpreted or hiding
 * anything: control characters and bytes that are not UTF-8 as \xNN, C1
 * controls, bidirectional overrides, zero-width and other invisible
 * characters as \uNNNN; the rest as it is.  Caller frees.
 */
char *text_visible(const char *text);
/* Remove path and all below it, links as links; read-only folders made writable first.  Quietly. */
void remove_tree(const char *path);
/* Remove (with remove) each entry of dir named PREFIX<pid> whose process is gone: what a belay that died left. */
void remove_left_by_dead(const char *dir, const char *prefix, void (*remove)(const char *path));

#endif
