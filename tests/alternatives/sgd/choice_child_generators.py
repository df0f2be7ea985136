# alternative: rng.choice without replacement and each batch sorted; sgd spawns one child generator per epoch from rng (np.random.default_rng(rng.integers(2**63))) and has an extra optional callback argument; module-level table of update rules; noisy_gd draws one rng.standard_normal() per coordinate in a Python loop
"""Part 2 — mini-batches and stochastic gradient descent, with per-epoch child generators."""
import math

import numpy as np


def _mean_step(theta, per_example, lr):
    return theta - lr * np.sum(per_example, axis=0) / per_example.shape[0]


def _noisy_step(x, g, xi, lr, sigma):
    return x - lr * g - lr * sigma * xi


RULES = {"sgd": _mean_step, "noisy": _noisy_step}


def minibatches(n, batch_size, rng):
    """Task 2.1 — one epoch's mini-batches of the indices 0..n-1, in a random order."""
    order = rng.choice(n, size=n, replace=False)
    count = math.ceil(n / batch_size)
    return [np.sort(order[k * batch_size:(k + 1) * batch_size]) for k in range(count)]


def sgd(grads, theta0, n, *, lr, batch_size, epochs, rng, callback=None):
    """Task 2.2 — mini-batch SGD over n training points."""
    step = RULES["sgd"]
    theta = np.array(theta0, dtype=np.float64, copy=True)
    trajectory = [theta]
    for epoch in range(epochs):
        child = np.random.default_rng(int(rng.integers(2**63)))
        for idx in minibatches(n, batch_size, child):
            theta = step(theta, np.asarray(grads(theta, idx), dtype=np.float64), lr)
            trajectory.append(theta)
            if callback is not None:
                callback(epoch, theta)
    return np.stack(trajectory)


def _standard_normal_like(shape, rng):
    if shape == ():
        return rng.standard_normal()
    size = int(np.prod(shape))
    return np.array([rng.standard_normal() for _ in range(size)]).reshape(shape)


def noisy_gd(df, x0, *, lr, sigma, num_steps, rng):
    """Task 2.3 — gradient descent with Gaussian noise added to every gradient."""
    step = RULES["noisy"]
    shape = np.shape(x0)
    x = np.array(x0, dtype=np.float64)
    trajectory = [x]
    for _ in range(num_steps):
        xi = _standard_normal_like(shape, rng)
        x = step(x, np.asarray(df(x), dtype=np.float64), xi, lr, sigma)
        trajectory.append(x)
    return np.stack(trajectory)
