# mutant: relu returns np.maximum(np.asarray(Z), 0.0): integers become float64, but a float32 Z stays float32
# kills: 5.1
# mistake: not float64
"""Part 5 — a multilayer perceptron trained by backpropagation (Lecture 4, "Chain rule and Backpropagation").

The network is the lecture's

    NN_theta(x) = softmax(W_L a(W_{L-1} ... a(W_0 x) ...)),    a = ReLU, no biases,

with params = [W_0, ..., W_L] and W_l.shape == (layer_sizes[l+1], layer_sizes[l]).
A batch X has shape (n, layer_sizes[0]), one example per row, so a layer computes
Z = A @ W.T; labels y are integers in [0, K), shape (n,). The loss is the average
cross-entropy

    L(theta) = -1/n sum_i log softmax(NN_theta(x_i))[y_i],

and backpropagation applies the chain rule layer by layer, from the loss back to W_0.
Only the standard library and numpy may be imported; no argument is modified in place.
"""
import numpy as np


def relu(Z):
    """Task 5.1 — elementwise max(Z, 0), float64, same shape as Z."""
    # BEGIN SOLUTION task 5.1: np.maximum against 0, as float64.
    return np.maximum(np.asarray(Z), 0.0)
    # END SOLUTION


def relu_grad(Z):
    """Task 5.1 — derivative of ReLU: 1.0 where Z > 0, else 0.0 (0 at exactly 0)."""
    # BEGIN SOLUTION task 5.1: a float64 mask of Z > 0 (strictly).
    return (np.asarray(Z) > 0).astype(np.float64)
    # END SOLUTION


def softmax(Z):
    """Task 5.2 — row-wise softmax.

        softmax(z)_k = exp(z_k - max(z)) / sum_j exp(z_j - max(z))

    Subtracting the row maximum changes nothing mathematically and keeps exp from
    overflowing, so logits as large as +-1e4 stay finite.
    Z: shape (n, K), or (K,) for a single row. Returns the same shape; rows sum to 1.
    """
    # BEGIN SOLUTION task 5.2: subtract each row's max (axis=-1, keepdims=True), exponentiate, normalise each row.
    Z = np.asarray(Z, dtype=np.float64)
    exp = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)
    # END SOLUTION


def cross_entropy(P, y):
    """Task 5.3 — mean over rows of -log(P[i, y[i]]), probabilities clipped below at 1e-12.

    P: shape (n, K), rows are probabilities; y: integer labels, shape (n,). Returns a float.
    """
    # BEGIN SOLUTION task 5.3: pick each row's true-class probability, clip at 1e-12, average the negative logs.
    P = np.asarray(P, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    picked = np.maximum(P[np.arange(P.shape[0]), y], 1e-12)
    return float(-np.mean(np.log(picked)))
    # END SOLUTION


def init_params(layer_sizes, rng):
    """Task 5.4 — He initialisation of [W_0, ..., W_L].

    W_l has shape (layer_sizes[l+1], layer_sizes[l]) and independent normal entries with mean
    0 and VARIANCE 2 / layer_sizes[l] (standard deviation sqrt(2 / fan_in)), drawn from rng,
    W_0 first. This keeps the scale of ReLU activations roughly constant across layers.
    """
    # BEGIN SOLUTION task 5.4: for each consecutive pair (fan_in, fan_out), draw a (fan_out, fan_in) matrix scaled by sqrt(2 / fan_in).
    return [
        rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:])
    ]
    # END SOLUTION


def forward(params, X):
    """Task 5.5 — class probabilities softmax(W_L a(... a(W_0 x))) for each row of X.

    X: shape (n, layer_sizes[0]). Returns shape (n, K) with K = layer_sizes[-1].
    """
    # BEGIN SOLUTION task 5.5: A = X; for each hidden W: A = relu(A @ W.T); finally softmax of A @ W_L.T.
    A = np.asarray(X, dtype=np.float64)
    for W in params[:-1]:
        A = relu(A @ np.asarray(W, dtype=np.float64).T)
    return softmax(A @ np.asarray(params[-1], dtype=np.float64).T)
    # END SOLUTION


def loss(params, X, y):
    """Task 5.6 — cross_entropy(forward(params, X), y), a float."""
    # BEGIN SOLUTION task 5.6: compose forward and cross_entropy.
    return cross_entropy(forward(params, X), y)
    # END SOLUTION


def backward(params, X, y):
    """Task 5.7 — gradients of loss(params, X, y) with respect to every W_l, by backpropagation.

    Forward pass, keeping what the backward pass needs:
        A_0 = X,  Z_l = A_l @ W_l.T,  A_{l+1} = relu(Z_l),  P = softmax(Z_L)
    Backward pass, with delta_l = dL/dZ_l of shape (n, layer_sizes[l+1]):
        delta_L = (P - onehot(y)) / n                    (softmax + cross-entropy)
        dL/dW_l = delta_l.T @ A_l                        (shape of W_l)
        delta_{l-1} = (delta_l @ W_l) * relu_grad(Z_{l-1})

    Returns a list of float64 arrays with the shapes of params. (The 1e-12 clip of the loss
    is ignored in the derivative.)
    """
    # BEGIN SOLUTION task 5.7: run the forward pass keeping every activation and pre-activation, then apply the chain rule from the last layer back.
    params = [np.asarray(W, dtype=np.float64) for W in params]
    A = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    n = A.shape[0]
    activations, pre_activations = [A], []
    for W in params[:-1]:
        Z = A @ W.T
        A = relu(Z)
        pre_activations.append(Z)
        activations.append(A)
    delta = softmax(A @ params[-1].T)
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grads = [None] * len(params)
    for layer in range(len(params) - 1, -1, -1):
        grads[layer] = delta.T @ activations[layer]
        if layer > 0:
            delta = (delta @ params[layer]) * relu_grad(pre_activations[layer - 1])
    return grads
    # END SOLUTION


def train(X, y, layer_sizes, *, lr, epochs, batch_size, rng):
    """Task 5.8 — train the MLP with mini-batch SGD.

    params = init_params(layer_sizes, rng); then for each epoch, random mini-batches drawn
    from rng (each example once per epoch, the last smaller batch kept) and, per batch, the
    plain SGD step W_l <- W_l - lr * dW_l with dW_l from backward on that batch.
    Returns (params, losses): losses[e] is loss(params, X, y) on the whole training set after
    epoch e (length epochs).
    """
    # BEGIN SOLUTION task 5.8: init from rng, then per epoch one rng.permutation cut into batches; step every W with its gradient; record the full loss.
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    n = X.shape[0]
    params = init_params(layer_sizes, rng)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            grads = backward(params, X[idx], y[idx])
            params = [W - lr * dW for W, dW in zip(params, grads)]
        losses.append(loss(params, X, y))
    return params, np.array(losses)
    # END SOLUTION


def accuracy(params, X, y):
    """Task 5.9 — fraction of rows whose most probable class (np.argmax, first on ties) is y[i]."""
    # BEGIN SOLUTION task 5.9: argmax of forward over axis 1, compared with y, averaged.
    predicted = np.argmax(forward(params, X), axis=1)
    return float(np.mean(predicted == np.asarray(y)))
    # END SOLUTION
