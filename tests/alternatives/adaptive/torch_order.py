# alternative: torch's own operation order (lerp, addcmul, sqrt(v)/sqrt(bc2) + eps, step_size = lr/bc1), module-level default tables read by the signatures, extra optional keyword arguments, NamedTuple _replace, Python floats for scalar params and states, np.linalg.norm in AdaGrad-Norm, np.stack trajectories
"""Part 4 — adaptive learning rates, transcribing torch.optim's update order."""
import math
from typing import NamedTuple

import numpy as np

ADAGRAD_DEFAULTS = {"lr": 0.01, "eps": 1e-10}
RMSPROP_DEFAULTS = {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}
ADAM_DEFAULTS = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


class AdaGradState(NamedTuple):
    sum_sq: np.ndarray


class RMSpropState(NamedTuple):
    sq_avg: np.ndarray


class AdamState(NamedTuple):
    step: int
    m: np.ndarray
    v: np.ndarray


def _out(a):
    """Arrays stay arrays; a 0-d result becomes a Python float."""
    a = np.asarray(a, dtype=np.float64)
    return float(a) if a.ndim == 0 else a


def adagrad_norm(df, x0, *, lr, eps, num_steps, callback=None):
    x = np.array(x0, dtype=np.float64)
    b_sq = eps
    rows = [x.copy()]
    for _ in range(num_steps):
        g = np.asarray(df(x), dtype=np.float64)
        b_sq = b_sq + np.linalg.norm(np.ravel(g)) ** 2
        x = x - (lr / math.sqrt(b_sq)) * g
        rows.append(x.copy())
        if callback is not None:
            callback(x)
    return np.stack(rows)


def adagrad_init(params, initial_accumulator_value=0.0):
    return AdaGradState(_out(np.full(np.shape(params), initial_accumulator_value, dtype=np.float64)))


def adagrad_update(params, grad, state, *, lr=ADAGRAD_DEFAULTS["lr"], eps=ADAGRAD_DEFAULTS["eps"], maximize=False):
    g = np.asarray(grad, dtype=np.float64)
    if maximize:
        g = -g
    state_sum = np.asarray(state.sum_sq, dtype=np.float64) + g * g            # addcmul_(grad, grad, value=1)
    std = np.sqrt(state_sum) + eps                                             # sqrt().add_(eps)
    p = np.asarray(params, dtype=np.float64) + (-lr) * (g / std)               # addcdiv_(grad, std, value=-clr)
    return _out(p), state._replace(sum_sq=_out(state_sum))


def rmsprop_init(params):
    return RMSpropState(sq_avg=_out(np.zeros(np.shape(params))))


def rmsprop_update(params, grad, state, *, lr=RMSPROP_DEFAULTS["lr"], alpha=RMSPROP_DEFAULTS["alpha"],
                   eps=RMSPROP_DEFAULTS["eps"], weight_decay=0.0):
    p = np.asarray(params, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64) + weight_decay * p
    square_avg = np.asarray(state.sq_avg, dtype=np.float64) * alpha + (1 - alpha) * (g * g)  # mul_.addcmul_
    avg = np.sqrt(square_avg) + eps
    return _out(p + (-lr) * (g / avg)), state._replace(sq_avg=_out(square_avg))


def adam_init(params):
    return AdamState(step=0, m=_out(np.zeros(np.shape(params))), v=_out(np.zeros(np.shape(params))))


def adam_update(params, grad, state, *, lr=ADAM_DEFAULTS["lr"], beta1=ADAM_DEFAULTS["beta1"],
                beta2=ADAM_DEFAULTS["beta2"], eps=ADAM_DEFAULTS["eps"], amsgrad=False):
    if amsgrad:
        raise NotImplementedError("amsgrad is not part of the lab")
    step = state.step + 1
    g = np.asarray(grad, dtype=np.float64)
    exp_avg = np.asarray(state.m, dtype=np.float64)
    exp_avg = exp_avg + (1 - beta1) * (g - exp_avg)                                   # lerp_(grad, 1 - beta1)
    exp_avg_sq = np.asarray(state.v, dtype=np.float64) * beta2 + (1 - beta2) * g * g  # mul_.addcmul_
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    step_size = lr / bias_correction1
    denom = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + eps
    p = np.asarray(params, dtype=np.float64) + (-step_size) * (exp_avg / denom)       # addcdiv_
    return _out(p), state._replace(step=step, m=_out(exp_avg), v=_out(exp_avg_sq))


def minimize(df, x0, init, update, *, num_steps, **hyper):
    x = np.array(x0, dtype=np.float64)
    state = init(x)
    rows = [x]
    for _ in range(num_steps):
        grad = df(x)
        x, state = update(x, grad, state, **hyper)
        rows.append(np.array(x, dtype=np.float64))
    return np.stack(rows)
