"""Assertions that checks use on what student code returned, with messages written for students.

Every helper raises :class:`~autograder.checking.CheckFailed` with a message that says what
property failed and what the code returned in shape and kind — never the hidden inputs or the
expected values (callers add those only in public checks, through ``reveal``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .checking import CheckFailed
from .wire import State, Unsupported

ULP = np.finfo(np.float64).eps
STEP_RTOL = 1e-7  # the contract's single-step tolerance, measured on the update itself


def describe(value: Any) -> str:
    """A short description of a returned value's kind and shape (never its contents)."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype.name} array of shape {value.shape}" if value.ndim else f"a numpy {value.dtype.name} scalar"
    if isinstance(value, np.generic):
        return f"a numpy {value.dtype.name} scalar"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float, str)):
        return f"a {type(value).__name__}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, State):
        return f"a {value.cls}"
    if isinstance(value, Unsupported):
        return f"an object of type {value.type}"
    return f"an object of type {type(value).__name__}"


def float_array(value: Any, shape: Sequence[int] | None = None, what: str = "the result",
                allow_list: bool = False) -> np.ndarray:
    """Accept a float64 ndarray (or, with allow_list, a list of floats) of the given shape."""
    if allow_list and isinstance(value, list):
        if not all(isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, bool)
                   or (isinstance(v, np.ndarray) and v.ndim == 0) for v in value):
            raise CheckFailed(f"{what} should be a list of floats; it holds {', '.join(sorted({describe(v) for v in value}))}")
        value = np.array([float(v) for v in value], dtype=np.float64)
    if not isinstance(value, np.ndarray) or value.ndim == 0:
        raise CheckFailed(f"{what} should be a float64 numpy array; the code returned {describe(value)}")
    if value.dtype != np.float64:
        hint = " (an integer x0 or input must be converted with np.asarray(x, dtype=float))" if value.dtype.kind in "iub" else ""
        raise CheckFailed(f"{what} should have dtype float64; the code returned {describe(value)}{hint}", "not float64")
    if shape is not None and value.shape != tuple(shape):
        raise CheckFailed(f"{what} should have shape {tuple(shape)}; the code returned {describe(value)}", "wrong shape")
    return value


def scalar(value: Any, what: str = "the result") -> float:
    """Accept a Python float/int, a numpy floating scalar or a 0-d float array; return a float."""
    if isinstance(value, bool) or value is None:
        raise CheckFailed(f"{what} should be a float; the code returned {describe(value)}")
    if isinstance(value, (float, int)):
        return float(value)
    if isinstance(value, (np.floating, np.integer)):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu":
        return float(value)
    raise CheckFailed(f"{what} should be a float; the code returned {describe(value)}")


def all_close(got: Any, want: np.ndarray, rtol: float, atol: float) -> bool:
    """Elementwise |got - want| <= atol + rtol*|want|, NaN never close, shapes must match."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(got - want) <= atol + rtol * np.abs(want)))


def step_matches(x_t: np.ndarray, x_next: np.ndarray, expected: np.ndarray, rtol: float = STEP_RTOL) -> bool:
    """The contract's single-step comparison, made on the update itself.

        |x_{t+1} - expected| <= rtol * |expected - x_t| + floor,   floor = 8 ulp * max(|x_t|, |expected|)

    (Euclidean norms over the entries). The floor covers the rounding of the final
    subtraction x_t - update, the only float difference a correct reordering can make that
    the relative term cannot absorb when the update is tiny next to x_t.
    """
    x_t, x_next, expected = (np.asarray(a, dtype=np.float64) for a in (x_t, x_next, expected))
    if x_next.shape != expected.shape:
        return False
    if not np.all(np.isfinite(expected)):  # an overflowing step: only "not finite where expected" can be asked
        return bool(np.array_equal(np.isfinite(x_next), np.isfinite(expected)))
    with np.errstate(invalid="ignore", over="ignore"):
        miss = np.linalg.norm(np.ravel(x_next - expected))
        update = np.linalg.norm(np.ravel(expected - x_t))
        floor = 8 * ULP * max(np.linalg.norm(np.ravel(x_t)), np.linalg.norm(np.ravel(expected))) + 1e-300
    return bool(np.isfinite(miss) and miss <= rtol * update + floor)


def same_rows(trajectory: np.ndarray) -> bool:
    """True when every row equals the last one (a trajectory that kept appending one mutated array)."""
    return len(trajectory) > 2 and bool(np.all(trajectory == trajectory[-1]))


def reveal(ctx: Any, text: str) -> str:
    """Append ``text`` (inputs, expected values) only in public checks; hidden checks reveal nothing."""
    return "" if ctx.hidden else f" {text}"
