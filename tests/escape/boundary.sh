# boundary - the kernel holds the workspace's boundary (Landlock), not only
# belay's judgement.  Under the default policy, as root and as an ordinary
# user, the agent tries to change a folder outside the workspace: directly,
# through a link to a file and to a folder, a hard link, a rename out, a mv
# of the workspace's parent, unlink, mkdir, truncate, mkfifo, a unix socket
# bound there (a call belay does not see: only the kernel stops it), a TCP
# port the policy does not allow; and three races that show belay one name
# and the kernel another (a thread rewriting the path, links swapped with
# RENAME_EXCHANGE, a rename's new name rewritten, a connection's address
# rewritten to a port the policy does not allow), 10 s each.  Nothing
# outside changes.  Then a person allows the same calls: belay carries them
# out itself on the names it judged (the kernel would refuse the agent), so
# they work, with the agent's umask; the socket bind still fails.  Also:
# sudo, the docker socket, io_uring, a memfd's exec, a daemon that would
# outlive the session, and a fork bomb under the policy's process limit.
. "$(dirname "$0")/../scenario/lib.sh"

EV="python3 $ROOT/tests/scenario/events.py"
USER_NAME=belay-test
RACE_SECONDS=${RACE_SECONDS:-10}
RACER=$ROOT/build/agents/racer
[ -x "$RACER" ] || { echo "Bail out! build/agents/racer is missing (make build/agents/racer)"; exit 1; }
# an address of this machine that is not loopback (the policy allows 127.*), for a port it does not allow
MYIP=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')

cat >"$T/agent.sh" <<'AGENT'
O=$OUTSIDE
try() { name=$1; shift; "$@" 2>/dev/null; echo "tried $name"; }
try direct sh -c "echo pwned > $O/direct"
try link-file sh -c "ln -s $O/via-link link && echo pwned > link"
try link-folder sh -c "ln -s $O dirlink && echo pwned > dirlink/via-dirlink"
try hardlink sh -c "ln $O/keep.txt hard && echo pwned >> hard"
try rename-out sh -c "echo pwned > mine && mv mine $O/moved"
[ "$ONASK" = deny ] && try mv-parent mv "$WSPARENT" "$WSPARENT-moved"
try unlink rm -f "$O/gone.txt"
try mkdir mkdir "$O/newdir"
try truncate truncate -c -s 0 "$O/keep.txt"
try mkfifo mkfifo "$O/fifo"
try bind-socket python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('$O/sock')"
if [ -n "$MYIP" ]; then
	try tcp-port python3 -c "import socket; socket.create_connection(('$MYIP', $PORT), 3).send(b'pwned')"
fi
if [ "$ONASK" = deny ]; then
	# the rest of what an agent would try, held or refused whatever it writes
	try sudo "$WSPARENT/bin/sudo" true
	try docker-socket python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.connect('/run/docker.sock'); s.send(b'pwned')"
	try io-uring python3 -c "
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
r = libc.syscall(425, 4, params)
print('io_uring_setup: %d errno %d' % (r, ctypes.get_errno()))"
	try memfd python3 -c "
import os
fd = os.memfd_create('tool')
os.write(fd, open('/bin/sh', 'rb').read())
os.execv('/proc/self/fd/%d' % fd, ['sh', '-c', 'echo pwned > memfd-ran'])"
	try daemon sh -c "setsid nohup sh -c 'trap \"\" HUP TERM; while :; do date >> daemon.out; sleep 0.1; done' >/dev/null 2>&1 &"
	sleep 0.3
fi
echo attempts done
AGENT

# run LABEL DIR ON_ASK [USER]: the agent, then the three races
run() {
	label=$1 sd=$2 on_ask=$3 user=${4:-}
	ws=$sd/parent/ws out=$sd/outside
	rm -rf "$sd" && mkdir -p "$ws" "$out"
	echo keep >"$out/keep.txt"
	echo gone >"$out/gone.txt"
	[ -n "$user" ] && chown -R "$user" "$sd"
	# a server on a port the policy does not allow, that notes what it is sent
	PORT=0
	if [ -n "$MYIP" ]; then
		python3 -c "
import socket, sys
s = socket.socket(); s.bind(('$MYIP', 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
s.settimeout(60)
while True:
    try:
        c, _ = s.accept()
    except OSError:
        break
    with open('$sd/server', 'ab') as f:
        f.write(b'connection:' + c.recv(100) + b'\n')
    c.close()
" >"$sd/port" &
		server=$!
		i=0; while [ ! -s "$sd/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		PORT=$(cat "$sd/port")
	fi
	mkdir -p "$sd/parent/bin"
	# (its marks go in the workspace, where the kernel would let them)
	printf '#!/bin/sh\necho pwned > %s/sudo-ran\nexec "$@"\n' "$ws" >"$sd/parent/bin/sudo"
	chmod 755 "$sd/parent/bin/sudo"
	# what the agent is told comes in its script (the environment is an allow-list)
	{ echo "OUTSIDE=$out WSPARENT=$sd/parent MYIP=$MYIP PORT=$PORT ONASK=$on_ask"; cat "$AGENT"; } >"$sd/agent.sh"
	[ -n "$user" ] && chown -R "$user" "$sd"
	cmd="env -i HOME=$sd PATH=/usr/bin:/bin LANG=C.UTF-8"
	[ -n "$user" ] && cmd="$(command -v runuser) -u $user -- $cmd"
	(cd "$ws" && $cmd "$BELAY" --headless --on-ask "$on_ask" --events "$sd/ev.jsonl" -- sh "$sd/agent.sh" \
		</dev/null >"$sd/out" 2>&1)
	check "$label: the agent made its attempts" grep -q 'attempts done' "$sd/out"
	check "$label: (it aimed outside: the calls name it)" $EV "$sd/ev.jsonl" has "type=file path=$out/direct"
	check "$label: the kernel boundary was up" $EV "$sd/ev.jsonl" has "type=session-start sandbox~Landlock"
	check "$label: the socket belay does not see was refused by the kernel" test ! -e "$out/sock"
	if [ "$on_ask" = deny ]; then
		attempts=$((attempts + 12))
		check "$label: the workspace's parent is in its place" test -d "$sd/parent/ws"
		check "$label: nothing outside changed" sh -c "[ \"\$(ls '$out' | tr '\n' ' ')\" = 'gone.txt keep.txt ' ] && [ \"\$(cat '$out/keep.txt')\" = keep ]"
		[ -n "$MYIP" ] && check "$label: no connection to a port the policy does not allow" test ! -e "$sd/server"
		attempts=$((attempts + 5))
		check "$label: sudo held and refused (it did not run)" test ! -e "$ws/sudo-ran"
		[ -n "$DOCKER" ] && check "$label: the docker socket held and refused" test ! -s "$DOCKER_LOG"
		check "$label: io_uring refused by the filter (ENOSYS)" grep -q 'io_uring_setup: -1 errno 38' "$sd/out"
		check "$label: a memfd's exec held and refused" test ! -e "$ws/memfd-ran"
		n1=$(wc -l <"$ws/daemon.out" 2>/dev/null || echo 0); sleep 0.5; n2=$(wc -l <"$ws/daemon.out" 2>/dev/null || echo 0)
		check "$label: a daemon (setsid nohup, HUP and TERM ignored) ended with the session" test "$n1" -gt 0 -a "$n1" = "$n2"
		for mode in thread exchange rename; do
			attempts=$((attempts + 1))
			rcmd="env -i HOME=$sd PATH=/usr/bin:/bin"
			[ -n "$user" ] && rcmd="$(command -v runuser) -u $user -- $rcmd"
			(cd "$ws" && $rcmd "$BELAY" --headless -- "$RACER" "$mode" "$ws" "$out" "$RACE_SECONDS" \
				</dev/null >"$sd/race" 2>&1)
			check "$label: race '$mode' for ${RACE_SECONDS}s: held ($(grep -o '[0-9]* tries' "$sd/race"))" \
				sh -c "grep -q 'racer $mode: .*held' '$sd/race' && test ! -e '$out/evil.txt'"
		done
		if [ -n "$MYIP" ]; then
			# a connection judged to loopback (allowed), rewritten to the port the policy does not allow
			attempts=$((attempts + 1))
			(cd "$ws" && $rcmd "$BELAY" --headless -- "$RACER" connect 127.0.0.1:9 "$MYIP:$PORT" "$RACE_SECONDS" \
				</dev/null >"$sd/race" 2>&1)
			check "$label: race 'connect' for ${RACE_SECONDS}s: held ($(grep -o '[0-9]* tries' "$sd/race"))" \
				sh -c "grep -q 'racer connect: .*held' '$sd/race' && test ! -e '$sd/server'"
		fi
	else
		check "$label: allowed, belay wrote outside for it" sh -c "[ \"\$(cat '$out/direct')\" = pwned ]"
		check "$label: with the agent's umask" sh -c "[ \$(stat -c %a '$out/direct') = 644 ]"
		check "$label: owned as the agent's files are" sh -c "[ \$(stat -c %U '$out/direct') = \$(stat -c %U '$ws/link') ]"
		check "$label: through the link to a folder" test -s "$out/via-dirlink"
		check "$label: moved out, made, cut, a fifo" sh -c "test -s '$out/moved' && test -d '$out/newdir' && test -p '$out/fifo' && test -e '$out/keep.txt' && test ! -s '$out/keep.txt'"
		check "$label: deleted outside" test ! -e "$out/gone.txt"
		[ -n "$MYIP" ] && check "$label: connected for it to a port the kernel keeps closed" grep -q 'connection:pwned' "$sd/server"
		check "$label: allowed when asked (headless: --on-ask allow answers at once)" \
			$EV "$sd/ev.jsonl" has "type=decision verdict=allow by=timeout"
	fi
	[ -n "$MYIP" ] && kill "$server" 2>/dev/null
}

# a docker socket that notes whoever connects (where the machine has none)
DOCKER= DOCKER_LOG=
if [ "$(id -u)" = 0 ] && [ ! -e /run/docker.sock ]; then
	DOCKER=/run/docker.sock DOCKER_LOG=$T/docker.log
	python3 -c "
import os, socket
s = socket.socket(socket.AF_UNIX); s.bind('$DOCKER'); os.chmod('$DOCKER', 0o666); s.listen(5)
s.settimeout(600)
while True:
    try:
        c, _ = s.accept()
    except OSError:
        break
    open('$DOCKER_LOG', 'ab').write(b'connected\n'); c.close()
" &
	docker_pid=$!
	i=0; while [ ! -S "$DOCKER" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi

# bomb LABEL DIR [USER]: a fork bomb under the policy's process limit
bomb() {
	label=$1 sd=$2 user=${3:-}
	rm -rf "$sd" && mkdir -p "$sd/ws"
	{ cat "$ROOT/policies/default.rules"; echo "limit processes 60"; } >"$sd/bomb.rules"
	[ -n "$user" ] && chown -R "$user" "$sd"
	cmd="env -i HOME=$sd PATH=/usr/bin:/bin"
	[ -n "$user" ] && cmd="$(command -v runuser) -u $user -- $cmd"
	(cd "$sd/ws" && timeout 60 $cmd "$BELAY" --headless --events "$sd/ev.jsonl" --policy "$sd/bomb.rules" -- \
		sh -c 'b() { b | b & }; b 2>/dev/null & sleep 2; echo responsive' </dev/null >"$sd/out" 2>&1
	echo $? >"$sd/rc")
	attempts=$((attempts + 1))
	check "$label: a fork bomb under 'limit processes 60': belay answers, the agent goes on" grep -q responsive "$sd/out"
	check "$label: … the session ends by itself (no timeout)" test "$(cat "$sd/rc")" = 0
	check "$label: … and nothing of the bomb is left" sh -c "! pgrep -f 'b [|] b &' >/dev/null"
}

AGENT=$T/agent.sh
attempts=0
D=$(mktemp -d /var/lib/belay-boundary.XXXXXX)
chmod 755 "$D"
trap 'cleanup; [ -n "${KEEP_T:-}" ] || rm -rf "$D"; [ -n "$DOCKER" ] && kill "$docker_pid" 2>/dev/null; [ -n "$DOCKER" ] && rm -f "$DOCKER"' EXIT
run root-held "$D/r" deny
run root-allowed "$D/ra" allow
bomb root-bomb "$D/rb"
if [ "$(id -u)" = 0 ]; then
	id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh "$USER_NAME"
	cp "$BELAY" "$RACER" "$D/" && chmod 755 "$D/belay" "$D/racer"
	BELAY=$D/belay RACER=$D/racer run user-held "$D/u" deny "$USER_NAME"
	BELAY=$D/belay RACER=$D/racer run user-allowed "$D/ua" allow "$USER_NAME"
	BELAY=$D/belay bomb user-bomb "$D/ub" "$USER_NAME"
fi

# the control: without the boundary the same race gets through (not
# asserted: a race; it shows the test can tell)
mkdir -p "$D/c/ws" "$D/c/outside"
(cd "$D/c/ws" && env -i HOME="$D/c" PATH=/usr/bin:/bin "$BELAY" --no-sandbox --headless -- "$RACER" thread \
	"$D/c/ws" "$D/c/outside" 3 </dev/null >"$D/c/race" 2>&1)
echo "# control without the sandbox: $(grep -o 'racer.*' "$D/c/race")"
echo "# $attempts attempts to get around belay, each stopped"
finish
