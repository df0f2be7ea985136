"""Part 5 (backprop.py): the reference is proved right by oracles that do not share its code.

- 5.1-5.3, 5.5, 5.6, 5.9: direct computations written here with Python loops and math.exp /
  math.log (no shared vectorised code), exact values at the edge cases (ReLU at 0, logits
  +-1e4, a zero probability, argmax ties).
- 5.4: shapes, determinism and He statistics on a big layer, with standard-error tolerances.
- 5.7: central differences (float64, h = 1e-6) of an independent numpy loss, on every weight
  and along random directions, on non-square networks of depth 1, 2, 3 and a square one,
  with inputs verified to keep every ReLU on the same side under each perturbation.
- 5.8: training on three Gaussian blobs reaches >= 95% accuracy; and a data set of identical
  examples makes the per-batch SGD steps predictable whatever the batch order, so the
  steps themselves are checked against central-difference gradients.
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
def backprop():
    """solutions/backprop.py, loaded once with autograder.loading.load_module."""
    return solution("backprop")


# ---------------------------------------------------------------------------------------
# independent oracles
# ---------------------------------------------------------------------------------------
def loop_forward(params, X):
    """softmax(W_L relu(... relu(W_0 x))) row by row with Python loops and math.exp."""
    out = []
    for x in np.asarray(X, dtype=np.float64).tolist():
        a = x
        for layer, W in enumerate(params):
            W = np.asarray(W, dtype=np.float64).tolist()
            z = [sum(w_ij * a_j for w_ij, a_j in zip(row, a)) for row in W]
            a = z if layer == len(params) - 1 else [max(v, 0.0) for v in z]
        m = max(a)
        e = [math.exp(v - m) for v in a]
        s = sum(e)
        out.append([v / s for v in e])
    return np.array(out)


def loop_cross_entropy(P, y):
    P = np.asarray(P, dtype=np.float64).tolist()
    return -sum(math.log(max(row[int(k)], 1e-12)) for row, k in zip(P, y)) / len(P)


def np_loss_and_masks(params, X, y):
    """Mean cross-entropy via log-sum-exp (no clip: checked inputs keep P > 1e-12), and the
    hidden ReLU sign masks and pre-activations, for the central-difference oracle."""
    A = np.asarray(X, dtype=np.float64)
    masks, pre = [], []
    for W in params[:-1]:
        Z = A @ np.asarray(W, dtype=np.float64).T
        masks.append(Z > 0)
        pre.append(Z)
        A = np.where(Z > 0, Z, 0.0)
    logits = A @ np.asarray(params[-1], dtype=np.float64).T
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), np.asarray(y)].mean(), masks, pre, np.exp(log_p)


H = 1e-6  # central-difference step (float64)


def central_difference_gradients(params, X, y):
    """d loss / d W_l[i, j] for every entry, (L(W + h e_ij) - L(W - h e_ij)) / 2h, asserting
    that no perturbation flips a ReLU (so the loss is smooth along every difference used)."""
    _, base_masks, _, _ = np_loss_and_masks(params, X, y)
    grads = []
    for l, W in enumerate(params):
        G = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            values = []
            for sign in (+1, -1):
                shifted = [w.copy() for w in params]
                shifted[l][idx] += sign * H
                value, masks, _, _ = np_loss_and_masks(shifted, X, y)
                assert all(np.array_equal(a, b) for a, b in zip(masks, base_masks)), "a ReLU kink was crossed"
                values.append(value)
            G[idx] = (values[0] - values[1]) / (2 * H)
        grads.append(G)
    return grads


# Tolerance of the central-difference comparison. The loss is O(1) and is evaluated with
# ~100 roundings, i.e. to ~1e-14 absolute; divided by 2h = 2e-6 that is ~5e-9. Truncation is
# h**2/6 * |L'''| ~ 1e-13 for these O(1) networks. So numeric and exact gradients agree to
# ~1e-8 absolute: RTOL 1e-5 with ATOL 1e-7 leaves a margin >= 10, while a missing 1/n,
# a transposed matrix, a wrong ReLU mask or a wrong softmax Jacobian is off by >= 1e-2.
GRAD_RTOL, GRAD_ATOL = 1e-5, 1e-7


def assert_grad_close(analytic, numeric):
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    assert analytic.shape == numeric.shape
    bound = GRAD_RTOL * np.maximum(np.abs(analytic), np.abs(numeric)) + GRAD_ATOL
    assert np.all(np.abs(analytic - numeric) <= bound), np.max(np.abs(analytic - numeric))


# A pre-activation must be at least this far from the ReLU kink: a perturbation of size
# h = 1e-6 (times |V| <= ~5 and |A| <= ~10 along a direction) moves it by <= ~1e-4.
KINK_MARGIN = 1e-3


def smooth_problem(layer_sizes, n, seed):
    """He-scaled weights and N(0, 1) inputs, resampled until every hidden pre-activation is
    >= KINK_MARGIN away from 0 and every probability > 1e-9 (so the clip never acts)."""
    rng = np.random.default_rng(seed)
    K = layer_sizes[-1]
    for _ in range(1000):
        params = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(layer_sizes[:-1], layer_sizes[1:])]
        X = rng.normal(size=(n, layer_sizes[0]))
        y = rng.integers(0, K, size=n)
        _, _, pre, P = np_loss_and_masks(params, X, y)
        if all(np.min(np.abs(Z)) > KINK_MARGIN for Z in pre) and P.min() > 1e-9:
            return params, X, y
    raise AssertionError("no smooth sample found")  # pragma: no cover


# ---------------------------------------------------------------------------------------
# 5.1 relu, relu_grad
# ---------------------------------------------------------------------------------------
def test_5_1_relu_and_its_derivative_values(backprop):
    Z = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.5], [-1e-300, 7.0, -7.0, np.inf, -np.inf]])
    r = backprop.relu(Z)
    assert isinstance(r, np.ndarray) and r.shape == Z.shape and r.dtype == np.float64
    assert np.array_equal(r, [[0.0, 0.0, 0.0, 1e-300, 3.5], [0.0, 7.0, 0.0, np.inf, 0.0]])
    g = backprop.relu_grad(Z)
    assert isinstance(g, np.ndarray) and g.shape == Z.shape and g.dtype == np.float64
    # 1.0 where Z > 0, else 0.0: 0 at exactly 0 (and at -0.0)
    assert np.array_equal(g, [[0.0, 0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0, 0.0]])
    # integer input, lists, 1-D
    assert np.array_equal(backprop.relu([-1, 0, 2]), [0.0, 0.0, 2.0])
    assert backprop.relu(np.array([-1, 0, 2])).dtype == np.float64
    assert np.array_equal(backprop.relu_grad([-1, 0, 2]), [0.0, 0.0, 1.0])
    assert np.asarray(backprop.relu_grad(np.array([-1, 0, 2]))).dtype == np.float64
    before = Z.copy()
    backprop.relu(Z), backprop.relu_grad(Z)
    assert np.array_equal(Z, before)


# ---------------------------------------------------------------------------------------
# 5.2 softmax
# ---------------------------------------------------------------------------------------
def test_5_2_softmax_matches_direct_computation(backprop):
    rng = np.random.default_rng(52)
    Z = rng.uniform(-30, 30, size=(6, 5))
    before = Z.copy()
    P = backprop.softmax(Z)
    assert isinstance(P, np.ndarray) and P.shape == Z.shape and P.dtype == np.float64
    assert np.array_equal(Z, before)
    # without shifting: exp(z) / sum exp(z) is safe for |z| <= 30
    direct = np.array([[math.exp(v) / sum(math.exp(u) for u in row) for v in row] for row in Z.tolist()])
    # a max shift rounds z - max to ~ulp(60) ~ 7e-15 absolute, i.e. ~7e-15 relative in exp;
    # plus ~K roundings in the sum/division: rtol 1e-12 leaves a margin > 100
    np.testing.assert_allclose(P, direct, rtol=1e-12, atol=0)
    # rows sum to 1: K = 5 terms in [0, 1] with relative errors ~1e-15 give |sum - 1| < 1e-14
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-14)


def test_5_2_softmax_extreme_logits_exact(backprop):
    Z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -9999.0], [1e4, 1e4, 1e4], [-1e4, 1e4, 0.0]])
    P = backprop.softmax(Z)
    assert np.all(np.isfinite(P))
    e = math.e
    # shifting by the row max is exact for these integers, so the expected rows are known
    assert np.array_equal(P[0], [1.0, 0.0, 0.0])  # exp(-1e4) underflows to exactly 0
    np.testing.assert_allclose(P[1], [1 / (2 + e), 1 / (2 + e), e / (2 + e)], rtol=1e-15 * 8)  # few ulps
    np.testing.assert_allclose(P[2], [1 / 3] * 3, rtol=1e-15)  # 1/3 from 1/(1+1+1): 1 rounding
    assert np.array_equal(P[3], [0.0, 1.0, 0.0])


def test_5_2_one_dimensional_input(backprop):
    z = np.array([1.0, 2.0, 3.0])
    p = backprop.softmax(z)
    assert isinstance(p, np.ndarray) and p.shape == (3,)
    s = math.exp(1) + math.exp(2) + math.exp(3)
    np.testing.assert_allclose(p, [math.exp(1) / s, math.exp(2) / s, math.exp(3) / s], rtol=1e-14)  # ~10 ulps
    assert np.array_equal(backprop.softmax(np.array([1e4, -1e4])), [1.0, 0.0])
    np.testing.assert_allclose(backprop.softmax([0, 0]), [0.5, 0.5], rtol=0, atol=0)  # ints: exact


@settings(max_examples=60, deadline=None)
@given(Z=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=st.floats(-50, 50)),
       c=st.lists(st.floats(-100, 100), min_size=4, max_size=4))
def test_5_2_invariant_to_a_constant_per_row(backprop, Z, c):
    shift = np.array(c[: Z.shape[0]])[:, None]
    P, Q = backprop.softmax(Z), backprop.softmax(Z + shift)
    # Z + c rounds each logit by <= ulp(150)/2 ~ 1.4e-14, the differences of two logits by
    # <= 3e-14, so each probability moves by a relative <= ~6e-14: rtol 1e-11 is safe
    np.testing.assert_allclose(Q, P, rtol=1e-11, atol=0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-14)  # <= 6 terms, see above


# ---------------------------------------------------------------------------------------
# 5.3 cross_entropy
# ---------------------------------------------------------------------------------------
def test_5_3_matches_direct_computation(backprop):
    rng = np.random.default_rng(53)
    P = rng.dirichlet(np.ones(4), size=9)
    y = rng.integers(0, 4, size=9)
    got = backprop.cross_entropy(P, y)
    assert isinstance(got, (float, np.floating)) or np.shape(got) == ()
    # a mean of 9 logs of size <= ~5, summed in any order: ~10 roundings, rtol 1e-13
    assert math.isclose(float(got), loop_cross_entropy(P, y), rel_tol=1e-13)


def test_5_3_zero_probability_is_clipped(backprop):
    P = np.array([[0.0, 1.0], [0.25, 0.75], [1e-20, 1.0 - 1e-20]])
    y = np.array([0, 1, 0])
    got = float(backprop.cross_entropy(P, y))
    assert math.isfinite(got)
    expected = (-math.log(1e-12) - math.log(0.75) - math.log(1e-12)) / 3
    assert math.isclose(got, expected, rel_tol=1e-14)  # three terms: a few roundings
    assert float(backprop.cross_entropy([[1.0, 0.0]], [0])) == 0.0  # log(1) = 0 exactly
    # labels as a list of Python ints (same three terms, same 1e-14)
    assert math.isclose(float(backprop.cross_entropy(P, [0, 1, 0])), expected, rel_tol=1e-14)


# ---------------------------------------------------------------------------------------
# 5.4 init_params
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[4, 3], [5, 7, 3], [6, 4, 5, 3]])
def test_5_4_shapes(backprop, sizes):
    params = backprop.init_params(sizes, np.random.default_rng(0))
    assert len(params) == len(sizes) - 1
    for l, W in enumerate(params):
        assert np.shape(W) == (sizes[l + 1], sizes[l]) and np.asarray(W).dtype == np.float64


def test_5_4_he_statistics_on_big_layers(backprop):
    params = backprop.init_params([400, 300, 200], np.random.default_rng(54))
    for W, fan_in in zip(params, [400, 300]):
        w = np.asarray(W).ravel()
        N, var = w.size, 2.0 / fan_in
        # mean: standard error sqrt(var / N) (2e-4 for 400x300); 5 standard errors give a false
        # alarm with probability ~6e-7 for a correct initialiser
        assert abs(w.mean()) < 5 * math.sqrt(var / N)
        # variance: the sample variance of N normals has relative standard error sqrt(2 / N)
        # (0.41% for N = 120000, 0.58% for 60000); 5 of them, i.e. <= 2.9%. Using the fan-out
        # (33%/50% off) or the standard deviation as the variance (factor ~14) fails clearly.
        assert abs(w.var() / var - 1) < 5 * math.sqrt(2.0 / N)
        # normal, not uniform: kurtosis 3 with standard error sqrt(24 / N) <= 0.02; the
        # tolerance 0.1 is 5 standard errors, while a uniform distribution has kurtosis 1.8
        kurtosis = np.mean((w - w.mean()) ** 4) / w.var() ** 2
        assert abs(kurtosis - 3.0) < 0.1


def test_5_4_determinism_and_rng_only(backprop):
    np.random.seed(1)
    a = backprop.init_params([5, 7, 3], np.random.default_rng(7))
    np.random.seed(2)
    b = backprop.init_params([5, 7, 3], np.random.default_rng(7))
    c = backprop.init_params([5, 7, 3], np.random.default_rng(8))
    assert all(np.array_equal(x, z) for x, z in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    rng = np.random.default_rng(9)
    first, second = backprop.init_params([5, 3], rng), backprop.init_params([5, 3], rng)
    assert not np.array_equal(first[0], second[0])  # drawn from (and advancing) rng


# ---------------------------------------------------------------------------------------
# 5.5 forward, 5.6 loss
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes, n", [([4, 3], 5), ([5, 7, 3], 1), ([6, 4, 5, 3], 8)])
def test_5_5_5_6_forward_and_loss_match_loops(backprop, sizes, n):
    rng = np.random.default_rng(55 + n)
    params = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    copies = [W.copy() for W in params], X.copy()
    P = backprop.forward(params, X)
    assert isinstance(P, np.ndarray) and P.shape == (n, sizes[-1]) and P.dtype == np.float64
    # dot products of length <= 7 and one exp per logit: relative errors ~1e-15 on O(1..10)
    # logits become ~1e-14 relative in each probability; rtol 1e-12 leaves a margin of 100
    np.testing.assert_allclose(P, loop_forward(params, X), rtol=1e-12, atol=0)
    L = backprop.loss(params, X, y)
    assert isinstance(L, (float, np.floating)) or np.shape(L) == ()
    assert math.isclose(float(L), loop_cross_entropy(loop_forward(params, X), y), rel_tol=1e-12)  # same reason
    assert all(np.array_equal(W, C) for W, C in zip(params, copies[0])) and np.array_equal(X, copies[1])


# ---------------------------------------------------------------------------------------
# 5.7 backward
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes, n", [([4, 3], 5), ([5, 7, 3], 6), ([6, 4, 5, 3], 7), ([5, 7, 3], 1)],
                         ids=["depth1", "depth2", "depth3", "depth2-n1"])
def test_5_7_every_entry_against_central_differences(backprop, sizes, n):
    params, X, y = smooth_problem(sizes, n, seed=57 + len(sizes) + n)
    copies = [W.copy() for W in params]
    grads = backprop.backward(params, X, y)
    assert isinstance(grads, list) and len(grads) == len(params)
    assert all(np.array_equal(W, C) for W, C in zip(params, copies))
    for G, W, N in zip(grads, params, central_difference_gradients(params, X, y)):
        assert np.shape(G) == W.shape and np.asarray(G).dtype == np.float64
        assert_grad_close(G, N)


@pytest.mark.parametrize("sizes", [[4, 3], [5, 7, 3], [6, 4, 5, 3]])
def test_5_7_directional_derivative_along_random_upstream_vectors(backprop, sizes):
    params, X, y = smooth_problem(sizes, 6, seed=570 + len(sizes))
    grads = backprop.backward(params, X, y)
    rng = np.random.default_rng(571)
    _, base_masks, _, _ = np_loss_and_masks(params, X, y)
    for _ in range(5):
        V = [rng.normal(size=W.shape) for W in params]
        values = []
        for sign in (+1, -1):
            value, masks, _, _ = np_loss_and_masks([W + sign * H * D for W, D in zip(params, V)], X, y)
            assert all(np.array_equal(a, b) for a, b in zip(masks, base_masks)), "a ReLU kink was crossed"
            values.append(value)
        numeric = (values[0] - values[1]) / (2 * H)
        analytic = sum(float(np.sum(G * D)) for G, D in zip(grads, V))
        # same error budget as assert_grad_close (|V| entries are O(1)); see GRAD_RTOL above
        assert abs(analytic - numeric) <= GRAD_RTOL * max(abs(analytic), abs(numeric)) + GRAD_ATOL


def test_5_7_square_layers_show_a_transposed_gradient(backprop):
    params, X, y = smooth_problem([3, 3, 3], 4, seed=5077)
    numeric = central_difference_gradients(params, X, y)
    grads = backprop.backward(params, X, y)
    for G, N in zip(grads, numeric):
        assert_grad_close(G, N)
        # power: the numeric gradient is far from symmetric, so G.T would fail the check above
        assert np.max(np.abs(N - N.T)) > 1e-2


def test_5_7_integer_inputs_and_list_params(backprop):
    params = [0.25 * np.array([[1.0, -2.0, 0.5], [-1.0, 1.5, 2.0]]), np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.25]])]
    X = np.array([[1, 2, 3], [2, 0, -1]])  # integer features
    y = [2, 0]
    _, _, pre, P = np_loss_and_masks(params, X.astype(float), np.array(y))
    assert min(np.min(np.abs(Z)) for Z in pre) > KINK_MARGIN and P.min() > 1e-9
    numeric = central_difference_gradients(params, X.astype(float), np.array(y))
    grads = backprop.backward([W.tolist() for W in params], X, y)
    for G, N in zip(grads, numeric):
        assert_grad_close(G, N)


# ---------------------------------------------------------------------------------------
# 5.8 train
# ---------------------------------------------------------------------------------------
def three_blobs(n_per_class, seed):
    """Three well separated Gaussian blobs in 2-D, plus a constant feature 1 (no biases)."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 3.0], [-2.6, -1.5], [2.6, -1.5]])
    X = np.concatenate([c + 0.6 * rng.standard_normal((n_per_class, 2)) for c in centers])
    X = np.hstack([X, np.ones((len(X), 1))])
    y = np.repeat(np.arange(3), n_per_class)
    return X, y


def test_5_8_reaches_95_percent_on_three_blobs(backprop):
    X, y = three_blobs(50, seed=58)
    params, losses = backprop.train(X, y, [3, 16, 3], lr=0.1, epochs=40, batch_size=10,
                                    rng=np.random.default_rng(580))
    assert [np.shape(W) for W in params] == [(16, 3), (3, 16)]
    losses = np.asarray(losses, dtype=np.float64)
    assert losses.shape == (40,) and np.all(np.isfinite(losses))
    # decreases overall: the last loss well below the first, and the last five below the first five
    assert losses[-1] < 0.5 * losses[0] and losses[-5:].mean() < losses[:5].mean()
    # losses[-1] is the full-set loss of the returned params (independent loss; the two
    # computations differ by ~1e-15 relative, so rel_tol 1e-12)
    assert math.isclose(losses[-1], np_loss_and_masks(params, X, y)[0], rel_tol=1e-12)
    predicted = [max(range(3), key=lambda k: row[k]) for row in loop_forward(params, X).tolist()]
    assert np.mean(np.array(predicted) == y) >= 0.95


def test_5_8_steps_per_batch_with_identical_examples(backprop):
    """Identical examples make every batch's mean gradient the same function of the weights,
    whatever the order, so an epoch of n = 5 with batch_size 2 is exactly three GD steps on the
    one-example loss (two if the last, smaller batch were dropped)."""
    sizes, lr = [3, 4, 3], 0.5
    x = np.array([[0.9, -1.3, 1.0]])
    X, y = np.repeat(x, 5, axis=0), np.full(5, 2)
    seed = 585
    # the contract: train starts with params = init_params(layer_sizes, rng); a twin generator
    # therefore reproduces the initial weights
    W = backprop.init_params(sizes, np.random.default_rng(seed))
    expected_losses = []
    for epoch in range(2):
        for _ in range(3):  # ceil(5 / 2) batches
            _, _, pre, _ = np_loss_and_masks(W, x, y[:1])
            assert min(np.min(np.abs(Z)) for Z in pre) > KINK_MARGIN
            W = [w - lr * g for w, g in zip(W, central_difference_gradients(W, x, y[:1]))]
        expected_losses.append(np_loss_and_masks(W, X, y)[0])
    params, losses = backprop.train(X, y, sizes, lr=lr, epochs=2, batch_size=2, rng=np.random.default_rng(seed))
    # each numeric gradient entry is within ~1e-8 of the exact one (see GRAD_RTOL); six steps
    # of lr = 0.5 move the weights by <= 6 * 0.5 * 1e-8 = 3e-8, so 1e-6 absolute is safe, while
    # dropping the last batch (a whole step of size lr * |g| ~ 1e-1) fails
    for got, expected in zip(params, W):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(losses, expected_losses, rtol=0, atol=1e-6)  # loss is Lipschitz ~O(1) here


def test_5_8_deterministic_given_the_seed(backprop):
    X, y = three_blobs(10, seed=1)
    kw = dict(lr=0.1, epochs=3, batch_size=7)
    a = backprop.train(X, y, [3, 5, 3], rng=np.random.default_rng(3), **kw)
    b = backprop.train(X, y, [3, 5, 3], rng=np.random.default_rng(3), **kw)
    c = backprop.train(X, y, [3, 5, 3], rng=np.random.default_rng(4), **kw)
    assert all(np.array_equal(u, v) for u, v in zip(a[0], b[0])) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0][0], c[0][0])


# ---------------------------------------------------------------------------------------
# 5.9 accuracy
# ---------------------------------------------------------------------------------------
def test_5_9_ties_go_to_the_first_maximum(backprop):
    # one layer; classes 0 and 1 have identical weights, so their probabilities are equal
    params = [np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])]
    X = np.array([[1.0, 0.0],    # logits (1, 1, 0): tie 0/1 -> 0
                  [0.0, 1.0],    # (0, 0, 1)        -> 2
                  [0.0, 0.0],    # (0, 0, 0): 3-way -> 0
                  [2.0, 1.0]])   # (2, 2, 1): tie   -> 0
    y = np.array([1, 2, 0, 0])
    # first maximum: predictions (0, 2, 0, 0), correct: no, yes, yes, yes -> 3/4
    # (the last maximum would give (1, 2, 2, 1) and 2/4)
    acc = backprop.accuracy(params, X, y)
    assert isinstance(acc, (float, np.floating)) or np.shape(acc) == ()
    assert float(acc) == 0.75


def test_5_9_matches_direct_computation(backprop):
    rng = np.random.default_rng(59)
    params = [rng.normal(size=(6, 4)), rng.normal(size=(3, 6))]
    X = rng.normal(size=(40, 4))
    y = rng.integers(0, 3, size=40)
    P = loop_forward(params, X)
    predicted = []
    for row in P.tolist():  # first maximum, by a strict comparison
        best = 0
        for k in range(1, len(row)):
            if row[k] > row[best]:
                best = k
        predicted.append(best)
    expected = sum(int(p == t) for p, t in zip(predicted, y)) / len(y)
    got = float(backprop.accuracy(params, X, y))
    assert 0.0 <= got <= 1.0
    assert got == expected  # a count over 40 rows: exact
    assert float(backprop.accuracy(params, X, list(y))) == expected
