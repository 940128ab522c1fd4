"""screen.py - screen text helpers for the scenario tests.

crop COLS ROWS: read a tmux capture on stdin, print its first ROWS lines cut
to COLS display columns (wide characters count two, as tmux and glibc say),
with trailing blanks removed and trailing empty lines dropped.
text: read a capture made with -e, drop its SGR sequences and turn DEC line
drawing (shifted out with SO/SI, as tmux writes it) into Unicode.
mask: replace numbers by '#' and runs of blanks by one (for screens with live
numbers, such as top).
"""
import ctypes
import re
import signal
import sys

signal.signal(signal.SIGPIPE, signal.SIG_DFL)

libc = ctypes.CDLL("libc.so.6")
libc.setlocale(6, b"C.UTF-8")  # LC_ALL
libc.wcwidth.argtypes = [ctypes.c_wchar]


def width(ch):
    w = libc.wcwidth(ch)
    return 1 if w < 0 else w


ACS = dict(zip("`afgjklmnopqrstuvwxyz{|}~",
               "◆▒°±┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£·"))


def text(data):
    data = re.sub(r"\x1b\[[0-9;:]*m", "", data)
    out, acs = [], False
    for ch in data:
        if ch == "\x0e":
            acs = True
        elif ch == "\x0f":
            acs = False
        else:
            out.append(ACS.get(ch, ch) if acs else ch)
    return "".join(out)


def crop(cols, rows):
    lines = text(sys.stdin.read()).split("\n")
    out = []
    for line in lines[:rows]:
        acc, used = [], 0
        for ch in line:
            w = width(ch)
            if used + w > cols:
                break
            acc.append(ch)
            used += w
        out.append("".join(acc).rstrip())
    while out and not out[-1]:
        out.pop()
    print("\n".join(out))


def sgr_of(word):
    """The SGR parameters in effect where word first appears in a -e capture."""
    data = sys.stdin.read()
    active = []
    i = 0
    while i < len(data):
        m = re.match(r"\x1b\[([0-9;:]*)m", data[i:])
        if m:
            params = m.group(1).split(";") if m.group(1) else ["0"]
            for p in params:
                if p in ("0", ""):
                    active = []
                else:
                    active.append(p)
            i += m.end()
            continue
        if data.startswith(word, i):
            print(" ".join(active))
            return
        i += 1


def mask():
    for line in sys.stdin.read().split("\n"):
        # a number may change its width (0.0 to 100.0): mask it whole, and
        # the blanks that pad it ("%5.1f us,%5.1f sy" loses the blank
        # after the comma when a value reaches 100.0)
        line = re.sub(r"[0-9][0-9.,:]*[kmgtKMGT]?", "#", line)
        print(re.sub(r" +", " ", re.sub(r", *#", ", #", line)).strip())


if __name__ == "__main__":
    if sys.argv[1] == "crop":
        crop(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "text":
        sys.stdout.write(text(sys.stdin.read()))
    elif sys.argv[1] == "sgr":
        sgr_of(sys.argv[2])
    elif sys.argv[1] == "mask":
        mask()
