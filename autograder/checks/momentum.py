"""Checks of part 3 (momentum.py): the velocity state, one momentum / Nesterov step, whole runs.

Oracles:
- 3.1: the contract's state itself (float64 zeros shaped like params, a MomentumState).
- 3.2 / 3.3: one step from a state the check builds (random params, gradient and velocity of
  several shapes), compared with the contract's rule by ``step_matches`` on the update of the
  params AND on the update of the velocity; the arguments must come back unchanged.
- 3.4: recurrence verification on the student's OWN trajectory. Gradients are the sympy
  gradients at the student's rows; the velocity is rebuilt from them with the contract's rule
  (``v_t = beta*v_(t-1) + grad f(x_t)``, ``v_(-1) = 0``), so row t+1 is checked from rows 0..t
  only. That is the same velocity as ``(x_t - x_(t+1)) / lr`` read off the rows of a correct
  momentum run, but it needs no division by lr (no rounding amplified by 1/lr) and serves the
  Nesterov rule as well, whose step is not the velocity.

Known mistakes are diagnosed by comparing the output with what the mistake would give (the
same ``step_matches`` test), never by looking at the code.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import objectives as obj
from ..checking import CheckFailed, Ctx, Recorder
from ..expect import describe, float_array, reveal, same_rows, step_matches
from ..registry import check
from ._pictures import attach_path, expected_path
from ..wire import State

MOMENTUM_RULE = "g_t = beta * g_(t-1) + grad, x_(t+1) = x_t - lr * g_t"
NESTEROV_RULE = "v_t = beta * v_(t-1) + grad, x_(t+1) = x_t - lr * (grad + beta * v_t)"

# Diagnosed mistakes (the tags a failed check names).
PREVIOUS_VELOCITY = "steps with the previous velocity"
DAMPENING = "dampening"
CS231N = "CS231n velocity convention"
IGNORES_STATE = "ignores the velocity"
OLD_STATE = "returns the old state"
STATE_IN_PLACE = "modifies the state in place"
INPUT_IN_PLACE = "modifies its input"
LOOK_AHEAD = "look-ahead Nesterov"
NO_GRADIENT_TERM = "Nesterov step without the gradient"
NESTEROV_OLD_VELOCITY = "Nesterov with the previous velocity"
REINIT = "state re-initialised every step"
WRONG_FLAVOUR = "ignores nesterov"
NOT_A_STATE = "not a MomentumState"


# ---- shared helpers ----------------------------------------------------------------------

def _same(after: Any, before: Any) -> bool:
    """True when an argument came back from the call exactly as it was passed (type, dtype, values)."""
    if type(after) is not type(before):
        return False
    if isinstance(before, np.ndarray):
        return after.dtype == before.dtype and after.shape == before.shape and bool(np.array_equal(after, before))
    if isinstance(before, State):
        return after.cls == before.cls and after.fields.keys() == before.fields.keys() and all(
            _same(after.fields[k], before.fields[k]) for k in before.fields)
    if isinstance(before, (list, tuple)):
        return len(after) == len(before) and all(_same(a, b) for a, b in zip(after, before))
    return after == before


def _floats(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """A float64 array of ``shape``; for shape () also a Python float or np.float64 (as the contract allows)."""
    if shape == ():
        if isinstance(value, float) or (isinstance(value, (np.floating, np.ndarray)) and np.shape(value) == ()
                                        and value.dtype == np.float64):
            return np.asarray(value, dtype=np.float64)
        if isinstance(value, (np.ndarray, list)) and np.shape(value) != ():
            raise CheckFailed(f"{what} should be a float64 scalar (a float, np.float64 or 0-d array) for a scalar "
                              f"params; the code returned {describe(value)}", "wrong shape")
        numeric = isinstance(value, (int, np.number, np.ndarray)) and not isinstance(value, bool)
        kind = "not float64" if numeric else None
        raise CheckFailed(f"{what} should be a float64 scalar (a float, np.float64 or 0-d array) for a scalar "
                          f"params; the code returned {describe(value)}", kind)
    return float_array(value, shape, what)


def _velocity(ctx: Ctx, state: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """The velocity of a returned state, which must be the stub's MomentumState, shaped like params."""
    if not isinstance(state, State) or state.cls != "MomentumState" or "velocity" not in state.fields:
        ctx.fail(f"{what} should be a MomentumState, the NamedTuple of the stub, built as "
                 f"MomentumState(velocity=...); the code returned {describe(state)}.", NOT_A_STATE)
    return _floats(state.velocity, shape, f"the velocity of {what}")


def _as64(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def _show(a: np.ndarray) -> Any:
    return np.asarray(a).tolist()


# ---- 3.1 momentum_init -------------------------------------------------------------------

def _check_init(ctx: Ctx, params: Any, what: str) -> None:
    outcome = ctx.require(ctx.outcome("momentum_init", params), "momentum_init")
    shape = np.shape(params)
    v = _velocity(ctx, outcome.value, shape, f"momentum_init's result for {what}")
    if np.any(v != 0):
        ctx.fail(f"momentum_init must start the velocity at zero (g_(-1) = 0); for {what} it has "
                 f"{int(np.count_nonzero(v))} non-zero entr{'y' if np.count_nonzero(v) == 1 else 'ies'}"
                 f" (start from np.zeros, not from a copy of params).{reveal(ctx, f'params = {_show(params)!r}.')}")
    if not _same(outcome.args_after[0], params):
        ctx.fail(f"momentum_init changed its params argument ({what}); build a new zero array "
                 f"(np.zeros(np.shape(params))) instead of zeroing params.", INPUT_IN_PLACE)


@check("3.1", "momentum_init gives float64 zero velocities shaped like a vector and an integer matrix", public=True)
def momentum_init_public(ctx: Ctx) -> None:
    _check_init(ctx, np.array([1.0, -2.0, 3.0]), "params = [1.0, -2.0, 3.0]")
    _check_init(ctx, np.array([[1, 2, 3], [4, 5, 6]]), "the integer matrix params = [[1, 2, 3], [4, 5, 6]]")


@check("3.1", "momentum_init handles scalar, matrix and 3-D params")
def momentum_init_shapes(ctx: Ctx) -> None:
    # Scalars of both Python and numpy kinds; non-square matrices (a flattened or transposed
    # shape shows); a 3-D array (a shape built from len(params) or params.shape[0] shows).
    _check_init(ctx, float(ctx.rng.normal()), "a float params")
    _check_init(ctx, np.float64(ctx.rng.normal()), "an np.float64 params")
    m, n = (int(k) for k in ctx.rng.choice(np.arange(2, 6), size=2, replace=False))
    _check_init(ctx, ctx.rng.normal(size=(m, n)), "a non-square matrix params")
    _check_init(ctx, ctx.rng.normal(size=(2, int(ctx.rng.integers(3, 5)), 2)), "a 3-D params")


@check("3.1", "momentum_init gives a float64 velocity for integer params and leaves them unchanged")
def momentum_init_integers(ctx: Ctx) -> None:
    # zeros_like of an integer array is an integer array: the velocity must be float64 anyway.
    ints = ctx.rng.integers(-5, 6, size=int(ctx.rng.integers(2, 6)))
    _check_init(ctx, ints, "an integer array params")
    _check_init(ctx, int(ctx.rng.integers(-5, 6)), "a Python int params")
    _check_init(ctx, [[int(v) for v in row] for row in ctx.rng.integers(-5, 6, size=(2, 3))], "a list of lists of ints")


# ---- 3.2 momentum_update / 3.3 nesterov_update: one step -----------------------------------

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, float, float], tuple[np.ndarray, np.ndarray]]


def _momentum_rule(x, g, v, lr, beta):
    v_new = beta * v + g
    return x - lr * v_new, v_new


def _nesterov_rule(x, g, v, lr, beta):
    v_new = beta * v + g
    return x - lr * (g + beta * v_new), v_new


def _momentum_step_mistakes(x, g, v, lr, beta):
    """(tag, the new params this mistake gives, explanation) for the lecture's momentum."""
    damp = beta * v + (1 - beta) * g
    return [
        (PREVIOUS_VELOCITY, x - lr * v,
         "momentum_update steps with the PREVIOUS velocity (x - lr * g_(t-1)); update the velocity first, "
         "g_t = beta * g_(t-1) + grad, then step with the new one: x - lr * g_t."),
        (DAMPENING, x - lr * damp,
         "momentum_update scales the gradient by (1 - beta) (an exponential average, 'dampening'); the lecture's "
         "rule (torch SGD with dampening 0) adds the full gradient: g_t = beta * g_(t-1) + grad."),
        (CS231N, x + (beta * v - lr * g),
         "momentum_update uses CS231n's convention v = beta*v - lr*grad, x + v: its state holds minus lr times "
         "the lecture's velocity, so it gives a different step from a state in the lecture's units "
         "(and whenever lr changes). Keep g_t = beta * g_(t-1) + grad in the state and step x - lr * g_t."),
        (CS231N, x + lr * (beta * v - g),
         "momentum_update keeps the velocity with the opposite sign (v = beta*v - grad, x + lr*v); the state "
         "holds g_t = beta * g_(t-1) + grad, with a plus sign, and the step is x - lr * g_t."),
        (IGNORES_STATE, x - lr * g,
         "momentum_update ignores the velocity in the state: the step is plain gradient descent x - lr * grad."),
    ]


def _nesterov_step_mistakes(x, g, v, lr, beta):
    v_new = beta * v + g
    damp = beta * v + (1 - beta) * g
    return [
        (LOOK_AHEAD, x - beta * v + (1 + beta) * (beta * v - lr * g),
         "nesterov_update uses the look-ahead (CS231n) form v = beta*v - lr*grad, x += -beta*v_prev + (1+beta)*v, "
         "whose state means minus lr times the contract's velocity; write PyTorch's form: "
         + NESTEROV_RULE + "."),
        (LOOK_AHEAD, x + lr * (-beta * v + (1 + beta) * (beta * v - g)),
         "nesterov_update uses the look-ahead (CS231n) form with a sign-flipped velocity; write PyTorch's form: "
         + NESTEROV_RULE + "."),
        (NO_GRADIENT_TERM, x - lr * beta * v_new,
         "nesterov_update steps with lr * beta * v_t only; PyTorch's Nesterov step adds the gradient too: "
         "x - lr * (grad + beta * v_t)."),
        (NESTEROV_OLD_VELOCITY, x - lr * (g + beta * v),
         "nesterov_update steps with the previous velocity, x - lr * (grad + beta * v_(t-1)), which is exactly the "
         "plain momentum step x - lr * v_t; update the velocity first, v_t = beta * v_(t-1) + grad, then step "
         "x - lr * (grad + beta * v_t)."),
        (DAMPENING, x - lr * (g + beta * damp),
         "nesterov_update scales the gradient by (1 - beta) in the velocity ('dampening'); the contract adds the "
         "full gradient: v_t = beta * v_(t-1) + grad."),
        (IGNORES_STATE, x - lr * (1 + beta) * g,
         "nesterov_update ignores the velocity in the state (it steps as if v_(t-1) were 0)."),
    ]


def _velocity_mistakes(function, g, v, lr, beta):
    """(tag, the new velocity this mistake gives, explanation); the same state for both rules."""
    name = "g_t" if function == "momentum_update" else "v_t"
    return [
        (OLD_STATE, v,
         f"{function} returns the state it was given: the new state must hold the new velocity "
         f"{name} = beta * {name[0]}_(t-1) + grad (return MomentumState(velocity=...) built from it)."),
        (DAMPENING, beta * v + (1 - beta) * g,
         f"{function}'s new velocity scales the gradient by (1 - beta) ('dampening'); the contract's velocity is "
         f"beta * {name[0]}_(t-1) + grad."),
        (CS231N, beta * v - lr * g,
         f"{function}'s new velocity is beta*v - lr*grad (CS231n's convention); the state must hold "
         f"beta * {name[0]}_(t-1) + grad, in units of a gradient and with a plus sign."),
        (CS231N, beta * v - g,
         f"{function}'s new velocity has the opposite sign (beta*v - grad); the state must hold "
         f"beta * {name[0]}_(t-1) + grad."),
        (CS231N, beta * v + lr * g,
         f"{function}'s new velocity is scaled by lr (beta*v + lr*grad); the state must hold "
         f"beta * {name[0]}_(t-1) + grad, in units of a gradient."),
    ]


def _check_step(ctx: Ctx, function: str, x: Any, g: Any, v: Any, lr: float, beta: float, what: str) -> None:
    """One call of ``function`` from a MomentumState(velocity=v) built by the check."""
    momentum = function == "momentum_update"
    rule: Rule = _momentum_rule if momentum else _nesterov_rule
    text = MOMENTUM_RULE if momentum else NESTEROV_RULE
    state = State("MomentumState", {"velocity": v})
    outcome = ctx.require(ctx.outcome(function, x, g, state, lr=lr, beta=beta), function)
    value = outcome.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        ctx.fail(f"{function} should return the pair (new_params, new_state); the code returned {describe(value)}.")
    shape = np.shape(x)
    got_x = _floats(value[0], shape, f"the new params of {function} ({what})")
    got_v = _velocity(ctx, value[1], shape, f"the new state of {function} ({what})")
    x64, g64, v64 = _as64(x), _as64(g), _as64(v)
    want_x, want_v = rule(x64, g64, v64, lr, beta)
    # Both comparisons are the contract's single-step test: on the params' update, and on the
    # velocity's update (new - old velocity), where any order of the one multiply and one add
    # in beta * v + grad stays within the 8-ulp floor, while each diagnosed mistake moves it by
    # a share of |grad| or |v| (inputs of similar size, beta away from 0 and 1).
    shown = reveal(ctx, f"(params = {_show(x)}, grad = {_show(g)}, velocity = {_show(v)}, lr = {lr}, beta = {beta}: "
                        f"expected new params {_show(want_x)} and velocity {_show(want_v)}.)")
    if not step_matches(x64, got_x, want_x):
        mistakes = (_momentum_step_mistakes if momentum else _nesterov_step_mistakes)(x64, g64, v64, lr, beta)
        for tag, candidate, explanation in mistakes:
            if step_matches(x64, got_x, candidate) and not step_matches(x64, want_x, candidate):
                ctx.fail(f"{explanation} ({what}){shown}", tag)
        ctx.fail(f"{function}: the new params do not follow {text} ({what}).{shown}")
    if not step_matches(v64, got_v, want_v):
        for tag, candidate, explanation in _velocity_mistakes(function, g64, v64, lr, beta):
            if step_matches(v64, got_v, candidate) and not step_matches(v64, want_v, candidate):
                ctx.fail(f"{explanation} ({what}){shown}", tag)
        ctx.fail(f"{function}: the new state's velocity is not beta * (old velocity) + grad ({what}).{shown}")
    if not _same(outcome.args_after[2], state):
        ctx.fail(f"{function} modified the state it was given in place ({what}); compute the new velocity as a "
                 f"new array (v = beta * state.velocity + grad) and return a new MomentumState.", STATE_IN_PLACE)
    for i, name in ((0, "params"), (1, "grad")):
        if not _same(outcome.args_after[i], (x, g)[i]):
            ctx.fail(f"{function} modified its {name} argument in place ({what}); return new arrays "
                     f"(x_new = params - ..., not params -= ...).", INPUT_IN_PLACE)


def _random_case(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[Any, np.ndarray, np.ndarray, float, float]:
    """params, grad, velocity of ``shape`` and (lr, beta). Velocity and gradient of similar size, so that the
    previous velocity, the gradient and the (1 - beta) factor each move the step by a visible amount."""
    x = rng.normal(size=shape)
    g = rng.normal(size=shape)
    v = rng.normal(size=shape) * 1.5
    lr = float(rng.uniform(0.01, 0.3))
    beta = float(rng.uniform(0.3, 0.95))
    if shape == ():
        return float(x), np.float64(g), np.asarray(v), lr, beta
    return x, g, v, lr, beta


def _shapes(rng: np.random.Generator) -> list[tuple[int, ...]]:
    m, n = (int(k) for k in rng.choice(np.arange(2, 6), size=2, replace=False))
    return [(int(rng.integers(2, 7)),), (m, n), ()]


# ---- 3.2 momentum_update -----------------------------------------------------------------

@check("3.2", "momentum_update takes one step of the lecture's rule from a small known state", public=True)
def momentum_update_public(ctx: Ctx) -> None:
    _check_step(ctx, "momentum_update", np.array([1.0, -1.0]), np.array([2.0, 1.0]), np.array([0.5, -1.0]),
                0.1, 0.9, "a 2-vector")


@check("3.2", "momentum_update follows g_t = beta*g_(t-1) + grad, x - lr*g_t for vectors, matrices and scalars")
def momentum_update_rule(ctx: Ctx) -> None:
    for shape in _shapes(ctx.rng):
        x, g, v, lr, beta = _random_case(ctx.rng, shape)
        _check_step(ctx, "momentum_update", x, g, v, lr, beta, f"params of shape {shape}")


@check("3.2", "momentum_update leaves params, grad and the state unchanged and accepts integer and list inputs")
def momentum_update_inputs(ctx: Ctx) -> None:
    _check_update_inputs(ctx, "momentum_update")


def _check_update_inputs(ctx: Ctx, function: str) -> None:
    """Purity and input kinds of momentum_update / nesterov_update.

    The first step from a zero state (what momentum_init gives), then integer params with a list
    of integers as the gradient (the results must be float64 all the same), then a matrix. All
    float arrays passed are float64, so an in-place -=, *= or += on any of them would show.
    """
    dim = int(ctx.rng.integers(2, 6))
    lr, beta = float(ctx.rng.uniform(0.05, 0.3)), float(ctx.rng.uniform(0.5, 0.95))
    _check_step(ctx, function, ctx.rng.normal(size=dim), ctx.rng.normal(size=dim), np.zeros(dim), lr, beta,
                "a zero state")
    ints = ctx.rng.integers(-4, 5, size=dim)
    _check_step(ctx, function, ints, [int(v) for v in ctx.rng.integers(-3, 4, size=dim)], ctx.rng.normal(size=dim),
                lr, beta, "integer params and a list of ints as grad")
    x, g, v, lr, beta = _random_case(ctx.rng, (dim, 2))
    _check_step(ctx, function, x, g, v, lr, beta, "a matrix params")


# ---- 3.3 nesterov_update -----------------------------------------------------------------

@check("3.3", "nesterov_update takes one step of PyTorch's Nesterov rule from a small known state", public=True)
def nesterov_update_public(ctx: Ctx) -> None:
    _check_step(ctx, "nesterov_update", np.array([1.0, 2.0]), np.array([1.0, -2.0]), np.array([0.5, 1.0]),
                0.1, 0.5, "a 2-vector")


@check("3.3", "nesterov_update follows v_t = beta*v_(t-1) + grad, x - lr*(grad + beta*v_t) for several shapes")
def nesterov_update_rule(ctx: Ctx) -> None:
    for shape in _shapes(ctx.rng):
        x, g, v, lr, beta = _random_case(ctx.rng, shape)
        _check_step(ctx, "nesterov_update", x, g, v, lr, beta, f"params of shape {shape}")


@check("3.3", "nesterov_update leaves params, grad and the state unchanged and accepts integer and list inputs")
def nesterov_update_inputs(ctx: Ctx) -> None:
    _check_update_inputs(ctx, "nesterov_update")


# ---- 3.4 run_momentum --------------------------------------------------------------------

def _check_run(ctx: Ctx, objective: obj.Objective, x0: Any, lr: float, beta: float, num_steps: int,
               nesterov: bool | None, what: str) -> np.ndarray:
    """Run the student's run_momentum and verify every row from the rows before it; return the trajectory.

    nesterov=None leaves the argument out (its default is plain momentum).
    """
    df = Recorder(objective.grad)
    options = {} if nesterov is None else {"nesterov": nesterov}
    outcome = ctx.require(ctx.outcome("run_momentum", df, x0, lr=lr, beta=beta, num_steps=num_steps, **options),
                          "run_momentum")
    nesterov = bool(nesterov)
    shape = np.shape(x0)
    traj = outcome.value
    if not isinstance(traj, np.ndarray) or traj.ndim != len(shape) + 1 or traj.shape[1:] != shape:
        want = "(num_steps+1,)" if not shape else f"(num_steps+1, {shape[0]})"
        ctx.fail(f"run_momentum should return the trajectory as an array of shape {want} for {what}; "
                 f"the code returned {describe(traj)}.", "wrong shape")
    traj = float_array(traj, None, f"the trajectory ({what})")
    if not _same(outcome.args_after[1], x0):
        ctx.fail(f"run_momentum modified x0 in place ({what}); start from a copy: x = np.array(x0, dtype=float).",
                 INPUT_IN_PLACE)
    if len(traj) == 0 or not np.array_equal(traj[0], _as64(x0)):
        ctx.fail(f"row 0 of the trajectory must be x0 ({what}); if the loop stores x and an update then changes "
                 f"that array in place, the stored rows change with it.")
    if same_rows(traj):
        ctx.fail("every row of the trajectory is the same: the list holds one array object updated in place "
                 "(keep the new array that each update returns, or append a copy).", "rows alias one array")
    if len(traj) != num_steps + 1:
        ctx.fail(f"the trajectory has {len(traj)} rows for num_steps = {num_steps} ({what}); it holds x0 and one "
                 f"row per update, so num_steps + 1 rows.")
    v = np.zeros(shape)
    for t in range(num_steps):
        x_t, got = traj[t], traj[t + 1]
        g = _as64(objective.grad(x_t))
        v = beta * v + g
        want = x_t - lr * ((g + beta * v) if nesterov else v)
        if step_matches(x_t, got, want):
            continue
        fresh = x_t - lr * ((1 + beta) * g if nesterov else g)
        rule = NESTEROV_RULE if nesterov else MOMENTUM_RULE
        rows = list(traj)
        if nesterov and any(not any(np.array_equal(_as64(c[0]), r) for r in rows) for c in df.calls):
            ctx.fail(f"run_momentum evaluates df away from the iterates (at a look-ahead point, it seems); the "
                     f"contract's Nesterov (PyTorch's form) uses df(x_t) at the current iterate and {rule} "
                     f"({what}).", LOOK_AHEAD)
        if t >= 1 and step_matches(x_t, got, fresh) and not step_matches(x_t, want, fresh):
            ctx.fail(f"row {t + 1} steps as if the velocity were zero again: the state must be made ONCE, "
                     f"state = momentum_init(x0) before the loop, and each update's new state passed to the next "
                     f"({what}).", REINIT)
        if _follows(traj, objective, lr, beta, not nesterov):
            flag = "nesterov=True asks for Nesterov's" if nesterov else "nesterov=False (the default) asks for plain momentum's"
            ctx.fail(f"the trajectory follows the {'plain momentum' if nesterov else 'Nesterov'} rule from row 1 on; "
                     f"{flag} rule {rule} ({what}).", WRONG_FLAVOUR)
        ctx.fail(f"row {t + 1} does not follow {rule} from the rows before it, with grad = df(x_t) and the "
                 f"velocity starting at 0 ({what}).{reveal(ctx, f'Expected row {t + 1} = {_show(want)}, got {_show(got)}.')}")
    return traj


def _follows(traj: np.ndarray, objective: obj.Objective, lr: float, beta: float, nesterov: bool) -> bool:
    """True when every row of ``traj`` follows the given rule (to diagnose the wrong one of the two)."""
    v = np.zeros(traj.shape[1:])
    for t in range(len(traj) - 1):
        g = _as64(objective.grad(traj[t]))
        v = beta * v + g
        if not step_matches(traj[t], traj[t + 1], traj[t] - lr * ((g + beta * v) if nesterov else v)):
            return False
    return True


def _nonsymmetric_quadratic(rng: np.random.Generator, dim: int) -> tuple[obj.Objective, float]:
    """f(x) = 0.5 x@A@x - b@x with A = S + K, S symmetric positive definite and K antisymmetric
    (so A is not symmetric; the gradient is S x - b). Returns the objective and S's largest eigenvalue."""
    M = rng.normal(size=(dim, dim))
    S = M @ M.T / dim + 0.5 * np.eye(dim)
    K = rng.normal(size=(dim, dim))
    A = S + (K - K.T)
    b = rng.normal(size=dim) + 1.0  # a minimiser away from the origin
    return obj.quadratic(A, b), float(np.linalg.eigvalsh(S)[-1])


# Rosenbrock from |x|, |y| <= 1.2: the Hessian's largest eigenvalue stays below ~2.4e3 there,
# and momentum (Nesterov's too) is stable while lr * L < 2(1+beta)/(1+2beta) (>= 1.03), so
# lr <= 3e-4 keeps every run finite; 30 steps move far enough for each term to matter.
ROSEN_LR = (1e-4, 3e-4)


@check("3.4", "run_momentum on f = x**2 from x0 = 1 follows momentum, and Nesterov with nesterov=True", public=True)
def run_momentum_public(ctx: Ctx) -> None:
    square = obj.scaled_square(1.0)
    for nesterov in (None, True):
        try:
            _check_run(ctx, square, 1.0, 0.1, 0.5, 5, nesterov,
                       "f = x**2, x0 = 1.0, lr = 0.1, beta = 0.5, 5 steps" + (", nesterov=True" if nesterov else ""))
        except CheckFailed:
            _picture_run(ctx, square, bool(nesterov))
            raise


def _picture_run(ctx: Ctx, objective: obj.Objective, nesterov: bool) -> None:
    """Feedback figure of the public check: the student's 5 steps beside the lecture's rule."""
    def step(x, g, memory):
        v = 0.5 * memory.get("v", 0.0) + g
        memory["v"] = v
        return x - 0.1 * (g + 0.5 * v if nesterov else v)

    outcome = ctx.outcome("run_momentum", objective.grad, 1.0, lr=0.1, beta=0.5, num_steps=5, nesterov=nesterov)
    if outcome.error is None:
        attach_path(ctx, objective, outcome.value, expected_path(objective, 1.0, 5, step),
                    f"{'Nesterov' if nesterov else 'momentum'} on x**2 from 1 (lr 0.1, beta 0.5)")


@check("3.4", "run_momentum follows the lecture's momentum step by step on Rosenbrock and a non-symmetric quadratic")
def run_momentum_follows_momentum(ctx: Ctx) -> None:
    x0 = ctx.rng.uniform(-1.2, 1.2, size=2)
    lr, beta = float(ctx.rng.uniform(*ROSEN_LR)), float(ctx.rng.uniform(0.6, 0.9))
    _check_run(ctx, obj.rosenbrock(), x0, lr, beta, 30, None, "Rosenbrock")
    dim = int(ctx.rng.integers(3, 6))
    quad, top = _nonsymmetric_quadratic(ctx.rng, dim)
    lr, beta = float(ctx.rng.uniform(0.1, 0.6)) / top, float(ctx.rng.uniform(0.5, 0.9))
    _check_run(ctx, quad, ctx.rng.normal(size=dim), lr, beta, 25, False, f"a {dim}-D quadratic")


@check("3.4", "run_momentum with nesterov=True follows Nesterov step by step on Rosenbrock and a non-symmetric quadratic")
def run_momentum_follows_nesterov(ctx: Ctx) -> None:
    x0 = ctx.rng.uniform(-1.2, 1.2, size=2)
    lr, beta = float(ctx.rng.uniform(*ROSEN_LR)), float(ctx.rng.uniform(0.6, 0.9))
    _check_run(ctx, obj.rosenbrock(), x0, lr, beta, 30, True, "Rosenbrock, nesterov=True")
    dim = int(ctx.rng.integers(3, 6))
    quad, top = _nonsymmetric_quadratic(ctx.rng, dim)
    lr, beta = float(ctx.rng.uniform(0.1, 0.6)) / top, float(ctx.rng.uniform(0.5, 0.9))
    _check_run(ctx, quad, ctx.rng.normal(size=dim), lr, beta, 25, True, f"a {dim}-D quadratic, nesterov=True")


@check("3.4", "run_momentum takes scalar and integer-list x0, leaves x0 unchanged and returns num_steps+1 float64 rows, "
              "num_steps = 0 included")
def run_momentum_edges(ctx: Ctx) -> None:
    # A scalar x0 on the double well (f'' <= 70 on |x| <= 2.5, so lr <= 0.012 is stable even
    # with the overshoot momentum brings), an integer list on a quadratic, a float64 array that
    # an in-place update would change, and the shortest runs (0 and 1 updates).
    well = obj.double_well()
    lr, beta = float(ctx.rng.uniform(0.005, 0.012)), float(ctx.rng.uniform(0.5, 0.9))
    x0 = float(ctx.rng.uniform(-2.0, 2.0))
    _check_run(ctx, well, x0, lr, beta, 20, False, "a scalar x0 on the double well")
    _check_run(ctx, well, x0, lr, beta, 20, True, "a scalar x0 on the double well, nesterov=True")
    dim = 3
    quad, top = _nonsymmetric_quadratic(ctx.rng, dim)
    lr = float(ctx.rng.uniform(0.1, 0.5)) / top
    _check_run(ctx, quad, [int(v) for v in ctx.rng.integers(-3, 4, size=dim)], lr, beta, 10, None,
               "an integer list x0")
    _check_run(ctx, quad, ctx.rng.normal(size=dim), lr, beta, 10, True, "a float64 array x0")
    _check_run(ctx, quad, ctx.rng.normal(size=dim), lr, beta, 0, None, "num_steps = 0")
    _check_run(ctx, quad, ctx.rng.normal(size=dim), lr, beta, 1, True, "num_steps = 1")
    # No update promotes the rows to float here, so [x0] is float64 only if x0 was converted.
    _check_run(ctx, quad, [int(v) for v in ctx.rng.integers(-3, 4, size=dim)], lr, beta, 0, None,
               "an integer list x0 with num_steps = 0")
