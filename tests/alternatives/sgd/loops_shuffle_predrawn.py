# alternative: explicit loops everywhere: rng.shuffle of an arange, batches cut in a while loop, per-example gradients summed one by one and divided by the batch length, preallocated trajectory arrays, all the noise of noisy_gd drawn at once as rng.standard_normal((num_steps,) + shape)
"""Part 2 — mini-batches and stochastic gradient descent, written with plain loops."""
import math

import numpy as np


def minibatches(n, batch_size, rng):
    """Task 2.1 — one epoch's mini-batches of the indices 0..n-1, in a random order."""
    order = np.arange(n)
    rng.shuffle(order)
    batches = []
    start = 0
    while start < n:
        stop = min(start + batch_size, n)
        batches.append(order[start:stop].copy())
        start = stop
    return batches


def sgd(grads, theta0, n, *, lr, batch_size, epochs, rng):
    """Task 2.2 — mini-batch SGD over n training points."""
    theta = np.array(theta0, dtype=float)
    steps = epochs * math.ceil(n / batch_size)
    trajectory = np.empty((steps + 1, theta.shape[0]))
    trajectory[0] = theta
    row = 1
    for epoch in range(epochs):
        for idx in minibatches(n, batch_size, rng):
            per_example = np.asarray(grads(theta, idx), dtype=float)
            total = np.zeros_like(theta)
            for k in range(per_example.shape[0]):
                total = total + per_example[k]
            theta = theta - lr * (total / len(idx))
            trajectory[row] = theta
            row += 1
    return trajectory


def noisy_gd(df, x0, *, lr, sigma, num_steps, rng):
    """Task 2.3 — gradient descent with Gaussian noise added to every gradient."""
    shape = np.shape(x0)
    # Drawing the whole (num_steps,) + shape block at once gives the same numbers, in the same
    # order, as one rng.standard_normal(shape) per step.
    noise = rng.standard_normal((num_steps,) + shape)
    trajectory = np.empty((num_steps + 1,) + shape)
    x = np.array(x0, dtype=float)
    trajectory[0] = x
    for t in range(num_steps):
        x = x - lr * (np.asarray(df(x), dtype=float) + sigma * noise[t])
        trajectory[t + 1] = x
    return trajectory
