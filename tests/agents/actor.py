# actor.py - the actor agent (see actor.c) as a Python package's entry
# point, the shape of aider: the "aider" script that pip writes imports this
# module and calls main().
import os
import subprocess
import sys
import time


def act(op):
    kind, _, arg = op.partition(":")
    if kind == "write":
        with open(arg, "w") as f:
            f.write("actor\n")
    elif kind == "mkdir":
        os.mkdir(arg)
    elif kind == "rm":
        os.unlink(arg)
    elif kind == "sleep":
        time.sleep(float(arg))
    elif kind == "tool":
        if subprocess.call(["sh", "-c", arg]) != 0:
            raise OSError("the tool failed")
    else:
        raise ValueError(op)


def main():
    for op in sys.argv[1:]:
        try:
            act(op)
            print("ok", op, flush=True)
        except (OSError, ValueError) as e:
            print("failed %s: %s" % (op, e.strerror if isinstance(e, OSError) and e.strerror else e), flush=True)
    return 0
