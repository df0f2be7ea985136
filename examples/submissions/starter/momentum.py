"""Part 3 — momentum (Lecture 4, "Adding Momentum").

Momentum remembers where previous steps went, so the walk cannot make very sharp turns from
one step to the next. The lecture's rule, with momentum parameter beta:

    g_t     = beta * g_{t-1} + grad f(x_t),      g_{-1} = 0
    x_{t+1} = x_t - eta * g_t

This is exactly torch.optim.SGD(momentum=beta) with no dampening: the buffer starts at the
first gradient. (CS231n's ``v = mu*v - lr*dx; x += v`` agrees only while lr is constant.)

Optimisers here are pairs of pure functions in the style of optax: ``*_init(params)`` makes a
state, ``*_update(params, grad, state, ...)`` returns ``(new_params, new_state)`` and never
modifies its arguments. States are immutable NamedTuples.
"""
from typing import NamedTuple

import numpy as np


class MomentumState(NamedTuple):
    """State of momentum and Nesterov momentum.

    velocity: the running direction g_{t-1} (v_{t-1} for Nesterov), shaped like params.
    """

    velocity: np.ndarray


def momentum_init(params):
    """Task 3.1 — a MomentumState whose velocity is float64 zeros shaped like params."""
    # TODO(task 3.1): a zero velocity with the shape of params.
    raise NotImplementedError("task 3.1")


def momentum_update(params, grad, state, *, lr, beta):
    """Task 3.2 — one step of the lecture's momentum.

        g_t     = beta * g_{t-1} + grad      (g_{t-1} is state.velocity)
        x_{t+1} = x_t - lr * g_t

    Returns (new_params, MomentumState(velocity=g_t)); params, grad and state are unchanged.
    """
    # TODO(task 3.2): update the velocity first, then step with the NEW velocity.
    raise NotImplementedError("task 3.2")


def nesterov_update(params, grad, state, *, lr, beta):
    """Task 3.3 — one step of Nesterov momentum in PyTorch's form.

        v_t     = beta * v_{t-1} + grad
        x_{t+1} = x_t - lr * (grad + beta * v_t)

    (Not the "look-ahead" form that evaluates the gradient at x_t - lr*beta*v: PyTorch's
    form keeps the same state and uses the gradient at x_t.)
    Returns (new_params, MomentumState(velocity=v_t)).
    """
    # TODO(task 3.3): update the velocity, then step with grad + beta * (new velocity).
    raise NotImplementedError("task 3.3")


def run_momentum(df, x0, *, lr, beta, num_steps, nesterov=False):
    """Task 3.4 — num_steps updates from x0 with momentum (Nesterov when nesterov=True).

    state = momentum_init(x0); then num_steps times: x, state = update(x, df(x), state).
    Returns the trajectory [x_0, ..., x_num_steps]: shape (num_steps+1,) or (num_steps+1, D).
    """
    # TODO(task 3.4): initialise the state once, then loop, keeping every iterate.
    raise NotImplementedError("task 3.4")
