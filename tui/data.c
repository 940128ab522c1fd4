/* data.c - lookup of the files embed.S embeds. */
#include "data.h"

#include <string.h>

#define DECLARE(sym) extern const char sym[], sym##_end[]
DECLARE(belay_keys_default);
DECLARE(belay_keys_tmux);
DECLARE(belay_theme_dark);
DECLARE(belay_theme_light);
DECLARE(belay_theme_mono);
DECLARE(belay_theme_high_contrast);

static const struct {
	enum data_kind kind;
	const char *name;
	const char *start, *end;
} files[] = {
	{ DATA_KEYMAP, "default", belay_keys_default, belay_keys_default_end },
	{ DATA_KEYMAP, "tmux", belay_keys_tmux, belay_keys_tmux_end },
	{ DATA_THEME, "dark", belay_theme_dark, belay_theme_dark_end },
	{ DATA_THEME, "light", belay_theme_light, belay_theme_light_end },
	{ DATA_THEME, "mono", belay_theme_mono, belay_theme_mono_end },
	{ DATA_THEME, "high-contrast", belay_theme_high_contrast, belay_theme_high_contrast_end },
};

static const char *const keymap_names[] = { "default", "tmux", NULL };
static const char *const theme_names[] = { "dark", "light", "mono", "high-contrast", NULL };

const char *data_builtin(enum data_kind kind, const char *name, size_t *len)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].kind == kind && !strcmp(files[i].name, name)) {
			*len = (size_t)(files[i].end - files[i].start);
			return files[i].start;
		}
	}
	return NULL;
}

const char *const *data_builtin_names(enum data_kind kind)
{
	return kind == DATA_KEYMAP ? keymap_names : theme_names;
}
