"""The sandboxed executor: student code runs in a separate, confined process; verdicts stay here.

:class:`SandboxExecutor` implements the ``Executor`` protocol of ``executor.py`` with the same
semantics as ``InProcessExecutor`` (same ``CallError`` kinds and messages, ``then``,
``global_seed``, ``args_after``/``kwargs_after``, captured output capped), but the part module is
imported by a child process (``autograder/child.py``) and everything between the two travels as
``wire`` data over pipes: length-prefixed frames made of a JSON header and a raw little-endian
blob. Nothing from the child is ever unpickled; every frame is validated; anything malformed is a
"protocol" error worth 0. The judge's functions handed to student code (``df``, ``grads``, ``f``,
a check's init/update functions) stay here: the child asks for them with a "callback" frame and
gets the encoded result (or the exception to raise) back.

One child per (submission, part) imports the module once and serves every call of the part. A
call that times out, crashes the child (``os._exit``, a signal, the CPU limit) or breaks the
protocol costs only that call: the child's whole process group is killed with SIGKILL, the slot's
uid is swept, and the next call starts a fresh child that imports the module again.

Isolation layers, each applied when available (see :func:`detect_layers`):
- wall-clock limit per call, ``killpg(SIGKILL)`` of the child's own session (pidfd wait);
- rlimits set in the child before the submission is imported (memory, CPU, file size,
  processes, open files, no core dumps); a clean environment; stdin on /dev/null; a private
  working directory removed afterwards; output read through a pipe and capped;
- when running as root: a dedicated uid per worker slot (``uid_base + slot``), dropped in the
  child after numpy and the trusted modules are imported, and after the child ends every
  process of that uid is killed (``kill(-1, SIGKILL)`` from a helper running as that uid);
  new network and IPC namespaces (no network at all, UDP included);
- Landlock (kernel >= 5.13): read-only access to the import path without the grader's own
  package, read-write access to the private directory only; TCP denied (ABI >= 4); signals and
  abstract unix sockets scoped to the sandbox (ABI >= 6).

The interpreter trap (a dropped uid cannot read ``/root/.pyenv/...``, mode 0700 at /root): the
child is started as root, imports numpy and the trusted modules, opens an ``O_PATH`` descriptor
on every import directory and rewrites ``sys.path`` to ``/proc/self/fd/N`` paths, and only then
drops the uid. The running interpreter never needs to re-read its binary, and later imports
(the standard library of an honest submission) go through the descriptors, whose leading path
components are not checked again.

Children are forked by a zygote (one per judge process): an interpreter started like a child,
with numpy and the trusted modules imported and nothing of the checks, so a child starts in
about 15 ms instead of 120+ ms for a fresh interpreter (``Limits(zygote=False)``). The zygote
never runs student code; the forked child closes the zygote's socket before anything else.

One live child per slot: the uid sweep kills every process of the slot's uid, so
:func:`sandbox_factory` suspends the previous part's executor before it makes the next one.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import re
import select
import selectors
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import landlock, wire
from .child import kill_uid, processes_of_uid, unpack as _unpack
from .executor import OUTPUT_LIMIT, CallError, Executor, MissingPartExecutor, Outcome

_HEAD = struct.Struct("<II")
_PACKAGE_DIR = Path(__file__).resolve().parent
_CHILD_KINDS = frozenset({"missing", "not_implemented", "exception", "value", "protocol", "timeout"})
_BIT_GENERATORS = frozenset({"PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"})
_TIMEOUT = CallError("timeout", "timeout: the call did not finish within its time limit")


class SandboxError(RuntimeError):
    """The sandbox itself could not be built or started: a grader problem, never the submission's fault."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of a sandboxed child and the isolation layers it must use.

    Layer switches: None = use the layer when this machine has it, True = require it (a
    SandboxError when it is missing), False = do not use it. There is no switch for the uid:
    a judge running as root always drops the child to the slot's uid (student code never runs
    as root); a judge running as another user has no uid to drop to.
    """

    memory_bytes: int = 1 << 30  # RLIMIT_AS
    cpu_seconds: int = 120  # RLIMIT_CPU over the child's whole life (it serves all calls of a part)
    file_bytes: int = 1 << 20  # RLIMIT_FSIZE
    processes: int = 32  # RLIMIT_NPROC (counts the slot uid's threads; effective only with a dropped uid)
    open_files: int = 64  # RLIMIT_NOFILE
    output_bytes: int = OUTPUT_LIMIT  # printed output kept per call
    import_timeout: float = 10.0  # wall clock for importing the module (as InProcessExecutor)
    start_timeout: float = 30.0  # wall clock for the child to build its sandbox (before any student code)
    max_header_bytes: int = 4 << 20  # a message from the child: JSON part
    max_blob_bytes: int = 32 << 20  # and array bytes (what the judge may have to hold at once)
    max_source_bytes: int = 2 << 20
    uid_base: int = 61000  # slot k runs as uid/gid uid_base + k (when the grader runs as root)
    hidden_paths: tuple[str, ...] = ()  # besides the autograder package: never readable under Landlock
    landlock: bool | None = None
    netns: bool | None = None
    zygote: bool = True  # fork children from a zygote with numpy preloaded (False: a fresh interpreter each)


# ---- what this machine offers ------------------------------------------------------------

_NETNS_CACHE: dict[str, bool] = {}


def _can_unshare_net() -> bool:
    """Whether a child can enter new network and IPC namespaces (tried once, in a forked process)."""
    if "ok" not in _NETNS_CACHE:
        ok = False
        if os.geteuid() == 0:
            try:
                pid = os.fork()
            except OSError:
                pid = -1
            if pid == 0:  # pragma: no cover - runs in the forked process
                code = 1
                try:
                    libc = ctypes.CDLL(None, use_errno=True)
                    code = 0 if libc.unshare(ctypes.c_int(0x40000000 | 0x08000000)) == 0 else 1
                finally:
                    os._exit(code)
            if pid > 0:
                _, status = os.waitpid(pid, 0)
                ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        _NETNS_CACHE["ok"] = ok
    return _NETNS_CACHE["ok"]


def detect_layers() -> dict[str, Any]:
    """Which isolation layers this machine offers to the sandbox (for the grader to print and record).

    "secure" is False when there is neither Landlock nor uid separation: a grader should refuse
    to grade untrusted code then, unless told --insecure.
    """
    abi = landlock.abi_version()
    root = os.geteuid() == 0
    return {
        "kernel": platform.release(),
        "python": platform.python_version(),
        "root": root,
        "uid_separation": root,
        "landlock_abi": abi,
        "landlock": abi >= 1,
        "landlock_tcp": abi >= 4,
        "landlock_scope": abi >= 6,
        "netns": _can_unshare_net(),
        "rlimits": True,
        "process_group_kill": True,
        "pidfd": hasattr(os, "pidfd_open"),
        "secure": abi >= 1 or root,
    }


def _resolve(flag: bool | None, available: bool, name: str) -> bool:
    if flag is True and not available:
        raise SandboxError(f"the sandbox layer {name} is required but not available on this machine")
    return available if flag is None else bool(flag)


# ---- process cleanup -----------------------------------------------------------------------

def sweep_uid(uid: int, *, patience: float = 1.0) -> int:
    """Kill every process of ``uid`` (root only). Returns how many were still alive afterwards (0).

    A helper that runs as ``uid`` calls ``kill(-1, SIGKILL)``: the kernel signals every process
    of that uid while holding the task list lock, so a fork bomb cannot outrun it. A /proc scan
    then checks (and kills stragglers through pidfds, which cannot hit a reused pid).
    """
    if os.geteuid() != 0:
        return 0
    kill_uid(uid)
    deadline = time.monotonic() + patience
    while True:
        left = processes_of_uid(uid)
        if not left or time.monotonic() > deadline:
            return len(left)
        for p in left:
            try:
                fd = os.pidfd_open(p)
            except OSError:
                continue
            try:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            except OSError:
                pass
            finally:
                os.close(fd)
        time.sleep(0.005)


# ---- the child as the judge sees it --------------------------------------------------------

class _Broken(Exception):
    """The current child can no longer be used; ``error`` is what the call gets."""

    def __init__(self, error: CallError) -> None:
        super().__init__(error.message)
        self.error = error


class _CappedBytes:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.kept = 0
        self.size = 0

    def feed(self, data: bytes) -> None:
        if self.kept < self.limit:
            piece = data[: self.limit - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        self.size += len(data)

    def text(self) -> str:
        kept = b"".join(self.parts).decode("utf-8", "replace")
        more = self.size - self.kept
        return kept + (f"\n[... {more} more bytes not kept]" if more > 0 else "")


class _Child:
    """One running child process: its pipes, its buffers, its sandbox directory."""

    def __init__(self, pid: int, pidfd: int, fd_to: int, fd_from: int, fd_out: int, base: str, limits: Limits,
                 ender: Callable[[], int | None]) -> None:
        self.pid = pid
        self.pidfd = pidfd
        self.fd_to = fd_to
        self.fd_from = fd_from
        self.fd_out = fd_out
        self.base = base
        self.limits = limits
        self._ender = ender
        self.returncode: int | None = None
        self.ended = False
        self.inbox = bytearray()
        self.outbox = bytearray()
        self.output = _CappedBytes(limits.output_bytes)
        self.exited = False
        self.eof = False
        self.layers: dict | None = None
        self.ready = False
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd_from, selectors.EVENT_READ, "from")
        self.selector.register(fd_out, selectors.EVENT_READ, "out")
        self.selector.register(pidfd, selectors.EVENT_READ, "exit")
        self.writing = False

    # -- frames --
    def _take_frame(self) -> dict | None:
        if len(self.inbox) < _HEAD.size:
            return None
        hlen, blen = _HEAD.unpack_from(self.inbox)
        if hlen > self.limits.max_header_bytes or blen > self.limits.max_blob_bytes:
            raise _Broken(CallError("protocol", f"the sandboxed process sent a message of {hlen + blen} bytes, "
                                                f"more than allowed"))
        end = _HEAD.size + hlen + blen
        if len(self.inbox) < end:
            return None
        header = bytes(self.inbox[_HEAD.size:_HEAD.size + hlen])
        blob = bytes(self.inbox[_HEAD.size + hlen:end])
        del self.inbox[:end]
        try:
            message = _unpack(header, blob, max_array_bytes=self.limits.max_blob_bytes)
        except wire.WireError as exc:
            raise _Broken(CallError("protocol", f"the sandboxed process sent a malformed message: {exc}")) from None
        if not isinstance(message, dict) or not isinstance(message.get("op"), str):
            raise _Broken(CallError("protocol", "the sandboxed process sent a message without an operation"))
        return message

    def send(self, message: dict) -> None:
        header, blob = wire.pack(message)
        self.outbox += _HEAD.pack(len(header), len(blob)) + header + blob
        self._flush_outbox()

    def _flush_outbox(self) -> None:
        while self.outbox:
            try:
                n = os.write(self.fd_to, self.outbox)
            except BlockingIOError:
                break
            except (BrokenPipeError, OSError):
                self.outbox.clear()  # the child is gone or closed its end: the reads will tell
                break
            del self.outbox[:n]
        want = bool(self.outbox)
        if want != self.writing:
            if want:
                self.selector.register(self.fd_to, selectors.EVENT_WRITE, "to")
            else:
                self.selector.unregister(self.fd_to)
            self.writing = want

    def _read_available(self, fd: int) -> bytes | None:
        """Read what is there (None: nothing now, b"": end of file)."""
        try:
            return os.read(fd, 1 << 20)
        except BlockingIOError:
            return None
        except OSError:
            return b""

    def drain_output(self) -> None:
        while True:
            data = self._read_available(self.fd_out)
            if not data:
                return
            self.output.feed(data)

    def take_output(self) -> str:
        self.drain_output()
        text = self.output.text() if self.output.size else ""
        self.output = _CappedBytes(self.limits.output_bytes)
        return text

    def next_message(self, deadline: float, on_timeout: CallError) -> dict:
        """The next frame from the child, serving its output meanwhile; raises _Broken on trouble."""
        while True:
            message = self._take_frame()
            if message is not None:
                return message
            if self.exited or self.eof:
                # Read whatever it wrote before it went away, then call it a crash.
                while not self.eof:
                    data = self._read_available(self.fd_from)
                    if not data:
                        break
                    self.inbox += data
                message = self._take_frame()
                if message is not None:
                    return message
                if not self.exited and not _wait_readable(self.pidfd, 0.2):
                    raise _Broken(CallError("protocol", "the sandboxed process closed its channel"))
                self.exited = True
                raise _Broken(CallError("crash", self.describe_exit()))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Broken(on_timeout)
            for key, _ in self.selector.select(remaining):
                if key.data == "from":
                    data = self._read_available(self.fd_from)
                    if data == b"":
                        self.eof = True
                        self.selector.unregister(self.fd_from)
                    elif data:
                        self.inbox += data
                elif key.data == "out":
                    data = self._read_available(self.fd_out)
                    if data == b"":
                        self.selector.unregister(self.fd_out)
                    elif data:
                        self.output.feed(data)
                elif key.data == "exit":
                    self.exited = True
                    self.selector.unregister(self.pidfd)
                elif key.data == "to":
                    self._flush_outbox()

    def describe_exit(self) -> str:
        self.end()
        code = self.returncode
        if code is None:
            return "crash: the process running the code died"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            extra = {"SIGXCPU": " (its CPU time limit)", "SIGSEGV": " (a segmentation fault)",
                     "SIGKILL": " (killed)"}.get(name, "")
            return f"crash: the process running the code was killed by {name}{extra}"
        return f"crash: the process running the code exited with status {code}"

    def end(self) -> None:
        """SIGKILL the child's whole process group, reap it, kill every process of the slot uid."""
        if not self.ended:
            self.ended = True
            self.returncode = self._ender()

    def close(self) -> None:
        self.end()
        self.selector.close()
        for fd in (self.fd_to, self.fd_from, self.fd_out, self.pidfd):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.base, ignore_errors=True)


def _wait_readable(fd: int, seconds: float) -> bool:
    return bool(select.select([fd], [], [], seconds)[0])


def _vet(node: Any, depth: int = 0) -> None:
    """Refuse tree parts that decode() would act on in ways a child should not choose."""
    if depth > 64:
        raise wire.WireError("nested too deeply")
    if isinstance(node, dict):
        if node.get("t") == "rng":
            state = node.get("state")
            if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
                raise wire.WireError("an unknown bit generator")
            return
        for v in node.values():
            _vet(v, depth + 1)
    elif isinstance(node, list):
        for v in node:
            _vet(v, depth + 1)


def _read_source(path: Path, limit: int) -> bytes:
    """The submission's bytes, read as root without following a symlink (never /etc/shadow by proxy)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            data += chunk
        if len(data) > limit:
            raise OSError(f"{path.name} is larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


def _child_environment(work: str) -> dict[str, str]:
    threads = "1"
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": work, "TMPDIR": work,
            "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
            "NUMEXPR_NUM_THREADS": threads, "VECLIB_MAXIMUM_THREADS": threads}


def _child_command() -> list[str]:
    """The child interpreter, importing THIS copy of the package (isolated mode: no cwd, no
    PYTHONPATH). Inside an autograder zip the package is a folder next to the tests, not an
    installed distribution, so ``-m autograder.child`` alone would not find it."""
    # The folder holding the package leaves sys.path again right after the import: the child's
    # read access (Landlock) follows sys.path, and that folder may hold instructor files.
    where = str(_PACKAGE_DIR.parent)
    bootstrap = (f"import sys; sys.path.insert(0, {where!r}); from autograder.child import main; "
                 f"sys.path.remove({where!r}); import os; os._exit(main(['child'] + sys.argv[1:]))")
    return [sys.executable, "-I", "-u", "-c", bootstrap]


# ---- the zygote ----------------------------------------------------------------------------

class _Zygote:
    """A clean interpreter (numpy and the trusted modules imported, nothing of the checks) that
    forks the sandboxed children on request: milliseconds per child instead of a fresh interpreter.

    It talks over a SOCK_SEQPACKET socket: "spawn" (the child's three pipe ends go over as
    SCM_RIGHTS, the child's pid and a pidfd come back) and "end" (kill the child's group, reap
    it, kill every process of the slot uid; the wait status comes back). It exits when the judge
    closes the socket, killing what it still runs.
    """

    def __init__(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = subprocess.Popen(
                [*_child_command(), "--zygote", str(theirs.fileno())],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, pass_fds=(theirs.fileno(),), cwd="/",
                env=_child_environment("/"), start_new_session=True, close_fds=True)
        finally:
            theirs.close()
        self.sock = mine
        self.lock = threading.Lock()
        mine.settimeout(60.0)
        hello = json.loads(mine.recv(1 << 16) or b"{}")
        if hello.get("op") != "zygote":
            raise SandboxError("the zygote did not start")
        mine.settimeout(None)

    def _request(self, message: dict, fds: list[int] = ()) -> tuple[dict, list[int]]:
        with self.lock:
            try:
                socket.send_fds(self.sock, [json.dumps(message).encode()], list(fds))
                data, got, _, _ = socket.recv_fds(self.sock, 1 << 16, 4)
            except OSError as exc:
                raise SandboxError(f"the zygote is gone: {exc}") from None
        if not data:
            raise SandboxError("the zygote is gone")
        return json.loads(data), got

    def spawn(self, config: dict, fds: list[int]) -> tuple[int, int]:
        reply, got = self._request({"op": "spawn", "config": config}, fds)
        if not reply.get("ok") or len(got) != 1:
            for fd in got:
                os.close(fd)
            raise SandboxError(f"the zygote could not fork a child: {reply.get('message')}")
        return int(reply["pid"]), got[0]

    def end(self, pid: int | None, uid: int | None) -> int | None:
        reply, _ = self._request({"op": "end", "pid": pid, "uid": uid})
        status = reply.get("status")
        return os.waitstatus_to_exitcode(status) if isinstance(status, int) else None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_ZYGOTES: dict[int, _Zygote] = {}  # one per judge process (keyed by pid: a forked judge makes its own)
_ZYGOTE_LOCK = threading.Lock()
_SWEPT_UIDS: set[int] = set()


def _zygote() -> _Zygote:
    with _ZYGOTE_LOCK:
        z = _ZYGOTES.get(os.getpid())
        if z is None or not z.alive():
            z = _ZYGOTES[os.getpid()] = _Zygote()
        return z


def shutdown_zygote() -> None:
    """Stop this process's zygote (it also stops by itself when the judge exits)."""
    with _ZYGOTE_LOCK:
        z = _ZYGOTES.pop(os.getpid(), None)
    if z is not None:
        z.close()


# ---- the executor --------------------------------------------------------------------------

class SandboxExecutor:
    """Import the part module at ``path`` in a confined child process and run calls in it.

    slot: the worker slot (its uid is ``limits.uid_base + slot`` when running as root); at most one
    live child per slot at a time. The first child is started at once (its start-up overlaps
    whatever the judge does before the first call). ``layers`` records what the last child
    applied (reported by it BEFORE the submission was imported), ``starts`` how many children
    were started.
    """

    def __init__(self, path: str | Path, *, slot: int = 0, limits: Limits = Limits()) -> None:
        self.path = Path(path)
        self.slot = slot
        self.limits = limits
        self.import_error: CallError | None = None
        self.import_output = ""
        self.layers: dict | None = None
        self.starts = 0
        self._child: _Child | None = None
        self._seq = 0
        self._closed = False
        available = detect_layers()
        self.use_uid = available["uid_separation"]
        self.use_landlock = _resolve(limits.landlock, available["landlock"], "Landlock")
        self.use_netns = _resolve(limits.netns, available["netns"], "network namespace")
        self.uid = limits.uid_base + slot if self.use_uid else None
        try:
            self._source = _read_source(self.path, limits.max_source_bytes)
        except OSError as exc:
            self._source = None
            reason = exc.strerror if isinstance(exc.strerror, str) else str(exc)
            self.import_error = CallError("import", f"importing {self.path.name} failed: raised OSError: {reason}")
            return
        self._child = self._spawn()

    # -- child life cycle --
    def _spawn(self) -> _Child:
        if self.uid is not None and self.uid not in _SWEPT_UIDS:
            sweep_uid(self.uid)  # leftovers of an earlier judge run must not share the slot's uid
            _SWEPT_UIDS.add(self.uid)
        base = tempfile.mkdtemp(prefix=f"optlab-slot{self.slot}-")
        pipes: list[int] = []
        try:
            os.chmod(base, 0o711)
            source_dir = os.path.join(base, "submission")
            work = os.path.join(base, "work")
            os.mkdir(source_dir, 0o750)
            name = self.path.name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.py", self.path.name) else "submission.py"
            source = os.path.join(source_dir, name)
            with open(source, "wb") as f:
                f.write(self._source)
            os.mkdir(work, 0o700)
            if self.uid is not None:  # readable by this slot's group only, writable by nobody but root
                os.chmod(source, 0o640)
                os.chown(source, 0, self.uid)
                os.chmod(source_dir, 0o750)
                os.chown(source_dir, 0, self.uid)
                os.chown(work, self.uid, self.uid)
            else:
                os.chmod(source, 0o644)
                os.chmod(source_dir, 0o755)
            to_r, to_w = os.pipe()
            from_r, from_w = os.pipe()
            out_r, out_w = os.pipe()
            pipes = [to_r, to_w, from_r, from_w, out_r, out_w]
            config = {
                "fd_in": to_r, "fd_out": from_w, "source": source, "source_dir": source_dir, "work_dir": work,
                "filename": self.path.name, "uid": self.uid, "gid": self.uid, "netns": self.use_netns,
                "landlock": self.use_landlock, "env": _child_environment(work),
                "hidden": [str(_PACKAGE_DIR), *self.limits.hidden_paths],
                "limits": {"memory_bytes": self.limits.memory_bytes, "cpu_seconds": self.limits.cpu_seconds,
                           "file_bytes": self.limits.file_bytes, "open_files": self.limits.open_files,
                           "processes": self.limits.processes if self.uid is not None else None},
            }
            uid = self.uid
            if self.limits.zygote:
                zygote = _zygote()
                pid, pidfd = zygote.spawn(config, [to_r, from_w, out_w])

                def ender() -> int | None:
                    return zygote.end(pid, uid)
            else:
                proc = subprocess.Popen(
                    [*_child_command(), json.dumps(config)],
                    stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=(to_r, from_w),
                    cwd=work, env=config["env"], start_new_session=True, close_fds=True)
                pid, pidfd = proc.pid, os.pidfd_open(proc.pid)

                def ender() -> int | None:
                    if proc.returncode is None:
                        try:
                            os.killpg(proc.pid, signal.SIGKILL)  # the leader is not reaped yet: no reuse
                        except OSError:
                            pass
                        proc.wait()
                    if uid is not None:
                        kill_uid(uid)
                    return proc.returncode
            for fd in (to_r, from_w, out_w):
                os.close(fd)
                pipes.remove(fd)
            for fd in (to_w, from_r, out_r):
                os.set_blocking(fd, False)
        except BaseException:
            for fd in pipes:
                os.close(fd)
            shutil.rmtree(base, ignore_errors=True)
            raise
        self.starts += 1
        return _Child(pid, pidfd, to_w, from_r, out_r, base, self.limits, ender)

    def _discard_child(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.close()

    def _ready_child(self) -> _Child | None:
        """A child that has imported the module, or None with ``import_error`` set."""
        if self._child is None:
            self._child = self._spawn()
        child = self._child
        if child.ready:
            return child
        try:
            hello = child.next_message(time.monotonic() + self.limits.start_timeout,
                                       CallError("timeout", "the sandbox did not start in time"))
        except _Broken as exc:
            output = child.take_output()
            self._discard_child()
            raise SandboxError(f"the sandbox did not start: {exc.error.message}\n{output}") from None
        if hello.get("op") != "hello" or not isinstance(hello.get("layers"), dict):
            output = child.take_output()
            self._discard_child()
            raise SandboxError(f"the sandbox did not start: {hello.get('message', hello.get('op'))}\n{output}")
        child.layers = self.layers = hello["layers"]
        # (output read so far may already be the import's: the child does not wait for us)
        try:
            ready = child.next_message(time.monotonic() + self.limits.import_timeout, _TIMEOUT)
            if ready.get("op") != "ready":
                raise _Broken(CallError("protocol", "the sandboxed process did not report its import"))
        except _Broken as exc:
            message = exc.error.message
            self.import_error = CallError("import", f"importing {self.path.name} failed: {message}")
            self.import_output = child.take_output()
            self._discard_child()
            return None
        self.import_output = child.take_output()
        if ready.get("ok") is not True:
            message = ready.get("message")
            if not isinstance(message, str) or not message.startswith(f"importing {self.path.name} failed: "):
                message = f"importing {self.path.name} failed"
            self.import_error = CallError("import", message[:2000])
            self._discard_child()
            return None
        child.ready = True
        return child

    # -- the Executor protocol --
    def call(self, function: str, args: tuple, kwargs: dict, *, timeout: float,
             global_seed: int | None = None, then: list[tuple] | None = None) -> Outcome:
        """As ``InProcessExecutor.call``, in the sandboxed child."""
        if self._closed:
            raise SandboxError("the executor is closed")
        if self.import_error is not None:
            return Outcome(error=self.import_error)
        callbacks = wire.Callbacks()
        try:
            sent = wire.encode((args, kwargs), callbacks)
            then_nodes = [wire.encode(tuple(a)) for a in then] if then is not None else None
        except wire.WireError as exc:
            return Outcome(error=CallError("protocol", f"the arguments could not be prepared: {exc}"))
        child = self._ready_child()
        if child is None:
            return Outcome(error=self.import_error)
        child.drain_output()
        child.output = _CappedBytes(self.limits.output_bytes)  # output of nobody's call is dropped
        self._seq += 1
        start = time.perf_counter()
        deadline = time.monotonic() + max(timeout, 0.0)
        try:
            child.send({"op": "call", "seq": self._seq, "function": function, "args": sent,
                        "then": then_nodes, "global_seed": global_seed})
            while True:
                message = child.next_message(deadline, _TIMEOUT)
                op = message.get("op")
                if op == "callback":
                    child.send(self._serve_callback(message, callbacks))
                elif op == "result":
                    outcome = self._outcome(message)
                    break
                else:
                    raise _Broken(CallError("protocol", f"the sandboxed process sent an unexpected {op!r} message"))
        except _Broken as exc:
            output = child.take_output()
            self._discard_child()
            return Outcome(error=exc.error, output=output, seconds=time.perf_counter() - start)
        except BaseException:
            self._discard_child()  # an interrupt of the judge itself: leave nothing running
            raise
        outcome.output = child.take_output()
        outcome.seconds = time.perf_counter() - start
        if child.exited or (outcome.error is not None and outcome.error.message.startswith("raised MemoryError")):
            self._discard_child()  # a child that ran out of memory is not trusted with the next call
        return outcome

    def _serve_callback(self, message: dict, callbacks: wire.Callbacks) -> dict:
        index = message.get("id")
        if message.get("seq") != self._seq:
            return {"op": "reply", "ok": False, "type": "RuntimeError",
                    "message": "this function belongs to an earlier call and is no longer available"}
        if type(index) is not int or not 0 <= index < len(callbacks.functions):
            raise _Broken(CallError("protocol", "the sandboxed process asked for a function it was never given"))
        try:
            _vet(message.get("args"))
            args, kwargs = wire.decode(message.get("args"))
            if type(args) is not tuple or type(kwargs) is not dict:
                raise wire.WireError("arguments are not a tuple and a dict")
        except (wire.WireError, ValueError, TypeError) as exc:
            raise _Broken(CallError("protocol", f"a malformed request for a callback: {exc}")) from None
        try:
            result = callbacks.functions[index](*args, **kwargs)
            value = wire.encode(result)
        except Exception as exc:  # noqa: BLE001 - raised in the student's code, as in-process
            text = str(exc)
            return {"op": "reply", "ok": False, "type": type(exc).__name__, "message": text}
        return {"op": "reply", "ok": True, "value": value}

    def _outcome(self, message: dict) -> Outcome:
        if message.get("ok") is True:
            try:
                _vet(message.get("value"))
                _vet(message.get("after"))
                value = wire.decode(message["value"])
                after = wire.decode(message["after"])
            except (wire.WireError, KeyError, TypeError) as exc:
                raise _Broken(CallError("protocol", f"the sandboxed process sent a malformed result: {exc}")) from None
            if not (type(after) is tuple and len(after) == 2 and type(after[0]) is tuple and type(after[1]) is dict):
                raise _Broken(CallError("protocol", "the sandboxed process sent malformed arguments-after"))
            return Outcome(value=value, args_after=after[0], kwargs_after=after[1])
        kind, text = message.get("kind"), message.get("message")
        if message.get("ok") is not False or kind not in _CHILD_KINDS or not isinstance(text, str):
            raise _Broken(CallError("protocol", "the sandboxed process sent a malformed error report"))
        if text.startswith("raised MemoryError"):
            text += f" (the sandbox's memory limit is {self.limits.memory_bytes >> 20} MiB)"
        return Outcome(error=CallError(kind, text[:2000]))

    def suspend(self) -> None:
        """Stop the current child (the next call starts a fresh one); keeps the import verdict."""
        self._discard_child()

    def close(self) -> None:
        self._discard_child()
        self._closed = True

    def __enter__(self) -> "SandboxExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self._discard_child()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def sandbox_factory(folder: str | Path, *, slot: int = 0, limits: Limits = Limits()) -> Callable[[str], Executor]:
    """executor_for(part) over a folder of part files, for run_checks, with sandboxed executors.

    Keeps one live child per slot: asking for the next part suspends the previous part's executor
    (it would start a fresh child if it were called again).
    """
    folder = Path(folder)
    previous: list[SandboxExecutor] = []

    def executor_for(part: str) -> Executor:
        while previous:
            previous.pop().suspend()
        path = folder / f"{part}.py"
        if not path.is_file() and not path.is_symlink():
            return MissingPartExecutor(path.name)
        executor = SandboxExecutor(path, slot=slot, limits=limits)
        previous.append(executor)
        return executor

    return executor_for
