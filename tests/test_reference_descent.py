"""Part 1 (descent.py): the reference is proved right by oracles that do not share its code.

- 1.1-1.4: sympy builds each function symbolically, differentiates it with sympy.diff and
  evaluates the derivative with sympy.lambdify; no derivative is written by hand here.
- 1.5: sympy derivatives again, plus the closed form of central differences on x**3.
- 1.6: trajectories expanded by hand step by step, the closed form x0 * (1 - 2*a*lr)**t on
  a * x**2, and gradients built so that the stopping step is known exactly.
- 1.7: exactly representable boundaries, and a direct simulation of GD for interior values.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reference import solution


@pytest.fixture(scope="module")
def descent():
    """solutions/descent.py, loaded once with autograder.loading.load_module."""
    return solution("descent")


# Every tolerance below is derived in a comment next to it.


def is_float_like(value) -> bool:
    """A scalar result as the contract accepts it: float, np.float64 or a 0-d float64 array."""
    if isinstance(value, np.ndarray):
        return value.shape == () and value.dtype == np.float64
    return isinstance(value, (float, np.floating)) and np.asarray(value).dtype == np.float64


def abs_term_sum(expr, *symbols):
    """sum_k |term_k| of the expanded expression, as a numpy function.

    Rounding in ANY evaluation order of a polynomial is bounded by
    (number of operations) * 2**-53 * sum_k |term_k| (Higham, "Accuracy and Stability of
    Numerical Algorithms", ch. 5), so this is the scale against which float results of two
    different but equally valid formulas are compared.
    """
    terms = sp.Add.make_args(sp.expand(expr))
    return sp.lambdify(symbols, sp.Add(*[sp.Abs(t) for t in terms]), "numpy")


# A polynomial of degree <= 5 evaluated in any order uses at most ~15 roundings, i.e. an
# error <= 15 * 1.1e-16 * sum|terms| ~ 2e-15 * sum|terms|, for the reference and for the
# lambdified sympy expression alike. 1e-12 * sum|terms| leaves a margin of ~500, while a
# wrong coefficient or a missing term moves the value by a whole term, i.e. by a sizeable
# fraction of sum|terms| at random points of size O(1) (and 25+ points are checked per task).
POLY_REL = 1e-12


def assert_poly_close(actual, expected, scale):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape
    assert np.all(np.abs(actual - expected) <= POLY_REL * np.asarray(scale)), (actual, expected)


# ---------------------------------------------------------------------------------------
# 1.1 chain_rule_example
# ---------------------------------------------------------------------------------------
X = sp.Symbol("x", real=True)
CHAIN_Y = (3 * X**3 + 2) ** 2  # y = f(g(x)), f(u) = u**2, g(x) = 3x**3 + 2
CHAIN_D = sp.lambdify(X, sp.diff(CHAIN_Y, X), "numpy")
CHAIN_SCALE = abs_term_sum(sp.diff(CHAIN_Y, X), X)

WELL_F = X**4 - 3 * X**2 + X
WELL_D = sp.lambdify(X, sp.diff(WELL_F, X), "numpy")
WELL_SCALE = abs_term_sum(sp.diff(WELL_F, X), X)


@pytest.mark.parametrize("name, oracle, scale", [
    ("chain_rule_example", CHAIN_D, CHAIN_SCALE),
    ("grad_double_well", WELL_D, WELL_SCALE),
], ids=["1.1", "1.2"])
class TestScalarDerivatives:
    def test_scalar_points_match_sympy(self, descent, name, oracle, scale):
        fn = getattr(descent, name)
        rng = np.random.default_rng(11)
        for x in rng.uniform(-2.5, 2.5, size=25):
            got = fn(float(x))
            assert is_float_like(got)
            assert_poly_close(got, oracle(x), scale(x))

    def test_array_in_elementwise_array_out(self, descent, name, oracle, scale):
        fn = getattr(descent, name)
        rng = np.random.default_rng(12)
        for shape in [(7,), (3, 4), (2, 1, 3)]:
            x = rng.uniform(-2.5, 2.5, size=shape)
            before = x.copy()
            got = fn(x)
            assert isinstance(got, np.ndarray) and got.shape == shape and got.dtype == np.float64
            assert_poly_close(got, oracle(x), scale(x))
            assert np.array_equal(x, before)  # the argument is not modified

    def test_integer_and_list_inputs(self, descent, name, oracle, scale):
        fn = getattr(descent, name)
        # integer points: the exact derivative is an integer far below 2**53, so float64
        # evaluation in any order is exact and equality is the right test.
        for k in [-3, -1, 0, 2, 5]:
            got = fn(k)
            assert is_float_like(got)
            assert float(got) == float(sp.diff(CHAIN_Y if name == "chain_rule_example" else WELL_F, X).subs(X, k))
        got = fn([1, -2, 3])
        assert isinstance(got, np.ndarray) and got.dtype == np.float64
        assert_poly_close(got, oracle(np.array([1.0, -2.0, 3.0])), scale(np.array([1.0, -2.0, 3.0])))
        got = fn(np.array([[1, 2], [0, -1]], dtype=np.int32))
        assert got.shape == (2, 2) and got.dtype == np.float64
        assert_poly_close(got, oracle(np.array([[1.0, 2.0], [0.0, -1.0]])), scale(np.array([[1.0, 2.0], [0.0, -1.0]])))


def test_1_1_power_the_oracle_is_the_chain_rule_not_a_partial_product():
    """The oracle differs from the two classic mistakes (forgetting du/dx, or dy/du) at a point."""
    x = 1.3
    assert abs(CHAIN_D(x) - 2 * (3 * x**3 + 2)) > 1.0
    assert abs(CHAIN_D(x) - 9 * x**2) > 1.0


# ---------------------------------------------------------------------------------------
# 1.3 grad_rosenbrock
# ---------------------------------------------------------------------------------------
XS, YS = sp.symbols("x y", real=True)
ROSEN = (1 - XS) ** 2 + 100 * (YS - XS**2) ** 2
ROSEN_GRAD = [sp.diff(ROSEN, v) for v in (XS, YS)]
ROSEN_D = sp.lambdify((XS, YS), ROSEN_GRAD, "numpy")
ROSEN_SCALES = [abs_term_sum(g, XS, YS) for g in ROSEN_GRAD]


def test_1_3_rosenbrock_matches_sympy_at_random_points(descent):
    rng = np.random.default_rng(13)
    for x, y in rng.uniform(-2.0, 2.0, size=(30, 2)):
        for p in [(float(x), float(y)), [float(x), float(y)], np.array([x, y])]:
            got = descent.grad_rosenbrock(p)
            assert isinstance(got, np.ndarray) and got.shape == (2,) and got.dtype == np.float64
            scale = [s(x, y) for s in ROSEN_SCALES]
            assert_poly_close(got, ROSEN_D(x, y), scale)


def test_1_3_rosenbrock_minimum_and_integer_point(descent):
    # at the minimum (1, 1) the gradient is exactly 0; at an integer point every term is an
    # integer, so the float result is exact.
    assert np.array_equal(descent.grad_rosenbrock((1, 1)), [0.0, 0.0])
    expected = [float(g.subs({XS: 2, YS: -1})) for g in ROSEN_GRAD]
    assert np.array_equal(descent.grad_rosenbrock(np.array([2, -1])), expected)


# ---------------------------------------------------------------------------------------
# 1.4 grad_quadratic, A not symmetric
# ---------------------------------------------------------------------------------------
def sympy_quadratic_gradient(A, b):
    """Gradient of f(x) = 1/2 x^T A x - b^T x, built symbolically with the numeric A and b."""
    D = len(b)
    xs = sp.symbols(f"x0:{D}", real=True)
    Xv = sp.Matrix(xs)
    # sp.Rational(float) is the exact binary value, so the symbolic f is exactly the float one.
    As = sp.Matrix(D, D, lambda i, j: sp.Rational(float(A[i][j])))
    bs = sp.Matrix([sp.Rational(float(v)) for v in b])
    f = sp.Rational(1, 2) * (Xv.T * As * Xv)[0, 0] - (bs.T * Xv)[0, 0]
    grad = [sp.diff(f, v) for v in xs]
    value = sp.lambdify(xs, grad, "numpy")
    scales = [abs_term_sum(g, *xs) for g in grad]
    return (lambda x: np.array(value(*x), dtype=np.float64),
            lambda x: np.array([s(*x) for s in scales], dtype=np.float64))


@pytest.mark.parametrize("D, integer", [(2, True), (3, True), (4, False), (5, False)])
def test_1_4_nonsymmetric_quadratic_matches_sympy(descent, D, integer):
    rng = np.random.default_rng(140 + D)
    A = rng.integers(-5, 6, size=(D, D)) if integer else rng.normal(size=(D, D))
    b = rng.integers(-3, 4, size=D) if integer else rng.normal(size=D)
    assert not np.array_equal(A, A.T)  # the case the task is about
    A_before, b_before = A.copy(), b.copy()
    oracle, scale = sympy_quadratic_gradient(A, b)
    df = descent.grad_quadratic(A, b)
    assert np.array_equal(A, A_before) and np.array_equal(b, b_before)
    for x in rng.normal(size=(10, D)) * 2:
        got = df(x)
        assert isinstance(got, np.ndarray) and got.shape == (D,) and got.dtype == np.float64
        assert_poly_close(got, oracle(x), scale(x))
        # power: the test distinguishes the right answer from the symmetric-only A @ x - b
        assert np.max(np.abs(oracle(x) - (A @ x - b))) > 1e-3


def test_1_4_lists_and_integer_x(descent):
    A = [[2, 1], [-3, 4]]
    b = [1, -1]
    oracle, scale = sympy_quadratic_gradient(A, b)
    df = descent.grad_quadratic(A, b)
    for x in ([1, 2], np.array([3, -1], dtype=np.int16), (0.5, -0.25)):
        # integer/dyadic A, b, x: every exact intermediate is a small dyadic rational, so the
        # float result is exact and equality is the right test
        assert np.array_equal(df(x), oracle(np.asarray(x, dtype=np.float64)))


def test_1_4_df_does_not_see_later_changes_to_A_or_b(descent):
    """The reference's own docstring promises that df is frozen at call time."""
    A = np.array([[1.0, 2.0], [0.0, 3.0]])
    b = np.array([1.0, 1.0])
    oracle, _ = sympy_quadratic_gradient(A.copy(), b.copy())
    df = descent.grad_quadratic(A, b)
    A[:] = 100.0
    b[:] = -7.0
    x = np.array([0.5, -1.5])
    assert np.array_equal(df(x), oracle(x))  # dyadic inputs: exact, see above


# ---------------------------------------------------------------------------------------
# 1.5 numerical_gradient
# ---------------------------------------------------------------------------------------
# f(X) = sum(sin(X) * X**2) on entries in [-2, 2], default h = 1e-5:
#   truncation error h**2/6 * |f'''| with |f'''| = |6cos x - 6x sin x - x**2 cos x| <= 22,
#   i.e. <= 1e-10/6 * 22 ~ 4e-10;
#   round-off: each f value (a sum of <= 12 terms of size <= 4) is off by <= ~12*4*1.1e-16
#   ~ 5e-15, divided by 2h = 2e-5 gives ~3e-10.
# So 1e-8 absolute is a margin of > 10 while a forward difference (error h/2*|f''| ~ 1e-5)
# or a wrong denominator (h instead of 2h: error ~|f'|) fails by orders of magnitude.
NUMGRAD_ATOL = 1e-8


def sin_x2(X):
    return np.sum(np.sin(X) * np.asarray(X, dtype=np.float64) ** 2)


def sympy_grid_gradient(shape):
    """sympy gradient of sum(sin(x_ij) * x_ij**2) over a grid of symbols of this shape."""
    n = int(np.prod(shape)) if shape else 1
    syms = sp.symbols(f"s0:{n}", real=True)
    F = sum(sp.sin(s) * s**2 for s in syms)
    grad = sp.lambdify(syms, [sp.diff(F, s) for s in syms], "numpy")
    return lambda x: np.array(grad(*np.ravel(np.asarray(x, dtype=np.float64))), dtype=np.float64).reshape(shape)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4)], ids=["scalar", "vector", "matrix"])
def test_1_5_numerical_gradient_matches_sympy(descent, shape):
    rng = np.random.default_rng(15)
    oracle = sympy_grid_gradient(shape)
    for _ in range(3):
        x = rng.uniform(-2.0, 2.0, size=shape)
        if shape == ():
            x = float(x)
        got = descent.numerical_gradient(sin_x2, x)
        if shape == ():
            assert is_float_like(got)
        else:
            assert isinstance(got, np.ndarray) and got.shape == shape and got.dtype == np.float64
        np.testing.assert_allclose(got, oracle(x), rtol=0, atol=NUMGRAD_ATOL)


def test_1_5_central_difference_closed_form_and_h_is_used(descent):
    """For f = sum(x**3), (f(x+h e_i) - f(x-h e_i)) / 2h = 3 x_i**2 + h**2 exactly (in reals).

    With h = 1e-2 the h**2 = 1e-4 offset shows that the caller's h is used and that the
    difference is central (a forward difference would give 3x**2 + 3xh + h**2).
    Tolerance: f is a sum of 4 cubes of size <= 27, rounded to ~4*27*1.1e-16 ~ 1e-14; divided
    by 2h = 2e-2 that is ~1e-12, so 1e-10 is safe and 1e6 times smaller than the h**2 signal.
    """
    x = np.array([-3.0, -0.5, 1.25, 2.0])
    h = 1e-2
    got = descent.numerical_gradient(lambda v: np.sum(np.asarray(v) ** 3), x, h=h)
    np.testing.assert_allclose(got, 3 * x**2 + h**2, rtol=0, atol=1e-10)
    got_default = descent.numerical_gradient(lambda v: np.sum(np.asarray(v) ** 3), x)
    # default h = 1e-5: offset h**2 = 1e-10; round-off ~1e-14 / 2e-5 = 5e-10, so 1e-8
    np.testing.assert_allclose(got_default, 3 * x**2, rtol=0, atol=1e-8)


def test_1_5_callers_x_unchanged_bit_for_bit(descent):
    # values where x + h - h != x in floating point, plus -0.0 and a subnormal
    x = np.array([[0.1, -0.0, 1e-310], [1.0 / 3.0, 123.456, -7.7]])
    before = x.tobytes()
    seen = []

    def f(v):
        seen.append(x.tobytes() == before)  # x is also untouched while f runs
        return sin_x2(v)

    descent.numerical_gradient(f, x)
    assert x.tobytes() == before
    assert all(seen)
    lst = [0.1, 0.2, 0.3]
    descent.numerical_gradient(sin_x2, lst)
    assert lst == [0.1, 0.2, 0.3]


def test_1_5_integer_and_float32_inputs_are_perturbed_in_float64(descent):
    oracle = sympy_grid_gradient((3,))
    for x in ([1, -2, 0], np.array([1, -2, 0], dtype=np.int64), np.array([1, -2, 0], dtype=np.int8)):
        got = descent.numerical_gradient(sin_x2, x)
        assert np.asarray(got).dtype == np.float64
        np.testing.assert_allclose(got, oracle(np.array([1.0, -2.0, 0.0])), rtol=0, atol=NUMGRAD_ATOL)
    got = descent.numerical_gradient(sin_x2, 2)
    assert is_float_like(got)
    np.testing.assert_allclose(got, sympy_grid_gradient(())(2.0), rtol=0, atol=NUMGRAD_ATOL)
    # float32: perturbing in float32 would round x +- 1e-5 to a multiple of ~6e-8 (a ~1% error)
    x32 = np.array([0.3, 1.7], dtype=np.float32)
    got = descent.numerical_gradient(sin_x2, x32)
    np.testing.assert_allclose(got, sympy_grid_gradient((2,))(x32.astype(np.float64)), rtol=0, atol=NUMGRAD_ATOL)


def test_1_5_f_returning_its_argument(descent):
    """Regression: f_plus used to be kept by reference and changed by the next perturbation."""
    # f(x) = x has derivative 1; a 0-d array is a valid scalar result per the contract.
    # 1e-9: round-off of (x+h)-(x-h) at x=3 is ~4e-16/2e-5 = 2e-11.
    assert abs(float(descent.numerical_gradient(lambda v: v, 3.0)) - 1.0) < 1e-9


# ---------------------------------------------------------------------------------------
# 1.6 gradient_descent
# ---------------------------------------------------------------------------------------
def assert_step(new, expected, old):
    """The contract's step check: |x_{t+1} - expected| <= 1e-7 * |expected - x_t| + floor.

    1e-7 of the step hides any float reordering (a few ulps of x_t, far below 1e-7 of a
    step that is not tiny) yet shows a wrong step; the floor 1e-300 only guards exact zeros.
    """
    new, expected, old = (np.asarray(v, dtype=np.float64) for v in (new, expected, old))
    assert new.shape == expected.shape
    assert np.all(np.abs(new - expected) <= 1e-7 * np.abs(expected - old) + 1e-300), (new, expected)


def test_1_6_hand_expanded_steps_vector(descent):
    # f(x, y) = x**2 + x*y + 2*y**2 - y; its gradient is the INPUT to GD here, not an oracle
    def df(p):
        return np.array([2 * p[0] + p[1], p[0] + 4 * p[1] - 1])

    lr = 0.125
    x0 = np.array([1.0, 2.0])
    g0 = np.array([2 * 1.0 + 2.0, 1.0 + 4 * 2.0 - 1])        # [4, 8]
    x1 = np.array([1.0 - lr * 4.0, 2.0 - lr * 8.0])           # [0.5, 1.0]
    g1 = np.array([2 * 0.5 + 1.0, 0.5 + 4 * 1.0 - 1])         # [2, 3.5]
    x2 = np.array([0.5 - lr * 2.0, 1.0 - lr * 3.5])           # [0.25, 0.5625]
    g2 = np.array([2 * 0.25 + 0.5625, 0.25 + 4 * 0.5625 - 1])  # [1.0625, 1.5]
    x3 = np.array([0.25 - lr * 1.0625, 0.5625 - lr * 1.5])    # [0.1171875, 0.375]
    assert np.array_equal(g0, [4, 8]) and np.array_equal(g1, [2, 3.5]) and np.array_equal(g2, [1.0625, 1.5])
    traj = descent.gradient_descent(df, x0, lr, max_iter=3)
    assert isinstance(traj, np.ndarray) and traj.shape == (4, 2) and traj.dtype == np.float64
    assert np.array_equal(traj[0], x0)
    for t, (old, expected) in enumerate([(x0, x1), (x1, x2), (x2, x3)]):
        assert_step(traj[t + 1], expected, traj[t])


def test_1_6_hand_expanded_steps_scalar_double_well(descent):
    # f(x) = x**4 - 3x**2 + x; df is input. Three steps from x0 = 0.5 with lr = 0.05.
    def df(x):
        return 4 * x**3 - 6 * x + 1

    lr, x0 = 0.05, 0.5
    x1 = x0 - lr * (4 * x0**3 - 6 * x0 + 1)
    x2 = x1 - lr * (4 * x1**3 - 6 * x1 + 1)
    x3 = x2 - lr * (4 * x2**3 - 6 * x2 + 1)
    traj = descent.gradient_descent(df, x0, lr, max_iter=3)
    assert traj.shape == (4,)
    assert traj[0] == x0
    assert_step(traj[1], x1, x0)
    assert_step(traj[2], x2, traj[1])
    assert_step(traj[3], x3, traj[2])


@pytest.mark.parametrize("a, lr, x0, T", [(1.5, 0.1, 2.0, 40), (0.5, 1.7, -3.0, 30), (4.0, 0.01, 0.7, 60)])
def test_1_6_closed_form_on_a_x_squared(descent, a, lr, x0, T):
    # eps=0: the gradient 2*a*x_t is never exactly 0 here, so exactly T updates are made.
    traj = descent.gradient_descent(lambda x: 2 * a * x, x0, lr, eps=0.0, max_iter=T)
    assert traj.shape == (T + 1,)
    expected = x0 * (1 - 2 * a * lr) ** np.arange(T + 1)
    # each update x - lr*(2*a*x) rounds ~3 times (<= 3.3e-16 relative per step, the relative
    # error of x_t adds up over steps): <= 60 * 3.3e-16 ~ 2e-14 after 60 steps, plus r**t's
    # own ~1e-15; rtol 1e-12 leaves ~50x margin and a wrong factor (lr*a, 1+2a*lr) is O(1) off.
    np.testing.assert_allclose(traj, expected, rtol=1e-12, atol=0)


def test_1_6_closed_form_vector_diagonal(descent):
    a = np.array([0.5, 1.0, 3.0])
    lr, T = 0.1, 25
    x0 = np.array([1.0, -2.0, 0.5])
    traj = descent.gradient_descent(lambda x: 2 * a * x, x0, lr, eps=0.0, max_iter=T)
    assert traj.shape == (T + 1, 3)
    expected = x0 * (1 - 2 * a * lr) ** np.arange(T + 1)[:, None]
    np.testing.assert_allclose(traj, expected, rtol=1e-12, atol=0)  # same reasoning as above


def test_1_6_stopping_rule_is_strict_and_first_small_gradient_is_last_row(descent):
    # a = 1, lr = 0.25: x_t = 2**-t exactly (dyadic), gradient g_t = 2x_t = 2**(1-t).
    # eps = 2**-5: g_6 = 2**-5 is NOT < eps; g_7 = 2**-6 is the first below, so x_7 is last.
    traj = descent.gradient_descent(lambda x: 2.0 * x, 1.0, 0.25, eps=2.0**-5)
    assert np.array_equal(traj, 2.0 ** -np.arange(8))
    # the same as a 2-vector: size sqrt(2)*2**(1-t) < 2**-5 iff t > 6.5, first at t = 7
    traj = descent.gradient_descent(lambda x: 2.0 * x, np.array([1.0, 1.0]), 0.25, eps=2.0**-5)
    assert np.array_equal(traj, np.repeat(2.0 ** -np.arange(8), 2).reshape(8, 2))
    # and it is the Euclidean norm, not the max or the sum: from (1.5, 2) the gradient is
    # g_t = (3, 4) * 2**-t, with 2-norm 5 * 2**-t, max-norm 4 * 2**-t and 1-norm 7 * 2**-t.
    # eps = 0.7: 2-norm first below at t = 3 (0.625), the 1-norm only at t = 4 (0.4375)
    traj = descent.gradient_descent(lambda x: 2.0 * x, np.array([1.5, 2.0]), 0.25, eps=0.7)
    assert np.array_equal(traj, np.array([1.5, 2.0]) * 2.0 ** -np.arange(4)[:, None])
    # eps = 0.55: 2-norm first below at t = 4 (0.3125), the max-norm already at t = 3 (0.5)
    traj = descent.gradient_descent(lambda x: 2.0 * x, np.array([1.5, 2.0]), 0.25, eps=0.55)
    assert np.array_equal(traj, np.array([1.5, 2.0]) * 2.0 ** -np.arange(5)[:, None])


def test_1_6_stops_at_x0_when_gradient_is_already_small(descent):
    traj = descent.gradient_descent(lambda x: np.zeros(2), np.array([3.0, 4.0]), 0.1)
    assert traj.shape == (1, 2) and np.array_equal(traj[0], [3.0, 4.0])
    traj = descent.gradient_descent(lambda x: 1e-7, 5, 0.1)  # |g| = 1e-7 < default eps 1e-6
    assert traj.shape == (1,) and traj[0] == 5.0


def test_1_6_max_iter_respected(descent):
    def df(x):
        return 1.0  # never small: only max_iter stops it

    traj = descent.gradient_descent(df, 0, 0.5, max_iter=7)
    assert np.array_equal(traj, -0.5 * np.arange(8))  # dyadic: exact
    assert descent.gradient_descent(df, 2.0, 0.5, max_iter=0).shape == (1,)
    traj = descent.gradient_descent(df, 0.0, 0.5)  # default max_iter = 1000
    assert traj.shape == (1001,)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_1_6_stops_right_after_a_non_finite_iterate(descent, bad):
    # gradient -1 (x moves +1 per step, lr = 1) until x >= 2.5, then a non-finite gradient
    def df(x):
        return -1.0 if x < 2.5 else bad

    traj = descent.gradient_descent(df, 0.0, 1.0, max_iter=100)
    assert traj.shape == (5,)
    assert np.array_equal(traj[:4], [0.0, 1.0, 2.0, 3.0])
    assert not np.isfinite(traj[4])

    def df_vec(p):  # only ONE entry becomes non-finite
        return np.array([-1.0, 0.0]) if p[0] < 2.5 else np.array([bad, 0.0])

    traj = descent.gradient_descent(df_vec, np.array([0.0, 7.0]), 1.0, max_iter=100)
    assert traj.shape == (5, 2)
    assert np.all(np.isfinite(traj[:4])) and not np.all(np.isfinite(traj[4]))
    assert traj[4, 1] == 7.0


def test_1_6_organic_divergence_stops_at_first_overflow(descent):
    # r = 1 - 2*1*1.5 = -2: |x_t| = 1e300 * 2**t overflows within ~30 steps
    traj = descent.gradient_descent(lambda x: 2 * x, 1e300, 1.5, max_iter=1000)
    assert len(traj) < 40
    assert np.all(np.isfinite(traj[:-1])) and not np.isfinite(traj[-1])
    # the finite rows follow the closed form; rtol as in the closed-form test above
    np.testing.assert_allclose(traj[:-1], 1e300 * (-2.0) ** np.arange(len(traj) - 1), rtol=1e-12)


def test_1_6_inputs_rows_and_x0_untouched(descent):
    x0 = np.array([1, 2])  # integers
    traj = descent.gradient_descent(lambda x: np.asarray(x) * 0.5, x0, 0.5, max_iter=2)
    assert traj.dtype == np.float64 and np.array_equal(x0, [1, 2])
    assert np.array_equal(traj, [[1, 2], [0.75, 1.5], [0.5625, 1.125]])  # dyadic: exact
    traj = descent.gradient_descent(lambda x: x, [4.0, -4.0], 0.25, max_iter=1)
    assert np.array_equal(traj, [[4.0, -4.0], [3.0, -3.0]])


# ---------------------------------------------------------------------------------------
# 1.7 lr_regime
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("a, lr, regime", [
    (1.0, 0.5, "monotone"),       # r = 0 exactly
    (2.0, 0.25, "monotone"),      # r = 0 exactly
    (1.0, 1.0, "cycle"),          # r = -1 exactly
    (2.0, 0.5, "cycle"),          # r = -1 exactly
    (0.5, 2.0, "cycle"),          # r = -1 exactly
    (1.0, 0.25, "monotone"),      # r = 0.5
    (0.1, 0.01, "monotone"),      # r = 0.998
    (1.0, 0.75, "oscillating"),   # r = -0.5
    (3.0, 0.25, "oscillating"),   # r = -0.5
    (1.0, 0.5 + 2.0**-20, "oscillating"),  # r = -2**-19, just below 0
    (1.0, 1.5, "diverge"),        # r = -2
    (2.0, 1.0, "diverge"),        # r = -3
    (1.0, 1.0 + 2.0**-20, "diverge"),      # r = -1 - 2**-19, just below -1
    (1.0, 1.0 - 2.0**-20, "oscillating"),  # r = -1 + 2**-19, just above -1
])
def test_1_7_regimes(descent, a, lr, regime):
    assert descent.lr_regime(lr, a) == regime


def test_1_7_boundaries_agree_with_actual_gd(descent):
    # r = 0: one-step convergence; x_1 = 0 and GD stops there because the gradient is 0
    traj = descent.gradient_descent(lambda x: 2 * 1.0 * x, 3.0, 0.5)
    assert np.array_equal(traj, [3.0, 0.0]) and descent.lr_regime(0.5, 1.0) == "monotone"
    traj = descent.gradient_descent(lambda x: 2 * 2.0 * x, -1.5, 0.25)
    assert np.array_equal(traj, [-1.5, 0.0]) and descent.lr_regime(0.25, 2.0) == "monotone"
    # r = -1: x0, -x0, x0, ... exactly, forever (eps = 0 and max_iter bound the run)
    traj = descent.gradient_descent(lambda x: 2 * 1.0 * x, 3.0, 1.0, eps=0.0, max_iter=6)
    assert np.array_equal(traj, [3.0, -3.0, 3.0, -3.0, 3.0, -3.0, 3.0])
    assert descent.lr_regime(1.0, 1.0) == "cycle"


@settings(max_examples=150, deadline=None)
@given(a=st.floats(0.01, 10.0), lr=st.floats(0.001, 5.0))
def test_1_7_agrees_with_direct_simulation(descent, a, lr):
    # simulate four GD steps on a*x**2 directly from x0 = 1 (no r is computed from a formula)
    xs = [1.0]
    for _ in range(4):
        xs.append(xs[-1] - lr * (2 * a * xs[-1]))
    ratio = xs[1] / xs[0]
    # stay 1e-9 away from the boundaries 0 and -1: the simulated ratio carries ~1e-15 of
    # rounding, so its side of a boundary is then certain
    assume(abs(ratio) > 1e-9 and abs(ratio + 1) > 1e-9)
    signs = [math.copysign(1, v) for v in xs]
    same_sign = all(s == signs[0] for s in signs)
    alternating = all(signs[t] != signs[t + 1] for t in range(4))
    shrinking = all(abs(xs[t + 1]) < abs(xs[t]) for t in range(4))
    growing = all(abs(xs[t + 1]) > abs(xs[t]) for t in range(4))
    if same_sign and shrinking:
        observed = "monotone"
    elif alternating and shrinking:
        observed = "oscillating"
    else:
        assert alternating and growing  # the only other behaviour of x0 * r**t off the boundaries
        observed = "diverge"
    assert descent.lr_regime(lr, a) == observed
