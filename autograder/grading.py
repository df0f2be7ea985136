"""Bulk grading: every student of a submissions folder, in parallel, resumable, all or nothing per file.

Pipeline per student (in a judge worker process; student code only ever runs in the
sandboxed children that the executor starts):

    prepare (copy/extract/convert, never execute) -> run the registry part by part
    -> OUT/<student>/feedback.html -> OUT/<student>/results.json (written last: its presence
    means the student is complete, so a rerun skips it unless forced)

After all students: OUT/grades.csv, OUT/summary.json and OUT/report.html, rebuilt from every
student's results.json (so a resumed run produces the same files as an uninterrupted one).
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .checking import run_checks
from .executor import CallError, Executor, FailingExecutor, InProcessExecutor, MissingPartExecutor
from .parts import PART_NAMES
from .registry import Check, all_checks
from .results import StudentGrade, gradebook_csv, grade_from_json, gradescope_json, write_atomic
from .submissions import Entry, Submission, discover, prepare


@dataclass(frozen=True)
class GradeOptions:
    """How to grade. timeout: per-check wall-clock seconds (None: each check's own limit);
    memory_mb: address-space limit of each child; sandbox: False only for trusted code (tests)."""

    seed: int
    parts: tuple[str, ...] = PART_NAMES
    workers: int = 2
    timeout: float | None = None
    memory_mb: int = 1024
    force: bool = False
    sandbox: bool = True
    insecure: bool = False


@dataclass
class RunSummary:
    """What a grading run did, for the CLI and summary.json."""

    students: list[str] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    layers: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0


def options_fingerprint(options: GradeOptions) -> str:
    """Identifies what a results.json was graded with; a different fingerprint means regrade."""
    text = json.dumps({"version": __version__, "seed": options.seed, "parts": list(options.parts),
                       "checks": [c.title for c in all_checks()], "timeout": options.timeout}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def selected_checks(options: GradeOptions) -> list[Check]:
    checks = [c for c in all_checks() if c.part in options.parts]
    if options.timeout is None:
        return checks
    return [replace(c, timeout=options.timeout) for c in checks]


def executor_factory(sub: Submission, options: GradeOptions, slot: int) -> Callable[[str], Executor]:
    """executor_for(part) for one prepared submission: sandboxed children, or failing stand-ins."""

    sandboxed: dict[str, Callable[[str], Executor]] = {}

    def executor_for(part: str) -> Executor:
        if part in sub.broken:
            return FailingExecutor(CallError("import", sub.broken[part]))
        path = sub.files.get(part)
        if path is None:
            return MissingPartExecutor(f"{part}.py")
        if not options.sandbox:
            return InProcessExecutor(path)
        if "factory" not in sandboxed:  # one factory per submission: it keeps one live child per slot
            from .sandbox import Limits, sandbox_factory
            sandboxed["factory"] = sandbox_factory(path.parent, slot=slot,
                                                   limits=Limits(memory_bytes=options.memory_mb << 20))
        return sandboxed["factory"](part)

    return executor_for


def grade_submission(sub: Submission, options: GradeOptions, slot: int = 0) -> StudentGrade:
    """Run the selected checks on one prepared submission (student code only in executors)."""
    notes = [f"{part}: {reason}" for part, reason in sorted(sub.broken.items())]
    notes += [f"ignored {name}" for name in sub.ignored]
    results = run_checks(selected_checks(options), executor_factory(sub, options, slot), options.seed)
    return StudentGrade(sub.student, results, notes, sorted(sub.files))


def grade_one(entry: Entry, out: Path, options: GradeOptions, slot: int = 0) -> StudentGrade:
    """Prepare and grade one student; write feedback.html then results.json atomically."""
    from .feedback import feedback_html

    staging = out / ".staging" / entry.student
    sub = prepare(entry, staging)
    try:
        grade = grade_submission(sub, options, slot)
        folder = out / entry.student
        write_atomic(folder / "feedback.html", feedback_html(grade))
        write_atomic(folder / "results.json", gradescope_json(grade, meta={"fingerprint": options_fingerprint(options)}))
        return grade
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def is_complete(out: Path, student: str, fingerprint: str) -> bool:
    """A student is complete when results.json exists and was graded with the same options."""
    path = out / student / "results.json"
    try:
        doc = json.loads(path.read_text())
        return doc.get("extra_data", {}).get("fingerprint") == fingerprint
    except (OSError, ValueError):
        return False


# Judge worker processes: each owns one slot (its sandbox uid) for its whole life.
_SLOT = 0


def _init_worker(slots: "multiprocessing.Queue[int]") -> None:
    global _SLOT
    _SLOT = slots.get()
    # A Ctrl-C goes to the whole foreground process group; the main process decides what to do.
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _grade_in_worker(entry: Entry, out: Path, options: GradeOptions) -> tuple[str, str | None]:
    try:
        grade_one(entry, out, options, _SLOT)
        return entry.student, None
    except Exception as exc:  # noqa: BLE001 - a grader bug must not stop the batch
        return entry.student, f"{type(exc).__name__}: {exc}"


def grade_all(submissions: Path, out: Path, options: GradeOptions,
              progress: Callable[[str, int, int], None] | None = None) -> RunSummary:
    """Grade every student of ``submissions`` into ``out``; return what was done.

    progress(student, done, total) is called after each student. Raises InputError (from
    discover) for an unusable submissions folder. Already complete students are skipped
    unless options.force.
    """
    start = time.monotonic()
    entries, notes = discover(submissions)
    summary = RunSummary(students=[e.student for e in entries], notes=notes)
    out.mkdir(parents=True, exist_ok=True)
    fingerprint = options_fingerprint(options)
    todo = []
    for entry in entries:
        if not options.force and is_complete(out, entry.student, fingerprint):
            summary.skipped.append(entry.student)
        else:
            todo.append(entry)
    done = len(summary.skipped)
    if progress:
        for student in summary.skipped:
            progress(student, done, len(entries))
    if todo:
        for student, error in _run_pool(todo, out, options):
            done += 1
            if error:
                summary.failed[student] = error
            else:
                summary.graded.append(student)
            if progress:
                progress(student, done, len(entries))
    shutil.rmtree(out / ".staging", ignore_errors=True)
    summary.seconds = time.monotonic() - start
    return summary


def _run_pool(todo: list[Entry], out: Path, options: GradeOptions) -> Iterator[tuple[str, str | None]]:
    workers = max(1, min(options.workers, len(todo)))
    if workers == 1:
        global _SLOT
        _SLOT = 0
        for entry in todo:
            yield _grade_in_worker(entry, out, options)
        return
    context = multiprocessing.get_context("fork")
    slots = context.Queue()
    for slot in range(workers):
        slots.put(slot)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(slots,)) as pool:
        pending = {pool.submit(_grade_in_worker, e, out, options) for e in todo}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def load_grades(out: Path, students: list[str]) -> list[StudentGrade]:
    """The grades of the given students, read back from their results.json files."""
    grades = []
    for student in students:
        path = out / student / "results.json"
        if path.is_file():
            grades.append(grade_from_json(path.read_text()))
    return grades


def write_gradebook(out: Path, grades: list[StudentGrade]) -> None:
    write_atomic(out / "grades.csv", gradebook_csv(grades))


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
