"""Result formats: Gradescope's results.json, the gradebook CSV, and atomic file writing.

Files are written to a temporary name in the same folder and renamed into place, so an
interrupted run never leaves a half-written file: a results.json that exists is complete.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checking import CheckResult
from .parts import PARTS, part_of_task

GRADEBOOK_HEADER = ["student", *[p.name for p in PARTS], "total"]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (all or nothing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def round_points(x: float) -> float:
    """Points as shown and stored: 4 decimals, and -0.0 never appears."""
    return round(x, 4) + 0.0


@dataclass
class StudentGrade:
    """Everything graded for one student: the check results and notes about their files."""

    student: str
    results: list[CheckResult]
    notes: list[str] = field(default_factory=list)
    parts_present: list[str] = field(default_factory=list)

    def part_scores(self) -> dict[str, float]:
        scores = {p.name: 0.0 for p in PARTS}
        for r in self.results:
            scores[part_of_task(r.task).name] += r.score
        return {k: round_points(v) for k, v in scores.items()}

    def total(self) -> float:
        return round_points(sum(r.score for r in self.results))

    def max_total(self) -> float:
        return round_points(sum(r.points for r in self.results))


def gradescope_json(grade: StudentGrade, *, meta: dict[str, Any] | None = None) -> str:
    """Gradescope's results.json: one test per check, named with its title (task id first).

    Public checks are "visible"; hidden ones "after_published" (students see them, with the
    non-revealing message, once grades are published). extra_data keeps what reports need.
    """
    tests = []
    for r in grade.results:
        tests.append({
            "name": r.title,
            "score": round_points(r.score),
            "max_score": round_points(r.points),
            "status": "passed" if r.passed else "failed",
            "visibility": "after_published" if r.hidden else "visible",
            "output": "" if r.passed else r.message,
            "tags": [r.task, part_of_task(r.task).name],
            "extra_data": {"check": r.name, "task": r.task, "hidden": r.hidden, "kind": r.kind,
                           "mistake": r.mistake},
        })
    lines = [f"{p}: {s:g} / {m:g}" for (p, s), m in zip(grade.part_scores().items(), _part_max(grade).values())]
    output = "Scores by part\n" + "\n".join(lines)
    if grade.notes:
        output += "\n\nAbout your files:\n" + "\n".join(f"- {n}" for n in grade.notes)
    doc = {
        "score": grade.total(),
        "output": output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"student": grade.student, "notes": grade.notes, "parts_present": grade.parts_present,
                       **(meta or {})},
    }
    return json.dumps(doc, indent=1, sort_keys=False) + "\n"


def _part_max(grade: StudentGrade) -> dict[str, float]:
    maxima = {p.name: 0.0 for p in PARTS}
    for r in grade.results:
        maxima[part_of_task(r.task).name] += r.points
    return maxima


def grade_from_json(text: str) -> StudentGrade:
    """Rebuild a StudentGrade from a results.json written by :func:`gradescope_json`."""
    doc = json.loads(text)
    results = []
    for t in doc["tests"]:
        extra = t["extra_data"]
        results.append(CheckResult(extra["check"], extra["task"], t["name"], float(t["max_score"]), bool(extra["hidden"]),
                                   t["status"] == "passed", t["output"] or "passed", extra["kind"], extra["mistake"]))
    extra = doc.get("extra_data", {})
    return StudentGrade(extra.get("student", ""), results, list(extra.get("notes", [])), list(extra.get("parts_present", [])))


def gradebook_csv(grades: list[StudentGrade]) -> str:
    """grades.csv: header student,descent,sgd,momentum,adaptive,backprop,total; one row per student."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GRADEBOOK_HEADER)
    for g in sorted(grades, key=lambda g: g.student):
        scores = g.part_scores()
        writer.writerow([g.student, *[f"{scores[p.name]:g}" for p in PARTS], f"{g.total():g}"])
    return buffer.getvalue()

