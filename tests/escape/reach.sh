# reach - the agent cannot reach the person's terminal or belay itself:
# no write to belay's screen (its tty, /proc/PPID/fd/1, the console), no
# TIOCSTI or TIOCLINUX anywhere, no signal to belay, no pidfd_getfd of its
# seccomp listener, no ptrace, no process_vm_readv, no /proc/<belay>/environ,
# mem or fd.  As root and as an ordinary user; the agent's own terminal and a
# pty it makes itself still work.
. "$(dirname "$0")/../scenario/lib.sh"

ATTACK=$ROOT/tests/escape/attack.py
CONTROLS="tty-own pty-own"
TERMINAL="tty-outer tty-outer-proc tty-console tiocsti-own tiocsti-outer tioclinux"
BELAY_ITSELF="pidfd-getfd ptrace-attach ptrace-seize vm-readv environ mem fd"
BELAY_ITSELF="$BELAY_ITSELF signal-kill signal-pgrp signal-tgkill signal-procfd"
USER_NAME=belay-test
attempts=0 stopped=0

# judge LABEL OUT EVENTS SESSION: every attempt stopped, controls ok
judge() {
	label=$1 out=$2 ev=$3 s=$4
	if ! grep -q '^done$' "$out" 2>/dev/null; then
		not_ok "$label: the attacking agent did not finish" "$(cat "$out" 2>/dev/null)"
	fi
	if [ ! -s "$out" ]; then
		not_ok "$label: the attacking agent reported nothing" "$(screen "$s" | tail -5)"
		return
	fi
	for name in $CONTROLS; do
		check "$label: control $name works" grep -q "^ok $name:" "$out"
	done
	for name in $TERMINAL $BELAY_ITSELF; do
		attempts=$((attempts + 1))
		if grep -q "^stopped $name:" "$out"; then
			stopped=$((stopped + 1))
			ok "$label: $name stopped ($(sed -n "s/^stopped $name: //p" "$out"))"
		else
			not_ok "$label: $name" "$(grep " $name:" "$out")"
		fi
	done
	check "$label: nothing reached the person's screen" sh -c "! tmux -L $SOCK capture-pane -p -t =$s: | grep -q 'all calls allowed'"
	check "$label: the writes were denied by the fixed rule" \
		python3 "$ROOT/tests/scenario/events.py" "$ev" has 'type=decision verdict=deny rule=(another terminal)'
}

# wait_done OUT: until the attacker has made every attempt (at most 20 s)
wait_done() {
	i=0
	while ! grep -q '^done$' "$1" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
}

# run SESSION LABEL OUT EVENTS [as user]: belay in tmux with the attacker as its agent
run() {
	s=$1 label=$2 out=$3 ev=$4 user=${5:-}
	names="$CONTROLS $TERMINAL $BELAY_ITSELF"
	cmd="$BELAY -C $(dirname "$out") --events $ev --ask-timeout 2 -- python3 $ATTACK $out \"\$(tty)\" $names"
	if [ -n "$user" ]; then
		# the person's terminal is the person's: owned by the user who runs belay
		cmd="chown $user \"\$(tty)\"; exec $(command -v runuser) -u $user -- env -i HOME=$UHOME PATH=/usr/bin:/bin LANG=C.UTF-8 TERM=tmux-256color $cmd"
	else
		cmd="exec $cmd"
	fi
	tm new-session -d -s "$s" -x 100 -y 30 "$ENVV TERM=tmux-256color sh -c '$cmd'"
	wait_done "$out"
	pid=""
	for p in $(pgrep -x belay); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "--events $ev " && pid=$p
	done
	if [ -n "$pid" ] && [ "$(ps -o stat= -p "$pid" | cut -c1)" = T ]; then
		not_ok "$label: belay was stopped by its agent"
		kill -CONT "$pid"
		wait_done "$out"
	else
		ok "$label: belay still runs (not stopped by its agent)"
	fi
	judge "$label" "$out" "$ev" "$s"
	tm kill-session -t "=$s" 2>/dev/null
}

WS=$(mktemp -d "$SCRATCH/escape-reach.XXXXXX")
trap 'cleanup; rm -rf "$WS"' EXIT
run a root "$WS/out" "$T/root.jsonl"

if [ "$(id -u)" = 0 ]; then
	id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh "$USER_NAME"
	# the checkout may be where the user cannot go (a CI clone): copies
	BIN=$(mktemp -d /tmp/belay-reach-bin.XXXXXX)
	UWS=$(mktemp -d /tmp/belay-reach-ws.XXXXXX)
	UHOME=$(mktemp -d /tmp/belay-reach-home.XXXXXX)
	cp "$BELAY" "$ATTACK" "$BIN/"
	chmod 755 "$BIN" "$BIN/belay" "$BIN/attack.py"
	chown "$USER_NAME" "$UWS" "$UHOME"
	trap 'cleanup; rm -rf "$WS" "$BIN" "$UWS" "$UHOME"' EXIT
	BELAY=$BIN/belay ATTACK=$BIN/attack.py run u user "$UWS/out" "$UWS/ev.jsonl" "$USER_NAME"
fi
echo "# $attempts attempts, $stopped stopped"
finish
