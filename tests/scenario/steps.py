"""steps.py - check every step of a pacer.py session (tests/agents/pacer.py):
belay log, belay diff --stat STEP, and the step-end events must each give
exactly the files the pacer says that step's actions changed.

    steps.py BELAY WORKSPACE EVENTS TRUTH [PANE_CAPTURE]

With PANE_CAPTURE (the screen, captured after the session), the side
panel's file count (Nf) of each step shown must agree too.  Prints one line per
disagreement and "steps: N checked" at the end; exits 1 on any.
"""
import json
import os
import re
import subprocess
import sys


def main():
    belay, ws, events_path, truth_path = sys.argv[1:5]
    capture = sys.argv[5] if len(sys.argv) > 5 else None
    env = dict(os.environ)
    events = [json.loads(l) for l in open(events_path)]
    truth = [json.loads(l) for l in open(truth_path)]
    bad = []

    # which belay step each action was: tools by the mark in their command
    # line, the agent's own edits by the step of their file calls
    cmd_of = {e["step"]: e.get("cmd", "") for e in events if e["type"] == "step-start"}
    step_of_file = {}
    for e in events:
        if e["type"] == "file" and e.get("by") == "agent" and e.get("path", "").startswith(ws + "/"):
            step_of_file.setdefault(e["path"][len(ws) + 1:], e["step"])
    want = {s: set() for s in cmd_of}
    for a in truth:
        if a["kind"] == "tool":
            steps = [s for s, c in cmd_of.items() if re.search(r": %s;" % a["mark"], c)]
        else:
            steps = [step_of_file.get(a["files"][0])]
        if len(steps) != 1 or steps[0] not in want:
            bad.append("no step for action %s" % json.dumps(a))
            continue
        want[steps[0]] |= set(a["files"])

    ends = {e["step"]: e for e in events if e["type"] == "step-end"}
    log = subprocess.run([belay, "log"], cwd=ws, env=env, capture_output=True, text=True).stdout
    session = max(int(m) for m in re.findall(r"^session (\d+)", log, re.M))
    logged = {}
    for m in re.finditer(r"^  %d:(\d+) +\S+ +\S+s  (no change|\d+ files?|ignored) " % session, log, re.M):
        logged[int(m.group(1))] = 0 if m.group(2) in ("no change", "ignored") else int(m.group(2).split()[0])
    panel = {}
    if capture:
        for line in open(capture, encoding="utf-8", errors="replace"):
            # "  3 ✓ 0:01 $ cmd …  2f +5 −1": the files it changed, then its lines
            m = re.search(r"│ *(\d+) \S .* (\d+)f(?: \+\d+ −\d+)?(?: w/\d+\+?)?\s*$", line)
            if m:
                panel[int(m.group(1))] = int(m.group(2))

    for s in sorted(want):
        stat = subprocess.run([belay, "diff", "--stat", "%d:%d" % (session, s)], cwd=ws, env=env,
                              capture_output=True, text=True).stdout
        got = set()
        for line in stat.splitlines():
            if "|" in line:
                name = line.split("|")[0].strip()
                m = re.match(r"(.*)\{(.*) => (.*)\}(.*)", name)
                if m:  # a rename: both names changed
                    got |= {m.group(1) + m.group(2) + m.group(4), m.group(1) + m.group(3) + m.group(4)}
                elif " => " in name:
                    got |= set(name.split(" => "))
                else:
                    got.add(name)
        if got != want[s]:
            bad.append("step %d (%s): diff has %s, the agent changed %s"
                       % (s, cmd_of[s][:50], sorted(got), sorted(want[s])))
        if logged.get(s) != len(want[s]):
            bad.append("step %d: belay log says %s files, want %d" % (s, logged.get(s), len(want[s])))
        if s not in ends or ends[s].get("files") != len(want[s]):
            bad.append("step %d: the step-end event says %s files, want %d"
                       % (s, ends.get(s, {}).get("files"), len(want[s])))
        if s in panel and panel[s] != len(want[s]):
            bad.append("step %d: the side panel says %df, want %d" % (s, panel[s], len(want[s])))
    for b in bad:
        print(b)
    print("steps: %d checked, %d on the panel, %d disagreements" % (len(want), len(panel), len(bad)))
    sys.exit(1 if bad else 0)


main()
