"""Checks of part 1 (descent.py): derivatives, central differences, gradient descent, lr regimes.

Expected values come from sympy (objectives.py) evaluated at the check's inputs, from the
contract's own central-difference formula applied to the check's f, or, for gradient descent,
from the recurrence applied to the student's own iterates.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import sympy as sp

from .. import objectives as obj
from ..checking import CheckFailed, Ctx, Recorder
from ..expect import ULP, all_close, describe, float_array, reveal, same_rows, scalar, step_matches
from ..registry import check
from ._pictures import attach_path

# Derivative tasks: results must agree with sympy to a few ulps of the values involved; 1e-9
# relative with a 1e-9 absolute floor leaves room for any order of float operations.
DERIV_RTOL, DERIV_ATOL = 1e-9, 1e-9


def _same_input(after, before) -> bool:
    """The argument as the student left it equals what we passed (type, dtype and every bit)."""
    if type(after) is not type(before):
        return False
    if isinstance(before, np.ndarray):
        return after.dtype == before.dtype and after.shape == before.shape and np.array_equal(after, before)
    if isinstance(before, (list, tuple)):
        return len(after) == len(before) and all(_same_input(a, b) for a, b in zip(after, before))
    return after == before


@functools.cache
def _chain_rule_oracle() -> obj.Objective:
    x = sp.Symbol("x", real=True)
    return obj.from_sympy("(3x^3+2)^2", (3 * x**3 + 2) ** 2, (x,), scalar=True)


@functools.cache
def _outer_derivative_only():
    """dy/du = 2u evaluated at u = g(x), by sympy: what the chain rule gives without du/dx."""
    x, u = sp.symbols("x u", real=True)
    return sp.lambdify(x, sp.diff(u**2, u).subs(u, 3 * x**3 + 2), "numpy")


def _check_elementwise(ctx: Ctx, function: str, oracle: obj.Objective, x, what: str) -> None:
    outcome = ctx.require(ctx.outcome(function, x), function)
    got = outcome.value
    x64 = np.asarray(x, dtype=np.float64)
    want = oracle.grad(x64)
    if np.ndim(x) == 0:
        got = scalar(got, f"{function}({'x' if ctx.hidden else x})")
    else:
        got = float_array(got, np.shape(x), f"{function} of {what}")
        if not _same_input(outcome.args_after[0], x):
            ctx.fail(f"{function} changed its argument ({what}) in place; compute into a new array.", "modifies its input")
    if all_close(got, want, DERIV_RTOL, DERIV_ATOL):
        return
    if function == "chain_rule_example" and all_close(got, _outer_derivative_only()(x64), DERIV_RTOL, DERIV_ATOL):
        ctx.fail(f"{function} returns only dy/du = 2u: the chain rule multiplies it by the inner derivative "
                 f"du/dx = 9x**2.", "chain rule without the inner derivative")
    if np.ndim(x) == 0:
        ctx.fail(f"{function} returns a wrong derivative for a scalar x.{reveal(ctx, f'x = {x}: expected {want!r}, got {got!r}.')}")
    bad = int(np.sum(~np.isclose(got, want, rtol=DERIV_RTOL, atol=DERIV_ATOL)))
    ctx.fail(f"{function} is wrong at {bad} of {got.size} entries of {what}.{reveal(ctx, f'x = {np.asarray(x).tolist()!r}: expected {want.tolist()!r}.')}")


# ---- 1.1 chain_rule_example -------------------------------------------------------------

@check("1.1", "chain_rule_example matches the lecture's example at x = 2", public=True)
def chain_rule_public(ctx: Ctx) -> None:
    _check_elementwise(ctx, "chain_rule_example", _chain_rule_oracle(), 2.0, "x = 2")


@check("1.1", "chain_rule_example is right at scalar inputs")
def chain_rule_scalars(ctx: Ctx) -> None:
    for x in ctx.rng.uniform(-2, 2, size=3):
        _check_elementwise(ctx, "chain_rule_example", _chain_rule_oracle(), float(x), "a scalar")


@check("1.1", "chain_rule_example works elementwise on arrays and lists (integer and float32 ones included), returns "
              "float64 and leaves its input unchanged")
def chain_rule_arrays(ctx: Ctx) -> None:
    oracle = _chain_rule_oracle()
    _check_elementwise(ctx, "chain_rule_example", oracle, ctx.rng.uniform(-1.5, 1.5, size=(3, 4)), "a 3x4 array")
    _check_elementwise(ctx, "chain_rule_example", oracle, ctx.rng.integers(-3, 4, size=5), "an integer array")
    _check_elementwise(ctx, "chain_rule_example", oracle, [float(v) for v in ctx.rng.uniform(-1, 1, size=3)], "a list")
    _check_elementwise(ctx, "chain_rule_example", oracle, ctx.rng.uniform(-1, 1, size=1), "an array of one entry")
    # float32 stays float32 through float constants (integers do not): only this input shows a missing conversion.
    _check_elementwise(ctx, "chain_rule_example", oracle, ctx.rng.uniform(-1.5, 1.5, size=4).astype(np.float32),
                       "a float32 array")


# ---- 1.2 grad_double_well ---------------------------------------------------------------

@check("1.2", "grad_double_well is right at x = 0, 1 and -1", public=True)
def double_well_public(ctx: Ctx) -> None:
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), 1.0, "x = 1")
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), np.array([0.0, 1.0, -1.0]), "[0, 1, -1]")


@check("1.2", "grad_double_well is right at scalar inputs")
def double_well_scalars(ctx: Ctx) -> None:
    for x in ctx.rng.uniform(-2.5, 2.5, size=3):
        _check_elementwise(ctx, "grad_double_well", obj.double_well(), float(x), "a scalar")


@check("1.2", "grad_double_well works elementwise on arrays and lists (integer and float32 ones included), returns "
              "float64 and leaves its input unchanged")
def double_well_arrays(ctx: Ctx) -> None:
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), ctx.rng.uniform(-2, 2, size=(2, 5)), "a 2x5 array")
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), ctx.rng.integers(-3, 4, size=4), "an integer array")
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), [int(v) for v in ctx.rng.integers(-3, 4, size=3)], "a list of ints")
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), ctx.rng.uniform(-2, 2, size=(1, 1)), "a 1x1 array")
    # float32 stays float32 through float constants (integers do not): only this input shows a missing conversion.
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), ctx.rng.uniform(-2, 2, size=(2, 2)).astype(np.float32),
                       "a 2x2 float32 array")


# ---- 1.3 grad_rosenbrock ----------------------------------------------------------------

def _check_rosenbrock(ctx: Ctx, p, what: str) -> None:
    outcome = ctx.require(ctx.outcome("grad_rosenbrock", p), "grad_rosenbrock")
    got = float_array(outcome.value, (2,), f"grad_rosenbrock at {what}")
    if not _same_input(outcome.args_after[0], p):
        ctx.fail(f"grad_rosenbrock changed its argument ({what}) in place.", "modifies its input")
    want = obj.rosenbrock().grad(np.asarray(p, dtype=np.float64))
    if not all_close(got, want, DERIV_RTOL, DERIV_ATOL):
        which = [name for name, ok in zip(("df/dx", "df/dy"), np.isclose(got, want, DERIV_RTOL, DERIV_ATOL)) if not ok]
        ctx.fail(f"grad_rosenbrock: {' and '.join(which)} wrong at {what}.{reveal(ctx, f'p = {np.asarray(p).tolist()!r}: expected {want.tolist()!r}.')}")


@check("1.3", "grad_rosenbrock is right at (0, 0) and (1, 2)", public=True)
def rosenbrock_public(ctx: Ctx) -> None:
    _check_rosenbrock(ctx, np.array([0.0, 0.0]), "(0, 0)")
    _check_rosenbrock(ctx, np.array([1.0, 2.0]), "(1, 2)")


@check("1.3", "grad_rosenbrock is right at points around the valley")
def rosenbrock_points(ctx: Ctx) -> None:
    for p in ctx.rng.uniform(-2, 2, size=(4, 2)):
        _check_rosenbrock(ctx, p, "a point")


@check("1.3", "grad_rosenbrock accepts a tuple or list of ints and a float32 array, returns float64 and leaves p unchanged")
def rosenbrock_inputs(ctx: Ctx) -> None:
    x, y = (int(v) for v in ctx.rng.integers(-3, 4, size=2))
    _check_rosenbrock(ctx, (x, y), "an integer tuple")
    _check_rosenbrock(ctx, [float(x) + 0.5, float(y)], "a list")
    _check_rosenbrock(ctx, np.array([y, x]), "an integer array")
    _check_rosenbrock(ctx, ctx.rng.uniform(-2, 2, size=2).astype(np.float32), "a float32 array")


# ---- 1.4 grad_quadratic -----------------------------------------------------------------

def _check_quadratic(ctx: Ctx, A: np.ndarray, b: np.ndarray, points: list[np.ndarray], what: str) -> None:
    outcome = ctx.outcome("grad_quadratic", A, b, then=[(p,) for p in points])
    ctx.require(outcome, "grad_quadratic")
    if not (_same_input(outcome.args_after[0], A) and _same_input(outcome.args_after[1], b)):
        ctx.fail(f"grad_quadratic (or its df) modified A or b in place ({what}); work on copies.", "modifies its input")
    oracle = obj.quadratic(A, b)
    A64 = np.asarray(A, dtype=np.float64)
    for p, got in zip(points, outcome.value):
        got = float_array(got, b.shape, f"df(x) for {what}")
        want = oracle.grad(p)
        if not all_close(got, want, DERIV_RTOL, DERIV_ATOL):
            if all_close(got, A64 @ p - b, DERIV_RTOL, DERIV_ATOL) and not np.allclose(A64, A64.T):
                ctx.fail("df(x) returns A @ x - b, which is the gradient only when A is symmetric; here A is not "
                         "(differentiate x @ A @ x: both A and A.T appear).", "A @ x - b for a non-symmetric A")
            ctx.fail(f"df(x) is not the gradient of 0.5 x@A@x - b@x for {what}.{reveal(ctx, f'A = {A.tolist()}, b = {b.tolist()}, x = {p.tolist()}: expected {want.tolist()}.')}")


@check("1.4", "grad_quadratic's df is right for a small non-symmetric A", public=True)
def quadratic_public(ctx: Ctx) -> None:
    A = np.array([[2.0, 1.0], [0.0, 3.0]])
    b = np.array([1.0, -1.0])
    _check_quadratic(ctx, A, b, [np.array([1.0, 2.0]), np.array([0.0, 0.0])], "A = [[2, 1], [0, 3]]")


@check("1.4", "grad_quadratic's df is right for random non-symmetric matrices")
def quadratic_nonsymmetric(ctx: Ctx) -> None:
    for dim in (3, 5):
        A = ctx.rng.normal(size=(dim, dim))
        b = ctx.rng.normal(size=dim)
        _check_quadratic(ctx, A, b, list(ctx.rng.normal(size=(3, dim))), f"a {dim}x{dim} non-symmetric A")


@check("1.4", "grad_quadratic works for symmetric and integer inputs and leaves A and b unchanged")
def quadratic_inputs(ctx: Ctx) -> None:
    M = ctx.rng.integers(-3, 4, size=(4, 4))
    A = M + M.T
    b = ctx.rng.integers(-3, 4, size=4)
    _check_quadratic(ctx, A, b, list(ctx.rng.normal(size=(2, 4))), "an integer symmetric A")
    _check_quadratic(ctx, M, b, [ctx.rng.integers(-3, 4, size=4)], "an integer non-symmetric A at an integer x")


# ---- 1.5 numerical_gradient -------------------------------------------------------------

# Central differences with h = 1e-5 err by h**2/6 * f''' ~ 1e-9 for the functions below (f''' is
# at most ~40) and by round-off ~ulp(f)/h ~ 1e-10; a forward difference errs by h/2 * f'' ~ 1e-5.
# Against sympy's exact gradient, 1e-7 relative with a 1e-8 floor accepts the first and rejects
# the second.
FD_RTOL, FD_ATOL = 1e-7, 1e-8
# Against the contract's own formula evaluated on the same f at the same points, only the last
# roundings differ: how x_i +- h is formed (at most 1 ulp of x_i, |x_i| < 1, which moves the
# result by f' * 1.1e-16 / (2h) ~ 1e-11 * f' at h = 1e-5) and the final subtraction and division
# (a few ulps). 1e-9 of the gradient's size leaves a margin of ~100, and a step other than the one
# asked for (h = 1e-4 instead of 1e-5 is off by h**2/6 * f''' ~ 2e-9 * f''') still shows.
CD_RTOL = 1e-9


@functools.cache
def _field(shape: tuple[int, ...]) -> obj.Objective:
    """A smooth, non-separable scalar function of an array of ``shape`` (sympy-differentiated).

    Each entry contributes w_i * x_i**2 * sin(3 x_i) (a large third derivative, so that the step
    h shows in the result) and exp(mean(x)) couples all entries (so that a perturbation that is
    not undone shows in the other entries' differences). f records nothing itself; it returns
    NaN for an argument of the wrong size (the check then reports the shapes f was called with).
    """
    size = int(np.prod(shape))
    xs = sp.symbols(f"x0:{size}", real=True)
    weights = [sp.Rational(3, 4) + sp.Rational((7 * i) % 11, 11) for i in range(size)]
    expr = sum(w * x**2 * sp.sin(3 * x) for w, x in zip(weights, xs)) + sp.exp(sum(xs) / size)
    if shape == ():
        inner = obj.from_sympy("field", expr, xs, scalar=True)

        def f(x):
            return inner.f(x) if np.shape(x) == () else float("nan")

        return obj.Objective("field", f, inner.grad, 1, True, expr, xs)
    inner = obj.from_sympy("field", expr, tuple(xs))

    def f(x):
        x = np.asarray(x, dtype=np.float64)
        return inner.f(x.reshape(size)) if x.size == size else float("nan")

    def grad(x):
        return inner.grad(np.asarray(x, dtype=np.float64).reshape(size)).reshape(shape)

    return obj.Objective("field", f, grad, size, False, expr, tuple(xs))


def _central(field: obj.Objective, x, h: float, forward: bool = False):
    """The contract's central difference (or the forward one) of ``field`` at x, entry by entry."""
    x64 = np.array(x, dtype=np.float64)
    out = np.empty_like(x64)
    for i in np.ndindex(x64.shape):
        plus, minus = x64.copy(), x64.copy()
        plus[i] += h
        minus[i] -= h
        if forward:
            out[i] = (field.f(plus) - field.f(x64)) / h
        else:
            out[i] = (field.f(plus) - field.f(minus)) / (2 * h)
    return out


def _unrestorable(rng: np.random.Generator, shape: tuple[int, ...], h: float = 1e-5) -> np.ndarray:
    """Entries in (-1, 1) for which the in-place walk x + h - 2h + h does not return x bit for bit.

    A code that perturbs the caller's x in place and "undoes" it with += h / -= 2h / += h leaves
    such an x visibly changed; about 3 in 4 floats of (-1, 1) have the property.
    """
    size = int(np.prod(shape))
    candidates = rng.uniform(-1, 1, size=40 * size + 40)
    keep = candidates[((candidates + h) - 2 * h) + h != candidates][:size]
    return keep.reshape(shape) if shape else float(keep[0])


def _check_numerical(ctx: Ctx, x, h: float | None, what: str) -> None:
    shape = np.shape(x)
    step = 1e-5 if h is None else h
    field = _field(shape)
    f = Recorder(field.f)
    outcome = ctx.outcome("numerical_gradient", f, x) if h is None else ctx.outcome("numerical_gradient", f, x, h)
    ctx.require(outcome, "numerical_gradient")
    odd = sorted({np.shape(args[0]) for args in f.calls if np.shape(args[0]) != shape})
    if odd:
        ctx.fail(f"numerical_gradient called f with arguments of shape {', '.join(map(str, odd))} while x has shape "
                 f"{shape} ({what}): f takes an array shaped like x (a float for a scalar x); perturb a copy of x "
                 f"with x's own shape, not a flattened one.", "calls f with a reshaped x")
    if shape == ():
        got = scalar(outcome.value, "numerical_gradient for a scalar x")
    else:
        got = float_array(outcome.value, shape, f"numerical_gradient for {what}")
    if not _same_input(outcome.args_after[1], x):
        ctx.fail(f"numerical_gradient changed the caller's x ({what}), if only in its last bits; perturb a private "
                 f"copy.", "modifies its input")
    central = _central(field, x, step)
    exact = field.grad(np.asarray(x, dtype=np.float64))
    scale = CD_RTOL * max(1.0, float(np.max(np.abs(central))))
    # The truncation error grows as h**2: scale the sympy tolerance with it for steps above 1e-5.
    widen = max(1.0, (step / 1e-5) ** 2)
    if all_close(got, exact, FD_RTOL * widen, FD_ATOL * widen) and all_close(got, central, 0.0, scale):
        return
    if all_close(got, _central(field, x, step, forward=True), 1e-6, 1e-9):
        ctx.fail("numerical_gradient looks like a forward difference (f(x+h) - f(x))/h; the task asks for the "
                 "central difference (f(x+h) - f(x-h))/(2h), which is far more accurate.", "forward difference")
    if step != 1e-5 and all_close(got, _central(field, x, 1e-5), 0.0, scale):
        ctx.fail(f"numerical_gradient ignores its h argument: called with h = {step:g} it returned the central "
                 f"difference with h = 1e-5.", "ignores h")
    if h is None and any(all_close(got, _central(field, x, other), 0.0, scale) for other in (1e-4, 1e-6, 1e-3)):
        ctx.fail("numerical_gradient's default step is not h = 1e-5 (the signature is numerical_gradient(f, x, h=1e-5)).",
                 "wrong default h")
    size = max(1, int(np.prod(shape)))
    if len(f.calls) != 2 * size:
        ctx.fail(f"numerical_gradient is wrong for {what}: it evaluated f {len(f.calls)} times, while central "
                 f"differences need exactly 2 evaluations per entry ({2 * size} here).")
    ctx.fail(f"numerical_gradient is wrong for {what}: it is not the central difference (f(x + h e_i) - f(x - h e_i)) / (2h) "
             f"of every entry (move one entry at a time by +h and -h, and put it back before the next)."
             f"{reveal(ctx, f'x = {np.asarray(x).tolist()}: expected {np.asarray(central).tolist()}.')}")


@check("1.5", "numerical_gradient matches the exact gradient on a vector", public=True)
def numerical_public(ctx: Ctx) -> None:
    _check_numerical(ctx, np.array([0.5, -1.1, 1.7]), None, "a vector of 3 entries")


@check("1.5", "numerical_gradient handles scalar, one-entry and matrix inputs")
def numerical_shapes(ctx: Ctx) -> None:
    _check_numerical(ctx, _unrestorable(ctx.rng, ()), None, "a scalar x")
    _check_numerical(ctx, _unrestorable(ctx.rng, (1,)), None, "a vector of one entry")
    _check_numerical(ctx, _unrestorable(ctx.rng, (3, 2)), None, "a 3x2 matrix")


@check("1.5", "numerical_gradient uses the given h and leaves an integer or list x unchanged")
def numerical_h_and_ints(ctx: Ctx) -> None:
    # With h = 1e-3 the result must be the central difference with that step (it differs from
    # the h = 1e-5 one by ~h**2/6 * f''' ~ 1e-6), computed on a float copy of the integer x.
    _check_numerical(ctx, ctx.rng.integers(-1, 2, size=3), 1e-3, "an integer vector with h = 1e-3")
    _check_numerical(ctx, [float(v) for v in _unrestorable(ctx.rng, (3,))], None, "a list")


@check("1.5", "numerical_gradient perturbs one entry at a time and restores it (h = 1e-4)")
def numerical_restores(ctx: Ctx) -> None:
    # A perturbation left in place shifts the other entries' differences by h * d2f/dxi dxj ~ 1e-5,
    # far above CD_RTOL; a wrong default step is caught by the h = 1e-5 checks above.
    _check_numerical(ctx, _unrestorable(ctx.rng, (3,), 1e-4), 1e-4, "a vector with h = 1e-4")


# ---- 1.6 gradient_descent ---------------------------------------------------------------

@functools.cache
def _row_gradients(objective: obj.Objective):
    """The objective's sympy gradient evaluated on every row of a trajectory at once."""
    if objective.scalar:
        return lambda rows: np.asarray(objective.grad(rows), dtype=np.float64)
    partials = sp.lambdify(objective.symbols, [sp.diff(objective.expr, s) for s in objective.symbols], "numpy")

    def rows_grad(rows: np.ndarray) -> np.ndarray:
        columns = partials(*np.asarray(rows, dtype=np.float64).T)
        return np.stack([np.broadcast_to(np.asarray(c, dtype=np.float64), (len(rows),)) for c in columns], axis=1)

    return rows_grad


def _steps_suspect(traj: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Rows t whose step x_t -> x_{t+1} might fail expect.step_matches (which decides them).

    The same comparison vectorised, with half its tolerance: a row it clears passes step_matches
    with a wide margin, so step_matches runs only on the few rows that need it.
    """
    x_t, x_next = traj[:-1], traj[1:]
    axes = tuple(range(1, traj.ndim))
    with np.errstate(all="ignore"):
        miss = np.sqrt(np.sum(np.square(x_next - expected), axis=axes))
        update = np.sqrt(np.sum(np.square(expected - x_t), axis=axes))
        size = np.maximum(np.sqrt(np.sum(np.square(x_t), axis=axes)), np.sqrt(np.sum(np.square(expected), axis=axes)))
        ok = miss <= 0.5 * (1e-7 * update + 8 * ULP * size)
    finite = np.all(np.isfinite(expected), axis=axes) & np.all(np.isfinite(x_t), axis=axes)
    return ~(ok & finite)


def _check_gd(ctx: Ctx, objective: obj.Objective, x0, lr: float, what: str, **options) -> np.ndarray:
    """Run the student's GD and verify it row by row on its own iterates; return the trajectory."""
    eps = options.get("eps", 1e-6)
    max_iter = options.get("max_iter", 1000)
    outcome = ctx.outcome("gradient_descent", objective.grad, x0, lr, **options)
    ctx.require(outcome, "gradient_descent")
    shape = np.shape(x0)
    traj = outcome.value
    if not isinstance(traj, np.ndarray) or traj.ndim != len(shape) + 1 or traj.shape[1:] != shape:
        want = "(T+1,)" if not shape else f"(T+1, {shape[0]})"
        ctx.fail(f"gradient_descent should return the trajectory as an array of shape {want} for {what}; "
                 f"the code returned {describe(traj)}.")
    traj = float_array(traj, None, f"the trajectory ({what})")
    if not _same_input(outcome.args_after[1], x0):
        ctx.fail("gradient_descent modified x0 in place; copy it first (x = np.array(x0, dtype=float)).", "modifies its input")
    if same_rows(traj):
        ctx.fail("every row of the trajectory is the same: the list holds one array object updated in place "
                 "(use x = x - lr * g, which makes a new array, or append a copy).", "rows alias one array")
    if len(traj) == 0 or not np.array_equal(traj[0], np.asarray(x0, dtype=np.float64)):
        ctx.fail(f"row 0 of the trajectory must be x0 ({what}).")
    steps = len(traj) - 1
    if steps > max_iter:
        ctx.fail(f"the trajectory has {steps} updates, more than max_iter = {max_iter} ({what}).",
                 "max_iter off by one" if steps == max_iter + 1 else None)
    grads = _row_gradients(objective)(traj)
    axes = tuple(range(1, traj.ndim))
    norms = np.sqrt(np.sum(np.square(grads), axis=axes))
    expected = traj[:-1] - lr * grads[:-1]
    suspect = _steps_suspect(traj, expected)
    for t in np.flatnonzero((norms[:-1] < eps) | suspect | ~np.all(np.isfinite(traj[:-1]), axis=axes)):
        x_t = traj[t]
        if norms[t] < eps:
            late = t == steps - 1
            ctx.fail(f"gradient_descent should have stopped at row {t}: the gradient there is smaller than eps"
                     + (" (it kept going after the gradient was already small: test the size BEFORE updating)" if late else "")
                     + f" ({what}).", "stops one step late" if late else "stopping rule")
        if not np.all(np.isfinite(x_t)):
            ctx.fail(f"row {t} is not finite, so the trajectory should end there ({what}).", "no stop on overflow")
        if not step_matches(x_t, traj[t + 1], expected[t]):
            if step_matches(x_t, traj[t + 1], x_t + lr * grads[t]):
                ctx.fail(f"row {t + 1} moves UP the gradient: the update is x - lr * df(x) ({what}).", "sign error")
            ctx.fail(f"row {t + 1} does not follow x_(t+1) = x_t - lr * df(x_t) from row {t} ({what}).")
    if steps == max_iter or not np.all(np.isfinite(traj[-1])) or norms[-1] < eps:
        return traj
    _diagnose_early_stop(ctx, traj, grads, norms, lr, eps, max_iter, what)
    return traj


def _diagnose_early_stop(ctx: Ctx, traj, grads, norms, lr: float, eps: float, max_iter: int, what: str) -> None:
    """The run ended at a finite row whose gradient is not small before max_iter: name the rule used.

    A rule is named only when the last row is the FIRST row where it holds, i.e. when stopping
    on that rule gives exactly this trajectory.
    """
    steps = len(traj) - 1
    intro = f"gradient_descent stopped after {steps} updates ({what}) although "
    if not np.all(np.isfinite(traj[-1] - lr * grads[-1])):
        ctx.fail(intro + "the next iterate was not finite: the run must go on until it PRODUCES an iterate with a "
                 "non-finite entry, and that iterate is the last row (test np.isfinite on the new x, not on df(x)).",
                 "drops the non-finite iterate")
    axes = tuple(range(1, traj.ndim))
    rules = [
        (norms <= eps, "the gradient's size only equalled eps: the rule is to stop when it is strictly smaller "
                       "(< eps).", "stops at size == eps"),
        (lr * norms < eps, "only the step lr * |g| was < eps, not the gradient's size: the test is on the gradient "
                           "itself.", "stops on the step size"),
        (np.max(np.abs(grads), axis=axes, initial=0.0) < eps,
         "the gradient's 2-norm was not < eps: the size of a gradient is its Euclidean norm, not its largest "
         "entry.", "infinity norm"),
        (norms**2 < eps, "only the SQUARED norm of the gradient was < eps: compare the norm itself.", "squared norm"),
    ]
    for holds, message, mistake in rules:
        if traj.ndim == 1 and mistake == "infinity norm":
            continue  # for a scalar the largest entry is the norm
        if holds[-1] and not np.any(holds[:-1]):
            ctx.fail(intro + message, mistake)
    if steps == max_iter - 1:
        ctx.fail(intro + f"the gradient was not small and max_iter = {max_iter} allows one more update.",
                 "max_iter off by one")
    ctx.fail(intro + "the gradient's 2-norm was not yet < eps and max_iter was not reached.", "stops early")


def _x_squared() -> obj.Objective:
    return obj.scaled_square(1.0)


@functools.cache
def _quartic_valley() -> obj.Objective:
    """f(x, y) = x**4 + y**2: GD diverges in x (cubically) while y shrinks, for lr < 1."""
    x, y = sp.symbols("x y", real=True)
    return obj.from_sympy("x**4 + y**2", x**4 + y**2, (x, y))


@check("1.6", "gradient_descent on x**2 from x0 = 1 follows x_t = 0.8**t and stops when |df| < eps", public=True)
def gd_public(ctx: Ctx) -> None:
    # Closed form x_t = x0 * (1 - 2*a*lr)**t (here 0.8**t): first t with |2 x_t| < 1e-3.
    expected_steps = next(t for t in range(1000) if abs(2 * 0.8**t) < 1e-3)
    try:
        traj = _check_gd(ctx, _x_squared(), 1.0, 0.1, "f(x) = x**2, x0 = 1, lr = 0.1", eps=1e-3)
        if len(traj) - 1 != expected_steps:
            ctx.fail(f"expected {expected_steps} updates on x**2 from 1 with lr = 0.1 and eps = 1e-3, got {len(traj) - 1}.")
    except CheckFailed:
        outcome = ctx.outcome("gradient_descent", _x_squared().grad, 1.0, 0.1, eps=1e-3)
        if outcome.error is None:
            attach_path(ctx, _x_squared(), outcome.value, 0.8 ** np.arange(expected_steps + 1),
                        "gradient descent on x**2 from 1 (lr 0.1, eps 1e-3)")
        raise


@check("1.6", "gradient_descent follows the recurrence in 2-D and stops after exactly max_iter updates")
def gd_rosenbrock(ctx: Ctx) -> None:
    x0 = ctx.rng.uniform(-1.5, 1.5, size=2)
    traj = _check_gd(ctx, obj.rosenbrock(), x0, 1e-3, "Rosenbrock in 2-D", max_iter=40)
    if len(traj) != 41:
        ctx.fail("on Rosenbrock with max_iter = 40 the gradient never gets small, so the trajectory must have 41 rows.")


@check("1.6", "gradient_descent measures the gradient with the Euclidean norm")
def gd_norm(ctx: Ctx) -> None:
    # On the bowl from x0 = c*(1, 1) with lr = 0.1, g_t = 2c*0.8**t*(1, 1): its largest entry is
    # 2c*0.8**t, its 2-norm sqrt(2) times more. eps between the two at some k separates them.
    c = float(ctx.rng.uniform(0.5, 2.0))
    k = int(ctx.rng.integers(5, 15))
    eps = 2 * c * 0.8**k * 1.2
    traj = _check_gd(ctx, obj.bowl(2), np.array([c, c]), 0.1, "a 2-D bowl", eps=eps)
    if len(traj) - 1 != next(t for t in range(1000) if np.sqrt(2) * 2 * c * 0.8**t < eps):
        ctx.fail("gradient_descent stopped at the wrong step on a 2-D bowl.")


@check("1.6", "gradient_descent stops only once the gradient's size is strictly below eps")
def gd_strict_eps(ctx: Ctx) -> None:
    # On x**2 with lr = 0.25 every step halves x exactly (x - 0.25 * 2x = x/2 in any order of
    # operations), so from x0 = +-2**p the gradients are exactly +-2**(p+1-t). With eps one of them,
    # the size equals eps at row k and first drops below it at row k + 1.
    p = int(ctx.rng.integers(-2, 3))
    k = int(ctx.rng.integers(3, 9))
    x0 = float(2.0**p) * float(ctx.rng.choice([-1.0, 1.0]))
    traj = _check_gd(ctx, _x_squared(), x0, 0.25, "an exactly halving run", eps=float(2.0 ** (p + 1 - k)))
    if len(traj) != k + 2:
        ctx.fail("gradient_descent stopped at the wrong step on x**2 (the gradient's size must be < eps, not <= eps).")


@check("1.6", "gradient_descent uses eps = 1e-6 and max_iter = 1000 by default")
def gd_defaults(ctx: Ctx) -> None:
    # lr = 0.25 halves x exactly each step: the stop is the first row with |2 x_t| < 1e-6.
    x0 = float(ctx.rng.uniform(0.5, 2.0)) * float(ctx.rng.choice([-1.0, 1.0]))
    traj = _check_gd(ctx, _x_squared(), x0, 0.25, "a run with the default eps")
    if len(traj) - 1 != next(t for t in range(100) if abs(2 * x0 * 0.5**t) < 1e-6):
        ctx.fail("gradient_descent did not stop at the first row whose gradient is below the default eps = 1e-6.")
    # lr = 1 on x**2 gives r = -1: x bounces between x0 and -x0 (exactly) and never converges.
    traj = _check_gd(ctx, _x_squared(), x0, 1.0, "a run that never converges")
    if len(traj) != 1001:
        ctx.fail(f"a run that never converges must stop after the default max_iter = 1000 updates; it made {len(traj) - 1}.")


@check("1.6", "gradient_descent stops right after the first non-finite iterate when it diverges")
def gd_divergence(ctx: Ctx) -> None:
    # On x**2 each step multiplies x by 1 - 2*lr; with lr ~ 1e100 the iterate overflows to inf
    # within a few steps, and the trajectory must end with that iterate.
    lr = float(10 ** ctx.rng.uniform(90, 110))
    traj = _check_gd(ctx, _x_squared(), float(ctx.rng.uniform(0.5, 2)), lr, "a diverging run")
    # On f(x, y) = x**4 + y**2 with lr < 1, x_(t+1) ~ -4 lr x_t**3: log10|x| roughly triples per
    # step, so some iterate is finite (|x| < 1e308) while its gradient 4x**3 already overflows
    # (|x| > 3.6e102), and the next one is (+-inf, finite y): the first iterate with a non-finite
    # ENTRY, which must be the last row.
    x0 = np.array([float(ctx.rng.uniform(3, 10)) * float(ctx.rng.choice([-1.0, 1.0])), float(ctx.rng.uniform(-1, 1))])
    traj2 = _check_gd(ctx, _quartic_valley(), x0, float(ctx.rng.uniform(0.05, 0.5)), "a 2-D run whose gradient overflows")
    for t in (traj, traj2):
        if np.all(np.isfinite(t[-1])):
            ctx.fail("a diverging gradient descent must stop right after producing a non-finite iterate "
                     "(check np.isfinite after each update).", "no stop on overflow")


@check("1.6", "gradient_descent keeps integer/list x0 unchanged, stops at once at a minimum and respects max_iter = 0")
def gd_edges(ctx: Ctx) -> None:
    x0 = [int(v) for v in ctx.rng.integers(-3, 4, size=3)]
    _check_gd(ctx, obj.bowl(3), x0, 0.25, "an integer list x0", max_iter=5)
    _check_gd(ctx, obj.bowl(3), np.array(x0), 0.25, "an integer array x0", max_iter=5)
    traj = _check_gd(ctx, obj.bowl(3), [0, 0, 0], 0.1, "a start at the minimum given as a list of ints")
    if traj.shape != (1, 3):
        ctx.fail(f"started at the minimum (gradient 0), gradient_descent must return just [x0]; it returned {describe(traj)}.")
    traj = _check_gd(ctx, obj.bowl(2), np.array([1.0, 1.0]), 0.1, "max_iter = 0", max_iter=0)
    if traj.shape != (1, 2):
        ctx.fail(f"with max_iter = 0 the trajectory is just [x0]; the code returned {describe(traj)}.")


@functools.cache
def _double_well_minima() -> tuple[float, float]:
    # Minima located by sympy: the real roots of f'(x) = 4x**3 - 6x + 1 are about -1.30, 0.17
    # and 1.13; the outer two are minima (f'' > 0), the global one the smaller f.
    roots = obj.stationary_points(obj.double_well())
    return roots[2], roots[0]


@check("1.6", "gradient_descent on the double well stops near the local minimum from 2 and the global one from -2")
def gd_double_well(ctx: Ctx) -> None:
    local_min, global_min = _double_well_minima()
    lr = float(ctx.rng.uniform(0.005, 0.02))
    for x0, target, name in ((2.0, local_min, "local"), (-2.0, global_min, "global")):
        traj = _check_gd(ctx, obj.double_well(), x0, lr, f"the double well from {x0}", eps=1e-8, max_iter=5000)
        # |f'(x)| < 1e-8 near a root with f''(x*) >= 4 puts x within 1e-8/4 of it.
        if abs(traj[-1] - target) > 1e-6:
            ctx.fail(f"from x0 = {x0} gradient descent should end at the {name} minimum of the double well.")


# ---- 1.7 lr_regime ----------------------------------------------------------------------

def _regime(lr: float, a: float) -> str:
    """The regime from exact rational arithmetic on the two floats (no rounding at all)."""
    r = 1 - 2 * Fraction(a) * Fraction(lr)
    return "diverge" if r < -1 else "cycle" if r == -1 else "oscillating" if r < 0 else "monotone"


def _check_regimes(ctx: Ctx, cases: list[tuple[float, float]]) -> None:
    for lr, a in cases:
        got = ctx.call("lr_regime", lr, a)
        want = _regime(lr, a)
        if got != want:
            if not isinstance(got, str):
                ctx.fail(f"lr_regime should return one of 'monotone', 'oscillating', 'cycle', 'diverge'; it returned {describe(got)}.")
            ctx.fail(f"lr_regime gives {got!r} where GD's factor r = 1 - 2*a*lr means {want!r}."
                     + reveal(ctx, f"(lr = {lr}, a = {a})"))


@check("1.7", "lr_regime names the lecture's four behaviours for f = x**2", public=True)
def regime_public(ctx: Ctx) -> None:
    _check_regimes(ctx, [(0.1, 1.0), (0.5, 1.0), (0.75, 1.0), (1.0, 1.0), (100.0, 1.0), (0.01, 1.0)])


@check("1.7", "lr_regime is exact at the boundaries r = 0 and r = -1 and just beside them")
def regime_boundaries(ctx: Ctx) -> None:
    # Powers of two keep 2*a*lr exact in binary floating point, so r is exactly 0 or -1; with
    # a = 2**k * (1 +- 2**-m) it is exactly 2**-m (or 2**(1-m)) beside them, far above rounding
    # (any order of operations errs by ~1e-16 relative) yet below any "close enough" tolerance.
    cases: list[tuple[float, float]] = [(1, 1), (1, 2)]
    for _ in range(2):
        k = int(ctx.rng.integers(-4, 5))
        m = int(ctx.rng.integers(20, 41))
        a = float(2.0**k)
        for factor in (1.0, 1.0 + 2.0**-m, 1.0 - 2.0**-m):
            cases += [(0.5 / a, a * factor), (1.0 / a, a * factor)]
    _check_regimes(ctx, cases)


@check("1.7", "lr_regime is right inside each regime for many (lr, a)")
def regime_interior(ctx: Ctx) -> None:
    cases = []
    for lo, hi in ((0.02, 0.45), (0.55, 0.95), (1.05, 50.0)):  # values of a*lr inside one regime each
        for _ in range(3):
            a = float(10 ** ctx.rng.uniform(-2, 2))
            cases.append((float(ctx.rng.uniform(lo, hi)) / a, a))
    _check_regimes(ctx, cases)
