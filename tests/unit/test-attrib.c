/*
 * test-attrib.c - each step's diff is exactly its own (supervisor/attrib.c):
 * a property test of random steps that overlap, each touching its own files
 * and some shared ones, checkpointed in one range; the split gives every
 * step its own files, the shared ones with the steps that shared them, and
 * a base (before, with the others' changes) whose diff is exactly that.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../supervisor/attrib.h"
#include "../../supervisor/buf.h"
#include "../../supervisor/shadow.h"
#include "../../supervisor/util.h"

static char base[200];
static int nth;

static int sh_run(const char *fmt, const char *arg)
{
	char *cmd = xasprintf(fmt, arg, arg);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct shadow *fresh(char **ws_out)
{
	char *ws = xasprintf("%s/ws%d", base, nth), *state = xasprintf("%s/state%d", base, nth);
	struct shadow_opts o = { .state_dir = state };
	struct buf err = BUF_INIT;
	struct shadow *sh;

	nth++;
	assert_int_equal(mkdir(ws, 0755), 0);
	sh = shadow_open(ws, &o, &err);
	if (!sh)
		fail_msg("shadow_open: %s", err.data);
	buf_release(&err);
	free(state);
	*ws_out = ws;
	return sh;
}

static void put(const char *ws, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", ws, rel), *slash = strrchr(p, '/');
	FILE *f;

	*slash = '\0';
	mkdir(p, 0755);
	*slash = '/';
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void checkpoint(struct shadow *sh, git_oid *tree)
{
	struct buf err = BUF_INIT;

	if (shadow_scan_all(sh, NULL, NULL, &err) < 0 || shadow_write_tree(sh, tree, &err) < 0)
		fail_msg("checkpoint: %s", err.data);
	buf_release(&err);
}

/* Paths that differ between two trees, sorted, one per line. */
static void changed(struct shadow *sh, const git_oid *a, const git_oid *b, struct buf *out)
{
	git_tree *ta = NULL, *tb = NULL;
	git_diff *d = NULL;

	assert_int_equal(git_tree_lookup(&ta, shadow_repo(sh), a), 0);
	assert_int_equal(git_tree_lookup(&tb, shadow_repo(sh), b), 0);
	assert_int_equal(git_diff_tree_to_tree(&d, shadow_repo(sh), ta, tb, NULL), 0);
	for (size_t i = 0; i < git_diff_num_deltas(d); i++)
		buf_addf(out, "%s\n", git_diff_get_delta(d, i)->new_file.path);
	git_diff_free(d);
	git_tree_free(ta);
	git_tree_free(tb);
}

#define NSTEPS 4
#define NFILES 24

static void test_overlapping_steps_split_exactly(void **state)
{
	(void)state;
	srand(7);
	for (int round = 0; round < 40; round++) {
		char *ws;
		struct shadow *sh = fresh(&ws);
		struct attrib *a = attrib_new();
		git_oid before, after;
		/* owner[f]: the steps that touch file f (bit per step), 0: untouched */
		unsigned owner[NFILES] = { 0 };
		char name[64];

		for (int f = 0; f < NFILES; f += 2) {
			snprintf(name, sizeof(name), "d%d/f%d", f % 3, f);
			put(ws, name, "old\n");
		}
		checkpoint(sh, &before);
		for (int s = 1; s <= NSTEPS; s++)
			attrib_start(a, s);
		/* interleaved calls: each file changed by one step, some by two */
		for (int f = 0; f < NFILES; f++) {
			int s = 1 + rand() % NSTEPS, s2 = rand() % 5 == 0 ? 1 + rand() % NSTEPS : 0;

			snprintf(name, sizeof(name), "d%d/f%d", f % 3, f);
			owner[f] = 1u << s | (s2 ? 1u << s2 : 0);
			put(ws, name, round % 2 ? "new\n" : "newer\n");
			attrib_note(a, s, name);
			if (s2)
				attrib_note(a, s2, name);
		}
		/* a file no call touched (written through an old descriptor) */
		put(ws, "unseen", "x\n");
		checkpoint(sh, &after);
		for (int s = 1; s <= NSTEPS; s++) {
			struct attrib_split sp;
			struct buf err = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
			unsigned with = 0, files = 0;
			git_oid base_tree;

			assert_true(attrib_mixed(a, s));
			if (attrib_split(a, s, shadow_repo(sh), &before, &after, &sp, &err) < 0)
				fail_msg("split: %s", err.data);
			if (shadow_tree_apply(sh, &before, sp.others, sp.nothers, &base_tree, &err) < 0)
				fail_msg("apply: %s", err.data);
			/* git's order: d0/…, d1/…, d2/…, unseen */
			for (int dir = 0; dir < 3; dir++) {
				char *v[NFILES];
				size_t nv = 0;

				for (int f = dir; f < NFILES; f += 3) {
					if (!(owner[f] & 1u << s))
						continue;
					snprintf(name, sizeof(name), "d%d/f%d", dir, f);
					v[nv++] = xstrdup(name);
					with |= owner[f] & ~(1u << s);
				}
				qsort(v, nv, sizeof(*v), cmp_strp);
				for (size_t i = 0; i < nv; i++)
					buf_addf(&want, "%s\n", v[i]), free(v[i]), files++;
			}
			buf_addstr(&want, "unseen\n");
			files++;
			changed(sh, &base_tree, &after, &got);
			assert_string_equal(got.data, want.data);
			assert_int_equal(sp.files, files);
			for (size_t i = 0; i < sp.nwith; i++) {
				assert_true(with & 1u << sp.with[i]);
				with &= ~(1u << sp.with[i]);
			}
			assert_int_equal(with, 0);
			attrib_split_release(&sp);
			buf_release(&err);
			buf_release(&want);
			buf_release(&got);
		}
		for (int s = 1; s <= NSTEPS; s++)
			attrib_end(a, s);
		attrib_free(a);
		shadow_free(sh);
		free(ws);
	}
}

/* A directory removed by one step covers the files below it; steps alone are never mixed. */
static void test_directory_and_alone(void **state)
{
	char *ws;
	struct shadow *sh = fresh(&ws);
	struct attrib *a = attrib_new();
	struct attrib_split sp;
	struct buf err = BUF_INIT, got = BUF_INIT;
	git_oid before, after, bt;

	(void)state;
	put(ws, "sub/a", "a\n");
	put(ws, "sub/b", "b\n");
	put(ws, "other", "o\n");
	checkpoint(sh, &before);
	attrib_start(a, 1);
	attrib_note(a, 1, "x");
	assert_false(attrib_mixed(a, 1));
	attrib_start(a, 2);
	attrib_note(a, 2, "sub"); /* rm -rf sub: the directory is enough */
	attrib_note(a, 1, "other");
	sh_run("rm -rf '%s/sub'; echo changed >'%s/other'", ws);
	checkpoint(sh, &after);
	assert_true(attrib_mixed(a, 1));
	assert_int_equal(attrib_split(a, 1, shadow_repo(sh), &before, &after, &sp, &err), 0);
	assert_int_equal(sp.files, 1);
	assert_int_equal(sp.nothers, 2);
	assert_int_equal(shadow_tree_apply(sh, &before, sp.others, sp.nothers, &bt, &err), 0);
	changed(sh, &bt, &after, &got);
	assert_string_equal(got.data, "other\n");
	attrib_split_release(&sp);
	buf_reset(&got);
	assert_int_equal(attrib_split(a, 2, shadow_repo(sh), &before, &after, &sp, &err), 0);
	assert_int_equal(sp.files, 2);
	assert_int_equal(shadow_tree_apply(sh, &before, sp.others, sp.nothers, &bt, &err), 0);
	changed(sh, &bt, &after, &got);
	assert_string_equal(got.data, "sub/a\nsub/b\n");
	attrib_split_release(&sp);
	attrib_end(a, 1);
	attrib_end(a, 2);
	/* nothing runs: notes are forgotten; a new step alone is not mixed */
	attrib_note(a, 0, "late");
	attrib_start(a, 3);
	assert_false(attrib_mixed(a, 3));
	attrib_free(a);
	shadow_free(sh);
	buf_release(&err);
	buf_release(&got);
	free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlapping_steps_split_exactly),
		cmocka_unit_test(test_directory_and_alone),
	};
	const char *tmp = getenv("TMPDIR");
	int rc;

	snprintf(base, sizeof(base), "%s/belay-attrib-XXXXXX", tmp && *tmp ? tmp : "/var/tmp");
	if (!mkdtemp(base))
		return 1;
	git_libgit2_init();
	setenv("BELAY_VERIFY_TREES", "1", 1);
	rc = RUN_TESTS(tests);
	sh_run("rm -rf '%s'", base);
	git_libgit2_shutdown();
	return rc;
}
