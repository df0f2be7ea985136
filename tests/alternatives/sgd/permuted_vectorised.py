# alternative: vectorised: rng.permuted(np.arange(n)) and np.array_split at explicit offsets; sgd keeps the trajectory in a preallocated array filled by a flat loop over epochs * batches, averaging with np.add.reduce; noisy_gd handles a scalar x0 through a 1-element view and skips the draw when sigma == 0
"""Part 2 — mini-batches and stochastic gradient descent, vectorised where it can be."""
import numpy as np


def minibatches(n, batch_size, rng):
    """Task 2.1 — one epoch's mini-batches of the indices 0..n-1, in a random order."""
    shuffled = rng.permuted(np.arange(n, dtype=np.intp))
    return np.array_split(shuffled, np.arange(batch_size, n, batch_size))


def sgd(grads, theta0, n, *, lr, batch_size, epochs, rng):
    """Task 2.2 — mini-batch SGD over n training points."""
    per_epoch = -(-n // batch_size)
    theta0 = np.asarray(theta0, dtype=np.float64)
    out = np.zeros((epochs * per_epoch + 1, theta0.size))
    out[0] = theta0
    batches = []
    t = 0
    for _ in range(epochs):
        batches = minibatches(n, batch_size, rng)
        for idx in batches:
            g = np.asarray(grads(out[t].copy(), idx), dtype=np.float64)
            out[t + 1] = out[t] - lr * (np.add.reduce(g, axis=0) / g.shape[0])
            t += 1
    return out


def noisy_gd(df, x0, *, lr, sigma, num_steps, rng):
    """Task 2.3 — gradient descent with Gaussian noise added to every gradient."""
    scalar = np.ndim(x0) == 0
    shape = np.shape(x0)
    out = np.zeros((num_steps + 1, int(np.prod(shape))))
    out[0] = np.ravel(np.asarray(x0, dtype=np.float64))
    for t in range(num_steps):
        x = out[t].reshape(shape).copy()
        g = np.ravel(np.asarray(df(float(x) if scalar else x), dtype=np.float64))
        if sigma != 0:
            g = g + sigma * np.ravel(rng.standard_normal(shape))
        out[t + 1] = out[t] - lr * g
    return out[:, 0] if scalar else out.reshape((num_steps + 1,) + shape)
