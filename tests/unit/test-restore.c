/*
 * test-restore.c - checkpoints and restores (supervisor/shadow.c,
 * restore.c, history-free): a property test of random edit sequences rolled
 * back to every checkpoint, and the promises a restore keeps (the user's
 * .git untouched, links never followed, a conflicting revert writes
 * nothing, an interrupted restore finished at the next start).
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../supervisor/buf.h"
#include "../../supervisor/history.h"
#include "../../supervisor/restore.h"
#include "../../supervisor/shadow.h"
#include "../../supervisor/util.h"

static char base[200];
static int nth;

/* A fresh workspace and state directory for one test. */
static char *fresh(char *state, size_t n)
{
	char *ws = xasprintf("%s/ws%d", base, nth);

	snprintf(state, n, "%s/state%d", base, nth++);
	assert_int_equal(mkdir(ws, 0755), 0);
	return ws;
}

static struct shadow *open_shadow(const char *ws, const char *state)
{
	struct shadow_opts o = { .state_dir = state };
	struct buf err = BUF_INIT;
	struct shadow *sh = shadow_open(ws, &o, &err);

	if (!sh)
		fail_msg("shadow_open: %s", err.data);
	buf_release(&err);
	return sh;
}

static void checkpoint(struct shadow *sh, git_oid *tree)
{
	struct buf err = BUF_INIT;

	if (shadow_scan_all(sh, NULL, NULL, &err) < 0 || shadow_write_tree(sh, tree, &err) < 0)
		fail_msg("checkpoint: %s", err.data);
	buf_release(&err);
}

/* Every file and link under dir (not .git, not empty directories): type, +x, content. */
static void manifest_dir(const char *root, const char *rel, struct buf *out)
{
	char *abs = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	struct dirent **names;
	int n = scandir(abs, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		char *sub, *p;
		struct stat st;

		if (strcmp(nm, ".") && strcmp(nm, "..") && strcmp(nm, ".git")) {
			sub = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
			p = xasprintf("%s/%s", root, sub);
			if (lstat(p, &st) == 0) {
				if (S_ISDIR(st.st_mode)) {
					manifest_dir(root, sub, out);
				} else if (S_ISLNK(st.st_mode)) {
					char t[4096];
					ssize_t k = readlink(p, t, sizeof(t));

					buf_addf(out, "L %zu:", strlen(sub));
					buf_add(out, sub, strlen(sub));
					buf_addf(out, " -> %zd:", k);
					buf_add(out, t, k > 0 ? k : 0);
					buf_addch(out, '\n');
				} else if (S_ISREG(st.st_mode)) {
					int fd = open(p, O_RDONLY);
					char *d = xmalloc(st.st_size + 1);

					assert_int_equal(read(fd, d, st.st_size), st.st_size);
					close(fd);
					buf_addf(out, "F%c %zu:", st.st_mode & 0100 ? 'x' : '-', strlen(sub));
					buf_add(out, sub, strlen(sub));
					buf_addf(out, " %lld:", (long long)st.st_size);
					buf_add(out, d, st.st_size);
					buf_addch(out, '\n');
					free(d);
				}
			}
			free(p);
			free(sub);
		}
		free(names[i]);
	}
	free(names);
	free(abs);
}

static char *manifest(const char *ws)
{
	struct buf b = BUF_INIT;

	manifest_dir(ws, "", &b);
	return buf_detach(&b, NULL);
}

/* --- the property test ------------------------------------------------- */

static const char *const names[] = {
	"a.txt", "b", "with space", "new\nline", "\xff\xfe-bytes", "d1/x", "d1/y y", "d1/d2/z", "d3/q", "e",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) & 0xffffff;
}

static void mkparents(const char *ws, const char *rel)
{
	char *p = xasprintf("%s/%s", ws, rel);

	for (char *s = p + strlen(ws) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno == EEXIST) {
			struct stat st;

			/* a file or link where a directory goes: replace it */
			if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
				unlink(p);
				mkdir(p, 0755);
			}
		}
		*s = '/';
	}
	free(p);
}

static void random_edit(const char *ws, unsigned *seed)
{
	const char *rel = names[rnd(seed) % NNAMES];
	char *p = xasprintf("%s/%s", ws, rel);
	unsigned op = rnd(seed) % 8;
	struct stat st;

	mkparents(ws, rel);
	if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* a directory: remove what it holds, then it */
		char *cmd = xasprintf("rm -rf '%s'", p);

		if (!strchr(p, '\'') && !strchr(p, '\n'))
			assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	switch (op) {
	case 0:
	case 1: { /* create or modify: text, empty or binary */
		int fd;
		unsigned len = rnd(seed) % 3 == 0 ? 0 : rnd(seed) % 3000;
		char *d = xmalloc(len + 1);

		for (unsigned i = 0; i < len; i++)
			d[i] = op ? (char)rnd(seed) : "abc \n"[rnd(seed) % 5];
		unlink(p);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			assert_int_equal(write(fd, d, len), (ssize_t)len);
			close(fd);
		}
		free(d);
		break;
	}
	case 2: /* delete */
		unlink(p);
		break;
	case 3: { /* rename to another name */
		const char *to = names[rnd(seed) % NNAMES];
		char *q = xasprintf("%s/%s", ws, to);

		if (strcmp(to, rel) && lstat(q, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(q);
			break;
		}
		mkparents(ws, to);
		rename(p, q);
		free(q);
		break;
	}
	case 4: /* chmod +x / -x */
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			chmod(p, st.st_mode & 0100 ? 0644 : 0755);
		break;
	case 5: { /* symbolic link: dangling, inside, or pointing out */
		static const char *const targets[] = { "a.txt", "../outside", "/etc/passwd", "nowhere", "d1" };

		unlink(p);
		symlink(targets[rnd(seed) % 5], p);
		break;
	}
	case 6: { /* append */
		int fd = open(p, O_WRONLY | O_APPEND | O_NOFOLLOW);

		if (fd >= 0) {
			assert_int_equal(write(fd, "more\n", 5), 5);
			close(fd);
		}
		break;
	}
	case 7: /* a directory where a file was */
		unlink(p);
		mkdir(p, 0755);
		break;
	}
	free(p);
}

/* The incremental way a session checkpoints: the dirty paths, then a tree from the previous one. */
static void checkpoint_paths(struct shadow *sh, const git_oid *prev, git_oid *tree)
{
	static char *const dirty[] = {
		"a.txt", "b", "with space", "new\nline", "\xff\xfe-bytes", "d1", "d1/x", "d1/y y", "d1/d2", "d1/d2/z",
		"d3", "d3/q", "e",
	};
	struct buf err = BUF_INIT;

	if (shadow_scan_paths(sh, dirty, sizeof(dirty) / sizeof(dirty[0]), &err) < 0 ||
	    shadow_write_tree_from(sh, prev, tree, &err) < 0)
		fail_msg("incremental checkpoint: %s", err.data);
	/* the count the tree writer keeps is the count a diff of the trees gives */
	if (prev && shadow_last_changed(sh) >= 0 &&
	    (unsigned)shadow_last_changed(sh) != history_count_changes(shadow_repo(sh), prev, tree))
		fail_msg("the tree writer counted %d changed files, a diff of the trees %u", shadow_last_changed(sh),
			 history_count_changes(shadow_repo(sh), prev, tree));
	buf_release(&err);
}

/* A directory removed whole, a file that became a directory: counted as a diff counts them. */
static void test_incremental_counts(void **state)
{
	char st[256];
	char *ws = fresh(st, sizeof(st));
	struct shadow *sh = open_shadow(ws, st);
	char *const paths[] = { "d1", "d1/x", "d1/y", "d1/sub/z", "f", "f/inner" };
	struct buf err = BUF_INIT;
	git_oid t0, t1;
	char *cmd;

	(void)state;
	cmd = xasprintf("cd '%s' && mkdir -p d1/sub && echo x >d1/x && echo y >d1/y && echo z >d1/sub/z && echo f >f", ws);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	checkpoint(sh, &t0);
	cmd = xasprintf("cd '%s' && rm -rf d1 f && mkdir f && echo i >f/inner", ws);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	if (shadow_scan_paths(sh, paths, 6, &err) < 0 || shadow_write_tree_from(sh, &t0, &t1, &err) < 0)
		fail_msg("checkpoint: %s", err.data);
	/* d1/x, d1/y, d1/sub/z gone; f gone, f/inner new */
	assert_int_equal(history_count_changes(shadow_repo(sh), &t0, &t1), 5);
	assert_int_equal(shadow_last_changed(sh), 5);
	buf_release(&err);
	shadow_free(sh);
	free(ws);
}

static void test_rollback_to_every_checkpoint(void **state)
{
	char st[256];
	unsigned seed = 12345;
	int sequences = getenv("RESTORE_SEQUENCES") ? atoi(getenv("RESTORE_SEQUENCES")) : 200;

	(void)state;
	for (int s = 0; s < sequences; s++) {
		char *ws = fresh(st, sizeof(st));
		struct shadow *sh = open_shadow(ws, st);
		git_oid trees[8];
		char *want[8];
		int n = 2 + rnd(&seed) % 6;

		for (int k = 0; k < n; k++) {
			int edits = 1 + rnd(&seed) % 6;

			for (int e = 0; e < edits; e++)
				random_edit(ws, &seed);
			/* half of them as a session takes them (BELAY_VERIFY_TREES
			 * checks each such tree against the whole index's) */
			if (k && rnd(&seed) % 2)
				checkpoint_paths(sh, &trees[k - 1], &trees[k]);
			else
				checkpoint(sh, &trees[k]);
			want[k] = manifest(ws);
		}
		/* back to each, in a shuffled order, through the present */
		for (int r = 0; r < n; r++) {
			int k = rnd(&seed) % n;
			struct restore_report rep = { 0 };
			struct buf err = BUF_INIT;
			git_oid now;
			char *got;

			random_edit(ws, &seed);
			checkpoint(sh, &now);
			if (restore_tree(sh, &now, &trees[k], "test", &rep, &err) < 0)
				fail_msg("sequence %d: restore to checkpoint %d: %s", s, k, err.data);
			got = manifest(ws);
			if (strcmp(got, want[k]))
				fail_msg("sequence %d: checkpoint %d differs after rollback:\nwant:\n%s\ngot:\n%s", s, k,
					 want[k], got);
			free(got);
			restore_report_release(&rep);
			buf_release(&err);
		}
		for (int k = 0; k < n; k++)
			free(want[k]);
		shadow_free(sh);
		free(ws);
	}
}

/* --- the promises ---------------------------------------------------------- */

static void put(const char *ws, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", ws, rel);
	FILE *f;

	mkparents(ws, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return xstrdup("(missing)");
	while ((n = fread(chunk, 1, sizeof(chunk), f)))
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b, NULL);
}

static int sh_run(const char *fmt, const char *arg)
{
	char *cmd = xasprintf(fmt, arg, arg, arg);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

static void test_user_git_untouched(void **state)
{
	char st[256], *before, *after, *cmd;
	char *ws = fresh(st, sizeof(st));
	struct shadow *sh;
	git_oid t1, t2, t3, rev;
	struct restore_report rep = { 0 };
	struct buf err = BUF_INIT, conflicts = BUF_INIT;

	(void)state;
	put(ws, "a.txt", "one\ntwo\nthree\n");
	put(ws, ".gitignore", "*.log\n");
	assert_int_equal(sh_run("cd '%s' && git init -q && git add -A && git -c user.name=t -c user.email=t@t "
				"commit -qm init",
				ws),
			 0);
	cmd = xasprintf("cd '%s' && find .git -type f | sort | xargs sha1sum", ws);
	before = NULL;
	{
		FILE *p = popen(cmd, "r");
		struct buf b = BUF_INIT;
		char line[512];

		while (fgets(line, sizeof(line), p))
			buf_addstr(&b, line);
		pclose(p);
		before = buf_detach(&b, NULL);
	}
	sh = open_shadow(ws, st);
	checkpoint(sh, &t1);
	put(ws, "a.txt", "one\nTWO\nthree\n");
	put(ws, "debug.log", "ignored\n");
	checkpoint(sh, &t2);
	put(ws, "b.txt", "new\n");
	checkpoint(sh, &t3);
	assert_int_equal(restore_tree(sh, &t3, &t1, "test", &rep, &err), 0);
	assert_int_equal(restore_revert_tree(sh, &t1, &t2, &t1, &rev, &conflicts, &err), 0);
	{
		FILE *p = popen(cmd, "r");
		struct buf b = BUF_INIT;
		char line[512];

		while (fgets(line, sizeof(line), p))
			buf_addstr(&b, line);
		pclose(p);
		after = buf_detach(&b, NULL);
	}
	assert_string_equal(before, after);
	/* the ignored file is neither checkpointed nor removed */
	{
		char *p = xasprintf("%s/debug.log", ws), *d = slurp(p);

		assert_string_equal(d, "ignored\n");
		free(d);
		free(p);
	}
	restore_report_release(&rep);
	buf_release(&err);
	buf_release(&conflicts);
	shadow_free(sh);
	free(before);
	free(after);
	free(cmd);
	free(ws);
}

static void test_swapped_symlink_not_followed(void **state)
{
	char st[256], *outside = xasprintf("%s/outside%d", base, nth);
	char *ws = fresh(st, sizeof(st)), *p, *d;
	struct shadow *sh;
	git_oid t1, now;
	struct restore_report rep = { 0 };
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(mkdir(outside, 0755), 0);
	put(ws, "sub/file", "inside\n");
	sh = open_shadow(ws, st);
	checkpoint(sh, &t1);
	/* the agent swaps the directory for a link to a folder outside */
	assert_int_equal(sh_run("rm -rf '%s/sub'", ws), 0);
	p = xasprintf("%s/sub", ws);
	assert_int_equal(symlink(outside, p), 0);
	checkpoint(sh, &now);
	assert_int_equal(restore_tree(sh, &now, &t1, "test", &rep, &err), 0);
	/* the link is gone, a real directory holds the file, outside is empty */
	{
		struct stat s;

		assert_int_equal(lstat(p, &s), 0);
		assert_true(S_ISDIR(s.st_mode));
	}
	free(p);
	p = xasprintf("%s/sub/file", ws);
	d = slurp(p);
	assert_string_equal(d, "inside\n");
	free(d);
	free(p);
	p = xasprintf("%s/file", outside);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	/* a link the checkpoint does not know (ignored) is refused, not followed */
	put(ws, ".gitignore", "sub2\n");
	checkpoint(sh, &t1);
	p = xasprintf("%s/sub2", ws);
	assert_int_equal(symlink(outside, p), 0);
	free(p);
	{
		git_index *idx;
		git_tree *tree;
		git_oid with;
		git_index_entry e;
		git_blob *b;

		/* a checkpoint that has sub2/file (as if sub2 was a directory then) */
		assert_int_equal(git_index_new(&idx), 0);
		assert_int_equal(git_tree_lookup(&tree, shadow_repo(sh), &t1), 0);
		assert_int_equal(git_index_read_tree(idx, tree), 0);
		memset(&e, 0, sizeof(e));
		e.mode = GIT_FILEMODE_BLOB;
		e.path = "sub2/file";
		assert_int_equal(git_blob_create_from_buffer(&e.id, shadow_repo(sh), "x\n", 2), 0);
		assert_int_equal(git_index_add(idx, &e), 0);
		assert_int_equal(git_index_write_tree_to(&with, idx, shadow_repo(sh)), 0);
		assert_int_equal(git_blob_lookup(&b, shadow_repo(sh), &e.id), 0);
		git_blob_free(b);
		git_tree_free(tree);
		git_index_free(idx);
		restore_report_release(&rep);
		buf_reset(&err);
		assert_int_equal(restore_tree(sh, &t1, &with, "test", &rep, &err), -1);
		assert_int_equal(rep.nrefused, 1);
		assert_non_null(strstr(rep.refused[0], "symbolic link"));
	}
	p = xasprintf("%s/file", outside);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	restore_report_release(&rep);
	buf_release(&err);
	shadow_free(sh);
	free(outside);
	free(ws);
}

/* A hard link into the workspace: restored by a new file, the other name keeps its bytes. */
static void test_hard_link_replaced(void **state)
{
	char st[256], *ws = fresh(st, sizeof(st)), *outside = xasprintf("%s/linked%d", base, nth), *in, *d;
	struct shadow *sh;
	git_oid t1, now;
	struct restore_report rep = { 0 };
	struct buf err = BUF_INIT;
	struct stat a, b;

	(void)state;
	in = xasprintf("%s/h", ws);
	put(ws, "h", "before\n");
	sh = open_shadow(ws, st);
	checkpoint(sh, &t1);
	/* the agent replaces h by a hard link to a file outside, then writes it */
	assert_int_equal(unlink(in), 0);
	put(base, outside + strlen(base) + 1, "outside\n");
	assert_int_equal(link(outside, in), 0);
	put(ws, "h", "changed through the link\n");
	checkpoint(sh, &now);
	assert_int_equal(restore_tree(sh, &now, &t1, "test", &rep, &err), 0);
	d = slurp(in);
	assert_string_equal(d, "before\n");
	free(d);
	d = slurp(outside);
	assert_string_equal(d, "changed through the link\n"); /* not written through */
	free(d);
	assert_int_equal(stat(in, &a), 0);
	assert_int_equal(stat(outside, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	restore_report_release(&rep);
	buf_release(&err);
	shadow_free(sh);
	free(in);
	free(outside);
	free(ws);
}

static size_t count_packs(const char *state)
{
	char *cmd = xasprintf("ls %s/shadow/*/objects/pack/*.idx | wc -l", state);
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	assert_int_equal(fscanf(p, "%zu", &n), 1);
	pclose(p);
	free(cmd);
	return n;
}

/* Steps that each change many files leave packs; repacking merges them and loses nothing. */
static void test_repack(void **state)
{
	char st[256], *ws = fresh(st, sizeof(st)), *want0;
	struct shadow *sh;
	git_oid trees[12];
	char *paths[20];
	struct buf err = BUF_INIT;
	struct restore_report rep = { 0 };
	git_oid now;
	size_t before;

	(void)state;
	for (int i = 0; i < 20; i++)
		paths[i] = xasprintf("f%02d", i);
	sh = open_shadow(ws, st);
	for (int k = 0; k < 12; k++) {
		for (int i = 0; i < 20; i++) {
			char text[64];

			snprintf(text, sizeof(text), "file %d at checkpoint %d\n", i, k);
			put(ws, paths[i], text);
		}
		if (k == 0) {
			checkpoint(sh, &trees[0]);
		} else if (shadow_scan_paths(sh, paths, 20, &err) < 0 ||
			   shadow_write_tree_from(sh, &trees[k - 1], &trees[k], &err) < 0) {
			fail_msg("checkpoint: %s", err.data);
		}
	}
	before = count_packs(st);
	if (before < 11)
		fail_msg("%zu packs", before);
	assert_true(shadow_repack(sh, 4, &err) >= 11);
	assert_true(count_packs(st) < before);
	assert_true(count_packs(st) <= 2);
	/* every checkpoint is still whole */
	put(ws, paths[0], "now\n");
	checkpoint(sh, &now);
	assert_int_equal(restore_tree(sh, &now, &trees[0], "test", &rep, &err), 0);
	want0 = manifest(ws);
	assert_non_null(strstr(want0, "file 7 at checkpoint 0"));
	{
		char *cmd = xasprintf("git --git-dir=$(ls -d %s/shadow/*) fsck --strict 2>&1 | grep -v 'notice\\|dangling' | grep -q .", st);

		if (system(cmd) == 0) {
			char *show = xasprintf("git --git-dir=$(ls -d %s/shadow/*) fsck --strict 2>&1 | head -5", st);

			system(show);
			free(show);
			fail_msg("fsck found something");
		}
		free(cmd);
	}
	free(want0);
	for (int i = 0; i < 20; i++)
		free(paths[i]);
	restore_report_release(&rep);
	buf_release(&err);
	shadow_free(sh);
	free(ws);
}

static void test_revert(void **state)
{
	char st[256], *p, *d, *m1, *m2;
	char *ws = fresh(st, sizeof(st));
	struct shadow *sh;
	git_oid t0, t1, t2, out;
	struct restore_report rep = { 0 };
	struct buf err = BUF_INIT, conflicts = BUF_INIT;

	(void)state;
	put(ws, "a.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n");
	sh = open_shadow(ws, st);
	checkpoint(sh, &t0);
	put(ws, "a.txt", "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n"); /* step 1 */
	checkpoint(sh, &t1);
	put(ws, "a.txt", "1\nTWO\n3\n4\n5\n6\n7\n8\nNINE\n"); /* step 2: other lines */
	checkpoint(sh, &t2);
	/* revert step 1 keeps step 2 */
	assert_int_equal(restore_revert_tree(sh, &t0, &t1, &t2, &out, &conflicts, &err), 0);
	assert_int_equal(restore_tree(sh, &t2, &out, "test", &rep, &err), 0);
	p = xasprintf("%s/a.txt", ws);
	d = slurp(p);
	assert_string_equal(d, "1\n2\n3\n4\n5\n6\n7\n8\nNINE\n");
	free(d);
	/* a later step that touched the same line: a conflict, nothing written */
	put(ws, "a.txt", "1\nzwei\n3\n4\n5\n6\n7\n8\nNINE\n");
	checkpoint(sh, &t2);
	m1 = manifest(ws);
	assert_int_equal(restore_revert_tree(sh, &t0, &t1, &t2, &out, &conflicts, &err), 1);
	assert_string_equal(conflicts.data, "a.txt");
	m2 = manifest(ws);
	assert_string_equal(m1, m2);
	free(m1);
	free(m2);
	free(p);
	restore_report_release(&rep);
	buf_release(&err);
	buf_release(&conflicts);
	shadow_free(sh);
	free(ws);
}

static void test_killed_restore_resumes(void **state)
{
	char st[256];
	char *ws = fresh(st, sizeof(st)), *want, *got;
	struct shadow *sh;
	git_oid t0, t1;
	struct buf out = BUF_INIT, err = BUF_INIT;
	pid_t pid;
	int status;

	(void)state;
	for (int i = 0; i < 20; i++) {
		char name[32], text[32];

		snprintf(name, sizeof(name), "f%02d", i);
		snprintf(text, sizeof(text), "old %d\n", i);
		put(ws, name, text);
	}
	sh = open_shadow(ws, st);
	checkpoint(sh, &t0);
	want = manifest(ws);
	for (int i = 0; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "f%02d", i);
		put(ws, name, "new\n");
	}
	put(ws, "created", "later\n");
	checkpoint(sh, &t1);
	shadow_free(sh);
	pid = fork();
	if (pid == 0) {
		struct restore_report rep = { 0 };

		sh = open_shadow(ws, st);
		setenv("BELAY_FAULT_RESTORE_AFTER", "7", 1);
		restore_tree(sh, &t1, &t0, "rollback to before 1:1", &rep, &err);
		_exit(0); /* not reached: killed after 7 files */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	got = manifest(ws);
	assert_string_not_equal(got, want); /* half done */
	free(got);
	sh = open_shadow(ws, st);
	assert_int_equal(restore_resume(sh, &out, &err), 0);
	assert_non_null(strstr(out.data, "interrupted rollback to before 1:1 left"));
	assert_non_null(strstr(out.data, "restored them"));
	got = manifest(ws);
	assert_string_equal(got, want);
	/* and nothing is pending any more */
	buf_reset(&out);
	assert_int_equal(restore_resume(sh, &out, &err), 0);
	assert_int_equal(out.len, 0);
	free(got);
	free(want);
	buf_release(&out);
	buf_release(&err);
	shadow_free(sh);
	free(ws);
}

static void test_big_and_nested_skipped(void **state)
{
	char st[256], *p;
	char *ws = fresh(st, sizeof(st));
	struct shadow_opts o = { .state_dir = st, .max_file_size = 1000 };
	struct buf err = BUF_INIT;
	struct shadow *sh;
	git_oid t;
	const struct shadow_report *r;
	char big[2000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	put(ws, "big.bin", big);
	put(ws, "small", "s\n");
	put(ws, "nested/inner.txt", "n\n");
	assert_int_equal(sh_run("cd '%s/nested' && git init -q", ws), 0);
	sh = shadow_open(ws, &o, &err);
	assert_non_null(sh);
	checkpoint(sh, &t);
	r = shadow_report(sh);
	assert_int_equal(r->nskipped, 1);
	assert_string_equal(r->skipped[0], "big.bin (1 KB)");
	assert_int_equal(r->nnested, 1);
	assert_string_equal(r->nested[0], "nested");
	assert_int_equal(git_index_entrycount(shadow_index(sh)), 1);
	p = xasprintf("%s/small", ws);
	free(p);
	buf_release(&err);
	shadow_free(sh);
	free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_counts),
		cmocka_unit_test(test_rollback_to_every_checkpoint),
		cmocka_unit_test(test_user_git_untouched),
		cmocka_unit_test(test_swapped_symlink_not_followed),
		cmocka_unit_test(test_hard_link_replaced),
		cmocka_unit_test(test_repack),
		cmocka_unit_test(test_revert),
		cmocka_unit_test(test_killed_restore_resumes),
		cmocka_unit_test(test_big_and_nested_skipped),
	};
	const char *tmp = getenv("TMPDIR");
	int rc;

	snprintf(base, sizeof(base), "%s/belay-restore-XXXXXX", tmp && *tmp ? tmp : "/var/tmp");
	if (!mkdtemp(base))
		return 1;
	git_libgit2_init();
	setenv("BELAY_VERIFY_TREES", "1", 1);
	rc = RUN_TESTS(tests);
	sh_run("rm -rf '%s'", base);
	git_libgit2_shutdown();
	return rc;
}
