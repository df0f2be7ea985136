# alternative: a dataclass network with a module-level activation table, one flat draw split into layers, rng.choice without replacement and np.array_split for batches, extra optional arguments, 0-d array and np.float64 scalars
"""Part 5 with a small object model: a Network dataclass does the work, the task functions wrap it."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EPS_CLIP = 1e-12


def relu(Z):
    Z = np.asarray(Z, dtype=np.float64)
    return np.where(Z > 0, Z, 0.0)


def relu_grad(Z):
    return np.heaviside(np.asarray(Z, dtype=np.float64), 0.0)


ACTIVATIONS = {"relu": (relu, relu_grad)}


def softmax(Z, axis=-1):
    Z = np.asarray(Z, dtype=np.float64)
    shifted = Z - np.max(Z, axis=axis, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return np.exp(shifted - log_norm)


def cross_entropy(P, y, clip=EPS_CLIP):
    P = np.asarray(P, dtype=np.float64)
    y = np.asarray(y).astype(int)
    picked = np.clip(np.take_along_axis(P, y[:, None], axis=1)[:, 0], clip, None)
    return np.asarray(-np.log(picked).sum() / len(y))


@dataclass
class Network:
    weights: list
    activation: str = "relu"
    cache: dict = field(default_factory=dict)

    def run(self, X):
        act, _ = ACTIVATIONS[self.activation]
        A = np.asarray(X, dtype=np.float64).T  # column convention: one example per column
        self.cache = {"A": [A], "Z": []}
        for l, W in enumerate(self.weights):
            Z = W @ A
            self.cache["Z"].append(Z)
            A = act(Z) if l < len(self.weights) - 1 else softmax(Z, axis=0)
            self.cache["A"].append(A)
        return A.T

    def gradients(self, X, y):
        _, act_grad = ACTIVATIONS[self.activation]
        P = self.run(X).T
        n = P.shape[1]
        onehot = np.zeros_like(P)
        onehot[np.asarray(y).astype(int), np.arange(n)] = 1.0
        delta = (P - onehot) / n
        out = []
        for l in reversed(range(len(self.weights))):
            out.append(delta @ self.cache["A"][l].T)
            if l:
                delta = (self.weights[l].T @ delta) * act_grad(self.cache["Z"][l - 1])
        return out[::-1]


def init_params(layer_sizes, rng):
    sizes = [int(s) for s in layer_sizes]
    shapes = list(zip(sizes[1:], sizes[:-1]))
    flat = rng.standard_normal(sum(a * b for a, b in shapes))
    params, offset = [], 0
    for fan_out, fan_in in shapes:
        block = flat[offset:offset + fan_out * fan_in].reshape(fan_out, fan_in)
        params.append(block * np.sqrt(2.0 / fan_in))
        offset += fan_out * fan_in
    return params


def _network(params):
    return Network([np.asarray(W, dtype=np.float64) for W in params])


def forward(params, X):
    return _network(params).run(X)


def loss(params, X, y):
    return cross_entropy(forward(params, X), y)


def backward(params, X, y):
    return _network(params).gradients(X, y)


def train(X, y, layer_sizes, *, lr, epochs, batch_size, rng, verbose=False):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    n = X.shape[0]
    params = init_params(layer_sizes, rng)
    losses = np.empty(epochs)
    for e in range(epochs):
        order = rng.choice(n, size=n, replace=False)
        for batch in np.array_split(order, -(-n // batch_size)) if n % batch_size == 0 else \
                [order[i:i + batch_size] for i in range(0, n, batch_size)]:
            params = [W - lr * g for W, g in zip(params, backward(params, X[batch], y[batch]))]
        losses[e] = float(loss(params, X, y))
        if verbose:
            print(f"epoch {e}: loss {losses[e]:.4f}")
    return params, losses


def accuracy(params, X, y):
    return np.mean(np.argmax(forward(params, X), axis=-1) == np.asarray(y))
