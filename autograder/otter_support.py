"""Running registry checks from Otter test files, inside the student's own kernel.

Otter's native path executes the student's script and then the test files in ONE kernel;
each generated test case calls :func:`run_case` with the kernel's globals. That is fine for
students' self-checks (``otter check``) and for courses that choose stock Otter behaviour,
but not an honest grade: the submission shares the process (see the release's sandboxed
``run_autograder``). Time limits still apply inside each check, so a loop cannot hang Otter.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .checking import run_check
from .executor import InProcessExecutor


class NamespaceExecutor(InProcessExecutor):
    """Calls functions found in a namespace (the kernel's globals) instead of importing a file."""

    def __init__(self, namespace: dict[str, Any], label: str = "your submission") -> None:  # noqa: D107
        self.path = Path(label)
        self.module = SimpleNamespace(**namespace)
        self.import_error = None
        self.import_output = ""


def run_case(env: dict[str, Any], check_name: str) -> None:
    """Run one registry check against the functions in ``env``; raise AssertionError when it fails."""
    from .registry import all_checks

    check = next((c for c in all_checks() if c.name == check_name), None)
    if check is None:
        raise AssertionError(f"unknown check {check_name}: the test files and the check package do not match")
    seed = None
    if check.hidden:
        from .config import grading_seed
        seed = grading_seed()
    result = run_check(check, NamespaceExecutor(env), seed)
    if not result.passed:
        raise AssertionError(result.message)
