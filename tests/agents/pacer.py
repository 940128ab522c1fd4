"""pacer.py - an agent that interleaves its own edits and tool commands with
random pauses (0-1 s), some tools running in the background while it goes
on editing, and writes down what each of its actions changed.

    pacer.py SEED ACTIONS TRUTH_FILE [SCALE]

Run in the workspace.  TRUTH_FILE (outside it) gets one JSON line per action:
{"kind": "edit"|"tool", "mark": "m7" (tools: a word in their command line),
 "files": [relative paths the action changed]}.  SCALE multiplies the pauses.

What it guarantees, so that each action's files are exactly knowable: every
action changes files no other action touches, except "shared" (appended to
by several, which then belongs to each step that appended while it ran), and
deletes only files of actions that have finished.
"""
import json
import os
import random
import subprocess
import sys
import time


def main():
    seed, n, truth_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    scale = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    rnd = random.Random(seed)
    truth = open(truth_path, "w")
    done = []       # files of finished actions, free to delete
    running = []    # (Popen, files) of tools in the background
    uid = 0

    def record(kind, mark, files):
        truth.write(json.dumps({"kind": kind, "mark": mark, "files": sorted(files)}) + "\n")
        truth.flush()

    for i in range(n):
        time.sleep(rnd.random() * scale)
        # reap the background tools that finished: their files may be deleted now
        for p, files in list(running):
            if p.poll() is not None:
                running.remove((p, files))
                done.extend(f for f in files if f != "shared")
        kind = rnd.choice(["edit", "edit", "tool", "tool", "bg"])
        uid += 1
        if kind == "edit":
            files = []
            for k in range(rnd.randint(1, 3)):
                f = "e%d_%d.txt" % (uid, k)
                if rnd.random() < 0.3:
                    f = "dir%d/%s" % (uid, f)
                    os.makedirs("dir%d" % uid, exist_ok=True)
                with open(f, "w") as fh:
                    fh.write("edit %d %d %d\n" % (uid, k, rnd.randint(0, 1 << 30)))
                files.append(f)
            if rnd.random() < 0.2:
                with open("shared", "a") as fh:
                    fh.write("edit %d\n" % uid)
                files.append("shared")
            record("edit", None, files)
            done.extend(f for f in files if f != "shared")
            continue
        # a tool: a shell script that makes, changes and deletes files
        mark = "m%d" % uid
        script = [": %s" % mark]
        files = []
        for k in range(rnd.randint(1, 3)):
            f = "t%d_%d.txt" % (uid, k)
            script.append("echo %s %d > %s" % (mark, k, f))
            files.append(f)
        if rnd.random() < 0.4:
            script.append("mkdir -p tdir%d/x && echo deep > tdir%d/x/f" % (uid, uid))
            files.append("tdir%d/x/f" % uid)
        if done and rnd.random() < 0.5:
            victim = done.pop(rnd.randrange(len(done)))
            if os.path.exists(victim):
                script.append("rm -f %s" % victim)
                files.append(victim)
        if rnd.random() < 0.3:
            script.append("echo %s >> shared" % mark)
            files.append("shared")
        if kind == "bg":
            script.insert(1, "sleep %.2f" % (rnd.random() * scale))
        record("tool", mark, files)
        p = subprocess.Popen(["sh", "-c", "; ".join(script)])
        if kind == "bg":
            running.append((p, files))
        else:
            p.wait()
            done.extend(f for f in files if f != "shared" and os.path.exists(f))
    for p, files in running:
        p.wait()
    print("pacer: done")


main()
