"""rules.py - drive one real action per rule of a policy, as an agent would.

    python3 rules.py plan POLICY WORKSPACE HOME BIN   > plan.json
    python3 rules.py act plan.json                     (run inside belay)
    python3 rules.py check plan.json events.jsonl POLICYNAME

plan: reads the rules file and, for each rule and default, makes an action
that should be decided by that rule: a program to run (a stand-in named as
the rule wants, in BIN), a path to write or delete, an address to connect
to, by the agent process itself or by a tool it runs.  act: performs them,
each in its own way (connects are UDP, so nothing waits on a network).
check: every action's decision (or, for an ask, its hold) names its rule.
"""
import json
import os
import shlex
import socket
import subprocess
import sys


def concrete(glob):
    """A path or text that the glob matches."""
    out = glob.replace("**", "belay-test").replace("*", "x").replace("?", "q")
    return out.replace("[", "").replace("]", "")


def plan(policy, workspace, home, bindir):
    actions = []
    for lineno, raw in enumerate(open(policy), 1):
        words = shlex.split(raw, comments=True)
        if not words or words[0] == "launcher":
            continue
        if words[0] == "default":
            kind = words[1]
            act = {"line": lineno, "kind": kind, "by": "tool"}
            if kind == "exec":
                act.update(argv=["true"])
            elif kind == "write":
                act.update(path="/etc/belay-default-write")
            elif kind == "delete":
                act.update(path="/etc/belay-default-delete")
            else:
                act.update(host="192.0.2.7", port=7, family="inet")
            actions.append(act)
            continue
        verdict, kind = words[0], words[1]
        m, by = {}, "tool"
        i = 2
        while i + 1 < len(words):
            if words[i] == "by":
                by = "agent" if words[i + 1] == "agent" else "tool"
            else:
                m[words[i]] = words[i + 1]
            i += 2
        act = {"line": lineno, "kind": kind, "by": by, "verdict": verdict}
        if kind == "exec":
            prog = m.get("program", "belay-prog")
            name = os.path.basename(prog)
            argv = [name]
            if "arg" in m:
                argv.append(concrete(m["arg"]))
            if "command" in m:
                # "sh -c TEXT": its command line ends with the text, and the
                # patterns start with '*'
                argv = ["sh", "-c", concrete(m["command"])]
            act["argv"] = argv
            stand_in = os.path.join(bindir, argv[0])
            if argv[0] not in ("sh",) and not os.path.exists(stand_in):
                with open(stand_in, "w") as f:
                    f.write("#!/bin/sh\nexit 0\n")
                os.chmod(stand_in, 0o755)
        elif kind in ("write", "delete"):
            p = m["path"].replace("$WORKSPACE", workspace).replace("$HOME", home)
            if p.startswith("~"):
                p = home + p[1:]
            act["path"] = concrete(p)
        else:
            if "family" in m and m["family"] == "unix":
                act.update(host="/tmp/belay-test-none.sock", family="unix")
            elif "host" in m and m["host"].startswith("/"):
                act.update(host=m["host"], family="unix")
            else:
                host = concrete(m.get("host", "192.0.2.9"))
                if host.endswith(".x"):
                    host = host[:-1] + "1"
                act.update(host=host, port=int(m.get("port", "9").split("-")[0]),
                           family="inet6" if ":" in host else "inet")
        actions.append(act)
    json.dump(actions, sys.stdout, indent=1)


def do(act):
    kind = act["kind"]
    if kind == "exec":
        try:
            subprocess.run(act["argv"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        except OSError:
            pass  # denied: the exec fails with EACCES
    elif kind == "write":
        parent = os.path.dirname(act["path"])
        if not os.path.isdir(parent):
            try:
                os.makedirs(parent)
            except OSError:
                pass
        try:
            fd = os.open(act["path"], os.O_WRONLY | os.O_CREAT, 0o644)
            os.close(fd)
        except OSError:
            pass
    elif kind == "delete":
        try:
            os.unlink(act["path"])
        except OSError:
            pass
    else:
        fam = {"inet": socket.AF_INET, "inet6": socket.AF_INET6, "unix": socket.AF_UNIX}[act["family"]]
        s = socket.socket(fam, socket.SOCK_STREAM if fam == socket.AF_UNIX else socket.SOCK_DGRAM)
        try:
            s.connect(act["host"] if fam == socket.AF_UNIX else (act["host"], act["port"]))
        except OSError:
            pass
        s.close()


def act(planfile):
    actions = json.load(open(planfile))
    for a in actions:
        # a marker the checker finds in the events, then the action
        marker = os.path.join(os.getcwd(), ".belay-rule-marker-%d" % a["line"])
        if a["by"] == "agent" or a["kind"] == "exec":
            os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644))
            do(a)
        else:
            subprocess.run([sys.executable, __file__, "one", json.dumps(a), marker])
    print("rules: all done")


def one(a, marker):
    os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644))
    do(json.loads(a))


def check(planfile, eventsfile, name):
    actions = json.load(open(planfile))
    events = [json.loads(l) for l in open(eventsfile)]
    bad = 0
    for a in actions:
        marker = ".belay-rule-marker-%d" % a["line"]
        want = "policies/%s.rules:%d" % (name, a["line"])
        i = next((k for k, e in enumerate(events) if e.get("path", "").endswith("/" + marker)), None)
        got = None
        if i is not None:
            # the first call after the marker that is the action's kind
            types = {"exec": "exec", "write": "file", "delete": "file", "connect": "connect"}
            for e in events[i + 1:]:
                if e["type"] != types[a["kind"]] or ".belay-rule-marker-" in e.get("path", ""):
                    continue
                if a["kind"] in ("write", "delete") and e.get("path") != a["path"]:
                    continue
                if a["kind"] == "exec" and os.path.basename(e["argv"][0]) != a["argv"][0]:
                    continue
                seq = e["seq"]
                held = next((x for x in events if x["type"] == "held" and x["call"] == seq), None)
                dec = next((x for x in events if x["type"] == "decision" and x["call"] == seq), None)
                got = held["rule"] if held else dec["rule"] if dec else None
                break
        if got == want:
            print("ok - line %d (%s %s) decided by %s" % (a["line"], a["kind"], a.get("verdict", "default"), got))
        else:
            bad += 1
            print("not ok - line %d (%s): decided by %s, want %s; action %s" % (a["line"], a["kind"], got, want, a))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        plan(*sys.argv[2:6])
    elif sys.argv[1] == "act":
        act(sys.argv[2])
    elif sys.argv[1] == "one":
        one(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check":
        check(*sys.argv[2:5])
