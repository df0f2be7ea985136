"""The sandboxed child: imports ONE part module of ONE submission and runs the calls the judge asks for.

Forked by the zygote (``python -I -u -m autograder.child --zygote FD``, see :func:`zygote`) or
started as ``python -I -u -m autograder.child CONFIG`` by :class:`autograder.sandbox.SandboxExecutor`,
with stdin on /dev/null, stdout and stderr on a pipe that the judge reads (capped), and two
protocol pipes. It imports only trusted code (numpy, ``wire``, ``loading`` and the helpers of
``executor``) and never anything that holds checks or expected values. Then, in this order and
BEFORE the submission is imported:

1. resource limits (address space, CPU, file size, processes, open files, no core dumps);
2. new network and IPC namespaces when started as root (no network at all, UDP included);
3. every ``sys.path`` entry (and the ``__path__`` of every loaded package) is replaced by a
   ``/proc/self/fd/N`` path to a directory descriptor opened now: after the uid is dropped the
   interpreter can still import the standard library even when it lives under a 0700 ``/root``
   (a process may always follow its own descriptors; only the components after them are checked);
4. Landlock: read-only access to the import path and the submission, read-write to the private
   working directory only, TCP bind/connect denied, signals and abstract unix sockets scoped;
5. when root: ``setgroups([])``, ``setresgid``, ``setresuid`` to the worker slot's uid.

It reports what was applied (a "hello" frame), imports the module (a "ready" frame), and serves
"call" frames. Protocol: frames of ``<u32 header length><u32 blob length>`` followed by the JSON
header and the raw little-endian blob of ``wire.pack``. While a call runs, every call of a judge
function by the student's code is a "callback" frame answered by a "reply" frame.

Everything after the import runs next to student code and is therefore untrusted by the judge:
the judge validates every frame it receives and decides every verdict itself.
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import random
import resource
import signal
import struct
import sys
import time

import numpy as np

from . import landlock, wire
from .executor import describe_exception, invoke_student, student_state_factory
from .loading import load_module

_HEAD = struct.Struct("<II")
_CLONE_NEWNET = 0x40000000
_CLONE_NEWIPC = 0x08000000


class _Channel:
    """Frames over two pipe descriptors (blocking reads into a buffer: one read per frame usually)."""

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.buffer = bytearray()

    def send(self, message: dict) -> None:
        header, blob = wire.pack(message)
        data = _HEAD.pack(len(header), len(blob)) + header + blob
        view = memoryview(data)
        while view:
            n = os.write(self.fd_out, view)
            view = view[n:]

    def _fill(self, n: int) -> None:
        while len(self.buffer) < n:
            chunk = os.read(self.fd_in, max(n - len(self.buffer), 1 << 16))
            if not chunk:
                raise EOFError("the judge closed the channel")
            self.buffer += chunk

    def receive(self) -> dict:
        self._fill(_HEAD.size)
        hlen, blen = _HEAD.unpack_from(self.buffer)
        end = _HEAD.size + hlen + blen
        self._fill(end)
        header = bytes(self.buffer[_HEAD.size:_HEAD.size + hlen])
        blob = bytes(self.buffer[_HEAD.size + hlen:end])
        del self.buffer[:end]
        return unpack(header, blob)


unpack = wire.unpack


def _rebuilt_exception(name: str, message: str) -> BaseException:
    """The judge's callback raised: raise an exception of the same name and message in student code."""
    import builtins

    cls = getattr(builtins, name, None)
    if name == "WireError":
        cls = wire.WireError
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = type(name if name.isidentifier() else "CallbackError", (Exception,), {})
    try:
        return cls(message)
    except Exception:  # noqa: BLE001 - builtins with other signatures (UnicodeDecodeError...)
        return type(name, (Exception,), {})(message)


# ---- applying the sandbox layers (trusted: nothing of the submission has run yet) -----------

def _set_limits(limits: dict) -> dict:
    applied = {}
    table = {
        "memory_bytes": resource.RLIMIT_AS,
        "cpu_seconds": resource.RLIMIT_CPU,
        "file_bytes": resource.RLIMIT_FSIZE,
        "processes": resource.RLIMIT_NPROC,
        "open_files": resource.RLIMIT_NOFILE,
    }
    for key, which in table.items():
        value = limits.get(key)
        if value is None:
            continue
        value = int(value)
        hard = value + 1 if which == resource.RLIMIT_CPU else value  # SIGXCPU first, SIGKILL a second later
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            value, hard = min(value, old_hard), min(hard, old_hard)
        resource.setrlimit(which, (value, hard))
        applied[key] = value
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    applied["core"] = 0
    # A file grown past RLIMIT_FSIZE fails with EFBIG (an exception in the student's code) instead
    # of killing the process with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return applied


def _unshare(flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"unshare: {os.strerror(e)}")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _import_roots() -> list[str]:
    """Existing directories of sys.path (real paths), in order, without duplicates."""
    roots = []
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            real = os.path.realpath(entry)
            if real not in roots:
                roots.append(real)
    return roots


def _pin_import_path() -> dict[str, str]:
    """Point sys.path and loaded packages' __path__ at /proc/self/fd/N of directories opened now."""
    mapping: dict[str, str] = {}
    new_path = []
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        if entry not in mapping:
            fd = os.open(entry, os.O_PATH | os.O_DIRECTORY)  # no O_CLOEXEC needed: nothing is exec'd
            mapping[entry] = f"/proc/self/fd/{fd}"
            real = os.path.realpath(entry)
            if real != entry and real not in mapping:
                mapping[real] = mapping[entry]
        new_path.append(mapping[entry])
    sys.path[:] = new_path
    sys.path_importer_cache.clear()
    ordered = sorted(mapping, key=len, reverse=True)

    def remap(p: str) -> str:
        for orig in ordered:
            if _inside(p, orig):
                return mapping[orig] + p[len(orig):]
        return p

    for module in list(sys.modules.values()):
        path = getattr(module, "__path__", None)
        if isinstance(path, list):
            path[:] = [remap(p) if isinstance(p, str) else p for p in path]
    return mapping


def _landlock(config: dict, roots: list[str]) -> dict:
    """Read-only: the import path (minus the grader's own package), shared libraries, the
    submission; read-write: the private working directory. TCP and signals denied beyond it."""
    abi = landlock.abi_version()
    rules = landlock.Ruleset(abi)
    hidden = [os.path.realpath(p) for p in config["hidden"]]
    for root in roots:
        if any(_inside(h, root) for h in hidden):
            # The grader's package (checks included) lies inside this entry: allow listing the
            # entry, and reading each of its children except the ones that hold grader code.
            rules.allow(root, landlock.FS_READ_DIR)
            for name in os.listdir(root):
                child = os.path.join(root, name)
                if any(_inside(h, child) or _inside(child, h) for h in hidden):
                    continue
                rules.allow(child, landlock.READ)
        else:
            rules.allow(root, landlock.READ)
    for system in ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib"):
        if os.path.isdir(system) and not any(_inside(h, system) for h in hidden):
            rules.allow(system, landlock.READ)  # shared libraries of extension modules imported later
    for dev in ("/dev/urandom", "/dev/random", "/dev/zero"):
        rules.allow(dev, landlock.FS_READ_FILE)
    rules.allow("/dev/null", landlock.FS_READ_FILE | landlock.FS_WRITE_FILE)
    rules.allow(config["source_dir"], landlock.READ)
    rules.allow(config["work_dir"], landlock.fs_rights(abi))
    return rules.restrict()


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("the uid did not change")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise OSError("root could be regained after dropping privileges")


def _apply_layers(config: dict) -> dict:
    clock = time.perf_counter
    start = clock()
    timings: dict[str, float] = {}
    layers: dict = {"pid": os.getpid(), "session_leader": os.getsid(0) == os.getpid(), "ms": timings}
    os.umask(0o077)
    layers["rlimits"] = _set_limits(config["limits"])
    timings["rlimits"] = round(1000 * (clock() - start), 2)
    if config.get("netns"):
        t = clock()
        _unshare(_CLONE_NEWNET | _CLONE_NEWIPC)
        timings["netns"] = round(1000 * (clock() - t), 2)
        layers["netns"] = True
        layers["ipcns"] = True
    roots = _import_roots()
    if config.get("uid") is not None:
        t = clock()
        layers["pinned_import_path"] = len(_pin_import_path())
        timings["pin"] = round(1000 * (clock() - t), 2)
    if config.get("landlock"):
        t = clock()
        layers["landlock"] = _landlock(config, roots)
        timings["landlock"] = round(1000 * (clock() - t), 2)
    if config.get("uid") is not None:
        t = clock()
        _drop_privileges(int(config["uid"]), int(config["gid"]))
        timings["uid"] = round(1000 * (clock() - t), 2)
        layers["uid"] = os.getuid()
        layers["gid"] = os.getgid()
    timings["total"] = round(1000 * (clock() - start), 2)
    return layers


# ---- serving calls (runs next to the submission) -------------------------------------------

def _error(kind: str, message: str) -> dict:
    return {"op": "result", "ok": False, "kind": kind, "message": message}


def _serve_call(channel: _Channel, module, filename: str, request: dict) -> dict:
    function = request["function"]
    seq = request["seq"]
    fn = getattr(module, function, None)
    if not callable(fn):
        return _error("missing", f"{filename} has no function {function}")

    def make_callback(index: int):
        def forward(*args, **kwargs):
            sent = wire.encode((args, kwargs))
            channel.send({"op": "callback", "seq": seq, "id": index, "args": sent})
            reply = channel.receive()
            if reply.get("op") != "reply":
                raise EOFError("the judge did not answer a callback")
            if not reply.get("ok"):
                raise _rebuilt_exception(str(reply.get("type")), str(reply.get("message")))
            return wire.decode(reply["value"], make_state=student_state_factory(module))

        return forward

    try:
        s_args, s_kwargs = wire.decode(request["args"], make_state=student_state_factory(module),
                                       make_callback=make_callback, make_code=wire.compile_shipped)
        then = request.get("then")
        s_then = [wire.decode(a) for a in then] if then is not None else None
    except wire.WireError as exc:
        return _error("protocol", f"the arguments could not be prepared: {exc}")
    global_seed = request.get("global_seed")
    start = time.perf_counter()
    try:
        result = invoke_student(fn, s_args, s_kwargs, global_seed, s_then)
    except BaseException as exc:  # noqa: BLE001 - every failure of student code is a finding
        err = describe_exception(exc)
        return _error(err.kind, err.message)
    seconds = time.perf_counter() - start
    try:
        value = wire.encode(result)
        after = wire.encode((tuple(s_args), dict(s_kwargs)))
    except (wire.WireError, RecursionError) as exc:
        return _error("value", f"the returned value cannot be read: {exc}")
    except Exception as exc:  # noqa: BLE001 - a value whose class misbehaves when looked at
        return _error("value", f"the returned value cannot be read: {type(exc).__name__}")
    return {"op": "result", "ok": True, "value": value, "after": after, "seconds": seconds}


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - a replaced or closed stream is the submission's business
            pass


def serve(config: dict) -> int:
    """Build the sandbox, import the submission, serve calls until the judge closes the channel."""
    channel = _Channel(int(config["fd_in"]), int(config["fd_out"]))
    try:
        layers = _apply_layers(config)
    except BaseException as exc:  # noqa: BLE001 - the sandbox could not be built: never run the submission
        channel.send({"op": "fatal", "message": f"{type(exc).__name__}: {exc}"})
        return 2
    channel.send({"op": "hello", "layers": layers})

    filename = config["filename"]
    try:
        module = load_module(config["source"])
    except BaseException as exc:  # noqa: BLE001 - anything at import is the submission's fault
        err = describe_exception(exc)
        _flush()
        channel.send({"op": "ready", "ok": False, "kind": "import",
                      "message": f"importing {filename} failed: {err.message}"})
        return 0
    _flush()
    channel.send({"op": "ready", "ok": True})
    while True:
        try:
            request = channel.receive()
        except EOFError:
            return 0
        if request.get("op") != "call":
            return 3
        response = _serve_call(channel, module, filename, request)
        _flush()
        channel.send(response)


# ---- cleanup helper and zygote (trusted; never run student code themselves) ----------------

def processes_of_uid(uid: int) -> list[int]:
    """Live (non-zombie) processes whose real or effective uid is ``uid``, from /proc."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                text = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        uids = fields.get("Uid", "").split()
        state = fields.get("State", "").strip()[:1]
        if state not in ("Z", "X") and uids and (uids[0] == str(uid) or uids[1:2] == [str(uid)]):
            found.append(int(name))
    return found


def kill_uid(uid: int, patience: float = 1.0) -> bool:
    """Kill every process of ``uid`` at once: a forked helper becomes ``uid`` and calls kill(-1, SIGKILL).

    The kernel signals every process the caller may signal while holding the task list lock,
    so processes that fork meanwhile cannot escape (a fork in progress sees the fatal signal).
    When something was killed, waits (up to ``patience`` seconds) until it is gone, so that it
    no longer counts against the next child's RLIMIT_NPROC. Returns whether anything was killed.
    """
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the helper
        code = 2
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            try:
                os.kill(-1, signal.SIGKILL)
                code = 1
            except ProcessLookupError:
                code = 0  # nothing of that uid was running: the usual case
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    killed = not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
    if killed:
        deadline = time.monotonic() + patience
        while processes_of_uid(uid) and time.monotonic() < deadline:
            time.sleep(0.002)
    return killed


def _fork_child(sock, config: dict, fds: list[int]) -> int:
    """Fork a sandboxed child from the zygote: its own session, its pipes on 0-4, nothing else open."""
    pid = os.fork()
    if pid:
        return pid
    code = 70  # pragma: no cover - runs in the forked child
    try:
        os.setsid()
        sock.close()  # the child must never be able to ask the zygote for anything
        to_r, from_w, out_w = (fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds)
        devnull = os.open("/dev/null", os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.dup2(to_r, 3)
        os.dup2(from_w, 4)
        for fd in (3, 4):
            os.set_inheritable(fd, False)
        os.closerange(5, 1 << 20)
        os.chdir(config["work_dir"])
        os.environ.clear()
        os.environ.update(config["env"])
        random.seed(os.urandom(16))  # not the zygote's state (np.random.seed() would take 30 ms)
        np.random.seed(int.from_bytes(os.urandom(4), "little"))
        code = serve(dict(config, fd_in=3, fd_out=4))
    finally:
        os._exit(code)


def _children() -> list[int]:
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _reap_orphans(live: set[int], patience: float = 1.0) -> None:
    """Kill and reap every child of the zygote that is not a live sandboxed child: processes that
    a child left behind (setsid'd, double-forked) are re-parented to the zygote, a subreaper.
    Killing one's own unreaped child by pid is race-free (the pid cannot be reused before the wait)."""
    deadline = time.monotonic() + patience
    while True:
        orphans = [p for p in _children() if p not in live]
        if not orphans or time.monotonic() > deadline:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in orphans:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def zygote(sock_fd: int) -> int:
    """Serve the judge's requests on a SOCK_SEQPACKET socket: spawn a child (its pipes arrive as
    SCM_RIGHTS, its pidfd is sent back), end a child (kill its group, reap it, sweep its uid, kill
    and reap whatever it left behind). Holds numpy and the trusted modules only, so a forked child
    starts in milliseconds. It is a child subreaper: everything a child leaves behind becomes the
    zygote's child, so even without a uid to sweep nothing escapes."""
    import socket

    sock = socket.socket(fileno=sock_fd)
    live: set[int] = set()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    unpack(*wire.pack({"x": wire.encode((np.zeros(2), {"k": 1.0}))}))  # warm up what every child uses
    sock.send(json.dumps({"op": "zygote", "pid": os.getpid()}).encode())
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 8)
        except OSError:
            break
        if not data:
            break
        request = json.loads(data)
        op = request.get("op")
        if op == "spawn":
            try:
                pid = _fork_child(sock, request["config"], fds)
                pidfd = os.pidfd_open(pid)
            except OSError as exc:
                reply, out = {"ok": False, "message": str(exc)}, []
            else:
                live.add(pid)
                reply, out = {"ok": True, "pid": pid}, [pidfd]
            finally:
                for fd in fds:
                    os.close(fd)
            socket.send_fds(sock, [json.dumps(reply).encode()], out)
            for fd in out:
                os.close(fd)
        elif op == "end":
            pid, status = request.get("pid"), None
            if pid in live:
                try:
                    os.killpg(pid, signal.SIGKILL)  # not reaped yet, so the group id is still its own
                except OSError:
                    pass
                _, status = os.waitpid(pid, 0)
                live.discard(pid)
            if request.get("uid") is not None:
                kill_uid(int(request["uid"]))
            _reap_orphans(live)
            sock.send(json.dumps({"ok": True, "status": status}).encode())
        else:
            break
    for pid in live:
        try:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv if argv is None else argv
    if argv[1] == "--zygote":
        return zygote(int(argv[2]))
    return serve(json.loads(argv[1]))


if __name__ == "__main__":
    os._exit(main())
