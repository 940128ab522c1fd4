/*
 * shadow-int.h - what the files of the shadow repository share (shadow.c:
 * repository, lock and commits; scan.c: reading the workspace; treewrite.c:
 * trees; repack.c: packs).  Not for use outside them.
 */
#ifndef BELAY_SHADOW_INT_H
#define BELAY_SHADOW_INT_H

#include <sys/stat.h>

#include "packwrite.h"
#include "shadow.h"

/* Scans write their first objects loose; past this many, into one pack. */
#define LOOSE_MAX 64

struct shadow {
	char *ws, *dir;
	char *notice; /* what opening it did that the person must know (a damaged store moved aside) */
	git_repository *repo;
	git_index *index;
	int lock_fd, locked;
	uint64_t max_size;
	unsigned history, history_days;
	int last_changed; /* files the last incremental tree changed; -1: not known */
	char **keep;
	size_t nkeep;
	struct shadow_report report;
	struct stat index_st; /* the index file as this process last wrote or read it */
	int index_dirty;      /* changed since written to disk */
	/* paths added or removed in the index since the last tree, for an
	 * incremental one; touched_all: too many or unknown, write it whole */
	char **touched;
	size_t ntouched, touched_cap;
	int touched_all;
	char **linked; /* files with other names, re-read at every scan (scan.c) */
	size_t nlinked, linked_cap;
	/* during a scan */
	size_t nread;     /* files read */
	size_t nwritten;  /* objects written */
	struct packwriter *pw; /* after the first few objects of a scan */
	void (*progress)(size_t, void *);
	void *progress_data;
};

void touch(struct shadow *sh, const char *rel);
void touched_clear(struct shadow *sh);
void report_clear(struct shadow_report *r);
void report_add(char ***v, size_t *n, const char *text);
void report_too_big(struct shadow *sh, const char *rel, uint64_t size);
int ws_lstat(const struct shadow *sh, const char *rel, struct stat *st);
int in_dot_git(const char *rel);
int matches_keep(const struct shadow *sh, const char *rel);
int store_blob(struct shadow *sh, const void *data, size_t len, git_oid *oid, struct buf *err);
/* The pack this scan writes its objects to, opened on first use; NULL (err) when it cannot be. */
struct packwriter *scan_pack(struct shadow *sh, struct buf *err);
int finish_pack(struct shadow *sh, struct buf *err);
int git_fail(struct buf *err, const char *what);
void index_stamp(struct shadow *sh, struct stat *st);
void index_refresh(struct shadow *sh);

/*
 * Names Linux allows and git refuses (".Git", ".GIT": git compares ".git"
 * without case) are content like any other: the index, which libgit2
 * validates, holds such a component as "\001" and its bytes in hex, and
 * the trees belay writes hold the real name.  ipath_enc/ipath_dec return
 * NULL when the path is the same either way (the common case: no copy).
 */
char *ipath_enc(const char *rel);
char *ipath_dec(const char *ipath);
/* A component as the tree holds it (caller frees). */
char *ipath_dec_part(const char *part, size_t len);

#endif
