"""Part 2 (sgd.py): the reference is proved right by oracles that do not share its code.

- 2.1: the partition property itself (sorted concatenation == range(n)), batch sizes,
  ceil(n/b) batches, seed behaviour; property-based over n and batch_size.
- 2.2: a recording grads(theta, idx): every call is checked against the contract (one call per
  update, each epoch's idx partition range(n)) and every row against theta - lr * mean of the
  per-example gradients computed here.
- 2.3: the recurrence written out in the test with a twin generator drawing xi_t in order.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import solution


@pytest.fixture(scope="module")
def sgd():
    """solutions/sgd.py, loaded once with autograder.loading.load_module."""
    return solution("sgd")


def assert_step(new, expected, old):
    """The contract's step check: |x_{t+1} - expected| <= 1e-7 * |expected - x_t| + floor.

    1e-7 of the step hides any float reordering (a few ulps) but not a wrong step; the
    1e-300 floor only guards steps that are exactly 0.
    """
    new, expected, old = (np.asarray(v, dtype=np.float64) for v in (new, expected, old))
    assert new.shape == expected.shape
    assert np.all(np.abs(new - expected) <= 1e-7 * np.abs(expected - old) + 1e-300), (new, expected)


def check_partition(batches, n, batch_size):
    assert isinstance(batches, list)
    assert len(batches) == math.ceil(n / batch_size)
    for b in batches:
        b = np.asarray(b)
        assert b.ndim == 1 and np.issubdtype(b.dtype, np.integer)
    sizes = [len(b) for b in batches]
    expected_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    assert sizes == expected_sizes
    assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(n))


# ---------------------------------------------------------------------------------------
# 2.1 minibatches
# ---------------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 300), batch_size=st.integers(1, 320), seed=st.integers(0, 2**32 - 1))
def test_2_1_batches_partition_range_n(sgd, n, batch_size, seed):
    batches = sgd.minibatches(n, batch_size, np.random.default_rng(seed))
    check_partition(batches, n, batch_size)


@pytest.mark.parametrize("n, batch_size, sizes", [(10, 3, [3, 3, 3, 1]), (12, 4, [4, 4, 4]),
                                                   (5, 5, [5]), (5, 8, [5]), (7, 1, [1] * 7)])
def test_2_1_explicit_sizes_last_smaller_batch_kept(sgd, n, batch_size, sizes):
    batches = sgd.minibatches(n, batch_size, np.random.default_rng(0))
    assert [len(b) for b in batches] == sizes
    check_partition(batches, n, batch_size)


def test_2_1_seeds(sgd):
    n, b = 50, 7
    first = np.concatenate(sgd.minibatches(n, b, np.random.default_rng(1)))
    again = np.concatenate(sgd.minibatches(n, b, np.random.default_rng(1)))
    other = np.concatenate(sgd.minibatches(n, b, np.random.default_rng(2)))
    assert np.array_equal(first, again)          # same seed -> same order
    # different seeds -> different orders (equal by chance with probability 1/50!)
    assert not np.array_equal(first, other)
    # the order is random, not range(n) (probability 1/50! for a correct implementation)
    assert not np.array_equal(first, np.arange(n))
    # the generator is consumed: two epochs from one rng differ
    rng = np.random.default_rng(3)
    e1 = np.concatenate(sgd.minibatches(n, b, rng))
    e2 = np.concatenate(sgd.minibatches(n, b, rng))
    assert not np.array_equal(e1, e2)


def test_2_1_randomness_only_from_rng(sgd):
    np.random.seed(0)
    a = np.concatenate(sgd.minibatches(40, 6, np.random.default_rng(9)))
    np.random.seed(12345)
    b = np.concatenate(sgd.minibatches(40, 6, np.random.default_rng(9)))
    assert np.array_equal(a, b)


# ---------------------------------------------------------------------------------------
# 2.2 sgd
# ---------------------------------------------------------------------------------------
class LeastSquares:
    """L_i(theta) = 0.5 * (a_i . theta - t_i)**2; grads records every call it receives."""

    def __init__(self, n, D, seed):
        rng = np.random.default_rng(seed)
        self.a = rng.normal(size=(n, D))
        self.t = rng.normal(size=n)
        self.calls = []  # (theta copy, idx copy)

    def per_example(self, theta, idx):
        idx = np.asarray(idx)
        residual = self.a[idx] @ theta - self.t[idx]
        return residual[:, None] * self.a[idx]

    def grads(self, theta, idx):
        self.calls.append((np.array(theta, dtype=np.float64, copy=True), np.array(idx, copy=True)))
        return self.per_example(np.asarray(theta, dtype=np.float64), idx)


@pytest.mark.parametrize("n, D, batch_size, epochs", [(10, 3, 3, 2), (12, 2, 4, 3), (7, 4, 10, 2), (9, 1, 1, 1)])
def test_2_2_calls_partition_each_epoch_and_rows_follow_the_update(sgd, n, D, batch_size, epochs):
    problem = LeastSquares(n, D, seed=n * 100 + D)
    theta0 = np.linspace(-1.0, 1.0, D)
    theta0_before = theta0.copy()
    lr = 0.05
    traj = sgd.sgd(problem.grads, theta0, n, lr=lr, batch_size=batch_size, epochs=epochs,
                   rng=np.random.default_rng(4))
    per_epoch = math.ceil(n / batch_size)
    S = epochs * per_epoch
    assert isinstance(traj, np.ndarray) and traj.shape == (S + 1, D) and traj.dtype == np.float64
    assert np.array_equal(traj[0], theta0) and np.array_equal(theta0, theta0_before)
    # grads is called exactly once per update
    assert len(problem.calls) == S
    # each epoch's idx sets form a partition of range(n) with the sizes of 2.1
    for e in range(epochs):
        check_partition([idx for _, idx in problem.calls[e * per_epoch:(e + 1) * per_epoch]], n, batch_size)
    # every update is theta_k - lr * mean of the batch's per-example gradients AT theta_k
    for k, (theta_seen, idx) in enumerate(problem.calls):
        assert np.array_equal(theta_seen, traj[k])  # grads saw the current iterate
        g = problem.per_example(traj[k], idx)
        expected = traj[k] - lr * g.sum(axis=0) / len(idx)
        assert_step(traj[k + 1], expected, traj[k])


def test_2_2_epochs_draw_fresh_batches(sgd):
    problem = LeastSquares(30, 2, seed=5)
    sgd.sgd(problem.grads, np.zeros(2), 30, lr=0.1, batch_size=30, epochs=3, rng=np.random.default_rng(0))
    orders = [idx for _, idx in problem.calls]
    # a fixed order every epoch would make these equal (chance 1/30! each for a correct one)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])


def test_2_2_hand_expanded_full_batch(sgd):
    # n = 2 points, batch_size 2: one batch per epoch holding both points, so the step is
    # the full mean gradient regardless of order. grads_i(theta) = theta - c_i (input to sgd).
    c = np.array([[1.0, 2.0], [3.0, -2.0]])

    def grads(theta, idx):
        return np.asarray(theta) - c[np.asarray(idx)]

    lr = 0.25
    t0 = np.array([0.0, 0.0])
    # mean gradient = theta - mean(c) = theta - [2, 0]
    t1 = np.array([0.0 - lr * (0.0 - 2.0), 0.0 - lr * (0.0 - 0.0)])   # [0.5, 0]
    t2 = np.array([0.5 - lr * (0.5 - 2.0), 0.0 - lr * (0.0 - 0.0)])   # [0.875, 0]
    t3 = np.array([0.875 - lr * (0.875 - 2.0), 0.0])                  # [1.15625, 0]
    traj = sgd.sgd(grads, t0, 2, lr=lr, batch_size=2, epochs=3, rng=np.random.default_rng(1))
    assert traj.shape == (4, 2)
    for k, expected in enumerate([t1, t2, t3]):
        assert_step(traj[k + 1], expected, traj[k])


def test_2_2_same_seed_same_trajectory(sgd):
    problem = LeastSquares(11, 3, seed=8)
    kw = dict(lr=0.1, batch_size=4, epochs=2)
    a = sgd.sgd(problem.grads, np.ones(3), 11, rng=np.random.default_rng(21), **kw)
    b = sgd.sgd(problem.grads, np.ones(3), 11, rng=np.random.default_rng(21), **kw)
    c = sgd.sgd(problem.grads, np.ones(3), 11, rng=np.random.default_rng(22), **kw)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 25), batch_size=st.integers(1, 30), epochs=st.integers(1, 3), seed=st.integers(0, 1000))
def test_2_2_property_calls_and_shape(sgd, n, batch_size, epochs, seed):
    problem = LeastSquares(n, 2, seed=seed)
    traj = sgd.sgd(problem.grads, np.zeros(2), n, lr=0.01, batch_size=batch_size, epochs=epochs,
                   rng=np.random.default_rng(seed))
    per_epoch = math.ceil(n / batch_size)
    assert traj.shape == (epochs * per_epoch + 1, 2)
    assert len(problem.calls) == epochs * per_epoch
    for e in range(epochs):
        check_partition([idx for _, idx in problem.calls[e * per_epoch:(e + 1) * per_epoch]], n, batch_size)


# ---------------------------------------------------------------------------------------
# 2.3 noisy_gd
# ---------------------------------------------------------------------------------------
def saddle_grad(p):
    """Gradient of f(x, y) = x**2 - y**2 + y**4 / 4 (a saddle at 0); an input, not an oracle."""
    p = np.asarray(p, dtype=np.float64)
    return np.array([2 * p[0], -2 * p[1] + p[1] ** 3])


def test_2_3_sigma_zero_is_plain_gd(sgd):
    lr, T = 0.1, 6
    x = np.array([0.5, 0.2])
    expected = [x]
    for _ in range(T):
        x = x - lr * saddle_grad(x)
        expected.append(x)
    traj = sgd.noisy_gd(saddle_grad, np.array([0.5, 0.2]), lr=lr, sigma=0.0, num_steps=T,
                        rng=np.random.default_rng(0))
    assert traj.shape == (T + 1, 2) and traj.dtype == np.float64
    for t in range(T):
        assert_step(traj[t + 1], expected[t + 1], traj[t])
    # at the saddle itself plain GD never moves: every row equals x0 exactly
    traj = sgd.noisy_gd(saddle_grad, [0.0, 0.0], lr=lr, sigma=0.0, num_steps=4, rng=np.random.default_rng(0))
    assert np.array_equal(traj, np.zeros((5, 2)))


@pytest.mark.parametrize("x0", [np.array([0.0, 0.0]), np.array([0.3, -0.1])], ids=["saddle", "off-saddle"])
def test_2_3_twin_generator_recurrence(sgd, x0):
    lr, sigma, T, seed = 0.05, 0.7, 8, 123
    twin = np.random.default_rng(seed)
    x = x0.copy()
    expected = [x]
    for _ in range(T):
        xi = twin.standard_normal(np.shape(x0))
        x = x - lr * (saddle_grad(x) + sigma * xi)
        expected.append(x)
    rng = np.random.default_rng(seed)
    traj = sgd.noisy_gd(saddle_grad, x0, lr=lr, sigma=sigma, num_steps=T, rng=rng)
    assert traj.shape == (T + 1, 2)
    assert np.array_equal(traj[0], x0)
    for t in range(T):
        assert_step(traj[t + 1], expected[t + 1], traj[t])
    # exactly one draw of shape x0 per step: both generators are now at the same state
    assert rng.standard_normal() == twin.standard_normal()
    if not np.any(x0):
        assert np.linalg.norm(traj[-1]) > 0  # the noise moved the iterate off the saddle


def test_2_3_scalar_x0_three_steps_by_hand(sgd):
    lr, sigma, seed = 0.1, 0.5, 7
    twin = np.random.default_rng(seed)
    xi0, xi1, xi2 = (twin.standard_normal(()) for _ in range(3))

    def df(x):  # gradient of x**2, an input
        return 2 * x

    x0 = 1.0
    x1 = x0 - lr * (2 * x0 + sigma * xi0)
    x2 = x1 - lr * (2 * x1 + sigma * xi1)
    x3 = x2 - lr * (2 * x2 + sigma * xi2)
    traj = sgd.noisy_gd(df, x0, lr=lr, sigma=sigma, num_steps=3, rng=np.random.default_rng(seed))
    assert traj.shape == (4,) and traj[0] == x0
    for t, expected in enumerate([x1, x2, x3]):
        assert_step(traj[t + 1], expected, traj[t])
