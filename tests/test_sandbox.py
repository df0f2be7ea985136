"""The sandboxed executor: same verdicts as in-process for honest code, and hostile code contained.

Hostile submissions live in tests/hostile/. Every test asserts on values: error kinds, passed
flags, files that must not exist, bytes a listener must not receive, processes that must be gone.
Tests that need root (uid separation, network namespace) or Landlock are skipped without them.
"""
from __future__ import annotations

import os
import resource
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import sandbox
from autograder.checking import Recorder, run_checks
from autograder.executor import InProcessExecutor, in_process_factory
from autograder.registry import checks_for
from autograder.sandbox import Limits, SandboxExecutor, detect_layers, processes_of_uid, sandbox_factory
from harness import ASSIGNMENTS, ROOT, SOLUTIONS, TEST_SEEDS

HOSTILE = Path(__file__).resolve().parent / "hostile"
LAYERS = detect_layers()
SLOT = 7  # uid 61007 when root
UID = Limits().uid_base + SLOT
needs_root = pytest.mark.skipif(not LAYERS["uid_separation"], reason="uid separation needs root")
needs_landlock = pytest.mark.skipif(not LAYERS["landlock"], reason="the kernel has no Landlock")
needs_isolation = pytest.mark.skipif(not (LAYERS["landlock"] or LAYERS["uid_separation"]),
                                     reason="neither Landlock nor uid separation")


def sandboxed(name: str | Path, **limits) -> SandboxExecutor:
    path = name if isinstance(name, Path) else HOSTILE / f"{name}.py"
    return SandboxExecutor(path, slot=SLOT, limits=Limits(**limits))


def call(ex, function: str, *args, timeout: float = 5.0, **kwargs):
    return ex.call(function, args, kwargs, timeout=timeout)


def compose(tmp_path: Path, extra: str, folder: str = "submission") -> Path:
    """A folder holding the reference descent.py with ``extra`` appended (later definitions win)."""
    path = tmp_path / folder
    path.mkdir()
    (path / "descent.py").write_text((SOLUTIONS / "descent.py").read_text() + "\n\n" + extra)
    return path


def verdicts(results) -> list[tuple[str, bool, str]]:
    return [(r.name, r.passed, r.kind) for r in results]


def wait_until_no_process(uid: int, seconds: float = 1.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while True:
        left = processes_of_uid(uid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


# ---- layers and honest behaviour ---------------------------------------------------------------

def test_detect_layers_reports_what_the_machine_offers():
    assert LAYERS["kernel"] == os.uname().release
    assert LAYERS["rlimits"] and LAYERS["process_group_kill"]
    assert LAYERS["secure"] == (LAYERS["landlock"] or LAYERS["uid_separation"])
    assert LAYERS["landlock_tcp"] == (LAYERS["landlock_abi"] >= 4)
    with sandboxed("exits") as ex:
        assert call(ex, "fine", 2.0).value == 4.0
        applied = ex.layers
    assert applied["session_leader"] is True
    assert applied["rlimits"]["memory_bytes"] == Limits().memory_bytes
    if LAYERS["landlock"]:
        assert applied["landlock"]["fs"] and applied["landlock"]["tcp"] == LAYERS["landlock_tcp"]
    if LAYERS["uid_separation"]:
        assert applied["uid"] == UID
    if LAYERS["netns"]:
        assert applied["netns"] is True


def test_one_child_serves_every_call_of_a_part_with_in_process_semantics():
    momentum = SOLUTIONS / "momentum.py"
    with SandboxExecutor(momentum, slot=SLOT) as ex:
        local = InProcessExecutor(momentum)
        params = np.array([1.0, -2.0])
        for executor in (ex, local):
            state = call(executor, "momentum_init", params).value
            assert state.cls == "MomentumState" and np.array_equal(state.velocity, [0.0, 0.0])
        # a state built by the judge travels into the student's NamedTuple class and back
        a = call(ex, "momentum_update", params, np.array([0.5, 0.5]), state, lr=0.1, beta=0.9)
        b = call(local, "momentum_update", params, np.array([0.5, 0.5]), state, lr=0.1, beta=0.9)
        assert a.error is None and np.array_equal(a.value[0], b.value[0])
        assert a.value[1].cls == b.value[1].cls and np.array_equal(a.value[1].velocity, b.value[1].velocity)
        assert a.kwargs_after == {"lr": 0.1, "beta": 0.9} and np.array_equal(a.args_after[0], params)
        assert call(ex, "no_such_function").error.kind == "missing"
        assert ex.starts == 1
    with SandboxExecutor(SOLUTIONS / "descent.py", slot=SLOT) as ex:
        # callbacks are served by the judge (and recorded there); `then` evaluates a returned function
        f = Recorder(lambda x: float(np.sum(np.asarray(x) ** 2)))
        out = call(ex, "numerical_gradient", f, np.array([1.0, 2.0]))
        assert np.allclose(out.value, [2.0, 4.0]) and len(f.calls) == 4
        out = ex.call("grad_quadratic", (np.eye(2), np.ones(2)), {}, timeout=5, then=[(np.array([1.0, 2.0]),)])
        assert np.allclose(out.value[0], [0.0, 1.0])
        with SandboxExecutor(HOSTILE / "printer.py", slot=SLOT + 1) as chatty:
            out = call(chatty, "chatty", 3)
            assert out.value == 3 and "hello from 3" in out.output and "to stderr" in out.output
        assert ex.starts == 1


@pytest.mark.slow
@pytest.mark.parametrize("folder", [SOLUTIONS, ASSIGNMENTS], ids=["solutions", "assignments"])
def test_every_check_gets_the_same_verdict_sandboxed_and_in_process(folder):
    checks = checks_for()
    seed = TEST_SEEDS[0]
    local = run_checks(checks, in_process_factory(folder), seed)
    remote = run_checks(checks, sandbox_factory(folder, slot=SLOT), seed)
    assert [(r.name, r.passed, r.kind, r.message) for r in remote] == [(r.name, r.passed, r.kind, r.message) for r in local]


@pytest.mark.slow
def test_a_fresh_interpreter_per_child_gives_the_same_verdicts_as_the_zygote():
    checks = checks_for("descent")
    local = run_checks(checks, in_process_factory(SOLUTIONS), TEST_SEEDS[1])
    remote = run_checks(checks, sandbox_factory(SOLUTIONS, slot=SLOT, limits=Limits(zygote=False)), TEST_SEEDS[1])
    assert verdicts(remote) == verdicts(local)


# ---- time, memory, processes, output -----------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("function", ["spin", "sleepy", "stubborn"])
def test_a_call_that_never_returns_is_stopped_within_its_limit(function):
    with sandboxed("busy") as ex:
        assert call(ex, "fine", 1.0).value == 2.0
        start = time.monotonic()
        out = call(ex, function, timeout=1.0)
        elapsed = time.monotonic() - start
        assert out.error.kind == "timeout" and elapsed < 1.5
        assert call(ex, "fine", 2.0).value == 4.0  # a fresh child for the next call
        assert ex.starts == 2


@pytest.mark.slow
def test_memory_bombs_fail_and_the_judge_stays_small():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with sandboxed("memory", memory_bytes=512 << 20) as ex:
        out = call(ex, "bomb", timeout=10)
        assert out.error.kind in ("exception", "timeout", "crash")
        assert out.error.kind != "exception" or "MemoryError" in out.error.message
        out = call(ex, "numpy_bomb")
        assert out.error.kind == "exception" and "MemoryError" in out.error.message
        out = call(ex, "big_return")  # 200 MiB: more than a message may carry (or than packing it may take)
        assert out.error is not None and out.error.kind in ("protocol", "crash")
        assert call(ex, "fine", 1.0).value == 2.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024  # KiB


@needs_root
@pytest.mark.slow
def test_detached_processes_and_fork_bombs_leave_nothing_running():
    with sandboxed("forks") as ex:
        assert call(ex, "scatter", 12).value == 12
        assert len(processes_of_uid(UID)) >= 12  # the sleepers exist while the child lives
        assert call(ex, "fine", 1.0).value == 2.0
    assert wait_until_no_process(UID) == []
    with sandboxed("forks") as ex:
        out = call(ex, "bomb", timeout=1.0)
        assert out.error.kind == "timeout"
        assert processes_of_uid(UID) == []  # killed at the timeout, and gone before the call returned
        assert call(ex, "fine", 3.0).value == 6.0
    assert wait_until_no_process(UID) == []
    zygote = sandbox._zygote().proc.pid
    assert Path(f"/proc/{zygote}/task/{zygote}/children").read_text().split() == []  # no zombie left either


def test_the_zygote_kills_and_reaps_what_a_child_left_behind():
    # The zygote is a child subreaper: detached processes of a child become its children, and
    # are killed and reaped when the child ends (the only cleanup of a judge that is not root).
    with sandboxed("forks") as ex:
        assert call(ex, "scatter", 5).value == 5
        zygote = sandbox._zygote().proc.pid
        children = Path(f"/proc/{zygote}/task/{zygote}/children").read_text().split()
        assert len(children) >= 1 + 5  # the child and its five orphans
    assert Path(f"/proc/{zygote}/task/{zygote}/children").read_text().split() == []


def test_a_flood_of_output_is_read_but_only_a_capped_part_kept():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with sandboxed("printer") as ex:
        for function, value in (("flood", 42), ("flood_raw", 43)):
            out = call(ex, function, timeout=30)
            assert out.error is None and out.value == value
            assert len(out.output) < Limits().output_bytes + 100
            assert "more bytes not kept" in out.output
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024


# ---- ways out of a call, and of an import -------------------------------------------------------

@pytest.mark.parametrize("function", ["keyboard", "custom", "system_exit", "generator_exit", "not_implemented"])
def test_base_exceptions_in_a_call_are_reported_exactly_as_in_process(function):
    with sandboxed("exits") as ex:
        out = call(ex, function)
        assert out.error == call(InProcessExecutor(HOSTILE / "exits.py"), function).error
        assert out.error.kind in ("exception", "not_implemented")
        assert call(ex, "fine", 1.0).value == 2.0
        assert ex.starts == 1  # an exception does not cost the child


@pytest.mark.parametrize("function,reason", [("hard_exit", "exited with status 3"), ("segfault", "SIGSEGV"),
                                             ("kill_self", "SIGKILL")])
def test_a_call_that_kills_its_process_is_a_crash_and_the_next_call_runs(function, reason):
    with sandboxed("exits") as ex:
        out = call(ex, function)
        assert out.error.kind == "crash" and reason in out.error.message
        assert call(ex, "fine", 1.0).value == 2.0
        assert ex.starts == 2


def test_os_exit_in_one_function_zeroes_only_that_functions_checks(tmp_path):
    folder = compose(tmp_path, "import os\n\ndef grad_rosenbrock(p):\n    os._exit(1)\n")
    results = run_checks(checks_for("descent"), sandbox_factory(folder, slot=SLOT), TEST_SEEDS[0])
    for r in results:
        if r.task == "1.3":
            assert (r.passed, r.kind) == (False, "crash"), r
        else:
            assert (r.passed, r.kind) == (True, "passed"), r


def test_sys_exit_at_import_fails_every_call_with_the_reason():
    with sandboxed("exit_at_import") as ex:
        out = call(ex, "fine", 1.0)
        assert out.error == InProcessExecutor(HOSTILE / "exit_at_import.py").import_error
        assert out.error.kind == "import" and "SystemExit" in out.error.message
        assert "bye" in ex.import_output
        assert call(ex, "fine", 2.0).error.kind == "import" and ex.starts == 1


def test_os_exit_or_an_endless_loop_at_import_is_an_import_error():
    with sandboxed("os_exit_at_import") as ex:
        out = call(ex, "fine", 1.0)
        assert out.error.kind == "import" and "crash" in out.error.message
    with sandboxed("hang_at_import", import_timeout=1.0) as ex:
        start = time.monotonic()
        out = call(ex, "fine", 1.0)
        assert out.error.kind == "import" and "timeout" in out.error.message
        assert time.monotonic() - start < 1.5
        assert call(ex, "fine", 1.0).error.kind == "import" and ex.starts == 1


# ---- values that lie ---------------------------------------------------------------------------

def test_lying_objects_subclasses_and_pickle_payloads_arrive_as_descriptions(tmp_path):
    marker = tmp_path / "payload-ran"
    with sandboxed("liars") as ex:
        local = InProcessExecutor(HOSTILE / "liars.py")
        for function, args in (("liar", ()), ("liar_list", ()), ("subclass", ([1.0, 2.0],)),
                               ("payload", (str(marker),)), ("object_array", ())):
            a, b = ex.call(function, args, {}, timeout=5), local.call(function, args, {}, timeout=5)
            assert a.error is None and repr(a.value) == repr(b.value)
        assert call(ex, "subclass", [1.0]).value == sandbox.wire.Unsupported("ndarray subclass Sub")
    assert not marker.exists()


HONEST_IMPORTS = """
import collections, dataclasses, decimal, fractions, functools, heapq, itertools, json, math, statistics
from typing import NamedTuple


def work(x):
    import bisect, copy, numpy.polynomial, numpy.linalg  # lazily, after every layer is in place
    return [float(fractions.Fraction(1, 3) * 3), statistics.mean([1, 2, 3]), str(decimal.Decimal(1) / 4),
            bisect.bisect([1, 2, 3], x), float(numpy.polynomial.Polynomial([1, 2])(x))]
"""


def test_an_honest_submission_imports_the_standard_library_after_the_uid_drop(tmp_path):
    (tmp_path / "descent.py").write_text(HONEST_IMPORTS)
    with SandboxExecutor(tmp_path / "descent.py", slot=SLOT) as ex:
        out = call(ex, "work", 2)
    assert out.error is None and out.value == [1.0, 2, "0.25", 2, 5.0]


def test_a_correct_value_in_a_lying_wrapper_fails_its_checks(tmp_path):
    folder = compose(tmp_path, "class _Sub(np.ndarray):\n    def __eq__(self, other):\n        return True\n\n"
                               "_grad = grad_rosenbrock\n\ndef grad_rosenbrock(p):\n    return _grad(p).view(_Sub)\n")
    for factory in (in_process_factory(folder), sandbox_factory(folder, slot=SLOT)):
        results = [r for r in run_checks(checks_for("descent"), factory, TEST_SEEDS[0]) if r.task == "1.3"]
        assert results and not any(r.passed for r in results)


def test_monkeypatching_numpy_and_builtins_at_import_changes_no_verdict(tmp_path):
    wrong = "def grad_rosenbrock(p):\n    return np.zeros(2)\n"
    plain = compose(tmp_path, wrong, "plain")
    patched = compose(tmp_path, (HOSTILE / "monkeypatch.py").read_text(), "patched")
    expected = run_checks(checks_for("descent"), in_process_factory(plain), TEST_SEEDS[0])
    got = run_checks(checks_for("descent"), sandbox_factory(patched, slot=SLOT), TEST_SEEDS[0])
    assert verdicts(got) == verdicts(expected)
    assert not any(r.passed for r in got if r.task == "1.3")
    assert not np.allclose([1.0], [2.0]) and abs(-1) == 1  # and the judge's own numpy and builtins are intact


# ---- escaping the sandbox ----------------------------------------------------------------------

@needs_isolation
def test_fake_results_cannot_be_written_outside_the_private_directory(tmp_path):
    fake = Path("/tmp/optlab-fake-results.json")
    fake.unlink(missing_ok=True)
    results = tmp_path / "results"
    results.mkdir()
    targets = [str(results / "results.json"), str(fake), str(ROOT / "results.json"), "/tmp/results.json",
               str(HOSTILE / "results.json"), "scratch.json"]
    with sandboxed("escape") as ex:
        written = call(ex, "write_files", targets).value
        base = ex._child.base
    assert written == ["scratch.json"]  # its own working directory only
    assert not fake.exists() and not (results / "results.json").exists() and not (ROOT / "results.json").exists()
    assert not Path("/tmp/results.json").exists() and not (HOSTILE / "results.json").exists()
    assert not Path(base).exists()  # the private directory is gone with the child


@needs_landlock
def test_the_graders_files_cannot_be_read():
    with sandboxed("escape") as ex:
        assert call(ex, "grader_files").value == []
        secrets = [str(ROOT / "autograder" / "checks" / "descent.py"), str(ROOT / "instructor" / "grading.toml"),
                   str(ROOT / "solutions" / "descent.py"), str(ROOT / "tests"), "/root/.bashrc", "/etc/passwd"]
        assert call(ex, "read_files", secrets).value == []
        loaded = call(ex, "loaded_modules").value
        assert not any(m.startswith(("autograder.checks", "autograder.registry", "autograder.checking",
                                     "autograder.expect", "autograder.objectives")) for m in loaded), loaded


@needs_root
def test_the_child_runs_as_the_slots_uid_without_groups_or_the_zygotes_socket():
    with sandboxed("escape") as ex:
        uid, gid, cwd, groups = call(ex, "whoami").value
        fds = call(ex, "open_descriptors").value
    assert (uid, gid, groups) == (UID, UID, [])
    assert cwd.endswith("/work")
    assert fds["0"] == "other" and fds["3"] == fds["4"] == "fifo"  # /dev/null and the two channel pipes
    assert "socket" not in fds.values()


@needs_root
def test_with_the_uid_alone_files_of_the_judge_stay_out_of_reach(tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text("seed = 1")
    secret.chmod(0o600)
    with sandboxed("escape", landlock=False) as ex:
        assert call(ex, "fine", 1).value == 2
        assert call(ex, "read_files", [str(secret), "/root/.bashrc"]).value == []
        # (a world-writable folder such as /tmp stays writable with the uid alone: the judge
        # writes its results where only root can)
        assert call(ex, "write_files", [str(tmp_path / "results.json"), str(ROOT / "results.json"),
                                        "scratch.json"]).value == ["scratch.json"]
        assert "landlock" not in ex.layers
    assert not (tmp_path / "results.json").exists() and not (ROOT / "results.json").exists()
    Path("/tmp/optlab-fake-results.json").unlink(missing_ok=True)  # written at import: /tmp is everyone's


@pytest.mark.skipif(not (LAYERS["netns"] or LAYERS["landlock_tcp"]), reason="no network isolation layer")
def test_no_connection_reaches_a_listener_of_the_judge():
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(5)
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    received: list[bytes] = []

    def accept():
        tcp.settimeout(3)
        try:
            conn, _ = tcp.accept()
            received.append(conn.recv(100))
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        with sandboxed("escape") as ex:
            sent = call(ex, "connect", port).value
    finally:
        thread.join()
        udp.setblocking(False)
        try:
            received.append(udp.recv(100))
        except BlockingIOError:
            pass
        tcp.close()
        udp.close()
    if LAYERS["netns"]:
        assert sent == [] and received == []
    else:  # Landlock alone stops TCP only
        assert "tcp" not in sent and all(b"exfiltrated" != r for r in received[:1])


@needs_isolation
def test_the_judge_cannot_be_signalled():
    zygote = sandbox._zygote()
    with sandboxed("escape") as ex:
        out = call(ex, "kill_parent")  # the zygote, here
        assert out.error is not None and "PermissionError" in out.error.message
        assert call(ex, "kill_pid", os.getpid()).value == "PermissionError"
        out = call(ex, "kill_everyone")
        assert out.error is None or out.error.kind == "crash"
        assert call(ex, "fine", 1.0).value == 2.0
    assert zygote.alive() and sandbox._zygote() is zygote


# ---- the channel ---------------------------------------------------------------------------

@pytest.mark.parametrize("function,kinds", [("garbage", {"protocol"}), ("huge_frame", {"protocol"}),
                                            ("close_channel", {"protocol", "crash", "timeout"}),
                                            ("forged_json", {"protocol"})])
def test_tampering_with_the_channel_is_a_protocol_error(function, kinds):
    state = np.random.get_state()[1].copy()
    with sandboxed("protocol") as ex:
        out = call(ex, function, timeout=2)
        assert out.error is not None and out.error.kind in kinds, out.error
        assert call(ex, "fine", 1.0).value == 2.0 and ex.starts == 2
    assert np.array_equal(np.random.get_state()[1], state)  # "seed" was never looked up in numpy


def test_a_judge_function_kept_from_an_earlier_call_is_refused():
    with sandboxed("protocol") as ex:
        assert call(ex, "keep", lambda x: x + 1).value == 2.0
        out = call(ex, "use_kept", 1.0)
        assert out.error.kind == "exception" and "no longer available" in out.error.message


def test_a_symlinked_part_file_is_not_followed(tmp_path):
    (tmp_path / "descent.py").symlink_to("/etc/hostname")
    ex = sandbox_factory(tmp_path, slot=SLOT)("descent")
    try:
        out = call(ex, "chain_rule_example", 1.0)
        assert out.error.kind == "import"
    finally:
        ex.close()
