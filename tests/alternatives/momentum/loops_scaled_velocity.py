# alternative: entry-by-entry loops over np.ndindex for the updates; run_momentum is its own while-loop with a lr-scaled velocity u = lr*g (CS231n-style internally, equal while lr is constant) and a preallocated trajectory
"""Part 3 — momentum, written with explicit loops."""
from typing import NamedTuple

import numpy as np


class MomentumState(NamedTuple):
    """velocity: the running direction g_{t-1} (v_{t-1} for Nesterov), shaped like params."""

    velocity: np.ndarray


def momentum_init(params):
    shape = np.shape(params)
    velocity = np.empty(shape, dtype=np.float64)
    for index in np.ndindex(shape):
        velocity[index] = 0.0
    return MomentumState(velocity)


def _entries(a):
    return np.array(a, dtype=np.float64)  # a private float copy, written entry by entry below


def momentum_update(params, grad, state, *, lr, beta):
    x, g, v_old = _entries(params), _entries(grad), _entries(state.velocity)
    v = np.empty_like(x)
    for i in np.ndindex(x.shape):
        v[i] = beta * v_old[i] + g[i]
        x[i] = x[i] - lr * v[i]
    return x, MomentumState(velocity=v)


def nesterov_update(params, grad, state, *, lr, beta):
    x, g, v_old = _entries(params), _entries(grad), _entries(state.velocity)
    v = np.empty_like(x)
    for i in np.ndindex(x.shape):
        v[i] = beta * v_old[i] + g[i]
        x[i] = x[i] - lr * g[i] - lr * beta * v[i]
    return x, MomentumState(velocity=v)


def run_momentum(df, x0, *, lr, beta, num_steps, nesterov=False):
    shape = np.shape(x0)
    trajectory = np.empty((num_steps + 1,) + shape, dtype=np.float64)
    trajectory[0] = x0
    u = np.zeros(shape)  # u = lr * velocity: the distance the velocity alone moves x
    t = 0
    while t < num_steps:
        x = trajectory[t]
        g = np.asarray(df(x.copy() if shape else float(x)), dtype=np.float64)
        u = beta * u + lr * g
        step = lr * g + beta * u if nesterov else u
        trajectory[t + 1] = x - step
        t += 1
    return trajectory
