"""Build the student kit's lab notebook (``lab.ipynb``) from its readable source.

The notebook is written in ``notebook_source.py`` in the "percent" format that jupytext and
most editors understand, so it is reviewed and diffed as Python, never as JSON::

    # %% [markdown]
    # ## 1. Gradient descent on f(x) = x**2
    # Markdown lives in comment lines ("# text", or a bare "#" for an empty line).

    # %%
    from descent import gradient_descent     # a code cell, copied as it stands

Everything before the first ``# %%`` line is the file's header and not part of the notebook.
A cell runs until the next marker; blank lines around a cell are dropped. The only markers
are ``# %%`` (code) and ``# %% [markdown]``: anything else that starts with ``# %%`` is an
error, as is a markdown line that is not a comment or an empty cell, so a typo cannot turn
prose into code silently.

The build is deterministic: cell ids come from the cell's position and the notebook carries
no outputs, timestamps or versions, so the same source always gives the same JSON.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .strip import SourceLineError

SOURCE = Path(__file__).with_name("notebook_source.py")

_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
_KINDS = {"": "code", "[markdown]": "markdown"}

_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
    "language_info": {"name": "python"},
    "optlab": {"generated_from": "autograder/notebook_source.py", "generator": "optgrade notebook"},
}


class NotebookSourceError(SourceLineError):
    """A malformed line of the notebook source, located so that it can be fixed."""


@dataclass(frozen=True)
class Cell:
    """One cell of the source: ``kind`` is "code" or "markdown"; ``line`` is where its marker is."""

    kind: str
    source: str
    line: int


def parse_cells(text: str, path: str = "<notebook source>") -> list[Cell]:
    """Split a percent-format source into cells (``path`` only labels errors).

    Raises NotebookSourceError for an unknown ``# %%`` marker, a markdown line that is not a
    comment, an empty cell, or a source without any cell.
    """
    cells: list[Cell] = []
    kind: str | None = None
    start = 0
    body: list[str] = []

    def close() -> None:
        if kind is None:
            return  # the header before the first marker
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        if not body:
            raise NotebookSourceError(path, start, f"empty {kind} cell")
        cells.append(Cell(kind, "\n".join(body), start))

    for number, line in enumerate(text.splitlines(), start=1):
        marker = _MARKER.match(line)
        if marker:
            close()
            rest = marker["rest"].strip()
            if rest not in _KINDS:
                raise NotebookSourceError(path, number, f"unknown cell marker {line!r}; use '# %%' or '# %% [markdown]'")
            kind, start, body = _KINDS[rest], number, []
        elif kind == "markdown":
            if line.strip() and not (line == "#" or line.startswith("# ")):
                raise NotebookSourceError(path, number, "a markdown line must be '# text' or a bare '#'")
            body.append(line[2:] if line.startswith("# ") else "")
        elif kind == "code":
            body.append(line)
    close()
    if not cells:
        raise NotebookSourceError(path, 1, "no '# %%' cell marker: the notebook would be empty")
    return cells


def build_notebook(source: Path = SOURCE) -> nbformat.NotebookNode:
    """The lab notebook built from ``source``: nbformat v4.5, no outputs, stable cell ids."""
    cells = []
    for index, cell in enumerate(parse_cells(source.read_text(encoding="utf-8"), str(source))):
        make = nbformat.v4.new_code_cell if cell.kind == "code" else nbformat.v4.new_markdown_cell
        cells.append(make(cell.source, id=f"cell-{index:02d}"))
    # Pinned rather than nbformat's current minor, so a newer nbformat does not change the JSON.
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=nbformat.from_dict(_METADATA),
                                        nbformat=4, nbformat_minor=5)
    nbformat.validate(notebook)
    return notebook


def notebook_json(source: Path = SOURCE) -> str:
    """The exact text ``write_notebook`` writes (nbformat's JSON, trailing newline included)."""
    text = nbformat.writes(build_notebook(source))
    return text if text.endswith("\n") else text + "\n"


def write_notebook(path: Path | str, source: Path = SOURCE) -> bool:
    """Write the notebook to ``path`` (parent folders created); return whether the file changed."""
    path = Path(path)
    text = notebook_json(source)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def notebook_is_current(path: Path | str, source: Path = SOURCE) -> bool:
    """Whether ``path`` holds exactly what ``write_notebook`` would write (for ``--check``)."""
    path = Path(path)
    return path.is_file() and path.read_text(encoding="utf-8") == notebook_json(source)
