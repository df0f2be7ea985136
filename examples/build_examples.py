#!/usr/bin/env python3
"""Rebuild examples/submissions/, the bundled class that the quick start grades.

Five students, each a realistic shape of entry:
- reference/  the master solutions (full marks)
- starter/    the untouched stubs (zero, "not implemented" everywhere)
- ada/        every part, with one real mistake in four of them (from the mutant corpus)
- grace.zip   a zip holding two parts, one of them with a mistake
- alan/       descent as a Jupyter notebook (with a magic line), a syntax error in sgd.py,
              and a stray file that is listed and ignored

Run it after changing solutions/ or the corpus; a test fails when the committed examples
differ from what this script builds.
"""
from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "submissions"
MUTANT = ROOT / "tests" / "mutants"

ADA = {  # part -> mutant (None: the reference)
    "descent": "gd_stop_after_step",
    "sgd": "mb_drop_last",
    "momentum": None,
    "adaptive": "adam_no_bias_correction",
    "backprop": "backward_no_mean",
}


def _without_header(path: Path) -> str:
    """A mutant as a student would write it: the corpus header comments removed."""
    lines = path.read_text().splitlines(keepends=True)
    while lines and lines[0].startswith("# ") and ":" in lines[0]:
        lines.pop(0)
    return "".join(lines)


def build(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    for name, source in (("reference", ROOT / "solutions"), ("starter", ROOT / "assignments")):
        (out / name).mkdir(parents=True)
        for f in sorted(source.glob("*.py")):
            shutil.copy(f, out / name / f.name)
    (out / "ada").mkdir()
    for part, mutant in ADA.items():
        text = (_without_header(MUTANT / part / f"{mutant}.py") if mutant
                else (ROOT / "solutions" / f"{part}.py").read_text())
        (out / "ada" / f"{part}.py").write_text(text)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in (("grace/descent.py", (ROOT / "solutions" / "descent.py").read_text()),
                           ("grace/momentum.py", _without_header(MUTANT / "momentum" / "update_dampening.py"))):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            z.writestr(info, text)
    (out / "grace.zip").write_bytes(buffer.getvalue())
    (out / "alan").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Part 1, my solutions"),
                nbformat.v4.new_code_cell("%matplotlib inline\n" + (ROOT / "solutions" / "descent.py").read_text()),
                nbformat.v4.new_code_cell("!ls\nprint(lr_regime(0.1, 1.0))")]
    for i, cell in enumerate(nb.cells):  # stable ids: the example is byte-reproducible
        cell["id"] = f"cell-{i}"
    (out / "alan" / "descent.ipynb").write_text(nbformat.writes(nb))
    broken = (ROOT / "solutions" / "sgd.py").read_text().replace("def minibatches(n, batch_size, rng):",
                                                                   "def minibatches(n, batch_size, rng)")
    (out / "alan" / "sgd.py").write_text(broken)
    (out / "alan" / "notes.txt").write_text("Worked with Ada on part 2.\n")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
