# cli - the command line: usage errors, exit statuses, headless mode, events,
# keymap and theme files (bad lines reported as file:line, defaults kept).
. "$(dirname "$0")/lib.sh"

W=120 H=32
not() { ! "$@"; }

# --- usage errors: one line, exit 2
out=$($BELAY 2>&1); rc=$?
check_eq "no command: exit 2" 2 "$rc"
check_eq "no command: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
check "no command: says what is missing" sh -c "printf '%s' '$out' | grep -q 'missing command'"
out=$($BELAY --frobnicate ls 2>&1); rc=$?
check_eq "unknown option: exit 2" 2 "$rc"
check "unknown option: names it" sh -c "printf '%s' \"$out\" | grep -q \"unknown option '--frobnicate'\""
out=$($BELAY --events 2>&1); rc=$?
check_eq "missing option value: exit 2" 2 "$rc"
check "missing option value: says so" sh -c "printf '%s' \"$out\" | grep -q 'needs a value'"
$BELAY --headless no-such-command-xyz >/dev/null 2>&1; rc=$?
check_eq "command not found: exit 127" 127 "$rc"
$BELAY --headless /etc/passwd >/dev/null 2>&1; rc=$?
check_eq "not executable: exit 126" 126 "$rc"
$BELAY -C /no/such/dir --headless true >/dev/null 2>&1; rc=$?
check_eq "bad workspace: exit 2" 2 "$rc"
check "--version prints the version" sh -c "$BELAY --version | grep -q '^belay [0-9]'"
check "--help prints the usage" sh -c "$BELAY --help | grep -q '^usage: belay'"
check "options after the command belong to the command" sh -c "$BELAY --headless -- echo --help | grep -q -- '--help'"
check "belay run … is belay …" sh -c "$BELAY run --headless echo ran | grep -q ran"

# --- headless: output copied, input copied, status kept
out=$($BELAY --headless --size 100x30 sh -c 'stty size; echo "cwd=$PWD"' </dev/null)
check "headless: --size sets the agent's terminal" sh -c "printf '%s' '$out' | grep -q '30 100'"
out=$(cd /tmp && $BELAY --headless -C "$ROOT" sh -c 'echo "cwd=$PWD"' </dev/null)
check "headless: -C runs in the workspace" sh -c "printf '%s' '$out' | grep -q 'cwd=$ROOT'"
out=$(printf 'hello\n' | $BELAY --headless sh -c 'read x; echo "read=$x"')
check "headless: stdin reaches the agent" sh -c "printf '%s' '$out' | grep -q 'read=hello'"
printf 'abc' | $BELAY --headless cat >/dev/null; rc=$?
check_eq "headless: end of stdin ends cat (EOF sent)" 0 "$rc"
$BELAY --headless sh -c 'exit 42' </dev/null; rc=$?
check_eq "headless: exit status passed on" 42 "$rc"
$BELAY --headless sh -c 'kill -TERM $$' </dev/null; rc=$?
check_eq "headless: killed agent gives 128+N" 143 "$rc"

# --- if belay dies, the agent dies with it (PR_SET_PDEATHSIG)
$BELAY --headless sh -c 'echo $$ >'"$T/agent.pid"'; exec sleep 300' </dev/null >/dev/null &
bpid=$!
wait_until test -s "$T/agent.pid"
apid=$(cat "$T/agent.pid")
check "the agent runs while belay does" kill -0 "$apid"
kill -KILL $bpid
wait $bpid 2>/dev/null
# gone, or a zombie nobody has reaped yet: either way it runs no more.  The
# agent dies when it is next scheduled after belay: waited for
dead() { ! grep -q '^State:.*[RSD]' "/proc/$1/status" 2>/dev/null; }
check "belay killed with SIGKILL takes the agent with it" wait_until dead "$apid"

# --- events: JSON lines with the documented fields
$BELAY --headless --events "$T/ev.jsonl" sh -c 'printf "héllo\n"; exit 3' </dev/null >/dev/null
check "events: every line is JSON with seq, t, type, step" python3 - "$T/ev.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all({"seq", "t", "type", "step"} <= set(e) for e in lines)
assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))
# the baseline checkpoint precedes the start (the agent has not run yet)
assert lines[0]["type"] == "checkpoint" and lines[0]["kind"] == "baseline"
assert lines[1]["type"] == "session-start" and lines[1]["argv"][0] == "sh"
assert lines[-1]["type"] == "session-end" and lines[-1]["status"] == 3
assert any(e["type"] == "exit" and e["code"] == 3 for e in lines)
assert "héllo" in "".join(e.get("data", "") for e in lines if e["type"] == "output")
PY
mkfifo "$T/fifo"
$BELAY --headless --events "$T/fifo" true >/dev/null 2>&1; rc=$?
check_eq "events: a FIFO nobody reads is an error, not a hang" 2 "$rc"

# --- keymaps and themes
mkdir -p "$T/home/.config/belay/keymaps" "$T/home/.config/belay/themes"
cat >"$T/home/.config/belay/keymaps/default.keys" <<'KEYS'
# a user's keymap with mistakes
bind prefix x frobnicate
bind nowhere y help
set prefix C-q
bind prefix h help
KEYS
start_belay b $W $H -- "$AGENTS/keys"
wait_for b ready
check "a bad keymap line is reported as file:line" wait_for b 'default.keys:2: unknown action'
send b C-q h
check "the good lines still apply (new prefix, new binding)" wait_for b 'belay keys'
# careful: an ESC followed at once by a key is that key with Alt, and the
# help still on the screen would pass the next check: the next key goes
# only once belay has taken the ESC alone and closed the help
send b Escape
wait_gone b 'belay keys'
send b C-q '?'
check "the defaults stay where the file does not change them" wait_for b 'belay keys'
send b Escape
wait_gone b 'belay keys'
send b C-] a
check "the old prefix is an ordinary key now" wait_got b '\x1da'
tm kill-session -t =b
rm "$T/home/.config/belay/keymaps/default.keys"

printf 'status red blue bold\nside-title nocolour\n' >"$T/home/.config/belay/themes/mine.theme"
tm new-session -d -s b -x $W -y $H "$ENVV TERM=tmux-256color $BELAY --theme mine $AGENTS/keys 2>$T/err"
wait_for b ready
check "a bad theme line is reported as file:line (after belay exits, and on the status line)" \
	wait_for b "mine.theme:2: 'nocolour' is not a colour"
check "the good theme lines apply (status line red on blue)" \
	sh -c "tmux -L $SOCK capture-pane -p -e -t =b: | tail -1 | grep -q '31.*44\|44.*31'"
# belay writes the errors to stderr as it starts and again as it exits (the
# first is under its screen): read its stderr once it has exited
send b C-] q y
wait_dead b
check_eq "(and on belay's stderr, again after it exits)" 2 "$(grep -c "mine.theme:2: 'nocolour' is not a colour" "$T/err")"
tm kill-session -t =b
$BELAY --theme no-such-theme true 2>/dev/null; rc=$?
check_eq "belay --theme with a missing name: exit 2" 2 "$rc"

tm new-session -d -s b -x $W -y $H "$ENVV NO_COLOR=1 TERM=tmux-256color $BELAY $AGENTS/keys"
wait_for b ready
# careful: a status line not drawn yet has no colour either: wait for it
wait_for b '? help'
check "NO_COLOR: belay's own parts have no colour" \
	sh -c "! tmux -L $SOCK capture-pane -p -e -t =b: | tail -1 | grep -q '\[3[0-8]m\|\[4[0-8]m\|38;5\|48;5'"
tm kill-session -t =b

# --- a keymap given on the command line
start_belay b $W $H --keymap tmux -- "$AGENTS/keys"
wait_for b ready
send b C-b '?'
check "--keymap tmux: C-b is the prefix" wait_for b 'belay keys'
tm kill-session -t =b

# --- belay doctor: what this machine lets belay enforce
$BELAY doctor >"$T/doctor.out" 2>&1; rc=$?
check "belay doctor names each thing it tried" sh -c \
	"for w in kernel seccomp landlock namespaces cgroups subreaper 'ptrace scope' inotify libraries; do grep -q \"^\$w \" '$T/doctor.out' || exit 1; done"
check "… with the libraries' versions as they are" grep -q "libgit2 $(pkg-config --modversion libgit2)" "$T/doctor.out"
if grep -q 'every protection belay uses by default holds' "$T/doctor.out"; then
	check_eq "… and exit 0 when every protection holds" 0 "$rc"
else
	check_eq "… and exit 1 when one does not" 1 "$rc"
fi
# inside belay, belay cannot have a seccomp listener of its own: doctor says so
(cd "$T" && env -i HOME="$T/home" PATH=/usr/bin:/bin XDG_STATE_HOME="$T/state" "$BELAY" --headless -- "$BELAY" doctor \
	</dev/null >"$T/doctor2.out" 2>&1); rc=$?
check "belay doctor inside belay: the listener is refused, and it says what to do" \
	grep -q 'seccomp user notification is refused (Device or resource busy)' "$T/doctor2.out"
check_eq "… exit 1" 1 "$rc"
$BELAY doctor extra >/dev/null 2>&1; rc=$?
check_eq "belay doctor with an argument: a usage error (2)" 2 "$rc"

finish
