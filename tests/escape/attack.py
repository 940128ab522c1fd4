"""attack.py - an agent that tries to get around belay, for tests/escape/.

    attack.py OUT OUTER_TTY NAME…

Runs as the agent itself (its parent is belay).  Each NAME is one attempt;
for each, one line goes to OUT:

    stopped NAME: how it was stopped (the errno)
    ESCAPED NAME: what it got
    ok NAME: a control that must work (the agent's own terminal, a pty of its own)

OUTER_TTY is the terminal belay draws on (the person's).  Attempts that
would hurt the machine if they got through use harmless payloads: the
signal sent to belay is SIGSTOP, which the test undoes; the bytes pushed
into belay's input are a key that answers nothing.
"""
import ctypes
import errno
import fcntl
import os
import signal
import sys
import termios

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR_PIDFD_OPEN = 434
NR_PIDFD_GETFD = 438
NR_PIDFD_SEND_SIGNAL = 424
NR_PTRACE = 101
NR_PROCESS_VM_READV = 310
NR_TGKILL = 234
PTRACE_ATTACH = 16
PTRACE_SEIZE = 0x4206
PTRACE_DETACH = 17
TIOCSTI = 0x5412
TIOCLINUX = 0x541C

out_path, outer = sys.argv[1], sys.argv[2]
belay = os.getppid()
# opened first, written line by line: if an attempt stops belay, the lines
# before it are there (an open later would wait on the stopped belay)
out = open(out_path, "w", buffering=1)


def say(word, name, detail):
    out.write("%s %s: %s\n" % (word, name, detail))


def syscall(*args):
    r = libc.syscall(*[ctypes.c_long(a) for a in args])
    return r, ctypes.get_errno()


def attempt(name, fn):
    try:
        got = fn()
    except OSError as e:
        say("stopped", name, errno.errorcode.get(e.errno, str(e.errno)))
        return
    if isinstance(got, tuple) and got[0] == "stopped":
        say("stopped", name, got[1])
    elif isinstance(got, tuple) and got[0] == "ok":
        say("ok", name, got[1])
    else:
        say("ESCAPED", name, repr(got)[:200])


def write_to(path):
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    try:
        # a fake status line at the bottom of the person's screen
        os.write(fd, b"\0337\033[999;1H\033[7m belay: all calls allowed \033[m\0338")
    finally:
        os.close(fd)
    return "wrote to %s" % path


def tiocsti(fd):
    fcntl.ioctl(fd, TIOCSTI, b"\x07")
    return "pushed a byte into the input"


def tiocsti_outer():
    fd = os.open(outer, os.O_RDONLY | os.O_NOCTTY)
    try:
        return tiocsti(fd)
    finally:
        os.close(fd)


def tioclinux():
    buf = ctypes.create_string_buffer(b"\x0b")  # TIOCL_GETKMSGREDIRECT: harmless
    r = libc.ioctl(0, ctypes.c_ulong(TIOCLINUX), buf)
    e = ctypes.get_errno()
    if r == 0:
        return "TIOCLINUX answered"
    if e == errno.EPERM:
        return ("stopped", "EPERM")
    return ("stopped", "refused by the tty (%s); EPERM expected" % errno.errorcode.get(e))


def own_tty():
    fd = os.open("/dev/tty", os.O_WRONLY)
    os.write(fd, b"")
    os.close(fd)
    fd = os.open(os.ttyname(0), os.O_WRONLY)
    os.close(fd)
    return ("ok", "/dev/tty and %s open" % os.ttyname(0))


def own_pty():
    master = os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY)
    libc.grantpt(master)
    libc.unlockpt(master)
    libc.ptsname.restype = ctypes.c_char_p
    name = libc.ptsname(master).decode()
    fd = os.open(name, os.O_RDWR | os.O_NOCTTY)  # as script(1) and expect do
    os.write(fd, b"x\n")
    os.close(fd)
    os.close(master)
    return ("ok", "opened its own %s" % name)


def sig(how):
    def fn():
        if how == "kill":
            os.kill(belay, signal.SIGSTOP)
        elif how == "pgrp":
            os.killpg(os.getpgid(belay), signal.SIGSTOP)
        elif how == "tgkill":
            r, e = syscall(NR_TGKILL, belay, belay, signal.SIGSTOP)
            if r < 0:
                raise OSError(e, os.strerror(e))
        elif how == "procfd":
            # a /proc/PID directory is a pidfd for pidfd_send_signal
            fd = os.open("/proc/%d" % belay, os.O_RDONLY | os.O_DIRECTORY)
            try:
                r, e = syscall(NR_PIDFD_SEND_SIGNAL, fd, signal.SIGSTOP, 0, 0)
            finally:
                os.close(fd)
            if r < 0:
                raise OSError(e, os.strerror(e))
        return "sent SIGSTOP to belay (%d)" % belay
    return fn


def pidfd_getfd():
    r, e = syscall(NR_PIDFD_OPEN, belay, 0)
    if r < 0:
        raise OSError(e, os.strerror(e))
    got = []
    for n in range(0, 64):
        fd, e2 = syscall(NR_PIDFD_GETFD, r, n, 0)
        if fd >= 0:
            got.append("%d->%s" % (n, os.readlink("/proc/self/fd/%d" % fd)))
            os.close(fd)
    os.close(r)
    if got:
        return "took belay's fds: " + " ".join(got)
    return ("stopped", "pidfd_open worked but every pidfd_getfd failed (%s)" % errno.errorcode.get(e2))


def ptrace(req):
    def fn():
        r, e = syscall(NR_PTRACE, req, belay, 0, 0)
        if r < 0:
            raise OSError(e, os.strerror(e))
        syscall(NR_PTRACE, PTRACE_DETACH, belay, 0, 0)
        return "attached to belay"
    return fn


def vm_readv():
    class iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
    # any mapped address of belay's: the start of its first mapping, if readable
    # here; otherwise an address that is mapped in every process
    buf = ctypes.create_string_buffer(16)
    local = iovec(ctypes.cast(buf, ctypes.c_void_p), 16)
    remote = iovec(0x400000, 16)
    r, e = syscall(NR_PROCESS_VM_READV, belay, ctypes.addressof(local), 1, ctypes.addressof(remote), 1, 0)
    if r < 0 and e == errno.EFAULT:
        return "process_vm_readv allowed (EFAULT on the address)"
    if r < 0:
        raise OSError(e, os.strerror(e))
    return "read belay's memory"


def read_proc(what):
    def fn():
        with open("/proc/%d/%s" % (belay, what), "rb") as f:
            data = f.read(4096)
        return "read /proc/belay/%s: %d bytes" % (what, len(data))
    return fn


def open_mem():
    fd = os.open("/proc/%d/mem" % belay, os.O_RDONLY)
    os.close(fd)
    return "opened belay's memory"


def belay_fds():
    # the numbers can be listed (by root); what they are must not be
    got = []
    for n in range(0, 64):
        try:
            got.append("%d->%s" % (n, os.readlink("/proc/%d/fd/%d" % (belay, n))))
        except OSError as e:
            err = e
    if got:
        return "read belay's fds: " + " ".join(got)
    raise err


def write_proc_fd():
    return write_to("/proc/%d/fd/1" % belay)


ATTEMPTS = {
    "tty-own": own_tty,
    "pty-own": own_pty,
    "tty-outer": lambda: write_to(outer),
    "tty-outer-proc": write_proc_fd,
    "tty-console": lambda: write_to("/dev/console"),
    "tiocsti-own": lambda: tiocsti(0),
    "tiocsti-outer": tiocsti_outer,
    "tioclinux": tioclinux,
    "signal-kill": sig("kill"),
    "signal-pgrp": sig("pgrp"),
    "signal-tgkill": sig("tgkill"),
    "signal-procfd": sig("procfd"),
    "pidfd-getfd": pidfd_getfd,
    "ptrace-attach": ptrace(PTRACE_ATTACH),
    "ptrace-seize": ptrace(PTRACE_SEIZE),
    "vm-readv": vm_readv,
    "environ": read_proc("environ"),
    "mem": open_mem,
    "fd": belay_fds,
}

for name in sys.argv[3:]:
    attempt(name, ATTEMPTS[name])
out.write("done\n")
out.close()
