# alternative: explicit Python loops everywhere (per-row softmax with log-sum-exp, per-example backward accumulation), rng.normal(0, std) draws, rng.shuffle of an index array, losses as a list
"""Part 5 in a loop-heavy style: every computation is spelled out example by example."""
from __future__ import annotations

import math

import numpy as np


def relu(Z):
    Z = np.array(Z, dtype=float)
    out = np.zeros_like(Z)
    for i in np.ndindex(Z.shape):
        out[i] = Z[i] if Z[i] > 0 else 0.0
    return out


def relu_grad(Z):
    Z = np.array(Z, dtype=float)
    out = np.zeros_like(Z)
    for i in np.ndindex(Z.shape):
        out[i] = 1.0 if Z[i] > 0 else 0.0
    return out


def _softmax_row(z):
    m = max(z)
    lse = m + math.log(sum(math.exp(v - m) for v in z))
    return [math.exp(v - lse) for v in z]


def softmax(Z):
    Z = np.array(Z, dtype=float)
    if Z.ndim == 1:
        return np.array(_softmax_row(list(Z)))
    return np.array([_softmax_row(list(row)) for row in Z]).reshape(Z.shape)


def cross_entropy(P, y):
    total = 0.0
    labels = list(y)
    for i, label in enumerate(labels):
        p = float(P[i][int(label)])
        total += -math.log(max(p, 1e-12))
    return total / len(labels)


def init_params(layer_sizes, rng):
    params = []
    for l in range(len(layer_sizes) - 1):
        fan_in, fan_out = int(layer_sizes[l]), int(layer_sizes[l + 1])
        params.append(rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_out, fan_in)))
    return params


def _example_forward(params, x):
    """Activations a_0 .. a_L (column convention) and pre-activations z_0 .. z_L of one example."""
    a = np.array(x, dtype=float)
    acts, pres = [a], []
    for l, W in enumerate(params):
        z = np.asarray(W, dtype=float) @ a
        pres.append(z)
        a = relu(z) if l < len(params) - 1 else np.array(_softmax_row(list(z)))
        acts.append(a)
    return acts, pres


def forward(params, X):
    X = np.array(X, dtype=float)
    rows = [_example_forward(params, x)[0][-1] for x in X]
    return np.array(rows).reshape(X.shape[0], np.shape(params[-1])[0])


def loss(params, X, y):
    return cross_entropy(forward(params, X), y)


def backward(params, X, y):
    X = np.array(X, dtype=float)
    labels = [int(v) for v in y]
    n = X.shape[0]
    grads = [np.zeros(np.shape(W)) for W in params]
    for x, label in zip(X, labels):
        acts, pres = _example_forward(params, x)
        delta = acts[-1].copy()
        delta[label] -= 1.0
        for l in range(len(params) - 1, -1, -1):
            grads[l] += np.outer(delta, acts[l])
            if l > 0:
                delta = (np.asarray(params[l], dtype=float).T @ delta) * relu_grad(pres[l - 1])
    return [g / n for g in grads]


def train(X, y, layer_sizes, *, lr, epochs, batch_size, rng):
    X = np.array(X, dtype=float)
    y = np.array(y)
    n = len(X)
    params = init_params(layer_sizes, rng)
    losses = []
    for epoch in range(epochs):
        idx = np.arange(n)
        rng.shuffle(idx)
        start = 0
        while start < n:
            batch = idx[start:start + batch_size]
            grads = backward(params, X[batch], y[batch])
            new = []
            for W, g in zip(params, grads):
                new.append(W - lr * g)
            params = new
            start += batch_size
        losses.append(loss(params, X, y))
    return params, losses


def accuracy(params, X, y):
    P = forward(params, X)
    labels = list(y)
    right = 0
    for i, label in enumerate(labels):
        best = 0
        for k in range(1, P.shape[1]):
            if P[i, k] > P[i, best]:
                best = k
        right += best == int(label)
    return right / len(labels)
