# claude - Claude Code (Anthropic): a native program, "claude", or npm's
# @anthropic-ai/claude-code (a node script).  Format: generic.profile.
program claude claude-code
# Its own variables: the API key and endpoint, its settings (Bedrock and
# Vertex use the cloud's credentials: give them with --pass-env).
env ANTHROPIC_* CLAUDE_* CLAUDECODE DISABLE_* MCP_* MAX_THINKING_TOKENS BASH_*_TIMEOUT_MS

# Sessions, projects, todos, shell snapshots; CLAUDE_CONFIG_DIR moves them,
# and the state file beside them.
state      ~/.claude            $CLAUDE_CONFIG_DIR
state-file ~/.claude.json*      $CLAUDE_CONFIG_DIR/.claude.json*
# the native installer's versions and its lock files
state      ~/.local/share/claude
state      ~/.local/state/claude
# its screen makes this folder at every start (nothing more)
state-file ~/.local/share/applications

# The bash its shell tool runs snapshots the environment for the next
# command: the shell writes there, not the agent process.
helper     ~/.claude/shell-snapshots/**  $CLAUDE_CONFIG_DIR/shell-snapshots/**

# What it may do without asking, and its hooks: not its own to change.
settings   ~/.claude/settings.json        $CLAUDE_CONFIG_DIR/settings.json
settings   ~/.claude/settings.local.json  $CLAUDE_CONFIG_DIR/settings.local.json
settings   $WORKSPACE/.claude/settings.json
settings   $WORKSPACE/.claude/settings.local.json
