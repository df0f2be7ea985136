# alternative: in-place numpy arithmetic (out=, -=) on private copies only, np.float64 scalars for scalar params (velocity and new params), a generic run loop shared by both rules that builds the trajectory with np.vstack/reshape
"""Part 3 — momentum, with in-place arithmetic on fresh copies."""
import typing

import numpy as np


class MomentumState(typing.NamedTuple):
    velocity: np.ndarray


def momentum_init(params):
    if np.ndim(params) == 0:
        return MomentumState(np.float64(0.0))
    return MomentumState(np.zeros(np.shape(params)))


def _new_velocity(grad, state, beta):
    v = np.array(state.velocity, dtype=np.float64, copy=True)
    np.multiply(v, beta, out=v)
    np.add(v, np.asarray(grad, dtype=np.float64), out=v)
    return v


def _finish(x, v):
    if x.ndim == 0:
        return np.float64(x), MomentumState(np.float64(v))
    return x, MomentumState(v)


def momentum_update(params, grad, state, *, lr, beta):
    v = _new_velocity(grad, state, beta)
    x = np.array(params, dtype=np.float64, copy=True)
    x -= lr * v
    return _finish(x, v)


def nesterov_update(params, grad, state, *, lr, beta):
    v = _new_velocity(grad, state, beta)
    x = np.array(params, dtype=np.float64, copy=True)
    x -= lr * np.asarray(grad, dtype=np.float64)
    x -= (lr * beta) * v
    return _finish(x, v)


def _run(update, df, x0, lr, beta, num_steps):
    x = np.array(x0, dtype=np.float64, copy=True)
    state = momentum_init(x0)
    rows = [np.reshape(x, -1).copy()]
    for _ in range(num_steps):
        x, state = update(x, df(x), state, lr=lr, beta=beta)
        rows.append(np.reshape(np.asarray(x), -1).copy())
    return np.vstack(rows).reshape((num_steps + 1,) + np.shape(x0))


def run_momentum(df, x0, *, lr, beta, num_steps, nesterov=False):
    return _run(nesterov_update if nesterov else momentum_update, df, x0, lr, beta, num_steps)
