/* embed.S - embed the default keymaps and themes; see data.h. */
#define EMBED(sym, file) \
	.section .rodata; .global sym; .global sym##_end; .balign 8; \
	sym: .incbin file; sym##_end: .byte 0

EMBED(belay_keys_default, "keymaps/default.keys")
EMBED(belay_keys_tmux, "keymaps/tmux.keys")
EMBED(belay_theme_dark, "themes/dark.theme")
EMBED(belay_theme_light, "themes/light.theme")
EMBED(belay_theme_mono, "themes/mono.theme")
EMBED(belay_theme_high_contrast, "themes/high-contrast.theme")
EMBED(belay_policy_default, "policies/default.rules")
EMBED(belay_policy_strict, "policies/strict.rules")
EMBED(belay_policy_ci, "policies/ci.rules")
EMBED(belay_profile_generic, "profiles/generic.profile")
EMBED(belay_profile_claude, "profiles/claude.profile")
EMBED(belay_profile_codex, "profiles/codex.profile")
EMBED(belay_profile_gemini, "profiles/gemini.profile")
EMBED(belay_profile_qwen, "profiles/qwen.profile")
EMBED(belay_profile_aider, "profiles/aider.profile")
EMBED(belay_profile_opencode, "profiles/opencode.profile")

	.section .note.GNU-stack,"",@progbits
