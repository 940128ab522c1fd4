/*
 * data.h - the keymaps, themes and policies compiled into belay (the files in
 * keymaps/, themes/ and policies/, embedded by embed.S), so that the defaults are the very files
 * users copy and edit.
 */
#ifndef BELAY_DATA_H
#define BELAY_DATA_H

#include <stddef.h>

#include "../supervisor/buf.h"

enum data_kind {
	DATA_KEYMAP,
	DATA_THEME,
	DATA_POLICY,
	DATA_PROFILE,
};

/* "keymap", "theme", "policy", "profile" */
const char *data_kind_name(enum data_kind kind);

/*
 * Find NAME or FILE of kind: a path (it has a '/' or the kind's extension),
 * else NAME in the user's config ($XDG_CONFIG_HOME/belay/DIR/NAME.EXT), in
 * the installed data (beside the binary, BIN/../share/belay, else the
 * build-time directory), in the built-in files.  On success the contents go
 * to text, *label is the path or "(built-in NAME)" (malloc'd) and 0 is
 * returned.  -ENOENT: there is none (nothing is said); another -errno: the
 * file exists but cannot be read ("path: cannot load: …" added to errors).
 */
int data_find(enum data_kind kind, const char *spec, struct buf *text, char **label, struct buf *errors);

/* The user's config path for NAME of kind (it may not exist); NULL without a home. */
char *data_user_path(enum data_kind kind, const char *name);
/* Where installed keymaps, themes and policies are looked for (not owned). */
const char *data_dir(void);

/* " default tmux": the built-in names, for messages. */
void data_list_builtin(enum data_kind kind, struct buf *out);

/* The built-in file NAME of kind; NULL if there is none. */
const char *data_builtin(enum data_kind kind, const char *name, size_t *len);
/* Names of the built-in files of kind, NULL-terminated. */
const char *const *data_builtin_names(enum data_kind kind);
/*
 * Every name of kind that data_find() finds: the user's files, the
 * installed ones and the built-in ones, each once, sorted; NULL-terminated
 * (free with data_names_free).
 */
char **data_names(enum data_kind kind);
void data_names_free(char **names);

#endif
