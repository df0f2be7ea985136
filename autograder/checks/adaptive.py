"""Checks of part 4 (adaptive.py): AdaGrad-Norm, AdaGrad, RMSprop, Adam and the minimize loop.

- 4.1 is verified row by row on the student's OWN iterates: the running total
  eps + sum_j ||g_j||**2 is rebuilt from sympy gradients (objectives.py) at those iterates, so a
  correct implementation passes whatever order of float operations it uses.
- 4.2-4.4: single updates from states the check builds itself (``wire.State``: the student's
  own NamedTuple class is used on its side), compared with ``step_matches`` on the update itself
  and with tight tolerances on the new state's fields; inits are checked field by field.
  Inputs are chosen so that every clause shows: tiny gradients or a large eps for eps placement,
  states with step = 5 for the bias correction, calls without hyper-parameters for the defaults.
- 4.5 runs the student's ``minimize`` with the check's OWN init/update callbacks (a plain-GD
  step whose state is a token naming the call that made it), which record how they are called.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import objectives as obj
from ..checking import CheckFailed, Ctx
from ..expect import describe, float_array, reveal, same_rows, step_matches
from ..registry import check
from ._pictures import attach_path, expected_path
from ..wire import State

F64 = np.float64

# New state fields are a couple of multiply-adds of the old field and the gradient: a correct
# implementation, in any order (torch's lerp/addcmul included), is within a few ulps (~1e-16)
# of the sizes of the terms involved. 1e-12 of those sizes leaves room for any reordering, while
# a wrong decay, a missing (1 - beta) or an un-accumulated field is off by a percent or more.
FIELD_RTOL = 1e-12


def _f64(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=F64)


def _float_value(value: Any, shape: tuple[int, ...], what: str) -> Any:
    """A float64 result of ``shape``: for shape () a Python float, np.float64 or 0-d float64 array."""
    if shape == ():
        if isinstance(value, bool) or not isinstance(value, (float, np.floating, np.ndarray)) \
                or (isinstance(value, np.ndarray) and value.ndim != 0):
            raise CheckFailed(f"{what} should be a float (params is a scalar); the code returned {describe(value)}",
                              "wrong shape" if isinstance(value, np.ndarray) else None)
        if np.asarray(value).dtype != F64:
            raise CheckFailed(f"{what} should be float64; the code returned {describe(value)}", "not float64")
        return float(value)
    return float_array(value, shape, what)


def _same_input(after: Any, before: Any) -> bool:
    """The argument as the call left it equals what was passed (type, dtype and every bit)."""
    if isinstance(before, State):
        return isinstance(after, State) and after.cls == before.cls and set(after.fields) == set(before.fields) \
            and all(_same_input(after.fields[k], v) for k, v in before.fields.items())
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and after.dtype == before.dtype and np.array_equal(after, before)
    return type(after) is type(before) and np.array_equal(np.asarray(after), np.asarray(before))


# =========================================================================================
# 4.1 adagrad_norm
# =========================================================================================

def _check_adagrad_norm(ctx: Ctx, objective: obj.Objective, x0: Any, lr: float, eps: float,
                        num_steps: int, what: str) -> np.ndarray:
    """Run the student's adagrad_norm and verify every row on its own iterates; return them."""
    outcome = ctx.outcome("adagrad_norm", objective.grad, x0, lr=lr, eps=eps, num_steps=num_steps)
    ctx.require(outcome, "adagrad_norm")
    shape = np.shape(x0)
    want_shape = (num_steps + 1,) + shape
    traj = outcome.value
    if not isinstance(traj, np.ndarray) or traj.shape != want_shape:
        ctx.fail(f"adagrad_norm should return the trajectory [x_0, ..., x_T] as an array of shape "
                 f"{'(num_steps+1,)' if not shape else '(num_steps+1, D)'} ({what}"
                 f"{reveal(ctx, f'-> {want_shape}')}); the code returned {describe(traj)}.", "wrong shape")
    traj = float_array(traj, want_shape, "the trajectory")
    if not _same_input(outcome.args_after[1], x0):
        ctx.fail(f"adagrad_norm modified x0 in place ({what}); copy it first (x = np.array(x0, dtype=float)).",
                 "modifies its input")
    if not np.array_equal(traj[0], _f64(x0)):
        ctx.fail(f"row 0 of the trajectory must be x0 ({what}).")
    if same_rows(traj):
        ctx.fail("every row of the trajectory is the same: the list holds one array updated in place "
                 "(write x = x - step, which makes a new array, or append a copy).", "rows alias one array")
    sum_sq = 0.0  # sum_{j <= t} ||g_j||**2, gradients from sympy at the student's own rows
    per_coord = np.zeros(shape)  # the same sum kept per coordinate (for the diagnosis only)
    for t in range(num_steps):
        x_t = traj[t]
        g = _f64(objective.grad(x_t))
        before = sum_sq
        sum_sq += float(np.sum(g * g))
        per_coord = per_coord + g * g
        want = x_t - lr / np.sqrt(eps + sum_sq) * g
        if step_matches(x_t, traj[t + 1], want):
            continue
        wrong = [
            ("current gradient excluded", "the rate must include the CURRENT gradient: divide by "
             "sqrt(eps + ||g_0||**2 + ... + ||g_t||**2), with g_t in the sum before stepping",
             x_t - lr / np.sqrt(eps + before) * g),
            ("eps outside the square root", "eps belongs INSIDE the square root here: "
             "lr / sqrt(eps + sum of squared norms), not lr / (sqrt(sum) + eps)",
             x_t - lr / (np.sqrt(sum_sq) + eps) * g),
            ("only the current gradient", "the rate must use the sum of ALL squared gradient norms so far, "
             "not only the current one", x_t - lr / np.sqrt(eps + float(np.sum(g * g))) * g),
            ("no square root", "the rate is lr divided by the SQUARE ROOT of eps + the sum of squared norms",
             x_t - lr / (eps + sum_sq) * g),
            ("sign error", "the step goes UP the gradient: the update is x - rate * df(x)",
             x_t + lr / np.sqrt(eps + sum_sq) * g),
        ]
        if shape != ():
            wrong.insert(2, ("per-coordinate rate", "AdaGrad-Norm keeps ONE scalar rate for all coordinates, "
                             "built from the gradient's squared NORM; a rate per coordinate is AdaGrad (task 4.2)",
                             x_t - lr * g / np.sqrt(eps + per_coord)))
        for mistake, text, alt in wrong:
            if step_matches(x_t, traj[t + 1], alt):
                ctx.fail(f"row {t + 1} does not follow the rule from row {t}: {text} ({what}).", mistake)
        ctx.fail(f"row {t + 1} does not follow x_(t+1) = x_t - lr / sqrt(eps + sum_(j<=t) ||df(x_j)||**2) * df(x_t) "
                 f"from row {t} ({what})."
                 + reveal(ctx, f"Expected {np.round(want, 12).tolist()}, got {traj[t + 1].tolist()}."))
    return traj


@check("4.1", "adagrad_norm follows the rule on a 2-D bowl with eps = 1", public=True)
def adagrad_norm_public(ctx: Ctx) -> None:
    # eps = 1 against ||g_0||**2 = 40: inside the root the first rate is lr/sqrt(41) ~ lr/6.4, outside
    # lr/(sqrt(40) + 1) ~ lr/7.3; excluding g_0 would divide by sqrt(1); the unequal coordinates make
    # a per-coordinate rate visible.
    bowl, x0 = obj.bowl(2), np.array([3.0, -1.0])
    try:
        _check_adagrad_norm(ctx, bowl, x0, 0.5, 1.0, 6,
                            "f(x) = x1**2 + x2**2 from x0 = [3, -1], lr = 0.5, eps = 1, 6 steps")
    except CheckFailed:
        def step(x, g, memory):  # the lecture's rule, for the feedback figure only
            memory["sum"] = memory.get("sum", 1.0) + float(g @ g)
            return x - 0.5 / np.sqrt(memory["sum"]) * g

        outcome = ctx.outcome("adagrad_norm", bowl.grad, x0, lr=0.5, eps=1.0, num_steps=6)
        if outcome.error is None:
            attach_path(ctx, bowl, outcome.value, expected_path(bowl, x0, 6, step),
                        "AdaGrad-Norm on x1**2 + x2**2 from [3, -1] (lr 0.5, eps 1)")
        raise


@check("4.1", "adagrad_norm follows the rule on its own iterates for scalar, 2-D and integer-list starts, num_steps = 0 "
              "included")
def adagrad_norm_recurrence(ctx: Ctx) -> None:
    # AdaGrad-Norm's step is at most lr long (the current gradient is in the sum), so nothing
    # overflows even on Rosenbrock.
    rng = ctx.rng
    _check_adagrad_norm(ctx, obj.rosenbrock(), rng.uniform(-1.5, 1.5, size=2), float(rng.uniform(0.02, 0.5)),
                        float(10 ** rng.uniform(-3, 0)), 25, "Rosenbrock in 2-D")
    _check_adagrad_norm(ctx, obj.double_well(), float(rng.uniform(-2, 2)), float(rng.uniform(0.05, 0.5)),
                        float(10 ** rng.uniform(-3, 0)), 15, "the double well from a scalar x0")
    x0 = [int(v) for v in rng.integers(-3, 4, size=3)]
    x0[0] = x0[0] or 2  # not the minimum itself
    _check_adagrad_norm(ctx, obj.bowl(3), x0, float(rng.uniform(0.1, 1.0)), float(10 ** rng.uniform(-2, 0)),
                        int(rng.integers(3, 8)), "a 3-D bowl from an integer list x0")
    _check_adagrad_norm(ctx, obj.bowl(2), rng.normal(size=2), 0.1, 1e-3, 0, "num_steps = 0")
    # No update promotes the rows to float here, so [x0] is float64 only if x0 was converted.
    _check_adagrad_norm(ctx, obj.bowl(3), [int(v) for v in rng.integers(-3, 4, size=3)], 0.1, 1e-3, 0,
                        "an integer list x0 with num_steps = 0")


@check("4.1", "adagrad_norm keeps eps inside the square root (tiny gradients and a large eps)")
def adagrad_norm_eps_inside(ctx: Ctx) -> None:
    rng = ctx.rng
    # Tiny gradients: x0 ~ 1e-6 on the bowl gives ||g||**2 between 2e-12 and 3.2e-11, comparable with
    # eps = 1e-11 to 1e-10: sqrt(eps + sum) and sqrt(sum) + eps differ by 14 % or more at step 0.
    x0 = rng.uniform(0.5, 2.0, size=2) * rng.choice([-1.0, 1.0], size=2) * 1e-6
    _check_adagrad_norm(ctx, obj.bowl(2), x0, float(rng.uniform(1e-7, 1e-6)), float(10 ** rng.uniform(-11, -10)),
                        8, "tiny gradients")
    # Large eps (10 to 100) next to gradients of size ~1: the rate is ~lr/sqrt(eps), outside ~lr/eps.
    _check_adagrad_norm(ctx, obj.rosenbrock(), rng.uniform(-0.3, 0.3, size=2) + np.array([1.0, 1.0]),
                        float(rng.uniform(0.5, 2.0)), float(rng.uniform(10, 100)), 8, "a large eps")


@check("4.1", "adagrad_norm reaches the minimum of a bowl even with lr between 10 and 100")
def adagrad_norm_large_lr(ctx: Ctx) -> None:
    # On f = ||x||**2, x_(t+1) = (1 - 2 lr / b_t) x_t with b_t = sqrt(eps + sum ||g_j||**2) never
    # decreasing. While b_t < lr the steps overshoot and the gradients do not shrink, so b_t grows
    # past lr within a few steps; from then on every step contracts x by |1 - 2 lr / b_t| < 1, and the
    # growth of b_t is self-limiting (a geometric sum), so x_t -> 0 geometrically, whatever lr (Ward,
    # Wu & Bottou 2019). Plain GD with these lr diverges at once. Simulated over 20000 random draws
    # of these ranges, ||x_60|| was never above 1e-24: the 1e-8 bound is far from any correct run.
    rng = ctx.rng
    for lo, hi in ((10.0, 30.0), (30.0, 100.0)):
        x0 = rng.uniform(-3, 3, size=2)
        traj = _check_adagrad_norm(ctx, obj.bowl(2), x0, float(rng.uniform(lo, hi)), float(10 ** rng.uniform(-3, 0)),
                                   60, "a bowl with a large lr")
        if not np.linalg.norm(traj[-1]) <= 1e-8:
            ctx.fail("with a large lr AdaGrad-Norm should still end at the bowl's minimum after 60 steps; "
                     "the last iterate is not within 1e-8 of it.")


# =========================================================================================
# 4.2-4.4: the three per-coordinate optimisers
# =========================================================================================

@dataclass(frozen=True)
class _Opt:
    """One optimiser of the contract: names, state fields, documented defaults, the rule, known mistakes."""

    name: str  # adagrad | rmsprop | adam
    cls: str  # the stub's NamedTuple
    fields: tuple[str, ...]
    defaults: dict[str, float]
    rule: Callable[..., tuple[np.ndarray, dict, dict]]  # (x, g, fields, **hyper) -> new x, new fields, field scales
    mistakes: Callable[..., list[tuple[str, str, np.ndarray]]]  # (x, g, fields, **hyper) -> [(tag, text, x)]

    @property
    def update(self) -> str:
        return f"{self.name}_update"

    @property
    def init(self) -> str:
        return f"{self.name}_init"


def _adagrad_rule(x, g, f, *, lr, eps):
    s = f["sum_sq"] + g * g
    return x - lr * g / (np.sqrt(s) + eps), {"sum_sq": s}, {"sum_sq": np.abs(f["sum_sq"]) + g * g}


def _adagrad_mistakes(x, g, f, *, lr, eps):
    s = f["sum_sq"] + g * g
    return [
        ("eps inside the square root", "it divides by sqrt(s + eps); torch's AdaGrad, as the contract says, "
         "divides by sqrt(s) + eps (eps OUTSIDE the square root, which shows when gradients are tiny)",
         x - lr * g / np.sqrt(s + eps)),
        ("squared gradient added after the step", "it steps with the sum of squares from BEFORE this gradient; "
         "add grad**2 to sum_sq first, then divide", x - lr * g / (np.sqrt(f["sum_sq"]) + eps)),
        ("one rate for all coordinates", "AdaGrad scales EACH coordinate by its own sum of squares, "
         "not by the total over coordinates", x - lr * g / (np.sqrt(np.sum(s)) + eps)),
        ("sign error", "the step goes UP the gradient", x + lr * g / (np.sqrt(s) + eps)),
    ]


def _rmsprop_rule(x, g, f, *, lr, alpha, eps):
    v = alpha * f["sq_avg"] + (1 - alpha) * g * g
    return x - lr * g / (np.sqrt(v) + eps), {"sq_avg": v}, {"sq_avg": np.abs(f["sq_avg"]) + g * g}


def _rmsprop_mistakes(x, g, f, *, lr, alpha, eps):
    v = alpha * f["sq_avg"] + (1 - alpha) * g * g
    swapped = (1 - alpha) * f["sq_avg"] + alpha * g * g
    return [
        ("eps inside the square root", "it divides by sqrt(v + eps); torch's RMSprop, as the contract says, "
         "divides by sqrt(v) + eps (eps OUTSIDE the square root, which shows when gradients are tiny)",
         x - lr * g / np.sqrt(v + eps)),
        ("decay weights swapped", "alpha weighs the OLD average: v = alpha * v + (1 - alpha) * grad**2",
         x - lr * g / (np.sqrt(swapped) + eps)),
        ("average updated after the step", "it steps with the average from BEFORE this gradient; "
         "update sq_avg first, then divide", x - lr * g / (np.sqrt(f["sq_avg"]) + eps)),
        ("sign error", "the step goes UP the gradient", x + lr * g / (np.sqrt(v) + eps)),
    ]


def _adam_parts(g, f, beta1, beta2):
    t = int(f["step"]) + 1
    m = beta1 * f["m"] + (1 - beta1) * g
    v = beta2 * f["v"] + (1 - beta2) * g * g
    return t, m, v


def _adam_rule(x, g, f, *, lr, beta1, beta2, eps):
    t, m, v = _adam_parts(g, f, beta1, beta2)
    new = x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return new, {"step": t, "m": m, "v": v}, {"m": np.abs(f["m"]) + np.abs(g), "v": np.abs(f["v"]) + g * g}


def _adam_mistakes(x, g, f, *, lr, beta1, beta2, eps):
    t, m, v = _adam_parts(g, f, beta1, beta2)
    s = t - 1
    with np.errstate(all="ignore"):
        late = x - lr * (m / (1 - beta1**s)) / (np.sqrt(v / (1 - beta2**s)) + eps)
    return [
        ("no bias correction", "m and v start at 0, so they must be bias-corrected: m_hat = m / (1 - beta1**t), "
         "v_hat = v / (1 - beta2**t) (without it, the first step from a zero state is ~3.16 * lr instead of ~lr)",
         x - lr * m / (np.sqrt(v) + eps)),
        ("step counter off by one", "the bias correction must use t = state.step + 1 (advance the counter "
         "BEFORE correcting: the first update has t = 1)", late),
        ("eps on the uncorrected v", "this is the 'efficient' reordering lr * sqrt(1 - beta2**t) / (1 - beta1**t) "
         "* m / (sqrt(v) + eps), which adds eps to the UNcorrected sqrt(v); torch's Adam, as the contract says, "
         "adds eps to sqrt(v_hat) (the two differ when gradients are small)",
         x - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps)),
        ("eps inside the square root", "it divides by sqrt(v_hat + eps); the contract divides by sqrt(v_hat) + eps",
         x - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps)),
        ("sign error", "the step goes UP the gradient",
         x + lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)),
    ]


ADAGRAD = _Opt("adagrad", "AdaGradState", ("sum_sq",), {"lr": 0.01, "eps": 1e-10}, _adagrad_rule, _adagrad_mistakes)
RMSPROP = _Opt("rmsprop", "RMSpropState", ("sq_avg",), {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
               _rmsprop_rule, _rmsprop_mistakes)
ADAM = _Opt("adam", "AdamState", ("step", "m", "v"), {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
            _adam_rule, _adam_mistakes)


def _defaults_text(opt: _Opt) -> str:
    return ", ".join(f"{k} = {v}" for k, v in opt.defaults.items())


def _as_state(ctx: Ctx, opt: _Opt, value: Any, what: str) -> State:
    if not isinstance(value, State) or value.cls != opt.cls:
        ctx.fail(f"the state should be a {opt.cls} (the NamedTuple given in the stub) {what}; "
                 f"the code returned {describe(value)}.", "wrong state type")
    missing = [f for f in opt.fields if f not in value.fields]
    if missing:
        ctx.fail(f"the {opt.cls} returned {what} has no field {missing[0]!r}.", "wrong state type")
    return value


def _step_count(ctx: Ctx, value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating, np.ndarray)) \
            or np.ndim(value) != 0 or not float(value).is_integer():
        ctx.fail(f"AdamState.step should be an int (the number of completed updates) {what}; "
                 f"the code returned {describe(value)}.")
    return int(float(value))


def _check_init(ctx: Ctx, opt: _Opt, params: Any, what: str) -> None:
    """*_init(params): the stub's NamedTuple, every array field float64 zeros shaped like params, step 0."""
    outcome = ctx.require(ctx.outcome(opt.init, params), opt.init)
    state = _as_state(ctx, opt, outcome.value, f"from {opt.init} ({what})")
    shape = np.shape(params)
    for name in opt.fields:
        value = state.fields[name]
        if name == "step":
            if _step_count(ctx, value, f"after {opt.init}") != 0:
                ctx.fail("adam_init should start with step = 0 (no update completed yet; the first update "
                         "makes it 1 and bias-corrects with t = 1).", "step counter off by one")
            continue
        field = _float_value(value, shape, f"{opt.cls}.{name} from {opt.init} ({what})")
        if np.any(np.asarray(field) != 0):
            ctx.fail(f"{opt.cls}.{name} from {opt.init} should be all zeros ({what}).")
    if not _same_input(outcome.args_after[0], params):
        ctx.fail(f"{opt.init} modified params ({what}).", "modifies its input")


def _run_update(ctx: Ctx, opt: _Opt, params: Any, grad: Any, fields: dict, hyper: dict | None,
                what: str, *, pure: bool = False) -> None:
    """One call of <name>_update(params, grad, State(fields), **hyper); hyper=None uses every default.

    The new params are compared on the update itself (step_matches), the new state's fields with
    FIELD_RTOL of their terms' sizes. On a mismatch the known mistakes are tried in turn so that
    the message can name the one the code makes; when some defaults were used, the same call with
    the documented defaults spelled out tells a wrong default from a wrong rule.
    pure: also require that no argument was modified in place.
    """
    state = State(opt.cls, dict(fields))
    outcome = ctx.require(ctx.outcome(opt.update, params, grad, state, **(hyper or {})), opt.update)
    try:
        _verify_update(ctx, opt, outcome.value, params, grad, fields, hyper, what)
    except CheckFailed:
        spelled = {**opt.defaults, **(hyper or {})}
        if set(hyper or {}) != set(spelled):  # some defaults were used: spell them out and compare
            explicit = ctx.outcome(opt.update, params, grad, state, **spelled)
            try:
                right = explicit.error is None and _verify_update(ctx, opt, explicit.value, params, grad, fields,
                                                                  spelled, what)
            except CheckFailed:
                right = False
            if right:
                ctx.fail(f"called without some hyper-parameters, {opt.update} is wrong, but right when the documented "
                         f"defaults ({_defaults_text(opt)}) are passed explicitly: a default value in the signature "
                         f"is wrong ({what}).", "wrong default")
        raise
    if pure:
        for i, (label, before) in enumerate((("params", params), ("grad", grad), ("state", state))):
            if not _same_input(outcome.args_after[i], before):
                advice = (f"states are immutable: compute new arrays (s = s + g * g, not s += g * g) and return a "
                          f"NEW {opt.cls}" if label == "state" else "compute new arrays (x = x - step, not x -= step)")
                ctx.fail(f"{opt.update} modified its {label} argument in place ({what}); {advice}.", "modifies its input")


def _verify_update(ctx: Ctx, opt: _Opt, value: Any, params: Any, grad: Any, fields: dict, hyper: dict | None,
                   what: str) -> bool:
    """Raise CheckFailed unless ``value`` is the right (new_params, new_state); return True."""
    used = {**opt.defaults, **(hyper or {})}
    x, g = _f64(params), _f64(grad)
    f64 = {k: (v if k == "step" else _f64(v)) for k, v in fields.items()}
    want_x, want_fields, scales = opt.rule(x, g, f64, **used)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        ctx.fail(f"{opt.update} should return a pair (new_params, new_state); the code returned {describe(value)}.")
    shape = np.shape(params)
    new_x = _float_value(value[0], shape, f"new_params from {opt.update} ({what})")
    new_state = _as_state(ctx, opt, value[1], f"as the second item of {opt.update}'s result")
    if not step_matches(x, new_x, want_x):
        for mistake, text, alt in opt.mistakes(x, g, f64, **used):
            if step_matches(x, new_x, alt):
                ctx.fail(f"{opt.update} takes a wrong step: {text} ({what}).", mistake)
        ctx.fail(f"{opt.update} takes a wrong step ({what})."
                 + reveal(ctx, f"Expected new params {np.round(want_x, 15).tolist()}, got {np.asarray(new_x).tolist()}."))
    for name in opt.fields:
        got = new_state.fields[name]
        if name == "step":
            if _step_count(ctx, got, f"returned by {opt.update}") != want_fields["step"]:
                ctx.fail(f"the AdamState returned by adam_update should have step = state.step + 1 (it counts "
                         f"completed updates) ({what}).", "step counter not advanced")
            continue
        got = _float_value(got, shape, f"{opt.cls}.{name} returned by {opt.update} ({what})")
        if not np.all(np.abs(_f64(got) - want_fields[name]) <= FIELD_RTOL * scales[name] + 1e-300):
            ctx.fail(f"{opt.cls}.{name} returned by {opt.update} is wrong ({what}): the new state must hold the "
                     f"updated {name} (see the rule in the docstring), computed from the state that was passed in."
                     + reveal(ctx, f"Expected {np.round(want_fields[name], 15).tolist()}, got {np.asarray(got).tolist()}."),
                     "wrong new state")
    return True


def _random_fields(opt: _Opt, rng: np.random.Generator, shape: tuple[int, ...], step: int | None = None) -> dict:
    """A legal state of ``opt`` for params of ``shape``: non-negative squared averages, any first moment."""
    def arr(a):
        return float(a) if shape == () else a
    if opt is ADAGRAD:
        return {"sum_sq": arr(rng.uniform(0.0, 3.0, size=shape))}
    if opt is RMSPROP:
        return {"sq_avg": arr(rng.uniform(0.0, 3.0, size=shape))}
    return {"step": int(rng.integers(1, 20)) if step is None else step,
            "m": arr(0.5 * rng.normal(size=shape)), "v": arr(rng.uniform(0.01, 3.0, size=shape))}


def _zero_fields(opt: _Opt, shape: tuple[int, ...]) -> dict:
    return {name: (0 if name == "step" else np.zeros(shape)) for name in opt.fields}


def _random_hyper(opt: _Opt, rng: np.random.Generator) -> dict:
    hyper = {"lr": float(10 ** rng.uniform(-3, 0))}
    if opt is ADAGRAD:
        hyper["eps"] = float(10 ** rng.uniform(-10, -1))
    elif opt is RMSPROP:
        hyper.update(alpha=float(rng.uniform(0.5, 0.999)), eps=float(10 ** rng.uniform(-8, -2)))
    else:
        hyper.update(beta1=float(rng.uniform(0.5, 0.95)), beta2=float(rng.uniform(0.9, 0.9999)),
                     eps=float(10 ** rng.uniform(-8, -3)))
    return hyper


def _check_init_shapes(ctx: Ctx, opt: _Opt) -> None:
    rng = ctx.rng
    _check_init(ctx, opt, float(rng.normal()), "a scalar params")
    _check_init(ctx, opt, [int(v) for v in rng.integers(-3, 4, size=3)], "a list of ints")
    _check_init(ctx, opt, rng.integers(-3, 4, size=(3, 2)), "an integer 3x2 matrix")
    _check_init(ctx, opt, rng.normal(size=int(rng.integers(2, 7))), "a float vector")


def _check_random_updates(ctx: Ctx, opt: _Opt) -> None:
    rng = ctx.rng
    for shape, what in (((), "a scalar params"), ((5,), "a vector params"), ((2, 3), "a 2x3 matrix params")):
        params = float(rng.normal()) if shape == () else rng.normal(size=shape)
        grad = float(rng.normal()) if shape == () else rng.normal(size=shape)
        _run_update(ctx, opt, params, grad, _random_fields(opt, rng, shape), _random_hyper(opt, rng),
                    f"{what} from a random state")
    # the documented defaults, and inputs that are integer arrays and lists
    _run_update(ctx, opt, rng.normal(size=4), rng.normal(size=4), _random_fields(opt, rng, (4,)), None,
                "the default hyper-parameters")
    params = rng.integers(-3, 4, size=3)
    grad = [float(v) for v in rng.normal(size=3)]
    _run_update(ctx, opt, params, grad, _random_fields(opt, rng, (3,)), _random_hyper(opt, rng),
                "integer params and a list grad")


def _check_pure(ctx: Ctx, opt: _Opt) -> None:
    rng = ctx.rng
    for shape in ((4,), (2, 3)):
        _run_update(ctx, opt, rng.normal(size=shape), rng.normal(size=shape), _random_fields(opt, rng, shape),
                    _random_hyper(opt, rng), f"params of shape {shape}", pure=True)


def _public_two_steps(ctx: Ctx, opt: _Opt, x0: np.ndarray, g0: np.ndarray, g1: np.ndarray) -> None:
    """init, then two updates with the defaults; the second from the state the contract gives after the first."""
    _check_init(ctx, opt, x0, f"params = {x0.tolist()}")
    fields0 = _zero_fields(opt, x0.shape)
    what = f"params = {x0.tolist()}, grad = {g0.tolist()}, zero state, default hyper-parameters"
    _run_update(ctx, opt, x0, g0, fields0, None, what)
    x1, fields1, _ = opt.rule(x0, g0, fields0, **opt.defaults)
    shown = ", ".join(f"{k} = {np.asarray(v).tolist()}" for k, v in fields1.items())
    _run_update(ctx, opt, x1, g1, fields1, None,
                f"second step: params = {np.round(x1, 12).tolist()}, grad = {g1.tolist()}, state {shown}")


# ---- 4.2 AdaGrad ------------------------------------------------------------------------

@check("4.2", "adagrad_init gives a zero sum_sq and adagrad_update takes two steps with the defaults", public=True)
def adagrad_public(ctx: Ctx) -> None:
    # The third coordinate's gradient 1e-12 is far below eps = 1e-10: outside the root its step is
    # lr * 1e-12 / (1e-12 + 1e-10) = lr / 101; inside it would be lr * 1e-12 / 1e-5 = lr * 1e-7.
    _public_two_steps(ctx, ADAGRAD, np.array([1.0, -1.0, 0.5]), np.array([3.0, -4.0, 1e-12]), np.array([4.0, 3.0, 2.0]))


@check("4.2", "adagrad_init makes float64 zeros shaped like params of any shape and type")
def adagrad_init_shapes(ctx: Ctx) -> None:
    _check_init_shapes(ctx, ADAGRAD)


@check("4.2", "adagrad_update follows the rule from random states, any shape, defaults included")
def adagrad_update_random(ctx: Ctx) -> None:
    _check_random_updates(ctx, ADAGRAD)


@check("4.2", "adagrad_update adds eps outside the square root (tiny gradients, large eps)")
def adagrad_update_eps(ctx: Ctx) -> None:
    rng = ctx.rng
    # From a zero state with gradients 1e-9 and the default eps 1e-10 the step is lr / 1.1 per
    # coordinate; with eps inside the root it would be lr * 1e-4.
    g = rng.uniform(0.5, 2.0, size=3) * rng.choice([-1.0, 1.0], size=3) * 1e-9
    _run_update(ctx, ADAGRAD, rng.normal(size=3), g, _zero_fields(ADAGRAD, (3,)), None, "tiny gradients")
    # eps of 0.5 to 2 next to sqrt(sum_sq) ~ 1: inside and outside the root differ by ~30 %.
    _run_update(ctx, ADAGRAD, rng.normal(size=3), rng.normal(size=3), _random_fields(ADAGRAD, rng, (3,)),
                {"lr": float(rng.uniform(0.05, 0.5)), "eps": float(rng.uniform(0.5, 2.0))}, "a large eps")


@check("4.2", "adagrad_update modifies neither params, grad nor the state it is given")
def adagrad_update_pure(ctx: Ctx) -> None:
    _check_pure(ctx, ADAGRAD)


# ---- 4.3 RMSprop ------------------------------------------------------------------------

@check("4.3", "rmsprop_init gives a zero sq_avg and rmsprop_update takes two steps with the defaults", public=True)
def rmsprop_public(ctx: Ctx) -> None:
    # Third coordinate: grad 1e-9 gives sq_avg = 0.01 * 1e-18, sqrt = 1e-10, step
    # lr * 1e-9 / (1e-10 + 1e-8) ~ lr / 10.1; with eps inside the root it would be lr * 1e-5. The
    # default alpha 0.99 (torch) vs 0.9 (optax) changes the first step by a factor sqrt(10).
    _public_two_steps(ctx, RMSPROP, np.array([2.0, -3.0, 1.0]), np.array([1.0, -2.0, 1e-9]), np.array([0.5, 4.0, 1e-9]))


@check("4.3", "rmsprop_init makes float64 zeros shaped like params of any shape and type")
def rmsprop_init_shapes(ctx: Ctx) -> None:
    _check_init_shapes(ctx, RMSPROP)


@check("4.3", "rmsprop_update follows the rule from random states, any shape, defaults included")
def rmsprop_update_random(ctx: Ctx) -> None:
    _check_random_updates(ctx, RMSPROP)


@check("4.3", "rmsprop_update adds eps outside the square root (tiny gradients, large eps)")
def rmsprop_update_eps(ctx: Ctx) -> None:
    rng = ctx.rng
    # Gradients ~1e-9 from a zero state with the defaults: sqrt(v) ~ 1e-10 next to eps = 1e-8,
    # so the step is ~lr/100 per coordinate; eps inside the root would make it ~lr * 1e-5.
    g = rng.uniform(0.5, 2.0, size=3) * rng.choice([-1.0, 1.0], size=3) * 1e-9
    _run_update(ctx, RMSPROP, rng.normal(size=3), g, _zero_fields(RMSPROP, (3,)), None, "tiny gradients")
    _run_update(ctx, RMSPROP, rng.normal(size=3), rng.normal(size=3), _random_fields(RMSPROP, rng, (3,)),
                {"lr": float(rng.uniform(0.005, 0.05)), "alpha": float(rng.uniform(0.8, 0.99)),
                 "eps": float(rng.uniform(0.5, 2.0))}, "a large eps")


@check("4.3", "rmsprop_update modifies neither params, grad nor the state it is given")
def rmsprop_update_pure(ctx: Ctx) -> None:
    _check_pure(ctx, RMSPROP)


# ---- 4.4 Adam ---------------------------------------------------------------------------

@check("4.4", "adam_init starts at step 0 and adam_update takes two steps with the defaults", public=True)
def adam_public(ctx: Ctx) -> None:
    # With bias correction the first step is ~lr = 0.001 in every coordinate (without, ~3.16 * lr).
    # The third coordinate's gradient 1e-9 is below eps = 1e-8, where eps on sqrt(v_hat) (torch) and
    # on the uncorrected sqrt(v) (the "efficient" form) give steps ~30 times apart.
    _public_two_steps(ctx, ADAM, np.array([1.0, -2.0, 0.5]), np.array([0.5, -3.0, 1e-9]), np.array([-1.0, 2.0, 1e-9]))


@check("4.4", "adam_init makes step 0 and float64 zero moments shaped like params of any shape and type")
def adam_init_shapes(ctx: Ctx) -> None:
    _check_init_shapes(ctx, ADAM)


@check("4.4", "adam_update follows the rule from random states, any shape, defaults included")
def adam_update_random(ctx: Ctx) -> None:
    _check_random_updates(ctx, ADAM)


@check("4.4", "adam_update bias-corrects with t = step + 1 and returns the advanced step")
def adam_update_bias_correction(ctx: Ctx) -> None:
    rng = ctx.rng
    # From the zero state the bias-corrected first step is lr * |g| / (|g| + eps) ~ lr per coordinate,
    # whatever the gradient's size (1e-2 to 1e2 here); without the correction it is ~3.16 * lr.
    g = 10 ** rng.uniform(-2, 2, size=4) * rng.choice([-1.0, 1.0], size=4)
    _run_update(ctx, ADAM, rng.normal(size=4), g, _zero_fields(ADAM, (4,)), {"lr": float(rng.uniform(0.01, 0.1))},
                "the first update from a zero state")
    # From step = 5 the correction uses t = 6: 1 - beta2**6 and 1 - beta2**5 differ by ~17 %.
    _run_update(ctx, ADAM, rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), _random_fields(ADAM, rng, (2, 2), step=5),
                None, "a state with step = 5")


@check("4.4", "adam_update adds eps to sqrt(v_hat), visible with tiny gradients")
def adam_update_tiny_gradients(ctx: Ctx) -> None:
    rng = ctx.rng
    # Gradients ~1e-9 with the defaults: sqrt(v_hat) ~ 1e-9 next to eps = 1e-8, so the step is
    # ~lr/10. The "efficient" form adds eps to the uncorrected sqrt(v) (~3e-11 at t = 1), a step
    # ~30 times smaller; eps inside the root gives ~lr * 1e-5.
    g = rng.uniform(0.5, 2.0, size=3) * rng.choice([-1.0, 1.0], size=3) * 1e-9
    _run_update(ctx, ADAM, rng.normal(size=3), g, _zero_fields(ADAM, (3,)), None, "tiny gradients from a zero state")
    # the same later on: a state of step 3 whose moments are of the size tiny gradients leave
    m = rng.normal(size=3) * 1e-9
    v = rng.uniform(0.5, 2.0, size=3) * 1e-18 * (1 - 0.999**3)
    _run_update(ctx, ADAM, rng.normal(size=3), rng.normal(size=3) * 1e-9, {"step": 3, "m": m, "v": v}, None,
                "tiny gradients at step 3")


@check("4.4", "adam_update modifies neither params, grad nor the state it is given")
def adam_update_pure(ctx: Ctx) -> None:
    _check_pure(ctx, ADAM)


# =========================================================================================
# 4.5 minimize
# =========================================================================================

class _FakeOptimiser:
    """The check's own init/update for minimize: a plain-GD step, x - lr * grad, whose state is a
    token naming the call that made it ({"made_by": 0} from init, {"made_by": k} from the k-th
    update) and a nonce, so that the check can tell which state each update call received.

    Both accept any arguments and never raise, so that the check, not a TypeError inside a
    callback, explains what minimize passed."""

    def __init__(self, nonce: int) -> None:
        self.nonce = nonce
        self.inits: list[tuple[tuple, dict]] = []
        self.updates: list[tuple[tuple, dict, Any]] = []  # (args, hyper, x returned)

    def token(self, k: int) -> dict:
        return {"made_by": k, "nonce": self.nonce}

    def init(self, *args: Any, **kwargs: Any) -> dict:
        self.inits.append((args, kwargs))
        return self.token(0)

    def update(self, *args: Any, **hyper: Any) -> tuple:
        try:
            lr = float(hyper.get("lr", 0.0))
            x = np.asarray(args[0], dtype=F64) - lr * np.asarray(args[1], dtype=F64)
            x = float(x) if x.ndim == 0 else x
        except Exception:  # noqa: BLE001 - whatever arrived, answer something; the check reports it
            x = args[0] if args else None
        self.updates.append((args, hyper, x))
        return x, self.token(len(self.updates))


def _equal(a: Any, b: Any) -> bool:
    try:
        return np.shape(a) == np.shape(b) and bool(np.array_equal(_f64(a), _f64(b), equal_nan=True))
    except (TypeError, ValueError):
        return False


def _check_minimize(ctx: Ctx, objective: obj.Objective, x0: Any, num_steps: int, hyper: dict, what: str) -> np.ndarray:
    """Run minimize with the check's fake optimiser; verify the protocol from its records, then the trajectory."""
    fake = _FakeOptimiser(int(ctx.rng.integers(1, 2**31)))
    outcome = ctx.outcome("minimize", objective.grad, x0, fake.init, fake.update, num_steps=num_steps, **hyper)
    x0_64 = _f64(x0)
    # The protocol first (even when minimize then raised): it explains most failures best.
    if not fake.inits:
        ctx.require(outcome, "minimize")
        ctx.fail(f"minimize never called init: it must start with state = init(x0) ({what}).")
    if len(fake.inits) > 1:
        ctx.fail(f"minimize called init {len(fake.inits)} times; call it ONCE, before the loop: "
                 f"re-initialising throws away the optimiser's memory (sums, averages, step count) ({what}).",
                 "state re-initialised on every call")
    args, kwargs = fake.inits[0]
    if len(args) != 1 or kwargs or not _equal(args[0], x0_64):
        ctx.fail(f"minimize should call init with x0 alone, init(x0) ({what}).")
    x_t = x0_64
    for t, (args, got_hyper, _) in enumerate(fake.updates[:num_steps]):
        if len(args) != 3:
            ctx.fail(f"update should be called with three positional arguments, update(x, df(x), state, **hyper); "
                     f"call {t + 1} had {len(args)} ({what}).")
        x, g, state = args
        if not _equal(x, x_t):
            ctx.fail(f"update call {t + 1} did not receive the current iterate as x: the first call gets x0, each "
                     f"later one the x returned by the previous update ({what}).", "iterate not threaded")
        if not _equal(g, objective.grad(x_t)):
            ctx.fail(f"update call {t + 1} did not receive df(x) at the current iterate as its gradient ({what}).",
                     "stale gradient")
        if not (isinstance(state, dict) and state == fake.token(t)):
            init_state = t > 0 and isinstance(state, dict) and state == fake.token(0)
            ctx.fail(f"update call {t + 1} did not receive the state returned by "
                     f"{'init' if t == 0 else 'the previous update'}"
                     f"{': it got the state from init again' if init_state else ''}; keep the returned state: "
                     f"x, state = update(x, df(x), state, **hyper) ({what}).", "state not threaded")
        if got_hyper != hyper:
            ctx.fail(f"update call {t + 1} did not receive every hyper-parameter given to minimize as a keyword "
                     f"argument with the same value; pass **hyper through ({what})."
                     + reveal(ctx, f"It received {got_hyper!r} instead of {hyper!r}."), "hyper-parameters not passed")
        x_t = _f64(fake.updates[t][2])
    ctx.require(outcome, "minimize")
    if len(fake.updates) != num_steps:
        ctx.fail(f"minimize called update {'more' if len(fake.updates) > num_steps else 'fewer'} times than "
                 f"num_steps; it should be exactly num_steps times ({what}).")
    shape = np.shape(x0)
    want_shape = (num_steps + 1,) + shape
    traj = outcome.value
    if not isinstance(traj, np.ndarray) or traj.shape != want_shape:
        ctx.fail(f"minimize should return the trajectory [x_0, ..., x_num_steps] as an array of shape "
                 f"{'(num_steps+1,)' if not shape else '(num_steps+1, D)'} ({what}"
                 f"{reveal(ctx, f'-> {want_shape}')}); the code returned {describe(traj)}.", "wrong shape")
    traj = float_array(traj, want_shape, "the trajectory")
    if not _same_input(outcome.args_after[1], x0):
        ctx.fail(f"minimize modified x0 in place ({what}).", "modifies its input")
    if not np.array_equal(traj[0], x0_64):
        ctx.fail(f"row 0 of the trajectory must be x0 ({what}).")
    for t, (_, _, returned) in enumerate(fake.updates):
        if not np.array_equal(traj[t + 1], _f64(returned), equal_nan=True):
            ctx.fail(f"row {t + 1} of the trajectory is not the x returned by update call {t + 1} ({what}).")
    return traj


@check("4.5", "minimize runs a plain-GD update from x0 = [1, 2] for 3 steps", public=True)
def minimize_public(ctx: Ctx) -> None:
    # update(x, g, state, lr) = x - lr * g on f = ||x||**2 with lr = 0.25 halves x each step (exact).
    traj = _check_minimize(ctx, obj.bowl(2), np.array([1.0, 2.0]), 3, {"lr": 0.25},
                           "f(x) = x1**2 + x2**2, x0 = [1, 2], num_steps = 3, lr = 0.25, update = plain GD")
    want = np.array([[1.0, 2.0], [0.5, 1.0], [0.25, 0.5], [0.125, 0.25]])
    if not np.array_equal(traj, want):
        ctx.fail(f"the trajectory should be {want.tolist()}.")


@check("4.5", "minimize calls init once on x0, update num_steps times, threading the state and every hyper-parameter")
def minimize_protocol(ctx: Ctx) -> None:
    rng = ctx.rng
    # lr below 5e-4 keeps plain GD on Rosenbrock inside [-1.5, 1.5]**2 stable (curvature < 2000 there).
    hyper = {"lr": float(rng.uniform(1e-4, 5e-4)), "beta1": float(rng.uniform(0.5, 0.95)),
             "eps": float(10 ** rng.uniform(-10, -6)), "alpha": float(rng.uniform(0.5, 0.99))}
    _check_minimize(ctx, obj.rosenbrock(), rng.uniform(-1, 1, size=2), int(rng.integers(4, 9)), hyper,
                    "Rosenbrock in 2-D")
    _check_minimize(ctx, obj.bowl(3), rng.normal(size=3), int(rng.integers(2, 6)), {"lr": float(rng.uniform(0.1, 0.4))},
                    "a 3-D bowl with lr only")


@check("4.5", "minimize returns a new float64 trajectory for scalar and integer-list x0, num_steps = 0 included")
def minimize_outputs(ctx: Ctx) -> None:
    rng = ctx.rng
    _check_minimize(ctx, obj.double_well(), float(rng.uniform(-2, 2)), int(rng.integers(3, 7)),
                    {"lr": float(rng.uniform(0.01, 0.05))}, "a scalar x0")
    x0 = [int(v) for v in rng.integers(-3, 4, size=3)]
    _check_minimize(ctx, obj.bowl(3), x0, int(rng.integers(2, 5)), {"lr": float(rng.uniform(0.1, 0.4))},
                    "an integer list x0")
    _check_minimize(ctx, obj.bowl(2), rng.normal(size=2), 0, {"lr": 0.1}, "num_steps = 0")
    # No update promotes the rows to float here, so [x0] is float64 only if x0 was converted.
    _check_minimize(ctx, obj.bowl(3), [int(v) for v in rng.integers(-3, 4, size=3)], 0, {"lr": 0.1},
                    "an integer list x0 with num_steps = 0")
