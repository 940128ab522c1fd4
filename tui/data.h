/*
 * data.h - the keymaps and themes compiled into belay (the files in keymaps/
 * and themes/, embedded by embed.S), so that the defaults are the very files
 * users copy and edit.
 */
#ifndef BELAY_DATA_H
#define BELAY_DATA_H

#include <stddef.h>

enum data_kind {
	DATA_KEYMAP,
	DATA_THEME,
};

/* The built-in file NAME of kind; NULL if there is none. */
const char *data_builtin(enum data_kind kind, const char *name, size_t *len);
/* Names of the built-in files of kind, NULL-terminated. */
const char *const *data_builtin_names(enum data_kind kind);

#endif
