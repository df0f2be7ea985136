"""Hostile: writes fake results, reads the grader's files, uses the network, signals the judge."""
import os
import signal
import socket
import sys

try:  # at import, too: a fake results file next to wherever it can reach
    with open("/tmp/optlab-fake-results.json", "w") as f:
        f.write('{"score": 100}')
except OSError:
    pass


def write_files(paths):
    """Try to write each path; return the ones that worked."""
    written = []
    for p in paths:
        try:
            with open(p, "w") as f:
                f.write('{"tests": [{"score": 1, "max_score": 1}], "score": 100}')
            written.append(p)
        except OSError:
            pass
    return written


def read_files(paths):
    """Try to read each path (or list it, for a folder); return what could be read."""
    got = []
    for p in paths:
        try:
            if os.path.isdir(p):
                os.listdir(p)
            else:
                with open(p, "rb") as f:
                    f.read(100)
            got.append(p)
        except OSError:
            pass
    return got


def grader_files():
    """Find the grader's package through the modules already loaded, and try its checks."""
    base = os.path.dirname(sys.modules["autograder"].__file__)
    candidates = [os.path.join(base, "checks", "descent.py"), os.path.join(base, "checks", "__init__.py"),
                  os.path.join(os.path.dirname(base), "instructor", "grading.toml"),
                  os.path.join(os.path.dirname(base), "solutions", "descent.py")]
    return read_files(candidates + [os.path.join(base, "checks")])


def loaded_modules():
    return sorted(m for m in sys.modules if m.startswith("autograder"))


def connect(port):
    """Try TCP and UDP to the judge's loopback; return what went through."""
    sent = []
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
        s.sendall(b"exfiltrated")
        s.close()
        sent.append("tcp")
    except OSError:
        pass
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(b"exfiltrated", ("127.0.0.1", port))
        sent.append("udp")
    except OSError:
        pass
    return sent


def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    return "sent"


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        return "sent"
    except OSError as exc:
        return type(exc).__name__


def kill_everyone():
    os.kill(-1, signal.SIGKILL)
    return "survived"


def whoami():
    return [os.getuid(), os.getgid(), os.getcwd(), list(os.getgroups())]


def fine(x):
    return 2 * x


def open_descriptors():
    """Every open descriptor and its kind: the zygote's socket must not be among them."""
    import stat

    found = {}
    for fd in range(1024):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        found[str(fd)] = ("socket" if stat.S_ISSOCK(mode) else "fifo" if stat.S_ISFIFO(mode)
                          else "dir" if stat.S_ISDIR(mode) else "other")
    return found
