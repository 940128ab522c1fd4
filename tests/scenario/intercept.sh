# intercept - real programs under belay produce the right events, held
# calls are held, and belay fails closed.
#
# Most checks run belay headless with --events and read the JSON lines with
# jq-like python (tests/scenario/events.py).
. "$(dirname "$0")/lib.sh"

EV="python3 $ROOT/tests/scenario/events.py"
WS=$(mktemp -d "$SCRATCH/intercept-test.XXXXXX")
trap 'cleanup; rm -rf "$WS"' EXIT
cd "$WS" || exit 2

# run NAME [belay options --] COMMAND…: headless, events in $T/NAME.jsonl
run() {
	n=$1; shift
	env -i HOME="$WS/home" PATH="$AGENTS:/usr/bin:/bin" LANG=C.UTF-8 \
		timeout 120 "$BELAY" --headless --events "$T/$n.jsonl" "$@" </dev/null >"$T/$n.out" 2>&1
	echo $? >"$T/$n.rc"
}
has() { $EV "$T/$1.jsonl" has "$2"; }

mkdir -p "$WS/home"
git init -q --bare "$WS/remote.git"
git init -q "$WS/repo" && git -C "$WS/repo" remote add origin "$WS/remote.git"
printf 'one\n' >"$WS/repo/f.txt"

# --- shell, git, python, coreutils
cd "$WS/repo"
run git -- sh -c 'git status --short; git add f.txt; git -c user.name=t -c user.email=t@t commit -qm one; git checkout -q -b topic; python3 -c "open(\"py.txt\",\"w\").write(\"x\")"; cp py.txt cp.txt; mv cp.txt mv.txt; mkdir -p d/e/f; ln -s mv.txt link; chmod +x mv.txt; rm -r d; echo done'
check "sh -c: the agent's own exec is allowed as the agent's start" \
	has git 'type=exec by=agent path~/sh' 'type=decision by=agent-start'
check "git status, add, commit, checkout: one step each" \
	has git 'type=step-start cmd=git status --short' 'type=step-start cmd=git add f.txt' \
	'type=step-start cmd~git -c user.name' 'type=step-start cmd=git checkout -q -b topic'
check "git commit writes its objects, index and refs (create, link, rename)" \
	has git "type=file op=create path~$WS/repo/.git/objects/" "type=file op=rename to=$WS/repo/.git/index" \
	"type=file op=link to~$WS/repo/.git/objects/"
check "python3 -c writing a file" has git "type=file op=create path=$WS/repo/py.txt by=tool"
check "cp, mv" has git "type=file op=create path=$WS/repo/cp.txt" "type=file op=rename path=$WS/repo/cp.txt to=$WS/repo/mv.txt"
check "mkdir -p" has git "type=file op=mkdir path=$WS/repo/d" "type=file op=mkdir path=$WS/repo/d/e/f"
check "ln -s" has git "type=file op=symlink path=$WS/repo/link target=mv.txt"
check "chmod" has git "type=file op=chmod path=$WS/repo/mv.txt"
check "rm -r" has git "type=file op=rmdir path=$WS/repo/d/e/f" "type=file op=rmdir path=$WS/repo/d"
check "inside the workspace nothing asks" $EV "$T/git.jsonl" none 'type=held'
check "every event has seq, t, type and step; seqs run 1, 2, 3…" $EV "$T/git.jsonl" wellformed
cd "$WS"

# --- git push asks; headless denies it at once (--on-ask deny, --ask-timeout 0)
cd "$WS/repo"
run push -- sh -c 'git push -q origin topic; echo push=$?'
check "git push is held, by the rule that says so" has push 'type=held rule~policies/default.rules:'
check "headless answers it: denied by timeout" has push 'type=decision verdict=deny by=timeout'
check "the push did not happen" sh -c "! git -C '$WS/remote.git' rev-parse -q --verify topic >/dev/null"
run push2 --on-ask allow -- sh -c 'git push -q origin topic; echo push=$?'
check "--on-ask allow lets it through" sh -c "git -C '$WS/remote.git' rev-parse -q --verify topic >/dev/null"
cd "$WS"

# --- curl to a loopback server
# careful: -u, else python keeps "Serving HTTP on … port N" in its buffer
# (unless PYTHONUNBUFFERED happens to be set) and the port is never known
python3 -u -m http.server 0 --bind 127.0.0.1 >"$T/http.log" 2>&1 &
HTTP=$!
wait_until grep -q 'port' "$T/http.log"
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/http.log" | head -1)
run curl -- sh -c "curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:$port/"
kill $HTTP 2>/dev/null
check "curl to a loopback server: the connection, allowed" \
	has curl "type=connect addr=127.0.0.1 port=$port family=inet" 'type=decision verdict=allow by=rule'
check "(and it got an answer)" grep -q 200 "$T/curl.out"

# --- a unix socket named relative to the cwd: the rule sees its full path
mkdir -p "$WS/sock"
python3 -c "import socket,os; s=socket.socket(socket.AF_UNIX); s.bind('$WS/sock/s'); s.listen(); s.settimeout(60); os.fork() or (s.accept(), os._exit(0)); os._exit(0)"
cd "$WS/sock"
run unix -- python3 -c "import socket; socket.socket(socket.AF_UNIX).connect('s'); print('connected')"
cd "$WS"
check "connect to a unix socket by a relative name: its absolute path" \
	has unix "type=connect family=unix addr=$WS/sock/s"

# --- a multithreaded program, posix_spawn
mkdir -p "$WS/thr"
run threads -- threads "$WS/thr" 8
check "8 threads writing at once: 8 file events, 8 files" sh -c \
	"[ \$($EV '$T/threads.jsonl' count 'type=file op=create path~$WS/thr/thread-') = 8 ] && [ \$(ls '$WS/thr' | wc -l) = 8 ]"
run spawn -- spawner echo spawned-child
check "posix_spawn: the child's exec is seen, in a step of its own" \
	has spawn 'type=exec argv=echo spawned-child' 'type=step-start cmd=echo spawned-child'
check "(and it ran)" grep -q 'spawned echo: 0' "$T/spawn.out"

# --- a signal every 10 ms while the call is held: one call, not many
run sig --ask-timeout 2 --on-ask allow -- sigheld /etc/belay-sigheld-test
check "a held call under a 10 ms signal is one notification" sh -c \
	"[ \$($EV '$T/sig.jsonl' count 'type=file path=/etc/belay-sigheld-test') = 1 ]"
check "(it was held about 2 s, then allowed)" has sig 'type=decision verdict=allow by=timeout held_ms>=1900'
rm -f /etc/belay-sigheld-test

# --- launchers: the agent is what node starts, not node
run launcher -- node "$ROOT/tests/agents/launcher.js" "$AGENTS/native" "$WS"
check "a node launcher: the native program it starts is the agent" \
	has launcher "type=exec by=agent path=$AGENTS/native" "type=file op=create by=agent path=$WS/edited-by-agent.txt"
check "(the agent's tool call is a step)" has launcher "type=step-start cmd~sh -c ls"

# npm's bin shims are scripts run as "#!/usr/bin/env node": env execs node in
# the same process, and node starts the agent
{ echo '#!/usr/bin/env node'; cat "$ROOT/tests/agents/launcher.js"; } >"$WS/codex-shim"
chmod +x "$WS/codex-shim"
run shim -- "$WS/codex-shim" "$AGENTS/native" "$WS"
check "a '#!/usr/bin/env node' shim: the native program is still the agent" \
	has shim "type=exec by=agent path=$AGENTS/native" "type=file op=create by=agent path=$WS/edited-by-agent.txt"

# --- openat2 is trapped whatever its flags: reads pass unreported, writes are seen
echo readme >"$WS/o2-read"
run openat2 -- python3 -c '
import ctypes, os, struct
libc = ctypes.CDLL(None, use_errno=True)
def o2(path, flags, mode=0):
    how = struct.pack("QQQ", flags, mode, 0)
    return libc.syscall(437, -100, path.encode(), how, len(how))
fd = o2("'"$WS"'/o2-read", os.O_RDONLY)
print("read:", os.read(fd, 10).decode().strip())
fd = o2("'"$WS"'/o2-write", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"w")
print("write:", fd > 0)'
check "openat2 for reading: it works, and is no file event" \
	sh -c "grep -q 'read: readme' '$T/openat2.out' && $EV '$T/openat2.jsonl' none 'type=file path=$WS/o2-read'"
check "openat2 creating a file: a file event" has openat2 "type=file op=create path=$WS/o2-write"

# --- deny never says ENOSYS (libc would fall back to another call)
run denied --policy ci -- sh -c 'echo x > /etc/belay-ci-test; echo rc=$?'
check "a denied write fails with 'Permission denied' (EACCES)" grep -q 'Permission denied' "$T/denied.out"
check "(and did not happen)" test ! -e /etc/belay-ci-test

# --- fail closed: a filter that cannot be installed stops belay
run nested -- "$BELAY" --headless --no-checkpoint --no-record true
check "belay inside belay: the inner one refuses (a listener is in place)" \
	sh -c "grep -q 'cannot intercept' '$T/nested.out' && grep -q 'another seccomp listener' '$T/nested.out'"
check "(with exit status 1, the agent never run)" sh -c "grep -q 'status.:1' '$T/nested.jsonl' || [ \$($EV '$T/nested.jsonl' status) = 1 ]"
run nested3 -- "$BELAY" --headless true
check "(checkpointing, it cannot even start: belay's state is not the agent's)" \
	sh -c "grep -q \"cannot create '$WS/home/.local/state/belay'\" '$T/nested3.out' &&
	$EV '$T/nested3.jsonl' has \"type=decision verdict=deny rule=(belay's own files)\""
run nested4 -- "$BELAY" --headless --no-checkpoint true
check "(recording, it cannot start either: the recordings are belay's state)" \
	grep -q "cannot make the recordings folder '$WS/home/.local/state/belay/sessions'" "$T/nested4.out"
run nested2 -- "$BELAY" --headless --no-intercept --no-checkpoint --no-record sh -c 'echo unsupervised-ran'
check "--no-intercept runs it, unsupervised, and says so" \
	sh -c "grep -q unsupervised-ran '$T/nested2.out' && $EV '$T/nested2.jsonl' has 'type=decision by=agent-start'"

# --- kill belay while a call is held: the call does not happen, the agent dies
env -i HOME="$WS/home" PATH="/usr/bin:/bin" LANG=C.UTF-8 "$BELAY" --headless --ask-timeout 600 \
	--events "$T/kill.jsonl" sh -c 'echo $$ >'"$WS"'/agent.pid; echo x > /etc/belay-kill-test' </dev/null >/dev/null 2>&1 &
bpid=$!
i=0; while ! grep -q '"type":"held"' "$T/kill.jsonl" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "(the write is held)" grep -q '"type":"held"' "$T/kill.jsonl"
kill -KILL $bpid
wait $bpid 2>/dev/null
# gone, or a zombie nobody has reaped yet: either way it runs no more.
# careful: the agent gets its SIGKILL as belay dies, but dies only when it
# is next scheduled: wait for that (as cli.sh does), and only then look for
# the file, which nothing can write any more
dead() { ! grep -q '^State:.*[RSD]' "/proc/$1/status" 2>/dev/null; }
wait_until dead "$(cat "$WS/agent.pid")"
check "belay killed with SIGKILL while a call is held: the call did not happen" test ! -e /etc/belay-kill-test
check "(and the agent died with belay)" dead "$(cat "$WS/agent.pid")"
rm -f /etc/belay-kill-test

# --- a denied process learns why on its own stderr; the agent's terminal does not get it
cd "$WS/repo"
run reason -- sh -c 'git push origin topic 2>"$0/push.err"; git push origin topic 2>&1 | cat >"$0/push.pipe"; python3 -c "open(\"/etc/belay-reason-test\", \"w\")" 2>"$0/py.err"; echo x >/etc/belay-reason-agent; echo end' "$T"
check "a denied tool's captured stderr says why, and what to do" \
	grep -q '^belay: git push origin topic denied: nobody answered in time (policies/default.rules:[0-9]*); ask the user to allow it$' "$T/push.err"
check "… before the tool's own error" sh -c "head -1 '$T/push.err' | grep -q '^belay: '"
check_eq "… once, though the shell tries each \$PATH entry" 1 "$(grep -c '^belay: ' "$T/push.pipe")"
check "a file open denied: the reason comes before python's traceback in the file" \
	sh -c "head -1 '$T/py.err' | grep -q '^belay: create /etc/belay-reason-test denied'"
check "the agent process's own denial is not written on its terminal" \
	sh -c "! grep -q 'belay: create /etc/belay-reason-agent' '$T/reason.out'"
check "nothing was written" sh -c "! test -e /etc/belay-reason-test && ! test -e /etc/belay-reason-agent"

# --- calls that were not seen: each way around the policy is judged now
outside="$WS/outside" && mkdir -p "$outside" && echo keep >"$outside/f" && chmod 600 "$outside/f"
touch -d '2001-01-01' "$outside/f"
mkdir -p "$WS/ws2" && cd "$WS/ws2"
cat >"$T/unseen.py" <<'PY'
import ctypes, errno, os, socket, sys
out, f = sys.argv[1], sys.argv[2]
res = []
def attempt(name, fn):
    try:
        fn()
        res.append(name + " ran")
    except OSError as e:
        res.append(name + " " + errno.errorcode.get(e.errno, str(e.errno)))
def udp_sendto():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("192.0.2.1", 9))
def udp_sendmsg():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendmsg([b"x"], [], 0, ("192.0.2.2", 9))
fd = os.open(f, os.O_RDONLY)
attempt("sendto", udp_sendto)
attempt("sendmsg", udp_sendmsg)
attempt("fchmod", lambda: os.fchmod(fd, 0o666))
attempt("chown", lambda: os.chown(f, 1, 1))
attempt("utime", lambda: os.utime(f, None))
attempt("setxattr", lambda: os.setxattr(f, "user.belay", b"1"))
attempt("mknod", lambda: os.mkfifo(os.path.dirname(f) + "/fifo"))
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(304, -100, None, 0)  # open_by_handle_at
res.append("open_by_handle_at " + errno.errorcode.get(ctypes.get_errno(), "?"))
open(out, "w").write("\n".join(res) + "\n")
PY
run unseen -- sh -c 'python3 "$0" "$1" "$2"' "$T/unseen.py" "$T/unseen.res" "$outside/f"
for what in sendto sendmsg fchmod chown utime setxattr mknod; do
	check "$what outside the workspace is judged and refused" grep -q "^$what EACCES\$" "$T/unseen.res"
done
check "open_by_handle_at is refused" grep -q '^open_by_handle_at EPERM$' "$T/unseen.res"
check "a datagram to an address is a connect event" has unseen "type=connect addr=192.0.2.1 port=9"
check "the file outside kept its mode, owner and time" \
	test "$(stat -c '%a %u %Y' "$outside/f")" = "600 $(id -u) $(date -d 2001-01-01 +%s)"
check "no fifo was made outside" test ! -e "$outside/fifo"
cd "$WS/repo"

# --- a program with no name on disk (a memfd) asks: no rule about programs can say what it is
run memfd -- python3 -c '
import os
fd = os.memfd_create("tool")
os.write(fd, open("/bin/true", "rb").read())
pid = os.fork()
if pid == 0:
    try:
        os.execve(fd, ["true"], {})
    except OSError as e:
        print("memfd exec:", e.strerror)
        os._exit(3)
print("exit", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
'
check "an exec of a memfd is held" has memfd "type=held rule=(a program with no name on disk)"
check "… and, headless, refused" grep -q 'memfd exec: Permission denied' "$T/memfd.out"

# --- a program is what it is, not what it is called: a copy or a hard link of git is git
cd "$WS/repo"
cp "$(command -v git)" "$WS/g2" && ln "$WS/g2" "$WS/g3" 2>/dev/null || cp "$WS/g2" "$WS/g3"
run progid -- sh -c '"$0"/g2 push origin topic 2>/dev/null; "$0"/g3 push origin topic 2>/dev/null; "$0"/g2 status --short >/dev/null && echo status-ran' "$WS"
check_eq "a copy and a hard link of git pushing are both held" 2 "$($EV "$T/progid.jsonl" count 'type=held')"
check "… by the rule about git" has progid "type=held rule~policies/default.rules"
check "the copy's other commands run as git's do" grep -q status-ran "$T/progid.out"
rm -f "$WS/g2" "$WS/g3"

# --- every way git sends: send-pack, and git run as git-send-pack by argv[0]
git -C "$WS/repo" branch -f sp
run sendpack -- bash -c 'git send-pack "$0"/remote.git sp 2>/dev/null; (exec -a git-send-pack git "$0"/remote.git sp) 2>/dev/null; git http-push http://127.0.0.1:9/x sp 2>/dev/null; echo done' "$WS"
check_eq "git send-pack, git-send-pack by another name and git http-push are each held" 3 "$($EV "$T/sendpack.jsonl" count 'type=held rule~policies/default.rules:7')"
check "… and nothing was sent" sh -c "! git -C '$WS/remote.git' rev-parse -q --verify sp >/dev/null"

# --- paths are judged as the kernel resolves them: a link before '..', a
# dangling last link (O_CREAT follows it), /proc/self/cwd/..
mkdir -p "$WS/out" "$WS/pw" && ln -s ../out "$WS/pw/deep" && ln -s "$WS/out/dangle.txt" "$WS/pw/ln"
cd "$WS/pw"
run paths -- sh -c 'echo a > deep/../evil.txt; echo b > ln; echo c > /proc/self/cwd/../x; echo done'
cd "$WS"
check "deep/../evil.txt is judged where the kernel puts it: beside out/" \
	has paths "type=file op=create path=$WS/evil.txt" "type=file op=create path=$WS/out/dangle.txt" "type=file op=create path=$WS/x"
check_eq "… each held (outside the workspace)" 3 "$($EV "$T/paths.jsonl" count 'type=held')"
check "… and none was created" sh -c "[ ! -e '$WS/evil.txt' ] && [ ! -e '$WS/out/dangle.txt' ] && [ ! -e '$WS/x' ]"

# --- the agent's own program run again (codex's /proc/self/exe helper,
# opencode's server) is the agent; what it runs is a tool call, named by it
run helper -- actor "again:write:$WS/helper-edit.txt" "again:exec:echo from-helper" "again:tool:echo from-server"
check "the agent's program run again writes as the agent" \
	has helper "type=file op=create path=$WS/helper-edit.txt by=agent"
check "a command the helper becomes is a step of its own, named by the command" \
	has helper "type=step-start cmd=sh -c echo from-helper"
check "a command the helper starts is a step, named by the command" \
	has helper "type=step-start cmd=sh -c echo from-server"
check "the helper itself is no step" $EV "$T/helper.jsonl" none "type=step-start cmd~again:"
check "(and each ran)" sh -c "grep -q from-helper '$T/helper.out' && grep -q from-server '$T/helper.out'"
run helper2 -- actor "tool:exec $AGENTS/actor write:$WS/tool-as-agent.txt"
check "a tool that runs the agent's program is still a tool: its writes are the tool's" \
	has helper2 "type=file op=create path=$WS/tool-as-agent.txt by=tool"

# --- nothing of the agent's tree outlives the session: setsid, nohup, a
# double fork, SIGHUP and SIGTERM ignored
run tree -- sh -c 'setsid nohup sleep 7341 >/dev/null 2>&1 &
(sh -c "trap \"\" HUP TERM; exec sleep 7342" &) &
nohup sh -c "trap \"\" HUP TERM; while :; do date >> '"$WS"'/tree.out; sleep 0.1; done" >/dev/null 2>&1 &
sleep 0.5; echo started'
check "belay ends with the agent" grep -q started "$T/tree.out"
check "no process of the tree is left (setsid nohup, double fork, HUP and TERM ignored)" \
	sh -c "! pgrep -f 'sleep 734[12]' >/dev/null"
n1=$(wc -l <"$WS/tree.out"); sleep 0.5; n2=$(wc -l <"$WS/tree.out")
check_eq "(nothing writes after the session)" "$n1" "$n2"
check "the agent's exit says how many were killed" has tree "type=exit killed>=3"

# --- if belay itself is killed (SIGKILL: nothing of it runs), the tree dies
# with it: a watchdog of belay's own kills the session's cgroup
if "$BELAY" doctor 2>/dev/null | grep -q "of belay's own: yes"; then
	: >"$WS/orphan.out"
	env -i HOME="$WS/home" PATH="$AGENTS:/usr/bin:/bin" "$BELAY" --headless -- sh -c \
		'nohup sh -c "trap \"\" HUP TERM; while :; do date >> '"$WS"'/orphan.out; sleep 0.1; done" >/dev/null 2>&1 & sleep 60' \
		</dev/null >/dev/null 2>&1 &
	bp=$!
	i=0; while [ ! -s "$WS/orphan.out" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$bp"
	sleep 0.5
	n1=$(wc -l <"$WS/orphan.out"); sleep 0.6; n2=$(wc -l <"$WS/orphan.out")
	check "belay killed with SIGKILL: what the agent left running (nohup, HUP and TERM ignored) ends too" \
		test "$n1" -gt 0 -a "$n1" = "$n2"
	check "(nothing of the session is left: no sleep 60)" sh -c "! pgrep -f '^sleep 60$' >/dev/null"
else
	ok "# SKIP belay killed: no cgroup of belay's own on this machine (belay doctor)"
fi

# --- limits: a fork bomb under 'limit processes 100' is held to it (a
# cgroup's pids.max, or RLIMIT_NPROC for an ordinary user); belay stays
# responsive, and the whole bomb ends with the session
{ cat "$ROOT/policies/default.rules"; printf 'limit processes 100\nlimit files 200\n'; } >"$T/bomb.rules"
run bomb --policy "$T/bomb.rules" -- sh -c 'ulimit -n; b() { b | b & }; b 2>/dev/null & sleep 2; echo responsive'
check "a fork bomb under 'limit processes 100': the agent still runs, and belay with it" grep -q responsive "$T/bomb.out"
check "… the limits are in the first event" has bomb "type=session-start limits~100 processes"
check "… open files are limited for each process" grep -q "^200.\?$" "$T/bomb.out"
check "… and the session ends" has bomb "type=exit code=0"
check "(no process of it is left)" sh -c "! pgrep -f 'b [|] b &' >/dev/null"

# --- as root, the agent keeps no capability it was not given
if [ "$(id -u)" = 0 ]; then
	run caps -- sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status; touch mine; chown 1234 mine && echo chown-ok;
python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 80)); print(\"bind80-ok\")" 2>/dev/null; echo done'
	check "as root: no capability left, effective or bounding" sh -c \
		"grep -q 'CapEff:.0000000000000000' '$T/caps.out' && grep -q 'CapBnd:.0000000000000000' '$T/caps.out'"
	check "… chown to another user and binding port 80 fail (the kernel says no)" sh -c \
		"grep -q done '$T/caps.out' && ! grep -q 'chown-ok\\|bind80-ok' '$T/caps.out'"
	run caps2 --keep-cap net_bind_service -- python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 80)); print("bind80-ok")'
	check "--keep-cap net_bind_service keeps that one" grep -q bind80-ok "$T/caps2.out"
	"$BELAY" --keep-cap sys_admin true >/dev/null 2>&1
	check_eq "--keep-cap sys_admin: refused (it reaches into belay)" 2 "$?"
fi

finish
