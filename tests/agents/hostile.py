"""hostile - an agent whose output attacks the terminal.

    python3 hostile.py MODE

Prints "ready", waits for one key, writes the attack for MODE, then prints
"END MODE" and waits (so that the screen and the process can be inspected).
Modes: osc52 (a 10 MB clipboard write), dcs (an unterminated 10 MB device
control string), utf8 (1 MB of invalid UTF-8 and C1 bytes), csi (10,000
parameters, and a 1 MB parameter), title (sets a title, then asks for it
back), rep (a huge repeat count).
"""
import os
import random
import select
import sys
import termios
import time
import tty

MB = 1024 * 1024


def out(data):
    if isinstance(data, str):
        data = data.encode()
    view = memoryview(data)
    while view:
        n = os.write(1, view)
        view = view[n:]


def main():
    mode = sys.argv[1]
    fd = 0
    old = termios.tcgetattr(fd)
    tty.setraw(fd)
    out("ready\r\n")
    os.read(fd, 1)
    if mode == "osc52":
        out(b"\x1b]52;c;" + b"QUFB" * (10 * MB // 4) + b"\x07")
    elif mode == "dcs":
        out(b"before the DCS\r\n\x1bP1;2|" + b"x" * (10 * MB))
        # never terminated: everything after this is the DCS's
        out("\r\nEND dcs (hidden)\r\n")
        time.sleep(3600)
    elif mode == "utf8":
        rnd = random.Random(7)
        out(bytes(rnd.choice([0x80, 0x9b, 0x9d, 0xc0, 0xc1, 0xe2, 0xed, 0xf4, 0xf5, 0xff, 0x41])
                  for _ in range(MB)))
        out(b"\x18\x1b[0m\x1b\\\r\n")
    elif mode == "csi":
        out(b"\x1b[" + b"1;" * 10000 + b"31m" + b"\x1b[0m")
        out(b"\x1b[" + b"9" * MB + b"C\x1b[0m\r\n")
    elif mode == "title":
        out(b"\x1b]0;evil\x07\x1b]2;evil\rcommand\x07\x1b[21t\x1b[20t")
        ready, _, _ = select.select([fd], [], [], 1.5)
        got = os.read(fd, 4096) if ready else b""
        out("typed back: %s\r\n" % (repr(got) if got else "none"))
    elif mode == "rep":
        out(b"x\x1b[2147483647b\x1b[0m\r\n")
    elif mode == "queries":
        # a million status queries (cursor position, device attributes),
        # and never a read of the replies
        out(b"\x1b[6n\x1b[c" * 500000)
    elif mode == "wide":
        # nothing to send: the test makes the terminal huge
        pass
    out("END %s\r\n" % mode)
    termios.tcsetattr(fd, termios.TCSANOW, old)
    time.sleep(3600)


main()
