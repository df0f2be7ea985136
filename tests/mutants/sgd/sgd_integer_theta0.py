# mutant: sgd copies theta0 without converting it (np.array(theta0)): an integer theta0 with epochs = 0 gives an int64 trajectory
# kills: 2.2
# mistake: not float64
"""Part 2 — mini-batches and stochastic gradient descent (Lecture 4, "Stochastic Gradient Descent").

The loss of a network is an average over n training points, L(theta) = 1/n sum_i L_i(theta),
so its gradient is the average of n per-example gradients. SGD estimates that average from a
random mini-batch B of the points and steps with it:

    theta <- theta - eta * (1/|B|) sum_{i in B} grad L_i(theta).

An epoch is over when every point has been in exactly one mini-batch. Adding noise to every
step is also what lets SGD escape saddle points that stop plain GD (Jin et al., 2019).

Randomness comes only from the ``rng`` argument (a numpy.random.Generator), never from
np.random.* module functions or the ``random`` module. No argument is modified in place.
"""
import numpy as np


def minibatches(n, batch_size, rng):
    """Task 2.1 — one epoch's mini-batches of the indices 0..n-1, in a random order.

    Returns a list of 1-D integer arrays that together hold every index 0..n-1 exactly once,
    in an order drawn from rng. Every batch has batch_size indices except the last, which
    holds the remainder when batch_size does not divide n (that smaller batch is kept).
    Number of batches: ceil(n / batch_size).
    """
    # BEGIN SOLUTION task 2.1: draw one random permutation of range(n) from rng, then cut it into consecutive slices.
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]
    # END SOLUTION


def sgd(grads, theta0, n, *, lr, batch_size, epochs, rng):
    """Task 2.2 — mini-batch SGD over n training points.

    grads(theta, idx) returns the per-example gradients for the indices idx, shape
    (len(idx), D). Each epoch draws fresh mini-batches from rng (with the properties of
    task 2.1) and, batch by batch, updates

        theta <- theta - lr * mean over the batch of the per-example gradients,

    calling grads exactly once per update.

    theta0: shape (D,). Returns the trajectory, shape (S+1, D) with S = epochs * ceil(n /
    batch_size), row 0 equal to theta0.
    """
    # BEGIN SOLUTION task 2.2: for each epoch, new mini-batches; for each batch, one call to grads and one averaged step.
    theta = np.array(theta0)
    trajectory = [theta]
    for _ in range(epochs):
        for idx in minibatches(n, batch_size, rng):
            per_example = np.asarray(grads(theta, idx), dtype=np.float64)
            theta = theta - lr * per_example.mean(axis=0)
            trajectory.append(theta)
    return np.array(trajectory)
    # END SOLUTION


def noisy_gd(df, x0, *, lr, sigma, num_steps, rng):
    """Task 2.3 — gradient descent with Gaussian noise added to every gradient.

        x_{t+1} = x_t - lr * (df(x_t) + sigma * xi_t),   xi_t = rng.standard_normal(np.shape(x0)),

    one xi_t drawn per step, in order. With sigma = 0 this is plain GD. The noise is what
    moves the iterate off a saddle point, where the gradient alone is zero.

    x0: a scalar or shape (D,). Returns the trajectory of num_steps updates: shape
    (num_steps+1,) or (num_steps+1, D).
    """
    # BEGIN SOLUTION task 2.3: one standard-normal draw of shape np.shape(x0) per step, added to the gradient times sigma.
    shape = np.shape(x0)
    x = np.array(x0, dtype=np.float64)
    trajectory = [x]
    for _ in range(num_steps):
        noise = rng.standard_normal(shape)
        x = x - lr * (np.asarray(df(x), dtype=np.float64) + sigma * noise)
        trajectory.append(x)
    return np.array(trajectory)
    # END SOLUTION
