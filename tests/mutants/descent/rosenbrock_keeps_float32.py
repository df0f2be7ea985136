# mutant: grad_rosenbrock unpacks np.asarray(p) with no dtype, so a float32 p gives a float32 gradient
# kills: 1.3
# mistake: not float64
"""Part 1 — derivatives and gradient descent (Lecture 4, "Minimization Techniques").

Gradient descent walks downhill like the lecture's climber: at the current point x_t it
feels the slope df/dx(x_t) and steps against it,

    x_{t+1} = x_t - eta * grad f(x_t),

with the learning rate eta called ``lr`` in code. This part builds the derivatives GD needs
(by hand, with the chain rule, and numerically with central differences), then GD itself,
and finally explains what the learning rate does on f(x) = a * x**2.

Rules for every function here: floats are float64; inputs may be Python scalars, lists or
numpy arrays of any numeric dtype; outputs are new float64 values; no argument is ever
modified in place. Only the standard library and numpy may be imported.
"""
import numpy as np


def chain_rule_example(x):
    """Task 1.1 — derivative of y = f(g(x)) with f(u) = u**2 and g(x) = 3*x**3 + 2.

    The lecture's chain-rule example: with u = g(x),

        dy/dx = dy/du * du/dx = (2u) * (9x**2) = 54x**5 + 36x**2.

    x: a scalar (returns a float) or an array of any shape (returns a float64 array of the
    same shape, elementwise).
    """
    # BEGIN SOLUTION task 1.1: compute u = g(x), then dy/du * du/dx elementwise; return a float for a scalar x.
    x = np.asarray(x, dtype=np.float64)
    u = 3.0 * x**3 + 2.0
    dy_dx = (2.0 * u) * (9.0 * x**2)
    return float(dy_dx) if dy_dx.ndim == 0 else dy_dx
    # END SOLUTION


def grad_double_well(x):
    """Task 1.2 — derivative of the double well f(x) = x**4 - 3*x**2 + x.

    The double well has a local minimum near x = 1.13 and its global minimum near
    x = -1.30: where GD ends depends on where it starts.

    x: a scalar (returns a float) or an array (returns an elementwise float64 array).
    """
    # BEGIN SOLUTION task 1.2: differentiate term by term; work elementwise and return a float for a scalar x.
    # f'(x) = 4x**3 - 6x + 1
    x = np.asarray(x, dtype=np.float64)
    slope = 4.0 * x**3 - 6.0 * x + 1.0
    return float(slope) if slope.ndim == 0 else slope
    # END SOLUTION


def grad_rosenbrock(p):
    """Task 1.3 — gradient of the Rosenbrock function at p = (x, y).

        f(x, y) = (1 - x)**2 + 100 * (y - x**2)**2,

    the banana-shaped valley whose minimum (1, 1) is easy to find and slow to reach.

    p: a pair (tuple, list or array of shape (2,)). Returns a float64 array of shape (2,).
    """
    # BEGIN SOLUTION task 1.3: return np.array([df/dx, df/dy]) using the two partial derivatives.
    # df/dx = -2(1 - x) - 400 x (y - x**2),  df/dy = 200 (y - x**2)
    x, y = np.asarray(p)
    valley = y - x**2
    return np.array([-2.0 * (1.0 - x) - 400.0 * x * valley, 200.0 * valley])
    # END SOLUTION


def grad_quadratic(A, b):
    """Task 1.4 — the gradient of f(x) = 0.5 * x @ A @ x - b @ x, as a function df(x).

    For any square A (NOT necessarily symmetric),

        grad f(x) = 0.5 * (A + A.T) @ x - b,

    which is A @ x - b only when A is symmetric.

    A: shape (D, D); b: shape (D,). Returns a function df mapping x of shape (D,) to a float64
    array of shape (D,). Later changes to the caller's A or b must not change df.
    """
    # BEGIN SOLUTION task 1.4: differentiate x @ A @ x carefully (A need not be symmetric) and return a closure df(x).
    sym = 0.5 * (np.asarray(A, dtype=np.float64) + np.asarray(A, dtype=np.float64).T)
    shift = np.array(b, dtype=np.float64)

    def df(x):
        return sym @ np.asarray(x, dtype=np.float64) - shift

    return df
    # END SOLUTION


def numerical_gradient(f, x, h=1e-5):
    """Task 1.5 — central-difference gradient of a scalar function f at x.

    For every entry i of x (any shape: scalar, vector, matrix),

        grad_i ~= (f(x + h e_i) - f(x - h e_i)) / (2h),

    whose error is O(h**2) (a forward difference is only O(h)).

    f: maps an array shaped like x (or a float, for a scalar x) to a scalar.
    Returns a float64 array shaped like x, or a float for a scalar x. The caller's x is left
    unchanged bit for bit: perturb a private copy.
    """
    # BEGIN SOLUTION task 1.5: loop over np.ndindex(x.shape) on a private float64 copy, nudging one entry by +h and -h.
    point = np.array(x, dtype=np.float64)  # private copy: the caller's x is never touched
    grad = np.empty_like(point)
    for i in np.ndindex(point.shape):
        original = point[i]
        point[i] = original + h
        f_plus = float(f(point))  # float(): f may return (a view of) its argument, which we change next
        point[i] = original - h
        f_minus = float(f(point))
        point[i] = original
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return float(grad) if grad.ndim == 0 else grad
    # END SOLUTION


def gradient_descent(df, x0, lr, *, eps=1e-6, max_iter=1000):
    """Task 1.6 — plain gradient descent, x_{t+1} = x_t - lr * df(x_t).

    Before each update, evaluate g = df(x_t); if the size of g (its Euclidean norm, or
    |g| for a scalar) is < eps, stop: x_t is the last row. Also stop after max_iter updates,
    or right after producing an iterate with any entry that is not finite (that iterate is
    the last row).

    df: gradient function; x0: a scalar or an array of shape (D,).
    Returns the trajectory [x_0, ..., x_T]: shape (T+1,) for a scalar x0, (T+1, D) otherwise,
    float64, with row 0 equal to x0. x0 is not modified.
    """
    # BEGIN SOLUTION task 1.6: keep a list of iterates; test the gradient's size BEFORE each update; stop on non-finite iterates.
    x = np.array(x0, dtype=np.float64)
    trajectory = [x]
    for _ in range(max_iter):
        g = np.asarray(df(x), dtype=np.float64)
        if np.sqrt(np.sum(g * g)) < eps:
            break
        x = x - lr * g  # a new array each step: rows never alias each other
        trajectory.append(x)
        if not np.all(np.isfinite(x)):
            break
    return np.array(trajectory)
    # END SOLUTION


def lr_regime(lr, a):
    """Task 1.7 — what GD does on f(x) = a * x**2 (a > 0, lr > 0) from any x0 != 0.

    One GD step multiplies x by r = 1 - 2*a*lr, so x_t = x0 * r**t:

        "monotone"     0 <= r < 1   (converges without changing sign; in one step if r == 0)
        "oscillating" -1 <  r < 0   (converges, flipping sign every step)
        "cycle"        r == -1      (bounces between x0 and -x0 forever)
        "diverge"      r <  -1

    Returns one of those four strings.
    """
    # BEGIN SOLUTION task 1.7: compute r = 1 - 2*a*lr and compare it with 0 and -1.
    r = 1.0 - 2.0 * a * lr
    if r < -1.0:
        return "diverge"
    if r == -1.0:
        return "cycle"
    if r < 0.0:
        return "oscillating"
    return "monotone"
    # END SOLUTION
