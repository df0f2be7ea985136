"""The mutant and alternative corpora: realistic mistakes and other correct styles, per part.

A mutant is ``tests/mutants/<part>/<slug>.py``: the reference with ONE realistic mistake,
starting with a header of comments::

    # mutant: stops on |lr * g| < eps instead of |g| < eps
    # kills: 1.6
    # may-affect: 2.2          (optional: tasks that call the broken function)
    # mistake: stops one step late   (optional: the diagnosis the checks must name)

An alternative is ``tests/alternatives/<part>/<slug>.py``, a correct implementation in a
clearly different style, with the header ``# alternative: <what differs>``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = re.compile(r"^# (?P<key>mutant|alternative|kills|may-affect|mistake): (?P<value>.+)$")


@dataclass(frozen=True)
class Variant:
    path: Path
    part: str
    description: str
    kills: frozenset[str]
    may_affect: frozenset[str]
    mistake: str | None

    @property
    def id(self) -> str:
        return f"{self.part}/{self.path.stem}"


def _read(path: Path) -> Variant:
    fields: dict[str, str] = {}
    for line in path.read_text().splitlines():
        m = HEADER.match(line)
        if not m:
            break
        fields[m["key"]] = m["value"].strip()
    description = fields.get("mutant") or fields.get("alternative")
    if description is None:
        raise ValueError(f"{path}: the first line must be '# mutant: ...' or '# alternative: ...'")
    split = lambda key: frozenset(t.strip() for t in fields.get(key, "").split(",") if t.strip())
    return Variant(path, path.parent.name, description, split("kills"), split("may-affect"), fields.get("mistake"))


def variants(kind: str) -> list[Variant]:
    """All variants of ``kind`` ("mutants" or "alternatives"), sorted by part and name."""
    return [_read(p) for p in sorted((HERE / kind).glob("*/*.py"))]
