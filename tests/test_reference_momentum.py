"""Part 3 (momentum.py): the reference is proved right by oracles that do not share its code.

- 3.1: zeros of the right shape and dtype.
- 3.2/3.3: steps expanded by hand, and torch.optim.SGD's documented algorithm (momentum,
  dampening = 0, buffer = clone(grad) at the FIRST step, nesterov: grad + momentum * buf)
  transcribed below as an independent simulator.
- 3.4: trajectories expanded by hand, and with beta = 0 the GD closed form x0*(1-2a*lr)**t.
States and arguments are checked not to be modified in place.
"""
from __future__ import annotations

import numpy as np
import pytest

from reference import solution


@pytest.fixture(scope="module")
def momentum():
    """solutions/momentum.py, loaded once with autograder.loading.load_module."""
    return solution("momentum")


def assert_step(new, expected, old):
    """The contract's step check: |x_{t+1} - expected| <= 1e-7 * |expected - x_t| + floor.

    1e-7 of the step hides any float reordering (a few ulps) but not a wrong step; the
    1e-300 floor only guards steps that are exactly 0.
    """
    new, expected, old = (np.asarray(v, dtype=np.float64) for v in (new, expected, old))
    assert new.shape == expected.shape
    assert np.all(np.abs(new - expected) <= 1e-7 * np.abs(expected - old) + 1e-300), (new, expected)


class TorchSGD:
    """torch.optim.SGD's step for one parameter, from its documentation (weight_decay = 0):

        if momentum != 0:
            if t > 1: b_t = momentum * b_{t-1} + (1 - dampening) * g_t
            else:     b_t = g_t
            g_t = g_t + momentum * b_t  if nesterov else  b_t
        theta_t = theta_{t-1} - lr * g_t
    """

    def __init__(self, params, lr, momentum, nesterov=False, dampening=0.0):
        self.p = np.array(params, dtype=np.float64)
        self.lr, self.momentum, self.nesterov, self.dampening = lr, momentum, nesterov, dampening
        self.buf = None

    def step(self, grad):
        g = np.array(grad, dtype=np.float64)
        if self.buf is None:
            self.buf = g.copy()
        else:
            self.buf = self.momentum * self.buf + (1 - self.dampening) * g
        g = g + self.momentum * self.buf if self.nesterov else self.buf
        self.p = self.p - self.lr * g
        return self.p


# ---------------------------------------------------------------------------------------
# 3.1 momentum_init
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("params", [3.0, 2, np.array([1.0, -2.0]), np.ones((2, 3), dtype=np.int32), [[1, 2]]])
def test_3_1_zero_velocity_shaped_like_params(momentum, params):
    state = momentum.momentum_init(params)
    assert isinstance(state, momentum.MomentumState)
    v = np.asarray(state.velocity)
    assert v.shape == np.shape(params) and v.dtype == np.float64 and not np.any(v)


# ---------------------------------------------------------------------------------------
# 3.2 momentum_update / 3.3 nesterov_update
# ---------------------------------------------------------------------------------------
def test_3_2_hand_expanded_three_steps(momentum):
    lr, beta = 0.1, 0.9
    x0 = np.array([1.0, -1.0])
    grads = [np.array([2.0, 1.0]), np.array([-1.0, 3.0]), np.array([0.5, 0.5])]
    # g_0 = grad_0 (g_{-1} = 0); g_1 = beta*g_0 + grad_1; g_2 = beta*g_1 + grad_2
    g0 = np.array([2.0, 1.0])
    g1 = np.array([0.9 * 2.0 - 1.0, 0.9 * 1.0 + 3.0])                  # [0.8, 3.9]
    g2 = np.array([0.9 * 0.8 + 0.5, 0.9 * 3.9 + 0.5])                  # [1.22, 4.01]
    x1 = np.array([1.0 - 0.1 * 2.0, -1.0 - 0.1 * 1.0])                 # [0.8, -1.1]
    x2 = np.array([0.8 - 0.1 * 0.8, -1.1 - 0.1 * 3.9])                 # [0.72, -1.49]
    x3 = np.array([0.72 - 0.1 * 1.22, -1.49 - 0.1 * 4.01])             # [0.598, -1.891]
    state = momentum.momentum_init(x0)
    x = x0
    for grad, g_exp, x_exp in zip(grads, [g0, g1, g2], [x1, x2, x3]):
        new_x, state = momentum.momentum_update(x, grad, state, lr=lr, beta=beta)
        assert isinstance(state, momentum.MomentumState)
        assert_step(new_x, x_exp, x)
        # velocity is g_t; 1e-14 absolute: entries O(1), a handful of roundings each
        np.testing.assert_allclose(state.velocity, g_exp, rtol=0, atol=1e-14)
        x = new_x


def test_3_3_nesterov_hand_expanded_two_steps(momentum):
    lr, beta = 0.1, 0.5
    x0 = np.array([1.0, 2.0])
    grad0, grad1 = np.array([1.0, -2.0]), np.array([3.0, 0.0])
    v0 = grad0                                                  # v_0 = 0.5*0 + grad0
    x1 = x0 - 0.1 * (grad0 + 0.5 * v0)                          # [1 - 0.15, 2 + 0.3] = [0.85, 2.3]
    v1 = 0.5 * v0 + grad1                                       # [3.5, -1.0]
    x2 = x1 - 0.1 * (grad1 + 0.5 * v1)                          # [0.85 - 0.475, 2.3 + 0.05]
    # a check of the hand arithmetic in the comments only (numpy's default rtol 1e-5 is ample
    # for comparing two decimal renderings of the same numbers)
    assert np.allclose(x1, [0.85, 2.3]) and np.allclose(x2, [0.375, 2.35])
    s = momentum.momentum_init(x0)
    y1, s = momentum.nesterov_update(x0, grad0, s, lr=lr, beta=beta)
    assert_step(y1, x1, x0)
    y2, s = momentum.nesterov_update(y1, grad1, s, lr=lr, beta=beta)
    assert_step(y2, x2, y1)
    np.testing.assert_allclose(s.velocity, v1, rtol=0, atol=1e-15)  # dyadic here: exact up to 1 ulp


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_3_2_3_3_equal_torch_sgd_semantics(momentum, nesterov, shape):
    rng = np.random.default_rng(32 + len(shape) + 10 * nesterov)
    lr, beta = 0.03, 0.8
    x0 = rng.normal(size=shape)
    torch_like = TorchSGD(x0, lr=lr, momentum=beta, nesterov=nesterov)
    update = momentum.nesterov_update if nesterov else momentum.momentum_update
    x, state = np.array(x0), momentum.momentum_init(x0)
    for _ in range(6):
        grad = rng.normal(size=shape)
        old = x
        x, state = update(x, grad, state, lr=lr, beta=beta)
        expected = torch_like.step(grad)
        assert np.shape(x) == shape
        assert_step(x, expected, old)
        # torch's momentum buffer is the state's velocity; ~10 roundings of O(1) numbers
        np.testing.assert_allclose(state.velocity, torch_like.buf, rtol=0, atol=1e-13)


def test_3_2_not_cs231n_form_when_lr_changes(momentum):
    """torch semantics, not v = mu*v - lr*dx: the two differ once lr changes between steps."""
    x0, grads, lrs, beta = np.array([1.0]), [np.array([1.0]), np.array([1.0])], [0.1, 0.2], 0.9
    torch_like = TorchSGD(x0, lr=lrs[0], momentum=beta)
    x, state = x0, momentum.momentum_init(x0)
    for grad, lr in zip(grads, lrs):
        torch_like.lr = lr
        old = x
        x, state = momentum.momentum_update(x, grad, state, lr=lr, beta=beta)
        assert_step(x, torch_like.step(grad), old)
    # CS231n form: v1 = -0.1, x1 = 0.9; v2 = 0.9*(-0.1) - 0.2 = -0.29, x2 = 0.61.
    # torch form: b2 = 1.9, x2 = 0.9 - 0.38 = 0.52. The test above can tell them apart:
    assert abs(x[0] - 0.61) > 0.05


@pytest.mark.parametrize("name", ["momentum_update", "nesterov_update"])
def test_3_2_3_3_nothing_modified_in_place(momentum, name):
    update = getattr(momentum, name)
    params = np.array([1.0, 2.0, 3.0])
    grad = np.array([0.5, -0.5, 1.0])
    state = momentum.MomentumState(velocity=np.array([0.1, 0.2, 0.3]))
    copies = params.copy(), grad.copy(), state.velocity.copy()
    new_params, new_state = update(params, grad, state, lr=0.1, beta=0.9)
    assert np.array_equal(params, copies[0]) and np.array_equal(grad, copies[1])
    assert np.array_equal(state.velocity, copies[2])
    # a second update from the SAME old state gives the same result (no hidden mutation)
    again, _ = update(params, grad, state, lr=0.1, beta=0.9)
    assert np.array_equal(again, new_params)
    assert new_state.velocity is not state.velocity and new_params is not params


def test_3_2_integer_inputs(momentum):
    new, state = momentum.momentum_update([1, 2], [1, 1], momentum.momentum_init([1, 2]), lr=0.5, beta=0.5)
    assert np.asarray(new).dtype == np.float64 and np.array_equal(new, [0.5, 1.5])  # dyadic: exact


# ---------------------------------------------------------------------------------------
# 3.4 run_momentum
# ---------------------------------------------------------------------------------------
def quad_grad(x):
    """Gradient of f(x) = x**2 (an input, not an oracle)."""
    return 2 * x


def test_3_4_hand_expanded_scalar_momentum(momentum):
    lr, beta, x0 = 0.1, 0.5, 1.0
    g0 = 2 * x0                   # 2.0
    x1 = x0 - lr * g0             # 0.8
    g1 = beta * g0 + 2 * x1       # 1.0 + 1.6 = 2.6
    x2 = x1 - lr * g1             # 0.54
    g2 = beta * g1 + 2 * x2       # 1.3 + 1.08 = 2.38
    x3 = x2 - lr * g2             # 0.302
    traj = momentum.run_momentum(quad_grad, x0, lr=lr, beta=beta, num_steps=3)
    assert isinstance(traj, np.ndarray) and traj.shape == (4,) and traj.dtype == np.float64
    assert traj[0] == x0
    for t, expected in enumerate([x1, x2, x3]):
        assert_step(traj[t + 1], expected, traj[t])


def test_3_4_hand_expanded_scalar_nesterov(momentum):
    lr, beta, x0 = 0.1, 0.5, 1.0
    v0 = 2 * x0                          # 2.0
    x1 = x0 - lr * (2 * x0 + beta * v0)  # 1 - 0.1*(2 + 1) = 0.7
    v1 = beta * v0 + 2 * x1              # 1.0 + 1.4 = 2.4
    x2 = x1 - lr * (2 * x1 + beta * v1)  # 0.7 - 0.1*(1.4 + 1.2) = 0.44
    v2 = beta * v1 + 2 * x2              # 1.2 + 0.88 = 2.08
    x3 = x2 - lr * (2 * x2 + beta * v2)  # 0.44 - 0.1*(0.88 + 1.04) = 0.248
    traj = momentum.run_momentum(quad_grad, x0, lr=lr, beta=beta, num_steps=3, nesterov=True)
    assert traj.shape == (4,)
    for t, expected in enumerate([x1, x2, x3]):
        assert_step(traj[t + 1], expected, traj[t])


@pytest.mark.parametrize("nesterov", [False, True])
def test_3_4_vector_trajectory_equals_torch_simulation(momentum, nesterov):
    A = np.array([[3.0, 1.0], [1.0, 2.0]])

    def df(x):
        return A @ np.asarray(x)

    lr, beta, T = 0.05, 0.9, 12
    x0 = np.array([1.0, -2.0])
    torch_like = TorchSGD(x0, lr=lr, momentum=beta, nesterov=nesterov)
    expected = [x0]
    for _ in range(T):
        expected.append(torch_like.step(df(torch_like.p)))
    traj = momentum.run_momentum(df, x0, lr=lr, beta=beta, num_steps=T, nesterov=nesterov)
    assert traj.shape == (T + 1, 2)
    assert np.array_equal(traj[0], x0)
    for t in range(T):
        # each row is checked against the recurrence applied to the SIMULATOR's rows: the two
        # runs differ only by rounding, ~1e-16 per step relative to O(1) values, which stays
        # far below 1e-7 of a step of size ~1e-2 over 12 steps
        assert_step(traj[t + 1], expected[t + 1], expected[t])


def test_3_4_beta_zero_is_gd_closed_form(momentum):
    a, lr, T, x0 = 1.5, 0.1, 30, 2.0
    for nesterov in (False, True):
        traj = momentum.run_momentum(lambda x: 2 * a * x, x0, lr=lr, beta=0.0, num_steps=T, nesterov=nesterov)
        # per-step relative rounding ~3e-16, accumulated over 30 steps < 1e-14; rtol 1e-12
        np.testing.assert_allclose(traj, x0 * (1 - 2 * a * lr) ** np.arange(T + 1), rtol=1e-12, atol=0)


def test_3_4_x0_untouched_and_zero_steps(momentum):
    x0 = np.array([1.0, 2.0])
    traj = momentum.run_momentum(quad_grad, x0, lr=0.1, beta=0.9, num_steps=0)
    assert traj.shape == (1, 2) and np.array_equal(traj[0], x0)
    momentum.run_momentum(quad_grad, x0, lr=0.1, beta=0.9, num_steps=5)
    assert np.array_equal(x0, [1.0, 2.0])
