"""review.py - make bench: keys in the review panels of a long session.

An agent makes one step that writes a 20,000-line file, then 5,000 steps
that each run a program; belay runs it on a pty of its own (120x40, no
tmux: the time measured is belay's).  Once it is idle, the panels get the
keyboard and keys are sent one at a time: moving between steps (each
selection reads the step's diff from the checkpoints; the first step's is
20,000 lines), scrolling that diff, jumping to the first and the newest
step.  A key's time is from its write to the first byte of the frame that
answers it (a frame is drawn at most every 16.7 ms).

    python3 review.py BELAY SCRATCH_DIR [STEPS] [LINES]
"""
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import termios
import time

belay, scratch = os.path.abspath(sys.argv[1]), sys.argv[2]
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
lines = int(sys.argv[4]) if len(sys.argv) > 4 else 20000

tmp = tempfile.mkdtemp(dir=scratch, prefix="review-bench.")
ws = os.path.join(tmp, "ws")
home = os.path.join(tmp, "home")
os.makedirs(ws)
os.makedirs(home)
os.system("cd %s && git init -q . && echo x >README && git add README && "
          "git -c user.name=b -c user.email=b@b commit -qm start" % ws)
agent = os.path.join(tmp, "agent.py")
with open(agent, "w") as f:
    f.write("""import os, sys, time
with open("big.txt", "w") as f:
    for i in range(%d):
        f.write("line %%d of a long file, with some words to compare\\n" %% i)
time.sleep(2.5)
for i in range(%d):
    pid = os.posix_spawn("/bin/true", ["true", str(i)], os.environ)
    os.waitpid(pid, 0)
print("ready", flush=True)
time.sleep(600)
""" % (lines, steps))

pid, fd = pty.fork()
if pid == 0:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TERM": "xterm-256color",
           "LANG": "C.UTF-8", "XDG_STATE_HOME": os.path.join(tmp, "state")}
    os.chdir(ws)
    os.execve(belay, [belay, "--", "python3", agent], env)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

seen = bytearray()
gone = False


def read_for(seconds, first_only=False):
    """Read what belay writes for SECONDS (or until its first byte); the time of the first byte, or None."""
    end = time.monotonic() + seconds
    first = None
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return first
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                global gone
                gone = True
                return first
            if first is None:
                first = time.monotonic()
            seen.extend(data)
            del seen[:-200000]
            if first_only:
                return first


def quiet(gap=0.3, limit=120):
    """Until belay writes nothing for GAP seconds (it redraws its clock every second)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if read_for(gap) is None:
            return


def wait_text(text, limit=600):
    end = time.monotonic() + limit
    while time.monotonic() < end and not gone:
        if text in seen:
            return True
        read_for(0.2)
    return text in seen


t0 = time.monotonic()
if not wait_text(b"ready"):
    sys.exit("review bench: the agent never got ready; belay wrote: %r" % bytes(seen[-600:]))
made = time.monotonic() - t0
# the last steps are recorded a second later; the screen redraws each second (its clock)
read_for(3.0)
quiet()
os.write(fd, b"\x1d\t")  # C-] Tab: the panels get the keyboard
quiet()


def key(k):
    """Send one key; ms until the first byte of the answer, then until quiet."""
    t = time.monotonic()
    os.write(fd, k)
    first = read_for(2.0, True)
    ms = (first - t) * 1000 if first else float("nan")
    quiet(0.15, 10)
    return ms


times = {"move": [], "big": [], "scroll": [], "jump": []}
for i in range(10):
    times["big"].append(key(b"g"))       # the first step: its 20,000-line diff
    times["scroll"].append(key(b" "))    # a page of it
    times["scroll"].append(key(b"J"))    # a line
    times["move"].append(key(b"j"))      # the next step
    times["move"].append(key(b"j"))
    times["jump"].append(key(b"G"))      # back to the newest
    times["move"].append(key(b"k"))      # the step above it
os.kill(pid, 15)
read_for(1.0)
os.system("rm -rf %s" % tmp)

everything = [v for vs in times.values() for v in vs]
print("  %d steps made in %.1f s; keys in the review panels (first byte of the answering frame):" % (steps + 1, made))
for name, label in (("big", "select the %d-line diff" % lines), ("scroll", "scroll that diff"),
                    ("move", "move between steps"), ("jump", "jump to the newest")):
    v = times[name]
    print("    %-28s median %6.1f ms  max %6.1f ms  (%d keys)" % (label, statistics.median(v), max(v), len(v)))
print("    %-28s median %6.1f ms  max %6.1f ms  (target: within 50 ms)" % (
    "all keys", statistics.median(everything), max(everything)))
