# replay - every session is recorded: the demo agent's session (a held
# push answered, a rollback from the screen) recorded live, then replayed:
# the pane at several moments is the one captured live, the held call shows
# where it was held, jumping to a step shows that step's diff as the live
# panel showed it, seeking back and forth; `belay verify` passes and names
# the line after a flipped byte or a cut; exports (asciinema cat plays the
# asciicast; JSON lines parse; the Markdown report has the decisions and the
# diffs); hostile files (not a recording, a huge header size, a line past
# the limit, escape sequences aimed at the outer terminal) are refused or
# clamped, and belay survives them.
. "$(dirname "$0")/lib.sh"

W=160 H=44
PW=$(pane_cols $W)
P=$((PW + 2))
WS=$SCRATCH/replay-$$
REC=$T/session.belay
export XDG_STATE_HOME=$T/state

bscreen() { tm capture-pane -p -t "=$1:"; }
pane_of() { tm capture-pane -p -e -t "=$1:" | python3 "$SCREEN_PY" crop "$PW" $((H - 1)); }
panel() {
	bscreen "$1" | python3 -c '
import sys, unicodedata
lo = int(sys.argv[1]) - 1
for line in sys.stdin.read().split("\n"):
    col, out = 0, []
    for ch in line:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if col >= lo:
            out.append(ch)
        col += w
    print("".join(out).rstrip())' "$P"
}
swait() { # swait SESSION TEXT [SECONDS]: the screen shows TEXT
	_w=0 _limit=$(( ${3:-15} * 10 ))
	while [ $_w -lt $_limit ]; do
		bscreen "$1" | grep -qF -- "$2" && return 0
		bscreen "$1" | python3 "$SCREEN_PY" crop "$PW" 1000 | sed 's/ *$//' | tr '\n' ' ' | tr -s ' ' |
			grep -qF -- "$2" && return 0
		sleep 0.1; _w=$((_w + 1))
	done
	gave_up "$1 to show '$2'"
}
now() { python3 -c 'import time; print("%.3f" % time.time())'; }

rm -rf "$WS"
mkdir -p "$WS"
git init -q --bare "$T/remote.git"
(cd "$WS" && printf '# demo\n' >README.md && git init -q . && git config user.name demo &&
	git config user.email demo@localhost && git remote add origin "$T/remote.git" &&
	git add README.md && git commit -qm start)

# --- live: the moments captured, and when (wall clock, to find them in the recording)
tm new-session -d -s live -x $W -y $H "$ENVV XDG_STATE_HOME=$T/state TERM=tmux-256color $BELAY --record $REC -C $WS $AGENTS/demo"
k=0
moment() { # the agent waits: its pane, and the time a little after
	sleep 0.6
	pane_of live >"$T/live-$k.txt"
	sleep 0.3
	now >"$T/time-$k"
	k=$((k + 1))
}
for text in "Press Enter for each step of the tour" "Press Enter and I will write some code" \
	"Enter: I will improve the script" "Added German"; do
	swait live "$text"
	moment
	tm send-keys -t =live: Enter
done
check "live: the push is held" swait live "HELD #1 · step 6"
moment # 4: held
HELD_MOMENT=$((k - 1))
tm send-keys -t =live: C-] a
swait live "You allowed it: the push went through"
moment
tm send-keys -t =live: Enter
swait live "I deleted docs/ without asking you"
moment
# the live panel's diff of step 4, selected
tm send-keys -t =live: C-] Tab
sleep 0.3
tm send-keys -t =live: k k k k
check "live: step 4 selected" swait live "step 4: 1 file +1 −1"
sleep 0.5
panel live | sed -n '/^step 4: /,$p' | sed '/^$/,$d' >"$T/live-diff4.txt"
# roll back to before step 7 (the deletion), from the screen
tm send-keys -t =live: G
sleep 0.3
tm send-keys -t =live: R
swait live "roll back to before step 7"
tm send-keys -t =live: y
check "live: rolled back" swait live "rolled back"
tm send-keys -t =live: Tab
tm send-keys -t =live: C-] q
swait live "stop the agent and quit belay? (y/n)"
tm send-keys -t =live: y
wait_dead live
check "the recording is there" test -s "$REC"
check "belay verify: intact" sh -c "$BELAY verify '$REC' | grep -q 'intact: [0-9]* lines, from the header to the session.s end'"
EPOCH=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["epoch"])' "$REC")

# --- replay at each moment: the pane as it was live
replay() { # replay NAME ARGS…: belay replay in a session of the same size; its status to $T/exit-NAME
	n=$1; shift
	tm kill-session -t "=$n" 2>/dev/null
	rm -f "$T/exit-$n"
	tm new-session -d -s "$n" -x $W -y $H \
		"$ENVV XDG_STATE_HOME=$T/state TERM=tmux-256color sh -c '$BELAY replay $*; echo \$? >$T/exit-$n'"
	swait "$n" "REPLAY"
}
m=0
while [ $m -lt $k ]; do
	at=$(python3 -c "print('%.3f' % max(0, $(cat "$T/time-$m") - $EPOCH - 0.15))")
	replay r$m --paused --at "$at" "$REC"
	sleep 0.5
	pane_of r$m >"$T/replay-$m.txt"
	if cmp -s "$T/live-$m.txt" "$T/replay-$m.txt"; then
		ok "replay at ${at}s (moment $m): the pane is the one seen live"
	else
		not_ok "replay at ${at}s (moment $m): the pane is the one seen live" \
			"$(diff -u "$T/live-$m.txt" "$T/replay-$m.txt" | head -30)"
	fi
	if [ $m = "$HELD_MOMENT" ]; then
		check "replay at the held moment: the held call beside the pane" swait r$m "HELD #1 · step 6"
		check "(in plain words)" swait r$m "git push -q origin HEAD"
		check "(the timeline has the step held)" sh -c "tmux -L $SOCK capture-pane -p -t =r$m: | grep -q '6 ? .*git push.*held'"
	fi
	tm kill-session -t "=r$m"
	m=$((m + 1))
done

# --- steps: jump to a step from the timeline; its diff is the live panel's
replay j --paused "$REC"
tm send-keys -t =j: '$'
check "seek to the end: the rollback is marked" swait j "rolled back"
tm send-keys -t =j: g j j j Enter
check "Enter jumps to the selected step (4): its diff" swait j "step 4: 1 file +1 −1"
sleep 0.5
panel j | sed -n '/^step 4: /,$p' | sed '/^$/,$d' >"$T/replay-diff4.txt"
check "(the same diff as the live panel showed for step 4)" cmp -s "$T/live-diff4.txt" "$T/replay-diff4.txt"
check "(the pane is at step 4's end: the German greeting printed)" sh -c "tmux -L $SOCK capture-pane -p -t =j: | grep -q 'de: hallo'"
check "(and not yet what came later)" sh -c "! tmux -L $SOCK capture-pane -p -t =j: | grep -q 'push went through'"
tm send-keys -t =j: 0
sleep 0.3
tm send-keys -t =j: ']'
check "back to the start, then ] : step 1" swait j "step 1:"
check "(the pane back at that moment: no code written yet)" sh -c "! tmux -L $SOCK capture-pane -p -t =j: | grep -q 'Write(hello.py)'"
tm send-keys -t =j: ']' ']'
check "] ] : step 3 (a step that changed nothing says so)" swait j "step 3:"
tm send-keys -t =j: '['
check "[ : back to step 2, its files" swait j "step 2: 2 files +6 −0"
check "(the pane as it was then: before step 4's output)" sh -c "! tmux -L $SOCK capture-pane -p -t =j: | grep -q 'Added German'"
tm send-keys -t =j: R
check "a replay undoes nothing (R says so)" swait j "a replay undoes nothing"
tm send-keys -t =j: + +
check "speed: + + is 4x" swait j "4x"
tm send-keys -t =j: Space
check "Space plays to the end" swait j "the end of the recording" 30
tm send-keys -t =j: q
wait_dead j
check_eq "q quits the replay (exit 0)" 0 "$(cat "$T/exit-j" 2>/dev/null)"

# recorded by default, found by session number or "last"
(cd "$WS" && $ENVV XDG_STATE_HOME="$T/state" "$BELAY" --headless sh -c 'echo headless-run' >/dev/null)
check "a session is recorded by default: belay recordings lists it" \
	sh -c "cd '$WS' && XDG_STATE_HOME='$T/state' $BELAY recordings | grep -q 'sh -c echo headless-run'"
check "belay verify -C WS last finds it" sh -c "XDG_STATE_HOME='$T/state' $BELAY verify -C '$WS' last | grep -q intact"
N=$(cd "$WS" && XDG_STATE_HOME="$T/state" "$BELAY" recordings | awk '/echo headless-run/ { print $1 }')
check "(and by its session number, $N)" sh -c "XDG_STATE_HOME='$T/state' $BELAY verify -C '$WS' '$N' | grep -q intact"
check "--no-record records nothing" sh -c "cd '$WS' && n=\$(ls '$T/state/belay/sessions' | wc -l) &&
	$ENVV XDG_STATE_HOME='$T/state' $BELAY --headless --no-record true && [ \$(ls '$T/state/belay/sessions' | wc -l) = \$n ]"

# --- keyframes: a session with 3 MB of output; the replay seeks from the pane's snapshots
cat >"$T/flood.sh" <<'EOF'
python3 -c "
for i in range(60000): print('line', i, '0' * 40)
print('\033[31mRED\033[0m colour \u65e5\u672c')"
echo FIRST-DONE; sleep 1; seq 1 5; echo ALL-DONE; exec sleep 60
EOF
tm new-session -d -s flood -x $W -y $H "$ENVV XDG_STATE_HOME=$T/state TERM=tmux-256color $BELAY --record $T/flood.belay -C $WS sh $T/flood.sh"
swait flood "ALL-DONE" 30
sleep 0.5
pane_of flood >"$T/flood-live.txt"
tm send-keys -t =flood: C-] q
swait flood "stop the agent and quit belay? (y/n)"
tm send-keys -t =flood: y
wait_dead flood
check "the screen writes keyframes of the pane into the recording" \
	sh -c "[ \$(grep -c '\"type\":\"screen\"' '$T/flood.belay') -ge 1 ]"
check "(and the chain holds with them)" sh -c "$BELAY verify '$T/flood.belay' | grep -q intact"
replay f --paused --at 1000 "$T/flood.belay"
sleep 0.5
pane_of f >"$T/flood-replay.txt"
check "replay at the end (from a keyframe): the pane seen live" cmp -s "$T/flood-live.txt" "$T/flood-replay.txt"
tm send-keys -t =f: 0
sleep 0.3
tm send-keys -t =f: '$'
sleep 0.5
pane_of f >"$T/flood-replay2.txt"
check "(back to the start and to the end again: the same)" cmp -s "$T/flood-live.txt" "$T/flood-replay2.txt"
tm send-keys -t =f: q
wait_dead f

# --- integrity
cp "$REC" "$T/flipped.belay"
LINE=$(python3 - "$T/flipped.belay" <<'EOF'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")
n = len(lines) // 2
l = bytearray(lines[n])
i = l.index(b'"type"') + 3
l[i] ^= 0x01
lines[n] = bytes(l)
open(p, "wb").write(b"\n".join(lines))
print(n + 1)
EOF
)
"$BELAY" verify "$T/flipped.belay" >"$T/verify.out" 2>&1
check "verify after a flipped byte: exit 1" test $? = 1
check "(it names line $LINE)" grep -q "line $LINE does not follow the line before it" "$T/verify.out"
head -c $(( $(stat -c %s "$REC") - 40 )) "$REC" >"$T/cut.belay"
"$BELAY" verify "$T/cut.belay" >"$T/verify-cut.out" 2>&1
check "verify of a recording cut off: exit 1, the cut line named" \
	sh -c "[ $? = 1 ] && grep -q 'is cut off (no end of line)' '$T/verify-cut.out'"
replay d --paused "$T/flipped.belay"
check "replay of a damaged file says so" swait d "damaged"
tm send-keys -t =d: '$'
check "(and shows what is before the damage)" swait d "step"
tm send-keys -t =d: q
wait_dead d

# --- exports
"$BELAY" export --format asciicast "$REC" -o "$T/s.cast"
check "export asciicast: asciinema cat plays it" \
	sh -c "script -qc 'asciinema cat $T/s.cast' /dev/null | grep -q 'hello.py prints a greeting per language'"
check "(a marker at each step)" grep -q '"m","step 6: sh -c git push' "$T/s.cast"
check "(and at the held call, named)" grep -q '"m","held #1 (step 6): git push -q origin HEAD' "$T/s.cast"
"$BELAY" export --format jsonl "$REC" -o "$T/s.jsonl"
check "export jsonl: every line is JSON, with a time" python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line); n += 1
    assert "h" not in o and (o["type"] == "recording" or "time" in o)
assert n > 10' "$T/s.jsonl"
"$BELAY" export --format md "$REC" -o "$T/s.md"
check "export md: the held push, who decided and how" grep -q 'git push -q origin HEAD.*allowed | a person (` C-\] a `)' "$T/s.md"
check "(the diffs, as diff blocks)" grep -q '^```diff' "$T/s.md"
check "(the rollback)" grep -q 'rollback to before' "$T/s.md"

# --- hostile files
printf 'not a recording\n' >"$T/not.belay"
"$BELAY" verify "$T/not.belay" >"$T/v-not.out" 2>&1
check "a file that is not a recording: refused (exit 1)" test $? = 1
check "(and said)" grep -q "'$T/not.belay' is not a belay recording" "$T/v-not.out"
python3 - "$T" <<'EOF'
import hashlib, json, sys
t = sys.argv[1]
def chain(records, path):
    prev, out = "", []
    for r in records:
        body = json.dumps(r, separators=(",", ":"), ensure_ascii=False)
        h = hashlib.sha256((prev + body).encode()).hexdigest()[:32]
        out.append(body[:-1] + ',"h":"%s"}' % h)
        prev = h
    open(path, "w").write("\n".join(out) + "\n")
head = {"belay-recording": 1, "rows": 1000000, "cols": 1000000, "argv": ["x"], "epoch": 1}
evil = "\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[?1049h\x1b[2J\x1b]8;;http://x\x07link\x1b]8;;\x07 ESC-SAFE"
chain([head,
       {"seq": 1, "t": 0.1, "type": "output", "step": 0, "data": evil},
       {"seq": 2, "t": float("1e300"), "type": "output", "step": 0, "data": "late"},
       {"seq": 3, "t": 0.05, "type": "output", "step": 0, "data": " back"},
       {"seq": 4, "t": 0.2, "type": "step-start", "step": 99999999, "cmd": "\x1b[31mred"},
       {"seq": 5, "t": 0.3, "type": "session-end", "step": 0, "status": 0}], t + "/hostile.belay")
chain([head, {"seq": 1, "t": 0.1, "type": "output", "data": "x" * (17 << 20)}], t + "/long.belay")
EOF
"$BELAY" verify "$T/hostile.belay" >"$T/v-hostile.out" 2>&1
check "a 10^6-column header: clamped and said" grep -q 'line 1: cols out of range, taken as 800' "$T/v-hostile.out"
check "(a time past any session, and one that goes back: named)" sh -c "grep -q 'line 3: time' '$T/v-hostile.out' && grep -q 'line 4: time goes back' '$T/v-hostile.out'"
"$BELAY" verify "$T/long.belay" >"$T/v-long.out" 2>&1
check "a line past 16 MB: refused, named" grep -q 'line 2 is longer than 16 MB' "$T/v-long.out"
: >"$T/out-h"
replay h --paused --at 1 "$T/hostile.belay"
tm pipe-pane -o -t =h: "cat >>$T/out-h"
tm send-keys -t =h: '$'
check "replay of escape sequences aimed at the outer terminal: shown in the pane" swait h "ESC-SAFE"
sleep 0.5
check "(none reaches the outer terminal: no clipboard, title or hyperlink)" \
	sh -c "! grep -qa -e ']52;' -e ']0;pwned' -e ']8;;http' '$T/out-h'"
tm pipe-pane -t =h: # closed: tmux 3.3a reports no exit status for a pane still piped
tm send-keys -t =h: q
wait_dead h
check_eq "(belay survived: exit 0)" 0 "$(cat "$T/exit-h" 2>/dev/null)"

tm kill-server
rm -rf "$WS"
finish
