"""Checks of part 1 (descent.py): derivatives, central differences, gradient descent, lr regimes.

Expected values come from sympy (objectives.py) evaluated at the check's inputs, or, for
gradient descent, from the recurrence applied to the student's own iterates.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from .. import objectives as obj
from ..checking import Ctx, Recorder
from ..expect import all_close, describe, float_array, reveal, same_rows, scalar, step_matches
from ..registry import check

# Derivative tasks: results must agree with sympy to a few ulps of the values involved; 1e-9
# relative with a 1e-9 absolute floor leaves room for any order of float operations.
DERIV_RTOL, DERIV_ATOL = 1e-9, 1e-9


def _chain_rule_oracle():
    x = sp.Symbol("x", real=True)
    return obj.from_sympy("(3x^3+2)^2", (3 * x**3 + 2) ** 2, (x,), scalar=True)


def _check_elementwise(ctx: Ctx, function: str, oracle: obj.Objective, x, what: str) -> None:
    got = ctx.call(function, x)
    want = oracle.grad(np.asarray(x, dtype=np.float64))
    if np.ndim(x) == 0:
        value = scalar(got, f"{function}({'x' if ctx.hidden else x})")
        if not all_close(value, want, DERIV_RTOL, DERIV_ATOL):
            ctx.fail(f"{function} returns a wrong derivative for a scalar x.{reveal(ctx, f'x = {x}: expected {want!r}, got {value!r}.')}")
        return
    arr = float_array(got, np.shape(x), f"{function} of {what}")
    if not all_close(arr, want, DERIV_RTOL, DERIV_ATOL):
        bad = int(np.sum(~np.isclose(arr, want, rtol=DERIV_RTOL, atol=DERIV_ATOL)))
        ctx.fail(f"{function} is wrong at {bad} of {arr.size} entries of {what}.{reveal(ctx, f'x = {x!r}: expected {want!r}.')}")


# ---- 1.1 chain_rule_example -------------------------------------------------------------

@check("1.1", "chain_rule_example matches the lecture's example at x = 2", public=True)
def chain_rule_public(ctx: Ctx) -> None:
    _check_elementwise(ctx, "chain_rule_example", _chain_rule_oracle(), 2.0, "x = 2")


@check("1.1", "chain_rule_example is right at scalar inputs")
def chain_rule_scalars(ctx: Ctx) -> None:
    for x in ctx.rng.uniform(-2, 2, size=3):
        _check_elementwise(ctx, "chain_rule_example", _chain_rule_oracle(), float(x), "a scalar")


@check("1.1", "chain_rule_example works elementwise on arrays, integer arrays included")
def chain_rule_arrays(ctx: Ctx) -> None:
    _check_elementwise(ctx, "chain_rule_example", _chain_rule_oracle(), ctx.rng.uniform(-1.5, 1.5, size=(3, 4)), "a 3x4 array")
    ints = ctx.rng.integers(-3, 4, size=5)
    _check_elementwise(ctx, "chain_rule_example", _chain_rule_oracle(), ints, "an integer array")


# ---- 1.2 grad_double_well ---------------------------------------------------------------

@check("1.2", "grad_double_well is right at x = 0, 1 and -1", public=True)
def double_well_public(ctx: Ctx) -> None:
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), 1.0, "x = 1")
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), np.array([0.0, 1.0, -1.0]), "[0, 1, -1]")


@check("1.2", "grad_double_well is right at scalar inputs")
def double_well_scalars(ctx: Ctx) -> None:
    for x in ctx.rng.uniform(-2.5, 2.5, size=3):
        _check_elementwise(ctx, "grad_double_well", obj.double_well(), float(x), "a scalar")


@check("1.2", "grad_double_well works elementwise on arrays, integer arrays included")
def double_well_arrays(ctx: Ctx) -> None:
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), ctx.rng.uniform(-2, 2, size=(2, 5)), "a 2x5 array")
    _check_elementwise(ctx, "grad_double_well", obj.double_well(), ctx.rng.integers(-3, 4, size=4), "an integer array")


# ---- 1.3 grad_rosenbrock ----------------------------------------------------------------

def _check_rosenbrock(ctx: Ctx, p, what: str) -> None:
    got = float_array(ctx.call("grad_rosenbrock", p), (2,), f"grad_rosenbrock at {what}")
    want = obj.rosenbrock().grad(np.asarray(p, dtype=np.float64))
    if not all_close(got, want, DERIV_RTOL, DERIV_ATOL):
        which = [name for name, ok in zip(("df/dx", "df/dy"), np.isclose(got, want, DERIV_RTOL, DERIV_ATOL)) if not ok]
        ctx.fail(f"grad_rosenbrock: {' and '.join(which)} wrong at {what}.{reveal(ctx, f'p = {p!r}: expected {want!r}.')}")


@check("1.3", "grad_rosenbrock is right at (0, 0) and (1, 2)", public=True)
def rosenbrock_public(ctx: Ctx) -> None:
    _check_rosenbrock(ctx, np.array([0.0, 0.0]), "(0, 0)")
    _check_rosenbrock(ctx, np.array([1.0, 2.0]), "(1, 2)")


@check("1.3", "grad_rosenbrock is right at points around the valley")
def rosenbrock_points(ctx: Ctx) -> None:
    for p in ctx.rng.uniform(-2, 2, size=(4, 2)):
        _check_rosenbrock(ctx, p, "a point")


@check("1.3", "grad_rosenbrock accepts a tuple or list of ints and leaves it unchanged")
def rosenbrock_inputs(ctx: Ctx) -> None:
    x, y = (int(v) for v in ctx.rng.integers(-3, 4, size=2))
    _check_rosenbrock(ctx, (x, y), "an integer tuple")
    _check_rosenbrock(ctx, [float(x) + 0.5, float(y)], "a list")


# ---- 1.4 grad_quadratic -----------------------------------------------------------------

def _check_quadratic(ctx: Ctx, A: np.ndarray, b: np.ndarray, points: list[np.ndarray], what: str) -> None:
    outcome = ctx.outcome("grad_quadratic", A, b, then=[(p,) for p in points])
    ctx.require(outcome, "grad_quadratic")
    oracle = obj.quadratic(A, b)
    sym = 0.5 * (A + A.T)
    for p, got in zip(points, outcome.value):
        got = float_array(got, b.shape, f"df(x) for {what}")
        want = oracle.grad(p)
        if not all_close(got, want, DERIV_RTOL, DERIV_ATOL):
            if all_close(got, A @ p - b, DERIV_RTOL, DERIV_ATOL) and not np.allclose(A, sym):
                ctx.fail(f"df(x) returns A @ x - b, which is the gradient only when A is symmetric; here A is not "
                         f"(differentiate x @ A @ x: both A and A.T appear).", "A @ x - b for a non-symmetric A")
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
    outcome = ctx.outcome("grad_quadratic", A, b)
    if outcome.error is None and not (np.array_equal(outcome.args_after[0], A) and np.array_equal(outcome.args_after[1], b)):
        ctx.fail("grad_quadratic modified A or b in place; work on copies.", "modifies its input")


# ---- 1.5 numerical_gradient -------------------------------------------------------------

# Central differences with h = 1e-5 have truncation error h**2/6 * f''' ~ 1e-10 relative for
# the smooth functions below and round-off ~ ulp(f)/h ~ 1e-11; a forward difference errs by
# h/2 * f''/f' ~ 1e-5. A 1e-7 relative tolerance accepts the first and rejects the second.
FD_RTOL, FD_ATOL = 1e-7, 1e-8


def _field(shape: tuple[int, ...], rng: np.random.Generator) -> obj.Objective:
    """A smooth, non-separable scalar function of an array of ``shape`` (sympy-differentiated)."""
    size = int(np.prod(shape))
    xs = sp.symbols(f"x0:{size}", real=True)
    w = [sp.Float(float(v), 17) for v in rng.uniform(0.5, 1.5, size=size)]
    expr = sum(wi * sp.sin(xi) * xi**2 for wi, xi in zip(w, xs)) + sp.exp(sum(xi for xi in xs) / size) ** 3
    inner = obj.from_sympy("field", expr, tuple(xs), scalar=(size == 1 and shape == ()))
    if shape == ():
        return inner

    def f(x):
        return inner.f(np.asarray(x, dtype=np.float64).reshape(size))

    def grad(x):
        return inner.grad(np.asarray(x, dtype=np.float64).reshape(size)).reshape(shape)

    return obj.Objective("field", f, grad, size, False)


def _check_numerical(ctx: Ctx, x, h: float | None, what: str, rtol: float = FD_RTOL) -> None:
    shape = np.shape(x)
    field = _field(shape, ctx.rng)
    f = Recorder(field.f)
    outcome = ctx.outcome("numerical_gradient", f, x) if h is None else ctx.outcome("numerical_gradient", f, x, h)
    ctx.require(outcome, "numerical_gradient")
    want = field.grad(np.asarray(x, dtype=np.float64))
    if shape == ():
        got = scalar(outcome.value, f"numerical_gradient for a scalar x")
    else:
        got = float_array(outcome.value, shape, f"numerical_gradient for {what}")
    if not np.array_equal(np.asarray(outcome.args_after[1]), np.asarray(x)) or type(outcome.args_after[1]) is not type(x):
        ctx.fail(f"numerical_gradient changed the caller's x ({what}); perturb a private copy.", "modifies its input")
    if not all_close(got, want, rtol, FD_ATOL):
        step = 1e-5 if h is None else h
        forward = np.zeros(shape) if shape else 0.0
        x64 = np.array(x, dtype=np.float64)
        for i in np.ndindex(shape):
            e = np.zeros(shape)
            e[i] = step
            val = (field.f(x64 + e) - field.f(x64)) / step
            if shape:
                forward[i] = val
            else:
                forward = val
        if all_close(got, forward, 1e-6, 1e-9):
            ctx.fail(f"numerical_gradient looks like a forward difference (f(x+h) - f(x))/h; the task asks for the "
                     f"central difference (f(x+h) - f(x-h))/(2h), which is far more accurate.", "forward difference")
        calls = len(f.calls)
        if calls != 2 * max(1, int(np.prod(shape))):
            ctx.fail(f"numerical_gradient is wrong for {what}: it evaluated f {calls} times, while central "
                     f"differences need exactly 2 evaluations per entry ({2 * max(1, int(np.prod(shape)))} here).")
        ctx.fail(f"numerical_gradient is wrong for {what} (compared with the exact gradient).{reveal(ctx, f'x = {np.asarray(x).tolist()}: expected {np.asarray(want).tolist()}.')}")


@check("1.5", "numerical_gradient matches the exact gradient on a vector", public=True)
def numerical_public(ctx: Ctx) -> None:
    _check_numerical(ctx, np.array([0.5, -1.0, 2.0]), None, "a vector of 3 entries")


@check("1.5", "numerical_gradient handles scalar and matrix inputs")
def numerical_shapes(ctx: Ctx) -> None:
    _check_numerical(ctx, float(ctx.rng.uniform(-1, 1)), None, "a scalar x")
    _check_numerical(ctx, ctx.rng.uniform(-1, 1, size=(3, 2)), None, "a 3x2 matrix")


@check("1.5", "numerical_gradient uses the given h and leaves an integer x unchanged")
def numerical_h_and_ints(ctx: Ctx) -> None:
    # With h = 1e-3 the central difference still errs by only ~h**2 = 1e-6 relative, while a
    # hard-coded h = 1e-5 gives a visibly different (more accurate) answer: compare with the
    # central difference at h = 1e-3 computed from the same f.
    x = ctx.rng.integers(-2, 3, size=4)
    field = _field(x.shape, ctx.rng)
    got = float_array(ctx.call("numerical_gradient", field.f, x, 1e-3), x.shape, "numerical_gradient with h = 1e-3")
    x64 = x.astype(np.float64)
    want = np.array([(field.f(x64 + 1e-3 * e) - field.f(x64 - 1e-3 * e)) / 2e-3 for e in np.eye(x.size)])
    # Both sides are central differences of the same f at the same points: only round-off
    # (~ulp(f)/h ~ 1e-13) separates them, so 1e-9 is generous; ignoring h moves them ~1e-6 apart.
    if not all_close(got, want, 1e-9, 1e-10):
        ctx.fail("numerical_gradient does not follow the h argument (or rounds an integer x): with h = 1e-3 the result "
                 "should be the central difference with that step, computed on a float copy of x.")
    outcome = ctx.outcome("numerical_gradient", field.f, x, 1e-3)
    if outcome.error is None and not (outcome.args_after[1].dtype == x.dtype and np.array_equal(outcome.args_after[1], x)):
        ctx.fail("numerical_gradient changed the caller's integer x; perturb a private float copy.", "modifies its input")


# ---- 1.6 gradient_descent ---------------------------------------------------------------

def _grad_norm(g) -> float:
    return float(np.sqrt(np.sum(np.square(np.asarray(g, dtype=np.float64)))))


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
    traj = float_array(traj, None, "the trajectory")
    if not np.array_equal(outcome.args_after[1], x0):
        ctx.fail("gradient_descent modified x0 in place; copy it first (x = np.array(x0, dtype=float)).", "modifies its input")
    if len(traj) == 0 or not np.array_equal(traj[0], np.asarray(x0, dtype=np.float64)):
        ctx.fail(f"row 0 of the trajectory must be x0 ({what}).")
    if same_rows(traj):
        ctx.fail("every row of the trajectory is the same: the list holds one array object updated in place "
                 "(use x = x - lr * g, which makes a new array, or append a copy).", "rows alias one array")
    steps = len(traj) - 1
    if steps > max_iter:
        ctx.fail(f"the trajectory has {steps} updates, more than max_iter = {max_iter} ({what}).")
    for t in range(steps):
        x_t = traj[t]
        g = objective.grad(x_t)
        if _grad_norm(g) < eps:
            late = " (it kept going after the gradient was already small: test the size BEFORE updating)" if t == steps - 1 else ""
            ctx.fail(f"gradient_descent should have stopped at row {t}: the gradient there is smaller than eps{late} ({what}).",
                     "stops one step late" if t == steps - 1 else "stopping rule")
        if not step_matches(x_t, traj[t + 1], x_t - lr * np.asarray(g)):
            if step_matches(x_t, traj[t + 1], x_t + lr * np.asarray(g)):
                ctx.fail(f"row {t + 1} moves UP the gradient: the update is x - lr * df(x) ({what}).", "sign error")
            ctx.fail(f"row {t + 1} does not follow x_(t+1) = x_t - lr * df(x_t) from row {t} ({what}).")
        if not np.all(np.isfinite(traj[t + 1])) and t + 1 != steps:
            ctx.fail(f"row {t + 1} is not finite, so the trajectory should end there ({what}).", "no stop on overflow")
    last = traj[-1]
    finished = steps == max_iter or not np.all(np.isfinite(last))
    if not finished and _grad_norm(objective.grad(last)) >= eps:
        small = _grad_norm(objective.grad(last)) < 2 * eps
        ctx.fail(f"gradient_descent stopped after {steps} updates although the gradient's 2-norm was not yet < eps and "
                 f"max_iter was not reached ({what})"
                 + (": the size of a gradient is its Euclidean norm, not its largest entry." if small else "."),
                 "wrong norm or early stop")
    return traj


@check("1.6", "gradient_descent on x**2 from x0 = 1 follows x_t = 0.8**t and stops when |df| < eps", public=True)
def gd_public(ctx: Ctx) -> None:
    traj = _check_gd(ctx, obj.scaled_square(1.0), 1.0, 0.1, "f(x) = x**2, x0 = 1, lr = 0.1",
                     eps=1e-3)
    # Closed form x_t = x0 * (1 - 2*a*lr)**t (here 0.8**t): first t with |2 x_t| < 1e-3.
    expected_steps = next(t for t in range(1000) if abs(2 * 0.8**t) < 1e-3)
    if len(traj) - 1 != expected_steps:
        ctx.fail(f"expected {expected_steps} updates on x**2 from 1 with lr = 0.1 and eps = 1e-3, got {len(traj) - 1}.")


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


@check("1.6", "gradient_descent stops right after the first non-finite iterate when it diverges")
def gd_divergence(ctx: Ctx) -> None:
    # On x**2 each step multiplies x by 1 - 2*lr; with lr ~ 1e100 the iterate overflows to inf
    # within a few steps, and the trajectory must end with that iterate.
    lr = float(10 ** ctx.rng.uniform(90, 110))
    traj = _check_gd(ctx, obj.scaled_square(1.0), float(ctx.rng.uniform(0.5, 2)), lr, "a diverging run")
    if np.all(np.isfinite(traj[-1])):
        ctx.fail("a diverging gradient descent must stop right after producing a non-finite iterate "
                 "(check np.isfinite after each update).", "no stop on overflow")


@check("1.6", "gradient_descent keeps integer/list x0 unchanged, stops at once at a minimum and respects max_iter = 0")
def gd_edges(ctx: Ctx) -> None:
    x0 = [int(v) for v in ctx.rng.integers(-3, 4, size=3)]
    _check_gd(ctx, obj.bowl(3), x0, 0.25, "an integer list x0", max_iter=5)
    traj = _check_gd(ctx, obj.bowl(3), np.zeros(3), 0.1, "a start at the minimum")
    if traj.shape != (1, 3):
        ctx.fail(f"started at the minimum (gradient 0), gradient_descent must return just [x0]; it returned {describe(traj)}.")
    traj = _check_gd(ctx, obj.bowl(2), np.array([1.0, 1.0]), 0.1, "max_iter = 0", max_iter=0)
    if traj.shape != (1, 2):
        ctx.fail(f"with max_iter = 0 the trajectory is just [x0]; the code returned {describe(traj)}.")


@check("1.6", "gradient_descent on the double well stops near the local minimum from 2 and the global one from -2")
def gd_double_well(ctx: Ctx) -> None:
    # Minima located by sympy: the real roots of f'(x) = 4x**3 - 6x + 1 are about -1.30, 0.17
    # and 1.13; the outer two are minima (f'' > 0), the global one the smaller f.
    well = obj.double_well()
    roots = obj.stationary_points(well)
    local_min, global_min = roots[2], roots[0]
    lr = float(ctx.rng.uniform(0.005, 0.02))
    for x0, target, name in ((2.0, local_min, "local"), (-2.0, global_min, "global")):
        traj = _check_gd(ctx, well, x0, lr, f"the double well from {x0}", eps=1e-8, max_iter=5000)
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


@check("1.7", "lr_regime is exact at the boundaries r = 0 and r = -1")
def regime_boundaries(ctx: Ctx) -> None:
    # Powers of two keep 2*a*lr exact in binary floating point, so r is exactly 0 or -1.
    cases = []
    for _ in range(3):
        a = float(2.0 ** int(ctx.rng.integers(-4, 5)))
        cases += [(0.5 / a, a), (1.0 / a, a)]
    _check_regimes(ctx, cases)


@check("1.7", "lr_regime is right inside each regime for many (lr, a)")
def regime_interior(ctx: Ctx) -> None:
    cases = []
    for lo, hi in ((0.02, 0.45), (0.55, 0.95), (1.05, 50.0)):  # values of a*lr inside one regime each
        for _ in range(3):
            a = float(10 ** ctx.rng.uniform(-2, 2))
            cases.append((float(ctx.rng.uniform(lo, hi)) / a, a))
    _check_regimes(ctx, cases)
