"""The one check registry: every consumer (pytest suites, ``optgrade check``, the bulk grader,
generated Otter tests, reports) takes checks, titles, points and visibility from here.

A check is a function of a :class:`~autograder.checking.Ctx` registered with :func:`check`::

    @check("1.6", "gradient_descent stops as soon as the gradient is small", points=1, public=True)
    def gd_stops_on_small_gradient(ctx): ...

Its title is the task id followed by the text, so every result names the task it belongs to.
A task's points are the sum of its checks' points; every task has at least one public check
(small, shown to students) and at least two hidden ones (inputs drawn from the grading seed).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from .parts import PARTS, TASKS_BY_ID, part_of_task

DEFAULT_TIMEOUT = 5.0  # seconds of wall clock per check; generous: the reference needs < 0.1 s


@dataclass(frozen=True)
class Check:
    """One graded property of one task."""

    name: str  # unique slug (the function's name), stable across releases
    task: str  # "P.T"
    title: str  # student-facing, starts with the task id
    points: float
    hidden: bool
    func: Callable
    timeout: float = DEFAULT_TIMEOUT

    @property
    def part(self) -> str:
        return part_of_task(self.task).name

    @property
    def visibility(self) -> str:
        return "hidden" if self.hidden else "public"


_CHECKS: dict[str, Check] = {}


def check(task: str, text: str, *, points: float = 1.0, public: bool = False,
          timeout: float = DEFAULT_TIMEOUT) -> Callable[[Callable], Callable]:
    """Register the decorated function as a check of ``task``."""
    if task not in TASKS_BY_ID:
        raise ValueError(f"unknown task id {task!r}")

    def register(fn: Callable) -> Callable:
        if fn.__name__ in _CHECKS:
            raise ValueError(f"two checks are named {fn.__name__}")
        _CHECKS[fn.__name__] = Check(fn.__name__, task, f"{task} {text}", float(points), not public, fn, timeout)
        return fn

    return register


def all_checks() -> list[Check]:
    """Every registered check, in part and task order (checks of a task in definition order)."""
    for part in PARTS:
        importlib.import_module(f"autograder.checks.{part.name}")
    order = {t.id: i for i, t in enumerate(t for p in PARTS for t in p.tasks)}
    return sorted(_CHECKS.values(), key=lambda c: order[c.task])


def checks_for(part: str | None = None, *, include_hidden: bool = True) -> list[Check]:
    """The checks of one part (or all), optionally only the public ones."""
    return [c for c in all_checks() if (part is None or c.part == part) and (include_hidden or not c.hidden)]


def points_table() -> dict[str, dict[str, float]]:
    """{part: {task id: points}} as the checks add up."""
    table: dict[str, dict[str, float]] = {p.name: {t.id: 0.0 for t in p.tasks} for p in PARTS}
    for c in all_checks():
        table[c.part][c.task] += c.points
    return table


def points_markdown() -> str:
    """The README's points table: one row per task with its public/hidden checks and points."""
    from .parts import PARTS

    checks = all_checks()
    rows = ["| part | task | functions | public checks | hidden checks | points |", "|---|---|---|---|---|---|"]
    for part in PARTS:
        for task in part.tasks:
            mine = [c for c in checks if c.task == task.id]
            rows.append(f"| {part.name} | {task.id} | {', '.join(task.functions)} | {sum(not c.hidden for c in mine)} "
                        f"| {sum(c.hidden for c in mine)} | {sum(c.points for c in mine):g} |")
        total = sum(c.points for c in checks if c.part == part.name)
        rows.append(f"| **{part.name}** | | | | | **{total:g}** |")
    rows.append(f"| **all** | | | {sum(not c.hidden for c in checks)} | {sum(c.hidden for c in checks)} "
                f"| **{sum(c.points for c in checks):g}** |")
    return "\n".join(rows)
