"""A student's results as a self-contained HTML page (no external files), from data only."""
from __future__ import annotations

import jinja2

from .figures import render
from .parts import part_of_task
from .results import StudentGrade

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("autograder", "templates"),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True)


def feedback_html(grade: StudentGrade) -> str:
    """feedback.html: score per part, then every check with its result and teaching message, and
    for failed public checks the figures they attached (drawn here, inline)."""
    by_part: dict[str, list] = {}
    maxima: dict[str, float] = {}
    for r in grade.results:
        part = part_of_task(r.task).name
        by_part.setdefault(part, []).append(r)
        maxima[part] = maxima.get(part, 0.0) + r.points
    figures = {r.name: "".join(render(f) for f in r.plots) for r in grade.results if not r.passed and r.plots}
    return _ENV.get_template("feedback.html.j2").render(grade=grade, by_part=by_part, maxima=maxima, figures=figures)
