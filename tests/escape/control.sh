# control - the agent never reaches a control socket (its own session's or
# another's) to approve its own held call: not by the socket's path, not
# through a link, not through /proc/PID/root or /proc/PID/cwd of belay, not
# in the shared folder, not with --no-hide; and where the mount namespace
# cannot cover the folders (--no-sandbox), belay refuses every peer that is
# a process of the agent's tree (belay is its subreaper) and says so.
. "$(dirname "$0")/../scenario/lib.sh"

EV="python3 $ROOT/tests/scenario/events.py"
WS=$SCRATCH/control-$$
rm -rf "$WS"
mkdir -p "$WS"
git init -q --bare "$T/remote.git"
(cd "$WS" && git init -q . && git config user.name t && git config user.email t@localhost &&
	git remote add origin "$T/remote.git" && echo x >f && git add f && git commit -qm x)

# The agent: a push of its own waits; it looks for every control socket it
# can name and asks each to allow call 1..3; "reached NAME" if one answered
# its hello.
cat >"$T/agent.py" <<'AGENT'
import glob, json, os, socket, subprocess, sys, time
push = subprocess.Popen(["sh", "-c", "git push -q origin HEAD 2>/dev/null && echo pushed > pushed"])
time.sleep(1.5)
uid = os.getuid()
belays = []
for p in glob.glob("/proc/[0-9]*/comm"):
    try:
        if open(p).read().strip() == "belay":
            belays.append(p.split("/")[2])
    except OSError:
        pass
names = {}
for d in ["/tmp/belay-%d" % uid, "/tmp/belay-shared/%d" % uid,
          os.environ.get("XDG_RUNTIME_DIR", "/nonexistent") + "/belay"]:
    for pid in belays:
        names["path %s/%s" % (d, pid)] = "%s/%s" % (d, pid)
        names["proc-root %s %s" % (pid, d)] = "/proc/%s/root%s/%s" % (pid, d, pid)
        names["proc-cwd %s %s" % (pid, d)] = "/proc/%s/cwd/../../../..%s/%s" % (pid, d, pid)
    try:
        for f in os.listdir(d):
            names["listed %s/%s" % (d, f)] = "%s/%s" % (d, f)
    except OSError:
        pass
    try:
        os.symlink(d, "link-%d" % len(names))
        for pid in belays:
            names["link %s/%s" % (d, pid)] = "link-%d/%s" % (len(names) - 1, pid)
    except OSError:
        pass
reached = 0
for name, path in sorted(names.items()):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(path)
        s.sendall(b'{"op":"hello","version":1}\n')
        r = s.recv(4096)
        if b'"hello"' in r:
            print("reached", name, flush=True)
            reached += 1
            for n in (1, 2, 3):
                s.sendall(json.dumps({"op": "decide", "call": n, "verdict": "allow"}).encode() + b"\n")
                s.recv(4096)
        else:
            print("refused", name, r[:80], flush=True)
    except OSError as e:
        print("failed", name, e.strerror or e, flush=True)
print("tried %d names, reached %d" % (len(names), reached), flush=True)
time.sleep(0.5)
push.kill()
print("attempts done", flush=True)
AGENT

# run LABEL [belay options]: the agent under a headless belay that waits for answers
run() {
	label=$1; shift
	rm -f "$WS/pushed" "$T/ev.jsonl"
	(cd "$WS" && $ENVV XDG_STATE_HOME=$T/state $BELAY --headless --no-record --on-ask wait --ask-timeout 30 \
		--events "$T/ev.jsonl" "$@" -C "$WS" python3 "$T/agent.py" </dev/null >"$T/out" 2>&1)
	check "$label: the agent made its attempts" grep -q 'attempts done' "$T/out"
	check "$label: it named belay's sockets" grep -q 'tried [1-9][0-9]* names' "$T/out"
	check "$label: no control socket answered it" grep -qE 'reached 0\s*$' "$T/out"
	check "$label: its push was never allowed" test ! -e "$WS/pushed"
	check "$label: no decision came from the control socket" $EV "$T/ev.jsonl" none "type=decision by=reviewer"
}

# a second session running beside it: its socket must be out of reach too
(cd "$WS" && $ENVV XDG_STATE_HOME=$T/state2 $BELAY --headless --no-record --no-checkpoint -C "$WS" sleep 60 \
	</dev/null >/dev/null 2>&1) &
OTHER=$!
sleep 1
run "default"
run "shared session" --share root:review
run "--no-hide" --no-hide
run "--no-sandbox" --no-sandbox
# without interception there is no mount namespace: the sockets can be
# named, and each belay refuses a process with a belay above it (this
# session's agent, and the unsupervised agent of another session)
rm -f "$WS/pushed"
(cd "$WS" && $ENVV XDG_STATE_HOME=$T/state $BELAY --headless --no-record --no-intercept \
	--events "$T/ev.jsonl" -C "$WS" python3 "$T/agent.py" </dev/null >"$T/out" 2>&1)
check "--no-intercept: the agent made its attempts" grep -q 'attempts done' "$T/out"
check "--no-intercept: it could name the sockets" grep -q "path /tmp/belay-$(id -u)/.*reset" "$T/out"
check "--no-intercept: no control socket answered it" grep -qE 'reached 0\s*$' "$T/out"
check "--no-intercept: belay said it refused a process of the agent's tree" \
	$EV "$T/ev.jsonl" has "type=notice text~control"
kill $OTHER 2>/dev/null
pkill -f "sleep 60" 2>/dev/null
rm -rf "$WS"
finish
