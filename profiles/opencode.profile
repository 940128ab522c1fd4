# opencode - opencode (sst): a native program built with Bun, "opencode",
# or npm's opencode-ai that runs it.  Format: generic.profile.
program opencode opencode-*
env OPENCODE_* ANTHROPIC_API_KEY OPENAI_API_KEY GEMINI_API_KEY OPENROUTER_API_KEY GROQ_API_KEY

# Its sessions database (and the journal SQLite writes and deletes beside
# it), its logs and its configuration folder; XDG_*_HOME move them.
state    ~/.local/share/opencode    $XDG_DATA_HOME/opencode
state    ~/.local/state/opencode    $XDG_STATE_HOME/opencode
state    ~/.config/opencode         $XDG_CONFIG_HOME/opencode

# Bun opens the kernel's trace marker for writing at every start, and goes
# on without it: refused at once rather than asked.
refuse   /sys/kernel/debug/tracing/trace_marker
refuse   /sys/kernel/tracing/trace_marker

# Its permissions (which tools run without asking) and its agents.
settings ~/.config/opencode/opencode.json*  $XDG_CONFIG_HOME/opencode/opencode.json*
settings ~/.config/opencode/agent/**        $XDG_CONFIG_HOME/opencode/agent/**
settings $WORKSPACE/opencode.json*
settings $WORKSPACE/.opencode/**
