"""Pictures for a student's feedback, drawn by the judge from plain data.

Public checks attach figure data (these dataclasses hold only numbers and names, computed by
the check from the student's returned values and the check's own oracle); feedback.html
draws them with matplotlib's Agg backend as inline PNG images, only for failed checks, where
a picture explains the failure faster than a sentence.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Path2D:
    """The student's iterates beside the expected ones, on the contour of the objective.

    student, expected: shape (T, 2); grid_x (gx,), grid_y (gy,), levels: f on the grid, (gy, gx).
    """

    title: str
    student: np.ndarray
    expected: np.ndarray
    grid_x: np.ndarray
    grid_y: np.ndarray
    levels: np.ndarray


@dataclass(frozen=True)
class Path1D:
    """A 1-D objective's curve (curve_x, curve_y) with the student's and the expected iterates."""

    title: str
    student: np.ndarray
    expected: np.ndarray
    curve_x: np.ndarray
    curve_y: np.ndarray


@dataclass(frozen=True)
class Curve:
    """A per-epoch curve (e.g. training loss) of the student, optionally beside the expected one."""

    title: str
    ylabel: str
    student: np.ndarray
    expected: np.ndarray | None = None


@dataclass(frozen=True)
class GradientTable:
    """Per-parameter relative errors of a gradient against central differences (rows: name, shape, error)."""

    title: str
    rows: tuple[tuple[str, tuple[int, ...], float], ...]


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.subplots_adjust(left=0.13, bottom=0.13, right=0.97, top=0.9)  # fixed margins: a "tight" box draws twice
    fig.savefig(buffer, format="png", dpi=72)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _finite(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    keep = np.all(np.isfinite(a.reshape(len(a), -1)), axis=1) if a.size else np.zeros(0, dtype=bool)
    return a[keep]


def render(figure) -> str:
    """HTML for one figure: an <img> with an inline PNG, or a coloured table."""
    if isinstance(figure, GradientTable):
        return _table(figure)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    try:
        if isinstance(figure, Path2D):
            ax.contour(figure.grid_x, figure.grid_y, figure.levels, levels=15, cmap="Greys", linewidths=0.6)
            for rows, style, label in ((figure.expected, "o-", "expected"), (figure.student, "x--", "your code")):
                rows = _finite(rows)
                ax.plot(rows[:, 0], rows[:, 1], style, ms=3, lw=1, label=label)
            ax.set_xlim(figure.grid_x[0], figure.grid_x[-1])
            ax.set_ylim(figure.grid_y[0], figure.grid_y[-1])
        elif isinstance(figure, Path1D):
            ax.plot(figure.curve_x, figure.curve_y, color="0.6", lw=1)
            for xs, style, label in ((figure.expected, "o-", "expected"), (figure.student, "x--", "your code")):
                xs = _finite(np.asarray(xs).reshape(-1))
                xs = xs[(xs >= figure.curve_x[0]) & (xs <= figure.curve_x[-1])]
                ax.plot(xs, np.interp(xs, figure.curve_x, figure.curve_y), style, ms=3, lw=1, label=label)
        elif isinstance(figure, Curve):
            ax.plot(np.arange(1, len(figure.student) + 1), figure.student, "x--", label="your code")
            if figure.expected is not None:
                ax.plot(np.arange(1, len(figure.expected) + 1), figure.expected, "o-", label="expected")
            ax.set_xlabel("epoch")
            ax.set_ylabel(figure.ylabel)
        else:
            raise TypeError(f"no renderer for {type(figure).__name__}")
        ax.set_title(figure.title, fontsize=9)
        ax.legend(fontsize=8)
        image = _png(fig)
    finally:
        plt.close(fig)
    return f'<img class="figure" alt="{html.escape(figure.title)}" src="data:image/png;base64,{image}">'


def _table(figure: GradientTable) -> str:
    """Rows green below 1e-6, amber below 1e-3, red above (CS231n's reading of relative errors)."""
    cells = []
    for name, shape, error in figure.rows:
        colour = "#d7f5dd" if error < 1e-6 else "#fff2c6" if error < 1e-3 else "#ffd9d6"
        cells.append(f'<tr style="background:{colour}"><td>{html.escape(name)}</td><td>{tuple(shape)}</td>'
                     f"<td>{error:.1e}</td></tr>")
    return (f'<table class="gradcheck"><caption>{html.escape(figure.title)}</caption>'
            "<tr><th>parameter</th><th>shape</th><th>relative error</th></tr>" + "".join(cells) + "</table>")
