# vs-tmux - programs inside belay leave the same screen text as in tmux.
#
# Each program runs twice at the same size: in belay's pane (belay inside a
# tmux of W x H) and in a plain tmux pane of belay's pane size.  Both get the
# same keys; the texts must be equal.
. "$(dirname "$0")/lib.sh"

W=120 H=32
PW=$(pane_cols $W) PH=$((H - 1))

# a file to look at, long enough to scroll
python3 - >"$T/text.txt" <<'PY'
for i in range(1, 301):
    print(f"line {i:3d}: the quick brown fox jumps over the lazy dog " + "x" * (i % 37) + (" 日本語" if i % 10 == 0 else ""))
PY

both() { # both COMMAND…: start the program in belay and in the reference
	start_belay b $W $H -- "$@"
	start_ref r $PW $PH "$@"
}
stop_both() { tm kill-session -t =b; tm kill-session -t =r; }
# line_both (lib.sh): keys to both, then until both show a prompt again: a
# program leaves raw mode between two reads, and what is typed ahead then is
# echoed by the tty at a moment that depends on scheduling

# --- the pane has the size belay says
both sh -c "'stty size; exec sleep 60'"
wait_for b "$PH $PW"
check_eq "the agent's terminal is ${PW}x${PH}" "$PH $PW" "$(belay_pane $PW $PH | head -1)"
stop_both

# --- bash: readline editing and history
both bash --norc --noprofile -i
wait_for b '$' && wait_for r '$'
line_both '$' 'echo hello wrold' Left Left Left C-t Enter
line_both '$' 'printf "%s\n" alpha beta gamma' Enter
line_both '$' Up Up Enter
line_both '$' 'echo one two three' C-a C-k 'echo replaced' Enter
line_both '$' C-r 'alpha' Enter
line_both '$' 'for i in 1 2 3; do echo "n=$i"; done' Enter
compare_screens "bash: readline editing and history" $PW $PH
line_both '$' 'clear' Enter
line_both '$' 'ls /definitely/missing; echo "rc=$?"' Enter
compare_screens "bash: clear and errors" $PW $PH
stop_both

# --- resize: shrinking drops blank rows under the cursor first, then the top
both bash --norc --noprofile -i
wait_for b '$' && wait_for r '$'
line_both '$' 'echo one' Enter
line_both '$' 'echo two' Enter
tm resize-window -t =b: -x $W -y 20
tm resize-window -t =r: -x $PW -y 19
# careful: tmux resizes the reference at once, belay only when it has taken
# the SIGWINCH; until then both screens may stay still, and be compared too
# early.  belay has laid itself out again when its side panel says the size
wait_for b "${PW}x19 · "
compare_screens "bash: a smaller terminal keeps the lines at the top" $PW 19
line_both '$' 'seq 1 40' Enter
tm resize-window -t =b: -x $W -y 12
tm resize-window -t =r: -x $PW -y 11
wait_for b "${PW}x11 · "
compare_screens "bash: a full screen loses its top lines when shrunk" $PW 11
stop_both

# --- python3 REPL
both /usr/bin/python3 -q
wait_for b '>>>' && wait_for r '>>>'
line_both '>>> ...' '1 + 1' Enter
line_both '>>> ...' 'print("héllo wörld 日本語")' Enter
line_both '>>> ...' 'def f(n):' Enter
line_both '>>> ...' '    return [i * i for i in range(n)]' Enter
line_both '>>> ...' Enter
line_both '>>> ...' 'f(12)' Enter
line_both '>>> ...' Up Up Enter
line_both '>>> ...' 'import sys; sys.version_info[:2] >= (3, 0)' Enter
compare_screens "python3: REPL, history and wide text" $PW $PH
stop_both

# --- vim
cp "$T/text.txt" "$T/vim.txt"
both vim -u NONE -i NONE -N -n "$T/vim.txt"
wait_for b 'line   1' && wait_for r 'line   1'
compare_screens "vim: opens a file" $PW $PH
send_both ':set number' Enter
send_both 'G'
# the last line, numbered, is what both show once vim has done both
wait_for b '300 line 300' && wait_for r '300 line 300'
compare_screens "vim: numbers and end of file" $PW $PH
send_both 'gg' '/fox jumps over the lazy dog xxxxx' Enter
send_both 'o' 'a new line, typed in insert mode: ü 中文' Escape
send_both C-f C-f C-b
compare_screens "vim: search, insert, page up and down" $PW $PH
send_both ':split' Enter ':vsplit' Enter C-w w
compare_screens "vim: split windows" $PW $PH
send_both ':qa!' Enter
stop_both

# --- less
both less -R "$T/text.txt"
wait_for b 'line   1' && wait_for r 'line   1'
send_both Space Space b
compare_screens "less: pages forward and back" $PW $PH
send_both '/lazy dog xxxxxxxxxx' Enter
send_both G
wait_for b '(END)' && wait_for r '(END)'
compare_screens "less: search and end" $PW $PH
send_both g 'q'
stop_both

# --- top: live numbers differ between two runs, so digits are masked
sleep 300 &
SLEEPER=$!
both top -d 60 -p $SLEEPER
# the header comes first, the sleeper's row after it: 'c' once both show
# it, then until both show its whole command line.  careful: the pid alone
# can be part of a number in the header; its row starts with it
sleeper_row() { screen "$1" | grep -q "^ *$SLEEPER "; }
wait_until sleeper_row b && wait_until sleeper_row r
send_both 'c'
wait_for b 'sleep 300' && wait_for r 'sleep 300'
wait_stable b; wait_stable r
belay_pane $PW $PH | python3 "$SCREEN_PY" mask | grep -v '^top -' >"$T/belay.txt"
ref_screen | python3 "$SCREEN_PY" mask | grep -v '^top -' >"$T/ref.txt"
if cmp -s "$T/belay.txt" "$T/ref.txt"; then ok "top: the same screen, live numbers masked"
else not_ok "top: the same screen, live numbers masked" "$(diff -u "$T/ref.txt" "$T/belay.txt" | head -30)"; fi
send_both q
stop_both
kill $SLEEPER 2>/dev/null

# --- an ncurses program (application cursor keys, REP, alternate screen)
both sh -c "'$AGENTS/tui; echo tui exited; exec sleep 60'"
wait_for b 'plan' && wait_for r 'plan'
send_both Down Down Down Up
compare_screens "ncurses TUI: boxes, colours and arrow keys" $PW $PH
send_both q
wait_for b 'tui exited' && wait_for r 'tui exited'
compare_screens "ncurses TUI: back from the alternate screen" $PW $PH
stop_both

finish
