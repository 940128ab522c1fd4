# terminal - the pane behaves like a terminal: resize, wide characters,
# colours, replies to queries, keys, paste, mouse, focus, scrollback,
# selection, exit status, and belay's own keys and side panel.
. "$(dirname "$0")/lib.sh"

W=120 H=32
PW=$(pane_cols $W) PH=$((H - 1))
KEYS=$AGENTS/keys
PROBE=$AGENTS/probe
stop() { tm kill-session -t "=$1" 2>/dev/null; :; }

# --- resize reaches the agent (TIOCSWINSZ, SIGWINCH) and the layout follows
start_belay b $W $H -- sh -c "'trap \"stty size\" WINCH; stty size; while :; do sleep 0.05; done'"
wait_for b "$PH $PW"
tm resize-window -t =b: -x 100 -y 25
P2=$(pane_cols 100)
check "resize to 100x25 reaches the agent as 24x$P2" wait_for b "24 $P2"
# the status line is redrawn in its own time: waited for, not read once
check "the status line moves to the new last row" wait_until sh -c "tm() { tmux -L $SOCK \"\$@\"; }; tm capture-pane -p -t =b: | sed -n 25p | grep -q running"
tm resize-window -t =b: -x 70 -y 20
check "below 80 columns the side panel goes and the pane takes the width" wait_for b "19 70"
stop b

# --- wide characters do not shift the line (belay and tmux agree)
LINE='printf "a日本語b|c😀d|e🧠f|g한국어h|ｆｕｌｌ|✅ok|end\n"'
start_belay b $W $H -- sh
start_ref r $PW $PH sh
wait_for b '$' && wait_for r '$'
# one line at a time, each once the prompt is back: a line typed ahead is
# echoed amid the output of the one before, differently in belay and tmux
line_both '$' "$LINE" Enter
line_both '$' "printf '%*s日本x\n' $((PW - 1)) ''" Enter
line_both '$' "printf '%*s日x\n' $((PW - 3)) ''" Enter
compare_screens "CJK, emoji (old and new) and a wide character at the right edge" $PW $PH
stop b; stop r

# --- colours: 16, 256 and 24-bit reach the outer terminal as it can show them
COLOURS='printf "\033[31mred\033[0m \033[1;38;5;196mc196\033[0m \033[48;5;21mbg21\033[0m \033[38;2;255;128;0mrgb\033[0m \033[4;3mu\033[0m\n"; echo colours-"done"'
start_belay b $W $H -- sh
wait_for b '$'
send b "$COLOURS" Enter
wait_for b 'colours-done'
line=$(screen_e b | grep -F 'c196' | grep -vF printf | tail -1)
check "16 colours pass as palette colours" sh -c "printf '%s' '$line' | grep -q '\[31m.*red'"
check "256 colours pass as they are (38;5;196)" sh -c "printf '%s' '$line' | grep -q '38;5;196m'"
check "256-colour backgrounds pass (48;5;21)" sh -c "printf '%s' '$line' | grep -q '48;5;21m'"
check "24-bit colour becomes the nearest of 256 on a 256-colour terminal (208)" \
	sh -c "printf '%s' '$line' | grep -q '38;5;208m'"
check "bold passes" sh -c "screen_sgr() { :; }; printf '%s' '$line' | python3 $SCREEN_PY sgr c196 | grep -qw 1"
check "italic and underline pass" sh -c "printf '%s' '$line' | python3 $SCREEN_PY sgr u | grep -qw 3 && printf '%s' '$line' | python3 $SCREEN_PY sgr u | grep -qw 4"
stop b
tm new-session -d -s b -x $W -y $H "$ENVV TERM=xterm-direct $BELAY sh"
wait_for b '$'
send b "$COLOURS" Enter
wait_for b 'colours-done'
line=$(screen_e b | grep -F 'c196' | grep -vF printf | tail -1)
check "24-bit colour passes as 24-bit where the terminal has it (TERM=xterm-direct)" \
	sh -c "printf '%s' '$line' | grep -q '38;2;255;128;0m'"
stop b

# --- replies to the queries agents send at start-up
# careful: probe gives up on a reply after WAIT_MS (1 s by default), and a
# busy machine can take longer to run belay that far; it stops as soon as a
# reply is whole, so a longer limit costs nothing when belay answers
start_belay b $W $H --hold -- "$PROBE" "'\e[6n'" 10000
check "cursor position report (CPR) is answered" wait_for b 'reply: \e[1;1R' 15
stop b
start_belay b $W $H --hold -- sh -c "'printf \"abc\"; exec $PROBE \"\\e[6n\" 10000'"
check "CPR reports where the cursor is" wait_for b 'reply: \e[1;4R' 15
stop b
start_belay b $W $H --hold -- "$PROBE" "'\e[c'" 10000
check "primary device attributes are answered" wait_for b 'reply: \e[?' 15
stop b
start_belay b $W $H --hold -- "$PROBE" "'\e[>c'" 10000
check "secondary device attributes are answered" wait_for b 'reply: \e[>' 15
stop b
start_belay b $W $H --hold -- "$PROBE" "'\e]2;rm -rf x\a\e[21t\e[20t'" 1500
check "a title report query gets no reply (the title cannot be typed back)" wait_for b 'reply: none'
stop b

# --- keys reach the agent as xterm sends them, in the agent's modes
start_belay b $W $H -- "$KEYS"
wait_for b ready
send b Up Home F1 F5 PageUp C-Left M-x BTab C-a
check "cursor and function keys in normal mode" \
	wait_got b '\e[A\e[H\eOP\e[15~\e[5~\e[1;5D\ex\e[Z\x01'
stop b
start_belay b $W $H -- "$KEYS" ckm
wait_for b ready
send b Up Down Home End
check "cursor keys in application mode (DECCKM)" wait_got b '\eOA\eOB\eOH\eOF'
stop b
start_belay b $W $H -- "$KEYS"
wait_for b ready
send b C-] C-]
check "the prefix pressed twice reaches the agent" wait_for b 'got: \x1d'
stop b

# --- bracketed paste
start_belay b $W $H -- "$KEYS" paste
wait_for b ready
tm set-buffer -b t 'hello paste'
tm paste-buffer -p -b t -t =b:
check "a paste is bracketed when the agent asked for it" wait_got b '\e[200~hello paste\e[201~'
tm set-buffer -b t "$(printf 'a\033[31mb\tc')"
tm paste-buffer -p -b t -t =b:
check "pasted text cannot hold escape sequences (ESC removed, tab kept)" wait_got b '\e[200~a[31mb\x09c\e[201~'
stop b
start_belay b $W $H -- "$KEYS"
wait_for b ready
tm set-buffer -b t 'plain paste'
tm paste-buffer -p -b t -t =b:
check "a paste is not bracketed when the agent did not ask" wait_for b 'got: plain paste'
stop b

# --- mouse and focus go to an agent that asked for them
start_belay b $W $H -- "$KEYS" mouse focus
wait_for b ready
send b -l "$(printf '\033[<0;5;3M')"
check "a click in the pane reaches the agent (SGR)" wait_for b 'got: \e[<0;5;3M'
send b -l "$(printf '\033[<0;5;3m')"
check "the release too" wait_for b 'got: \e[<0;5;3m'
send b -l "$(printf '\033[<0;%d;3M' $((PW + 5)))"
send b -l "$(printf '\033[I')"
check "focus events reach the agent; clicks on the side panel do not" wait_for b 'got: \e[I'
check "(the side-panel click was not forwarded)" sh -c "! tmux -L $SOCK capture-pane -p -t =b: | grep -q '\[<0;$((PW + 5));3M'"
stop b
start_belay b $W $H -- "$KEYS"
wait_for b ready
send b -l "$(printf '\033[<0;5;3M')"
send b -l "$(printf '\033[I')"
send b x
check "an agent that did not ask gets no mouse or focus reports" wait_for b 'got: x'
check "(nothing before the x)" sh -c "! tmux -L $SOCK capture-pane -p -t =b: | grep -q '\[<0;5'"
stop b

# --- scrollback with the keys and the wheel; typing goes back to the agent
start_belay b $W $H -- sh
wait_for b '$'
send b 'seq 1 200' Enter
# careful: "200" is on the screen as soon as the command is typed; the
# output has scrolled only once the prompt is back after it
wait_prompt b '$ '
live_top=$(belay_pane $PW $PH | head -1)
send b C-] '['
send b k k k k k
check "scroll mode shows the scrollback and how far up it is" wait_for b '[-5]'
check "the status line says so" wait_for b 'scrollback -5'
top=$(belay_pane $PW $PH | head -1 | sed 's/ .*//')
check_eq "five lines up, the top line is the one five above" "$((live_top - 5))" "$top"
send b q
check "q leaves the scrollback" wait_gone b '[-5]'
send b -l "$(printf '\033[<64;10;10M\033[<64;10;10M')"
check "the wheel scrolls the scrollback" wait_for b '[-6]'
send b S-PageUp
check "S-PageUp scrolls a page" wait_for b "[-$((6 + PH - 1))]"
send b 'echo typed' Enter
check "typing goes back to the live screen and to the agent" wait_for b 'typed'
check "(the scrollback indicator is gone)" wait_gone b 'scrollback -'
stop b

# --- selection with the mouse copies to the outer terminal's clipboard
start_belay b $W $H -- sh
wait_for b '$'
send b 'echo selectable-text' Enter
wait_prompt b '$ '
row=$(belay_pane $PW $PH | grep -n '^selectable-text' | cut -d: -f1)
send b -l "$(printf '\033[<0;1;%dM\033[<32;10;%dM\033[<0;10;%dm' "$row" "$row" "$row")"
# belay copies on the release; tmux takes the OSC 52 when it reads it
clipboard_is() { [ "$(tm show-buffer 2>/dev/null)" = "$1" ]; }
wait_until clipboard_is selectable
check_eq "a drag copies the text to the clipboard (OSC 52)" "selectable" "$(tm show-buffer 2>/dev/null)"
send b 'echo pasted:' C-] ']' Enter
check "prefix ] pastes the selection into the agent" wait_for b 'pasted:selectable'
stop b

# --- belay's side panel, help and quit
start_belay_rc b $W $H -- sh -c "\"echo agent-pid=\\\$\\\$; exec sleep 60\""
wait_for b 'agent-pid='
apid=$(screen b | grep -o 'agent-pid=[0-9]*' | cut -d= -f2)
# the side panel may be drawn a moment after the agent's first output
check "the side panel shows the agent's pid" wait_until sh -c "tmux -L $SOCK capture-pane -p -t =b: | grep -q 'pid *$apid'"
check "the side panel shows the state, running time and pane size" \
	wait_until sh -c "tmux -L $SOCK capture-pane -p -t =b: | grep -q 'running [0-9]*:[0-9][0-9] · pid $apid' &&
	       tmux -L $SOCK capture-pane -p -t =b: | grep -q '${PW}x${PH} · '"
send b C-] '?'
check "prefix ? shows the key bindings" wait_for b 'belay keys'
send b x
check "any key closes them" wait_gone b 'belay keys'
send b C-] q
check "prefix q asks before stopping the agent" wait_for b 'stop the agent and quit belay? (y/n)'
send b n
wait_gone b 'stop the agent and quit belay?'
# careful: the pane never dies here (belay exited N, then a sleep): belay
# running is the agent alive and no "belay exited"; a stop would show only
# after a moment, so the moment is given
sleep 0.3
check "n keeps it running" sh -c "kill -0 $apid && ! tmux -L $SOCK capture-pane -p -t =b: | grep -q 'belay exited'"
send b C-] q y
check "y stops it; a quit by the person exits 0" wait_for b 'belay exited 0'
stop b

# --- exit status
start_belay_rc b $W $H -- sh -c "\"exit 7\""
check "belay exits with the agent's status" wait_for b 'belay exited 7'
stop b
start_belay_rc b $W $H -- sh -c "\"kill -KILL \\\$\\\$\""
check "an agent killed by a signal gives 128+N" wait_for b 'belay exited 137'
stop b

finish
