"""Running checks against one submission's part module and turning every outcome into a result.

A check calls student functions through ``ctx.call`` and raises :class:`CheckFailed` (through
``ctx.fail`` or the helpers of ``expect``) when a property does not hold. Whatever happens —
a failed property, an error in the student's code, a timeout, a value the check cannot read —
the check becomes one :class:`CheckResult` and the next check runs.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from .executor import CallError, Executor, Outcome
from .registry import Check

PUBLIC_SEED = 20241104  # public checks use fixed inputs that students may see and rerun


class CheckFailed(Exception):
    """A property of the task does not hold. ``mistake`` names a diagnosed known mistake."""

    def __init__(self, message: str, mistake: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mistake = mistake


class StudentCallFailed(Exception):
    """The student's function produced no value (raised, timed out, missing, ...)."""

    def __init__(self, function: str, error: CallError) -> None:
        super().__init__(f"{function}: {error.message}")
        self.function = function
        self.error = error


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check, ready for a gradebook, Gradescope or a terminal table."""

    name: str
    task: str
    title: str
    points: float
    hidden: bool
    passed: bool
    message: str
    kind: str  # "passed", "failed", "not_implemented", "error", "timeout", "missing", "import", "crash"
    mistake: str | None = None
    seconds: float = 0.0
    plots: tuple = ()  # Figure data attached by public checks (see Ctx.plot); never in results.json

    @property
    def score(self) -> float:
        return self.points if self.passed else 0.0


def seed_for(check: Check, grading_seed: int | None) -> np.random.SeedSequence:
    """Inputs of a hidden check come from the grading seed and the check's name; public ones are fixed."""
    digest = int.from_bytes(hashlib.sha256(check.name.encode()).digest()[:8], "little")
    base = PUBLIC_SEED if not check.hidden else grading_seed
    if base is None:
        raise ValueError("hidden checks need the grading seed of the instructor configuration")
    return np.random.SeedSequence([base, digest])


class Ctx:
    """What a check works with: its input generator and calls into the student's module."""

    def __init__(self, check: Check, executor: Executor, grading_seed: int | None) -> None:
        self.check = check
        self.hidden = check.hidden
        self.rng = np.random.default_rng(seed_for(check, grading_seed))
        self._executor = executor
        self._deadline = time.monotonic() + check.timeout
        self.output: list[str] = []
        self.plots: list = []

    def seed(self) -> int:
        """A fresh integer seed (from this check's inputs generator) for a Generator handed to student code."""
        return int(self.rng.integers(2**63))

    def outcome(self, function: str, *args: Any, global_seed: int | None = None,
                then: list[tuple] | None = None, **kwargs: Any) -> Outcome:
        """Call a student function; return everything that happened (never raises for student errors).

        global_seed and then: see ``Executor.call``."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            return Outcome(error=CallError("timeout", "timeout: the check ran out of time"))
        result = self._executor.call(function, args, kwargs, timeout=remaining, global_seed=global_seed, then=then)
        if result.output:
            self.output.append(result.output)
        return result

    def call(self, function: str, *args: Any, global_seed: int | None = None,
             then: list[tuple] | None = None, **kwargs: Any) -> Any:
        """Call a student function and return its value; a failed call fails the check."""
        result = self.outcome(function, *args, global_seed=global_seed, then=then, **kwargs)
        if result.error is not None:
            raise StudentCallFailed(function, result.error)
        return result.value

    def require(self, outcome: Outcome, function: str) -> Outcome:
        """Fail the check (keeping the kind: not implemented, timeout, ...) when the call produced no value."""
        if outcome.error is not None:
            raise StudentCallFailed(function, outcome.error)
        return outcome

    def plot(self, figure: Any) -> None:
        """Attach figure data (a ``figures`` dataclass of plain arrays) for the student's feedback.

        Only public checks keep figures: a picture of a hidden check would show its inputs.
        Figures are drawn later, in the judge, only for checks that failed.
        """
        if not self.hidden:
            self.plots.append(figure)

    def fail(self, message: str, mistake: str | None = None) -> None:
        raise CheckFailed(message, mistake)


def _kind_of(error: CallError) -> str:
    return {"exception": "error", "value": "error", "protocol": "error"}.get(error.kind, error.kind)


def run_check(check: Check, executor: Executor, grading_seed: int | None) -> CheckResult:
    """Run one check; every outcome, including bugs in the check's handling of odd values, is a result."""
    start = time.perf_counter()

    ctx = Ctx(check, executor, grading_seed)

    def result(passed: bool, message: str, kind: str, mistake: str | None = None) -> CheckResult:
        return CheckResult(check.name, check.task, check.title, check.points, check.hidden, passed,
                           message, kind, mistake, time.perf_counter() - start, tuple(ctx.plots))

    try:
        with np.errstate(all="ignore"):  # divergence is part of the lab: overflow is never a finding
            check.func(ctx)
    except CheckFailed as exc:
        return result(False, exc.message, "failed", exc.mistake)
    except StudentCallFailed as exc:
        return result(False, f"{exc.function}: {exc.error.message}", _kind_of(exc.error))
    except Exception as exc:  # noqa: BLE001 - a value the check did not foresee is the submission's failure
        return result(False, f"the check could not use what the code returned ({type(exc).__name__}: {exc})", "error")
    return result(True, "passed", "passed")


def run_checks(checks: Iterable[Check], executor_for: Callable[[str], Executor], grading_seed: int | None,
               on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Run checks part by part, with one executor per part (``executor_for(part)``), closed afterwards."""
    results: list[CheckResult] = []
    executors: dict[str, Executor] = {}
    try:
        for check in checks:
            if check.part not in executors:
                executors[check.part] = executor_for(check.part)
            outcome = run_check(check, executors[check.part], grading_seed)
            results.append(outcome)
            if on_result is not None:
                on_result(outcome)
    finally:
        for executor in executors.values():
            executor.close()
    return results


class Recorder:
    """A judge function handed to student code that remembers the arguments of every call.

    Counting calls to the check's OWN functions (df, grads) is fine; the student's internal
    helpers are never patched or counted.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.calls: list[tuple] = []

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.fn(*args)
