# alternative: vectorised everything: np.polyval for the 1-D derivatives, einsum for the quadratic, all perturbations from one identity tensor, a preallocated trajectory, exact Fraction arithmetic in lr_regime
"""Part 1 without Python loops over entries where numpy can do the work."""
from fractions import Fraction

import numpy as np


def chain_rule_example(x):
    # expanded: d/dx (3x^3 + 2)^2 = 54 x^5 + 36 x^2
    x = np.asarray(x, dtype=np.float64)
    out = np.polyval([54.0, 0.0, 0.0, 36.0, 0.0, 0.0], x)
    return out.item() if out.ndim == 0 else out


def grad_double_well(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.polyval([4.0, 0.0, -6.0, 1.0], x)
    return out.item() if out.ndim == 0 else out


def grad_rosenbrock(p):
    p = np.asarray(p, dtype=np.float64)
    residual = p[1] - p[0] ** 2
    return np.array([2.0 * (p[0] - 1.0), 0.0]) + residual * np.array([-400.0 * p[0], 200.0])


def grad_quadratic(A, b):
    A = np.array(A, dtype=np.float64)
    b = np.array(b, dtype=np.float64)

    def df(x):
        x = np.asarray(x, dtype=np.float64)
        return 0.5 * (np.einsum("ij,j->i", A, x) + np.einsum("ji,j->i", A, x)) - b

    return df


def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    bumps = (h * np.eye(n)).reshape((n,) + x.shape)  # bumps[k] moves entry k only
    f_plus = np.array([f(x + bump) for bump in bumps], dtype=np.float64)
    f_minus = np.array([f(x - bump) for bump in bumps], dtype=np.float64)
    grad = ((f_plus - f_minus) / (2.0 * h)).reshape(x.shape)
    return grad.item() if grad.ndim == 0 else grad


def gradient_descent(df, x0, lr, *, eps=1e-6, max_iter=1000):
    x0 = np.asarray(x0, dtype=np.float64)
    traj = np.empty((max_iter + 1,) + x0.shape, dtype=np.float64)
    traj[0] = x0
    t = 0
    while t < max_iter:
        g = np.asarray(df(traj[t].copy()), dtype=np.float64)
        if np.sqrt(np.vdot(g, g)) < eps:
            break
        traj[t + 1] = traj[t] - lr * g
        t += 1
        if not np.isfinite(traj[t]).all():
            break
    return traj[: t + 1].copy()


def lr_regime(lr, a):
    r = 1 - 2 * Fraction(a) * Fraction(lr)  # exact: no rounding can blur a boundary
    if r < -1:
        return "diverge"
    if r == -1:
        return "cycle"
    return "oscillating" if r < 0 else "monotone"
