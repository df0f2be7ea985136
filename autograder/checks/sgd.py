"""Checks of part 2 (sgd.py): mini-batches, mini-batch SGD and noisy gradient descent.

Where the contract leaves freedom (how the permutation is drawn from rng, whether sgd calls
minibatches, loops or vectorised code, drawing the noise step by step or all at once) the
checks test properties, never particular draws:

- 2.1: the batches partition range(n) with the contract's sizes; equal rng seeds give equal
  batches, a different seed different ones, the global np.random / random state changes
  nothing, and the batches are not the unshuffled consecutive blocks. Every random property
  is only asked where a correct implementation violates it with probability < 1e-12
  (computed below from n and batch_size, not guessed).
- 2.2: a Recorder around the sympy-derived per-example gradient oracle (objectives.py) sees
  every grads(theta, idx) call: exactly one per update, each epoch's idx partition range(n)
  like 2.1, a fresh order every epoch; every row of the student's own trajectory is checked
  against theta_t - lr * mean of the per-example gradients at the recorded idx.
- 2.3: the contract fixes the draw xi_t = rng.standard_normal(np.shape(x0)), once per step,
  in order, so a twin generator built from the same seed reproduces the noise and every row
  is checked by the recurrence on the student's own iterates.
"""
from __future__ import annotations

import math

import numpy as np

from .. import objectives as obj
from ..checking import Ctx, Recorder
from ..expect import describe, float_array, reveal, same_rows, step_matches
from ..registry import check

# A random property (different seeds give different orders, epochs differ, the batches are
# not the unshuffled blocks) is only asked when a correct implementation breaks it by chance
# with probability below 1e-12 for the inputs at hand.
LOG10_CHANCE_LIMIT = -12.0


def _expected_sizes(n: int, batch_size: int) -> list[int]:
    return [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])


def _log10_chance_unshuffled(n: int, batch_size: int) -> float:
    """log10 of the chance that a uniformly random order of range(n), cut into the contract's
    sizes, gives the consecutive blocks [0..b-1], [b..2b-1], ... as batches (full blocks in
    any order, the remainder block last): k! (b!)^k r! / n!."""
    k, r = divmod(n, batch_size)
    return (math.lgamma(k + 1) + k * math.lgamma(batch_size + 1) + math.lgamma(r + 1) - math.lgamma(n + 1)) / math.log(10)


def _log10_chance_same_batches(n: int, batch_size: int) -> float:
    """log10 of the chance that two independent uniformly random epochs give the same batches
    in the same order: (b!)^k r! / n!."""
    k, r = divmod(n, batch_size)
    return (k * math.lgamma(batch_size + 1) + math.lgamma(r + 1) - math.lgamma(n + 1)) / math.log(10)


def _is_unshuffled(batches: list[np.ndarray], batch_size: int) -> bool:
    """Every batch is a block of consecutive indices starting at a multiple of batch_size."""
    for b in batches:
        s = np.sort(np.asarray(b))
        if s.size == 0 or s[0] % batch_size or not np.array_equal(s, np.arange(s[0], s[0] + s.size)):
            return False
    return True


def _same_batches(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def _batch_problem(ctx: Ctx, batches: list[np.ndarray], n: int, batch_size: int, who: str, what: str) -> None:
    """Fail unless ``batches`` (1-D integer arrays) are the contract's batches of one epoch.

    who: whose batches they are ("minibatches", "sgd's mini-batches ..."), to start the messages."""
    sizes = [int(np.size(b)) for b in batches]
    want = _expected_sizes(n, batch_size)
    show = reveal(ctx, f"(n = {n}, batch_size = {batch_size}: expected sizes {want}, got {sizes}.)")
    if sizes != want:
        if any(s == 0 for s in sizes):
            ctx.fail(f"{who}: one batch is empty ({what}). When batch_size divides n there is no remainder batch; "
                     f"there are exactly ceil(n / batch_size) batches.{show}", "empty last batch")
        if n % batch_size and sizes == [batch_size] * (n // batch_size):
            ctx.fail(f"{who}: the last, smaller batch is missing ({what}). When batch_size does not divide n, the "
                     f"remaining n % batch_size indices form one more batch, which must be kept.{show}",
                     "drops the last batch")
        if sum(sizes) == n and len(sizes) == len(want):
            ctx.fail(f"{who}: the indices are spread evenly over the batches, as np.array_split does ({what}). Every "
                     f"batch must hold exactly batch_size indices except the last, which holds the remainder.{show}",
                     "unequal batch sizes")
        if sum(sizes) == n and len(sizes) == len(want) - 1 and n % batch_size:
            ctx.fail(f"{who}: the remainder is merged into another batch ({what}). The remaining n % batch_size "
                     f"indices form a separate, last batch.{show}", "last batch merged")
        ctx.fail(f"{who}: wrong number or sizes of batches ({what}). There must be ceil(n / batch_size) batches of "
                 f"batch_size indices, except the last, which holds the remainder.{show}")
    flat = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)
    if flat.size and (flat.min() < 0 or flat.max() >= n):
        ctx.fail(f"{who}: some indices lie outside 0..n-1 ({what}).")
    counts = np.bincount(flat, minlength=n)
    if np.any(counts > 1):
        ctx.fail(f"{who}: some index is used twice within one epoch ({what}). An epoch visits every example exactly "
                 f"once, so draw a permutation (sampling WITHOUT replacement), e.g. rng.permutation(n), and cut it "
                 f"into batches.", "sampling with replacement")
    if np.any(counts == 0):
        ctx.fail(f"{who}: some indices are left out ({what}); the batches of an epoch must hold every index 0..n-1.")


# ---- 2.1 minibatches --------------------------------------------------------------------

def _minibatches(ctx: Ctx, n: int, batch_size: int, seed: int, what: str,
                 global_seed: int | None = None) -> list[np.ndarray]:
    """Call the student's minibatches and require a list of 1-D integer arrays forming one epoch."""
    outcome = ctx.require(ctx.outcome("minibatches", n, batch_size, np.random.default_rng(seed),
                                      global_seed=global_seed), "minibatches")
    value = outcome.value
    if not isinstance(value, (list, tuple)):
        ctx.fail(f"minibatches should return a list of 1-D integer arrays ({what}); the code returned {describe(value)}.")
    for i, b in enumerate(value):
        if not isinstance(b, np.ndarray) or b.ndim != 1 or b.dtype.kind not in "iu":
            ctx.fail(f"every batch should be a 1-D numpy array of integer indices ({what}); batch {i} is {describe(b)}.")
    batches = list(value)
    _batch_problem(ctx, batches, n, batch_size, "minibatches", what)
    return batches


@check("2.1", "minibatches cuts range(10) into batches of 3, 3, 3, 1 and range(12) into 4, 4, 4", public=True)
def minibatches_public(ctx: Ctx) -> None:
    _minibatches(ctx, 10, 3, ctx.seed(), "n = 10, batch_size = 3")
    _minibatches(ctx, 12, 4, ctx.seed(), "n = 12, batch_size = 4")


@check("2.1", "minibatches partitions range(n) into ceil(n / batch_size) integer batches")
def minibatches_partition(ctx: Ctx) -> None:
    b = int(ctx.rng.integers(2, 8))
    cases = [
        (b * int(ctx.rng.integers(3, 9)), b, "batch_size dividing n"),
        (int(ctx.rng.integers(2, 10)), int(ctx.rng.integers(12, 20)), "batch_size larger than n"),
        (b + 3, b + 3, "batch_size equal to n"),
        (int(ctx.rng.integers(5, 13)), 1, "batch_size 1"),
        (1, int(ctx.rng.integers(1, 4)), "n = 1"),
    ]
    for n, batch_size, what in cases:
        _minibatches(ctx, n, batch_size, ctx.seed(), what)


@check("2.1", "minibatches keeps the last, smaller batch")
def minibatches_last_batch(ctx: Ctx) -> None:
    for _ in range(3):
        batch_size = int(ctx.rng.integers(3, 9))
        n = batch_size * int(ctx.rng.integers(2, 7)) + int(ctx.rng.integers(1, batch_size))
        _minibatches(ctx, n, batch_size, ctx.seed(), "batch_size not dividing n")


@check("2.1", "minibatches draws a random order from rng alone: same seed same batches, new seed new batches")
def minibatches_randomness(ctx: Ctx) -> None:
    # n >= 40 with batch_size <= 8 puts every chance event below 1e-40 (see the _log10_chance_* helpers).
    batch_size = int(ctx.rng.integers(3, 9))
    n = int(ctx.rng.integers(40, 61))
    assert max(_log10_chance_unshuffled(n, batch_size), _log10_chance_same_batches(n, batch_size)) < LOG10_CHANCE_LIMIT
    seed, other_seed = ctx.seed(), ctx.seed()
    g1, g2 = (int(v) for v in ctx.rng.choice(2**31, size=2, replace=False))
    first = _minibatches(ctx, n, batch_size, seed, "a random epoch", global_seed=g1)
    if _is_unshuffled(first, batch_size):
        ctx.fail("the batches are consecutive blocks of indices (0..b-1, b..2b-1, ...), in order or with only the "
                 "batches' order shuffled: shuffle the indices themselves (one permutation of range(n) drawn from "
                 "rng), then cut it into batches.", "no shuffle")
    again = _minibatches(ctx, n, batch_size, seed, "a random epoch", global_seed=g2)
    if not _same_batches(first, again):
        repeat = _minibatches(ctx, n, batch_size, seed, "a random epoch", global_seed=g1)
        if _same_batches(first, repeat):
            ctx.fail("with equally seeded rng arguments the batches change when the global state of np.random / "
                     "random changes: the order must be drawn from the rng argument only (rng.permutation(n), not "
                     "np.random.permutation or random.shuffle).", "global np.random")
        ctx.fail("two calls with equally seeded rng arguments gave different batches: draw the order from the rng "
                 "argument only (do not create a generator of your own).", "not reproducible")
    other = _minibatches(ctx, n, batch_size, other_seed, "a random epoch")
    if _same_batches(first, other):
        ctx.fail("rng arguments with different seeds gave the same batches: the order must be drawn from the given "
                 "rng (not from a generator with a fixed seed).", "ignores rng")


# ---- 2.2 sgd ----------------------------------------------------------------------------

def _dataset(ctx: Ctx, kind: str, n: int, dim: int) -> obj.Dataset:
    X = ctx.rng.normal(size=(n, dim))
    if kind == "least_squares":
        y = X @ ctx.rng.normal(size=dim) + 0.3 * ctx.rng.normal(size=n)
        return obj.least_squares(X, y)
    y = np.where(ctx.rng.random(n) < 0.5, -1.0, 1.0)
    return obj.logistic(X, y)


def _run_sgd(ctx: Ctx, data: obj.Dataset, theta0, *, lr: float, batch_size: int, epochs: int, seed: int,
             global_seed: int | None = None):
    grads = Recorder(data.per_example)
    outcome = ctx.outcome("sgd", grads, theta0, data.n, lr=lr, batch_size=batch_size, epochs=epochs,
                          rng=np.random.default_rng(seed), global_seed=global_seed)
    ctx.require(outcome, "sgd")
    return outcome, grads.calls


def _check_sgd(ctx: Ctx, data: obj.Dataset, theta0, *, lr: float, batch_size: int, epochs: int, seed: int,
               what: str, global_seed: int | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Run the student's sgd and verify every clause on its own rows and grads calls.

    Returns the trajectory and the idx of every grads call."""
    n = data.n
    dim = data.X.shape[1]
    per_epoch = math.ceil(n / batch_size)
    steps = epochs * per_epoch
    outcome, calls = _run_sgd(ctx, data, theta0, lr=lr, batch_size=batch_size, epochs=epochs, seed=seed,
                              global_seed=global_seed)
    traj = outcome.value
    if not isinstance(traj, np.ndarray) or traj.ndim != 2 or traj.shape[1] != dim:
        ctx.fail(f"sgd should return the trajectory as an array of shape (S+1, D), one row per iterate ({what}); "
                 f"the code returned {describe(traj)}.")
    traj = float_array(traj, None, "the trajectory of sgd")
    after = outcome.args_after[1]
    if type(after) is not type(theta0) or not np.array_equal(after, theta0):
        ctx.fail(f"sgd modified theta0 in place ({what}); start from a copy: theta = np.array(theta0, dtype=float).",
                 "modifies its input")
    start = np.asarray(theta0, dtype=np.float64)
    if same_rows(traj) and not np.array_equal(traj[0], start):
        ctx.fail("every row of the trajectory is the same: the list holds one array object updated in place "
                 "(use theta = theta - lr * g, which makes a new array, or append a copy).", "rows alias one array")
    if traj.shape[0] != steps + 1:
        show = reveal(ctx, f"(n = {n}, batch_size = {batch_size}, epochs = {epochs}: expected {steps + 1} rows, got {traj.shape[0]}.)")
        if n % batch_size and traj.shape[0] == epochs * (n // batch_size) + 1:
            ctx.fail(f"sgd makes too few updates: it drops the last, smaller batch of every epoch ({what}); keep it, "
                     f"so that each epoch has ceil(n / batch_size) updates.{show}", "drops the last batch")
        if any(np.size(c[1]) == 0 for c in calls):
            ctx.fail(f"sgd called grads with an empty batch ({what}): when batch_size divides n there is no remainder "
                     f"batch, so each epoch has exactly ceil(n / batch_size) updates.{show}", "empty last batch")
        if traj.shape[0] == epochs + 1 and steps != epochs:
            ctx.fail(f"the trajectory has one row per epoch ({what}); it must have one row per update (per mini-batch), "
                     f"S = epochs * ceil(n / batch_size) updates after theta0.{show}", "wrong shape")
        ctx.fail(f"the trajectory should have S+1 rows with S = epochs * ceil(n / batch_size) updates ({what}); "
                 f"the code returned {describe(traj)}.{show}", "wrong shape")
    if not np.array_equal(traj[0], start):
        ctx.fail(f"row 0 of the trajectory must be theta0 ({what}).")
    if len(calls) != steps:
        show = reveal(ctx, f"({len(calls)} calls for {steps} updates.)")
        if len(calls) > steps and len(calls) % steps == 0:
            ctx.fail(f"sgd calls grads {len(calls) // steps} times per update ({what}); it must call it exactly once "
                     f"per update and reuse the result.{show}", "extra grads calls")
        ctx.fail(f"sgd must call grads exactly once per update ({what}); it called it "
                 f"{'more' if len(calls) > steps else 'fewer'} times than it made updates.{show}")
    idx = []
    for t, (_, i) in enumerate(calls):
        a = np.asarray(i)
        if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
            ctx.fail(f"grads(theta, idx) must receive idx as a 1-D array of integer indices ({what}); call {t} "
                     f"passed {describe(i)}.")
        idx.append(a.astype(np.int64))
    epochs_idx = [idx[e * per_epoch:(e + 1) * per_epoch] for e in range(epochs)]
    for e, batches in enumerate(epochs_idx):
        _batch_problem(ctx, batches, n, batch_size, "sgd's mini-batches (the idx of its grads calls)",
                       f"epoch {e}, {what}")
    if epochs > 1 and _log10_chance_same_batches(n, batch_size) < LOG10_CHANCE_LIMIT:
        for e in range(1, epochs):
            if _same_batches(epochs_idx[e], epochs_idx[0]):
                ctx.fail(f"epoch {e} visits the examples in exactly the same batches and order as epoch 0 ({what}): "
                         f"each epoch must draw fresh mini-batches from rng (a correct implementation repeats an "
                         f"order with probability below 1e-12 here).", "reuses one permutation")
    if _log10_chance_unshuffled(n, batch_size) < LOG10_CHANCE_LIMIT:
        for e, batches in enumerate(epochs_idx):
            if _is_unshuffled(batches, batch_size):
                ctx.fail(f"the batches of epoch {e} are consecutive blocks of indices ({what}): the examples must be "
                         f"visited in a random order drawn from rng.", "no shuffle")
    # step_matches (the contract's comparison on the update itself, 1e-7 of the step) absorbs any
    # order of summation of the batch mean: its rounding is a few ulps of the per-example
    # gradients, far below 1e-7 of a batch mean that the random data keep away from 0.
    for t in range(steps):
        theta_t = traj[t]
        g = data.per_example(theta_t, idx[t])
        expected = theta_t - lr * g.mean(axis=0)
        if step_matches(theta_t, traj[t + 1], expected):
            continue
        if len(idx[t]) > 1 and step_matches(theta_t, traj[t + 1], theta_t - lr * g.sum(axis=0)):
            ctx.fail(f"row {t + 1} steps with the SUM of the batch's per-example gradients ({what}); SGD uses their "
                     f"mean, so that the step size does not grow with the batch size.", "sums instead of averaging")
        if step_matches(theta_t, traj[t + 1], theta_t + lr * g.mean(axis=0)):
            ctx.fail(f"row {t + 1} moves UP the gradient ({what}): the update is theta - lr * mean gradient.", "sign error")
        if not np.array_equal(np.asarray(calls[t][0], dtype=np.float64), theta_t):
            ctx.fail(f"grads call {t} was not made at row {t} of the trajectory ({what}): each update evaluates the "
                     f"per-example gradients at the current theta.")
        ctx.fail(f"row {t + 1} does not follow theta_(t+1) = theta_t - lr * mean of grads(theta_t, idx_t), with idx_t "
                 f"the indices of the grads call of that step ({what}).")
    return traj, idx


@check("2.2", "sgd on 6 least-squares points, batch_size 4, 2 epochs: 4 averaged steps, last smaller batch kept",
       public=True)
def sgd_public(ctx: Ctx) -> None:
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0], [2.0, 0.5], [-1.0, 1.0]])
    y = np.array([1.0, -1.0, 0.5, 2.0, 1.0, 0.0])
    _check_sgd(ctx, obj.least_squares(X, y), np.array([0.5, -0.5]), lr=0.1, batch_size=4, epochs=2,
               seed=ctx.seed(), what="6 points, batch_size = 4, 2 epochs")


@check("2.2", "sgd steps with the MEAN of the batch's per-example gradients")
def sgd_recurrence(ctx: Ctx) -> None:
    # Batches of 3..7 examples: a summed step would be 3..7 times the averaged one.
    batch_size = int(ctx.rng.integers(3, 8))
    n = batch_size * int(ctx.rng.integers(4, 7)) + int(ctx.rng.integers(1, batch_size))
    data = _dataset(ctx, "least_squares", n, 3)
    _check_sgd(ctx, data, ctx.rng.normal(size=3), lr=float(ctx.rng.uniform(0.02, 0.08)), batch_size=batch_size,
               epochs=2, seed=ctx.seed(), what="a least-squares problem")


@check("2.2", "sgd visits every example once per epoch, in fresh random mini-batches every epoch")
def sgd_epochs(ctx: Ctx) -> None:
    # n >= 26 and batch_size <= 6: two correct epochs coincide with probability < 1e-20.
    batch_size = int(ctx.rng.integers(3, 7))
    n = int(ctx.rng.integers(26, 40))
    data = _dataset(ctx, "logistic", n, 4)
    _check_sgd(ctx, data, ctx.rng.normal(size=4), lr=float(ctx.rng.uniform(0.1, 0.5)), batch_size=batch_size,
               epochs=3, seed=ctx.seed(), what="a logistic-regression problem over 3 epochs")


@check("2.2", "sgd takes its randomness only from rng: same seed same run, new seed new batches")
def sgd_rng_only(ctx: Ctx) -> None:
    batch_size = int(ctx.rng.integers(3, 6))
    n = int(ctx.rng.integers(30, 40))
    data = _dataset(ctx, "least_squares", n, 2)
    theta0 = ctx.rng.normal(size=2)
    options = dict(lr=0.05, batch_size=batch_size, epochs=2)
    seed, other_seed = ctx.seed(), ctx.seed()
    g1, g2 = (int(v) for v in ctx.rng.choice(2**31, size=2, replace=False))
    traj, idx = _check_sgd(ctx, data, theta0, seed=seed, what="a least-squares problem", global_seed=g1, **options)

    def rerun(s: int, g: int | None):
        outcome, calls = _run_sgd(ctx, data, theta0, seed=s, global_seed=g, **options)
        return outcome.value, [np.asarray(c[1]) for c in calls]

    def same(a, b) -> bool:
        return isinstance(a[0], np.ndarray) and a[0].shape == b[0].shape and np.array_equal(a[0], b[0]) \
            and _same_batches(a[1], b[1])

    if not same(rerun(seed, g2), (traj, idx)):
        if same(rerun(seed, g1), (traj, idx)):
            ctx.fail("with equally seeded rng arguments sgd's batches change when the global state of np.random / "
                     "random changes: draw every epoch's order from the rng argument only.", "global np.random")
        ctx.fail("two runs with equally seeded rng arguments differ: draw the batches from the rng argument only "
                 "(do not create a generator of your own).", "not reproducible")
    _, other_idx = rerun(other_seed, None)
    if _same_batches(other_idx, idx):
        ctx.fail("rng arguments with different seeds gave the same batches: the order must be drawn from the given "
                 "rng.", "ignores rng")


@check("2.2", "sgd handles batch_size dividing n or >= n (full-batch GD) and an integer list theta0 (float64 rows, "
              "epochs = 0 included), and leaves theta0 unchanged")
def sgd_inputs(ctx: Ctx) -> None:
    # n a multiple of batch_size here: no remainder batch, and no empty one either.
    batch_size = int(ctx.rng.integers(3, 6))
    data = _dataset(ctx, "least_squares", batch_size * 5, 3)
    _check_sgd(ctx, data, ctx.rng.normal(size=3), lr=0.05, batch_size=batch_size, epochs=2, seed=ctx.seed(),
               what="a float theta0")
    theta0 = [int(v) for v in ctx.rng.integers(-3, 4, size=3)]
    _check_sgd(ctx, _dataset(ctx, "least_squares", batch_size * 5 + 2, 3), theta0, lr=0.05, batch_size=batch_size,
               epochs=2, seed=ctx.seed(), what="an integer list theta0")
    # batch_size >= n: one batch of all n examples per epoch, so every step is a full-batch GD step.
    logistic = _dataset(ctx, "logistic", 9, 2)
    _check_sgd(ctx, logistic, ctx.rng.normal(size=2), lr=0.5, batch_size=int(ctx.rng.integers(9, 15)), epochs=4,
               seed=ctx.seed(), what="batch_size >= n")
    # epochs = 0: no update promotes the rows to float, so [theta0] is float64 only if theta0 was converted.
    _check_sgd(ctx, data, [int(v) for v in ctx.rng.integers(-3, 4, size=3)], lr=0.05, batch_size=batch_size, epochs=0,
               seed=ctx.seed(), what="an integer list theta0 with epochs = 0")


# ---- 2.3 noisy_gd -----------------------------------------------------------------------

def _follows(traj: np.ndarray, rule) -> bool:
    """Every row follows the previous one by rule(t, x_t) (the step comparison of the contract)."""
    return all(step_matches(traj[t], traj[t + 1], rule(t, traj[t])) for t in range(len(traj) - 1))


def _noises(seed: int, shape: tuple, count: int) -> list:
    twin = np.random.default_rng(seed)
    return [twin.standard_normal(shape) for _ in range(count)]


def _check_noisy(ctx: Ctx, objective: obj.Objective, x0, *, lr: float, sigma: float, num_steps: int, seed: int,
                 what: str, global_seed: int | None = None) -> np.ndarray:
    """Run the student's noisy_gd and verify it row by row with the twin generator's noise."""
    outcome = ctx.require(ctx.outcome("noisy_gd", objective.grad, x0, lr=lr, sigma=sigma, num_steps=num_steps,
                                      rng=np.random.default_rng(seed), global_seed=global_seed), "noisy_gd")
    shape = np.shape(x0)
    traj = outcome.value
    if not isinstance(traj, np.ndarray) or traj.ndim != len(shape) + 1 or traj.shape[1:] != shape:
        want = "(T+1,)" if not shape else f"(T+1, {shape[0]})"
        ctx.fail(f"noisy_gd should return the trajectory as an array of shape {want} for {what}; the code returned "
                 f"{describe(traj)}.", "wrong shape")
    traj = float_array(traj, None, "the trajectory of noisy_gd")
    after = outcome.args_after[1]
    if type(after) is not type(x0) or not np.array_equal(after, x0):
        ctx.fail(f"noisy_gd modified x0 in place ({what}); start from a copy: x = np.array(x0, dtype=float).",
                 "modifies its input")
    start = np.asarray(x0, dtype=np.float64)
    if same_rows(traj) and not np.array_equal(traj[0], start):
        ctx.fail("every row of the trajectory is the same: the list holds one array object updated in place "
                 "(use x = x - lr * (...), which makes a new array, or append a copy).", "rows alias one array")
    if traj.shape[0] != num_steps + 1:
        ctx.fail(f"num_steps updates give num_steps + 1 rows, x0 first ({what}); the code returned {describe(traj)}."
                 + reveal(ctx, f"Expected shape {(num_steps + 1,) + shape}."), "wrong shape")
    if not np.array_equal(traj[0], start):
        ctx.fail(f"row 0 of the trajectory must be x0 ({what}).")
    xi = _noises(seed, shape, num_steps)
    grad = objective.grad

    def rule(t, x):
        return x - lr * (np.asarray(grad(x)) + sigma * xi[t])

    # The rounding of x - lr*df - lr*sigma*xi against x - lr*(df + sigma*xi) is a few ulps of
    # |lr*df| + |lr*sigma*xi|; it exceeds 1e-7 of the update only if df and sigma*xi cancel to
    # 1e-9 in every coordinate at once, which random noise does with probability ~1e-9 per step.
    for t in range(num_steps):
        x_t = traj[t]
        expected = rule(t, x_t)
        if step_matches(x_t, traj[t + 1], expected):
            continue
        if sigma > 0:
            if _follows(traj, lambda s, x: x - lr * np.asarray(grad(x)) - sigma * xi[s]):
                ctx.fail(f"noisy_gd adds sigma * xi_t to the iterate instead of to the gradient ({what}): the update "
                         f"is x - lr * (df(x) + sigma * xi_t), so the noise is scaled by lr too.", "noise not scaled by lr")
            if _follows(traj, lambda s, x: x - lr * np.asarray(grad(x))):
                ctx.fail(f"noisy_gd adds no noise ({what}): with sigma > 0 each step adds lr * sigma * xi_t.",
                         "ignores sigma")
            if num_steps > 1 and _follows(traj, lambda s, x: rule(0, x)):
                ctx.fail(f"noisy_gd reuses the same noise xi at every step ({what}): draw a new "
                         f"xi_t = rng.standard_normal(np.shape(x0)) at each step.", "same noise every step")
            if shape and num_steps > 1:
                scalars = _noises(seed, (), num_steps)
                if _follows(traj, lambda s, x: x - lr * (np.asarray(grad(x)) + sigma * scalars[s])):
                    ctx.fail(f"noisy_gd adds the same random number to every coordinate ({what}): xi_t has the shape "
                             f"of x0, xi_t = rng.standard_normal(np.shape(x0)).", "one noise for all coordinates")
        if step_matches(x_t, traj[t + 1], x_t + lr * (np.asarray(grad(x_t)) + sigma * xi[t])):
            ctx.fail(f"row {t + 1} moves UP the gradient ({what}): the update is x - lr * (df(x) + sigma * xi_t).",
                     "sign error")
        ctx.fail(f"row {t + 1} does not follow x_(t+1) = x_t - lr * (df(x_t) + sigma * xi_t) from row {t}, with xi_t "
                 f"the t-th draw rng.standard_normal(np.shape(x0)) of the given rng ({what})."
                 + reveal(ctx, f"Expected {np.asarray(expected).tolist()}, got {np.asarray(traj[t + 1]).tolist()}."))
    return traj


@check("2.3", "noisy_gd with sigma = 0 is plain GD on x**2 from x0 = 1 (x_t = 0.8**t for lr = 0.1)", public=True)
def noisy_public_plain(ctx: Ctx) -> None:
    traj = _check_noisy(ctx, obj.scaled_square(1.0), 1.0, lr=0.1, sigma=0.0, num_steps=5, seed=ctx.seed(),
                        what="f(x) = x**2, x0 = 1, lr = 0.1, sigma = 0, num_steps = 5")
    if not np.allclose(traj, 0.8 ** np.arange(6), rtol=1e-12, atol=0):
        ctx.fail("with sigma = 0 on x**2 from 1 and lr = 0.1 the iterates are 0.8**t.")


@check("2.3", "noisy_gd on the 2-D bowl adds lr * sigma * xi_t, xi_t = rng.standard_normal(2) drawn each step",
       public=True)
def noisy_public_noise(ctx: Ctx) -> None:
    _check_noisy(ctx, obj.bowl(2), np.array([1.0, -1.0]), lr=0.1, sigma=0.5, num_steps=4, seed=ctx.seed(),
                 what="the bowl x**2 + y**2, x0 = (1, -1), lr = 0.1, sigma = 0.5, num_steps = 4")


@check("2.3", "noisy_gd with sigma = 0 follows plain GD in 1-D and 2-D")
def noisy_plain(ctx: Ctx) -> None:
    _check_noisy(ctx, obj.rosenbrock(), ctx.rng.uniform(-1.5, 1.5, size=2), lr=1e-3, sigma=0.0,
                 num_steps=int(ctx.rng.integers(15, 30)), seed=ctx.seed(), what="Rosenbrock with sigma = 0")
    _check_noisy(ctx, obj.double_well(), float(ctx.rng.uniform(-2, 2)), lr=0.01, sigma=0.0,
                 num_steps=int(ctx.rng.integers(10, 20)), seed=ctx.seed(), what="the double well with sigma = 0")


@check("2.3", "noisy_gd draws one standard normal of x0's shape per step, in order, and scales it by lr * sigma")
def noisy_recurrence(ctx: Ctx) -> None:
    _check_noisy(ctx, obj.double_well(), float(ctx.rng.uniform(-2, 2)), lr=0.01, sigma=float(ctx.rng.uniform(0.5, 2)),
                 num_steps=int(ctx.rng.integers(10, 20)), seed=ctx.seed(), what="the double well, a scalar x0")
    _check_noisy(ctx, obj.rosenbrock(), ctx.rng.uniform(-1.5, 1.5, size=2), lr=1e-3,
                 sigma=float(ctx.rng.uniform(0.5, 3)), num_steps=int(ctx.rng.integers(15, 30)), seed=ctx.seed(),
                 what="Rosenbrock, x0 of shape (2,)")
    _check_noisy(ctx, obj.bowl(4), ctx.rng.normal(size=4), lr=0.1, sigma=float(ctx.rng.uniform(0.1, 1)),
                 num_steps=int(ctx.rng.integers(8, 15)), seed=ctx.seed(), what="a 4-D bowl")


@check("2.3", "noisy_gd takes its noise only from rng, and for an integer x0 (num_steps = 0 included) returns float64 "
              "rows and leaves x0 unchanged")
def noisy_rng_only(ctx: Ctx) -> None:
    bowl = obj.bowl(3)
    x0 = [int(v) for v in ctx.rng.integers(-3, 4, size=3)]
    options = dict(lr=0.1, sigma=float(ctx.rng.uniform(0.2, 1)), num_steps=8)
    seed = ctx.seed()
    g1, g2 = (int(v) for v in ctx.rng.choice(2**31, size=2, replace=False))

    def run(g: int | None):
        return ctx.outcome("noisy_gd", bowl.grad, x0, rng=np.random.default_rng(seed), global_seed=g, **options).value

    first, second = run(g1), run(g2)
    if isinstance(first, np.ndarray) and isinstance(second, np.ndarray) and first.shape == second.shape \
            and not np.array_equal(first, second):
        ctx.fail("with equally seeded rng arguments the trajectory changes when the global state of np.random / "
                 "random changes: draw the noise from the rng argument only (rng.standard_normal, not "
                 "np.random.randn).", "global np.random")
    _check_noisy(ctx, bowl, x0, seed=seed, what="an integer list x0", global_seed=g1, **options)
    _check_noisy(ctx, obj.scaled_square(1.5), int(ctx.rng.integers(1, 4)), seed=ctx.seed(),
                 what="an integer scalar x0", **options)
    # num_steps = 0: no update promotes the rows to float, so [x0] is float64 only if x0 was converted.
    _check_noisy(ctx, bowl, [int(v) for v in ctx.rng.integers(-3, 4, size=3)], seed=ctx.seed(),
                 what="an integer list x0 with num_steps = 0", **dict(options, num_steps=0))


@check("2.3", "noisy_gd escapes the saddle of x**2 - y**2 where plain GD (sigma = 0) never moves")
def noisy_saddle(ctx: Ctx) -> None:
    saddle = obj.saddle()
    origin = np.zeros(2)
    lr, steps = 0.1, 60
    traj = _check_noisy(ctx, saddle, origin, lr=lr, sigma=0.0, num_steps=steps, seed=ctx.seed(),
                        what="the saddle point with sigma = 0")
    if np.any(traj != 0):
        ctx.fail("with sigma = 0 noisy_gd is plain GD, which never leaves the saddle point (the gradient is 0 there).")
    # The contract fixes the noise, so the check knows where a correct run ends: y grows by a
    # factor 1 + 2*lr = 1.2 per step, and the seed is chosen so that the exact recurrence ends
    # with |y| > 1 (nearly every seed does: |y_60| has a spread of ~ 0.05 * 1.2**59 ~ 2e3).
    sigma = float(ctx.rng.uniform(0.5, 1.0))
    while True:
        seed = ctx.seed()
        x = origin
        for xi in _noises(seed, (2,), steps):
            x = x - lr * (saddle.grad(x) + sigma * xi)
        if abs(x[1]) > 1:
            break
    traj = _check_noisy(ctx, saddle, origin, lr=lr, sigma=sigma, num_steps=steps, seed=seed,
                        what="the saddle point with sigma > 0")
    if not (abs(traj[-1][1]) > 1 and saddle.f(traj[-1]) < saddle.f(origin)):
        ctx.fail("noisy_gd should leave the saddle point along y, where f = x**2 - y**2 decreases.")
