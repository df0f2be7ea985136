# alternative: pure-Python loops and the math module for scalars, np.nditer over a flat view for central differences, a while-loop GD with np.linalg.norm, lr_regime compared on a*lr
"""Part 1 written with explicit loops: every array result is filled entry by entry."""
import math

import numpy as np


def _elementwise(fn, x):
    """Apply a scalar function to a scalar (-> float) or to every entry of an array/list (-> float64 array)."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return float(fn(float(x)))
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        return float(fn(float(arr)))
    out = np.empty(arr.shape, dtype=np.float64)
    for index in np.ndindex(arr.shape):
        out[index] = fn(float(arr[index]))
    return out


def chain_rule_example(x):
    def derivative(v):
        u = 3.0 * math.pow(v, 3) + 2.0  # inner function g
        return 2.0 * u * (9.0 * v * v)  # f'(u) * g'(x)

    return _elementwise(derivative, x)


def grad_double_well(x):
    return _elementwise(lambda v: 4.0 * v**3 - 6.0 * v + 1.0, x)


def grad_rosenbrock(p):
    x, y = (float(v) for v in p)
    dfdx = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x)
    dfdy = 200.0 * (y - x * x)
    return np.array([dfdx, dfdy], dtype=np.float64)


def grad_quadratic(A, b):
    rows = [[float(v) for v in row] for row in np.asarray(A, dtype=np.float64)]
    shift = [float(v) for v in np.asarray(b, dtype=np.float64)]
    n = len(shift)

    def df(x):
        xs = [float(v) for v in np.asarray(x, dtype=np.float64)]
        out = np.empty(n, dtype=np.float64)
        for i in range(n):
            total = 0.0
            for j in range(n):
                total += 0.5 * (rows[i][j] + rows[j][i]) * xs[j]
            out[i] = total - shift[i]
        return out

    return df


def numerical_gradient(f, x, h=1e-5):
    point = np.array(x, dtype=np.float64)  # private copy
    grad = np.zeros_like(point)
    grad_flat = grad.reshape(-1)  # views in the same C order as the nditer below
    with np.nditer(point, op_flags=["readwrite"]) as entries:
        for k, entry in enumerate(entries):
            original = float(entry)
            entry[...] = original + h
            f_plus = float(f(point.copy()))
            entry[...] = original - h
            f_minus = float(f(point.copy()))
            entry[...] = original
            grad_flat[k] = (f_plus - f_minus) / (2 * h)
    return float(grad) if grad.ndim == 0 else grad


def gradient_descent(df, x0, lr, *, eps=1e-6, max_iter=1000):
    if np.ndim(x0) == 0:  # scalar problem: plain Python floats
        x = float(x0)
        path = [x]
        steps = 0
        while steps < max_iter:
            g = float(df(x))
            if abs(g) < eps:
                break
            x = x - lr * g
            path.append(x)
            steps += 1
            if not math.isfinite(x):
                break
        return np.array(path, dtype=np.float64)
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    steps = 0
    while steps < max_iter:
        g = np.asarray(df(x.copy()), dtype=np.float64)
        if np.linalg.norm(g) < eps:
            break
        x = x - lr * g
        path.append(x.copy())
        steps += 1
        if not np.isfinite(x).all():
            break
    return np.array(path, dtype=np.float64)


def lr_regime(lr, a):
    product = a * lr  # r = 1 - 2*product
    if product <= 0.5:
        return "monotone"
    if product < 1.0:
        return "oscillating"
    if product == 1.0:
        return "cycle"
    return "diverge"
