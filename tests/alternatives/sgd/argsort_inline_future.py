# alternative: from __future__ annotations and a dataclass epoch plan; the order is the argsort of rng.random(n) cut with np.split at explicit offsets; sgd does not call minibatches (an inline rng.permutation per epoch) and hands grads its indices as Python lists; noisy_gd draws with rng.normal(0.0, sigma, size=shape)
"""Part 2 — mini-batches and stochastic gradient descent, with an epoch plan object."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EpochPlan:
    n: int
    batch_size: int

    @property
    def cuts(self) -> np.ndarray:
        return np.arange(self.batch_size, self.n, self.batch_size)

    def cut(self, order: np.ndarray) -> list[np.ndarray]:
        return list(np.split(order, self.cuts))


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Task 2.1 — one epoch's mini-batches of the indices 0..n-1, in a random order."""
    order = np.argsort(rng.random(n), kind="stable")
    return EpochPlan(n, batch_size).cut(order)


def sgd(grads, theta0, n: int, *, lr: float, batch_size: int, epochs: int, rng: np.random.Generator) -> np.ndarray:
    """Task 2.2 — mini-batch SGD over n training points."""
    plan = EpochPlan(n, batch_size)
    theta = np.asarray(theta0, dtype=np.float64).copy()
    rows: list[np.ndarray] = [theta]
    for _ in range(epochs):
        for batch in plan.cut(rng.permutation(n)):
            idx: list[int] = [int(i) for i in batch]
            g = np.mean(np.asarray(grads(theta, idx), dtype=np.float64), axis=0)
            theta = theta - lr * g
            rows.append(theta)
    return np.vstack(rows)


def noisy_gd(df, x0, *, lr: float, sigma: float, num_steps: int, rng: np.random.Generator) -> np.ndarray:
    """Task 2.3 — gradient descent with Gaussian noise added to every gradient."""
    shape = np.shape(x0)
    x = np.asarray(x0, dtype=np.float64) + 0.0
    rows = [x]
    for _ in range(num_steps):
        noise = rng.normal(0.0, sigma, size=shape)  # = sigma * standard normal, same stream
        x = x - lr * (np.asarray(df(x), dtype=np.float64) + noise)
        rows.append(x)
    return np.array(rows, dtype=np.float64)
