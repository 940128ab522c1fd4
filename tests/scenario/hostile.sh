# hostile - output that attacks the terminal neither crashes belay, nor grows
# its memory without bound, nor reaches the outer terminal.
#
# Everything belay writes to its terminal is recorded with tmux pipe-pane and
# searched for the attack.
. "$(dirname "$0")/lib.sh"

W=120 H=32
MEM_LIMIT_KB=$((96 * 1024))
HOSTILE="python3 $ROOT/tests/agents/hostile.py"

# run MODE: start the hostile agent in belay, record belay's output, attack
run() {
	rm -f "$T/outer.raw"
	tm kill-session -t =b 2>/dev/null
	tm delete-buffer 2>/dev/null
	start_belay b $W $H -- $HOSTILE "$1"
	wait_for b ready
	tm pipe-pane -t =b: -o "cat >>$T/outer.raw"
	pid=$(belay_pid)
	send b x
}
alive() { kill -0 "$pid" 2>/dev/null && [ "$(tm display -p -t =b: '#{pane_dead}')" = 0 ]; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status"; }
not() { ! "$@"; }
bounded() {
	m=$(hwm_kb)
	echo "# peak memory of belay: ${m} kB"
	[ -n "$m" ] && [ "$m" -lt $MEM_LIMIT_KB ]
}
outer_has() { python3 - "$T/outer.raw" "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read() if __import__("os").path.exists(sys.argv[1]) else b""
sys.exit(0 if sys.argv[2].encode() in data else 1)
PY
}
outer_utf8() { python3 -c "import sys; open(sys.argv[1],'rb').read().decode('utf-8')" "$T/outer.raw" 2>/dev/null; }
no_tmux_buffer() { [ -z "$(tm list-buffers 2>/dev/null)" ]; }

# --- a 10 MB OSC 52 (clipboard) sequence
run osc52
check "osc52: belay survives and goes on" wait_for b 'END osc52' 60
check "osc52: belay's memory stays bounded" bounded
check "osc52: the outer terminal never sees an OSC 52" not outer_has "$(printf '\033]52;')"
check "osc52: the outer terminal's clipboard is untouched" no_tmux_buffer
check "osc52: none of the payload reaches the outer terminal" not outer_has QUFBQUFB

# --- an unterminated device control string
run dcs
check "dcs: the text before it is shown" wait_for b 'before the DCS' 30
# careful: what follows means something only once belay has read the whole
# 10 MB, and nothing on the screen says so (the DCS hides the rest): the
# agent has written it all when it sleeps
agent_sleeps() { a=$(pgrep -P "$pid" python3 | head -1); [ -n "$a" ] && grep -q nanosleep "/proc/$a/wchan"; }
wait_until -t 30 agent_sleeps
check "dcs: belay is still alive" alive
check "dcs: belay's memory stays bounded" bounded
check "dcs: nothing of it reaches the outer terminal" not outer_has xxxxxxxx
send b C-] '?'
check "dcs: belay still answers its keys" wait_for b 'belay keys'

# --- invalid UTF-8 and C1 bytes
run utf8
check "utf8: belay survives and goes on" wait_for b 'END utf8' 30
check "utf8: belay's memory stays bounded" bounded
check "utf8: everything belay writes to the outer terminal is valid UTF-8" outer_utf8

# --- 10,000 CSI parameters, and one parameter of 1 MB
run csi
check "csi: belay survives and goes on" wait_for b 'END csi' 30
check "csi: belay's memory stays bounded" bounded

# --- a title, then a request to type it back
run title
check "title: the agent gets nothing typed back" wait_for b 'typed back: none' 10
check "title: the outer terminal's title is not the agent's" \
	sh -c "[ \"\$(tmux -L $SOCK display -p -t =b: '#{pane_title}')\" != evil ]"
check "title: no title sequence reaches the outer terminal" \
	sh -c "! grep -q \"\$(printf '\\033]2;')\" '$T/outer.raw' && ! grep -q \"\$(printf '\\033]0;')\" '$T/outer.raw'"
check "title: belay shows the title in its side panel, without control characters" wait_for b 'evilcommand'

# --- a million status queries whose replies the agent never reads
run queries
check "queries: belay survives and goes on" wait_for b 'END queries' 60
check "queries: belay's memory stays bounded (replies are not queued without end)" bounded
# (belay alone takes about 11 MB here; the replies to a million queries, 10 MB more)
check "queries: the replies waiting for the agent stay few (peak under 18 MB)" \
	sh -c "[ \$(awk '/^VmHWM:/ { print \$2 }' /proc/$pid/status) -lt $((18 * 1024)) ]"
send b C-] '?'
check "queries: belay still answers its keys" wait_for b 'belay keys'

# --- a 3000x2000 terminal: belay keeps its screen bounded, and gives the
# memory back when the terminal is small again
run wide
wait_for b 'END wide' 10
tm resize-window -t =b: -x 3000 -y 2000
sleep 2
check "wide: belay survives a 3000x2000 terminal" alive
check "wide: its peak memory stays bounded" bounded
tm resize-window -t =b: -x $W -y $H
sleep 2
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
echo "# belay's memory after the terminal is small again: $(rss_kb) kB"
check "wide: and gives it back when the terminal is small again" sh -c "[ \$(awk '/^VmRSS:/ { print \$2 }' /proc/$pid/status) -lt $((64 * 1024)) ]"
send b C-] '?'
check "wide: belay still answers its keys" wait_for b 'belay keys'

# --- hostile names: a file named with a right-to-left override, one with
# an escape sequence in it, and a held write with an override: the held
# prompt and belay log show them escaped (\u202e, \x1b), never interpreted,
# never dropped
mkdir -p "$T/names"
NAMES_OUT=$(mktemp -d "$SCRATCH/hn.XXXXXX")
cat >"$T/names.sh" <<AGENT
touch "\$(printf 'evil\342\200\256txt.sh')"
printf x > "\$(printf 'esc\033[31mred')"
echo made
echo x > "$NAMES_OUT/\$(printf 'held\342\200\256txt.sh')"
sleep 1
AGENT
tm kill-session -t =b 2>/dev/null
start_belay n $W $H -C "$T/names" --events "$T/names.jsonl" -- sh "$T/names.sh"
check "names: the agent ran" wait_for n made
check "names: the held prompt shows the override escaped" wait_for n 'held\u202etxt'
check "names: … and the screen has no override in it" sh -c "! tmux -L $SOCK capture-pane -p -t =n: | grep -q \"\$(printf '\342\200\256')\""
send n C-] d
wait_until -t 15 sh -c "grep -q '\"type\":\"session-end\"' '$T/names.jsonl'"
tm kill-session -t =n 2>/dev/null
check "names: (the held write was denied)" sh -c "[ -z \"\$(ls '$NAMES_OUT')\" ]"
rm -rf "$NAMES_OUT"
(cd "$T/names" && $ENVV script -qec "$BELAY log" /dev/null) >"$T/names.log" 2>&1
check "names: belay log (to a terminal) shows them escaped" sh -c \
	"grep -qF 'evil\u202etxt.sh' '$T/names.log' && grep -qF 'esc\x1b[31mred' '$T/names.log'"
check "names: … with no override and no escape of the agent's in it" sh -c \
	"! grep -q \"\$(printf '\342\200\256')\" '$T/names.log' && ! grep -q \"\$(printf '\033')\\[31mred\" '$T/names.log'"

# --- a repeat count of two billion
run rep
check "rep: belay survives and goes on" wait_for b 'END rep' 30
check "rep: belay's memory stays bounded" bounded

finish
