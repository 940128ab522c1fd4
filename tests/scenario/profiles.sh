# profiles - the agents people run keep their state where they do, moved or
# not, without a question; their approval settings ask whichever agent
# runs; a variable that would move a state folder over the home folder or
# a system folder is not followed.  Each agent is started in its real
# launch shape: a native program (claude, opencode), a node script that
# runs a native program (npm's codex), a Python entry point (aider).
. "$(dirname "$0")/lib.sh"

EV="python3 $ROOT/tests/scenario/events.py"
WS=$(mktemp -d "$SCRATCH/profiles-test.XXXXXX")
trap 'cleanup; rm -rf "$WS"' EXIT
H=$WS/home          # the person's home folder
P=$WS/proj          # the workspace
E=$WS/elsewhere     # where variables move the agents' state
BIN=$WS/bin         # the agents, as they are installed
mkdir -p "$H" "$P" "$E" "$BIN"

# The agents, in their launch shapes, all doing what the actor is told.
cp "$AGENTS/actor" "$BIN/claude"
cp "$AGENTS/actor" "$BIN/opencode"
# npm's codex: bin/codex.js (node) runs vendor/…/codex (native)
mkdir -p "$WS/npm/codex/bin" "$WS/npm/codex/vendor/x86_64-unknown-linux-musl/codex"
cp "$AGENTS/actor" "$WS/npm/codex/vendor/x86_64-unknown-linux-musl/codex/codex"
cat >"$WS/npm/codex/bin/codex.js" <<'JS'
#!/usr/bin/env node
const path = require("path");
const { spawnSync } = require("child_process");
const bin = path.join(__dirname, "..", "vendor", "x86_64-unknown-linux-musl", "codex", "codex");
const r = spawnSync(bin, process.argv.slice(2), { stdio: "inherit" });
process.exit(r.status === null ? 1 : r.status);
JS
chmod +x "$WS/npm/codex/bin/codex.js"
ln -s ../npm/codex/bin/codex.js "$BIN/codex"
# pip's aider: a script that imports the package and calls main()
mkdir -p "$WS/site/aider"
cp "$ROOT/tests/agents/actor.py" "$WS/site/aider/main.py"
: >"$WS/site/aider/__init__.py"
cat >"$BIN/aider" <<PY
#!/usr/bin/python3
import sys
sys.path.insert(0, "$WS/site")
from aider.main import main
sys.exit(main())
PY
chmod +x "$BIN/aider"
python3 -m compileall -q "$WS/site" # as pip installs it

# run NAME [VAR=VALUE…] -- [belay options --] COMMAND…: headless in the
# workspace, events in $T/NAME.jsonl, output in $T/NAME.out
run() {
	n=$1; shift
	vars=
	while [ "$1" != "--" ]; do vars="$vars $1"; shift; done
	shift
	(cd "$P" && env -i HOME="$H" PATH="$BIN:/usr/bin:/bin" LANG=C.UTF-8 XDG_STATE_HOME="$WS/belay-state" $vars \
		timeout 120 "$BELAY" --headless --events "$T/$n.jsonl" "$@" </dev/null >"$T/$n.out" 2>&1)
}
has() { $EV "$T/$1.jsonl" has "$2"; }
held() { $EV "$T/$1.jsonl" count 'type=held'; }
said() { grep -qF -- "$2" "$T/$1.out"; }

# --- claude, a native program, its state in its default place
mkdir -p "$H/.claude/shell-snapshots" "$H/.local/share"
run claude -- claude "write:$H/.claude/projects.json" "write:$H/.claude.json" "mkdir:$H/.local/share/applications" \
	"tool:echo 'export X=1' > $H/.claude/shell-snapshots/snapshot-bash-1.sh" \
	"write:$H/.claude/settings.json" "write:$H/.bashrc"
check "claude: the session names its profile" has claude "type=session-start profile=profiles/claude.profile"
check "claude: its state, its state file, the folder its screen makes: no question" sh -c \
	"grep -q 'ok write:$H/.claude/projects.json' '$T/claude.out' && grep -q 'ok write:$H/.claude.json' '$T/claude.out' &&
	 grep -q 'ok mkdir:$H/.local/share/applications' '$T/claude.out'"
check "claude: the shell snapshot its bash writes (a tool, not the agent): no question" \
	said claude "ok tool:echo 'export X=1'"
check "claude: its approval settings ask (headless: refused)" \
	has claude "type=file op=create path=$H/.claude/settings.json" 
check "… by its profile's line" has claude "type=held rule=profiles/claude.profile:23"
check "claude: and ~/.bashrc asks, as for any agent" has claude "type=held rule=policies/default.rules:30"
check_eq "claude: two questions in all" 2 "$(held claude)"

# --- claude with CLAUDE_CONFIG_DIR: the moved folder is its state, the old one not
run claudemoved CLAUDE_CONFIG_DIR="$E/claude-config" -- claude "mkdir:$E/claude-config" \
	"write:$E/claude-config/projects.json" "write:$E/claude-config/.claude.json" \
	"write:$H/.claude/elsewhere.json" "write:$E/claude-config/settings.json"
check "CLAUDE_CONFIG_DIR: the moved folder and its state file, no question" sh -c \
	"grep -q 'ok mkdir:$E/claude-config' '$T/claudemoved.out' && grep -q 'ok write:$E/claude-config/projects.json' '$T/claudemoved.out' &&
	 grep -q 'ok write:$E/claude-config/.claude.json' '$T/claudemoved.out'"
check "… the default folder is no longer its own: it asks" sh -c \
	"$EV '$T/claudemoved.jsonl' has 'type=file path=$H/.claude/elsewhere.json' && grep -q 'failed write:$H/.claude/elsewhere.json' '$T/claudemoved.out'"
check "… and the settings in the moved folder ask" has claudemoved "type=file path=$E/claude-config/settings.json"
check_eq "… two questions" 2 "$(held claudemoved)"

# --- codex: npm's node script runs the native codex; CODEX_HOME moved
run codex CODEX_HOME="$E/codex-home" -- codex "mkdir:$E/codex-home" "mkdir:$E/codex-home/sessions" \
	"write:$E/codex-home/sessions/rollout.jsonl" "rm:$E/codex-home/sessions/rollout.jsonl" \
	"write:$E/codex-home/config.toml"
check "codex through its node launcher: the native program is the agent" \
	has codex "type=exec by=agent path=$WS/npm/codex/vendor/x86_64-unknown-linux-musl/codex/codex"
check "… with codex's profile" has codex "type=session-start profile=profiles/codex.profile"
check "CODEX_HOME: codex starts, writes and deletes its state there without a question" sh -c \
	"grep -q 'ok mkdir:$E/codex-home' '$T/codex.out' && grep -q 'ok write:$E/codex-home/sessions/rollout.jsonl' '$T/codex.out' &&
	 grep -q 'ok rm:$E/codex-home/sessions/rollout.jsonl' '$T/codex.out'"
check "… its config.toml asks" has codex "type=file path=$E/codex-home/config.toml"
check_eq "… one question" 1 "$(held codex)"
run codexdefault -- codex "mkdir:$H/.codex" "write:$H/.codex/history.jsonl"
check "codex, CODEX_HOME unset: ~/.codex" sh -c "grep -q 'ok write:$H/.codex/history.jsonl' '$T/codexdefault.out'"
check_eq "… no question" 0 "$(held codexdefault)"

# --- aider, a Python entry point
run aider -- aider "mkdir:$H/.aider" "write:$H/.aider/analytics.json" "write:$P/.aider.chat.history.md" \
	"write:$H/.aider.conf.yml" "write:$P/.aider.conf.yml"
check "aider (a Python entry point): its profile" has aider "type=session-start profile=profiles/aider.profile"
check "… the Python process is the agent, and writes its state without a question" sh -c \
	"grep -q 'ok write:$H/.aider/analytics.json' '$T/aider.out' && grep -q 'ok write:$P/.aider.chat.history.md' '$T/aider.out'"
check "… its configuration asks, in the home folder and in the workspace" \
	has aider "type=file path=$H/.aider.conf.yml" "type=file path=$P/.aider.conf.yml"
check_eq "… two questions" 2 "$(held aider)"
run aidermodule -- python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); sys.argv[1:2] = []; from aider.main import main; main()' "$WS/site" "write:$H/.aider/x"
check "python3 -c is the interpreter, not aider: aider's state asks" sh -c \
	"grep -q 'failed write:$H/.aider/x' '$T/aidermodule.out' && [ \$($EV '$T/aidermodule.jsonl' count 'type=held') = 1 ]"

# --- gemini with GEMINI_CLI_HOME: .gemini under it
cp "$AGENTS/actor" "$BIN/gemini"
mkdir -p "$E/gemini-home"
run gemini GEMINI_CLI_HOME="$E/gemini-home" -- gemini "mkdir:$E/gemini-home/.gemini" \
	"write:$E/gemini-home/.gemini/projects.json" "write:$E/gemini-home/.gemini/settings.json"
check "GEMINI_CLI_HOME: its project registry is saved" said gemini "ok write:$E/gemini-home/.gemini/projects.json"
check "… its settings ask" has gemini "type=file path=$E/gemini-home/.gemini/settings.json"
check_eq "… one question" 1 "$(held gemini)"

# --- opencode: Bun's trace marker refused at once; its SQLite journal deleted freely
mkdir -p "$H/.local/share/opencode" && : >"$H/.local/share/opencode/opencode.db-journal"
run opencode -- opencode "write:/sys/kernel/debug/tracing/trace_marker" \
	"rm:$H/.local/share/opencode/opencode.db-journal" "write:$H/.local/share/opencode/opencode.db"
check "opencode: the trace marker is refused without a question" sh -c \
	"grep -q 'failed write:/sys/kernel/debug/tracing/trace_marker' '$T/opencode.out' && [ \$($EV '$T/opencode.jsonl' count 'type=held') = 0 ]"
check "… by its profile" has opencode "type=decision verdict=deny by=rule rule~profiles/opencode.profile:"
check "… and its journal is deleted, its database written" sh -c \
	"grep -q 'ok rm:$H/.local/share/opencode/opencode.db-journal' '$T/opencode.out' && grep -q 'ok write:$H/.local/share/opencode/opencode.db' '$T/opencode.out'"

# --- one agent cannot change another's settings, nor use its state folder
run cross -- codex "write:$P/.claude/settings.json" "mkdir:$H/.claude/x" "write:$H/.gemini/settings.json"
check "codex writing claude's workspace settings: asks (every profile's settings apply)" \
	has cross "type=held rule=profiles/claude.profile:25"
check_eq "… claude's and gemini's folders are not codex's: three questions" 3 "$(held cross)"

# --- a command belay has no profile for: the generic one
# (XDG_STATE_HOME is set: the state folder is there)
mkdir -p "$WS/belay-state/sh"
run generic -- sh -c "echo x > $WS/belay-state/sh/log; sh -c 'echo x > $WS/belay-state/sh/by-tool'; echo x > $H/.codex/y"
check "an unknown agent gets the generic profile" has generic "type=session-start profile=profiles/generic.profile"
check "… and writes its own state folder (\$XDG_STATE_HOME/sh)" test -s "$WS/belay-state/sh/log"
check_eq "… only its own process: sh's tools ask, and codex's folder asks" 2 "$(held generic)"

# --- bad values: a variable that would hand the agent the home folder or /etc
run tohome CODEX_HOME="$H" -- codex "write:$H/.bashrc" "write:$H/.codex-ok"
check "CODEX_HOME set to the home folder: belay says it will not follow it" \
	said tohome "CODEX_HOME is '$H' (it holds the home folder)"
check "… and ~/.bashrc still asks" sh -c \
	"$EV '$T/tohome.jsonl' has 'type=file path=$H/.bashrc' && grep -q 'failed write:$H/.bashrc' '$T/tohome.out'"
run toetc CODEX_HOME=/etc -- codex "write:/etc/belay-profile-test"
check "CODEX_HOME=/etc: a system folder, not followed" said toetc "CODEX_HOME is '/etc' (a system folder)"
check "… the write asks, and nothing was written" sh -c "[ \$($EV '$T/toetc.jsonl' count 'type=held') = 1 ] && [ ! -e /etc/belay-profile-test ]"
ln -s / "$E/root-link"
run tolink CODEX_HOME="$E/root-link/etc" -- codex "write:/etc/belay-profile-test"
check "CODEX_HOME through a link to /etc: judged where it leads" said tolink "(a system folder)"
run relative CODEX_HOME=rel -- codex "write:$P/rel/x"
check "CODEX_HOME relative: not followed" said relative "CODEX_HOME is 'rel' (not an absolute path)"

# --- the user's own profile, and --profile
mkdir -p "$H/.config/belay/profiles"
printf 'program mytool\nstate ~/.mytool\nsettings ~/.mytool/allow.json\n' >"$H/.config/belay/profiles/mytool.profile"
cp "$AGENTS/actor" "$BIN/mytool"
run mine -- mytool "mkdir:$H/.mytool" "write:$H/.mytool/state" "write:$H/.mytool/allow.json"
check "a profile of the user's own: its state folder" said mine "ok write:$H/.mytool/state"
check "… its settings ask" has mine "type=held rule~$H/.config/belay/profiles/mytool.profile:3"
run chosen -- --profile claude -- "$AGENTS/actor" "write:$H/.claude/chosen"
check "--profile chooses the profile whatever the command" said chosen "ok write:$H/.claude/chosen"
run nosuch -- --profile nosuch -- claude
check "--profile with an unknown name: exit 2, naming the profiles there are" sh -c \
	"grep -q \"no profile named 'nosuch' (there are: aider claude codex\" '$T/nosuch.out'"
printf 'state relative/path\nbogus x\n' >"$H/.config/belay/profiles/broken.profile"
run broken -- --profile broken -- claude
check "a profile with errors: each named by file and line, and belay does not start" sh -c \
	"grep -q 'broken.profile:1: .relative/path. must be an absolute path' '$T/broken.out' &&
	 grep -q 'broken.profile:2: unknown statement' '$T/broken.out' && ! [ -s '$T/broken.jsonl' ]"
rm "$H/.config/belay/profiles/broken.profile"

# --- the environment: the agent's own API key reaches it, nobody's credentials do
cat >"$BIN/printenv-agent" <<'SH'
#!/bin/sh
# the shape of an agent that reads its environment, and of the tool it runs
env | sort >"$1"
sh -c 'env | sort' >"$1.tool"
cat /proc/self/environ | tr '\0' '\n' | sort >"$1.proc"
SH
chmod +x "$BIN/printenv-agent"
cp "$BIN/printenv-agent" "$BIN/codex-env"
run env1 OPENAI_API_KEY=sk-own CODEX_HOME="$E/codex-home" AWS_SECRET_ACCESS_KEY=aws-secret \
	AWS_PROFILE=prod GITHUB_TOKEN=ghp-secret SSH_AUTH_SOCK=/run/ssh.sock ANTHROPIC_API_KEY=sk-other \
	DISPLAY=:0 GOPATH=/go MY_DB_PASSWORD=pw -- --profile codex -- codex-env "$T/env1.txt"
check "the agent gets its own API key (codex: OPENAI_*)" grep -qx 'OPENAI_API_KEY=sk-own' "$T/env1.txt"
check "… and a development environment's variables" sh -c "grep -qx 'GOPATH=/go' '$T/env1.txt' && grep -qx 'HOME=$H' '$T/env1.txt'"
check "no credential reaches it, nor its tools, nor /proc/self/environ" sh -c \
	"! grep -q 'secret\\|ssh.sock\\|sk-other\\|pw\$\\|AWS_PROFILE\\|DISPLAY' '$T/env1.txt' '$T/env1.txt.tool' '$T/env1.txt.proc'"
check "the withheld names are in the session's first event, sorted" has env1 \
	"type=session-start withheld=ANTHROPIC_API_KEY AWS_PROFILE AWS_SECRET_ACCESS_KEY DISPLAY GITHUB_TOKEN MY_DB_PASSWORD SSH_AUTH_SOCK"
check "… never their values" sh -c "! grep -q 'aws-secret\\|ghp-secret' '$T/env1.jsonl'"
run env2 AWS_PROFILE=prod AWS_REGION=eu-west-1 GITHUB_TOKEN=ghp -- --pass-env 'AWS_*' -- printenv-agent "$T/env2.txt"
check "--pass-env gives the agent what it names" sh -c \
	"grep -qx 'AWS_PROFILE=prod' '$T/env2.txt' && grep -qx 'AWS_REGION=eu-west-1' '$T/env2.txt' && ! grep -q GITHUB_TOKEN '$T/env2.txt'"

finish
