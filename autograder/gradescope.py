"""Gradescope entry point of the release's autograder zips (``python -m autograder.gradescope``).

Runs as root inside Gradescope's container: finds the student's file in the submission
folder, grades one part through the same sandboxed out-of-process executor as
``optgrade grade`` (the student's code runs under an unprivileged uid and never sees the
checks or the seed), and writes results.json from this parent process only, atomically.
Whatever goes wrong, a results.json is written.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from .parts import PART_NAMES
from .results import write_atomic


def find_part_file(submission: Path, part: str) -> Path | None:
    """<part>.py or <part>.ipynb anywhere one level deep, else the only .py / .ipynb uploaded."""
    for pattern in (f"{part}.py", f"*/{part}.py", f"{part}.ipynb", f"*/{part}.ipynb"):
        found = sorted(submission.glob(pattern))
        if found:
            return found[0]
    singles = [p for p in submission.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file()]
    return singles[0] if len(singles) == 1 else None


def grade_gradescope(part: str, submission: Path, results: Path, *, sandbox: bool = True) -> dict:
    """Grade ``part`` of the files in ``submission`` and write ``results`` (Gradescope's results.json)."""
    from .config import grading_seed
    from .grading import GradeOptions, grade_submission
    from .results import gradescope_json
    from .submissions import Entry, prepare

    with tempfile.TemporaryDirectory(prefix="optlab-gs-") as tmp:
        tmp = Path(tmp)
        found = find_part_file(submission, part)
        staged_src = tmp / "upload"
        staged_src.mkdir()
        if found is not None:
            shutil.copy(found, staged_src / f"{part}{found.suffix}")
        sub = prepare(Entry("submission", staged_src), tmp / "stage")
        if found is None:
            sub.broken[part] = (f"no {part}.py found in your upload; submit the file {part}.py "
                                f"(or a notebook {part}.ipynb)")
        options = GradeOptions(seed=grading_seed(), parts=(part,), workers=1, sandbox=sandbox)
        grade = grade_submission(sub, options)
        text = gradescope_json(grade)
    write_atomic(results, text)
    return json.loads(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Grade one optlab part on Gradescope (sandboxed).")
    ap.add_argument("--part", required=True, choices=PART_NAMES)
    ap.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    ap.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    args = ap.parse_args(argv)
    try:
        grade_gradescope(args.part, args.submission, args.results)
    except BaseException as exc:  # noqa: BLE001 - Gradescope must always get a results.json
        write_atomic(args.results, json.dumps({
            "score": 0, "visibility": "visible",
            "output": f"The autograder could not grade this submission ({type(exc).__name__}: {exc}). "
                      "Please tell the course staff.",
            "tests": []}) + "\n")
        print(f"optlab autograder failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
