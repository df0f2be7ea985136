"""The optgrade command as users run it: exit codes, clear errors, and a real sandboxed
`optgrade grade` over the bundled class, compared with in-process grading of the same files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.grading import GradeOptions, grade_all, load_grades
from autograder.results import gradebook_csv
from harness import ASSIGNMENTS, ROOT, SOLUTIONS

OPTGRADE = str(Path(sys.executable).with_name("optgrade"))
EXAMPLES = ROOT / "examples" / "submissions"


def test_check_exit_codes_and_public_only_by_default():
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(SOLUTIONS)])
    assert ok.exit_code == 0, ok.output
    assert "Hidden checks exist and were not run" in ok.output
    stub = runner.invoke(main, ["check", str(ASSIGNMENTS / "descent.py")])
    assert stub.exit_code == 1 and "not implemented" in stub.output


def test_check_refuses_unknown_files_with_a_reason(tmp_path):
    (tmp_path / "notes.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "notes.py")])
    assert result.exit_code == 1 and "not a part file" in result.output and "Traceback" not in result.output


def test_grade_reports_a_missing_folder_without_a_traceback(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "nope"), "-o", str(tmp_path / "out"), "--insecure"],
                                env={"OPTGRADE_SEED": "5"})
    assert result.exit_code == 1 and "no such folder" in result.output and "Traceback" not in result.output


def test_grade_needs_the_instructor_seed(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(EXAMPLES), "-o", str(tmp_path / "out"),
                                       "--config", str(tmp_path / "missing.toml")], env={"OPTGRADE_SEED": ""})
    assert result.exit_code == 1 and "no instructor configuration" in result.output


def test_unknown_parts_are_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["grade", str(EXAMPLES), "-o", str(tmp_path), "--parts", "descent,optics"],
                                env={"OPTGRADE_SEED": "5"})
    assert result.exit_code == 2 and "unknown part(s) optics" in result.output


def test_strip_check_passes_on_the_committed_stubs():
    assert CliRunner().invoke(main, ["strip", "--check", "--source", str(SOLUTIONS), "--dest", str(ASSIGNMENTS)]).exit_code == 0


def _grade(out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPTGRADE_SEED": "5"}
    return subprocess.run([OPTGRADE, "grade", str(EXAMPLES), "-o", str(out), "--workers", "2", *extra],
                          capture_output=True, text=True, env=env, timeout=900)


@pytest.mark.slow
def test_grade_end_to_end_matches_in_process_grading_and_is_deterministic(tmp_path):
    first = _grade(tmp_path / "out")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    gradebook = (tmp_path / "out" / "grades.csv").read_text()
    # The same files graded in-process (trusted, no sandbox) give the same gradebook.
    reference = tmp_path / "inproc"
    summary = grade_all(EXAMPLES, reference, GradeOptions(seed=5, workers=1, sandbox=False))
    assert gradebook == gradebook_csv(load_grades(reference, summary.students))
    for student in summary.students:
        sandboxed = json.loads((tmp_path / "out" / student / "results.json").read_text())
        trusted = json.loads((reference / student / "results.json").read_text())
        assert [(t["name"], t["score"]) for t in sandboxed["tests"]] == [(t["name"], t["score"]) for t in trusted["tests"]]
    rows = {line.split(",")[0]: line.split(",")[1:] for line in gradebook.splitlines()[1:]}
    from autograder.registry import all_checks
    assert rows["starter"] == ["0"] * 6
    assert float(rows["reference"][-1]) == sum(c.points for c in all_checks())
    summary_doc = json.loads((tmp_path / "out" / "summary.json").read_text())
    from autograder.sandbox import detect_layers
    assert summary_doc["counts"]["students"] == 5
    assert summary_doc["isolation_layers"] == json.loads(json.dumps(detect_layers()))  # what this machine applied
    assert "report.html" in first.stdout and (tmp_path / "out" / "report.html").is_file()

    again = _grade(tmp_path / "out")
    assert again.returncode == 0 and "0 graded, 5 already complete" in again.stdout
    forced = _grade(tmp_path / "out", "--force")
    assert forced.returncode == 0 and (tmp_path / "out" / "grades.csv").read_text() == gradebook
