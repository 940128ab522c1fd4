# held - on the screen, a held call waits on the status line, named by its
# number.  Only the prefix and a key answer it (C-] a allow, C-] s allow
# similar after showing the rule and a y, C-] d deny); whatever is typed to
# the agent meanwhile goes to the agent, a key in flight when the call
# appears answers nothing, and a key answers only the call on the screen.
. "$(dirname "$0")/lib.sh"

W=120 H=32
WS=$(mktemp -d "$SCRATCH/held-test.XXXXXX")
trap 'cleanup; rm -rf "$WS" /etc/belay-held-* /var/belay-held-dir' EXIT
rm -rf /etc/belay-held-* /var/belay-held-dir
EV="python3 $ROOT/tests/scenario/events.py"

# decisions PATH: "verdict/by/how" of the decisions on calls on PATH (in $EVF)
EVF=$T/ev.jsonl
decisions() {
	python3 - "$EVF" "$1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
calls = {e["seq"] for e in ev if e["type"] == "file" and e.get("path") == sys.argv[2]}
print(" ".join("%s/%s/%s" % (e["verdict"], e["by"], e.get("how", "-"))
               for e in ev if e["type"] == "decision" and e["call"] in calls))
PY
}

# A keymap with a longer decide-delay, so that "a key pressed as the call
# appears" stays true on a slow machine: 3 s here, 0.5 s by default.
printf 'set decide-delay 3000\n' >"$T/slow.keys"
start_belay b $W $H -C "$WS" --events "$T/ev.jsonl" -- bash --norc --noprofile -i
wait_for b '$'

# --- typing to the agent never decides
send b 'echo one > /etc/belay-held-1; echo rc=$?' Enter
check "the held call is on the status line, by its number" wait_for b 'held #1: create /etc/belay-held-1'
check "with the rule that asked" wait_for b 'policies/default.rules:'
check "and the keys that answer it, after the prefix" wait_for b 'C-] a allow · C-] s allow similar · C-] d deny'
check "the side panel marks its step held" sh -c "tmux -L $SOCK capture-pane -p -t =b: | grep -q '│ *[0-9]* ? .* held\$'"
sleep 0.6
send b 'is this ok' ' # notes a y s d n'
sleep 1
check_eq "typing 'is this ok', '# notes', a, y, s, d, n decides nothing" "" "$(decisions /etc/belay-held-1)"
check "(the call still waits)" wait_for b 'held #1: create /etc/belay-held-1'
check "(nothing was written)" test ! -e /etc/belay-held-1
send b C-] d
check "C-] d denies: the shell gets EACCES" wait_for b 'Permission denied'
check "what was typed meanwhile went to the agent" wait_for b 'is this ok # notes a y s d n'
check_eq "the decision says who and how" "deny/user/C-] d" "$(decisions /etc/belay-held-1)"
send b C-u

# --- C-] a allows this once
send b 'echo two > /etc/belay-held-2; echo rc=$?' Enter
wait_for b 'held #2: create /etc/belay-held-2'
sleep 0.6
send b C-] a
check "C-] a allows this once" wait_for b 'rc=0'
check "(the file was written)" test -e /etc/belay-held-2
check_eq "(by the user, with C-] a)" "allow/user/C-] a" "$(decisions /etc/belay-held-2)"

# --- allow similar: the rule first, then y; any other key says no
send b 'mkdir -p /var/belay-held-dir; echo x > /var/belay-held-dir/a; echo y > /var/belay-held-dir/b; echo rc=$?' Enter
wait_for b 'held #3: mkdir /var/belay-held-dir'
sleep 0.6
send b C-] s
check "C-] s shows the exact rule it would add" wait_for b "#3: allow it, and for this session: allow write path '/var/*' ?  y: yes"
send b x
check "a key other than y grants nothing" wait_for b 'held #3: nothing granted; it still waits'
check "(still held)" wait_for b 'held #3: mkdir /var/belay-held-dir'
send b C-] a
wait_for b 'held #4: create /var/belay-held-dir/a'
sleep 0.6
send b C-] s
wait_for b "y: yes"
send b y
check "y adds the grant, shown" wait_for b "allow write path '/var/belay-held-dir/*'"
check "calls like it no longer ask" wait_for b 'rc=0'
check "(both files written)" sh -c "test -e /var/belay-held-dir/a && test -e /var/belay-held-dir/b"
check_eq "(the grant's decision: C-] s, then y)" "allow/user/C-] s y" "$(decisions /var/belay-held-dir/a)"
check "(the next call: by the grant)" $EV "$EVF" has "type=decision verdict=allow rule=grant 1"
send b C-] g
check "prefix g takes the grant back" wait_for b "took back grant 1: allow write path '/var/belay-held-dir/*'"

# --- C-c denies the held call of the program in the foreground
send b 'python3 -c "open(\"/etc/belay-held-3\",\"w\")"; echo rc=$?' Enter
wait_for b 'create /etc/belay-held-3'
send b C-c
# python reports the denial (PermissionError) or the C-c (KeyboardInterrupt),
# whichever it checks first: both mean it stopped
check "C-c denies the held call of the program in the foreground" wait_for b 'rc=1'
check "(nothing was written)" test ! -e /etc/belay-held-3
check_eq "(the decision: by the user, with C-c)" "deny/user/C-c" "$(decisions /etc/belay-held-3)"

# --- C-] D denies with a reason, which the denied program reads
send b "sh -c 'echo seven > /etc/belay-held-7'; echo seven-rc=\$?" Enter
wait_for b 'create /etc/belay-held-7'
sleep 0.6
send b C-] D
check "C-] D asks for the reason on the status line" wait_for b 'deny, because: _   Enter: deny'
send b -l 'wrong'
send b Escape
check "Escape goes back: nothing denied" wait_for b 'nothing denied; it still waits'
check "(still held)" test ! -e /etc/belay-held-7 -a -z "$(decisions /etc/belay-held-7)"
send b C-] D
send b -l 'use /tmp, not /etc'
send b BSpace BSpace BSpace BSpace
send b -l 'this'
check "the line shows what is typed, Backspace included" wait_for b 'deny, because: use /tmp, not this_'
send b Enter
check "the denied program reads the person's reason on its stderr" \
	wait_for b 'denied by the user, who says: use /tmp, not this'
check "(then fails as a denial does)" wait_for b 'seven-rc=2'
shown=$(screen b)
check "what was typed for the reason never reached the agent" sh -c "! printf '%s' \"\$0\" | grep -q 'wrong\\|use /tmp, not this\$'" "$shown"
check "the decision's event keeps the reason" $EV "$EVF" has 'type=decision verdict=deny by=user reason=use /tmp, not this'
tm kill-session -t =b

# --- a key in flight when a call appears does not answer it
start_belay b $W $H -C "$WS" --keymap "$T/slow.keys" --events "$T/ev2.jsonl" -- bash --norc --noprofile -i
EVF=$T/ev2.jsonl
wait_for b '$'
# the first C-] a is on its way before the call is held (or as it is)
send b 'echo four > /etc/belay-held-4; echo rc=$?' Enter C-] a
wait_for b 'held #1: create /etc/belay-held-4'
send b C-] a
check "a key pressed as the call appears answers nothing, and says so" wait_for b 'appeared just now: nothing decided'
check "(the call still waits)" wait_gone b 'appeared just now'
check "(still held)" wait_for b 'held #1: create /etc/belay-held-4'
check "(nothing was written)" test ! -e /etc/belay-held-4
sleep 3
send b C-] a
check "once it has been on the screen, the same key answers it" wait_for b 'rc=0'

# --- a key answers the call the screen shows, not one that came after
send b '(sleep 0.2; echo six > /etc/belay-held-6; echo six-rc=$?) & echo five > /etc/belay-held-5; wait; echo five-rc=$?' Enter
check "two calls: the oldest is shown, the other counted" wait_for b 'held #2: create /etc/belay-held-5'
wait_for b '+1 waiting'
sleep 3
send b C-] d
check "C-] d denies the call shown (#2)" wait_for b 'held #3: create /etc/belay-held-6'
check "(and not the other)" test ! -e /etc/belay-held-6
send b C-] a
check "the next call shown is not answered by a key at once" wait_for b 'appeared just now'
sleep 3
send b C-] a
check "then it is" wait_for b 'six-rc=0'
check "(#2 denied, #3 allowed)" sh -c "test ! -e /etc/belay-held-5 && test -e /etc/belay-held-6"
check_eq "(and the events say so)" "deny/user/C-] d allow/user/C-] a" "$(decisions /etc/belay-held-5) $(decisions /etc/belay-held-6)"

# --- quarantine: C-] f freezes the whole tree at once, C-] t lets it run again
start_belay f $W $H -C "$WS" --events "$T/ev3.jsonl" -- bash --norc --noprofile -i
wait_for f '$'
send f "(while :; do echo x >> $WS/ticks; sleep 0.05; done) & sh -c 'while :; do echo y >> $WS/ticks; sleep 0.05; done' &" Enter
sleep 0.5
send f C-] f
check "C-] f freezes the agent's tree: the status line says so" wait_for f 'FROZEN'
sleep 0.3
n1=$(wc -l <"$WS/ticks"); sleep 1; n2=$(wc -l <"$WS/ticks")
check_eq "… and nothing of it runs (background jobs included)" "$n1" "$n2"
send f C-] t
check "C-] t: it runs again" wait_gone f 'FROZEN'
sleep 0.5
n3=$(wc -l <"$WS/ticks")
check "… and its jobs go on" test "$n3" -gt "$n2"
check "(each is a notice event)" $EV "$T/ev3.jsonl" has 'type=notice text~is frozen' 'type=notice text~runs again'
tm kill-session -t =f

# --- a policy verdict 'freeze': the call is held and the whole tree frozen
# until a person answers; then it runs again
mkdir -p "$WS/bin"
printf '#!/bin/sh\necho cloud-ran\n' >"$WS/bin/cloudctl" && chmod +x "$WS/bin/cloudctl"
{ cat "$ROOT/policies/default.rules"; echo "freeze exec program cloudctl"; } >"$T/freeze.rules"
: >"$WS/fticks"
start_belay z $W $H -C "$WS" --events "$T/ev4.jsonl" --policy "$T/freeze.rules" -- bash --norc --noprofile -i
wait_for z '$'
send z "(while :; do echo x >> $WS/fticks; sleep 0.05; done) & sleep 0.3; $WS/bin/cloudctl" Enter
check "a call the policy freezes on is held" wait_for z 'cloudctl'
check "… and the tree is frozen: the status line says so" wait_for z 'FROZEN'
sleep 0.3
n1=$(wc -l <"$WS/fticks"); sleep 1; n2=$(wc -l <"$WS/fticks")
check_eq "… nothing of it runs while the person decides" "$n1" "$n2"
send z C-] d
check "denied: the tree runs again" wait_gone z 'FROZEN'
sleep 0.5
check "… its jobs go on" test "$(wc -l <"$WS/fticks")" -gt "$n2"
check "… and the frozen call did not run" sh -c "! tmux -L $SOCK capture-pane -p -t =z: | grep -q cloud-ran"
check "(the events: held by the rule, frozen, denied, thawed)" $EV "$T/ev4.jsonl" has \
	"type=held rule~freeze.rules" 'type=notice text~is frozen' 'type=decision verdict=deny by=user' 'type=notice text~runs again'
tm kill-session -t =z

check "the events say who decided and how, for every decision of the user" python3 - "$T/ev.jsonl" "$T/ev2.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for f in sys.argv[1:] for l in open(f)]
users = [e for e in ev if e["type"] == "decision" and e["by"] == "user"]
assert len(users) >= 7, users
assert all(e.get("how") for e in users), users
assert any(e["type"] == "grant" for e in ev)
assert any(e["type"] == "revoke" for e in ev)
PY
finish
