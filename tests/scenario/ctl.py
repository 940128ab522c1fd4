"""ctl.py - a raw client of a belay session's control socket, for tests.

  ctl.py PATH ask JSON...        send hello, then each request; print each answer
  ctl.py PATH garbage            hello, then lines that are no requests; print answers until dropped
  ctl.py PATH huge MB            hello, then one line of MB megabytes: print what came back
  ctl.py PATH noread SECONDS     hello, attach, then never read for SECONDS (the session must not wait)
  ctl.py PATH stream SECONDS     hello, attach, read the stream for SECONDS; print its record types
"""
import json
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def lines(s, limit=50, timeout=5.0):
    s.settimeout(timeout)
    buf = b""
    out = []
    try:
        while len(out) < limit:
            d = s.recv(65536)
            if not d:
                break
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                out.append(line.decode("utf-8", "replace"))
                if len(out) >= limit:
                    break
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    return out


def hello(s):
    s.sendall(b'{"op":"hello","version":1}\n')
    return lines(s, 1)


def main():
    path, mode = sys.argv[1], sys.argv[2]
    s = connect(path)
    if mode == "ask":
        print("\n".join(hello(s)))
        for req in sys.argv[3:]:
            s.sendall(req.encode() + b"\n")
            print("\n".join(lines(s, 1)))
    elif mode == "garbage":
        s.sendall(b"\x00\xff not json at all\n[1,2]\n{\"op\":1}\n")
        s.sendall(b'{"op":"hello","version":1}\n')
        for i in range(20):
            try:
                s.sendall(b"garbage line %d \x1b]52;c;AAAA\x07\n" % i)
            except (BrokenPipeError, ConnectionResetError):
                break
        print("\n".join(lines(s, 100, 2.0)))
    elif mode == "huge":
        hello(s)
        chunk = b"x" * (1 << 20)
        sent = 0
        try:
            for i in range(int(sys.argv[3])):
                s.sendall(chunk)
                sent += 1
        except (BrokenPipeError, ConnectionResetError):
            pass
        print("sent %d MB" % sent)
        print("\n".join(lines(s, 5, 2.0)))
    elif mode == "noread":
        hello(s)
        s.sendall(b'{"op":"attach"}\n')
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        time.sleep(float(sys.argv[3]))
    elif mode == "stream":
        hello(s)
        s.sendall(b'{"op":"attach"}\n')
        s.settimeout(float(sys.argv[3]))
        end = time.time() + float(sys.argv[3])
        buf = b""
        want = 0
        types = []
        outbytes = 0
        try:
            while time.time() < end:
                d = s.recv(1 << 16)
                if not d:
                    break
                buf += d
                while True:
                    if want:
                        if len(buf) < want:
                            break
                        outbytes += want
                        buf = buf[want:]
                        want = 0
                        continue
                    if b"\n" not in buf:
                        break
                    line, buf = buf.split(b"\n", 1)
                    o = json.loads(line)
                    t = o.get("type", "header" if "belay-recording" in o else "?")
                    types.append(t)
                    if t == "output":
                        want = o["len"]
        except socket.timeout:
            pass
        print(" ".join(types))
        print("output %d" % outbytes)


main()
