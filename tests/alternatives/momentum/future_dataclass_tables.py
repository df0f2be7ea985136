# alternative: from __future__ import annotations, a frozen dataclass of hyperparameters, a module-level table of rules, NamedTuple._replace for new states, Nesterov expanded as x - lr*((1+beta)*grad + beta**2*v_prev), an extra optional dampening argument (default 0) and an extra callback argument of run_momentum
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np


class MomentumState(NamedTuple):
    velocity: np.ndarray


@dataclass(frozen=True)
class Hyper:
    lr: float
    beta: float
    dampening: float = 0.0


def momentum_init(params) -> MomentumState:
    return MomentumState(velocity=np.zeros_like(np.asarray(params, dtype=np.float64)))


def _velocity(grad, state: MomentumState, h: Hyper) -> np.ndarray:
    return h.beta * np.asarray(state.velocity, dtype=np.float64) + (1.0 - h.dampening) * np.asarray(grad, dtype=np.float64)


def _plain(params, grad, state: MomentumState, h: Hyper):
    v = _velocity(grad, state, h)
    return np.subtract(params, h.lr * v, dtype=np.float64), state._replace(velocity=v)


def _nesterov(params, grad, state: MomentumState, h: Hyper):
    g = np.asarray(grad, dtype=np.float64)
    v_prev = np.asarray(state.velocity, dtype=np.float64)
    direction = (1.0 + h.beta) * g + h.beta**2 * v_prev  # = grad + beta * (beta * v_prev + grad)
    return np.asarray(params, dtype=np.float64) - h.lr * direction, state._replace(velocity=_velocity(grad, state, h))


RULES: dict[bool, Callable] = {False: _plain, True: _nesterov}


def momentum_update(params, grad, state, *, lr, beta, dampening=0.0):
    return RULES[False](params, grad, state, Hyper(lr, beta, dampening))


def nesterov_update(params, grad, state, *, lr, beta):
    return RULES[True](params, grad, state, Hyper(lr, beta))


def run_momentum(df, x0, *, lr, beta, num_steps, nesterov=False, callback=None):
    h = Hyper(lr, beta)
    rule = RULES[bool(nesterov)]
    x = np.array(x0, dtype=np.float64)
    state = momentum_init(x)
    rows = [x]
    for step in range(num_steps):
        x, state = rule(x, df(x), state, h)
        rows.append(x)
        if callback is not None:
            callback(step, x)
    return np.stack(rows)
