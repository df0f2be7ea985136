"""The lab notebook: built deterministically from its readable source, and it runs.

The fast tests pin the build (same source -> same JSON, valid nbformat v4, clean cells) and the
parser's errors. The slow ones run lab.ipynb top to bottom in a real ipykernel, in a folder laid
out like the student kit (lab.ipynb next to the five part files): with the reference solutions
it must finish without an error, and with the generated stubs it must stop at the first cell
that calls student code, with the task id in the error.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.notebook import (SOURCE, NotebookSourceError, build_notebook, notebook_is_current, notebook_json,
                                 parse_cells, write_notebook)
from autograder.parts import PART_NAMES, PARTS

ROOT = Path(__file__).resolve().parents[1]


def _imported_parts(code: str) -> set[str]:
    """The part modules a code cell imports (``import descent``, ``from adaptive import ...``)."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names & set(PART_NAMES)


# --- the build ------------------------------------------------------------------------------

def test_building_twice_gives_identical_json(tmp_path):
    assert nbformat.writes(build_notebook()) == nbformat.writes(build_notebook())
    write_notebook(tmp_path / "a" / "lab.ipynb")
    write_notebook(tmp_path / "b" / "lab.ipynb")
    assert (tmp_path / "a" / "lab.ipynb").read_bytes() == (tmp_path / "b" / "lab.ipynb").read_bytes()


def test_the_notebook_is_valid_nbformat_v4_without_outputs(tmp_path):
    notebook = build_notebook()
    nbformat.validate(notebook)
    write_notebook(tmp_path / "lab.ipynb")
    written = nbformat.read(tmp_path / "lab.ipynb", as_version=nbformat.NO_CONVERT)
    nbformat.validate(written)
    assert (written.nbformat, written.nbformat_minor) == (4, 5)
    assert written.metadata.kernelspec.name == "python3"
    ids = [cell.id for cell in written.cells]
    assert ids == [f"cell-{i:02d}" for i in range(len(ids))]
    code = [cell for cell in written.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert {cell.cell_type for cell in written.cells} == {"code", "markdown"}


def test_cells_are_the_source_cells_in_order_and_the_header_is_left_out():
    cells = parse_cells(SOURCE.read_text(encoding="utf-8"))
    notebook = build_notebook()
    assert [(c.cell_type, c.source) for c in notebook.cells] == [(c.kind, c.source) for c in cells]
    markers = [line for line in SOURCE.read_text(encoding="utf-8").splitlines() if line.startswith("# %%")]
    assert len(cells) == len(markers)
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# Lab 4")
    assert not any("edit here, never the .ipynb" in c.source for c in notebook.cells)


def test_every_code_cell_is_plain_python():
    for cell in parse_cells(SOURCE.read_text(encoding="utf-8")):
        if cell.kind == "code":
            compile(cell.source, f"{SOURCE.name}:{cell.line}", "exec")  # no magics, no syntax errors


def test_exercise_cells_import_the_students_own_modules_only():
    code = [c.source for c in parse_cells(SOURCE.read_text(encoding="utf-8")) if c.kind == "code"]
    setup, exercises = code[0], code[1:]
    assert _imported_parts(setup) == set(), "the setup cell must not touch student code"
    assert all(_imported_parts(cell) for cell in exercises), "every exercise cell imports a part module"
    assert set().union(*map(_imported_parts, exercises)) == set(PART_NAMES)
    for cell in code:  # the kit holds neither the harness nor the reference solutions
        assert not re.search(r"^\s*(import|from)\s+(autograder|solutions)\b", cell, re.MULTILINE)


def test_jupytext_reads_the_source_as_the_same_cells():
    jupytext = pytest.importorskip("jupytext")
    theirs = jupytext.read(SOURCE, fmt="py:percent").cells
    ours = build_notebook().cells
    # jupytext keeps the header (our docstring) as a first code cell; the rest must agree.
    assert [(c.cell_type, c.source) for c in theirs[1:]] == [(c.cell_type, c.source) for c in ours]


def test_write_notebook_reports_whether_the_file_changed(tmp_path):
    path = tmp_path / "kit" / "lab.ipynb"
    assert not notebook_is_current(path)
    assert write_notebook(path) is True
    assert path.read_text(encoding="utf-8") == notebook_json()
    assert notebook_is_current(path)
    assert write_notebook(path) is False
    path.write_text(path.read_text(encoding="utf-8").replace("Lab 4", "Lab 5"), encoding="utf-8")
    assert not notebook_is_current(path)


@pytest.mark.parametrize("text, line, reason", [
    ("# %%\nx = 1\n# %% [markdwon]\n# hi\n", 3, "unknown cell marker"),
    ("# %% [markdown]\n# fine\nnot a comment\n", 3, "must be '# text'"),
    ("# %% [markdown]\n#no space\n", 2, "must be '# text'"),
    ("# %%\nx = 1\n# %%\n\n\n# %%\ny = 2\n", 3, "empty code cell"),
    ('"""only a header"""\n', 1, "no '# %%' cell marker"),
])
def test_malformed_sources_are_reported_with_their_line(text, line, reason):
    with pytest.raises(NotebookSourceError) as info:
        parse_cells(text, "src.py")
    assert (info.value.line, info.value.path) == (line, "src.py") and reason in info.value.reason
    assert str(info.value).startswith(f"src.py:{line}: ")


def test_parser_keeps_code_verbatim_and_strips_markdown_comments():
    text = "header = 'dropped'\n# %% [markdown]\n# # Title\n#\n# text\n\n# %%\n\ndef f():\n\n    return 1\n\n"
    cells = parse_cells(text)
    assert [(c.kind, c.source, c.line) for c in cells] == [
        ("markdown", "# Title\n\ntext", 2),
        ("code", "def f():\n\n    return 1", 7),
    ]


# --- running it in a real kernel ------------------------------------------------------------

@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernel that runs THIS interpreter (the venv's python, with numpy and the rest).

    "python3" normally resolves through the venv's jupyter data path, and jupyter_client swaps
    a bare "python" in its argv for sys.executable. If some other python3 kernelspec shadows it,
    register one that points at sys.executable in a temporary JUPYTER_PATH instead.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    try:
        argv0 = KernelSpecManager().get_kernel_spec("python3").argv[0]
    except NoSuchKernel:
        argv0 = None
    if argv0 is not None and (argv0 in bare or Path(argv0).resolve() == Path(sys.executable).resolve()):
        yield "python3"
        return
    kernels = tmp_path_factory.mktemp("jupyter")
    spec = kernels / "kernels" / "optlab-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "optlab python", "language": "python"}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(kernels))
        yield "optlab-python"


def _kit(tmp_path: Path, parts_from: Path) -> Path:
    """A student-kit folder: lab.ipynb next to the five part files taken from ``parts_from``."""
    for part in PARTS:
        shutil.copy(parts_from / part.filename, tmp_path / part.filename)
    write_notebook(tmp_path / "lab.ipynb")
    return tmp_path / "lab.ipynb"


def _client(notebook, folder: Path, kernel_name: str):
    from nbclient import NotebookClient

    # resources.metadata.path is the kernel's working directory: the kit folder, so that
    # "import descent" finds the part file next to the notebook.
    return NotebookClient(notebook, kernel_name=kernel_name, timeout=180,
                          resources={"metadata": {"path": str(folder)}})


def _stream(cell, name: str = "stdout") -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == name)


@pytest.mark.slow
def test_the_notebook_runs_top_to_bottom_with_the_reference_solutions(tmp_path, kernel_name):
    path = _kit(tmp_path, ROOT / "solutions")
    notebook = nbformat.read(path, as_version=4)
    # One extra cell, after the lab's own: which interpreter and folder did the kernel use?
    notebook.cells.append(nbformat.v4.new_code_cell("import os, sys\nprint(sys.executable)\nprint(os.getcwd())"))
    _client(notebook, tmp_path, kernel_name).execute()

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code)
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not [(cell.id, _stream(cell, "stderr")) for cell in code if _stream(cell, "stderr")], "warnings leaked"
    executable, cwd = _stream(code[-1]).splitlines()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(cwd).resolve() == tmp_path.resolve()
    # Every plt.show() rendered its figure inline.
    figures = sum(o.output_type == "display_data" and "image/png" in o.data for cell in code for o in cell.outputs)
    assert figures == sum(cell.source.count("plt.show()") for cell in code) > 0
    printed = "".join(_stream(cell) for cell in code)
    assert "noisy_gd with sigma = 0 equals GD: True" in printed
    training = float(re.search(r"accuracy: training ([\d.]+)%", printed).group(1))
    assert training >= 95.0, f"the reference MLP should fit the spirals, got {training}%"


@pytest.mark.slow
def test_with_the_stubs_the_notebook_stops_at_the_first_cell_that_calls_student_code(tmp_path, kernel_name):
    from nbclient.exceptions import CellExecutionError

    path = _kit(tmp_path, ROOT / "assignments")
    notebook = nbformat.read(path, as_version=4)
    with pytest.raises(CellExecutionError) as info:
        _client(notebook, tmp_path, kernel_name).execute()
    message = re.sub(r"\x1b\[[0-9;]*m", "", str(info.value))  # the traceback comes with terminal colours
    assert re.search(r"NotImplementedError: task 1\.\d", message)

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    first_exercise = next(i for i, cell in enumerate(code) if _imported_parts(cell.source))
    failed = [i for i, cell in enumerate(code) if any(o.output_type == "error" for o in cell.outputs)]
    assert failed == [first_exercise]
    error = next(o for o in code[first_exercise].outputs if o.output_type == "error")
    assert error.ename == "NotImplementedError" and re.fullmatch(r"task 1\.\d", error.evalue)
    assert all(cell.execution_count is not None for cell in code[:first_exercise])
    assert all(cell.execution_count is None and cell.outputs == [] for cell in code[first_exercise + 1:])
