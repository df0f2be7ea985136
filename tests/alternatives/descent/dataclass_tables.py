# alternative: from __future__ import annotations, a frozen dataclass as the quadratic's gradient, module-level function tables, extra optional arguments with defaults
"""Part 1 organised around small tables and a dataclass (a style some students bring from larger projects)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# name -> (outer derivative, inner function, inner derivative) of the lecture's composition.
CHAIN: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "outer_prime": lambda u: 2.0 * u,
    "inner": lambda x: 3.0 * x**3 + 2.0,
    "inner_prime": lambda x: 9.0 * x**2,
}

# coefficients of each polynomial derivative, highest power first
POLY_DERIVATIVES: dict[str, tuple[float, ...]] = {
    "double_well": (4.0, 0.0, -6.0, 1.0),
}

REGIMES: list[tuple[Callable[[float], bool], str]] = [
    (lambda r: r < -1, "diverge"),
    (lambda r: r == -1, "cycle"),
    (lambda r: r < 0, "oscillating"),
    (lambda r: True, "monotone"),
]


def _as_result(values: np.ndarray) -> float | np.ndarray:
    return float(values) if values.ndim == 0 else values


def chain_rule_example(x, *, table: dict[str, Callable] | None = None):
    parts = CHAIN if table is None else table
    x = np.asarray(x, dtype=np.float64)
    return _as_result(parts["outer_prime"](parts["inner"](x)) * parts["inner_prime"](x))


def grad_double_well(x):
    x = np.asarray(x, dtype=np.float64)
    result = np.zeros_like(x)
    for c in POLY_DERIVATIVES["double_well"]:  # Horner's scheme
        result = result * x + c
    return _as_result(result)


def grad_rosenbrock(p, a: float = 1.0, b: float = 100.0):
    x, y = np.asarray(p, dtype=np.float64)
    return np.array([-2.0 * (a - x) - 4.0 * b * x * (y - x**2), 2.0 * b * (y - x**2)])


@dataclass(frozen=True)
class QuadraticGradient:
    """grad of 0.5 x@A@x - b@x, i.e. 0.5 (A + A.T) x - b; callable like a function."""

    A: np.ndarray
    b: np.ndarray
    sym: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "A", np.array(self.A, dtype=np.float64))
        object.__setattr__(self, "b", np.array(self.b, dtype=np.float64))
        object.__setattr__(self, "sym", (self.A + self.A.T) / 2.0)

    def __call__(self, x) -> np.ndarray:
        return self.sym @ np.asarray(x, dtype=np.float64) - self.b


def grad_quadratic(A, b) -> QuadraticGradient:
    return QuadraticGradient(A, b)


def numerical_gradient(f, x, h=1e-5, *, scale: float = 1.0):
    base = np.array(x, dtype=np.float64)
    step = h * scale
    grad = np.empty(base.shape, dtype=np.float64)
    for index in np.ndindex(base.shape):
        bump = np.zeros_like(base)
        bump[index] = step
        grad[index] = (float(f(base + bump)) - float(f(base - bump))) / (2.0 * step)
    return _as_result(grad)


def _size(g) -> float:
    return float(np.sqrt(np.sum(np.square(g))))


def gradient_descent(df, x0, lr, *, eps=1e-6, max_iter=1000, callback: Callable | None = None,
                     size: Callable = _size):
    x = np.array(x0, dtype=np.float64)
    rows: list[np.ndarray] = [x]
    for step in range(max_iter):
        g = np.asarray(df(x), dtype=np.float64)
        if size(g) < eps:
            break
        x = x - lr * g
        rows.append(x)
        if callback is not None:
            callback(step, x)
        if not np.isfinite(x).all():
            break
    return np.stack(rows)


def lr_regime(lr, a):
    r = 1.0 - 2.0 * a * lr
    return next(name for test, name in REGIMES if test(r))
