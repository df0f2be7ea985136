# mutant: minimize copies x0 without converting it (np.array(x0)): an integer x0 with num_steps = 0 gives an int64 trajectory
# kills: 4.5
# mistake: not float64
"""Part 4 — adaptive learning rates (Lecture 4, "Adding adaptive learning rates", "Modern Optimizers").

The larger the previous gradients were, the smaller the next steps: the lecture's rule keeps one
scalar rate that shrinks with the gradients seen so far,

    x_{t+1} = x_t - eta / sqrt(eps + sum_{j=0..t} ||grad f(x_j)||**2) * grad f(x_t),

and AdaGrad, RMSprop and Adam do the same per coordinate, with different memories.

Where eps sits differs between libraries, and it matters when gradients are tiny:
- inside the square root: the lecture's AdaGrad-Norm (task 4.1);
- outside, added to the root: torch.optim.Adagrad / RMSprop / Adam (tasks 4.2-4.4).

Optimisers are pairs of pure functions: ``*_init(params)`` makes a NamedTuple state and
``*_update(params, grad, state, ...)`` returns ``(new_params, new_state)`` without modifying
anything. ``params`` may have any shape.
"""
from typing import NamedTuple

import numpy as np


class AdaGradState(NamedTuple):
    """sum_sq: running sum of squared gradients, per coordinate (starts at 0)."""

    sum_sq: np.ndarray


class RMSpropState(NamedTuple):
    """sq_avg: exponential moving average of squared gradients, per coordinate (starts at 0)."""

    sq_avg: np.ndarray


class AdamState(NamedTuple):
    """step: number of completed updates (starts at 0); m, v: first and second moment estimates."""

    step: int
    m: np.ndarray
    v: np.ndarray


def adagrad_norm(df, x0, *, lr, eps, num_steps):
    """Task 4.1 — the lecture's adaptive rate (AdaGrad-Norm, Ward, Wu & Bottou 2019).

        x_{t+1} = x_t - lr / sqrt(eps + sum_{j=0..t} ||df(x_j)||**2) * df(x_t)

    One scalar rate for all coordinates; the CURRENT gradient is included in the sum; eps sits
    INSIDE the square root (b_0**2 = eps in the paper). The lecture numbers iterates from 1,
    so its sum over j = 1..t is this same sum.

    x0: scalar or shape (D,). Returns the trajectory of num_steps updates.
    """
    # BEGIN SOLUTION task 4.1: keep a running total eps + sum of squared gradient norms; add the current one before stepping.
    x = np.array(x0, dtype=np.float64)
    total = float(eps)
    trajectory = [x]
    for _ in range(num_steps):
        g = np.asarray(df(x), dtype=np.float64)
        total += float(np.sum(g * g))
        x = x - lr / np.sqrt(total) * g
        trajectory.append(x)
    return np.array(trajectory)
    # END SOLUTION


def adagrad_init(params):
    """Task 4.2 — AdaGradState with sum_sq = float64 zeros shaped like params."""
    # BEGIN SOLUTION task 4.2: a zero accumulator shaped like params.
    return AdaGradState(sum_sq=np.zeros(np.shape(params), dtype=np.float64))
    # END SOLUTION


def adagrad_update(params, grad, state, *, lr=0.01, eps=1e-10):
    """Task 4.2 — one per-coordinate AdaGrad step, as torch.optim.Adagrad.

        s <- s + grad**2
        x <- x - lr * grad / (sqrt(s) + eps)        (eps OUTSIDE the square root)

    Returns (new_params, AdaGradState(sum_sq=s)).
    """
    # BEGIN SOLUTION task 4.2: accumulate the squared gradient, then divide by its root plus eps.
    g = np.asarray(grad, dtype=np.float64)
    sum_sq = np.asarray(state.sum_sq, dtype=np.float64) + g * g
    new_params = np.asarray(params, dtype=np.float64) - lr * g / (np.sqrt(sum_sq) + eps)
    return new_params, AdaGradState(sum_sq=sum_sq)
    # END SOLUTION


def rmsprop_init(params):
    """Task 4.3 — RMSpropState with sq_avg = float64 zeros shaped like params."""
    # BEGIN SOLUTION task 4.3: a zero average shaped like params.
    return RMSpropState(sq_avg=np.zeros(np.shape(params), dtype=np.float64))
    # END SOLUTION


def rmsprop_update(params, grad, state, *, lr=0.01, alpha=0.99, eps=1e-8):
    """Task 4.3 — one RMSprop step, as torch.optim.RMSprop (alpha is the decay, default 0.99).

        v <- alpha * v + (1 - alpha) * grad**2
        x <- x - lr * grad / (sqrt(v) + eps)

    Returns (new_params, RMSpropState(sq_avg=v)).
    """
    # BEGIN SOLUTION task 4.3: decay the running average of squared gradients, then take the scaled step.
    g = np.asarray(grad, dtype=np.float64)
    sq_avg = alpha * np.asarray(state.sq_avg, dtype=np.float64) + (1.0 - alpha) * g * g
    new_params = np.asarray(params, dtype=np.float64) - lr * g / (np.sqrt(sq_avg) + eps)
    return new_params, RMSpropState(sq_avg=sq_avg)
    # END SOLUTION


def adam_init(params):
    """Task 4.4 — AdamState(step=0, m=zeros, v=zeros), moments shaped like params."""
    # BEGIN SOLUTION task 4.4: step 0 and two zero moments shaped like params.
    zeros = np.zeros(np.shape(params), dtype=np.float64)
    return AdamState(step=0, m=zeros, v=zeros.copy())
    # END SOLUTION


def adam_update(params, grad, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Task 4.4 — one Adam step, as torch.optim.Adam (Algorithm 1 of Kingma & Ba).

        t     <- t + 1
        m     <- beta1 * m + (1 - beta1) * grad
        v     <- beta2 * v + (1 - beta2) * grad**2
        m_hat  = m / (1 - beta1**t)          (bias corrections: m and v start at 0)
        v_hat  = v / (1 - beta2**t)
        x     <- x - lr * m_hat / (sqrt(v_hat) + eps)

    Because of the bias correction, the first step has size about lr in every coordinate.
    Returns (new_params, AdamState(step=t, m=m, v=v)).
    """
    # BEGIN SOLUTION task 4.4: advance the step counter first, update both moments, bias-correct them, then step.
    g = np.asarray(grad, dtype=np.float64)
    step = int(state.step) + 1
    m = beta1 * np.asarray(state.m, dtype=np.float64) + (1.0 - beta1) * g
    v = beta2 * np.asarray(state.v, dtype=np.float64) + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**step)
    v_hat = v / (1.0 - beta2**step)
    new_params = np.asarray(params, dtype=np.float64) - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_params, AdamState(step=step, m=m, v=v)
    # END SOLUTION


def minimize(df, x0, init, update, *, num_steps, **hyper):
    """Task 4.5 — run any optimiser of this part for num_steps updates.

        state = init(x0)
        repeat num_steps times:  x, state = update(x, df(x), state, **hyper)

    hyper: the optimiser's keyword hyper-parameters (lr=..., eps=...), passed through.
    Returns the trajectory [x_0, ..., x_num_steps].
    """
    # BEGIN SOLUTION task 4.5: initialise once from x0, then loop update with **hyper, keeping a copy of every iterate.
    x = np.array(x0)
    state = init(x)
    trajectory = [x]
    for _ in range(num_steps):
        x, state = update(x, df(x), state, **hyper)
        x = np.array(x, dtype=np.float64)
        trajectory.append(x)
    return np.array(trajectory)
    # END SOLUTION
