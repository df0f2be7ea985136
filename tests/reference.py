"""The five reference modules of solutions/, each loaded once, for the test_reference_* files.

They are loaded with autograder.loading.load_module, the way the grader loads a submission, so
the reference tests exercise exactly the files that students are compared against. Each test
file wraps ``solution(part)`` in a module-scoped fixture (hypothesis accepts those).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import ModuleType

from autograder.loading import load_module

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


@lru_cache(maxsize=None)
def solution(part: str) -> ModuleType:
    """solutions/<part>.py as a freshly loaded module, the same object on every call."""
    return load_module(SOLUTIONS / f"{part}.py")
