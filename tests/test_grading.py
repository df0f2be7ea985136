"""The bulk-grading pipeline: output files, determinism, resumption and atomic writes.

These run the judge in-process (sandbox=False) on trusted code, to test the pipeline on its
own; tests/test_cli_grade.py runs the real sandboxed command end to end.
"""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from autograder import grading
from autograder.grading import GradeOptions, grade_all, load_grades, write_gradebook
from autograder.registry import points_table
from autograder.results import GRADEBOOK_HEADER
from harness import ASSIGNMENTS, SOLUTIONS


@pytest.fixture
def submissions(tmp_path):
    root = tmp_path / "subs"
    (root / "ref").mkdir(parents=True)
    for f in SOLUTIONS.glob("*.py"):
        shutil.copy(f, root / "ref")
    (root / "stub").mkdir()
    shutil.copy(ASSIGNMENTS / "descent.py", root / "stub")
    (root / "half").mkdir()
    shutil.copy(SOLUTIONS / "descent.py", root / "half")
    (root / "half" / "sgd.py").write_text("def broken(:\n")
    return root


def _options(**kw):
    return GradeOptions(**({"seed": 3, "sandbox": False, "workers": 1} | kw))


def test_outputs_follow_the_interface(submissions, tmp_path):
    out = tmp_path / "out"
    summary = grade_all(submissions, out, _options())
    assert sorted(summary.graded) == ["half", "ref", "stub"]
    write_gradebook(out, load_grades(out, summary.students))
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0] == GRADEBOOK_HEADER
    table = points_table()
    full = {p: sum(t.values()) for p, t in table.items()}
    by_student = {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}
    assert by_student["ref"] == [*full.values(), sum(full.values())]
    assert by_student["stub"] == [0.0] * 6
    assert by_student["half"] == [full["descent"], 0, 0, 0, 0, full["descent"]]
    doc = json.loads((out / "half" / "results.json").read_text())
    assert doc["score"] == full["descent"]
    assert all(t["name"].split(" ")[0] in {tk for p in table.values() for tk in p} for t in doc["tests"])
    sgd_tests = [t for t in doc["tests"] if t["tags"][1] == "sgd"]
    assert sgd_tests and all(t["score"] == 0 and "syntax error at line 1" in t["output"] for t in sgd_tests)
    assert {t["visibility"] for t in doc["tests"]} == {"visible", "after_published"}
    assert "<html" in (out / "half" / "feedback.html").read_text()


def test_grading_twice_gives_identical_gradebooks_and_results(submissions, tmp_path):
    texts = []
    for name in ("a", "b"):
        out = tmp_path / name
        summary = grade_all(submissions, out, _options(workers=2))
        write_gradebook(out, load_grades(out, summary.students))
        scores = {s: [(t["name"], t["score"]) for t in json.loads((out / s / "results.json").read_text())["tests"]]
                  for s in summary.students}
        texts.append(((out / "grades.csv").read_bytes(), scores))
    assert texts[0] == texts[1]


def test_a_rerun_skips_complete_students_unless_forced(submissions, tmp_path):
    out = tmp_path / "out"
    grade_all(submissions, out, _options())
    again = grade_all(submissions, out, _options())
    assert again.graded == [] and sorted(again.skipped) == ["half", "ref", "stub"]
    (out / "stub" / "results.json").unlink()
    partial = grade_all(submissions, out, _options())
    assert partial.graded == ["stub"]
    forced = grade_all(submissions, out, _options(force=True))
    assert sorted(forced.graded) == ["half", "ref", "stub"]
    other_seed = grade_all(submissions, out, GradeOptions(seed=4, sandbox=False, workers=1))
    assert sorted(other_seed.graded) == ["half", "ref", "stub"], "results of another seed are not complete"


def test_an_interrupted_run_keeps_finished_students_and_no_partial_file(submissions, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real = grading.grade_one
    calls = []

    def interrupted(entry, *args, **kwargs):
        calls.append(entry.student)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(grading, "grade_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade_all(submissions, out, _options())
    monkeypatch.setattr(grading, "grade_one", real)
    assert (out / calls[0] / "results.json").is_file()
    assert not (out / calls[1]).exists()
    assert not list(out.rglob("*.tmp"))
    resumed = grade_all(submissions, out, _options())
    assert resumed.skipped == [calls[0]] and len(resumed.graded) == 2
