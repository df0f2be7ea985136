"""The instructor's view of a grading run: summary.json and a self-contained report.html.

Plots are drawn with matplotlib's Agg backend from the graded data only and embedded as
base64 PNG images, so the report is one file that can be mailed or archived.
"""
from __future__ import annotations

import base64
import io
import json
from collections import Counter
from typing import Any

from . import __version__
from .parts import PARTS, part_of_task
from .registry import points_table
from .results import StudentGrade, round_points


def summary_json(grades: list[StudentGrade], *, layers: dict[str, bool], seconds: float,
                 skipped: list[str], failed: dict[str, str], notes: list[str], parts: list[str]) -> str:
    """summary.json: points possible per part and task, counts, isolation layers, run time."""
    table = points_table()
    submitted = Counter(p for g in grades for p in g.parts_present)
    doc: dict[str, Any] = {
        "optgrade_version": __version__,
        "points_possible": {p: {"total": round_points(sum(table[p].values())),
                                "tasks": {t: round_points(v) for t, v in table[p].items()}} for p in parts},
        "counts": {"students": len(grades) + len(failed), "graded": len(grades) - len(skipped),
                   "skipped_complete": len(skipped), "failed": len(failed),
                   "part_submitted": {p: submitted.get(p, 0) for p in parts}},
        "isolation_layers": layers,
        "run_seconds": round(seconds, 3),
        "failed": failed,
        "input_notes": notes,
    }
    return json.dumps(doc, indent=1) + "\n"


def describe_layers(layers: dict[str, Any]) -> str:
    """'uid_separation on, landlock on, ... (kernel 6.18, landlock_abi 7)': switches first, facts after."""
    switches = [f"{k} {'on' if v else 'off'}" for k, v in layers.items() if isinstance(v, bool) and k != "secure"]
    facts = [f"{k} {v}" for k, v in layers.items() if not isinstance(v, bool)]
    return ", ".join(switches) + (f" ({', '.join(facts)})" if facts else "")


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def report_html(grades: list[StudentGrade], *, layers: dict[str, bool], parts: list[str]) -> str:
    """report.html: score histograms per part, pass rate per task, top mistakes and failure reasons."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import jinja2

    table = points_table()
    shown = [p for p in PARTS if p.name in parts]
    fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 2.6), squeeze=False)
    for ax, part in zip(axes[0], shown):
        maximum = sum(table[part.name].values())
        scores = [g.part_scores()[part.name] for g in grades]
        ax.hist(scores, bins=10, range=(0, maximum), color="#4c72b0", edgecolor="white")
        ax.set_title(part.name)
        ax.set_xlabel(f"points (of {maximum:g})")
    axes[0][0].set_ylabel("students")
    fig.tight_layout()
    histograms = _png(fig)
    plt.close(fig)

    task_ids = [t.id for p in shown for t in p.tasks]
    rates = []
    for task in task_ids:
        earned = sum(r.score for g in grades for r in g.results if r.task == task)
        possible = sum(r.points for g in grades for r in g.results if r.task == task)
        rates.append(100.0 * earned / possible if possible else 0.0)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.32 * len(task_ids)), 2.8))
    colors = [f"C{part_of_task(t).number - 1}" for t in task_ids]
    ax.bar(task_ids, rates, color=colors)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of points earned")
    ax.tick_params(axis="x", labelrotation=90)
    fig.tight_layout()
    pass_rates = _png(fig)
    plt.close(fig)

    # Counted in students: a mistake diagnosed by several checks of one student counts once.
    mistakes: Counter = Counter()
    for g in grades:
        mistakes.update({(r.task, r.mistake) for r in g.results if not r.passed and r.mistake})
    # Missing parts and untouched stubs would flood the reasons: they get their own counts.
    reasons = Counter((r.title, r.message) for g in grades for r in g.results
                      if not r.passed and r.kind not in ("missing", "not_implemented"))
    absent = []
    for part in shown:
        kinds = [{r.kind for r in g.results if part_of_task(r.task).name == part.name} for g in grades]
        absent.append((part.name, sum(k == {"missing"} for k in kinds),
                       sum("not_implemented" in k for k in kinds), sum("import" in k for k in kinds)))
    totals = [g.total() for g in grades]
    env = jinja2.Environment(loader=jinja2.PackageLoader("autograder", "templates"), autoescape=True)
    return env.get_template("report.html.j2").render(
        students=len(grades), mean_total=sum(totals) / len(totals) if totals else 0.0,
        max_total=sum(sum(table[p.name].values()) for p in shown),
        layers=describe_layers(layers) or "none recorded",
        histograms=histograms, pass_rates=pass_rates,
        mistakes=sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))[:15],
        reasons=sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:20], absent=absent)
