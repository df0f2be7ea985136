"""Shared helpers of the project's tests: run the registry in-process on a folder of part files."""
from __future__ import annotations

from pathlib import Path

from autograder.checking import CheckResult, run_checks
from autograder.executor import in_process_factory
from autograder.registry import checks_for

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
TEST_SEEDS = (11, 2024)  # grading seeds the suites are proven on (any seed must work)


def grade_folder(folder: Path, part: str | None = None, seed: int = TEST_SEEDS[0]) -> list[CheckResult]:
    """All checks (hidden included) of one part or all parts, against the part files in ``folder``."""
    return run_checks(checks_for(part), in_process_factory(folder), seed)


def task_scores(results: list[CheckResult]) -> dict[str, float]:
    """{task id: fraction of its points earned}."""
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    for r in results:
        earned[r.task] = earned.get(r.task, 0.0) + r.score
        possible[r.task] = possible.get(r.task, 0.0) + r.points
    return {t: earned[t] / possible[t] for t in possible}
