/*
 * fit.c - names made to fit the review screen; see fit.h.
 *
 * Widths are computed here rather than with wcwidth(3): that needs a UTF-8
 * locale, which the unit tests and a belay started under LANG=C do not
 * have, and a layout that changed with the locale would be worse than a
 * short table.  The table is the East Asian Wide ranges of Unicode's
 * EastAsianWidth.txt in broad strokes, plus the common combining marks.
 *
 * Shells are parsed only as deep as finding "-c script": bash, sh, zsh,
 * dash and ksh take the script from the first operand after an option
 * cluster holding 'c' (bash(1), -c), wherever that cluster is.  env(1) is
 * looked through for its options and NAME=VALUE words; "env -S" splits a
 * string itself and is shown as it is.
 */
#include "fit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../supervisor/buf.h"
#include "../supervisor/util.h"

#define ELLIPSIS "\xe2\x80\xa6"  /* U+2026 */
#define LINE_MARK "\xe2\x8f\x8e" /* U+23CE, between a script's lines */

/* One character of a text: an invalid byte is a character of its own. */
struct glyph {
	size_t off;
	size_t len;
	unsigned width;
};

static int in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i][0] && cp <= r[i][1])
			return 1;
	return 0;
}

static unsigned cp_width(uint32_t cp)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x20d0, 0x20ff }, { 0xfe20, 0xfe2f },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f },   { 0x2e80, 0xa4cf },   { 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },
		{ 0xfe30, 0xfe4f },   { 0xff00, 0xff60 },   { 0xffe0, 0xffe6 },   { 0x1f300, 0x1f64f },
		{ 0x1f680, 0x1f6ff }, { 0x1f900, 0x1f9ff }, { 0x1fa70, 0x1faff }, { 0x20000, 0x3fffd },
	};

	if (cp < 0x300)
		return 1;
	if (in_ranges(cp, zero, ARRAY_SIZE(zero)))
		return 0;
	return in_ranges(cp, wide, ARRAY_SIZE(wide)) ? 2 : 1;
}

/* The character at s (n bytes left): its length in bytes and its width. */
static size_t glyph_at(const unsigned char *s, size_t n, unsigned *width)
{
	uint32_t cp;
	size_t len = utf8_decode(s, n, &cp);

	*width = len ? cp_width(cp) : 1;
	return len ? len : 1;
}

unsigned fit_width(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = text ? strlen(text) : 0;
	unsigned total = 0, w;

	while (n) {
		size_t len = glyph_at(s, n, &w);

		total += w;
		s += len;
		n -= len;
	}
	return total;
}

/* text split into characters; *count of them.  Caller frees. */
static struct glyph *glyphs_of(const char *text, size_t *count)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, k = 0;
	struct glyph *g = xmalloc((n + 1) * sizeof(*g));

	while (i < n) {
		g[k].off = i;
		g[k].len = glyph_at(s + i, n - i, &g[k].width);
		i += g[k++].len;
	}
	*count = k;
	return g;
}

/*
 * The first character of the longest end of g[from..n) that fits in budget
 * columns; *used: its width.  A combining mark whose base did not fit is
 * left out too, or it would sit on the ellipsis.
 */
static size_t tail_fitting(const struct glyph *g, size_t n, size_t from, unsigned budget, unsigned *used)
{
	size_t t = n;

	*used = 0;
	while (t > from && *used + g[t - 1].width <= budget)
		*used += g[--t].width;
	while (t < n && t > 0 && !g[t].width)
		t++;
	return t;
}

/* The end of the longest start of g[0..limit) that fits in budget columns. */
static size_t head_fitting(const struct glyph *g, size_t limit, unsigned budget)
{
	size_t h = 0;
	unsigned used = 0;

	while (h < limit && used + g[h].width <= budget)
		used += g[h++].width;
	return h;
}

/*
 * The cut of a path, in room columns: the most whole trailing components
 * ("/deep/file.ts"), then in what is left the most whole leading ones
 * ("src/").  The start is cut at a '/' too, so that every elided part is
 * whole components: "s…/deep" would read as a folder named "s…".  Slashes
 * at the very end belong to the last component.  *head and *tail are
 * character indexes: g[0..head) and g[tail..n) are kept.
 */
static void cut_path(const char *text, const struct glyph *g, size_t n, unsigned room, size_t *head, size_t *tail)
{
	size_t t = n, best = n, last = n, j;
	unsigned used = 0;

	while (last > 0 && text[g[last - 1].off] == '/')
		last--;
	while (t > 0 && used + g[t - 1].width <= room) {
		used += g[--t].width;
		if (t < last && text[g[t].off] == '/')
			best = t;
	}
	if (best == n) {
		/* not even "/file.ts": its end */
		*head = 0;
		*tail = tail_fitting(g, n, 0, room, &used);
		return;
	}
	used = 0;
	for (j = best; j < n; j++)
		used += g[j].width;
	*tail = best;
	for (j = head_fitting(g, best, room - used); j > 0 && text[g[j - 1].off] != '/'; j--)
		;
	*head = j;
}

char *fit_middle(const char *text, unsigned width)
{
	struct glyph *g;
	size_t n, len, head, tail;
	unsigned total = 0, room, used;
	struct buf b = BUF_INIT;

	if (!text)
		return xstrdup("");
	g = glyphs_of(text, &n);
	for (size_t i = 0; i < n; i++)
		total += g[i].width;
	if (total <= width || !width) {
		free(g);
		return xstrdup(total <= width ? text : "");
	}
	room = width - 1;
	if (strchr(text, '/')) {
		cut_path(text, g, n, room, &head, &tail);
	} else {
		/*
		 * The end tells things apart (an extension, a number), so it gets
		 * the odd column, and at least three however narrow.
		 */
		tail = tail_fitting(g, n, 0, MAX(room - room / 2, MIN(room, 3u)), &used);
		head = head_fitting(g, tail, room - used);
	}
	len = strlen(text);
	buf_add(&b, text, head < n ? g[head].off : len);
	buf_addstr(&b, ELLIPSIS);
	buf_addstr(&b, text + (tail < n ? g[tail].off : len));
	free(g);
	return buf_detach(&b, NULL);
}

/* The rest of path below dir ("" for dir itself), or NULL when path is not dir or inside it. */
static const char *path_below(const char *path, const char *dir)
{
	size_t n;

	if (!dir || !*dir)
		return NULL;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		n = 0;
	if (strncmp(path, dir, n) || (path[n] != '/' && (path[n] || !n)))
		return NULL;
	path += n;
	while (*path == '/')
		path++;
	return path;
}

char *fit_path(const char *path, const char *workspace, const char *home)
{
	const char *rest;
	char *shown, *out;

	if (!path)
		return xstrdup("");
	if (*path && (rest = path_below(path, workspace)))
		shown = xstrdup(*rest ? rest : ".");
	else if (*path && (rest = path_below(path, home)))
		shown = *rest ? xasprintf("~/%s", rest) : xstrdup("~");
	else
		shown = xstrdup(path);
	out = text_visible(shown);
	free(shown);
	return out;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * text as one line: lines trimmed and joined with " ⏎ ", blank lines at
 * either end dropped, runs of blanks made one space.  Not yet visible:
 * other controls are left for text_visible().
 */
static char *one_line(const char *text)
{
	struct buf b = BUF_INIT;
	size_t blank_lines = 0;
	int started = 0;

	for (;;) {
		const char *end = text + strcspn(text, "\n"), *a = text, *z = end;

		while (a < z && is_blank(*a))
			a++;
		while (z > a && is_blank(z[-1]))
			z--;
		if (a == z) {
			if (started)
				blank_lines++;
		} else {
			if (started) {
				/* a blank line in the middle is kept, as an empty one */
				for (size_t i = 0; i <= blank_lines; i++)
					buf_addstr(&b, " " LINE_MARK);
				buf_addch(&b, ' ');
			}
			for (; a < z; a++) {
				if (!is_blank(*a))
					buf_addch(&b, *a);
				else if (!is_blank(a[-1]))
					buf_addch(&b, ' ');
			}
			started = 1;
			blank_lines = 0;
		}
		if (!*end)
			break;
		text = end + 1;
	}
	return buf_detach(&b, NULL);
}

/* Whether a shell reads word as it is, unquoted. */
static int word_plain(const char *word)
{
	if (!*word || *word == '~' || *word == '#')
		return 0;
	for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
		if (*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_./=:,+@%~#", *p))
			continue;
		return 0;
	}
	return 1;
}

/* word, quoted the way a person would type it: '…' unless it holds a quote. */
static void add_word(struct buf *b, const char *word)
{
	if (word_plain(word)) {
		buf_addstr(b, word);
	} else if (!strchr(word, '\'')) {
		buf_addf(b, "'%s'", word);
	} else if (!strpbrk(word, "\"$`\\!")) {
		buf_addf(b, "\"%s\"", word);
	} else {
		buf_addch(b, '\'');
		for (; *word; word++) {
			if (*word == '\'')
				buf_addstr(b, "'\\''");
			else
				buf_addch(b, *word);
		}
		buf_addch(b, '\'');
	}
}

/* The program env(1) runs in argv: its index, argc when none or when env -S splits a string. */
static size_t env_program(char *const *argv, size_t argc)
{
	size_t i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[1] == '-') {
			if (!strcmp(a, "--unset") || !strcmp(a, "--chdir"))
				i++;
			else if (!strncmp(a, "--split-string", 14))
				return argc;
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			if (*c == 'S')
				return argc;
			/* -u NAME, -C DIR, or the rest of the cluster is the value */
			if (*c == 'u' || *c == 'C') {
				i += !c[1];
				break;
			}
		}
	}
	while (i < argc && strchr(argv[i], '='))
		i++;
	return MIN(i, argc);
}

static int is_shell(const char *name)
{
	static const char *const shells[] = { "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash" };

	/* a login shell's argv[0] is "-bash" */
	if (*name == '-')
		name++;
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++)
		if (!strcmp(name, shells[i]))
			return 1;
	return 0;
}

/* The script of argv[i] when that is a shell run with -c, else NULL. */
static const char *shell_script(char *const *argv, size_t argc, size_t i)
{
	int has_c = 0;

	if (!is_shell(path_base(argv[i])))
		return NULL;
	for (i++; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--") || !strcmp(a, "-")) {
			i++;
			break;
		}
		if (a[0] == '-' && a[1] == '-') {
			if (!strcmp(a, "--rcfile") || !strcmp(a, "--init-file"))
				i++;
			continue;
		}
		if (a[0] != '-' && a[0] != '+')
			break;
		/* -o and -O take the next word: "bash -o pipefail -c …" */
		for (const char *c = a + 1; *c; c++) {
			if (*c == 'c' && a[0] == '-')
				has_c = 1;
			else if (*c == 'o' || *c == 'O')
				i++;
		}
	}
	return has_c && i < argc ? argv[i] : NULL;
}

/*
 * script as words when it is one simple command (quotes and backslashes as
 * sh reads them; no expansion, operator or redirection outside quotes):
 * NULL-terminated, caller frees with free_words; else NULL.
 */
static char **simple_words(const char *script, size_t *n)
{
	char **w = NULL;
	size_t cap = 0;
	struct buf cur = BUF_INIT;
	int in_word = 0;
	const char *p = script;

	*n = 0;
	for (;; p++) {
		char c = *p;

		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				w = xgrow(w, &cap, *n + 2, sizeof(*w));
				w[(*n)++] = buf_detach(&cur, NULL);
				w[*n] = NULL;
				in_word = 0;
			}
			if (!c)
				break;
			continue;
		}
		in_word = 1;
		if (c == '\'') {
			const char *e = strchr(p + 1, '\'');

			if (!e)
				goto no;
			buf_add(&cur, p + 1, (size_t)(e - p - 1));
			p = e;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '$' || *p == '`')
					goto no;
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				buf_addch(&cur, *p);
			}
			if (!*p)
				goto no;
		} else if (c == '\\' && p[1]) {
			buf_addch(&cur, *++p);
		} else if (strchr(";&|<>()$`*?[#~{}", c)) {
			goto no;
		} else {
			buf_addch(&cur, c);
		}
	}
	buf_release(&cur);
	return w;
no:
	buf_release(&cur);
	for (size_t i = 0; i < *n; i++)
		free(w[i]);
	free(w);
	return NULL;
}

/* The script a script runs when it is only "bash -c 'SCRIPT'" (an agent's wrapper), else script itself. */
static char *unwrap(const char *script, int depth)
{
	size_t n;
	char **w = depth < 4 ? simple_words(script, &n) : NULL;
	const char *inner = w && n ? shell_script(w, n, 0) : NULL;
	char *out = NULL;

	/* only the script, with no arguments after it: those would be lost */
	for (size_t i = 0; inner && i < n; i++)
		if (w[i] == inner && i + 1 == n)
			out = unwrap(inner, depth + 1);
	if (!out)
		out = xstrdup(script);
	for (size_t i = 0; w && i < n; i++)
		free(w[i]);
	free(w);
	return out;
}

char *fit_command(char *const *argv, size_t argc)
{
	struct buf b = BUF_INIT;
	const char *script = NULL, *name;
	size_t prog = 0, n;
	char *line, *out;

	for (n = 0; argv && n < argc && argv[n]; n++)
		;
	if (!n)
		return xstrdup("");
	argc = n;
	if (!strcmp(path_base(argv[0]), "env"))
		prog = env_program(argv, argc);
	if (prog < argc)
		script = shell_script(argv, argc, prog);
	if (script) {
		size_t at = prog;

		while (argv[at] != script)
			at++;
		/* the script's own arguments ($1…) are part of what it does: "rm \"$1\"" says little alone */
		if (at + 2 < argc) {
			buf_addstr(&b, script);
			buf_addstr(&b, "  \xe2\x80\x94 with");
			for (size_t i = at + 2; i < argc; i++) {
				buf_addch(&b, ' ');
				add_word(&b, argv[i]);
			}
			line = one_line(b.data);
			buf_release(&b);
			goto out;
		}
		{
			char *inner = unwrap(script, 0);

			line = one_line(inner);
			free(inner);
		}
		if (*line)
			goto out;
		/* "bash -c ''" shows as it is rather than as nothing */
		free(line);
	}
	name = path_base(argv[0]);
	add_word(&b, *name ? name : argv[0]);
	for (size_t i = 1; i < argc; i++) {
		buf_addch(&b, ' ');
		add_word(&b, argv[i]);
	}
	line = one_line(b.data);
	buf_release(&b);
out:
	out = text_visible(line);
	free(line);
	return out;
}
