# alternative: a batch generator drawing rng.permutation per epoch, einsum-based layers, in-place updates of train's own copies, relu as Z * (Z > 0) (negative zeros), np.float64 results
"""Part 5 with einsum layers and a generator of mini-batches."""
import numpy as np


def relu(Z):
    Z = np.array(Z, dtype=np.float64)
    return Z * (Z > 0)


def relu_grad(Z):
    return np.greater(Z, 0).astype(np.float64)


def softmax(Z):
    Z = np.array(Z, dtype=np.float64)
    Z -= Z.max(axis=-1, keepdims=True)  # on a private copy
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=-1, keepdims=True)
    return Z


def cross_entropy(P, y):
    P = np.asarray(P, dtype=np.float64)
    rows = np.arange(P.shape[0])
    return np.float64(np.mean(-np.log(np.fmax(P[rows, np.asarray(y, dtype=np.intp)], 1e-12))))


def init_params(layer_sizes, rng):
    params = []
    sizes = list(layer_sizes)
    l = 0
    while l + 1 < len(sizes):
        std = (2.0 / sizes[l]) ** 0.5
        params.append(rng.normal(loc=0.0, scale=std, size=(sizes[l + 1], sizes[l])))
        l += 1
    return params


def _layers(params, X):
    A = np.asarray(X, dtype=np.float64)
    As, Zs = [A], []
    for W in params:
        Z = np.einsum("ni,oi->no", As[-1], np.asarray(W, dtype=np.float64))
        Zs.append(Z)
        As.append(relu(Z))
    return As, Zs


def forward(params, X):
    As, Zs = _layers(params, X)
    return softmax(Zs[-1])


def loss(params, X, y):
    return cross_entropy(forward(params, X), y)


def backward(params, X, y):
    As, Zs = _layers(params, X)
    n = len(As[0])
    G = softmax(Zs[-1])
    G[np.arange(n), np.asarray(y, dtype=np.intp)] -= 1.0
    G /= n
    grads = []
    for l in range(len(params) - 1, -1, -1):
        grads.insert(0, np.einsum("no,ni->oi", G, As[l]))
        if l > 0:
            G = np.einsum("no,oi->ni", G, np.asarray(params[l], dtype=np.float64)) * relu_grad(Zs[l - 1])
    return grads


def _minibatches(n, batch_size, rng):
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def train(X, y, layer_sizes, *, lr, epochs, batch_size, rng):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    params = [W.copy() for W in init_params(layer_sizes, rng)]
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        for idx in _minibatches(len(X), batch_size, rng):
            for W, dW in zip(params, backward(params, X[idx], y[idx])):
                W -= lr * dW  # train's own arrays
        losses[epoch] = loss(params, X, y)
    return params, losses


def accuracy(params, X, y):
    hits = forward(params, X).argmax(axis=1) == np.asarray(y)
    return np.float64(hits.sum()) / hits.size
