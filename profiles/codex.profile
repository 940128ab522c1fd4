# codex - OpenAI's Codex CLI: npm's @openai/codex, a node script that runs
# the native "codex".  Format: generic.profile.
program codex codex-*
env OPENAI_* CODEX_*

# Sessions, history, logs, its login; CODEX_HOME moves all of it.
state    ~/.codex                 $CODEX_HOME

# Its configuration (approval policy, sandbox mode) and the commands it
# was told to run without asking: not its own to change.
settings ~/.codex/config.toml     $CODEX_HOME/config.toml
settings ~/.codex/rules/**        $CODEX_HOME/rules/**
settings $WORKSPACE/.codex/config.toml
