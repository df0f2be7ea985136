"""Checks of part 5 (backprop.py): ReLU, softmax, cross-entropy, He initialisation, the MLP's
forward pass, loss and backpropagation, mini-batch training and accuracy.

Oracles: the check's own numpy forward pass and loss (below, written from the contract:
ReLU hidden layers, a row-wise max-subtracted softmax, the mean of -log(max(P[i, y_i], 1e-12))).
Every expected GRADIENT comes from central differences of that loss (float64, every entry,
h = 1e-6) on inputs where no pre-activation is near ReLU's kink and no probability is below
the clip; none is written by hand. Training is verified by replaying plain gradient steps of
those finite-difference gradients from the student's own initial parameters (init_params
called with an equally seeded twin generator), and by properties (reproducibility, use of
the rng argument only, a fresh order every epoch, the last smaller batch, learning).
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..checking import CheckFailed, Ctx
from ..figures import GradientTable
from ..expect import all_close, describe, float_array, reveal, scalar
from ..registry import check
from ._pictures import attach_curve

CLIP = 1e-12  # the contract's lower clip of probabilities in cross_entropy

# Values computed by a fixed, short sequence of float64 operations (softmax, a forward pass
# through a few small layers, a mean of logs) differ between correct orders of operations by
# a few ulps times the condition of the computation; 1e-9 relative with a tiny absolute floor
# is a million times that and still far below every mistake the checks look for.
VALUE_RTOL, PROB_ATOL, LOSS_ATOL = 1e-9, 1e-14, 1e-12
ROWSUM_TOL = 1e-12  # a sum of K <= 10 probabilities, each correct to a few ulps

# Finite differences of the oracle loss: with h = 1e-6 on a loss of order 1, round-off errs by
# about ulp(1)/h ~ 2e-10 and truncation by h**2 * L''' ~ 1e-12 (the checks keep every
# pre-activation at least KINK_MARGIN from ReLU's kink, so L is smooth within h). Relative
# 1e-5 with an absolute floor of 1e-7 leaves a margin of ~500; the mistakes (a factor n, a
# transposition, a missing mask, a dropped upstream gradient) change entries by O(their size).
FD_H = 1e-6
FD_RTOL, FD_ATOL = 1e-5, 1e-7
KINK_MARGIN = 1e-3  # a weight perturbed by h moves a pre-activation by ~h*|a| << 1e-3
PROB_FLOOR = 1e-9  # inputs of gradient checks keep every probability far above the 1e-12 clip

# Training replays use the same finite differences; after a few steps the replayed parameters
# agree with the student's to ~1e-9 relative. Comparing the update itself with 1e-6 relative
# (and losses with 1e-7) absorbs that and any order of float operations, while a wrong step
# (another lr, a sum instead of a mean, a skipped batch) moves them by O(1) relative.
TRAIN_STEP_RTOL, TRAIN_LOSS_RTOL = 1e-6, 1e-7


# ---- the check's oracle ---------------------------------------------------------------

def _relu(Z: np.ndarray) -> np.ndarray:
    return np.maximum(Z, 0.0)


def _softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def _forward(params: list[np.ndarray], X, variant: str = "right") -> np.ndarray:
    """softmax(W_L a(... a(W_0 x))) row by row; ``variant`` builds a known mistake for diagnosis."""
    A = np.asarray(X, dtype=np.float64)
    for W in params[:-1]:
        Z = A @ (W if variant == "W instead of W.T" else W.T)
        A = Z if variant == "missing ReLU" else _relu(Z)
    Z = A @ (params[-1] if variant == "W instead of W.T" else params[-1].T)
    if variant == "ReLU on the output layer":
        Z = _relu(Z)
    return _softmax(Z)


def _pre_activations(params: list[np.ndarray], X) -> list[np.ndarray]:
    """Z_0 .. Z_{L-1} of the hidden layers (the inputs of the ReLUs)."""
    A = np.asarray(X, dtype=np.float64)
    out = []
    for W in params[:-1]:
        Z = A @ W.T
        out.append(Z)
        A = _relu(Z)
    return out


def _cross_entropy(P: np.ndarray, y) -> float:
    y = np.asarray(y, dtype=np.int64)
    return float(-np.mean(np.log(np.maximum(P[np.arange(len(y)), y], CLIP))))


def _loss(params: list[np.ndarray], X, y) -> float:
    return _cross_entropy(_forward(params, X), y)


def _loss_stack(stacks: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The oracle loss for m parameter sets at once: stacks[l] has shape (m, out_l, in_l)."""
    A = X[None]
    for W in stacks[:-1]:
        A = _relu(A @ W.transpose(0, 2, 1))
    P = _softmax(A @ stacks[-1].transpose(0, 2, 1))
    picked = P[:, np.arange(len(y)), y]
    return -np.mean(np.log(np.maximum(picked, CLIP)), axis=1)


def _fd_grad(params: list[np.ndarray], X, y, h: float = FD_H) -> list[np.ndarray]:
    """Central differences (L(W + h e) - L(W - h e)) / 2h of the oracle loss, every entry of every W_l."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    total = sum(W.size for W in params)
    stacks = [np.repeat(W[None], 2 * total, axis=0) for W in params]
    offset = 0
    for W, S in zip(params, stacks):
        flat = S.reshape(2 * total, -1)
        entries = np.arange(W.size)
        flat[2 * (offset + entries), entries] += h
        flat[2 * (offset + entries) + 1, entries] -= h
        offset += W.size
    values = _loss_stack(stacks, X, y)
    diffs = (values[0::2] - values[1::2]) / (2 * h)
    grads, offset = [], 0
    for W in params:
        grads.append(diffs[offset:offset + W.size].reshape(W.shape))
        offset += W.size
    return grads


def _step(params: list[np.ndarray], X, y, lr: float) -> list[np.ndarray]:
    """One plain gradient step W_l - lr * dW_l with finite-difference gradients."""
    return [W - lr * G for W, G in zip(params, _fd_grad(params, X, y))]


def _kink_free(params: list[np.ndarray], X) -> bool:
    return all(np.all(np.abs(Z) > KINK_MARGIN) for Z in _pre_activations(params, X))


def _he(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    return [rng.standard_normal((b, a)) * np.sqrt(2.0 / a) for a, b in zip(sizes[:-1], sizes[1:])]


def _unchanged(after: Any, before: Any) -> bool:
    """The argument after the call equals what was passed: same container kind, dtype and values."""
    if isinstance(before, (list, tuple)):
        return type(after) is type(before) and len(after) == len(before) and all(
            _unchanged(a, b) for a, b in zip(after, before))
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and after.dtype == before.dtype and after.shape == before.shape \
            and np.array_equal(after, before)
    return type(after) is type(before) and after == before


def _require_unchanged(ctx: Ctx, outcome, values: tuple, names: tuple[str, ...], function: str) -> None:
    for after, before, name in zip(outcome.args_after, values, names):
        if not _unchanged(after, before):
            ctx.fail(f"{function} modified its argument {name} in place; work on a copy (e.g. np.array(x, "
                     f"dtype=float) or expressions that build new arrays).", "modifies its input")


def _as_params(ctx: Ctx, value: Any, shapes: list[tuple[int, int]], what: str, names: str = "W") -> list[np.ndarray]:
    """A list (or tuple) of float64 arrays of the given shapes."""
    if not isinstance(value, (list, tuple)) or len(value) != len(shapes):
        ctx.fail(f"{what} should be a list of {len(shapes)} arrays ({names}_0 .. {names}_{len(shapes) - 1}); "
                 f"the code returned {describe(value)}.")
    out = []
    for l, (item, shape) in enumerate(zip(value, shapes)):
        if isinstance(item, np.ndarray) and item.ndim == 2 and item.shape == shape[::-1] and shape[0] != shape[1]:
            ctx.fail(f"{names}_{l} of {what} has shape {item.shape}, the transpose of the required {shape}: "
                     f"W_l has shape (layer_sizes[l+1], layer_sizes[l]), one row per unit of layer l+1.",
                     "transposed weight gradient" if names == "dW" else "transposed shapes")
        out.append(float_array(item, shape, f"{names}_{l} of {what}"))
    return out


def _shapes(sizes: list[int]) -> list[tuple[int, int]]:
    return [(b, a) for a, b in zip(sizes[:-1], sizes[1:])]


def _fmt(a: Any) -> str:
    return np.array2string(np.asarray(a), precision=6, separator=", ", threshold=60).replace("\n", "")


# ---- 5.1 relu, relu_grad ----------------------------------------------------------------

def _check_relu(ctx: Ctx, Z: Any, what: str) -> None:
    Zf = np.asarray(Z, dtype=np.float64)
    outcome = ctx.require(ctx.outcome("relu", Z), "relu")
    got = float_array(outcome.value, Zf.shape, f"relu of {what}")
    _require_unchanged(ctx, outcome, (Z,), ("Z",), "relu")
    # max(z, 0) is exact in floating point; a few ulps cover (z + |z|) / 2 and similar forms.
    if not all_close(got, np.maximum(Zf, 0.0), 4 * np.finfo(float).eps, 0.0):
        ctx.fail(f"relu is not max(Z, 0) elementwise on {what}.{reveal(ctx, f'Z = {_fmt(Zf)}: got {_fmt(got)}.')}")
    outcome = ctx.require(ctx.outcome("relu_grad", Z), "relu_grad")
    got = float_array(outcome.value, Zf.shape, f"relu_grad of {what}")
    _require_unchanged(ctx, outcome, (Z,), ("Z",), "relu_grad")
    want = (Zf > 0).astype(np.float64)
    if not np.array_equal(got, want):
        if np.array_equal(got, (Zf >= 0).astype(np.float64)):
            ctx.fail("relu_grad returns 1 where Z is exactly 0; the contract's derivative is 1.0 only where Z > 0 "
                     "(0 at exactly 0): use Z > 0, not Z >= 0.", "mask at exactly 0")
        ctx.fail(f"relu_grad should be 1.0 where Z > 0 and 0.0 elsewhere; it is wrong at "
                 f"{int(np.sum(got != want))} of {got.size} entries of {what}."
                 f"{reveal(ctx, f'Z = {_fmt(Zf)}: got {_fmt(got)}.')}")


@check("5.1", "relu and relu_grad on [-2, -0.5, 0, 0.5, 3] (relu_grad(0) is 0)", public=True)
def relu_public(ctx: Ctx) -> None:
    _check_relu(ctx, np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), "[-2, -0.5, 0, 0.5, 3]")


@check("5.1", "relu and relu_grad work elementwise on 2-D and 3-D float arrays and leave them unchanged")
def relu_arrays(ctx: Ctx) -> None:
    _check_relu(ctx, ctx.rng.normal(size=(int(ctx.rng.integers(3, 7)), int(ctx.rng.integers(2, 6)))), "a 2-D array")
    Z = ctx.rng.normal(scale=3.0, size=(2, 3, 4))
    Z[ctx.rng.random(Z.shape) < 0.3] = 0.0  # exact zeros: relu_grad must give 0 there
    _check_relu(ctx, Z, "a 3-D array with exact zeros")


@check("5.1", "relu and relu_grad return float64 for integer arrays, lists and float32 arrays, with 0 at exactly 0")
def relu_integers(ctx: Ctx) -> None:
    _check_relu(ctx, ctx.rng.integers(-3, 4, size=(4, 5)), "an integer array")
    _check_relu(ctx, [int(v) for v in ctx.rng.integers(-2, 3, size=6)] + [0, -0], "a list of ints")
    _check_relu(ctx, np.array([[0.0, -0.0], [1e-300, -1e-300]]), "[[0, -0], [1e-300, -1e-300]]")
    Z = ctx.rng.normal(size=(3, 4)).astype(np.float32)
    Z[0, 0] = 0.0
    _check_relu(ctx, Z, "a float32 array")


# ---- 5.2 softmax ------------------------------------------------------------------------

def _broadcast_mistake(ctx: Ctx, got: np.ndarray, Zf: np.ndarray, what: str) -> None:
    """On a square Z, a row max or row sum reduced without keepdims is an (n,) vector that numpy
    broadcasts along the columns (an error on non-square Z)."""
    if Zf.ndim != 2 or Zf.shape[0] != Zf.shape[1] or Zf.shape[0] < 2:
        return
    for max_kept in (True, False):
        E = np.exp(Zf - Zf.max(axis=1, keepdims=max_kept))
        for sum_kept in (True, False):
            if (max_kept, sum_kept) != (True, True) and all_close(got, E / E.sum(axis=1, keepdims=sum_kept),
                                                                  VALUE_RTOL, PROB_ATOL):
                ctx.fail(f"softmax of {what} (square) reduces the rows to an (n,) vector of "
                         f"{'maxima' if not max_kept else 'sums'}{' and sums' if not max_kept and not sum_kept else ''}"
                         f", which numpy broadcasts along the COLUMNS (on a non-square Z it would even fail): keep "
                         f"the reduced axis, Z.max(axis=-1, keepdims=True), so that each row is shifted and divided "
                         f"by its own number.", "broadcasting (n,) against (n, 1)")


def _check_softmax(ctx: Ctx, Z: Any, what: str) -> None:
    Zf = np.asarray(Z, dtype=np.float64)
    outcome = ctx.require(ctx.outcome("softmax", Z), "softmax")
    got = float_array(outcome.value, Zf.shape, f"softmax of {what}")
    _require_unchanged(ctx, outcome, (Z,), ("Z",), "softmax")
    show = reveal(ctx, f"Z = {_fmt(Zf)}: got {_fmt(got)}.")
    if not np.all(np.isfinite(got)):
        naive = np.exp(Zf) / np.exp(Zf).sum(axis=-1, keepdims=True)
        shifted = np.exp(Zf - Zf.max()) / np.exp(Zf - Zf.max()).sum(axis=-1, keepdims=True)
        if not np.all(np.isfinite(shifted)) and np.array_equal(np.isfinite(got), np.isfinite(shifted)):
            ctx.fail(f"softmax of {what} is not finite in rows whose logits all lie far below the matrix's overall "
                     f"maximum (every exp underflows to 0): subtract EACH ROW's maximum (Z.max(axis=-1, "
                     f"keepdims=True)), not the global one.{show}", "global max subtracted")
        if not np.all(np.isfinite(naive)):
            ctx.fail(f"softmax of {what} is not finite: exp overflows or every exp of a row underflows to 0. "
                     f"Subtract each row's maximum before exponentiating (this changes nothing "
                     f"mathematically).{show}", "no max-subtraction")
        ctx.fail(f"softmax of {what} is not finite.{show}")
    want = _softmax(Zf)
    if Zf.ndim == 2:
        if np.any(np.abs(got.sum(axis=1) - 1.0) > ROWSUM_TOL):
            if Zf.shape[0] > 1 and np.all(np.abs(got.sum(axis=0) - 1.0) <= ROWSUM_TOL):
                ctx.fail(f"the COLUMNS of softmax({what}) sum to 1, not its rows: normalise each row (axis=-1 or "
                         f"axis=1 with keepdims=True); Z holds one example per row.", "normalises over the wrong axis")
            _broadcast_mistake(ctx, got, Zf, what)
            ctx.fail(f"the rows of softmax({what}) do not sum to 1.{show}")
    elif abs(got.sum() - 1.0) > ROWSUM_TOL:
        ctx.fail(f"softmax of {what} does not sum to 1.{show}")
    if not all_close(got, want, VALUE_RTOL, PROB_ATOL):
        if Zf.ndim == 2 and all_close(got, np.exp(Zf - Zf.max()) / np.exp(Zf - Zf.max()).sum(axis=1, keepdims=True),
                                      VALUE_RTOL, PROB_ATOL):
            ctx.fail(f"softmax of {what} loses rows whose logits are far below the matrix's overall maximum: "
                     f"subtract EACH ROW's maximum (Z.max(axis=-1, keepdims=True)), not the global one.",
                     "global max subtracted")
        if Zf.ndim == 2 and all_close(got, _softmax(Zf - Zf.max(axis=0, keepdims=True)), VALUE_RTOL, PROB_ATOL):
            ctx.fail(f"softmax of {what} subtracts each COLUMN's maximum: subtract each row's own maximum "
                     f"(axis=-1, keepdims=True), otherwise the rows change.", "max over the wrong axis")
        _broadcast_mistake(ctx, got, Zf, what)
        ctx.fail(f"softmax of {what} differs from exp(z_k) / sum_j exp(z_j) row by row.{show}")


@check("5.2", "softmax of a 2x3 matrix and of a single row of 4 logits", public=True)
def softmax_public(ctx: Ctx) -> None:
    _check_softmax(ctx, np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -1.0]]), "[[1, 2, 3], [0, 0, -1]]")
    _check_softmax(ctx, np.array([0.5, -1.0, 2.0, 0.0]), "the 1-D row [0.5, -1, 2, 0]")


@check("5.2", "softmax normalises each row of non-square and square matrices, integers and 1-D rows included")
def softmax_rows(ctx: Ctx) -> None:
    n = int(ctx.rng.integers(4, 8))
    _check_softmax(ctx, ctx.rng.normal(scale=2.0, size=(4, 4)), "a square matrix")
    _check_softmax(ctx, ctx.rng.normal(scale=2.0, size=(n, n - 2)), "a non-square matrix (more rows than columns)")
    _check_softmax(ctx, ctx.rng.normal(scale=2.0, size=(3, 7)), "a non-square matrix (more columns than rows)")
    _check_softmax(ctx, ctx.rng.integers(-5, 6, size=(3, 5)), "an integer matrix")
    _check_softmax(ctx, ctx.rng.normal(size=(1, 5)), "a matrix of one row")
    _check_softmax(ctx, ctx.rng.normal(size=6), "a 1-D row")


@check("5.2", "softmax stays finite and exact for logits as large as +-1e4")
def softmax_large_logits(ctx: Ctx) -> None:
    # Row 0 near +1e4 (exp overflows without the max subtraction), row 1 near -1e4 (every exp
    # underflows, and so does exp(z - global max)), row 2 spanning both, row 3 moderate.
    K = int(ctx.rng.integers(4, 7))
    Z = np.stack([ctx.rng.uniform(9990, 10000, size=K), ctx.rng.uniform(-10000, -9990, size=K),
                  ctx.rng.uniform(-1e4, 1e4, size=K), ctx.rng.normal(size=K)])
    _check_softmax(ctx, Z, "logits up to +-1e4")
    _check_softmax(ctx, -ctx.rng.uniform(9990, 10000, size=K), "a 1-D row of logits near -1e4")


# ---- 5.3 cross_entropy ------------------------------------------------------------------

def _probabilities(rng: np.random.Generator, n: int, K: int) -> np.ndarray:
    return _softmax(rng.normal(size=(n, K)))


def _check_ce(ctx: Ctx, P: np.ndarray, y: Any, what: str) -> None:
    outcome = ctx.require(ctx.outcome("cross_entropy", P, y), "cross_entropy")
    got = scalar(outcome.value, f"cross_entropy of {what}")
    _require_unchanged(ctx, outcome, (P, y), ("P", "y"), "cross_entropy")
    labels = np.asarray(y, dtype=np.int64)
    n = len(labels)
    want = _cross_entropy(P, labels)
    show = reveal(ctx, f"P = {_fmt(P)}, y = {labels.tolist()}: expected {want!r}, got {got!r}.")
    if all_close(got, want, VALUE_RTOL, LOSS_ATOL):
        return
    picked = P[np.arange(n), labels]
    if not np.isfinite(got) and np.any(picked == 0):
        ctx.fail(f"cross_entropy of {what} is not finite: a true-class probability is 0 and log(0) = -inf. Clip "
                 f"the probabilities below at 1e-12 first (np.maximum(p, 1e-12)).{show}", "log(0)")
    if all_close(got, n * want, VALUE_RTOL, LOSS_ATOL):
        ctx.fail(f"cross_entropy of {what} is n times too large: it is the MEAN over rows of -log(P[i, y[i]]), "
                 f"not the sum.{show}", "sum instead of mean")
    with np.errstate(divide="ignore"):
        if all_close(got, float(-np.mean(np.log(picked + CLIP))), VALUE_RTOL, LOSS_ATOL):
            ctx.fail(f"cross_entropy of {what} computes log(p + 1e-12); the contract CLIPS: log(max(p, 1e-12)), "
                     f"which differs when p is itself tiny.{show}", "adds 1e-12 instead of clipping")
        if all_close(got, float(-np.mean(np.log(np.maximum(P[:, labels], CLIP)))), VALUE_RTOL, LOSS_ATOL):
            ctx.fail(f"cross_entropy of {what} averages the whole n x n block P[:, y]; pick one entry per row "
                     f"with P[np.arange(n), y].{show}", "P[:, y] instead of P[range(n), y]")
    ctx.fail(f"cross_entropy of {what} is not the mean over rows of -log(max(P[i, y[i]], 1e-12)).{show}")


@check("5.3", "cross_entropy of 3 rows of probabilities with labels [0, 2, 1]", public=True)
def ce_public(ctx: Ctx) -> None:
    P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.25, 0.5, 0.25]])
    _check_ce(ctx, P, np.array([0, 2, 1]), "P = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.25, 0.5, 0.25]]")


@check("5.3", "cross_entropy is the MEAN over rows, for integer arrays and lists of labels")
def ce_mean(ctx: Ctx) -> None:
    for n, K in ((int(ctx.rng.integers(5, 9)), 3), (2, 6)):
        P = _probabilities(ctx.rng, n, K)
        _check_ce(ctx, P, ctx.rng.integers(0, K, size=n), f"{n} rows of {K} probabilities")
    P = _probabilities(ctx.rng, 4, 5)
    _check_ce(ctx, P, [int(v) for v in ctx.rng.integers(0, 5, size=4)], "labels given as a list")
    P = _probabilities(ctx.rng, 5, 3)
    _check_ce(ctx, P, ctx.rng.integers(0, 3, size=5).astype(np.int32), "labels of dtype int32")


@check("5.3", "cross_entropy clips probabilities below at 1e-12 (finite for a zero probability) and leaves P unchanged")
def ce_clip(ctx: Ctx) -> None:
    # A zero true-class probability must contribute -log(1e-12)/n; one of 1e-13 too (clipping,
    # unlike adding 1e-12, which would give -log(1.1e-12)); tiny probabilities off the true
    # class must not matter.
    n, K = int(ctx.rng.integers(4, 7)), 4
    P = _probabilities(ctx.rng, n, K)
    y = ctx.rng.integers(0, K, size=n)
    for i, p in ((0, 0.0), (1, 1e-13)):
        P[i] = (1.0 - p) / (K - 1)
        P[i, y[i]] = p
    P[2, (y[2] + 1) % K] = 0.0
    P[2] /= P[2].sum()
    _check_ce(ctx, P, y, "probabilities with zeros and a 1e-13 at the true class")


# ---- 5.4 init_params --------------------------------------------------------------------

def _init(ctx: Ctx, sizes: Any, seed: int, what: str, global_seed: int | None = None) -> list[np.ndarray]:
    outcome = ctx.require(ctx.outcome("init_params", sizes, np.random.default_rng(seed), global_seed=global_seed),
                          "init_params")
    _require_unchanged(ctx, outcome, (sizes,), ("layer_sizes",), "init_params")
    return _as_params(ctx, outcome.value, _shapes(list(sizes)), f"init_params({what})")


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(x.shape == z.shape and np.array_equal(x, z) for x, z in zip(a, b))


@check("5.4", "init_params([3, 5, 2], rng) returns float64 W_0 of shape (5, 3) and W_1 of shape (2, 5)", public=True)
def init_public(ctx: Ctx) -> None:
    params = _init(ctx, [3, 5, 2], ctx.seed(), "[3, 5, 2], rng")
    if any(np.all(W == 0) for W in params) or any(np.unique(W).size < W.size for W in params):
        ctx.fail("init_params([3, 5, 2], rng) returned a matrix with repeated or zero entries; He initialisation "
                 "draws independent normal entries.")


@check("5.4", "init_params has He statistics: mean 0, variance 2/fan_in, normal, independent entries")
def init_statistics(ctx: Ctx) -> None:
    # Large layers make the sample statistics sharp. With N entries of N(0, s2): the mean has
    # standard error sqrt(s2/N), mean(W**2) (the variance about the known mean 0) sqrt(2/N) s2,
    # the kurtosis mean(W**4)/mean(W**2)**2 about sqrt(24/N), a correlation of neighbours
    # 1/sqrt(N). Allowing 6 standard errors puts a false alarm below 1e-8, while every mistake
    # is many standard errors away: fan_in / fan_out >= 1.4 here (variance 2/fan_out is off by
    # >= 40%, the tolerance is <= 12%), variance 1/fan_in by 50%, std 2/fan_in by a factor
    # fan_in/2, a uniform draw has kurtosis 1.8 instead of 3 (tolerance 0.4).
    sizes = [int(ctx.rng.integers(200, 241)), int(ctx.rng.integers(100, 131)), int(ctx.rng.integers(45, 61))]
    params = _init(ctx, sizes, ctx.seed(), "a network with large layers")
    for l, W in enumerate(params):
        fan_in, fan_out = W.shape[1], W.shape[0]
        N = W.size
        s2 = 2.0 / fan_in
        var = float(np.mean(W**2))
        if abs(float(np.mean(W))) > 6 * np.sqrt(s2 / N):
            ctx.fail(f"the entries of W_{l} do not have mean 0 (He initialisation draws from a normal "
                     f"distribution centred at 0).")
        if abs(var - s2) > 6 * np.sqrt(2.0 / N) * s2:
            for mistake, want, hint in (("variance 2/fan_out", 2.0 / fan_out, "fan_out = layer_sizes[l+1]"),
                                        ("std 2/fan_in", 4.0 / fan_in**2, "2/fan_in as the standard deviation"),
                                        ("variance 1/fan_in", 1.0 / fan_in, "1/fan_in (LeCun/Xavier-style)")):
                if abs(var - want) <= 6 * np.sqrt(2.0 / N) * want:
                    ctx.fail(f"the entries of W_{l} have the variance that {hint} gives; He initialisation uses "
                             f"VARIANCE 2 / fan_in with fan_in = layer_sizes[l] (standard deviation "
                             f"sqrt(2 / fan_in)).", mistake)
            ctx.fail(f"the entries of W_{l} do not have variance 2 / fan_in (fan_in = layer_sizes[l]); "
                     f"{'much ' if not 0.5 < var / s2 < 2 else ''}{'larger' if var > s2 else 'smaller'} here.")
        kurtosis = float(np.mean(W**4)) / var**2
        if abs(kurtosis - 3.0) > 6 * np.sqrt(24.0 / N):
            ctx.fail(f"the entries of W_{l} have the right variance but are not normally distributed (their "
                     f"fourth moment is off{', as for a uniform draw' if kurtosis < 2.2 else ''}): draw them with "
                     f"rng.standard_normal or rng.normal.", "not normal")
        for axis in (0, 1):
            a, b = (W[:-1], W[1:]) if axis == 0 else (W[:, :-1], W[:, 1:])
            corr = float(np.mean(a * b)) / var
            if abs(corr) > 6 / np.sqrt(a.size):
                ctx.fail(f"neighbouring {'rows' if axis == 0 else 'columns'} of W_{l} are correlated: every entry "
                         f"must be an independent draw (not one row or column repeated).")


@check("5.4", "init_params depends only on rng: same seed same weights, new seed new weights")
def init_rng_only(ctx: Ctx) -> None:
    sizes = tuple(int(v) for v in ctx.rng.integers(2, 7, size=int(ctx.rng.integers(2, 5))))
    seed, other = ctx.seed(), ctx.seed()
    g1, g2 = (int(v) for v in ctx.rng.choice(2**31, size=2, replace=False))
    first = _init(ctx, sizes, seed, "a tuple of sizes", global_seed=g1)
    if not _same(_init(ctx, sizes, seed, "a tuple of sizes", global_seed=g2), first):
        if _same(_init(ctx, sizes, seed, "a tuple of sizes", global_seed=g1), first):
            ctx.fail("with equally seeded rng arguments the weights change when the global state of np.random / "
                     "random changes: draw them from the rng argument (rng.standard_normal), not np.random.",
                     "global np.random")
        ctx.fail("two calls with equally seeded rng arguments gave different weights: draw them from the rng "
                 "argument only.", "not reproducible")
    if _same(_init(ctx, list(sizes), other, "a list of sizes"), first):
        ctx.fail("rng arguments with different seeds gave the same weights: draw them from the given rng (not "
                 "from a generator with a fixed seed).", "ignores rng")


@check("5.4", "init_params draws W_0 first: a deeper network starts with the same first layers")
def init_w0_first(ctx: Ctx) -> None:
    # Drawing the layers in order W_0, W_1, ... from the same stream makes W_0 depend only on
    # the rng and layer_sizes[:2], whatever the later layers (the draw of the next layer starts
    # where the previous one ended); any order of draws in which W_0 comes first has this.
    # (np.random is seeded alike before every call, so that this check is about the order of
    # the draws only; the use of rng alone is the previous check's business.)
    sizes = [int(v) for v in ctx.rng.integers(2, 8, size=4)]
    seed, g = ctx.seed(), int(ctx.rng.integers(2**31))
    full = _init(ctx, sizes, seed, "a 3-layer network", global_seed=g)
    for k in (2, 3):
        short = _init(ctx, sizes[:k], seed, f"{k - 1} layer{'s' if k > 2 else ''}", global_seed=g)
        if not _same(short, full[:k - 1]):
            ctx.fail("with equally seeded rng arguments, the first layers of a deeper network differ from those of "
                     "a shallower one: draw W_0 first, then W_1, ... from rng, one layer after the other.",
                     "W_0 not drawn first")


# ---- 5.5 forward ------------------------------------------------------------------------

def _net(rng: np.random.Generator, sizes: list[int], n: int, margin: float = 0.0):
    """Random He-scaled params and inputs; with margin > 0, no hidden pre-activation within margin of 0."""
    for _ in range(1000):
        params = _he(rng, sizes)
        X = rng.normal(size=(n, sizes[0]))
        if margin <= 0 or _kink_free(params, X):
            return params, X
    raise AssertionError("no kink-free network found")  # pragma: no cover - probability ~0


def _non_square_sizes(rng: np.random.Generator, depth: int) -> list[int]:
    """layer_sizes of a network of ``depth`` layers, none of them square (2 to 7 units)."""
    while True:
        sizes = [int(v) for v in rng.integers(2, 8, size=depth + 1)]
        if all(a != b for a, b in zip(sizes[:-1], sizes[1:])):
            return sizes


def _check_forward(ctx: Ctx, params: list[np.ndarray], X: Any, what: str) -> None:
    n, K = np.shape(X)[0], params[-1].shape[0]
    outcome = ctx.require(ctx.outcome("forward", params, X), "forward")
    got = float_array(outcome.value, (n, K), f"forward on {what}")
    _require_unchanged(ctx, outcome, (params, X), ("params", "X"), "forward")
    show = reveal(ctx, f"params = {[W.tolist() for W in params]}, X = {np.asarray(X).tolist()}: expected "
                       f"{_fmt(_forward(params, X))}, got {_fmt(got)}.")
    if np.any(np.abs(got.sum(axis=1) - 1.0) > ROWSUM_TOL):
        if n > 1 and np.all(np.abs(got.sum(axis=0) - 1.0) <= ROWSUM_TOL):
            ctx.fail(f"the COLUMNS of forward's result sum to 1 on {what}; each row (one example) must be a "
                     f"probability vector: softmax over the classes, axis=-1.", "normalises over the wrong axis")
        ctx.fail(f"the rows of forward's result do not sum to 1 on {what}: the last layer goes through softmax.{show}")
    if all_close(got, _forward(params, X), VALUE_RTOL, PROB_ATOL):
        return
    for variant, text in (("missing ReLU", "applies no ReLU after the hidden layers"),
                          ("ReLU on the output layer", "applies ReLU to the output logits too (only hidden layers "
                                                       "have it; softmax takes the raw logits W_L a)"),
                          ("W instead of W.T", "multiplies by W instead of W.T (one example per ROW of X, so a "
                                               "layer is A @ W.T)")):
        if variant == "W instead of W.T" and any(W.shape[0] != W.shape[1] for W in params):
            continue
        if all_close(got, _forward(params, X, variant), VALUE_RTOL, PROB_ATOL):
            ctx.fail(f"forward {text} ({what}).", variant)
    ctx.fail(f"forward does not compute softmax(W_L relu(... relu(W_0 x))) on {what}.{show}")


@check("5.5", "forward of a 2-4-3 network on 2 examples", public=True)
def forward_public(ctx: Ctx) -> None:
    params = [np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0], [2.0, 1.0]]),
              np.array([[1.0, 0.0, -1.0, 0.5], [-0.5, 1.0, 0.0, 1.0], [0.0, -1.0, 1.0, 0.0]])]
    _check_forward(ctx, params, np.array([[1.0, 0.5], [-1.0, 2.0]]), "a 2-4-3 network")


@check("5.5", "forward is right on non-square networks of depth 1, 2 and 3 (shape (n, K), rows sum to 1)")
def forward_depths(ctx: Ctx) -> None:
    for depth in (1, 2, 3):
        sizes = _non_square_sizes(ctx.rng, depth)
        n = int(ctx.rng.integers(3, 9))
        params, X = _net(ctx.rng, sizes, n)
        _check_forward(ctx, params, X, f"a non-square network of depth {depth}")


@check("5.5", "forward is right on a square network, an integer X and a single example, and changes no argument")
def forward_square(ctx: Ctx) -> None:
    d = int(ctx.rng.integers(3, 6))
    params, X = _net(ctx.rng, [d, d, d, d], int(ctx.rng.integers(3, 6)))
    _check_forward(ctx, params, X, "a square network")
    params, _ = _net(ctx.rng, [3, 5, 4], 1)
    _check_forward(ctx, params, ctx.rng.integers(-3, 4, size=(4, 3)), "an integer X")
    _check_forward(ctx, params, ctx.rng.normal(size=(1, 3)), "a single example")


# ---- 5.6 loss ---------------------------------------------------------------------------

def _check_loss(ctx: Ctx, params: list[np.ndarray], X: Any, y: Any, what: str) -> None:
    outcome = ctx.require(ctx.outcome("loss", params, X, y), "loss")
    got = scalar(outcome.value, f"loss on {what}")
    _require_unchanged(ctx, outcome, (params, X, y), ("params", "X", "y"), "loss")
    want = _loss(params, X, y)
    show = reveal(ctx, f"params = {[W.tolist() for W in params]}, X = {np.asarray(X).tolist()}, y = {np.asarray(y).tolist()}: "
                       f"expected {want!r}, got {got!r}.")
    if all_close(got, want, VALUE_RTOL, LOSS_ATOL):
        return
    n, K = np.shape(X)[0], params[-1].shape[0]
    if not np.isfinite(got):
        ctx.fail(f"loss on {what} is not finite: the network gives a true class probability 0, and "
                 f"cross_entropy clips it at 1e-12 (use cross_entropy(forward(params, X), y)).{show}", "log(0)")
    if all_close(got, n * want, VALUE_RTOL, LOSS_ATOL):
        ctx.fail(f"loss on {what} is n times too large: average over the examples.{show}", "sum instead of mean")
    if all_close(got, want / K, VALUE_RTOL, LOSS_ATOL):
        ctx.fail(f"loss on {what} is K times too small: it averages -onehot * log(P) over all n*K entries; the "
                 f"loss is the mean over the n examples of -log P[i, y[i]].{show}", "mean over all entries")
    ctx.fail(f"loss on {what} is not cross_entropy(forward(params, X), y).{show}")


def _labels(rng: np.random.Generator, n: int, K: int) -> np.ndarray:
    return rng.integers(0, K, size=n)


@check("5.6", "loss of a 2-4-3 network on 2 labelled examples", public=True)
def loss_public(ctx: Ctx) -> None:
    params = [np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0], [2.0, 1.0]]),
              np.array([[1.0, 0.0, -1.0, 0.5], [-0.5, 1.0, 0.0, 1.0], [0.0, -1.0, 1.0, 0.0]])]
    _check_loss(ctx, params, np.array([[1.0, 0.5], [-1.0, 2.0]]), np.array([2, 1]), "a 2-4-3 network")


@check("5.6", "loss is the mean cross-entropy on networks of depth 1 to 3, for label arrays and lists")
def loss_depths(ctx: Ctx) -> None:
    for depth in (1, 2, 3):
        sizes = _non_square_sizes(ctx.rng, depth)
        n = int(ctx.rng.integers(3, 9))
        params, X = _net(ctx.rng, sizes, n)
        y = _labels(ctx.rng, n, sizes[-1])
        _check_loss(ctx, params, X, y if depth != 2 else [int(v) for v in y], f"a network of depth {depth}")


@check("5.6", "loss stays finite (clipped at 1e-12) when the network is confidently wrong")
def loss_clipped(ctx: Ctx) -> None:
    # Weights scaled by 1e3 drive logits to ~1e3: some true-class probabilities underflow to 0
    # (made sure below) and count as -log(1e-12) through cross_entropy's clip.
    for _ in range(100):
        params, X = _net(ctx.rng, [3, 5, 4], 6)
        params = [W * 1e3 for W in params]
        P = _forward(params, X)
        y = np.argmin(P, axis=1)
        if np.any(P[np.arange(6), y] == 0.0):
            break
    _check_loss(ctx, params, X, y, "a confidently wrong network")


# ---- 5.7 backward -----------------------------------------------------------------------

def _gradient_net(rng: np.random.Generator, sizes: list[int], n: int):
    """A network, inputs and labels with every pre-activation at least KINK_MARGIN from 0, every
    probability above PROB_FLOOR, and in each hidden layer units both on and off."""
    for _ in range(1000):
        params, X = _net(rng, sizes, n, margin=KINK_MARGIN)
        y = _labels(rng, n, sizes[-1])
        Zs = _pre_activations(params, X)
        if _forward(params, X).min() > PROB_FLOOR and all(np.any(Z > 0) and np.any(Z < 0) for Z in Zs):
            return params, X, y
    raise AssertionError("no suitable network found")  # pragma: no cover


def _check_backward(ctx: Ctx, params: list[np.ndarray], X: Any, y: Any, what: str) -> None:
    outcome = ctx.require(ctx.outcome("backward", params, X, y), "backward")
    grads = _as_params(ctx, outcome.value, [W.shape for W in params], f"backward on {what}", names="dW")
    _require_unchanged(ctx, outcome, (params, X, y), ("params", "X", "y"), "backward")
    fd = _fd_grad(params, X, y)
    wrong = [l for l, (g, f) in enumerate(zip(grads, fd)) if not all_close(g, f, FD_RTOL, FD_ATOL)]
    if not wrong:
        return
    ctx.plot(GradientTable(f"backward against central differences on {what}", tuple(
        (f"dW_{l}", g.shape, float(np.max(np.abs(g - f)) / max(float(np.max(np.abs(g) + np.abs(f))), 1e-12)))
        for l, (g, f) in enumerate(zip(grads, fd)))))
    n = np.shape(X)[0]
    show = reveal(ctx, f"params = {[W.tolist() for W in params]}, X = {np.asarray(X).tolist()}, y = {np.asarray(y).tolist()}: "
                       f"central differences give {[_fmt(f) for f in fd]}, backward gave {[_fmt(g) for g in grads]}.")
    names = ", ".join(f"dW_{l}" for l in wrong)
    if all(all_close(g / n, f, FD_RTOL, FD_ATOL) for g, f in zip(grads, fd)):
        ctx.fail(f"backward's gradients are n = {n} times too large on {what}: the loss is a MEAN over the batch, "
                 f"so divide by the batch size (delta_L = (P - onehot(y)) / n).{show}", "not dividing by the batch size")
    if all(all_close(-g, f, FD_RTOL, FD_ATOL) for g, f in zip(grads, fd)):
        ctx.fail(f"backward's gradients have the wrong sign on {what}: delta_L = P - onehot(y), not "
                 f"onehot(y) - P.{show}", "sign error")
    if any(g.shape[0] == g.shape[1] and all_close(grads[l].T, fd[l], FD_RTOL, FD_ATOL)
           for l, g in ((l, grads[l]) for l in wrong)):
        ctx.fail(f"{names} on {what} is the TRANSPOSE of the gradient (visible on a square layer, where the "
                 f"shapes agree): dL/dW_l = delta_l.T @ A_l has one row per unit of layer l+1.{show}",
                 "transposed weight gradient")
    # A hidden unit off (pre-activation < 0) on every example passes no gradient: its row of
    # dW_l is exactly 0 in the central differences (the loss does not change at all).
    Zs = _pre_activations(params, X)
    for l in wrong:
        if l < len(params) - 1:
            dead = np.all(Zs[l] < 0, axis=0)
            if np.any(dead) and np.any(grads[l][dead] != 0):
                ctx.fail(f"dW_{l} on {what} has non-zero rows for hidden units that are off (pre-activation < 0) "
                         f"on every example: multiply the back-propagated gradient by the ReLU mask "
                         f"relu_grad(Z_l).", "missing ReLU mask")
    right = [l for l in range(len(params)) if l not in wrong]
    after = f" ({', '.join(f'dW_{l}' for l in right)} right, so look at how the gradient travels back to the " \
            f"earlier layers: delta_(l-1) = (delta_l @ W_l) * relu_grad(Z_(l-1)))" if right and min(right) > max(wrong) \
        else ""
    ctx.fail(f"{names} of backward on {what} disagree{'s' if len(wrong) == 1 else ''} with central differences "
             f"of the loss{after}.{show}")


@check("5.7", "backward matches central differences of the loss on a 3-4-2 network", public=True)
def backward_public(ctx: Ctx) -> None:
    params, X, y = _gradient_net(ctx.rng, [3, 4, 2], 5)
    _check_backward(ctx, params, X, y, "a 3-4-2 network")


@check("5.7", "backward matches central differences on non-square networks of depth 1, 2 and 3")
def backward_depths(ctx: Ctx) -> None:
    for sizes in ([int(ctx.rng.integers(4, 7)), 3],
                  [5, int(ctx.rng.integers(6, 9)), 4],
                  [4, int(ctx.rng.integers(6, 8)), 5, 3]):
        n = int(ctx.rng.integers(4, 9))
        params, X, y = _gradient_net(ctx.rng, sizes, n)
        _check_backward(ctx, params, X, y if len(sizes) != 3 else [int(v) for v in y],
                        f"a non-square network of depth {len(sizes) - 1}")


@check("5.7", "backward matches central differences on a square network (a transposed gradient shows there)")
def backward_square(ctx: Ctx) -> None:
    d = int(ctx.rng.integers(3, 6))
    params, X, y = _gradient_net(ctx.rng, [d, d, d], int(ctx.rng.integers(4, 8)))
    _check_backward(ctx, params, X, y, "a square network")


@check("5.7", "backward passes no gradient through inactive ReLUs and scales with 1/n")
def backward_mask(ctx: Ctx) -> None:
    # Unit 0 of the first hidden layer is off on every example (positive X, negative weights),
    # so the first row of dW_0 is exactly 0; a batch of one example and one of many check 1/n.
    for n in (1, int(ctx.rng.integers(6, 10))):
        for _ in range(1000):
            params, X, y = _gradient_net(ctx.rng, [4, 5, 3, 3], n)
            X = np.abs(X) + 0.1
            params[0][0] = -np.abs(params[0][0]) - 0.1
            Zs = _pre_activations(params, X)
            if _kink_free(params, X) and _forward(params, X).min() > PROB_FLOOR and np.any(Zs[0][:, 1:] > 0):
                break
        _check_backward(ctx, params, X, y, f"a network with a unit that is off for every example ({n} example"
                                           f"{'s' if n > 1 else ''})")


# ---- 5.8 train --------------------------------------------------------------------------

# train builds on init_params, backward and loss: a failure there shows in train's checks too.
DEPENDS = " (train relies on your init_params, backward and loss: make their checks pass first)"


def _twin_init(ctx: Ctx, sizes: list[int], seed: int, global_seed: int | None = None) -> list[np.ndarray]:
    """The student's own initial parameters: init_params with a generator seeded like train's."""
    outcome = ctx.require(ctx.outcome("init_params", list(sizes), np.random.default_rng(seed),
                                      global_seed=global_seed), "init_params")
    return _as_params(ctx, outcome.value, _shapes(sizes), "init_params (which train starts from)")


def _train(ctx: Ctx, X: np.ndarray, y: Any, sizes: list[int], seed: int, *, lr: float, epochs: int,
           batch_size: int, what: str, global_seed: int | None = None,
           check_last: bool = True) -> tuple[list[np.ndarray], np.ndarray]:
    """Run the student's train; check the result's form and that losses[-1] is the whole set's loss."""
    outcome = ctx.require(ctx.outcome("train", X, y, list(sizes), lr=lr, epochs=epochs, batch_size=batch_size,
                                      rng=np.random.default_rng(seed), global_seed=global_seed), "train")
    _require_unchanged(ctx, outcome, (X, y, list(sizes)), ("X", "y", "layer_sizes"), "train")
    value = outcome.value
    if not isinstance(value, tuple) or len(value) != 2:
        ctx.fail(f"train should return a tuple (params, losses); it returned {describe(value)}.")
    params = _as_params(ctx, value[0], _shapes(sizes), f"the params returned by train ({what})")
    losses = float_array(value[1], None, f"the losses returned by train ({what})", allow_list=True)
    if losses.shape != (epochs,):
        ctx.fail(f"train's losses should hold one loss per epoch, {epochs} here; it returned "
                 f"{describe(value[1])} ({what}).", "wrong shape")
    full = _loss(params, X, y)
    if check_last and not all_close(losses[-1], full, TRAIN_LOSS_RTOL, LOSS_ATOL):
        ctx.fail(f"losses[-1] is not the loss of the returned params on the whole training set ({what}): record "
                 f"loss(params, X, y) on all of X after each epoch's updates (not a batch's loss, not before the "
                 f"updates){DEPENDS}.", "losses not on the whole set")
    return params, losses


def _replay_matches(student: list[np.ndarray], start: list[np.ndarray], want: list[np.ndarray]) -> bool:
    """The student's params equal the replay's, compared on the total update from start (see TRAIN_STEP_RTOL)."""
    got = np.concatenate([W.ravel() for W in student])
    x0 = np.concatenate([W.ravel() for W in start])
    exp = np.concatenate([W.ravel() for W in want])
    return bool(np.linalg.norm(got - exp) <= TRAIN_STEP_RTOL * np.linalg.norm(exp - x0) + 1e-12)


def _blobs(rng: np.random.Generator, n: int, spread: float = 0.5):
    """Three Gaussian blobs around points 120 degrees apart at radius 3, plus a constant feature 1
    (the network has no biases)."""
    y = np.arange(n) % 3
    rng.shuffle(y)
    angles = 2 * np.pi * y / 3 + rng.uniform(0, 2 * np.pi)
    X = np.stack([3 * np.cos(angles), 3 * np.sin(angles), np.ones(n)], axis=1)
    X[:, :2] += rng.normal(scale=spread, size=(n, 2))
    return X, y


def _kink_free_seed(ctx: Ctx, sizes: list[int], X: np.ndarray, y: np.ndarray, lr: float, steps: int):
    """A seed whose initial params (the student's init_params) keep every pre-activation of a
    full-batch gradient-descent replay of ``steps`` steps away from the kink and every probability
    above the clip (where finite differences would see the clip that backward ignores); returns
    (seed, replay [W_0, ..., W_steps])."""
    for _ in range(20):
        seed = ctx.seed()
        params = _twin_init(ctx, sizes, seed)
        replay = [params]
        for _ in range(steps):
            replay.append(_step(replay[-1], X, y, lr))
        if all(_kink_free(p, X) and _forward(p, X).min() > PROB_FLOOR for p in replay):
            return seed, replay
    ctx.fail("this check needs starting weights from init_params that keep every pre-activation away from 0 and "
             "every probability above 1e-12 on its inputs, and init_params gave none in 20 tries: check the scale "
             "of its weights (task 5.4).")


@check("5.8", "train with batch_size = n takes one plain gradient step per epoch from init_params", public=True)
def train_public(ctx: Ctx) -> None:
    sizes, n, lr = [3, 4, 3], 6, 0.5
    X, y = _blobs(ctx.rng, n)
    seed, replay = _kink_free_seed(ctx, sizes, X, y, lr, 1)
    try:
        _train_public_steps(ctx, X, y, sizes, seed, replay, lr, n)
    except CheckFailed:
        # Feedback figure: the student's training loss over 8 full-batch epochs beside 8 plain
        # gradient steps replayed from the same initial params (central-difference gradients).
        epochs = 8
        seed8, replay8 = _kink_free_seed(ctx, sizes, X, y, lr, epochs)
        outcome = ctx.outcome("train", X, y, list(sizes), lr=lr, epochs=epochs, batch_size=n,
                              rng=np.random.default_rng(seed8))
        if outcome.error is None and isinstance(outcome.value, tuple) and len(outcome.value) == 2:
            attach_curve(ctx, "training loss, full-batch epochs on the public data", "loss on all of X",
                         outcome.value[1], [_loss(P, X, y) for P in replay8[1:]])
        raise


def _train_public_steps(ctx: Ctx, X, y, sizes, seed, replay, lr, n) -> None:
    params, losses = _train(ctx, X, y, sizes, seed, lr=lr, epochs=1, batch_size=n, what="one full-batch epoch")
    if not _replay_matches(params, replay[0], replay[1]):
        if _replay_matches(params, replay[0], [2 * W0 - W1 for W0, W1 in zip(*replay)]):
            ctx.fail("after one full-batch epoch train moved UP the gradient: the step is W_l - lr * dW_l.", "sign error")
        ctx.fail(f"after one epoch with batch_size = n, train's params are not init_params(layer_sizes, rng) minus "
                 f"lr times the gradient of the loss on all of X (one plain step; the order of the examples does "
                 f"not matter for a full batch){DEPENDS}.{reveal(ctx, f'X = {X.tolist()}, y = {y.tolist()}, lr = {lr}.')}")


@check("5.8", "train records the whole training set's loss after each epoch (3 full-batch epochs)")
def train_losses(ctx: Ctx) -> None:
    sizes = [3, int(ctx.rng.integers(3, 6)), 3]
    n, lr, epochs = int(ctx.rng.integers(6, 10)), 0.3, 3
    X, y = _blobs(ctx.rng, n, spread=1.0)
    seed, replay = _kink_free_seed(ctx, sizes, X, y, lr, epochs)
    params, losses = _train(ctx, X, y, sizes, seed, lr=lr, epochs=epochs, batch_size=n, what="3 full-batch epochs",
                            check_last=False)
    want = np.array([_loss(p, X, y) for p in replay])
    if not _replay_matches(params, replay[0], replay[-1]):
        for k in range(1, epochs):
            if _replay_matches(params, replay[0], replay[k]):
                ctx.fail(f"3 full-batch epochs should make 3 gradient steps; train's params are those after {k}.")
        ctx.fail(f"after 3 full-batch epochs train's params are not 3 plain gradient steps from init_params{DEPENDS}.")
    if all_close(losses, want[:-1], TRAIN_LOSS_RTOL, LOSS_ATOL):
        ctx.fail("losses[e] is the loss BEFORE epoch e's updates; record it after them.", "losses before the epoch")
    if not all_close(losses, want[1:], TRAIN_LOSS_RTOL, LOSS_ATOL):
        ctx.fail(f"losses[e] is not loss(params, X, y) on the whole training set after epoch e{DEPENDS}.")


@check("5.8", "train keeps the last smaller batch (n = 5, batch_size = 2: three steps per epoch)")
def train_last_batch(ctx: Ctx) -> None:
    # Every example is the same (x, y), so every batch's mean gradient is the gradient of that
    # one example whatever the order: the run is determined by the NUMBER of steps alone.
    sizes, n, batch_size, epochs, lr = [3, 4, 3], 5, 2, 2, 0.4
    x = np.append(ctx.rng.normal(size=2), 1.0)
    X = np.tile(x, (n, 1))
    y = np.full(n, int(ctx.rng.integers(0, 3)))
    seed, replay = _kink_free_seed(ctx, sizes, X[:1], y[:1], lr, 6)
    params, losses = _train(ctx, X, y, sizes, seed, lr=lr, epochs=epochs, batch_size=batch_size,
                            what="5 copies of one example")
    if _replay_matches(params, replay[0], replay[6]):
        return
    if _replay_matches(params, replay[0], replay[4]):
        ctx.fail("with n = 5 and batch_size = 2 train makes only 2 steps per epoch: the last, smaller batch (the "
                 "fifth example) must be kept, giving ceil(n / batch_size) = 3 steps.", "drops the last batch")
    for k in (2, 3, 5):
        if _replay_matches(params, replay[0], replay[k]):
            ctx.fail(f"with n = 5, batch_size = 2 and 2 epochs train makes {k} steps instead of 6 "
                     f"(ceil(n / batch_size) = 3 per epoch).")
    ctx.fail(f"on 5 copies of one example with batch_size = 2, every batch's gradient is that example's; train's "
             "params are not 6 such steps from init_params (mean the gradient over each batch, keep the last, "
             f"smaller batch){DEPENDS}.")


@check("5.8", "train draws a fresh order of the examples every epoch")
def train_reshuffles(ctx: Ctx) -> None:
    # Softmax regression (no hidden layer: no kink anywhere) on 3 examples, batch_size = 1: the
    # order of each epoch is read off the losses by replaying all 6 orders. A correct train
    # repeats one order through all 15 epochs with probability 6**-14 < 1e-10. The labels
    # (0, 1, 0) go to directions whose middle one is the odd class, so the data cannot be
    # separated and the gradients (and the differences between orders) stay large.
    sizes, n, epochs, lr = [2, 2], 3, 15, 1.5
    angles = np.sort(ctx.rng.uniform(0.1, 1.4, size=3)) + np.array([0.0, 0.1, 0.2])
    X = np.stack([np.cos(angles), np.sin(angles)], axis=1) * ctx.rng.uniform(0.7, 1.5, size=(3, 1))
    y = np.array([0, 1, 0])
    order = ctx.rng.permutation(3)
    X, y = X[order], y[order]
    seed = ctx.seed()
    params, losses = _train(ctx, X, y, sizes, seed, lr=lr, epochs=epochs, batch_size=1, what="3 examples, batch_size 1")
    start = _twin_init(ctx, sizes, seed)
    hypotheses = [(start, ())]
    for e in range(epochs):
        survivors = []
        for p0, orders in hypotheses:
            after_first = {i: _step(p0, X[i:i + 1], y[i:i + 1], lr) for i in range(n)}
            for perm in itertools.permutations(range(n)):
                p = after_first[perm[0]]
                for i in perm[1:]:
                    p = _step(p, X[i:i + 1], y[i:i + 1], lr)
                if all_close(_loss(p, X, y), losses[e], TRAIN_LOSS_RTOL, LOSS_ATOL):
                    survivors.append((p, orders + (perm,)))
        if not survivors:
            ctx.fail(f"train's loss after epoch {e} does not follow from one-example SGD steps (batch_size = 1) in "
                     f"any order of the examples, starting from init_params(layer_sizes, rng): each epoch must "
                     f"visit every example once, keeping each x with its own label y{DEPENDS}.")
        hypotheses = survivors[:8]
        if all(len(set(orders)) > 1 for _, orders in hypotheses):
            return
    if any(set(orders) == {tuple(range(n))} for _, orders in hypotheses):
        ctx.fail(f"train visited the examples in their stored order 0, 1, ..., n-1 in all {epochs} epochs: draw a "
                 f"fresh random order from rng (rng.permutation(n)) at the start of every epoch.", "no shuffle")
    ctx.fail(f"train visited the examples in the same order in all {epochs} epochs: draw a fresh random order "
             f"from rng at the start of every epoch (a correct implementation repeats one order through all "
             f"epochs with probability below 1e-10 here).", "reuses one permutation")


@check("5.8", "train depends only on rng (same seed same run, whatever np.random's state) and changes no argument")
def train_rng_only(ctx: Ctx) -> None:
    sizes = [3, 5, 3]
    n = int(ctx.rng.integers(10, 15))
    X, y = _blobs(ctx.rng, n)
    y = [int(v) for v in y]
    options = dict(lr=0.2, epochs=2, batch_size=4)
    seed, other = ctx.seed(), ctx.seed()
    g1, g2 = (int(v) for v in ctx.rng.choice(2**31, size=2, replace=False))
    first = _train(ctx, X, y, sizes, seed, what="a small data set", global_seed=g1, **options)

    def same(a, b) -> bool:
        return _same(a[0], b[0]) and np.array_equal(a[1], b[1])

    if not same(_train(ctx, X, y, sizes, seed, what="a small data set", global_seed=g2, **options), first):
        if same(_train(ctx, X, y, sizes, seed, what="a small data set", global_seed=g1, **options), first):
            ctx.fail("with equally seeded rng arguments train's result changes when the global state of np.random / "
                     "random changes: draw the initial weights and every epoch's order from the rng argument only.",
                     "global np.random")
        ctx.fail("two runs of train with equally seeded rng arguments differ: draw everything from the rng "
                 "argument only.", "not reproducible")
    if same(_train(ctx, X, y, sizes, other, what="a small data set", **options), first):
        ctx.fail("rng arguments with different seeds gave the same training run: draw from the given rng.", "ignores rng")


@check("5.8", "train reaches at least 90% training accuracy on three well-separated blobs")
def train_learns(ctx: Ctx) -> None:
    # Blobs 5.2 apart with standard deviation 0.5 are separable by a wide margin; with 3-16-3,
    # lr = 0.1, 25 epochs of batch 10 the reference reaches 100% on every seed we tried and
    # 90% is a wide margin. Accuracy is computed by the check's own forward pass.
    sizes, n = [3, 16, 3], 60
    X, y = _blobs(ctx.rng, n)
    params, losses = _train(ctx, X, y, sizes, ctx.seed(), lr=0.1, epochs=25, batch_size=10, what="three blobs")
    acc = float(np.mean(np.argmax(_forward(params, X), axis=1) == y))
    if acc < 0.9:
        ctx.fail(f"after 25 epochs on three well-separated blobs train's network classifies only {acc:.0%} of the "
                 f"training set correctly (a correct train reaches 100%){DEPENDS}.")
    if not losses[-1] < losses[0]:
        ctx.fail("train's loss did not decrease from the first to the last epoch on three well-separated blobs.")


# ---- 5.9 accuracy -----------------------------------------------------------------------

def _check_accuracy(ctx: Ctx, params: list[np.ndarray], X: Any, ys: list[Any], what: str) -> None:
    """accuracy for each label vector in ``ys``; a known mistake is named only when it explains
    the results for every label vector (one fraction k/n alone can match a mistake by chance)."""
    P = _forward(params, X)
    n = P.shape[0]
    pred = np.argmax(P, axis=1)
    last = P.shape[1] - 1 - np.argmax(P[:, ::-1], axis=1)
    got, want = [], []
    for y in ys:
        outcome = ctx.require(ctx.outcome("accuracy", params, X, y), "accuracy")
        got.append(scalar(outcome.value, f"accuracy on {what}"))
        _require_unchanged(ctx, outcome, (params, X, y), ("params", "X", "y"), "accuracy")
        labels = np.asarray(y)
        want.append(float(np.mean(pred == labels)))
        if not 0.0 <= got[-1] <= 1.0:
            ctx.fail(f"accuracy on {what} is {'above 1' if got[-1] > 1 else 'negative'}: it is a fraction of rows.")
    if all(abs(g - w) <= 1e-12 for g, w in zip(got, want)):
        return
    show = reveal(ctx, f"params = {[W.tolist() for W in params]}, X = {np.asarray(X).tolist()}, y = "
                       f"{np.asarray(ys[0]).tolist()}: expected {want[0]!r}, got {got[0]!r}.")
    mistakes = (
        (lambda y: np.mean(pred[:, None] == y[None, :]), "broadcasting (n,) against (n, 1)",
         "compares an (n, 1) column of predictions with the (n,) labels, which broadcasts to an n x n table; "
         "compare two (n,) arrays (np.argmax(P, axis=1) == y)"),
        (lambda y: np.mean(P[np.arange(n), y] == P.max(axis=1)), "ties counted as right",
         "counts a row as right when the true class only TIES for the largest probability; the prediction is "
         "the FIRST maximum (np.argmax)"),
        (lambda y: np.mean(last == y), "ties go to the last maximum",
         "breaks ties in favour of the LAST maximum; the prediction is the first one, as np.argmax gives"),
    )
    for rule, mistake, text in mistakes:
        if all(abs(g - float(rule(np.asarray(y)))) <= 1e-12 for g, y in zip(got, ys)):
            ctx.fail(f"accuracy on {what} {text}.{show}", mistake)
    ctx.fail(f"accuracy on {what} is not the fraction of rows whose most probable class is y[i].{show}")


def _labels_half_right(rng: np.random.Generator, params: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """Labels equal to the prediction on about half of the rows and wrong on the others."""
    pred = np.argmax(_forward(params, X), axis=1)
    K = params[-1].shape[0]
    wrong = (pred + rng.integers(1, K, size=len(pred))) % K
    return np.where(rng.random(len(pred)) < 0.5, pred, wrong)


def _clear_net(rng: np.random.Generator, sizes: list[int], n: int):
    """A network whose top two logits differ by more than 1e-6 on every example (no near-ties)."""
    for _ in range(1000):
        params, X = _net(rng, sizes, n)
        A = np.asarray(X, dtype=np.float64)
        for W in params[:-1]:
            A = _relu(A @ W.T)
        top = np.sort(A @ params[-1].T, axis=1)
        if np.all(top[:, -1] - top[:, -2] > 1e-6):
            return params, X
    raise AssertionError("no tie-free network found")  # pragma: no cover


@check("5.9", "accuracy of a 2-4-3 network on 4 labelled examples", public=True)
def accuracy_public(ctx: Ctx) -> None:
    params = [np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0], [2.0, 1.0]]),
              np.array([[1.0, 0.0, -1.0, 0.5], [-0.5, 1.0, 0.0, 1.0], [0.0, -1.0, 1.0, 0.0]])]
    X = np.array([[1.0, 0.5], [-1.0, 2.0], [2.0, -1.0], [0.0, 1.0]])
    _check_accuracy(ctx, params, X, [np.array([0, 1, 0, 2]), np.array([1, 1, 2, 2])], "a 2-4-3 network")


@check("5.9", "accuracy is the fraction of correct rows for networks of depth 1 to 3 and label lists")
def accuracy_random(ctx: Ctx) -> None:
    for depth in (1, 2, 3):
        sizes = [int(v) for v in ctx.rng.integers(2, 7, size=depth + 1)]
        sizes[-1] = max(sizes[-1], 3)
        n = int(ctx.rng.integers(5, 12))
        params, X = _clear_net(ctx.rng, sizes, n)
        ys = [_labels_half_right(ctx.rng, params, X) for _ in range(2)]
        if depth == 2:
            ys = [[int(v) for v in y] for y in ys]
        _check_accuracy(ctx, params, X, ys, f"a network of depth {depth}")


@check("5.9", "accuracy breaks ties between equally probable classes in favour of the first, as np.argmax")
def accuracy_ties(ctx: Ctx) -> None:
    # Integer weights and inputs make every logit an exact integer, whatever the order of the
    # float operations; two equal rows of W_L give two classes exactly equal probabilities.
    # Rows where the tied pair is on top get the label first or second in turn; the others a
    # random label.
    K, d, h, n = 4, 3, 5, 10
    for _ in range(1000):
        W0 = ctx.rng.integers(-2, 3, size=(h, d)).astype(np.float64)
        W1 = ctx.rng.integers(-2, 3, size=(K, h)).astype(np.float64)
        first, second = (int(v) for v in np.sort(ctx.rng.choice(K, size=2, replace=False)))
        W1[second] = W1[first]
        X = ctx.rng.integers(-3, 4, size=(n, d)).astype(np.float64)
        P = _forward([W0, W1], X)
        top = (P[:, first] == P.max(axis=1)) & (P[:, first] == P[:, second])
        if top.sum() >= n // 2 and np.all(P[top, first] > np.sort(P[top], axis=1)[:, -3]):
            break
    ys = []
    for parity in (0, 1):
        y = ctx.rng.integers(0, K, size=n)
        y[top] = np.where(np.arange(top.sum()) % 2 == parity, first, second)
        ys.append(y)
    _check_accuracy(ctx, [W0, W1], X, ys, "a network where two classes tie on many rows")
