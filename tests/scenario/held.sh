# held - on the screen, a held call waits on the status line; a person
# allows it, allows calls like it, denies it, or stops the program (C-c).
. "$(dirname "$0")/lib.sh"

W=120 H=32
WS=$(mktemp -d "$SCRATCH/held-test.XXXXXX")
trap 'cleanup; rm -rf "$WS"' EXIT

start_belay b $W $H -C "$WS" --events "$T/ev.jsonl" -- bash --norc --noprofile -i
wait_for b '$'

send b 'echo one > /etc/belay-held-1; echo rc=$?' Enter
check "the write outside the workspace is held on the status line" wait_for b 'held: create /etc/belay-held-1'
check "with the rule that asked" wait_for b 'policies/default.rules:'
check "the keys that answer it, from the keymap" wait_for b 'a allow · s allow similar · d deny'
check "the side panel marks its step held" sh -c "tmux -L $SOCK capture-pane -p -t =b: | grep -q '│ *[0-9]* ? .* held\$'"
send b d
check "d denies: the shell gets EACCES" wait_for b 'Permission denied'
check "(nothing was written)" test ! -e /etc/belay-held-1

send b 'echo two > /etc/belay-held-2; echo rc=$?' Enter
wait_for b 'held: create /etc/belay-held-2'
send b a
check "a allows this once" wait_for b 'rc=0'
check "(the file was written)" test -e /etc/belay-held-2

send b 'mkdir -p /var/belay-held-dir; echo x > /var/belay-held-dir/a; echo y > /var/belay-held-dir/b; echo rc=$?' Enter
wait_for b 'held: mkdir /var/belay-held-dir'
send b s
wait_for b 'held: create /var/belay-held-dir/a'
send b s
check "s allows similar: a grant, shown" wait_for b "allow write path '/var/belay-held-dir/*'"
check "calls like it no longer ask" wait_for b 'rc=0'
check "(both files written)" sh -c "test -e /var/belay-held-dir/a && test -e /var/belay-held-dir/b"
send b C-] g
check "prefix g takes the newest grant back" wait_for b "took back grant 2: allow write path '/var/belay-held-dir/*'"
check "the older grant is still shown in force" wait_for b 'grants (1): allow write'
send b C-] g
check "prefix g again takes back the one before" wait_for b "took back grant 1"
send b C-] g
check "and then there is none" wait_for b 'no grant to take back'

send b 'python3 -c "open(\"/etc/belay-held-3\",\"w\")"; echo rc=$?' Enter
wait_for b 'held: create /etc/belay-held-3'
send b C-c
check "C-c denies the held call of the program in the foreground" wait_for b 'PermissionError'
check "(nothing was written)" test ! -e /etc/belay-held-3
check "the events record who decided" python3 - "$T/ev.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
by = [e["by"] for e in ev if e["type"] == "decision" and e["by"] != "rule"]
assert "user" in by and "ctrl-c" in by, by
assert any(e["type"] == "grant" for e in ev)
assert any(e["type"] == "revoke" for e in ev)
PY
rm -rf /etc/belay-held-2 /var/belay-held-dir

finish
