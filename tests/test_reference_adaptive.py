"""Part 4 (adaptive.py): the reference is proved right by oracles that do not share its code.

- 4.1: AdaGrad-Norm expanded by hand; eps inside the square root made visible with a large
  eps and with tiny gradients; the current gradient in the sum (first step of size lr at eps=0).
- 4.2-4.4: steps expanded by hand with the documented defaults; transcriptions of the update
  code of torch.optim.Adagrad / RMSprop / Adam (single-tensor path, written in torch's own
  operation order: lerp, addcmul, sqrt/bias_correction2_sqrt, addcdiv) as simulators;
  eps outside the square root made visible with tiny gradients; Adam's first step ~lr.
- 4.5: a recording fake optimiser shows the init/update protocol; real optimisers are
  checked against hand expansion.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reference import solution


@pytest.fixture(scope="module")
def adaptive():
    """solutions/adaptive.py, loaded once with autograder.loading.load_module."""
    return solution("adaptive")


def assert_step(new, expected, old):
    """The contract's step check: |x_{t+1} - expected| <= 1e-7 * |expected - x_t| + floor.

    1e-7 of the step hides any float reordering (a few ulps) but shows eps placement and
    bias correction, which change a step by far more; the 1e-300 floor guards zero steps.
    """
    new, expected, old = (np.asarray(v, dtype=np.float64) for v in (new, expected, old))
    assert new.shape == expected.shape
    assert np.all(np.abs(new - expected) <= 1e-7 * np.abs(expected - old) + 1e-300), (new, expected)


# ---------------------------------------------------------------------------------------
# torch transcriptions (weight_decay = 0, maximize = False, no amsgrad/centered/momentum)
# ---------------------------------------------------------------------------------------
class TorchAdagrad:
    def __init__(self, p, lr=0.01, eps=1e-10):
        self.p, self.lr, self.eps = np.array(p, dtype=np.float64), lr, eps
        self.state_sum = np.zeros_like(self.p)  # initial_accumulator_value = 0

    def step(self, grad):
        self.state_sum = self.state_sum + grad * grad          # addcmul_(grad, grad, value=1)
        std = np.sqrt(self.state_sum) + self.eps                # sqrt().add_(eps)
        self.p = self.p + (-self.lr) * (grad / std)             # addcdiv_(grad, std, value=-clr)
        return self.p


class TorchRMSprop:
    def __init__(self, p, lr=0.01, alpha=0.99, eps=1e-8):
        self.p, self.lr, self.alpha, self.eps = np.array(p, dtype=np.float64), lr, alpha, eps
        self.square_avg = np.zeros_like(self.p)

    def step(self, grad):
        self.square_avg = self.square_avg * self.alpha + (1 - self.alpha) * (grad * grad)
        avg = np.sqrt(self.square_avg) + self.eps
        self.p = self.p + (-self.lr) * (grad / avg)
        return self.p


class TorchAdam:
    def __init__(self, p, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        self.p, self.lr, self.eps = np.array(p, dtype=np.float64), lr, eps
        self.beta1, self.beta2 = betas
        self.exp_avg = np.zeros_like(self.p)
        self.exp_avg_sq = np.zeros_like(self.p)
        self.step_t = 0

    def step(self, grad):
        self.step_t += 1
        self.exp_avg = self.exp_avg + (1 - self.beta1) * (grad - self.exp_avg)      # lerp_
        self.exp_avg_sq = self.exp_avg_sq * self.beta2 + (1 - self.beta2) * (grad * grad)
        bias_correction1 = 1 - self.beta1**self.step_t
        bias_correction2 = 1 - self.beta2**self.step_t
        step_size = self.lr / bias_correction1
        denom = np.sqrt(self.exp_avg_sq) / math.sqrt(bias_correction2) + self.eps
        self.p = self.p + (-step_size) * (self.exp_avg / denom)                     # addcdiv_
        return self.p


# ---------------------------------------------------------------------------------------
# 4.1 adagrad_norm
# ---------------------------------------------------------------------------------------
def test_4_1_hand_expanded_three_steps(adaptive):
    def df(p):  # gradient of x**2 + 2*y**2 (an input, not an oracle)
        return np.array([2 * p[0], 4 * p[1]])

    lr, eps = 0.5, 0.25
    x0 = np.array([1.0, 1.0])
    g0 = np.array([2.0, 4.0])
    S0 = eps + (2.0**2 + 4.0**2)                     # 20.25, sqrt = 4.5
    x1 = x0 - lr / math.sqrt(S0) * g0                # [1 - 1/4.5, 1 - 2/4.5]
    g1 = np.array([2 * x1[0], 4 * x1[1]])
    S1 = S0 + (g1[0] ** 2 + g1[1] ** 2)
    x2 = x1 - lr / math.sqrt(S1) * g1
    g2 = np.array([2 * x2[0], 4 * x2[1]])
    S2 = S1 + (g2[0] ** 2 + g2[1] ** 2)
    x3 = x2 - lr / math.sqrt(S2) * g2
    traj = adaptive.adagrad_norm(df, x0, lr=lr, eps=eps, num_steps=3)
    assert isinstance(traj, np.ndarray) and traj.shape == (4, 2) and traj.dtype == np.float64
    assert np.array_equal(traj[0], x0)
    for t, expected in enumerate([x1, x2, x3]):
        assert_step(traj[t + 1], expected, traj[t])


def test_4_1_eps_inside_sqrt_with_large_eps(adaptive):
    # constant gradient 1, eps = 3, lr = 1: steps 1/sqrt(3 + 1) = 1/2, 1/sqrt(5), 1/sqrt(6).
    # eps outside the root would give 1/(1 + sqrt 3) ~ 0.366 instead of 0.5.
    traj = adaptive.adagrad_norm(lambda x: 1.0, 0.0, lr=1.0, eps=3.0, num_steps=3)
    assert traj.shape == (4,)
    x1 = 0.0 - 1 / math.sqrt(3 + 1)
    x2 = x1 - 1 / math.sqrt(3 + 2)
    x3 = x2 - 1 / math.sqrt(3 + 3)
    for t, expected in enumerate([x1, x2, x3]):
        assert_step(traj[t + 1], expected, traj[t])


def test_4_1_eps_inside_sqrt_with_tiny_gradients(adaptive):
    # g = 1e-8, eps = 1e-10: step = lr * 1e-8 / sqrt(1e-10 + 1e-16) ~ lr * 1e-3, whereas eps
    # outside the root (lr * g / (|g| + eps)) would be ~ lr * 0.99: a factor ~1000 apart.
    lr = 0.1
    traj = adaptive.adagrad_norm(lambda x: np.full(2, 1e-8), np.zeros(2), lr=lr, eps=1e-10, num_steps=1)
    expected = -lr * 1e-8 / math.sqrt(1e-10 + 2 * 1e-16) * np.ones(2)
    assert_step(traj[1], expected, traj[0])


def test_4_1_current_gradient_included_and_one_scalar_rate(adaptive):
    # eps = 0: the first step is lr * g0 / ||g0|| exactly, only if g0 itself is in the sum
    lr = 0.5
    traj = adaptive.adagrad_norm(lambda x: np.array([3.0, 4.0]), np.zeros(2), lr=lr, eps=0.0, num_steps=2)
    x1 = np.zeros(2) - lr / math.sqrt(25.0) * np.array([3.0, 4.0])   # [-0.3, -0.4]
    x2 = x1 - lr / math.sqrt(50.0) * np.array([3.0, 4.0])
    assert_step(traj[1], x1, traj[0])
    assert_step(traj[2], x2, traj[1])
    # ONE rate for all coordinates: a per-coordinate AdaGrad would move both coordinates by
    # ~lr; here the small coordinate moves lr * 0.01 / sqrt(1e4 + 1e-4) ~ 5e-5
    traj = adaptive.adagrad_norm(lambda x: np.array([100.0, 0.01]), np.zeros(2), lr=lr, eps=0.0, num_steps=1)
    assert_step(traj[1], -lr / math.sqrt(100.0**2 + 0.01**2) * np.array([100.0, 0.01]), traj[0])


# ---------------------------------------------------------------------------------------
# 4.2 AdaGrad, 4.3 RMSprop, 4.4 Adam: init
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("params", [1.5, np.array([1.0, 2.0]), np.ones((3, 2), dtype=np.int64)])
def test_4_2_to_4_4_inits(adaptive, params):
    shape = np.shape(params)
    s = adaptive.adagrad_init(params)
    assert isinstance(s, adaptive.AdaGradState)
    assert np.shape(s.sum_sq) == shape and np.asarray(s.sum_sq).dtype == np.float64 and not np.any(s.sum_sq)
    s = adaptive.rmsprop_init(params)
    assert isinstance(s, adaptive.RMSpropState)
    assert np.shape(s.sq_avg) == shape and np.asarray(s.sq_avg).dtype == np.float64 and not np.any(s.sq_avg)
    s = adaptive.adam_init(params)
    assert isinstance(s, adaptive.AdamState) and s.step == 0
    for field in (s.m, s.v):
        assert np.shape(field) == shape and np.asarray(field).dtype == np.float64 and not np.any(field)


# ---------------------------------------------------------------------------------------
# 4.2 adagrad_update
# ---------------------------------------------------------------------------------------
def test_4_2_hand_expanded_two_steps_with_defaults(adaptive):
    lr, eps = 0.01, 1e-10  # the documented defaults, NOT passed below
    x0 = np.array([1.0, -1.0, 0.5])
    grad0, grad1 = np.array([3.0, -4.0, 0.0]), np.array([4.0, 3.0, 2.0])
    s0 = np.array([9.0, 16.0, 0.0])
    x1 = x0 - lr * grad0 / (np.sqrt(s0) + eps)       # [1 - 0.01, -1 - 0.01, 0.5] (approx.)
    s1 = np.array([9.0 + 16.0, 16.0 + 9.0, 0.0 + 4.0])
    x2 = x1 - lr * grad1 / (np.sqrt(s1) + eps)       # sqrt(s1) = [5, 5, 2]
    state = adaptive.adagrad_init(x0)
    y1, state = adaptive.adagrad_update(x0, grad0, state)
    assert_step(y1, x1, x0)
    assert np.array_equal(state.sum_sq, s0)           # squares of small integers: exact
    y2, state = adaptive.adagrad_update(y1, grad1, state)
    assert_step(y2, x2, y1)
    assert np.array_equal(state.sum_sq, s1)


def test_4_2_eps_outside_sqrt_and_per_coordinate(adaptive):
    lr = 0.1
    # tiny gradient 1e-12 with the default eps 1e-10: outside the root the step is
    # lr * 1e-12 / (1e-12 + 1e-10) = lr / 101; inside it would be lr * 1e-12 / 1e-5 = lr * 1e-7
    x0 = np.zeros(2)
    y, _ = adaptive.adagrad_update(x0, np.array([1e-12, -1e-12]), adaptive.adagrad_init(x0), lr=lr)
    assert_step(y, -lr * np.array([1e-12, -1e-12]) / (1e-12 + 1e-10), x0)
    # large eps: lr * 1 / (1 + 3) = lr / 4 (inside: lr / 2)
    y, _ = adaptive.adagrad_update(0.0, 1.0, adaptive.adagrad_init(0.0), lr=lr, eps=3.0)
    assert_step(y, -lr / 4.0, 0.0)
    # per coordinate: the first step is ~lr in every coordinate whatever the gradient's size
    y, _ = adaptive.adagrad_update(x0, np.array([1.0, 100.0]), adaptive.adagrad_init(x0), lr=lr, eps=0.0)
    assert_step(y, [-lr, -lr], x0)


# ---------------------------------------------------------------------------------------
# 4.3 rmsprop_update
# ---------------------------------------------------------------------------------------
def test_4_3_hand_expanded_two_steps_with_defaults(adaptive):
    lr, alpha, eps = 0.01, 0.99, 1e-8  # documented defaults, NOT passed below
    x0 = np.array([2.0, -3.0])
    grad0, grad1 = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    v0 = 0.99 * np.zeros(2) + 0.01 * np.array([1.0, 4.0])
    x1 = x0 - lr * grad0 / (np.sqrt(v0) + eps)        # ~ x0 - 0.1 * sign(grad0): [1.9, -2.9]
    v1 = 0.99 * v0 + 0.01 * np.array([0.25, 16.0])
    x2 = x1 - lr * grad1 / (np.sqrt(v1) + eps)
    state = adaptive.rmsprop_init(x0)
    y1, state = adaptive.rmsprop_update(x0, grad0, state)
    assert_step(y1, x1, x0)
    y2, state = adaptive.rmsprop_update(y1, grad1, state)
    assert_step(y2, x2, y1)
    # sq_avg: O(0.01..0.2) values, a handful of roundings: 1e-15 absolute is ~10 ulps
    np.testing.assert_allclose(state.sq_avg, v1, rtol=0, atol=1e-15)
    # the hyper-parameters are honoured when given
    y, s = adaptive.rmsprop_update(1.0, 2.0, adaptive.rmsprop_init(1.0), lr=0.5, alpha=0.75, eps=0.0)
    # v = 0.25 * 4 = 1, step = 0.5 * 2 / 1 = 1: exact in binary
    assert float(y) == 0.0 and float(s.sq_avg) == 1.0


def test_4_3_eps_outside_sqrt(adaptive):
    # g = 1e-12 with eps = 1e-8: sqrt(v) = 1e-13, step lr * 1e-12 / (1e-13 + 1e-8) ~ lr * 1e-4;
    # inside the root it would be lr * 1e-12 / sqrt(1e-26 + 1e-8) = lr * 1e-8
    lr = 0.01
    y, _ = adaptive.rmsprop_update(0.0, 1e-12, adaptive.rmsprop_init(0.0), lr=lr)
    assert_step(y, -lr * 1e-12 / (math.sqrt(0.01 * 1e-24) + 1e-8), 0.0)


# ---------------------------------------------------------------------------------------
# 4.4 adam_update
# ---------------------------------------------------------------------------------------
def test_4_4_hand_expanded_two_steps_with_defaults(adaptive):
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-8  # documented defaults, NOT passed below
    x0 = np.array([1.0, -2.0])
    grad0, grad1 = np.array([0.5, -3.0]), np.array([-1.0, 2.0])
    m1 = (1 - b1) * grad0
    v1 = (1 - b2) * grad0**2
    x1 = x0 - lr * (m1 / (1 - b1**1)) / (np.sqrt(v1 / (1 - b2**1)) + eps)
    m2 = b1 * m1 + (1 - b1) * grad1
    v2 = b2 * v1 + (1 - b2) * grad1**2
    x2 = x1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    state = adaptive.adam_init(x0)
    y1, state = adaptive.adam_update(x0, grad0, state)
    assert int(state.step) == 1
    assert_step(y1, x1, x0)
    y2, state = adaptive.adam_update(y1, grad1, state)
    assert int(state.step) == 2
    assert_step(y2, x2, y1)
    # moments: O(1) values after ~6 roundings each, so 1e-15 absolute is a few ulps
    np.testing.assert_allclose(state.m, m2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(state.v, v2, rtol=0, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(g=hnp.arrays(np.float64, st.integers(1, 6),
                    elements=st.floats(1e-3, 1e3).flatmap(lambda v: st.sampled_from([v, -v]))),
       lr=st.floats(1e-4, 1.0))
def test_4_4_first_step_has_size_lr_per_coordinate(adaptive, g, lr):
    x0 = np.zeros_like(g)
    y, _ = adaptive.adam_update(x0, g, adaptive.adam_init(x0), lr=lr)
    # with bias correction the first step is exactly lr * |g| / (|g| + eps): its deviation from
    # lr is eps/|g| <= 1e-8/1e-3 = 1e-5 relative (plus ~1e-16 rounding), so rtol 2e-5. Without
    # bias correction it would be lr * 0.1 / sqrt(0.001) ~ 3.16 lr.
    np.testing.assert_allclose(np.abs(y - x0), lr, rtol=2e-5)
    assert np.all(np.sign(x0 - y) == np.sign(g))


def test_4_4_eps_outside_sqrt(adaptive):
    # g = 1e-12: m_hat = g, v_hat = g**2, step lr * 1e-12 / (1e-12 + 1e-8) ~ lr * 1e-4; with eps
    # inside the root lr * 1e-12 / sqrt(1e-24 + 1e-8) = lr * 1e-8
    lr = 0.001
    y, _ = adaptive.adam_update(np.zeros(1), np.array([1e-12]), adaptive.adam_init(np.zeros(1)))
    assert_step(y, -lr * 1e-12 / (1e-12 + 1e-8) * np.ones(1), np.zeros(1))


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam"])
def test_4_2_to_4_4_match_torch_transcriptions(adaptive, name, shape):
    rng = np.random.default_rng(44 + len(shape))
    x0 = rng.normal(size=shape)
    hyper = {"adagrad": dict(lr=0.05, eps=1e-10), "rmsprop": dict(lr=0.01, alpha=0.9, eps=1e-8),
             "adam": dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8)}[name]
    if name == "adagrad":
        sim = TorchAdagrad(x0, **hyper)
    elif name == "rmsprop":
        sim = TorchRMSprop(x0, **hyper)
    else:
        sim = TorchAdam(x0, lr=hyper["lr"], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"])
    init, update = getattr(adaptive, f"{name}_init"), getattr(adaptive, f"{name}_update")
    x, state = np.array(x0), init(x0)
    for _ in range(8):
        grad = rng.normal(size=shape)
        old = x
        x, state = update(x, grad, state, **hyper)
        assert np.shape(x) == shape
        assert_step(x, sim.step(grad), old)
        # the recurrence is applied to the simulator's iterate; the two differ by rounding only
        # (~1e-16 relative per step), far below 1e-7 of a step; resync to keep it that way
        sim.p = np.array(x, dtype=np.float64)


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam"])
def test_4_2_to_4_4_nothing_modified_in_place(adaptive, name):
    init, update = getattr(adaptive, f"{name}_init"), getattr(adaptive, f"{name}_update")
    params = np.array([1.0, -2.0, 3.0])
    grad = np.array([0.5, 0.25, -1.0])
    _, state = update(params, grad, init(params))   # a non-trivial state
    snapshot = [np.array(f, copy=True) for f in state]
    p_copy, g_copy = params.copy(), grad.copy()
    new_params, new_state = update(params, grad, state)
    assert np.array_equal(params, p_copy) and np.array_equal(grad, g_copy)
    for field, before in zip(state, snapshot):
        assert np.array_equal(field, before)
    again, _ = update(params, grad, state)          # the old state still gives the same step
    assert np.array_equal(again, new_params)
    assert type(new_state) is type(state)


# ---------------------------------------------------------------------------------------
# 4.5 minimize
# ---------------------------------------------------------------------------------------
def test_4_5_protocol_with_a_recording_fake_optimiser(adaptive):
    log = []

    def init(params):
        log.append(("init", np.array(params, copy=True)))
        return ("state", 0)

    def update(params, grad, state, *, lr, shift):
        log.append(("update", np.array(params, copy=True), np.array(grad, copy=True), state, lr, shift))
        return np.asarray(params) - lr * np.asarray(grad) + shift, ("state", state[1] + 1)

    def df(x):
        return 2 * np.asarray(x)

    x0 = np.array([1.0, 2.0])
    traj = adaptive.minimize(df, x0, init, update, num_steps=3, lr=0.25, shift=1.0)
    # by hand: x_{t+1} = x_t - 0.25 * 2 x_t + 1 = 0.5 x_t + 1 (dyadic: exact)
    expected = [np.array([1.0, 2.0]), np.array([1.5, 2.0]), np.array([1.75, 2.0]), np.array([1.875, 2.0])]
    assert isinstance(traj, np.ndarray) and traj.shape == (4, 2)
    assert np.array_equal(traj, expected)
    assert [e[0] for e in log] == ["init", "update", "update", "update"]
    assert np.array_equal(log[0][1], x0)
    for t, entry in enumerate(log[1:]):
        _, params, grad, state, lr, shift = entry
        assert np.array_equal(params, expected[t]) and np.array_equal(grad, 2 * expected[t])
        assert state == ("state", t) and lr == 0.25 and shift == 1.0  # the previous state is passed back
    assert np.array_equal(x0, [1.0, 2.0])


def test_4_5_with_adam_and_adagrad_by_hand(adaptive):
    def df(x):  # gradient of x**2 (input)
        return 2 * x

    x0, lr = 1.0, 0.1
    # Adam with defaults except lr: first step ~ -lr * sign(g), then the recurrence
    b1, b2, eps = 0.9, 0.999, 1e-8
    g0 = 2 * x0
    m, v = (1 - b1) * g0, (1 - b2) * g0**2
    x1 = x0 - lr * (m / (1 - b1)) / (math.sqrt(v / (1 - b2)) + eps)
    g1 = 2 * x1
    m, v = b1 * m + (1 - b1) * g1, b2 * v + (1 - b2) * g1**2
    x2 = x1 - lr * (m / (1 - b1**2)) / (math.sqrt(v / (1 - b2**2)) + eps)
    traj = adaptive.minimize(df, x0, adaptive.adam_init, adaptive.adam_update, num_steps=2, lr=lr)
    assert traj.shape == (3,)
    assert_step(traj[1], x1, traj[0])
    assert_step(traj[2], x2, traj[1])
    # AdaGrad with all defaults (lr = 0.01, eps = 1e-10)
    s = 4.0
    y1 = 1.0 - 0.01 * 2.0 / (math.sqrt(s) + 1e-10)
    s += (2 * y1) ** 2
    y2 = y1 - 0.01 * (2 * y1) / (math.sqrt(s) + 1e-10)
    traj = adaptive.minimize(df, 1.0, adaptive.adagrad_init, adaptive.adagrad_update, num_steps=2)
    assert_step(traj[1], y1, traj[0])
    assert_step(traj[2], y2, traj[1])
