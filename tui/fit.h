/*
 * fit.h - making names fit the review screen: the command a person reads
 * for an argv, paths relative to the workspace or home, and text cut in the
 * middle to a number of terminal columns.
 *
 * Pure text functions: no curses, no locale, no globals.  Every result is
 * newly allocated and never NULL; the caller frees it.
 */
#ifndef BELAY_FIT_H
#define BELAY_FIT_H

#include <stddef.h>

/*
 * The command a person reads for a program run with argv (argc entries):
 * for a shell run with a script ("bash -c 'cd x && npm test'", "sh -lc …",
 * "/bin/zsh -e -c …", also "env A=1 bash -c …" and "/usr/bin/env bash -c …")
 * the script itself, not the shell's path; otherwise the program's base
 * name followed by its arguments, each argument quoted shell-style only
 * when it needs it (spaces, quotes, empty).  Whatever it is, the result is
 * one line: a script's lines are joined with " ⏎ " (leading/trailing blank
 * lines dropped, each line's leading and trailing blanks trimmed), runs of
 * spaces/tabs become one space.  Control characters and other invisible
 * characters are escaped visibly as text_visible() does (never dropped).
 * NULL or empty argv gives "".  Caller frees.
 */
char *fit_command(char *const *argv, size_t argc);

/*
 * path as a person reads it: relative to workspace when inside it
 * ("src/app.ts"; the workspace itself is "."), "~/…" when inside home
 * (home itself "~"), else unchanged.  Only whole components match
 * (/work/ws2 is not inside /work/ws).  workspace or home may be NULL or "".
 * Caller frees.  The result is escaped as text_visible() does.
 */
char *fit_path(const char *path, const char *workspace, const char *home);

/*
 * text cut to at most width terminal columns (UTF-8; wide characters
 * count 2, as wcwidth says; text is already visible, no controls), never
 * losing its end: the middle is replaced by "…".  When the text looks
 * like a path (has a '/'), the cut is made at a '/' when that still fits
 * ("…/deep/file.ts" rather than "src/de…file.ts"): keep as many whole
 * trailing components as fit, then as much of the start as still fits
 * ("src/…/deep/file.ts") if any room is left; if even the last component
 * does not fit, keep its end ("…ile.ts").  width 0 gives "", width 1 gives
 * "…" when cut.  Never splits a UTF-8 sequence.  Caller frees.
 */
char *fit_middle(const char *text, unsigned width);

/* Columns text takes on a terminal (UTF-8, wcwidth; invalid bytes count 1). */
unsigned fit_width(const char *text);

#endif
