# mutant: run_momentum copies x0 without converting it (np.array(x0)): an integer x0 with num_steps = 0 gives an int64 trajectory
# kills: 3.4
# mistake: not float64
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
    # BEGIN SOLUTION task 3.1: a zero velocity with the shape of params.
    return MomentumState(velocity=np.zeros(np.shape(params), dtype=np.float64))
    # END SOLUTION


def momentum_update(params, grad, state, *, lr, beta):
    """Task 3.2 — one step of the lecture's momentum.

        g_t     = beta * g_{t-1} + grad      (g_{t-1} is state.velocity)
        x_{t+1} = x_t - lr * g_t

    Returns (new_params, MomentumState(velocity=g_t)); params, grad and state are unchanged.
    """
    # BEGIN SOLUTION task 3.2: update the velocity first, then step with the NEW velocity.
    velocity = beta * np.asarray(state.velocity, dtype=np.float64) + np.asarray(grad, dtype=np.float64)
    new_params = np.asarray(params, dtype=np.float64) - lr * velocity
    return new_params, MomentumState(velocity=velocity)
    # END SOLUTION


def nesterov_update(params, grad, state, *, lr, beta):
    """Task 3.3 — one step of Nesterov momentum in PyTorch's form.

        v_t     = beta * v_{t-1} + grad
        x_{t+1} = x_t - lr * (grad + beta * v_t)

    (Not the "look-ahead" form that evaluates the gradient at x_t - lr*beta*v: PyTorch's
    form keeps the same state and uses the gradient at x_t.)
    Returns (new_params, MomentumState(velocity=v_t)).
    """
    # BEGIN SOLUTION task 3.3: update the velocity, then step with grad + beta * (new velocity).
    g = np.asarray(grad, dtype=np.float64)
    velocity = beta * np.asarray(state.velocity, dtype=np.float64) + g
    new_params = np.asarray(params, dtype=np.float64) - lr * (g + beta * velocity)
    return new_params, MomentumState(velocity=velocity)
    # END SOLUTION


def run_momentum(df, x0, *, lr, beta, num_steps, nesterov=False):
    """Task 3.4 — num_steps updates from x0 with momentum (Nesterov when nesterov=True).

    state = momentum_init(x0); then num_steps times: x, state = update(x, df(x), state).
    Returns the trajectory [x_0, ..., x_num_steps]: shape (num_steps+1,) or (num_steps+1, D).
    """
    # BEGIN SOLUTION task 3.4: initialise the state once, then loop, keeping every iterate.
    update = nesterov_update if nesterov else momentum_update
    x = np.array(x0)
    state = momentum_init(x)
    trajectory = [x]
    for _ in range(num_steps):
        x, state = update(x, df(x), state, lr=lr, beta=beta)
        trajectory.append(x)
    return np.array(trajectory)
    # END SOLUTION
