/*
 * dirs.h - where belay keeps its own files: one answer for every module, so
 * that what belay writes and what it never lets the agent write are the
 * same folders.  XDG Base Directory rules: a variable that is unset, empty
 * or not absolute is ignored.
 */
#ifndef BELAY_DIRS_H
#define BELAY_DIRS_H

enum belay_dir {
	DIR_STATE,   /* $XDG_STATE_HOME/belay, ~/.local/state/belay: shadow repositories */
	DIR_CONFIG,  /* $XDG_CONFIG_HOME/belay, ~/.config/belay: policies, keymaps, themes */
	DIR_RUNTIME, /* $XDG_RUNTIME_DIR/belay, /tmp/belay-UID: sockets */
	DIR__COUNT
};

/* The folder (caller frees); it may not exist yet. */
char *dirs_get(enum belay_dir which);

#endif
