# review - the review screen with the demo agent at 80x24, 120x40 and
# 200x60: the steps as a person reads them, the selected step's diff beside
# the pane, a held git push noticed (the bell; the notify command) and
# answered, a rollback and a revert from the screen (shown first, asked),
# resizing wide -> narrow -> wide, the panels as a view of their own under
# 80 columns; then a launcher-shaped agent (node starting a Python entry
# point): its bookkeeping folded, a shell's script shown instead of the
# shell, a step's programs as a tree, names with controls shown escaped.
. "$(dirname "$0")/lib.sh"

# belay's pane, and what belay wrote to it (pipe-pane): the bell is a BEL
# byte there.  (tmux's own bell flag is set only for a window not shown,
# and tmux 3.3a's server crashes on such alerts now and then.)
start_bg() {
	s=$1 w=$2 h=$3
	shift 3
	tm new-session -d -s "$s" -x "$w" -y "$h" "$ENVV TERM=tmux-256color $BELAY $*"
	: >"$T/out-$s"
	tm pipe-pane -o -t "=$s:" "cat >>$T/out-$s"
}
bsend() { s=$1; shift; tm send-keys -t "=$s:" "$@"; }
bscreen() { tm capture-pane -p -t "=$1:"; }
# columns FROM (1-based) to TO of each line, by display width (a wide
# character takes two: cut(1) counts bytes)
columns() {
	python3 -c '
import signal, sys, unicodedata
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
lo, hi = int(sys.argv[1]) - 1, int(sys.argv[2])
for line in sys.stdin.read().split("\n"):
    col, out = 0, []
    for ch in line:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if col >= lo and col + w <= hi:
            out.append(ch)
        col += w
    print("".join(out))' "$1" "$2"
}
# the panels: the columns right of the border (all of it when they cover the screen)
panel() { bscreen "$1" | columns "$2" 10000; }
# bwait SESSION TEXT: until the screen shows TEXT, the agent's sentences
# joined (it wraps them at the pane's width)
bwait() {
	i=0 limit=$(( ${3:-15} * 10 ))
	while [ $i -lt $limit ]; do
		bscreen "$1" | grep -qF -- "$2" && return 0
		bscreen "$1" | columns 1 "$PW" | sed 's/ *$//' | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$2" && return 0
		sleep 0.1; i=$((i + 1))
	done
	gave_up "$1 to show '$2'"
}
# pwait SESSION COL TEXT: until the panels show TEXT (on a row, or wrapped
# over rows at a blank)
pwait() {
	i=0
	while [ $i -lt 150 ]; do
		panel "$1" "$2" | grep -qF -- "$3" && return 0
		panel "$1" "$2" | sed 's/^ *//; s/ *$//' | tr '\n' ' ' | grep -qF -- "$3" && return 0
		sleep 0.1; i=$((i + 1))
	done
	panel "$1" "$2" | sed 's/^/# panel: /'
	gave_up "$1's panels to show '$3'"
}
not_in_panel() { ! panel "$1" "$2" | grep -qF -- "$3"; }
bells() { tr -cd '\007' <"$T/out-$1" | wc -c; }

# workspace WS: a git repository with a remote, as tools/demo.sh makes it
# (the remote under /tmp, a place the default policy lets git write to)
workspace() {
	rm -rf "$1"
	mkdir -p "$1"
	git init -q --bare "$T/remote-$(basename "$1").git"
	(cd "$1" && printf '# demo\n' >README.md && git init -q . && git config user.name demo &&
		git config user.email demo@localhost && git remote add origin "$T/remote-$(basename "$1").git" &&
		git add README.md && git commit -qm start)
}

for size in "80 24" "120 40" "200 60"; do
	W=${size% *} H=${size#* }
	PW=$(pane_cols "$W")
	P=$((PW + 2)) # the panels' first column
	S=s$W
	WS=$SCRATCH/review-$W-$$
	workspace "$WS"
	cat >"$T/keys" <<EOF
set notify 'printf "%s|%s|%s\n" "\$BELAY_HELD" "\$BELAY_STEP" "\$BELAY_RULE" >>$T/notified-$W'
EOF
	start_bg "$S" "$W" "$H" --keymap "$T/keys" -C "$WS" "$AGENTS/demo"
	bwait "$S" "Press Enter for each step of the tour"
	bsend "$S" Enter
	bwait "$S" "Press Enter and I will write some code"
	bsend "$S" Enter
	check "${W}x$H: an edit by the agent is one step named by its files" \
		pwait "$S" $P "✎ hello"
	check "${W}x$H: a command is named by what it ran" pwait "$S" $P '$ python3 he'
	bsend "$S" Enter
	bwait "$S" "Added German"
	check "${W}x$H: with nothing selected the diff follows the newest step" pwait "$S" $P "step 4 (the newest)"
	check "${W}x$H: its file, with lines added and removed" pwait "$S" $P "M hello.py"
	check "${W}x$H: and the diff of it" pwait "$S" $P "-greetings = {"
	check "${W}x$H: (the changed words in sight, however narrow the panel)" pwait "$S" $P "'de': 'hallo'}"
	check "${W}x$H: the step's line counts them" pwait "$S" $P "1f +1 −1"
	check "${W}x$H: no bell before anything is held" test "$(bells "$S")" = 0
	bsend "$S" Enter
	check "${W}x$H: the held push is named in plain words beside the pane" pwait "$S" $P "git push -q origin HEAD"
	check "${W}x$H: (with its number and step)" pwait "$S" $P "HELD #1 · step 6"
	check "${W}x$H: (and why: the rule's text)" pwait "$S" $P "why: ask exec"
	check "${W}x$H: the bell rang" wait_until sh -c "[ \$(tr -cd '\\007' <'$T/out-$S' | wc -c) -ge 1 ]"
	check "${W}x$H: the notify command ran with the call in plain words" \
		wait_until grep -q "^git push -q origin HEAD|6|ask exec program git" "$T/notified-$W"
	sleep 0.6
	bsend "$S" C-] a
	check "${W}x$H: answered: the push went through" bwait "$S" "You allowed it: the push went through"
	check "${W}x$H: (the remote has it)" wait_until sh -c "git --git-dir='$T/remote-$(basename "$WS").git' log --oneline | grep -q 'Greet in four'"
	bsend "$S" Enter
	bwait "$S" "I deleted docs/ without asking you"
	check "${W}x$H: (docs/ is gone)" test ! -e "$WS/docs"

	# focus on the panels; the newest step; roll back to before it
	bsend "$S" C-] Tab
	bsend "$S" k
	check "${W}x$H: a selected step shows its diff" pwait "$S" $P "step 7: 1 file +0 −3"
	bsend "$S" R
	check "${W}x$H: rollback first shows what it would change" pwait "$S" $P "rollback to before step 7 would change 1 file"
	check "${W}x$H: (the file it brings back)" pwait "$S" $P "A docs/notes.md"
	check "${W}x$H: and asks" bwait "$S" "roll back to before step 7"
	check "${W}x$H: (nothing written before the answer)" test ! -e "$WS/docs"
	bsend "$S" y
	check "${W}x$H: y rolls back: docs/ is back" wait_until test -f "$WS/docs/notes.md"
	check "${W}x$H: the step stays in the timeline, marked" pwait "$S" $P "rolled back"

	# revert only step 4 (the German greeting)
	bsend "$S" k k k
	check "${W}x$H: step 4 selected" pwait "$S" $P "step 4: 1 file"
	bsend "$S" r
	check "${W}x$H: revert shows the lines it takes out" pwait "$S" $P "revert of step 4 would change 1 file"
	bsend "$S" n
	check "${W}x$H: any other key: nothing undone" bwait "$S" "nothing undone"
	check "${W}x$H: (hello.py still greets in German)" grep -q "'de': 'hallo'" "$WS/hello.py"
	bsend "$S" r
	bwait "$S" "revert step 4"
	bsend "$S" y
	check "${W}x$H: y reverts it: the German greeting is gone" \
		wait_until sh -c "! grep -q hallo '$WS/hello.py' && grep -q bonjour '$WS/hello.py'"
	check "${W}x$H: marked reverted" pwait "$S" $P "reverted"

	# resize: narrow, the panels are a view of their own while they have the keyboard
	tm resize-window -t "=$S:" -x 70 -y "$H"
	check "${W}x$H -> 70 columns: the panels cover the screen while focused" pwait "$S" 1 "steps 7"
	bsend "$S" C-] Tab
	bsend "$S" /help Enter
	check "${W}x$H -> 70: the prefix key toggles back to the agent's pane (keys reach it)" bwait "$S" "this list"
	check "${W}x$H -> 70: (no panel beside it)" sh -c "! tmux -L $SOCK capture-pane -p -t =$S: | grep -qF 'steps 7'"
	bsend "$S" C-] Tab
	check "${W}x$H -> 70: and to the panels again" pwait "$S" 1 "steps 7"
	bsend "$S" C-] Tab
	tm resize-window -t "=$S:" -x "$W" -y "$H"
	check "${W}x$H -> 70 -> $W: the panels are back beside the pane" pwait "$S" $P "steps 7"
	bsend "$S" /zz
	check "${W}x$H: the keys reach the agent again" bwait "$S" "/zz"
	bsend "$S" C-] q
	bwait "$S" "stop the agent and quit belay? (y/n)"
	bsend "$S" y
	tm kill-session -t "=$S" 2>/dev/null
	rm -rf "$WS"
done

# --- a launcher-shaped agent: node starts a Python entry point (aider's shape)
W=200 H=50
PW=$(pane_cols $W) P=$((PW + 2))
WS=$SCRATCH/review-launch-$$
workspace "$WS"
mkdir -p "$WS/sub"
STATE=$T/home/.fakeagent
mkdir -p "$STATE"
# the agent's script holds its operations (a tmux command line would split them)
cat >"$T/agent.py" <<EOF
import sys
sys.dont_write_bytecode = True  # no __pycache__ beside actor.py: outside the workspace, it would ask
sys.path.insert(0, "$ROOT/tests/agents")
import actor
sys.argv[1:] = [
    "write:$STATE/history.jsonl", "sleep:2.5", "write:$STATE/history.jsonl", "sleep:2.5",
    "write:$WS/app.ts", "sleep:2.5",
    "tool:bash -c 'cd sub && ls | wc -l'",
    "tool:printf 'one\\\\n' >/dev/null\\necho two >/dev/null",
    "write:$WS/evil\\u202etxt.sh", "sleep:2.5",
    "write:$WS/esc\\x1b[31mred", "sleep:60",
]
sys.exit(actor.main())
EOF
start_bg L $W $H -C "$WS" node "$ROOT/tests/agents/launcher.js" python3 "$T/agent.py"
bwait L "ok write:$WS/app.ts"
check "launcher: the agent's own bookkeeping is folded into a quiet line" pwait L $P "bookkeeping step"
check "launcher: (not listed with the work)" not_in_panel L $P "history.jsonl"
check "launcher: its edit in the workspace is a step" pwait L $P "✎ app.ts"
check "launcher: a shell's script is shown, not the shell" pwait L $P '$ cd sub && ls | wc -l'
check "launcher: a multi-line script on one line" pwait L $P "printf 'one\\n' >/dev/null ⏎ echo two"
check "launcher: a right-to-left override in a name is shown escaped" pwait L $P 'evil\u202etxt.sh'
check "launcher: an escape sequence in a name is shown escaped" pwait L $P 'esc\x1b[31mred'
bsend L C-] Tab
bsend L .
check "launcher: . lists the bookkeeping step by step" pwait L $P "history.jsonl"
# the tree of the shell step: select it and open it
n=$(panel L $P | sed -n 's/^ *\([0-9][0-9]*\) . .*cd sub && ls | wc -l.*/\1/p' | head -1)
check "launcher: (the shell step has a number: '$n')" test -n "$n"
bsend L G
i=0
while [ $i -lt 30 ] && ! panel L $P | grep -q "step $n: "; do bsend L k; sleep 0.1; i=$((i + 1)); done
bsend L Enter
check "launcher: Enter opens a step into the programs it ran" pwait L $P "└ ls"
check "launcher: (all of them)" pwait L $P "└ wc -l"
tm kill-session -t "=L" 2>/dev/null
rm -rf "$WS"
finish
