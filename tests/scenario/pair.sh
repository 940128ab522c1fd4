# pair - a second person watches a live session and decides: the owner runs
# the demo agent in one tmux client, a reviewer attaches from another (belay
# attach) and sees the same steps; a late joiner sees the screen as it is;
# the reviewer approves the held git push and the owner's screen says who;
# a read-only viewer's keys change nothing; notes reach everyone and the
# recording; belay approve and deny answer a headless session that waits
# (--on-ask wait); another user is refused without --share, may watch but
# not decide with --share USER, decides with --share USER:review; two
# people for --two-person rules; clients that send garbage, a 100 MB line,
# or never read are dropped and the session goes on.
. "$(dirname "$0")/lib.sh"

W=160 H=44
PW=$(pane_cols $W)
WS=$SCRATCH/pair-$$
REC=$T/pair.belay
CTL="python3 $ROOT/tests/scenario/ctl.py"
EVENTS_PY=$ROOT/tests/scenario/events.py

pane_of() { tm capture-pane -p -t "=$1:" | python3 "$SCREEN_PY" crop "$PW" $((H - 1)) | sed 's/ *$//'; }
# pwait SESSION TEXT: the pane shows TEXT, wrapped or not
pwait() {
	_w=0
	while [ $_w -lt 150 ]; do
		pane_of "$1" | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$2" && return 0
		sleep 0.1; _w=$((_w + 1))
	done
	gave_up "$1 to show '$2'"
}
# the timeline's step rows (number, state, command), as a panel shows them
steps_of() { screen "$1" | sed -n 's/^.*│ *\([0-9][0-9]* [✓✗?…] \)[0-9:]* \(.\{0,30\}\).*$/\1\2/p'; }
# has TEXT PATTERN: TEXT has a line with PATTERN (fixed)
has() { printf '%s\n' "$1" | grep -qF -- "$2"; }
# the session id of the belay working in $1 (belay ls: id first, workspace last)
sid_of() { $ENVV $BELAY ls | awk -v ws="$1" '$NF == ws { print $1 }' | tail -1; }

rm -rf "$WS"
mkdir -p "$WS"
git init -q --bare "$T/remote.git"
(cd "$WS" && printf '# demo\n' >README.md && git init -q . && git config user.name demo &&
	git config user.email demo@localhost && git remote add origin "$T/remote.git" &&
	git add README.md && git commit -qm start)

tm new-session -d -s own -x $W -y $H "$ENVV XDG_STATE_HOME=$T/state TERM=tmux-256color $BELAY --record $REC -C $WS $AGENTS/demo"
wait_for own "Press Enter for each step of the tour"
has_sid() { test -n "$(sid_of "$WS")"; }
wait_until has_sid
SID=$(sid_of "$WS")
check "belay ls lists the session, id first" sh -c "$ENVV $BELAY ls | grep -E '^$SID +demo .* owner +$WS\$'"
SOCKET=/tmp/belay-0/$SID
[ "$(id -u)" = 0 ] || SOCKET=/tmp/belay-$(id -u)/$SID
check "the socket is in a folder only its user can enter" sh -c "[ \"\$(stat -c %a \"\$(dirname $SOCKET)\")\" = 700 ]"

# the reviewer, from a second tmux client
tm new-session -d -s rev -x $W -y $H "$ENVV TERM=tmux-256color $BELAY attach $SID"
check "the reviewer's screen is live" wait_for rev "LIVE"
check "the reviewer may decide (the same user)" wait_for rev "you may decide"
check "the owner is told someone watches" wait_for own "is watching (owner: may decide)"
for text in "Press Enter for each step of the tour" "Press Enter and I will write some code" \
	"Enter: I will improve the script"; do
	pwait own "$text"
	sleep 0.3
	send own Enter
done
pwait own "Added German"
pwait rev "Added German"
sleep 1
check_eq "owner and reviewer see the same steps" "$(steps_of own)" "$(steps_of rev)"
check "the reviewer sees steps" test "$(steps_of rev | wc -l)" -ge 4
check_eq "the reviewer's pane is the owner's" "$(pane_of own)" "$(pane_of rev)"

# a late joiner: the screen as it is now and the whole timeline at once
tm new-session -d -s ro -x $W -y $H "$ENVV TERM=tmux-256color $BELAY attach --read-only $SID"
wait_for ro "LIVE"
sleep 1
check_eq "a late joiner sees the current pane" "$(pane_of own)" "$(pane_of ro)"
check_eq "a late joiner sees every step so far" "$(steps_of own)" "$(steps_of ro)"
check "read-only says so" wait_for ro "watching only"

send own Enter
check "the push is held on the owner's screen" wait_for own "HELD #1 · step 6"
check "the reviewer sees it held, with the keys to answer" wait_for rev "C-] a allow"
check "belay held lists it as SESSION:CALL" sh -c "$ENVV $BELAY held | grep -E '^$SID:1 +git push -q origin HEAD'"

# the read-only viewer's keys change nothing
before=$(pane_of own)
send ro x y z Enter
send ro C-c
send ro C-] d
sleep 0.3
send ro C-] a
check "a read-only viewer's allow is refused" wait_for ro "you may watch this session, not decide"
sleep 1
check "after a read-only viewer's keys the call still waits" wait_for own "HELD #1"
check_eq "and the agent got none of them" "$before" "$(pane_of own)"

# the reviewer approves
sleep 0.6
send rev C-] a
check "the reviewer's allow lets the push through" wait_for own "You allowed it: the push went through"
check "the owner's screen says who allowed it" wait_for own "allowed by $(id -un) (belay attach: C-] a)"
check "the read-only viewer sees who too" wait_for ro "allowed by $(id -un)"
check "the push reached the remote" sh -c "git --git-dir=$T/remote.git log --oneline | grep -q 'Greet in four'"
check "the decision is recorded by reviewer with who" \
	python3 "$EVENTS_PY" "$REC" has "type=decision by=reviewer who=$(id -un) verdict=allow"
check "approving it again says it is answered" \
	sh -c "$ENVV $BELAY approve $SID:1 2>&1 | grep -q 'not waiting'"

# a note from the reviewer, on the selected step
send rev k
sleep 0.3
send rev N
wait_for rev "note on step"
send rev -l "why push before the tests?"
send rev Enter
check "the owner sees the reviewer's note" wait_for own "note by $(id -un) on step"
check "the note stays in the title of the step's diff" wait_for rev "note $(id -un): why push"
check "the note is in the recording" python3 "$EVENTS_PY" "$REC" has "type=note text~push"
check "belay note writes one from a script" sh -c "$ENVV $BELAY note $SID:2 'looks fine' && sleep 0.5"
check "and the owner sees it" wait_for own "note by $(id -un) on step 2: looks fine"

# the owner hands the keyboard over: a reviewer's keys reach the agent, a watcher's never
helps() { pane_of own | grep -c 'this list'; }
send own C-] K
check "the owner hands the keyboard over: every screen is told" wait_for own "the keyboard is handed to the reviewers"
check "the reviewer's status line says the keyboard is theirs too" wait_for rev "the keyboard is yours too"
send ro C-] Tab
send ro / h e l p Enter
send rev C-] Tab
sleep 0.3
send rev / h e l p Enter
check "the reviewer's keys reach the agent" wait_until test "$(helps)" = 1
sleep 1
check_eq "a watcher's keys never do" 1 "$(helps)"
send own C-] K
check "the owner takes it back" wait_for own "the keyboard is the owner's alone again"
check "the reviewer's status line no longer says so" wait_gone rev "the keyboard is yours too"
send rev / h e l p Enter
sleep 1
check_eq "then the reviewer's keys no longer reach the agent" 1 "$(helps)"
send rev C-] Tab
send ro C-] Tab

# hostile clients: the session goes on, they are dropped
out=$($CTL "$SOCKET" garbage)
check "garbage gets errors, then the client is dropped" has "$out" '"type":"error"'
out=$($CTL "$SOCKET" huge 100)
check "a 100 MB line is cut off: the client is dropped long before" has "$out" "longer than 65536 bytes"
check "long before it is all sent" sh -c "[ $(echo "$out" | sed -n 's/^sent \([0-9]*\) MB/\1/p') -lt 100 ]"
$CTL "$SOCKET" noread 8 &
NOREAD=$!
sleep 1
send own Enter
check "with a client that never reads, the session goes on" pwait own "I deleted docs/ without asking you"
check "and the reviewer still follows" pwait rev "I deleted docs/ without asking you"
out=$($CTL "$SOCKET" ask '{"op":"info"}' '{"op":"held"}' '{"op":"nope"}' '{"op":"decide","call":"x"}')
check "info answers" has "$out" '"type":"info"'
check "an unknown op is named" has "$out" "unknown op 'nope'"
check "a bad decision is refused" has "$out" 'a decision needs'
out=$(printf '{"op":"info"}\n' | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"op\":\"info\"}\n"); print(s.recv(4096).decode())' "$SOCKET")
check "a request before hello is refused" has "$out" 'say hello first'
out=$(python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"op\":\"hello\",\"version\":99}\n"); print(s.recv(4096).decode())' "$SOCKET")
check "another protocol version is refused" has "$out" 'speaks version 1'
wait "$NOREAD"

send own /exit Enter
check "the viewers see the session end" wait_for rev "over" 15
tm kill-session -t rev
tm kill-session -t ro
check "belay export md has the note" sh -c "$BELAY export --format md $REC | grep -q 'why push before the tests?'"

# --- headless sessions that wait for an answer from the control socket
HWS=$SCRATCH/pair-h-$$
rm -rf "$HWS"
cp -r "$WS" "$HWS"
(cd "$HWS" && git reset -q --hard && git commit -q --allow-empty -m more)
hl() { # hl NAME [options]: a headless belay in the background pushing; its output in $T/NAME.out
	n=$1; shift
	(cd "$HWS" && $ENVV $BELAY --headless --no-record --on-ask wait "$@" -C "$HWS" \
		sh -c 'git push -q origin HEAD 2>&1 && echo PUSHED || echo REFUSED' \
		</dev/null >"$T/$n.out" 2>"$T/$n.err"; echo "rc $?" >>"$T/$n.out") &
}
held_id() { grep -o "belay approve [0-9]*:[0-9]*" "$T/$1.err" | head -1 | cut -d' ' -f3; }
has_held() { test -n "$(held_id "$1")"; }
hl wait1
wait_until -t 15 has_held wait1
ID=$(held_id wait1)
check "a waiting headless session says what waits and how to answer" grep -q "waits (policies/default.rules" "$T/wait1.err"
sleep 1
check "it still waits a second later" sh -c "! grep -q rc '$T/wait1.out'"
check "belay approve answers it" sh -c "$ENVV $BELAY approve $ID | grep -q allowed"
wait_until -t 15 grep -q "rc " "$T/wait1.out"
check "the push went through" grep -q PUSHED "$T/wait1.out"

hl wait2
wait_until -t 15 has_held wait2
ID=$(held_id wait2)
check "belay deny answers it, with a reason" sh -c "$ENVV $BELAY deny $ID not before the review"
wait_until -t 15 grep -q "rc " "$T/wait2.out"
check "the push was refused" grep -q REFUSED "$T/wait2.out"
check "the denied program reads the reason" grep -q "not before the review" "$T/wait2.out"

hl wait3 --ask-timeout 1
wait_until -t 15 grep -q "rc " "$T/wait3.out"
check "--ask-timeout ends the wait with a denial" grep -q REFUSED "$T/wait3.out"

# --- other users
USER_NAME=belay-test
if [ "$(id -u)" = 0 ]; then
	id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh "$USER_NAME"
	BIN=$(mktemp -d /tmp/belay-pair-bin.XXXXXX)
	cp "$BELAY" "$BIN/"
	chmod 755 "$BIN" "$BIN/belay"
	AS="runuser -u $USER_NAME -- env -i HOME=/nonexistent PATH=/usr/bin:/bin LANG=C.UTF-8"
	as_user() { $AS "$@"; }

	hl other1
	wait_until -t 15 has_held other1
	ID=$(held_id other1)
	SID1=${ID%%:*}
	check "another user cannot reach a session not shared (the folder is the owner's alone)" \
		sh -c "! $AS $BIN/belay approve $ID"
	out=$(as_user $BIN/belay approve "$ID" 2>&1)
	check "and is told there is no such session for them" has "$out" "no session '$SID1'"
	out=$(runuser -u "$USER_NAME" -- python3 "$ROOT/tests/scenario/ctl.py" "/tmp/belay-0/$SID1" ask '{"op":"info"}' 2>&1)
	check "a connect to the private socket itself is refused by the kernel" has "$out" 'Permission denied'
	$ENVV $BELAY deny "$ID" >/dev/null
	wait_until -t 15 grep -q "rc " "$T/other1.out"

	hl other2 --share "$USER_NAME"
	wait_until -t 15 has_held other2
	ID=$(held_id other2)
	SID2=${ID%%:*}
	check "shared: the socket is in the shared folder" test -S "/tmp/belay-shared/0/$SID2"
	check "shared: the user lists it, as a watcher" sh -c "$AS $BIN/belay ls | grep -E '^$SID2 .* watch '"
	check "shared: the user sees what waits" sh -c "$AS $BIN/belay held | grep -q '^$ID '"
	out=$(as_user $BIN/belay approve "$ID" 2>&1)
	check "a watcher may not decide" has "$out" 'may watch this session, not decide'
	check "and the call still waits" sh -c "! grep -q 'rc ' '$T/other2.out'"
	$ENVV $BELAY deny "$ID" >/dev/null
	wait_until -t 15 grep -q "rc " "$T/other2.out"

	hl other3 --share "$USER_NAME:review" --two-person '*push*'
	wait_until -t 15 has_held other3
	ID=$(held_id other3)
	check "two people: the owner's yes is the first of two" sh -c "$ENVV $BELAY approve $ID | grep -q 'second person'"
	out=$($ENVV $BELAY approve "$ID" 2>&1)
	check "the same user twice is not two people" has "$out" 'needs another user'
	sleep 0.5
	check "it still waits" sh -c "! grep -q 'rc ' '$T/other3.out'"
	check "a reviewer (another user, review role) is the second" sh -c "$AS $BIN/belay approve $ID | grep -q allowed"
	wait_until -t 15 grep -q "rc " "$T/other3.out"
	check "then the push goes through" grep -q PUSHED "$T/other3.out"
	hl other4 --on-ask allow --ask-timeout 1 --two-person '*push*'
	wait_until -t 15 grep -q "rc " "$T/other4.out"
	check "a timeout that allows never allows a two-person call" grep -q REFUSED "$T/other4.out"
	rm -rf "$BIN"
else
	ok "other users # SKIP not root: cannot create the test user"
fi

rm -rf "$WS" "$HWS"
finish
