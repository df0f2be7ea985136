"""Source of the student kit's lab notebook, lab.ipynb: edit here, never the .ipynb.

This file is read as text by autograder/notebook.py (``optgrade notebook -o PATH``) and never
imported: its cells import the student's part files (descent.py, sgd.py, ...), which sit next
to lab.ipynb in the kit. Format: "percent" cells, as in jupytext. A line ``# %%`` starts a
code cell and ``# %% [markdown]`` a markdown cell whose lines are comments ("# text", or a
bare "#" for an empty line). Everything above the first marker, like this docstring, is left
out of the notebook. Keep every code cell plain Python (no magics): tests compile each cell,
and run the whole notebook against solutions/ (must succeed) and against assignments/ (must
stop at the first ``NotImplementedError("task P.T")``).
"""

# %% [markdown]
# # Lab 4 — Optimization in deep learning: see what your code does
#
# This notebook follows Lecture 4, *Optimization in Deep Learning*, in order: gradient descent
# and its learning rate, local minima and saddle points, stochastic gradient descent, momentum,
# adaptive learning rates, and backpropagation through a small network.
#
# It sits next to your five part files — `descent.py`, `sgd.py`, `momentum.py`, `adaptive.py`,
# `backprop.py` — and **every exercise cell imports your own code**. Use it as a visual
# debugger:
#
# - Run the notebook top to bottom (*Run All*). The first cell that reaches a function you have
#   not written yet stops with `NotImplementedError: task P.T`: that task is the next one to do.
#   Each section says which task ids it uses.
# - Edit the `.py` file, save it, and re-run the cell: the setup cell below reloads your
#   modules automatically, no kernel restart needed.
# - The plots tell you whether your code *behaves* as the lecture says. They are not your grade:
#   `optgrade check .` runs the public checks, and hidden checks test the same properties on
#   other inputs.
#
# Notation as in the lecture: the learning rate $\eta$ is `lr` in code, iterates are
# $x_0, x_1, \dots$, and a *trajectory* is the array `[x_0, x_1, ..., x_T]` of all iterates.

# %%
# Setup: plotting, and automatic reloading of your part files after you edit them.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython

ipython = get_ipython()
if ipython is not None:
    ipython.run_line_magic("load_ext", "autoreload")
    ipython.run_line_magic("autoreload", "2")

# Divergence is part of the lab: overflow while GD blows up is expected, not a bug.
warnings.filterwarnings("ignore", message="overflow encountered", category=RuntimeWarning)
warnings.filterwarnings("ignore", message="invalid value encountered", category=RuntimeWarning)
plt.rcParams.update({"figure.figsize": (10, 4), "figure.dpi": 80, "axes.grid": True})

# %% [markdown]
# ## 1. Gradient descent on $f(x) = x^2$: the lecture's exercise (tasks 1.6, 1.7)
#
# Gradient descent walks downhill like the lecture's climber:
# $x_{t+1} = x_t - \eta \frac{df}{dx}(x_t)$, until $|grad| < \epsilon$.
# The exercise: implement it for $f(x) = x^2$ (so $\frac{df}{dx} = 2x$) with $\eta = 0.1$,
# print $f$ as you go, then try $\eta$ = 0.01, 1, 100, 1000.
#
# The cell below runs **your** `gradient_descent` (task 1.6) from $x_0 = 1$ for each rate, and
# asks **your** `lr_regime(lr, a)` (task 1.7) what should happen on $f(x) = a x^2$ with $a = 1$.
# We add $\eta = 0.75$ to the lecture's five rates: none of them shows the fourth behaviour.

# %%
from descent import gradient_descent, lr_regime


def f(x):
    return x**2


def df(x):
    return 2 * x


x0 = 1.0
lrs = [0.01, 0.1, 0.75, 1, 100, 1000]  # the lecture's five rates, plus 0.75
runs = {lr: gradient_descent(df, x0, lr) for lr in lrs}

print("f(x_t) for the first iterations:")
print("  t " + "".join(f"{'lr = ' + str(lr):>13}" for lr in lrs))
for t in range(8):
    print(f"{t:3d} " + "".join(f"{f(traj[t]):13.4g}" if t < len(traj) else f"{'-':>13}" for traj in runs.values()))
print()
for lr, traj in runs.items():
    print(f"lr = {lr:<5}  lr_regime: {lr_regime(lr, 1.0)!r:14}  stopped after {len(traj) - 1:4d} updates "
          f"at x = {traj[-1]:.4g}")

# %% [markdown]
# One GD step on $f(x) = a x^2$ multiplies $x$ by $r = 1 - 2 a \eta$, so $x_t = x_0 r^t$. The
# four regimes of `lr_regime`, one picture each below:
#
# - **monotone** ($0 \le r < 1$): $x$ shrinks without changing sign — slowly for $\eta = 0.01$
#   ($r = 0.98$), quickly for $\eta = 0.1$ ($r = 0.8$). GD stops once $|2x| < \epsilon$.
# - **oscillating** ($-1 < r < 0$): $\eta = 0.75$ gives $r = -0.5$; $x$ flips sign every step
#   and still converges.
# - **cycle** ($r = -1$): $\eta = 1$ bounces between $1$ and $-1$ forever; $f$ never changes, so
#   GD only stops at `max_iter` (1000 updates).
# - **diverge** ($r < -1$): $\eta = 100$ and $1000$ multiply $|x|$ by 199 and 1999 every step,
#   until the iterates overflow; your GD must stop right after the first non-finite iterate.
#
# What to look for: each panel's title (your `lr_regime`) must match the shape of the curve
# (your `gradient_descent`), and the measured ratio $x_1 / x_0$ printed under the plot must
# equal $r$. The weakness of GD this shows: the right $\eta$ depends on the curvature $a$,
# which we do not know in advance — too small is slow, too large never converges.

# %%
from descent import lr_regime

fig, axes = plt.subplots(2, 3, figsize=(12, 6), sharex=True)
for ax, (lr, traj) in zip(axes.flat, runs.items()):
    ax.plot(traj[:13], "o-")
    ax.axhline(0.0, color="black", linewidth=0.8)
    if np.max(np.abs(traj[:13])) > 10:
        ax.set_yscale("symlog")
    ax.set_title(f"lr = {lr}: {lr_regime(lr, 1.0)}")
for ax in axes[1]:
    ax.set_xlabel("iteration t")
for ax in axes[:, 0]:
    ax.set_ylabel("$x_t$")
fig.suptitle("GD on f(x) = x**2 from x0 = 1: the first 12 iterates")
fig.tight_layout()
plt.show()

for lr, traj in runs.items():
    r = 1 - 2 * 1.0 * lr
    print(f"lr = {lr:<5}  r = 1 - 2*a*lr = {r:<7g}  measured x_1/x_0 = {traj[1] / traj[0]:<7g}  "
          f"lr_regime: {lr_regime(lr, 1.0)}")

# %% [markdown]
# ## 2. The same in two dimensions: $f(x, y) = x^2 + y^2$ (task 1.6)
#
# The lecture's last question: *how does your code change?* Only the function and its
# gradient do. $x$ is now a vector $[x, y]$, `df` returns the gradient
# $\nabla f = [\frac{df}{dx}, \frac{df}{dy}] = [2x, 2y]$ as an **array**, and the same
# `gradient_descent` works: the update $x_{t+1} = x_t - \eta \nabla f(x_t)$ is the same line of
# numpy, the stopping test uses the gradient's size $\|\nabla f\|$, and the trajectory has shape
# `(T+1, 2)`, one row per iterate.
#
# What to look for: the printed shape, $f$ decreasing as in 1-D, and on the plot the same
# regimes as before, since each coordinate is multiplied by $r = 1 - 2\eta$: straight paths to
# the minimum $(0, 0)$ for $\eta = 0.1$, zig-zags across it for $\eta = 0.75$, and for
# $\eta = 1$ a cycle between two opposite points with $f$ stuck at its starting value.

# %%
from descent import gradient_descent


def f2(p):
    p = np.asarray(p, dtype=float)
    return p[..., 0] ** 2 + p[..., 1] ** 2


def df2(p):
    return 2 * np.asarray(p, dtype=float)  # [df/dx, df/dy]: an array, not a number


p0 = np.array([1.5, -1.0])
traj = gradient_descent(df2, p0, 0.1)
print("trajectory shape:", traj.shape, " (T+1, D) with D = 2")
for t in range(6):
    print(f"t = {t}  x_t = {np.array2string(traj[t], precision=4)}  f(x_t) = {f2(traj[t]):.4g}")

grid = np.linspace(-2, 2, 201)
X, Y = np.meshgrid(grid, grid)
fig, (plane, values) = plt.subplots(1, 2, figsize=(12, 5))
plane.contour(X, Y, f2(np.stack([X, Y], axis=-1)), levels=15, cmap="Greys")
for lr, start in [(0.1, (1.5, -1.0)), (0.75, (-0.5, 1.8)), (1.0, (-1.6, -0.6))]:
    path = gradient_descent(df2, np.array(start), lr, max_iter=12)
    plane.plot(path[:, 0], path[:, 1], "o-", markersize=4, label=f"lr = {lr}, from {start}")
    values.plot(f2(path), "o-", markersize=4, label=f"lr = {lr}")
plane.plot(0, 0, "k*", markersize=12)
plane.set(xlabel="x", ylabel="y", title="GD on x**2 + y**2", aspect="equal")
plane.legend(fontsize=8)
values.set(xlabel="iteration t", ylabel="f(x_t)", title="f along each path")
values.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. When gradient descent is suboptimal: a local minimum (tasks 1.2, 1.6)
#
# GD does not always find the global minimum: where it ends depends on where it starts. The
# double well $f(x) = x^4 - 3x^2 + x$ has its global minimum near $x = -1.30$, a local minimum
# near $x = 1.13$, and a hill top in between (near $x = 0.17$).
#
# The cell runs your `gradient_descent` with your `grad_double_well` from six starting points.
# What to look for: starts left of the hill top roll into the global minimum, starts right of it
# get stuck in the local one — even from $x_0 = 0.25$, very close to the others. If the dots do
# not lie on the curve's slopes, or GD climbs, check the sign of your derivative (task 1.2).

# %%
from descent import grad_double_well, gradient_descent


def double_well(x):
    return x**4 - 3 * x**2 + x


xs = np.linspace(-2.1, 2.1, 2001)
x_global = xs[np.argmin(double_well(xs))]  # located by brute force, independently of your code

starts = [-2.0, -0.5, 0.1, 0.25, 0.5, 2.0]
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
left.plot(xs, double_well(xs), color="black", linewidth=1)
for x_start in starts:
    path = gradient_descent(grad_double_well, x_start, 0.02)
    end = path[-1]
    kind = "global" if abs(end - x_global) < 0.05 else "local"
    print(f"start {x_start:5.2f} -> x = {end:7.4f}, f = {double_well(end):7.4f}  ({kind} minimum, "
          f"{len(path) - 1} updates)")
    line, = left.plot(path, double_well(path), "o", markersize=3, alpha=0.6, label=f"x0 = {x_start}")
    left.plot(end, double_well(end), "*", markersize=14, color=line.get_color())
    right.plot(path, "-", color=line.get_color(), label=f"x0 = {x_start}")
left.set(xlabel="x", ylabel="f(x)", title="f(x) = x**4 - 3x**2 + x and the GD iterates", ylim=(-4.5, 6))
right.set(xlabel="iteration t", ylabel="$x_t$", title="x_t: where each start ends")
right.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Stochastic gradient descent and the batch size (tasks 2.1, 2.2)
#
# A network's loss is an average over $n$ training points,
# $L(\theta) = \frac{1}{n}\sum_{i=1}^n L_i(\theta)$, so one GD step costs $n$ gradients
# $\nabla_\theta L_i$. SGD averages the gradients of a random **mini-batch** only; an **epoch**
# is over when every point has been in one mini-batch.
#
# Here $L_i(\theta) = \frac{1}{2}(x^{(i)} \cdot \theta - y^{(i)})^2$ (least squares, $n = 200$
# points in $D = 5$ dimensions), so $\nabla_\theta L_i = (x^{(i)} \cdot \theta - y^{(i)})\,x^{(i)}$.
# Your `sgd` runs with batch sizes 1, 10 and $n$ (batch size $n$ is plain GD), the same rate
# and 20 epochs each. The cell counts your calls to `grads` (task 2.2: exactly one per update).
#
# What to look for, as in the lecture:
# - **per epoch** (left), every run has computed the same $n$ gradients, and the small batches
#   are far ahead: SGD makes more progress than GD using each data point only once;
# - **per gradient evaluation** (right, one $\nabla_\theta L_i$ each), the full batch needs $n$
#   evaluations for a single, stable step; batch size 1 takes a step after every evaluation but
#   its path is erratic and stalls above the best loss (dashed), at a level set by $\eta$.

# %%
from sgd import sgd

rng = np.random.default_rng(0)
n, D = 200, 5
X_ls = rng.standard_normal((n, D))
theta_true = rng.standard_normal(D)
y_ls = X_ls @ theta_true + 0.1 * rng.standard_normal(n)
best_loss = 0.5 * np.mean((X_ls @ np.linalg.lstsq(X_ls, y_ls, rcond=None)[0] - y_ls) ** 2)


def ls_loss(thetas):
    """L(theta) for every row of thetas."""
    return 0.5 * np.mean((np.atleast_2d(thetas) @ X_ls.T - y_ls) ** 2, axis=1)


epochs = 20
fig, (per_epoch, per_eval) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for batch_size in [1, 10, n]:
    calls = []  # the size of each mini-batch your sgd asked for, in order

    def per_example_grads(theta, idx):
        calls.append(len(idx))
        residual = X_ls[idx] @ theta - y_ls[idx]
        return residual[:, None] * X_ls[idx]

    traj = sgd(per_example_grads, np.zeros(D), n, lr=0.05, batch_size=batch_size, epochs=epochs,
               rng=np.random.default_rng(1))
    steps_per_epoch = -(-n // batch_size)
    expected_rows = epochs * steps_per_epoch + 1
    note = "" if len(traj) == expected_rows == len(calls) + 1 else \
        f"   <-- expected {expected_rows} rows and one call to grads per update (task 2.2)"
    losses = ls_loss(traj)
    print(f"batch size {batch_size:3d}: {steps_per_epoch:3d} updates per epoch, trajectory {traj.shape}, "
          f"{len(calls)} calls to grads, final loss {losses[-1]:.4f}{note}")
    label = f"batch size {batch_size}" + (" (GD)" if batch_size == n else "")
    per_epoch.plot(np.arange(epochs + 1), losses[::steps_per_epoch], "o-", markersize=3, label=label)
    evaluations = np.cumsum(calls)[: len(losses) - 1]  # after update k, before it: losses[k + 1]
    per_eval.plot(evaluations, losses[1: len(evaluations) + 1], label=label)
for ax in (per_epoch, per_eval):
    ax.axhline(best_loss, color="black", linestyle="--", linewidth=1)
    ax.set_yscale("log")
    ax.legend()
per_epoch.set(xlabel="epoch", ylabel="L(theta)", title="loss per epoch")
per_eval.set(xlabel="per-example gradients computed", xscale="log", title="loss per gradient evaluation")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Saddle points, and how noise escapes them (tasks 1.6, 2.3)
#
# GD can also stop at a **saddle point**, where the gradient is zero but the function still goes
# down in some direction. On $f(x, y) = x^2 - y^2$, with $\nabla f = [2x, -2y]$, GD started on
# the $x$-axis never leaves it ($y$ stays exactly 0) and converges to the saddle $(0, 0)$.
#
# The lecture's answer is randomness: SGD "can be seen as adding noise to every step a full
# gradient would take" (Jin et al., 2019). Your `noisy_gd` does exactly that,
# $x_{t+1} = x_t - \eta(\nabla f(x_t) + \sigma \xi_t)$. What to look for: GD (black) stops at
# the saddle with a tiny gradient and $f = 0$; every noisy run (one per seed) gets pushed off the
# axis and then slides down along $\pm y$, with $f$ decreasing without bound. With
# $\sigma = 0$, `noisy_gd` must reproduce GD exactly.

# %%
from descent import gradient_descent
from sgd import noisy_gd


def saddle(p):
    p = np.asarray(p, dtype=float)
    return p[..., 0] ** 2 - p[..., 1] ** 2


def grad_saddle(p):
    x, y = np.asarray(p, dtype=float)
    return np.array([2 * x, -2 * y])


start = np.array([1.0, 0.0])
gd_path = gradient_descent(grad_saddle, start, 0.1)
end = gd_path[-1]
print(f"GD stopped after {len(gd_path) - 1} updates at {np.array2string(end, precision=6)}, "
      f"|grad| = {np.linalg.norm(grad_saddle(end)):.2e}, f = {saddle(end):.2e}: a saddle, not a minimum")
same = noisy_gd(grad_saddle, start, lr=0.1, sigma=0.0, num_steps=20, rng=np.random.default_rng(0))
print("noisy_gd with sigma = 0 equals GD:", np.allclose(same, gradient_descent(grad_saddle, start, 0.1,
                                                                               eps=0.0, max_iter=20)))

grid = np.linspace(-1.6, 1.6, 201)
X, Y = np.meshgrid(grid, grid)
fig, (plane, values) = plt.subplots(1, 2, figsize=(12, 5))
plane.contour(X, Y, saddle(np.stack([X, Y], axis=-1)), levels=21, cmap="coolwarm")
plane.plot(gd_path[:, 0], gd_path[:, 1], "ko-", markersize=3, label="GD")
values.plot(saddle(gd_path), "k-", linewidth=2, label="GD")
for seed in range(4):
    path = noisy_gd(grad_saddle, start, lr=0.1, sigma=0.1, num_steps=40, rng=np.random.default_rng(seed))
    plane.plot(path[:, 0], path[:, 1], ".-", markersize=3, label=f"noisy GD, seed {seed}")
    values.plot(saddle(path), label=f"noisy GD, seed {seed}")
plane.plot(0, 0, "k*", markersize=12)
plane.set(xlim=(-1.6, 1.6), ylim=(-1.6, 1.6), xlabel="x", ylabel="y", title="f(x, y) = x**2 - y**2",
          aspect="equal")
plane.legend(loc="lower left", fontsize=8)
values.set(xlabel="iteration t", ylabel="f(x_t)", title="f along each path", ylim=(-3, 1.2))
values.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Momentum and adaptive learning rates on the Rosenbrock valley (tasks 1.3, 3.1–3.4, 4.1–4.5)
#
# The Rosenbrock function $f(x, y) = (1 - x)^2 + 100(y - x^2)^2$ has its minimum at $(1, 1)$ at
# the bottom of a long, curved, flat valley: easy to find, slow to reach. Every optimiser starts
# at $(-1.5, 2)$ and makes 2000 steps with your `grad_rosenbrock` (task 1.3):
#
# - **GD** (task 1.6), $\eta = 10^{-3}$: it reaches the valley at once, then crawls along it.
# - **Momentum** (tasks 3.1, 3.2, 3.4), same $\eta$, $\beta = 0.9$:
#   $g_t = \beta g_{t-1} + \nabla f(x_t)$, $x_{t+1} = x_t - \eta g_t$. Remembering the previous
#   directions builds up speed along the valley floor; it overshoots across the valley at first.
# - **Nesterov** (task 3.3): the same with PyTorch's correction $x_{t+1} = x_t - \eta(\nabla f + \beta v_t)$.
# - **AdaGrad-Norm** (task 4.1), the lecture's adaptive rate
#   $\eta / \sqrt{\epsilon + \sum_{j} \|\nabla f(x_j)\|^2}$: one rate that shrinks as large
#   gradients pile up.
# - **AdaGrad**, **RMSprop**, **Adam** (tasks 4.2, 4.3, 4.4), run by your `minimize` (task 4.5): per-coordinate
#   rates. AdaGrad's sum only grows, so it slows down for good; RMSprop forgets old gradients;
#   Adam adds momentum to RMSprop, plus bias correction — its first step has size about $\eta$ in
#   every coordinate, printed below.
#
# What to look for: paths that start at the white dot, stay on the picture, and end (coloured
# dots) near the star — momentum, Nesterov and Adam much closer than GD after the same number of steps.
# A path that leaves the valley or explodes points to the update rule of that optimiser.

# %%
from adaptive import (adagrad_init, adagrad_norm, adagrad_update, adam_init, adam_update, minimize,
                      rmsprop_init, rmsprop_update)
from descent import grad_rosenbrock, gradient_descent
from momentum import run_momentum


def rosenbrock(p):
    p = np.asarray(p, dtype=float)
    return (1 - p[..., 0]) ** 2 + 100 * (p[..., 1] - p[..., 0] ** 2) ** 2


start, steps = np.array([-1.5, 2.0]), 2000
paths = {
    "GD, lr 1e-3": gradient_descent(grad_rosenbrock, start, 1e-3, eps=0.0, max_iter=steps),
    "momentum, lr 1e-3, beta 0.9": run_momentum(grad_rosenbrock, start, lr=1e-3, beta=0.9, num_steps=steps),
    "Nesterov, lr 1e-3, beta 0.9": run_momentum(grad_rosenbrock, start, lr=1e-3, beta=0.9, num_steps=steps,
                                                nesterov=True),
    "AdaGrad-Norm, lr 1": adagrad_norm(grad_rosenbrock, start, lr=1.0, eps=1e-8, num_steps=steps),
    "AdaGrad, lr 0.5": minimize(grad_rosenbrock, start, adagrad_init, adagrad_update, num_steps=steps, lr=0.5),
    "RMSprop, lr 0.01": minimize(grad_rosenbrock, start, rmsprop_init, rmsprop_update, num_steps=steps, lr=0.01),
    "Adam, lr 0.05": minimize(grad_rosenbrock, start, adam_init, adam_update, num_steps=steps, lr=0.05),
}
for name, path in paths.items():
    print(f"{name:28}  {len(path) - 1} steps, ends at {np.array2string(path[-1], precision=4):18}  "
          f"f = {rosenbrock(path[-1]):.2e}")
print("Adam's first step:", np.array2string(paths["Adam, lr 0.05"][1] - start, precision=4),
      "(about lr = 0.05 in each coordinate, thanks to the bias correction)")

X, Y = np.meshgrid(np.linspace(-2, 2, 301), np.linspace(-1, 3, 301))
fig, (plane, values) = plt.subplots(1, 2, figsize=(13, 5.5))
plane.contourf(X, Y, np.log10(rosenbrock(np.stack([X, Y], axis=-1)) + 1e-3), levels=30, cmap="Greys_r")
for name, path in paths.items():
    line, = plane.plot(path[:, 0], path[:, 1], "-", linewidth=1.5, label=name)
    plane.plot(*path[-1], "o", color=line.get_color(), markeredgecolor="black", markersize=7)
    values.plot(rosenbrock(path) + 1e-16, label=name)
plane.plot(*start, "wo", markersize=8)
plane.plot(1, 1, "y*", markersize=16)
plane.set(xlim=(-2, 2), ylim=(-1, 3), xlabel="x", ylabel="y",
          title="Rosenbrock: every optimiser, 2000 steps (dot: where it ends)")
plane.legend(loc="lower right", fontsize=8)
values.set(xlabel="step", ylabel="f(x_t)", xscale="log", yscale="log", title="f along each path")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 7. Chain rule and backpropagation (tasks 1.1, 1.5, 5.1–5.9)
#
# To train a network we need the gradient of its loss with respect to every weight, and the
# chain rule is all it takes. First the lecture's example: with $f(u) = u^2$ and
# $g(x) = 3x^3 + 2$, $\frac{dy}{dx} = \frac{dy}{du}\frac{du}{dx} = (2u)(9x^2) = 54x^5 + 36x^2$.
#
# Central differences, $\frac{f(x + h) - f(x - h)}{2h}$, check any derivative without knowing
# it. The cell compares your `chain_rule_example` (task 1.1) with your `numerical_gradient`
# (task 1.5), then your backpropagation `backward` (task 5.7) with `numerical_gradient` on a
# small network (which also runs `relu`, `softmax`, `cross_entropy`, `forward` and `loss`,
# tasks 5.1–5.3, 5.5, 5.6). What to look for: relative errors around $10^{-7}$ or smaller.
# An error near 1 means a wrong derivative; for `backward`, the layer where it appears tells you
# where to look (the last layer is computed first).

# %%
from backprop import backward, init_params, loss
from descent import chain_rule_example, numerical_gradient


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b)))


points = np.array([-1.0, -0.3, 0.5, 1.2])
exact = chain_rule_example(points)
numeric = np.array([numerical_gradient(lambda x: (3 * x**3 + 2) ** 2, x) for x in points])
for x, e, m in zip(points, exact, numeric):
    print(f"x = {x:5.2f}: chain rule {e:10.5f}, central differences {m:10.5f}")
print(f"chain_rule_example vs numerical_gradient: relative error {relative_error(exact, numeric):.1e}\n")

check_rng = np.random.default_rng(3)
X_small = check_rng.standard_normal((6, 3))
y_small = np.array([0, 1, 2, 0, 1, 2])
params = init_params([3, 5, 4, 3], check_rng)
grads = backward(params, X_small, y_small)
for layer, (W, dW) in enumerate(zip(params, grads)):
    def loss_of_layer(W_new, layer=layer):
        return loss([W_new if k == layer else P for k, P in enumerate(params)], X_small, y_small)

    numeric = numerical_gradient(loss_of_layer, W)
    print(f"W_{layer} {str(W.shape):7}: backward vs numerical_gradient, relative error "
          f"{relative_error(dW, numeric):.1e}")

# %% [markdown]
# ## 8. Training a multilayer perceptron on spirals (tasks 5.4, 5.5, 5.8, 5.9)
#
# Now the whole lecture at once: the network
# $NN_\theta(x) = \mathrm{softmax}(W_L\, a(W_{L-1} \cdots a(W_0 x)))$ with ReLU $a$, trained by
# mini-batch SGD on the average cross-entropy, the gradients coming from backpropagation.
#
# The data: three interleaved spirals, 100 points each, not separable by any straight line.
# The network has **no biases**, so each point gets a third, constant feature 1: $W_0$'s
# column for it then acts as the first layer's bias. Layer sizes `[3, 32, 32, 3]`, $\eta = 0.2$,
# mini-batches of 32, 200 epochs (your `train`, task 5.8, with `init_params`, task 5.4).
#
# What to look for: the loss per epoch falling steadily (a flat curve at $\log 3 \approx 1.10$
# means nothing is learned; a rising or `nan` curve, a wrong gradient or sign); training accuracy
# (task 5.9) close to 100%, and on fresh spiral points too; decision regions (from your
# `forward`, task 5.5) that wind with the spirals.

# %%
from backprop import accuracy, forward, train


def spirals(points_per_class, num_classes, rng):
    """The three-arm spiral data set: features (x1, x2, 1) and integer labels."""
    features, labels = [], []
    for k in range(num_classes):
        radius = np.linspace(0.05, 1.0, points_per_class)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), points_per_class) + 0.2 * rng.standard_normal(points_per_class)
        features.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(points_per_class, k))
    X = np.concatenate(features)
    return np.column_stack([X, np.ones(len(X))]), np.concatenate(labels)


X_train, y_train = spirals(100, 3, np.random.default_rng(0))
X_test, y_test = spirals(100, 3, np.random.default_rng(7))
params, losses = train(X_train, y_train, [3, 32, 32, 3], lr=0.2, epochs=200, batch_size=32,
                       rng=np.random.default_rng(1))
print(f"loss after the first epoch {losses[0]:.3f}, after the last {losses[-1]:.4f}")
print(f"accuracy: training {accuracy(params, X_train, y_train):.1%}, fresh points {accuracy(params, X_test, y_test):.1%}")

grid = np.linspace(-1.15, 1.15, 231)
G1, G2 = np.meshgrid(grid, grid)
grid_points = np.column_stack([G1.ravel(), G2.ravel(), np.ones(G1.size)])
regions = np.argmax(forward(params, grid_points), axis=1).reshape(G1.shape)

fig, (curve, picture) = plt.subplots(1, 2, figsize=(12, 5))
curve.plot(np.arange(1, len(losses) + 1), losses)
curve.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log", title="training curve")
picture.contourf(G1, G2, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=["#c6dbef", "#fdd0a2", "#c7e9c0"])
for k, color in enumerate(["tab:blue", "tab:orange", "tab:green"]):
    picture.scatter(*X_train[y_train == k, :2].T, color=color, s=12, edgecolors="black", linewidths=0.3,
                    label=f"class {k}")
picture.legend(loc="upper right", fontsize=8)
picture.set(xlabel="$x_1$", ylabel="$x_2$", title="decision regions of the trained network", aspect="equal")
picture.grid(False)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What next
#
# - `optgrade check .` runs the public checks on every part file in this folder
#   (`optgrade check descent.py` on one part); each failing check names its task.
# - Experiment: change the learning rates, $\beta$, the batch size or the starting points above
#   and predict the picture before you run the cell.
