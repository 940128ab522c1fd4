# own-files - belay's own state, configuration, events and recordings are never the
# agent's, whatever the policy says: a policy that allows every write and
# delete, and an agent that tries every name for them (directly, through a
# link, a dangling link, ".." after a link, /proc/self/cwd, a hard link, a
# rename of them or of a parent, a parent replaced by a link, chmod, mkdir).
# As root and as an ordinary user.  The agents' approval settings ask.
. "$(dirname "$0")/../scenario/lib.sh"

EV="python3 $ROOT/tests/scenario/events.py"
USER_NAME=belay-test

# The agent: each attempt prints "tried NAME" and leaves its mark if it got
# through; the test then looks at the marks, not at what the agent thinks.
cat >"$T/agent.sh" <<'AGENT'
S=$HOME/.local/state/belay C=$HOME/.config/belay
try() { name=$1; shift; "$@" 2>/dev/null; echo "tried $name"; }
try state-direct sh -c "echo pwned > $S/pwned"
try state-shadow sh -c 'for r in $HOME/.local/state/belay/shadow/*.git; do echo pwned > $r/HEAD; done'
try config-direct sh -c "echo 'allow exec' > $C/policies/default.rules"
try config-mkdir mkdir $C/keymaps
try link-dir sh -c "ln -s $C cfg && echo pwned > cfg/policies/default.rules"
try link-dangling sh -c "ln -s $C/keymaps/default.keys dangling && echo 'set prefix a' > dangling"
try link-dotdot sh -c "mkdir -p $S/sub; ln -s $S/sub deep && echo pwned > deep/../dotdot"
try proc-cwd sh -c "echo pwned > /proc/self/cwd/../.config/belay/proccwd"
try hardlink sh -c "ln $C/policies/default.rules hard && echo pwned >> hard"
try rename-own sh -c "mv $C $HOME/cfg-moved"
try rename-parent sh -c "mv $HOME/.config $HOME/config-moved"
try delete-own sh -c "rm -rf $C"
try parent-link sh -c "rm -rf $HOME/.cache && ln -s /tmp $HOME/.cache && mv $HOME/.local $HOME/.cache/x"
try chmod-own chmod 000 $C
try events sh -c 'echo pwned > "$EVENTS"'
try events-delete sh -c 'rm -f "$EVENTS"'
try recording-append sh -c 'for r in $HOME/.local/state/belay/sessions/*.belay; do echo pwned >> "$r"; done'
try recording-truncate sh -c 'for r in $HOME/.local/state/belay/sessions/*.belay; do : > "$r"; done'
try recording-delete sh -c 'rm -f $HOME/.local/state/belay/sessions/*.belay'
try recording-rename sh -c 'mv $HOME/.local/state/belay/sessions $HOME/sessions-moved'
echo attempts done
AGENT

# run LABEL HOME WS EVENTS [USER]
run() {
	label=$1 home=$2 ws=$3 ev=$4 user=${5:-}
	mkdir -p "$home/.config/belay/policies"
	echo 'default write ask' >"$home/.config/belay/policies/default.rules"
	printf 'default exec allow\ndefault write allow\ndefault delete allow\ndefault connect allow\n' >"$ws/../all.rules"
	[ -n "$user" ] && chown -R "$user" "$home" "$ws" "$ws/../all.rules"
	cmd="env -i HOME=$home PATH=/usr/bin:/bin LANG=C.UTF-8 EVENTS=$ev"
	[ -n "$user" ] && cmd="$(command -v runuser) -u $user -- $cmd"
	(cd "$ws" && $cmd "$BELAY" --headless --events "$ev" --policy "$ws/../all.rules" -- sh "$AGENT" \
		</dev/null >"$ws/../out" 2>&1)
	check "$label: the agent made its attempts" grep -q 'attempts done' "$ws/../out"
	# (the recording holds the agent's attempts: that is what it did, and it stays whole)
	check "$label: belay's state has no mark" sh -c "! grep -rqs --exclude-dir=sessions pwned '$home/.local/state/belay' && test ! -e '$home/.local/state/belay/sub/../dotdot' && test ! -e '$home/.local/state/belay/dotdot'"
	check "$label: the session's recording is whole (belay verify)" \
		sh -c "env -i HOME='$home' PATH=/usr/bin:/bin '$BELAY' verify -C '$ws' last | grep -q intact"
	check "$label: the configuration is untouched" sh -c "[ \"\$(cat '$home/.config/belay/policies/default.rules')\" = 'default write ask' ] && test ! -e '$home/.config/belay/keymaps' && test ! -e '$home/.config/belay/proccwd'"
	check "$label: nothing was moved or removed" sh -c "test -d '$home/.config/belay' && test -d '$home/.local/state/belay' && test ! -e '$home/cfg-moved' && test ! -e '$home/config-moved'"
	check "$label: its folder keeps its mode" sh -c "[ \$(stat -c %a '$home/.config/belay') != 0 ]"
	check "$label: the events file is whole" $EV "$ev" wellformed
	check "$label: each was denied by the fixed rule" sh -c "[ \$($EV '$ev' count \"type=decision verdict=deny rule=(belay's own files)\") -ge 14 ]"
}

AGENT=$T/agent.sh
WS=$(mktemp -d "$SCRATCH/escape-own.XXXXXX")
trap 'cleanup; rm -rf "$WS"' EXIT
mkdir -p "$WS/home/ws"
run root "$WS/home" "$WS/home/ws" "$WS/ev.jsonl"

if [ "$(id -u)" = 0 ]; then
	id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh "$USER_NAME"
	BIN=$(mktemp -d /tmp/belay-own-bin.XXXXXX)
	U=$(mktemp -d /tmp/belay-own-user.XXXXXX)
	cp "$BELAY" "$AGENT" "$BIN/"
	chmod 755 "$BIN" "$BIN/belay" "$BIN/agent.sh" "$U"
	mkdir -p "$U/home/ws"
	chown "$USER_NAME" "$U"
	trap 'cleanup; rm -rf "$WS" "$BIN" "$U"' EXIT
	BELAY=$BIN/belay AGENT=$BIN/agent.sh run user "$U/home" "$U/home/ws" "$U/ev.jsonl" "$USER_NAME"
fi

# --- the agents' approval settings ask (every agent profile's settings
# lines), even inside the workspace and in the agent's own state folder;
# here the agent is taken for claude, and codex's settings ask too
AWS=$(mktemp -d "$SCRATCH/escape-settings.XXXXXX")
trap 'cleanup; rm -rf "$WS" "${BIN:-}" "${U:-}" "$AWS"' EXIT
mkdir -p "$AWS/home/.claude" "$AWS/ws/.claude"
(cd "$AWS/ws" && env -i HOME="$AWS/home" PATH=/usr/bin:/bin "$BELAY" --headless --events "$AWS/ev.jsonl" --profile claude -- sh -c '
	echo "{}" > ~/.claude/settings.json; echo "{}" > .claude/settings.local.json
	mkdir -p ~/.codex; echo "approval_policy = \"never\"" > ~/.codex/config.toml
	echo "{}" > ~/.claude/history.jsonl' </dev/null >/dev/null 2>&1)
# held_for EVENTS PATH: a call on PATH was held, then denied (headless)
held_for() {
	python3 - "$1" "$2" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
calls = [e["seq"] for e in ev if e["type"] == "file" and e.get("path") == sys.argv[2]]
held = [e for e in ev if e["type"] == "held" and e["call"] in calls]
assert held, "no held call for %s" % sys.argv[2]
assert ".profile:" in held[0]["rule"], held[0]
PY
}
for f in "$AWS/home/.claude/settings.json" "$AWS/ws/.claude/settings.local.json" "$AWS/home/.codex/config.toml"; do
	check "writing $(basename "$(dirname "$f")")/$(basename "$f") asks, by a profile's settings line" held_for "$AWS/ev.jsonl" "$f"
	check "(headless: denied, not written)" test ! -e "$f"
done
check "the agent's own state beside them does not ask" test -e "$AWS/home/.claude/history.jsonl"
finish
