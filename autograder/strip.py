"""Turn master sources into student stubs: every solution block becomes a TODO and a raise.

A master (``solutions/<part>.py``) marks the code students must write::

    def grad_double_well(x):
        \"\"\"...docstring the student keeps...\"\"\"
        # BEGIN SOLUTION task 1.2: differentiate term by term.
        ...reference code...
        # END SOLUTION

and the stub (``assignments/<part>.py``) gets, at the block's indentation::

        # TODO(task 1.2): differentiate term by term.
        raise NotImplementedError("task 1.2")

A stub that raises (rather than returning None, as Otter's ``...`` would) fails loudly and
names its task. Everything outside the markers is copied unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .parts import PART_NAMES, TASKS_BY_ID

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?P<rest>.*)$")
BEGIN_ARGS = re.compile(r"^ task (?P<task>\d+\.\d+): (?P<hint>\S.*)$")
END = re.compile(r"^\s*# END SOLUTION\s*$")


@dataclass
class SourceLineError(Exception):
    """A malformed line of a staff-written source, located as ``path:line: reason``."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class MarkerError(SourceLineError):
    """A malformed solution marker in a master source."""


def strip_source(text: str, path: str = "<master>") -> str:
    """Return the stub for one master source (``path`` only labels errors).

    Raises MarkerError for a nested BEGIN, an END without BEGIN, a BEGIN that is never
    closed, a BEGIN without ``task P.T: hint``, or an unknown task id.
    """
    out: list[str] = []
    open_at: int | None = None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        begin = BEGIN.match(line.rstrip("\n"))
        if begin:
            if open_at is not None:
                raise MarkerError(path, number, f"BEGIN SOLUTION inside the block opened at line {open_at}")
            args = BEGIN_ARGS.match(begin["rest"])
            if not args:
                raise MarkerError(path, number, "expected '# BEGIN SOLUTION task P.T: <hint for the student>'")
            if args["task"] not in TASKS_BY_ID:
                raise MarkerError(path, number, f"unknown task id {args['task']}")
            indent, task = begin["indent"], args["task"]
            out.append(f"{indent}# TODO(task {task}): {args['hint'].strip()}\n")
            out.append(f'{indent}raise NotImplementedError("task {task}")\n')
            open_at = number
        elif END.match(line.rstrip("\n")):
            if open_at is None:
                raise MarkerError(path, number, "END SOLUTION without a BEGIN SOLUTION")
            open_at = None
        elif open_at is None:
            out.append(line)
    if open_at is not None:
        raise MarkerError(path, open_at, "BEGIN SOLUTION is never closed by an END SOLUTION")
    return "".join(out)


@dataclass(frozen=True)
class StubResult:
    """What generating one stub found: where it goes and whether the committed file differs."""

    part: str
    master: Path
    stub: Path
    changed: bool


def generate_stubs(source_dir: Path, dest_dir: Path, *, write: bool = True) -> list[StubResult]:
    """Generate ``dest_dir/<part>.py`` from ``source_dir/<part>.py`` for every part.

    write=False only compares (for ``optgrade strip --check`` and the drift test).
    Raises FileNotFoundError naming a missing master, MarkerError for bad markers; nothing is
    written unless every master converts cleanly.
    """
    stubs: list[tuple[str, Path, Path, str]] = []
    for part in PART_NAMES:
        master = source_dir / f"{part}.py"
        if not master.is_file():
            raise FileNotFoundError(f"{master}: master source of part '{part}' not found")
        stubs.append((part, master, dest_dir / f"{part}.py", strip_source(master.read_text(), str(master))))
    results = []
    for part, master, stub, text in stubs:
        changed = not stub.is_file() or stub.read_text() != text
        if write and changed:
            stub.parent.mkdir(parents=True, exist_ok=True)
            tmp = stub.with_suffix(".py.tmp")
            tmp.write_text(text)
            tmp.replace(stub)
        results.append(StubResult(part, master, stub, changed))
    return results
