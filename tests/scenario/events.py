"""events.py - questions about a belay --events file, for the scenario tests.

    events.py FILE has COND…      a event matching all COND exists, for each
                                 group (one COND string is one event's test)
    events.py FILE none COND      no event matches
    events.py FILE count COND     how many events match
    events.py FILE wellformed     seq, t, type, step on every line; seq 1, then rising (output coalesced skips some)
    events.py FILE status         the session-end status

A COND is blank-separated field tests: key=value (equal), key~value
(contains), key>=number; argv is compared as its words joined by blanks.
"""
import json
import sys


def value(e, key):
    v = e.get(key)
    if isinstance(v, list):
        return " ".join(v)
    return v


def test(e, cond):
    for part in cond.split(" "):
        for op in ("~", ">=", "="):
            if op in part:
                k, want = part.split(op, 1)
                break
        else:
            return False
        got = value(e, k)
        if got is None:
            return False
        if op == "=" and str(got) != want:
            return False
        if op == "~" and want not in str(got):
            return False
        if op == ">=" and not float(got) >= float(want):
            return False
    return True


def conds(args):
    # argv-joined conditions may hold blanks in values: "argv=echo x" stays
    # one condition when its words do not look like key tests
    out = []
    for a in args:
        parts, cur = [], []
        for w in a.split(" "):
            if any(op in w for op in ("=", "~", ">=")) and cur:
                parts.append(" ".join(cur))
                cur = []
            cur.append(w)
        if cur:
            parts.append(" ".join(cur))
        out.append(parts)
    return out


def match(e, parts):
    for p in parts:
        for op in ("~", ">=", "="):
            if op in p:
                k, want = p.split(op, 1)
                break
        got = value(e, k)
        if got is None:
            return False
        if op == "=" and str(got) != want:
            return False
        if op == "~" and want not in str(got):
            return False
        if op == ">=" and not float(got) >= float(want):
            return False
    return True


def main():
    events = [json.loads(l) for l in open(sys.argv[1])]
    what = sys.argv[2]
    if what == "has":
        for parts in conds(sys.argv[3:]):
            if not any(match(e, parts) for e in events):
                print("# no event with %s" % " ".join(parts))
                sys.exit(1)
    elif what == "none":
        parts = conds(sys.argv[3:4])[0]
        if any(match(e, parts) for e in events):
            sys.exit(1)
    elif what == "count":
        parts = conds(sys.argv[3:4])[0]
        print(sum(1 for e in events if match(e, parts)))
    elif what == "wellformed":
        last = 0
        for e in events:
            if not {"seq", "t", "type", "step"} <= set(e) or e["seq"] <= last or (last == 0 and e["seq"] != 1):
                sys.exit(1)
            last = e["seq"]
    elif what == "status":
        print(next((e["status"] for e in events if e["type"] == "session-end"), ""))


main()
