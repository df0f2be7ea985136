"""Executing student functions: one interface, an in-process implementation.

Checks never touch a student module directly. They ask an executor to call a function by
name with arguments; the executor translates arguments and results through ``wire`` (so a
check sees the same plain data whatever the executor) and reports every way the call can go
wrong as a ``CallError`` instead of raising: a missing function, a failed import,
``NotImplementedError``, any exception including ``BaseException`` subclasses such as
``SystemExit`` or ``KeyboardInterrupt``, a timeout, a value that cannot travel.

``InProcessExecutor`` runs the code in this process. It is fast and is what the project's own
tests and the student/TA ``optgrade check`` use; it protects against mistakes, not malice
(the sandboxed executor of the bulk grader is the one for untrusted code).
"""
from __future__ import annotations

import contextlib
import io
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from . import wire
from .loading import load_module

OUTPUT_LIMIT = 64 * 1024  # characters of a call's printed output kept for feedback


@dataclass(frozen=True)
class CallError:
    """Why a call produced no usable value.

    kind: "missing" (no such function), "import" (the module failed to import),
    "not_implemented", "exception", "timeout", "crash" (the process running it died),
    "value" (the result cannot be represented as data) or "protocol".
    """

    kind: str
    message: str


@dataclass
class Outcome:
    """What one call did: its value (as data), the arguments as they were afterwards, or an error."""

    value: Any = None
    args_after: tuple = ()
    kwargs_after: dict = field(default_factory=dict)
    error: CallError | None = None
    output: str = ""
    seconds: float = 0.0


class Executor(Protocol):
    """Runs calls into one part module of one submission."""

    def call(self, function: str, args: tuple, kwargs: dict, *, timeout: float,
             global_seed: int | None = None, then: list[tuple] | None = None) -> Outcome: ...

    def close(self) -> None: ...


class CallTimeout(BaseException):
    """Raised inside student code when its time is up (a BaseException, so `except Exception` cannot swallow it)."""


class _CappedText(io.TextIOBase):
    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if self.size < self.limit:
            self.parts.append(s[: self.limit - self.size])
        self.size += len(s)
        return len(s)

    def text(self) -> str:
        kept = "".join(self.parts)
        return kept + (f"\n[... {self.size - self.limit} more characters not kept]" if self.size > self.limit else "")


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise CallTimeout in the main thread after ``seconds`` (no limit off the main thread)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise CallTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe_exception(exc: BaseException) -> CallError:
    """Turn anything raised by student code into a CallError with its type and message."""
    if isinstance(exc, CallTimeout):
        return CallError("timeout", "timeout: the call did not finish within its time limit")
    text = str(exc)
    if len(text) > 300:
        text = text[:300] + "..."
    name = type(exc).__name__
    if isinstance(exc, NotImplementedError):
        return CallError("not_implemented", f"not implemented yet (NotImplementedError: {text})")
    return CallError("exception", f"raised {name}: {text}" if text else f"raised {name}")


def apply_returned_function(result: Any, calls: list[tuple]) -> list:
    """Evaluate a returned function at each argument tuple (student side, inside the time limit)."""
    if not callable(result):
        raise TypeError(f"expected a function to be returned, got {type(result).__name__}")
    return [result(*a) for a in calls]


def invoke_student(fn: Callable[..., Any], args: tuple, kwargs: dict, global_seed: int | None,
                   then: list[tuple] | None) -> Any:
    """Call student code the way a check asked (shared by this executor and the sandbox's child).

    global_seed: seed np.random and random first (a check shows the result ignores them);
    then: the result is a function, to be evaluated at each argument tuple.
    """
    if global_seed is not None:
        np.random.seed(global_seed)
        random.seed(global_seed)
    result = fn(*args, **kwargs)
    return apply_returned_function(result, then) if then is not None else result


def student_state_factory(module: Any) -> Callable[[str, dict], Any]:
    """Build judge-described states with the submission's own NamedTuple classes."""

    def make_state(cls: str, fields: dict) -> Any:
        state_class = getattr(module, cls, None)
        if not isinstance(state_class, type):
            raise wire.WireError(f"the module defines no class {cls}")
        return state_class(**fields)

    return make_state


class InProcessExecutor:
    """Import the part module from ``path`` once, in this process, and call into it."""

    def __init__(self, path: str | Path, *, import_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.module: Any = None
        self.import_error: CallError | None = None
        self.import_output = ""
        buffer = _CappedText(OUTPUT_LIMIT)
        try:
            with _time_limit(import_timeout), contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                self.module = load_module(self.path)
        except BaseException as exc:  # noqa: BLE001 - anything at import is the submission's fault
            err = describe_exception(exc)
            self.import_error = CallError("import", f"importing {self.path.name} failed: {err.message}")
        self.import_output = buffer.text()

    def call(self, function: str, args: tuple, kwargs: dict, *, timeout: float,
             global_seed: int | None = None, then: list[tuple] | None = None) -> Outcome:
        """Call ``function(*args, **kwargs)`` within ``timeout`` seconds.

        global_seed: seed np.random and random just before the call (to show that the result
        does not depend on them). then: the result is a function (task 1.4); call it with each
        argument tuple and return the list of those results as the value.
        """
        if self.import_error is not None:
            return Outcome(error=self.import_error)
        fn = getattr(self.module, function, None)
        if not callable(fn):
            return Outcome(error=CallError("missing", f"{self.path.name} has no function {function}"))
        callbacks = wire.Callbacks()
        try:
            sent = wire.encode((args, kwargs), callbacks)
            s_args, s_kwargs = wire.decode(sent, make_state=student_state_factory(self.module),
                                           make_callback=lambda i: _forwarding(callbacks.functions[i], self.module),
                                           make_code=wire.compile_shipped)
            s_then = [wire.decode(wire.encode(tuple(a))) for a in then] if then is not None else None
        except wire.WireError as exc:
            return Outcome(error=CallError("protocol", f"the arguments could not be prepared: {exc}"))
        buffer = _CappedText(OUTPUT_LIMIT)
        start = time.perf_counter()
        try:
            with _time_limit(timeout), contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                result = invoke_student(fn, s_args, s_kwargs, global_seed, s_then)
        except BaseException as exc:  # noqa: BLE001 - every failure of student code is a finding
            return Outcome(error=describe_exception(exc), output=buffer.text(), seconds=time.perf_counter() - start)
        seconds = time.perf_counter() - start
        try:
            value = wire.decode(wire.encode(result))
            args_after, kwargs_after = wire.decode(wire.encode((tuple(s_args), dict(s_kwargs))))
        except (wire.WireError, RecursionError) as exc:
            return Outcome(error=CallError("value", f"the returned value cannot be read: {exc}"),
                           output=buffer.text(), seconds=seconds)
        return Outcome(value=value, args_after=args_after, kwargs_after=kwargs_after,
                       output=buffer.text(), seconds=seconds)

    def close(self) -> None:
        self.module = None


def _forwarding(judge_fn: Callable[..., Any], module: Any) -> Callable[..., Any]:
    """A student-side stand-in for a judge callback: arguments and result cross as data."""

    def forward(*args: Any, **kwargs: Any) -> Any:
        sent = wire.decode(wire.encode((args, kwargs)))
        result = judge_fn(*sent[0], **sent[1])
        return wire.decode(wire.encode(result), make_state=student_state_factory(module))

    return forward


class FailingExecutor:
    """A part that cannot run (missing, broken or refused file): every call fails with one reason."""

    def __init__(self, error: CallError) -> None:
        self.error = error

    def call(self, function: str, args: tuple, kwargs: dict, *, timeout: float,
             global_seed: int | None = None, then: list[tuple] | None = None) -> Outcome:
        return Outcome(error=self.error)

    def close(self) -> None:
        pass


class MissingPartExecutor(FailingExecutor):
    """Stands in for a part file the submission does not have."""

    def __init__(self, filename: str) -> None:
        super().__init__(CallError("missing", f"the submission has no {filename}"))


def in_process_factory(folder: str | Path) -> Callable[[str], Executor]:
    """executor_for(part) over a folder of part files, for run_checks (trusted code only)."""
    folder = Path(folder)

    def executor_for(part: str) -> Executor:
        path = folder / f"{part}.py"
        return InProcessExecutor(path) if path.is_file() else MissingPartExecutor(path.name)

    return executor_for
