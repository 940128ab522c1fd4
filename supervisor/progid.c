/*
 * progid.c - programs known by their content; see progid.h.
 */
#define _GNU_SOURCE
#include "progid.h"

#include <ctype.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define MAX_CACHE 256

struct known {
	char *name;
	char *path;  /* where it was found, or NULL */
	off_t size;
	unsigned char sum[32];
	int have;    /* looked up (stat only: the sum waits for a file of its size) */
	int summed;  /* sum valid (-1: cannot be read) */
};

struct seen {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	const char *name; /* a known program's, or NULL */
};

struct progid {
	struct known *k;
	size_t nk, kcap;
	int looked;
	struct seen cache[MAX_CACHE];
	size_t ncache, next;
};

struct progid *progid_new(void)
{
	return xcalloc(1, sizeof(struct progid));
}

void progid_free(struct progid *pi)
{
	if (!pi)
		return;
	for (size_t i = 0; i < pi->nk; i++)
		free(pi->k[i].name), free(pi->k[i].path);
	free(pi->k);
	free(pi);
}

void progid_know(struct progid *pi, const char *name)
{
	if (!name || !*name || strchr(name, '/') || strpbrk(name, "*?[\\"))
		return;
	for (size_t i = 0; i < pi->nk; i++)
		if (!strcmp(pi->k[i].name, name))
			return;
	pi->k = xgrow(pi->k, &pi->kcap, pi->nk + 1, sizeof(*pi->k));
	memset(&pi->k[pi->nk], 0, sizeof(*pi->k));
	pi->k[pi->nk++].name = xstrdup(name);
	pi->looked = 0;
}

/* SHA-256 of the file at fd; 0 or -1. */
static int sum_of(int fd, unsigned char out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	unsigned len = 32;
	ssize_t n;
	int rc = -1;

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto out;
	if (n == 0 && EVP_DigestFinal_ex(ctx, out, &len) == 1)
		rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int sum_path(const char *path, struct stat *st, unsigned char out[32])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;

	if (fd < 0)
		return -1;
	rc = fstat(fd, st) == 0 && S_ISREG(st->st_mode) ? sum_of(fd, out) : -1;
	close(fd);
	return rc;
}

/* Each known name along the system's PATH (not the agent's, which it sets). */
static void look_up(struct progid *pi)
{
	static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

	for (size_t i = 0; i < pi->nk; i++) {
		struct known *k = &pi->k[i];

		if (k->have)
			continue;
		k->have = 1;
		for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
			char *p = xasprintf("%s/%s", dirs[d], k->name);
			struct stat st;

			if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
				k->size = st.st_size;
				k->path = p;
				break;
			}
			free(p);
		}
	}
	pi->looked = 1;
}

const char *progid_of(struct progid *pi, const char *path)
{
	struct stat st;
	unsigned char sum[32];
	const char *name = NULL;
	int candidate = 0;

	if (!pi || !pi->nk || !path || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	for (size_t i = 0; i < pi->ncache; i++) {
		struct seen *s = &pi->cache[i];

		if (s->dev == st.st_dev && s->ino == st.st_ino && s->size == st.st_size &&
		    s->mtime.tv_sec == st.st_mtim.tv_sec && s->mtime.tv_nsec == st.st_mtim.tv_nsec)
			return s->name;
	}
	if (!pi->looked)
		look_up(pi);
	/* only a file of a known program's size can be that program */
	for (size_t i = 0; i < pi->nk; i++)
		candidate |= pi->k[i].size == st.st_size;
	if (candidate && sum_path(path, &st, sum) == 0) {
		for (size_t i = 0; i < pi->nk && !name; i++) {
			struct known *k = &pi->k[i];
			struct stat kst;

			if (k->size != st.st_size)
				continue;
			if (!k->summed)
				k->summed = sum_path(k->path, &kst, k->sum) == 0 ? 1 : -1;
			if (k->summed > 0 && !memcmp(k->sum, sum, 32))
				name = k->name;
		}
	}
	pi->cache[pi->next] = (struct seen){ st.st_dev, st.st_ino, st.st_size, st.st_mtim, name };
	pi->next = (pi->next + 1) % MAX_CACHE;
	if (pi->ncache < MAX_CACHE)
		pi->ncache++;
	return name;
}

/*
 * Programs whose arguments are code or another command: a shell, an
 * interpreter, a wrapper.  A free word there would be any script at all
 * ("bash -c *"), so a grant for them is the command exactly.  Versions
 * count as the program (python3.11, perl5.36).
 */
static const char *const runs_code[] = {
	"sh", "bash", "zsh", "dash", "ksh", "mksh", "yash", "fish", "csh", "tcsh", "busybox", "python", "pypy", "node",
	"nodejs", "deno", "bun", "perl", "ruby", "php", "lua", "luajit", "tclsh", "wish", "julia", "Rscript", "pwsh",
	"awk", "gawk", "mawk", "nawk", "sed", "env", "xargs", "find", "timeout", "nice", "nohup", "stdbuf", "time",
	"sudo", "doas", "su", "runuser", "setsid", "flock", "chroot", "unshare", "nsenter", "ionice", "taskset",
	"watch", "parallel", "script", "expect", "strace", "ltrace", "gdb", "valgrind", "exec", "command", "eval",
};

int progid_named(const char *path, const char *const *names, size_t count)
{
	const char *b = path_base(path);
	size_t n = strlen(b);

	while (n && (isdigit((unsigned char)b[n - 1]) || b[n - 1] == '.'))
		n--;
	for (size_t i = 0; i < count; i++)
		if (strlen(names[i]) == n && !strncmp(names[i], b, n))
			return 1;
	return 0;
}

int progid_runs_code(const char *path)
{
	return progid_named(path, runs_code, ARRAY_SIZE(runs_code));
}
