# lib.sh - what scenario tests share: a private tmux server, belay started in
# it at a fixed size, a reference pane running the same program in plain tmux,
# screen capture and comparison, and TAP output.
#
# tmux is the reference terminal emulator: a program run inside belay must
# leave the same text in belay's pane as in a tmux pane of the same size.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BELAY=$ROOT/build/belay
AGENTS=$ROOT/build/agents
SCREEN_PY=$ROOT/tests/scenario/screen.py
T=$(mktemp -d /tmp/belay-scenario.XXXXXX)
SOCK=belay-test-$$
NTEST=0
NFAIL=0

# A directory for workspaces that the shipped policies treat as ordinary
# places (not /tmp or /var/tmp, which they allow outright): the build
# directory, unless the checkout itself is in one of those (a CI clone).
case $ROOT/ in
/tmp/* | /var/tmp/*) SCRATCH=/var/lib/belay-tests ;;
*) SCRATCH=$ROOT/build ;;
esac
mkdir -p "$SCRATCH"

mkdir -p "$T/home"
cat >"$T/tmux.conf" <<'CONF'
set -s exit-empty off
set -g status off
set -g default-terminal tmux-256color
set -g history-limit 2000
set -g escape-time 10
set -g set-clipboard on
set -g remain-on-exit on
set -g allow-rename on
set -g focus-events on
CONF

# KEEP_T=DIR keeps a copy of the script's files (events, captures) there.
cleanup() {
	[ -n "${KEEP_T:-}" ] && cp -r "$T" "$KEEP_T"
	tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# The environment every program gets, inside belay and in the reference.
ENVV="env -i HOME=$T/home PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8 \
USER=${USER:-root} SHELL=/bin/sh PS1=\$\  LESSHISTFILE=- INPUTRC=/dev/null"

tm() { tmux -L "$SOCK" -f "$T/tmux.conf" "$@"; }
# One server for the whole script: with exit-empty off it outlives its
# sessions, so that a session started just after the last one was killed
# does not meet a server on its way out ("server exited unexpectedly").
tm start-server

# The pane belay gives the agent on a W x H terminal (see layout() in tui/ui.c).
pane_cols() {
	w=$1
	if [ "$w" -ge 80 ]; then
		s=$((w / 4)); [ $s -lt 26 ] && s=26; [ $s -gt 40 ] && s=40
		# a wide terminal: room for diffs, the agent keeps 100 columns
		if [ "$w" -ge 120 ]; then
			m=$((w - 100)); [ $m -gt $((w * 2 / 5)) ] && m=$((w * 2 / 5))
			[ $m -gt $s ] && s=$m
		fi
		echo $((w - s - 1))
	else
		echo "$w"
	fi
}

# start_belay SESSION W H [belay options --] COMMAND…
start_belay() {
	s=$1 w=$2 h=$3
	shift 3
	tm new-session -d -s "$s" -x "$w" -y "$h" "$ENVV TERM=tmux-256color $BELAY $*"
}

# start_belay_rc SESSION W H [belay options --] COMMAND…: the same, and when
# belay exits the pane says "belay exited N" (tmux does not always keep the
# status of a pane's own process).
start_belay_rc() {
	s=$1 w=$2 h=$3
	shift 3
	tm new-session -d -s "$s" -x "$w" -y "$h" \
		"$ENVV TERM=tmux-256color sh -c '$BELAY $*; echo belay exited \$?; exec sleep 600'"
}

# got SESSION: what the keys agent received, all its "got:" lines joined
got() { screen "$1" | sed -n 's/^got: //p' | sed 's/ *│.*$//; s/ *$//' | tr -d '\n'; }
# wait_got SESSION TEXT: until got SESSION contains TEXT
wait_got() {
	i=0
	while [ $i -lt 50 ]; do
		got "$1" | grep -qF -- "$2" && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "# got: $(got "$1")"
	return 1
}

# start_ref SESSION W H COMMAND…: the same program in plain tmux
start_ref() {
	s=$1 w=$2 h=$3
	shift 3
	tm new-session -d -s "$s" -x "$w" -y "$h" "$ENVV TERM=xterm-256color $*"
}

# Targets are "=NAME:" so that tmux never takes a session name for the
# start of a window name in another session.
send() { s=$1; shift; tm send-keys -t "=$s:" "$@"; }
send_both() { tm send-keys -t "=b:" "$@"; tm send-keys -t "=r:" "$@"; }
screen() { tm capture-pane -p -t "=$1:"; }
screen_e() { tm capture-pane -p -e -t "=$1:"; }

# A wait that gives up says so, as a TAP comment: a later check that fails
# because of it then shows why (and a wait that can never succeed, used
# only for its time limit, is seen).
gave_up() { echo "# gave up waiting: $*"; return 1; }

# wait_for SESSION TEXT [SECONDS]: until the screen shows TEXT
wait_for() {
	i=0 limit=$(( ${3:-10} * 10 ))
	while [ $i -lt $limit ]; do
		screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	gave_up "$1 to show '$2'"
}

# wait_gone SESSION TEXT [SECONDS]: until the screen no longer shows TEXT.
# After a key that should take something off the screen: the screen is read
# only once belay has redrawn, not in the moment before.
wait_gone() {
	i=0 limit=$(( ${3:-10} * 10 ))
	while [ $i -lt $limit ]; do
		screen "$1" | grep -qF -- "$2" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	gave_up "$1 to stop showing '$2'"
}

# wait_until [-t SECONDS] COMMAND…: until COMMAND succeeds (at most 10 s);
# for a state that is not text on the screen (a file, a tmux buffer, a
# process).
wait_until() {
	i=0 limit=100
	[ "$1" = -t ] && { limit=$(($2 * 10)); shift 2; }
	while [ $i -lt $limit ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	gave_up "$*"
}

# wait_change SESSION TEXT: until the screen is no longer TEXT (at most 10 s)
wait_change() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(screen "$1")" != "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	gave_up "$1 to change"
}

# wait_prompt SESSION PROMPT…: until the cursor sits on a row that begins
# with one of the PROMPTs (all of one length), one column after it (after
# the blank that ends a prompt): the program has drawn its prompt and waits
# for input.  (Type-ahead into a program between two reads is echoed by the
# tty in cooked mode at a moment that differs run to run.)
# careful: '$ ' and '$' are the same prompt; a PROMPT's own trailing blank
# is dropped, else the cursor would be looked for a column too far right
# and the wait would only ever end at its time limit.
wait_prompt() {
	s=$1; shift
	i=0 p1=${1% } n=${#p1}
	while [ $i -lt 100 ]; do
		xy=$(tm display -p -t "=$s:" '#{cursor_x} #{cursor_y}')
		x=${xy% *} y=${xy#* }
		if [ "$x" = $((n + 1)) ]; then
			start=$(screen "$s" | sed -n "$((y + 1))p" | cut -c1-$n)
			for p in "$@"; do [ "$start" = "${p% }" ] && return 0; done
		fi
		sleep 0.1
		i=$((i + 1))
	done
	gave_up "$s to show the prompt '$*' with the cursor after it"
}

# line_both 'PROMPT…' KEYS…: KEYS to b and r, then until both show a prompt
# again.  careful: keys typed before a program reads them are echoed by the
# tty when they arrive, between the output of the line before, at a moment
# that depends on scheduling (and belay adds a hop): two lines sent at once
# leave different screens in belay and in tmux.
line_both() {
	p=$1; shift
	before_b=$(screen b) before_r=$(screen r)
	send_both "$@"
	wait_change b "$before_b" && wait_prompt b $p
	wait_change r "$before_r" && wait_prompt r $p
}

# wait_stable SESSION: until two captures 0.3 s apart are equal (at most 10 s)
wait_stable() {
	prev="" i=0
	while [ $i -lt 40 ]; do
		cur=$(screen "$1")
		[ -n "$prev" ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.3
		i=$((i + 1))
	done
	gave_up "$1 to stay the same for 0.3 s"
}

# belay's pane (COLS x ROWS at the top left) of session b, as text
belay_pane() { screen_e "${3:-b}" | python3 "$SCREEN_PY" crop "$1" "$2"; }
ref_screen() { screen_e "${1:-r}" | python3 "$SCREEN_PY" crop 10000 10000; }

ok() { NTEST=$((NTEST + 1)); echo "ok $NTEST - $1"; }
not_ok() {
	NTEST=$((NTEST + 1)); NFAIL=$((NFAIL + 1))
	echo "not ok $NTEST - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
check() { # check DESC COMMAND…
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
check_eq() { # check_eq DESC EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2
actual:   $3"; fi
}

# compare_screens DESC PW PH: belay's pane against the reference screen.
# careful: "no change for 0.3 s" only guesses that a program is done; on a
# busy machine either side can stall longer in the middle of a redraw.  So
# two screens that differ are read again, once both are still again, for a
# few seconds: a difference that belay makes stays, a stall passes.
compare_screens() {
	n=0
	while :; do
		wait_stable b; wait_stable r
		belay_pane "$2" "$3" >"$T/belay.txt"
		ref_screen >"$T/ref.txt"
		cmp -s "$T/belay.txt" "$T/ref.txt" && { ok "$1"; return; }
		n=$((n + 1))
		[ $n -ge 5 ] && break
		sleep 0.5
	done
	not_ok "$1" "$(diff -u "$T/ref.txt" "$T/belay.txt" | head -40)"
}

# The pid of the belay process in session b.
belay_pid() { tm display -p -t "=${1:-b}:" '#{pane_pid}'; }
dead_status() { tm display -p -t "=$1:" '#{pane_dead_status}'; }
wait_dead() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(tm display -p -t "=$1:" '#{pane_dead}')" = 1 ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	gave_up "the pane of $1 to die"
}

finish() {
	echo "1..$NTEST"
	[ "$NFAIL" -eq 0 ]
	exit $?
}
