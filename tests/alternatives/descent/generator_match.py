# alternative: GD as a generator of iterates, numerical gradient on a flat copy reshaped for every call, grad_quadratic returning a functools.partial, lr_regime with match
"""Part 1 in a functional style: generators, partial application and structural pattern matching."""
import functools
import itertools

import numpy as np


def chain_rule_example(x):
    x = np.array(x, dtype=float)
    inner = 3 * x**3 + 2
    result = np.multiply(2 * inner, 9 * x**2)
    return result[()] if result.ndim == 0 else result  # np.float64 for a scalar


def grad_double_well(x):
    x = np.array(x, dtype=float)
    result = 4 * x**3 - 6 * x + 1
    return result[()] if result.ndim == 0 else result


def grad_rosenbrock(p):
    x, y = map(float, p)
    return np.array([2 * (x - 1) + 400 * x * (x * x - y), 200 * (y - x * x)], dtype=float)


def _quadratic_slope(sym, shift, x):
    return sym @ np.asarray(x, dtype=float) - shift


def grad_quadratic(A, b):
    A = np.asarray(A, dtype=float)
    return functools.partial(_quadratic_slope, (A + A.T) / 2, np.array(b, dtype=float))


def numerical_gradient(f, x, h=1e-5):
    shape = np.shape(x)
    flat = np.array(x, dtype=float).ravel()

    def at(k, delta):
        moved = flat.copy()
        moved[k] += delta
        return float(f(moved.reshape(shape)))

    grad = np.array([(at(k, h) - at(k, -h)) / (2 * h) for k in range(flat.size)]).reshape(shape)
    return float(grad) if not shape else grad


def _iterates(df, x, lr, eps):
    """Yield x_0, x_1, ... until the gradient is small or an iterate is not finite."""
    yield x
    while True:
        g = np.asarray(df(x), dtype=float)
        if np.linalg.norm(np.ravel(g)) < eps:
            return
        x = x - lr * g
        yield x
        if not np.all(np.isfinite(x)):
            return


def gradient_descent(df, x0, lr, *, eps=1e-6, max_iter=1000):
    rows = itertools.islice(_iterates(df, np.array(x0, dtype=float), lr, eps), max_iter + 1)
    return np.array(list(rows), dtype=float)


def lr_regime(lr, a):
    r = 1 - 2 * a * lr
    match r:
        case _ if r < -1:
            return "diverge"
        case -1 | -1.0:
            return "cycle"
        case _ if r < 0:
            return "oscillating"
        case _:
            return "monotone"
