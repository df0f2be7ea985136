# alternative: a frozen dataclass per optimiser holding its rule, with module-level functions dispatching through a table; np.float64 scalars for scalar params, np.int64 step counts, gradients stored and re-summed each step in AdaGrad-Norm with eps added at the root, minimize collecting a list converted at the end
"""Part 4 — adaptive learning rates, organised as a table of rules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np


class AdaGradState(NamedTuple):
    sum_sq: np.ndarray


class RMSpropState(NamedTuple):
    sq_avg: np.ndarray


class AdamState(NamedTuple):
    step: int
    m: np.ndarray
    v: np.ndarray


def _f(a):
    return np.asarray(a, dtype=np.float64)


def _plain(a):
    a = _f(a)
    return a[()] if a.ndim == 0 else a  # np.float64 for a scalar


@dataclass(frozen=True)
class Rule:
    make_state: Callable
    step: Callable


def _adagrad_step(x, g, st, lr, eps):
    s = _f(st.sum_sq) + np.square(g)
    return x - lr * g / (np.sqrt(s) + eps), AdaGradState(_plain(s))


def _rmsprop_step(x, g, st, lr, alpha, eps):
    v = alpha * _f(st.sq_avg) + (1.0 - alpha) * np.square(g)
    return x - lr * g / (eps + np.sqrt(v)), RMSpropState(_plain(v))


def _adam_step(x, g, st, lr, beta1, beta2, eps):
    t = np.int64(st.step) + 1
    m = beta1 * _f(st.m) + (1.0 - beta1) * g
    v = beta2 * _f(st.v) + (1.0 - beta2) * np.square(g)
    m_hat = m / (1.0 - np.power(beta1, t))
    v_hat = v / (1.0 - np.power(beta2, t))
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), AdamState(t, _plain(m), _plain(v))


RULES = {
    "adagrad": Rule(lambda p: AdaGradState(_plain(np.zeros_like(_f(p)))), _adagrad_step),
    "rmsprop": Rule(lambda p: RMSpropState(_plain(np.zeros_like(_f(p)))), _rmsprop_step),
    "adam": Rule(lambda p: AdamState(0, _plain(np.zeros_like(_f(p))), _plain(np.zeros_like(_f(p)))), _adam_step),
}


def _apply(name, params, grad, state, **hyper):
    x, new_state = RULES[name].step(_f(params), _f(grad), state, **hyper)
    return _plain(x), new_state


def adagrad_norm(df, x0, *, lr, eps, num_steps):
    x = _f(x0).copy()
    seen = []
    traj = [x]
    for _ in range(num_steps):
        g = _f(df(x))
        seen.append(g)
        denom = np.sqrt(eps + sum(float(np.vdot(h, h)) for h in seen))
        x = x - (lr / denom) * g
        traj.append(x)
    return np.array(traj, dtype=np.float64)


def adagrad_init(params):
    return RULES["adagrad"].make_state(params)


def adagrad_update(params, grad, state, *, lr=0.01, eps=1e-10):
    return _apply("adagrad", params, grad, state, lr=lr, eps=eps)


def rmsprop_init(params):
    return RULES["rmsprop"].make_state(params)


def rmsprop_update(params, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8):
    return _apply("rmsprop", params, grad, state, lr=lr, alpha=alpha, eps=eps)


def adam_init(params):
    return RULES["adam"].make_state(params)


def adam_update(params, grad, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return _apply("adam", params, grad, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def minimize(df, x0, init, update, *, num_steps, **hyper):
    state = init(x0)
    xs = [_f(x0).copy()]
    for _ in range(num_steps):
        new_x, state = update(xs[-1], df(xs[-1]), state, **hyper)
        xs.append(_f(new_x).copy())
    return np.asarray(xs, dtype=np.float64)
