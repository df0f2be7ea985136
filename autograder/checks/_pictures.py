"""Figure data for failed public checks: the student's path beside the expected one.

A public check that fails calls one of these with the student's iterates and the expected
ones (computed by the check from the lecture's rule and the sympy oracle); the judge draws
them in feedback.html (figures.py). Hidden checks never attach figures (Ctx.plot drops them).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import objectives as obj
from ..checking import Ctx
from ..figures import Curve, Path1D, Path2D


def expected_path(objective: obj.Objective, x0: Any, steps: int,
                  step: Callable[[np.ndarray, np.ndarray, dict], np.ndarray]) -> np.ndarray:
    """Iterates of ``x <- step(x, grad(x), memory)`` from x0 (``memory`` carries an optimiser's state)."""
    x = np.array(x0, dtype=np.float64)
    rows, memory = [x.copy()], {}
    for _ in range(steps):
        x = step(x, np.asarray(objective.grad(x), dtype=np.float64), memory)
        rows.append(x.copy())
    return np.array(rows)


def attach_path(ctx: Ctx, objective: obj.Objective, student: Any, expected: np.ndarray, title: str) -> None:
    """Attach a 1-D curve or a 2-D contour with both paths (nothing when the student's value is unusable)."""
    if not isinstance(student, np.ndarray) or student.dtype.kind not in "fiu" or len(student) == 0:
        return
    student = student.astype(np.float64)
    if objective.scalar and student.ndim == 1:
        both = np.concatenate([student[np.isfinite(student)], expected])
        lo, hi = float(np.min(both)), float(np.max(both))
        pad = 0.15 * (hi - lo) + 0.5
        xs = np.linspace(lo - pad, hi + pad, 300)
        ctx.plot(Path1D(title, student, expected, xs, np.asarray(objective.f(xs), dtype=np.float64)))
    elif student.ndim == 2 and student.shape[1] == 2:
        finite = student[np.all(np.isfinite(student), axis=1)]
        both = np.vstack([finite, expected])
        lo, hi = both.min(axis=0), both.max(axis=0)
        pad = 0.15 * (hi - lo) + 0.5
        # 60 x 60 evaluations draw smooth contours at feedback size; more only costs grading time.
        gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 60)
        gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], 60)
        levels = np.array([[objective.f(np.array([a, b])) for a in gx] for b in gy])
        ctx.plot(Path2D(title, student, expected, gx, gy, levels))


def attach_curve(ctx: Ctx, title: str, ylabel: str, student: Any, expected: Any = None) -> None:
    """Attach a per-epoch curve (e.g. the training loss) when the student's value is numeric."""
    try:
        values = np.asarray(student, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return
    ctx.plot(Curve(title, ylabel, values, None if expected is None else np.asarray(expected, dtype=np.float64)))
