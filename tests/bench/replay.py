"""replay.py - make bench: recordings.

1. The size of a scripted session: an agent that shows a spinner at 10
   frames a second, runs a tool every 5 s and edits a file every 10 s,
   recorded for SECONDS (60) by belay --headless; its size per 30 minutes
   (the minute times 30: the agent does the same all along).
2. A one-hour recording (made here, chained as belay writes it: a spinner
   at 10 fps, 720 steps with their diffs, 6 MB of tool output, a keyframe
   of the pane every 30 s as the screen writes them): the time
   from starting `belay replay --at 1800` on a pty of its own (120x40) to
   the frame that shows 30:00 (open, read and check every line, seek to the
   middle), then seeking back and forth with keys; belay's peak memory.
   Reference: `belay verify` of the same file (reading and checking it all).

    python3 replay.py BELAY SCRATCH_DIR [SECONDS] [RUNS]
"""
import hashlib
import json
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import fcntl
import time

belay, scratch = os.path.abspath(sys.argv[1]), sys.argv[2]
seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 60
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
tmp = tempfile.mkdtemp(dir=scratch, prefix="replay-bench.")
env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": tmp, "TERM": "xterm-256color", "LANG": "C.UTF-8",
       "XDG_STATE_HOME": os.path.join(tmp, "state")}

# ---- 1. a scripted session's size
ws = os.path.join(tmp, "ws")
os.makedirs(ws)
subprocess.run("cd %s && git init -q . && echo x >README && git add README && "
               "git -c user.name=b -c user.email=b@b commit -qm start" % ws, shell=True, check=True)
agent = os.path.join(tmp, "agent.py")
with open(agent, "w") as f:
    f.write("""import os, subprocess, sys, time
frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
t0 = time.time(); n = 0
while time.time() - t0 < %d:
    n += 1
    sys.stdout.write("\\r\\x1b[2K\\x1b[36m%%s\\x1b[0m Thinking… (%%ds · esc to interrupt)" %% (frames[n %% 10], time.time() - t0))
    sys.stdout.flush()
    if n %% 50 == 0:
        sys.stdout.write("\\r\\x1b[2K● Bash(ls -la)\\n")
        sys.stdout.write(subprocess.run(["ls", "-la"], capture_output=True, text=True).stdout.replace("\\n", "\\r\\n"))
    if n %% 100 == 0:
        with open("notes.md", "a") as f:
            f.write("line %%d of the notes\\n" %% n)
        sys.stdout.write("\\r\\x1b[2K● Update(notes.md)\\r\\n")
    time.sleep(0.1)
print()
""" % seconds)
rec = os.path.join(tmp, "scripted.belay")
events = os.path.join(tmp, "scripted.events")
subprocess.run([belay, "--headless", "--record", rec, "--events", events, "-C", ws, "--", "python3", agent],
               env=env, cwd=ws, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
size = os.path.getsize(rec)
print("recording size: a scripted agent (spinner at 10 fps, a tool every 5 s, an edit every 10 s)")
print("  %-34s %8.1f KB in %d s   %6.2f MB per 30 minutes" % ("recording", size / 1024, seconds,
                                                            size * 1800 / seconds / 2**20))
print("  %-34s %8.1f KB in %d s   %6.2f MB per 30 minutes" % ("events file (--events, same stream)",
                                                            os.path.getsize(events) / 1024, seconds,
                                                            os.path.getsize(events) * 1800 / seconds / 2**20))

# ---- 2. a one-hour recording
hour = os.path.join(tmp, "hour.belay")


def write_hour(path):
    prev = ""
    out = open(path, "w")

    def put(o):
        nonlocal prev
        body = json.dumps(o, separators=(",", ":"), ensure_ascii=False)
        h = hashlib.sha256((prev + body).encode()).hexdigest()[:32]
        out.write(body[:-1] + ',"h":"%s"}\n' % h)
        prev = h

    put({"belay-recording": 1, "belay": "bench", "rows": 39, "cols": 89, "workspace": "/w", "argv": ["agent"],
         "session": 1, "epoch": time.time()})
    seq = 0
    frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
    listing = "".join("-rw-r--r-- 1 user user %6d Dec  3 12:%02d file%03d.txt\r\n" % (i * 37, i % 60, i)
                      for i in range(100))
    step = 0
    rows = listing.split("\r\n")[-39:-1]
    screen = "\x1b[0m\x1b[H\x1b[2J" + "".join("\x1b[%d;1H%s" % (y + 1, l) for y, l in enumerate(rows))
    for tenth in range(36000):
        t = tenth / 10
        if tenth and tenth % 300 == 0:
            # a keyframe, as the screen writes one 30 s after output (the pane drawn again)
            put({"seq": seq, "t": t, "type": "screen", "rows": 39, "cols": 89,
                 "data": screen + "\x1b[39;1H\x1b[36m%s\x1b[0m Thinking… (%ds)" % (frames[tenth % 10], t)})
        seq += 1
        put({"seq": seq, "t": t, "type": "output", "step": 0,
             "data": "\r\x1b[2K\x1b[36m%s\x1b[0m Thinking… (%ds)" % (frames[tenth % 10], t)})
        if tenth % 50 == 25:
            step += 1
            seq += 1
            put({"seq": seq, "t": t, "type": "step-start", "step": step, "pid": 100 + step, "cmd": "sh -c ls -la"})
            seq += 1
            put({"seq": seq, "t": t, "type": "exec", "step": step, "pid": 100 + step, "by": "tool",
                 "argv": ["ls", "-la"], "path": "/usr/bin/ls", "cwd": "/w"})
            seq += 1
            put({"seq": seq, "t": t, "type": "decision", "step": step, "call": seq - 1, "verdict": "allow",
                 "by": "rule", "rule": "default.rules:31"})
            seq += 1
            put({"seq": seq, "t": t + 0.01, "type": "output", "step": step, "data": "\r\n" + listing})
            seq += 1
            put({"seq": seq, "t": t + 0.02, "type": "step-end", "step": step, "duration": 0.02, "files": 1})
            seq += 1
            put({"seq": seq, "t": t + 0.02, "type": "checkpoint", "step": step, "kind": "step", "session": 1,
                 "commit": "%040x" % step, "changed": 1, "files": 100, "ms": 1.0})
            patch = "@@ -%d,3 +%d,4 @@\n a\n b\n+line %d\n c\n" % (step, step, step)
            put({"seq": seq, "t": t + 0.02, "type": "diff", "step": step, "session": 1,
                 "files": [{"path": "notes.md", "status": "M", "added": 1, "removed": 0, "size": 100,
                            "patch": patch}]})
    seq += 1
    put({"seq": seq, "t": 3600.0, "type": "session-end", "step": 0, "status": 0})
    out.close()


write_hour(hour)
print()
print("a one-hour recording: %.1f MB, %d lines" % (os.path.getsize(hour) / 2**20, sum(1 for _ in open(hour))))

# reference: belay verify reads and checks it all
ver = []
for _ in range(runs):
    t0 = time.monotonic()
    subprocess.run([belay, "verify", "-q", hour], env=env, check=True)
    ver.append((time.monotonic() - t0) * 1000)
print("  %-34s median %7.1f ms" % ("belay verify (the reference)", statistics.median(ver)))


def replay_run():
    """Start belay replay --at 1800 on a pty; ms to the frame showing 30:00, then keys; peak KB."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(belay, [belay, "replay", "--paused", "--at", "1800", hour], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    t0 = time.monotonic()
    seen = bytearray()

    def wait_for(text, limit=30):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    return None
                seen.extend(data)
                if text.encode() in seen:
                    return time.monotonic()
        return None

    first = wait_for("30:00 / 1:00:00")
    opened = (first - t0) * 1000 if first else float("nan")
    keys = []
    for key in ("<", ">", "0", "$", "<"):
        # the frame that answers a key: its first byte (curses sends only what changed)
        time.sleep(0.3)
        while select.select([fd], [], [], 0)[0]:
            os.read(fd, 65536)
        t = time.monotonic()
        os.write(fd, key.encode())
        r, _, _ = select.select([fd], [], [], 10)
        keys.append((key, (time.monotonic() - t) * 1000 if r else float("nan")))
        if r:
            os.read(fd, 65536)
    with open("/proc/%d/status" % pid) as f:
        hwm = [int(l.split()[1]) for l in f if l.startswith("VmHWM")][0]
    os.write(fd, b"q")
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
    return opened, keys, hwm


results = [replay_run() for _ in range(runs)]
print("  %-34s median %7.1f ms   (runs: %s; target < 100 ms)" % (
    "replay: open and show 30:00", statistics.median(r[0] for r in results),
    " ".join("%.0f" % r[0] for r in results)))
names = ["seek back 10 s (<)", "seek on 10 s (>)", "to the start (0)", "to the end ($)", "back 10 s from the end"]
for k, name in enumerate(names):
    print("  %-34s median %7.1f ms" % (name, statistics.median(r[1][k][1] for r in results)))
print("  %-34s median %7.1f MB" % ("replay's peak memory (VmHWM)", statistics.median(r[2] for r in results) / 1024))
subprocess.run(["rm", "-rf", tmp])
