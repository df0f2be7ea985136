# alternative: explicit Python loops over every coordinate (np.ndindex, math.sqrt), from __future__ annotations, 0-d arrays for scalar params, AdaGrad-Norm recomputing its sum from a stored list of squared norms, a preallocated trajectory
"""Part 4 — adaptive learning rates, written with loops over coordinates."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np


class AdaGradState(NamedTuple):
    sum_sq: np.ndarray


class RMSpropState(NamedTuple):
    sq_avg: np.ndarray


class AdamState(NamedTuple):
    step: int
    m: np.ndarray
    v: np.ndarray


def adagrad_norm(df, x0, *, lr, eps, num_steps):
    x = np.array(x0, dtype=float)
    out = np.empty((num_steps + 1,) + x.shape)
    out[0] = x
    squared_norms: list[float] = []
    for t in range(num_steps):
        g = np.array(df(out[t]), dtype=float)
        sq = 0.0
        for idx in np.ndindex(g.shape):
            sq += float(g[idx]) ** 2
        squared_norms.append(sq)
        rate = lr / math.sqrt(eps + math.fsum(squared_norms))
        nxt = np.array(out[t], copy=True)
        for idx in np.ndindex(g.shape):
            nxt[idx] = out[t][idx] - rate * g[idx]
        out[t + 1] = nxt
    return out


def _zeros(params) -> np.ndarray:
    shape = np.shape(params)
    z = np.empty(shape, dtype=float)
    for idx in np.ndindex(shape):
        z[idx] = 0.0
    return z


def adagrad_init(params):
    return AdaGradState(_zeros(params))


def adagrad_update(params, grad, state, *, lr=0.01, eps=1e-10):
    x = np.array(params, dtype=float)
    g = np.array(grad, dtype=float)
    s = np.array(state.sum_sq, dtype=float)
    for idx in np.ndindex(x.shape):
        s[idx] = s[idx] + g[idx] * g[idx]
        x[idx] = x[idx] - lr * g[idx] / (math.sqrt(s[idx]) + eps)
    return x, AdaGradState(s)


def rmsprop_init(params):
    return RMSpropState(_zeros(params))


def rmsprop_update(params, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8):
    x = np.array(params, dtype=float)
    g = np.array(grad, dtype=float)
    v = np.array(state.sq_avg, dtype=float)
    for idx in np.ndindex(x.shape):
        v[idx] = alpha * v[idx] + (1 - alpha) * g[idx] ** 2
        x[idx] -= lr * g[idx] / (math.sqrt(v[idx]) + eps)
    return x, RMSpropState(v)


def adam_init(params):
    return AdamState(0, _zeros(params), _zeros(params))


def adam_update(params, grad, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.step + 1
    x = np.array(params, dtype=float)
    g = np.array(grad, dtype=float)
    m = np.array(state.m, dtype=float)
    v = np.array(state.v, dtype=float)
    c1, c2 = 1 - beta1**t, 1 - beta2**t
    for idx in np.ndindex(x.shape):
        m[idx] = beta1 * m[idx] + (1 - beta1) * g[idx]
        v[idx] = beta2 * v[idx] + (1 - beta2) * g[idx] * g[idx]
        x[idx] -= lr * (m[idx] / c1) / (math.sqrt(v[idx] / c2) + eps)
    return x, AdamState(t, m, v)


def minimize(df, x0, init, update, *, num_steps, **hyper):
    x = np.array(x0, dtype=float)
    out = np.empty((num_steps + 1,) + x.shape)
    out[0] = x
    state = init(x.copy())
    for t in range(num_steps):
        x, state = update(x, df(x), state, **hyper)
        out[t + 1] = x
    return out
