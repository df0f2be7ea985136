"""Objective functions of the checks, as sympy expressions whose gradients sympy derives.

No gradient in the checks is written by hand: each objective is a sympy expression,
differentiated with ``sympy.diff`` and turned into numpy code with ``sympy.lambdify`` once
(cached per expression), then handed to student code as ``f``/``df``/``grads`` callbacks.

Shapes: a "scalar" objective takes a float x and its gradient is a float; a vector objective
takes x of shape (D,) and its gradient has shape (D,). Per-example losses for SGD take
(theta (D,), idx (m,)) and return per-example gradients of shape (m, D).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from .wire import Shipped


@dataclass(frozen=True)
class Objective:
    """f and its sympy-derived gradient, as numpy functions.

    scalar: True when x is a float (1-D problem), else x has shape (dim,).
    expr, symbols: the sympy expression and its variables (for locating minima in checks).
    """

    name: str
    f: Callable[[Any], float]
    grad: Callable[[Any], Any]
    dim: int
    scalar: bool
    expr: sp.Expr = field(repr=False, compare=False, default=None)
    symbols: tuple = field(repr=False, compare=False, default=())


def from_sympy(name: str, expr: sp.Expr, symbols: tuple[sp.Symbol, ...], scalar: bool = False) -> Objective:
    """Wrap ``expr`` in ``symbols`` as an Objective (gradient by sympy.diff, printed as numpy code).

    f and grad are ``wire.Shipped`` functions: numpy source printed from the sympy expressions,
    compiled here and, unchanged, in the student's process (no round trip per evaluation, and
    bit-identical values on both sides). scalar=True requires one symbol and makes f, grad work
    on floats (and elementwise on arrays).
    """
    if scalar and len(symbols) != 1:
        raise ValueError("a scalar objective has exactly one variable")
    plain = tuple(sp.Symbol(f"v{i}", real=True) for i in range(len(symbols)))
    rename = dict(zip(symbols, plain))
    printer = NumPyPrinter({"fully_qualified_modules": True})
    f_text = printer.doprint(expr.xreplace(rename))
    g_texts = [printer.doprint(sp.diff(expr, s).xreplace(rename)) for s in symbols]
    if scalar:
        f_src = _SCALAR.format(entry="f", body=f_text)
        g_src = _SCALAR.format(entry="grad", body=g_texts[0])
    else:
        unpack = ", ".join(str(p) for p in plain) + ("," if len(plain) == 1 else "")
        f_src = _VECTOR_F.format(dim=len(plain), unpack=unpack, body=f_text)
        g_src = _VECTOR_GRAD.format(dim=len(plain), unpack=unpack, body=", ".join(f"float({t})" for t in g_texts))
    return Objective(name, Shipped(f_src, "f"), Shipped(g_src, "grad"), len(symbols), scalar, expr, tuple(symbols))


# Sources of shipped objective functions (v0, v1, ... are the variables; numpy is the only name).
_SCALAR = """def {entry}(x):
    v0 = numpy.asarray(x, dtype=numpy.float64)
    value = numpy.broadcast_to(numpy.asarray({body}, dtype=numpy.float64), v0.shape) + 0.0
    return float(value) if value.ndim == 0 else value
"""
_VECTOR_F = """def f(x):
    x = numpy.asarray(x, dtype=numpy.float64)
    if x.shape != ({dim},):
        raise ValueError("the objective takes x of shape ({dim},), got shape " + str(x.shape))
    {unpack} = x
    return float({body})
"""
_VECTOR_GRAD = """def grad(x):
    x = numpy.asarray(x, dtype=numpy.float64)
    if x.shape != ({dim},):
        raise ValueError("the objective takes x of shape ({dim},), got shape " + str(x.shape))
    {unpack} = x
    return numpy.array([{body}], dtype=numpy.float64)
"""


def _vector(x: Any, dim: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (dim,):
        raise ValueError(f"the objective takes x of shape ({dim},), got shape {x.shape}")
    return x


@functools.cache
def double_well() -> Objective:
    """f(x) = x**4 - 3x**2 + x: local minimum near 1.13, global minimum near -1.30."""
    x = sp.Symbol("x", real=True)
    return from_sympy("double well", x**4 - 3 * x**2 + x, (x,), scalar=True)


@functools.cache
def rosenbrock() -> Objective:
    """f(x, y) = (1 - x)**2 + 100 (y - x**2)**2, minimum at (1, 1)."""
    x, y = sp.symbols("x y", real=True)
    return from_sympy("Rosenbrock", (1 - x) ** 2 + 100 * (y - x**2) ** 2, (x, y))


@functools.cache
def saddle() -> Objective:
    """f(x, y) = x**2 - y**2 (unbounded below), a saddle point at the origin."""
    x, y = sp.symbols("x y", real=True)
    return from_sympy("saddle", x**2 - y**2, (x, y))


@functools.cache
def bowl(dim: int = 2) -> Objective:
    """f(x) = sum x_i**2, the lecture's 2-D exercise (any dim)."""
    xs = sp.symbols(f"x0:{dim}", real=True)
    return from_sympy("bowl", sum(s**2 for s in xs), tuple(xs))


@functools.cache
def scaled_square(a: float) -> Objective:
    """f(x) = a * x**2 (1-D), where GD multiplies x by 1 - 2*a*lr each step."""
    x = sp.Symbol("x", real=True)
    return from_sympy(f"{a}*x**2", sp.Float(a) * x**2, (x,), scalar=True)


@functools.cache
def _quadratic_gradient() -> Callable:
    """grad of 0.5 x^T A x - b^T x for symbolic A (any n x n, not symmetric), derived once."""
    n = sp.Symbol("n", integer=True, positive=True)
    x, b = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("b", n, 1)
    A = sp.MatrixSymbol("A", n, n)
    f = sp.Rational(1, 2) * (x.T * A * x) - (b.T * x)
    return sp.lambdify((x, A, b), sp.diff(f, x), "numpy")


def quadratic(A: np.ndarray, b: np.ndarray) -> Objective:
    """f(x) = 0.5 x @ A @ x - b @ x for a numeric square A (not necessarily symmetric).

    The gradient is sympy's derivative of the matrix expression (0.5*A*x + 0.5*A.T*x - b,
    derived once for a symbolic n x n A), evaluated at the identity's columns (b = 0) to get its
    linear map, and shipped as numpy code with that map and b as constants (repr is exact).
    """
    A = np.array(A, dtype=np.float64)
    b = np.array(b, dtype=np.float64)
    dim = b.shape[0]
    g = _quadratic_gradient()
    # grad(x) = M @ x - b is affine: M's columns are the gradient at e_i with b = 0.
    zero = np.zeros((dim, 1))
    M = np.column_stack([np.asarray(g(e.reshape(dim, 1), A, zero), dtype=np.float64).reshape(dim) for e in np.eye(dim)])
    f_src = _QUADRATIC_F.format(dim=dim, A=A.tolist(), b=b.tolist())
    g_src = _QUADRATIC_GRAD.format(dim=dim, M=M.tolist(), b=b.tolist())
    return Objective("quadratic", Shipped(f_src, "f"), Shipped(g_src, "grad"), dim, False)


_QUADRATIC_F = """def f(x):
    x = numpy.asarray(x, dtype=numpy.float64)
    if x.shape != ({dim},):
        raise ValueError("the objective takes x of shape ({dim},), got shape " + str(x.shape))
    A = numpy.array({A}, dtype=numpy.float64)
    return float(0.5 * x @ A @ x - numpy.array({b}, dtype=numpy.float64) @ x)
"""
_QUADRATIC_GRAD = """def grad(x):
    x = numpy.asarray(x, dtype=numpy.float64)
    if x.shape != ({dim},):
        raise ValueError("the objective takes x of shape ({dim},), got shape " + str(x.shape))
    return numpy.array({M}, dtype=numpy.float64) @ x - numpy.array({b}, dtype=numpy.float64)
"""


@functools.cache
def _per_example_gradient(kind: str, dim: int) -> Callable:
    """Gradient of one example's loss wrt theta, derived by sympy: (theta..., x..., y) -> (dim,)."""
    theta = sp.symbols(f"t0:{dim}", real=True)
    xs = sp.symbols(f"x0:{dim}", real=True)
    y = sp.Symbol("y", real=True)
    margin = sum(t * xi for t, xi in zip(theta, xs))
    if kind == "least_squares":
        loss = sp.Rational(1, 2) * (margin - y) ** 2
    elif kind == "logistic":  # labels y in {-1, +1}
        loss = sp.log(1 + sp.exp(-y * margin))
    else:
        raise ValueError(kind)
    grads = [sp.diff(loss, t) for t in theta]
    return sp.lambdify((theta, xs, y), grads, "numpy")


@dataclass(frozen=True)
class Dataset:
    """n training points X (n, D) with targets y (n,), and the per-example gradient oracle."""

    X: np.ndarray
    y: np.ndarray
    kind: str

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def per_example(self, theta: Any, idx: Any) -> np.ndarray:
        """Per-example gradients for the rows idx at theta: shape (len(idx), D)."""
        theta = _vector(theta, self.X.shape[1])
        idx = np.asarray(idx)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise ValueError(f"idx must be a 1-D integer array, got {idx.dtype} of shape {idx.shape}")
        g = _per_example_gradient(self.kind, self.X.shape[1])
        rows = self.X[idx]
        out = g(theta, rows.T, self.y[idx])
        return np.stack([np.broadcast_to(np.asarray(c, dtype=np.float64), (len(idx),)) for c in out], axis=1)


def least_squares(X: np.ndarray, y: np.ndarray) -> Dataset:
    """L_i(theta) = 0.5 (x_i . theta - y_i)**2."""
    return Dataset(np.array(X, dtype=np.float64), np.array(y, dtype=np.float64), "least_squares")


def logistic(X: np.ndarray, y: np.ndarray) -> Dataset:
    """L_i(theta) = log(1 + exp(-y_i x_i . theta)), y_i in {-1, +1}."""
    return Dataset(np.array(X, dtype=np.float64), np.array(y, dtype=np.float64), "logistic")


def stationary_points(obj: Objective) -> list[float]:
    """Real roots of a scalar objective's derivative, found by sympy (sorted)."""
    (x,) = obj.symbols
    roots = sp.Poly(sp.diff(obj.expr, x), x).nroots(n=30)
    return sorted(float(sp.re(r)) for r in roots if abs(sp.im(r)) < 1e-20)
