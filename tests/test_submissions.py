"""Intake of submissions folders: every shape of entry, and clear errors for unusable input."""
from __future__ import annotations

import zipfile

import nbformat
import pytest

from autograder.submissions import (MAX_ZIP_RATIO, Entry, InputError, discover, notebook_to_python, prepare)
from harness import SOLUTIONS

DESCENT = (SOLUTIONS / "descent.py").read_text()


def test_missing_and_empty_folders_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        discover(tmp_path / "nope")
    with pytest.raises(InputError, match="no student entries"):
        discover(tmp_path)
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        discover(tmp_path / "f.txt")


def test_folders_and_zips_are_students_and_other_files_are_noted(tmp_path):
    (tmp_path / "ann").mkdir()
    with zipfile.ZipFile(tmp_path / "ben.zip", "w") as z:
        z.writestr("ben/descent.py", DESCENT)
    (tmp_path / "README.txt").write_text("hello")
    entries, notes = discover(tmp_path)
    assert [e.student for e in entries] == ["ann", "ben"]
    assert notes == ["README.txt: not a folder or .zip, ignored"]


def test_duplicate_student_ids_are_refused(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann.zip").write_bytes(b"")
    with pytest.raises(InputError, match="two entries give the student id 'ann'"):
        discover(tmp_path)


def test_folder_files_are_staged_and_unknown_files_listed(tmp_path):
    src = tmp_path / "ann"
    (src / "work").mkdir(parents=True)
    (src / "work" / "descent.py").write_text(DESCENT)
    (src / "sgd.py").write_text("def broken(:\n")
    (src / "momentum.py").write_bytes(b"x = '\xff'\n")
    (src / "notes.md").write_text("n")
    sub = prepare(Entry("ann", src), tmp_path / "stage")
    assert sorted(sub.files) == ["descent"]
    assert (tmp_path / "stage" / "descent.py").read_text() == DESCENT
    assert "syntax error at line 1" in sub.broken["sgd"]
    assert "not UTF-8" in sub.broken["momentum"]
    assert sub.ignored == ["notes.md"]


def test_a_py_file_wins_over_a_notebook_of_the_same_part(tmp_path):
    src = tmp_path / "ann"
    src.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("X = 1")])
    (src / "descent.ipynb").write_text(nbformat.writes(nb))
    (src / "descent.py").write_text("X = 2\n")
    sub = prepare(Entry("ann", src), tmp_path / "stage")
    assert sub.files["descent"].read_text() == "X = 2\n"
    assert sub.ignored == ["descent.ipynb (the .py file of the same part is graded)"]


def test_notebook_code_cells_are_extracted_without_magics_or_shell_lines():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np\n!pip install foo"),
        nbformat.v4.new_code_cell("%%time\nwhile True: pass"),
        nbformat.v4.new_code_cell("def f(x):\n    return 2 * x"),
    ])
    source = notebook_to_python(nbformat.writes(nb))
    namespace: dict = {}
    exec(compile(source, "nb", "exec"), namespace)
    assert namespace["f"](3) == 6
    assert "while True" not in source and "pip install" not in source.replace("# !pip", "")


def test_unreadable_notebook_breaks_only_its_part(tmp_path):
    src = tmp_path / "ann"
    src.mkdir()
    (src / "sgd.ipynb").write_text("{not json")
    (src / "descent.py").write_text(DESCENT)
    sub = prepare(Entry("ann", src), tmp_path / "stage")
    assert "not a readable notebook" in sub.broken["sgd"] and "descent" in sub.files


@pytest.mark.parametrize("name", ["../evil/descent.py", "/etc/descent.py"])
def test_zips_with_unsafe_paths_extract_nothing(tmp_path, name):
    with zipfile.ZipFile(tmp_path / "ann.zip", "w") as z:
        z.writestr("descent.py", DESCENT)
        z.writestr(name, "x = 1\n")
    sub = prepare(Entry("ann", tmp_path / "ann.zip"), tmp_path / "stage")
    assert sub.files == {}
    assert "unsafe path" in sub.broken["descent"]
    assert not (tmp_path / "evil").exists()


def test_highly_compressed_zip_members_are_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "ann.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("descent.py", "#" * (MAX_ZIP_RATIO * 2000))
        z.writestr("sgd.py", "x = 1\n")
    sub = prepare(Entry("ann", tmp_path / "ann.zip"), tmp_path / "stage")
    assert "compressed more than" in sub.broken["descent"]
    assert "sgd" in sub.files


def test_a_corrupt_zip_is_a_reason_not_a_crash(tmp_path):
    (tmp_path / "ann.zip").write_bytes(b"PK\x03\x04garbage")
    sub = prepare(Entry("ann", tmp_path / "ann.zip"), tmp_path / "stage")
    assert sub.files == {} and "not a readable zip" in sub.broken["descent"]


def test_gradescope_export_names_students_from_the_metadata(tmp_path):
    (tmp_path / "submission_101").mkdir()
    (tmp_path / "submission_102").mkdir()
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ann Lee\n    :sid: '2001'\n    :email: ann@uni.edu\n"
        "submission_102:\n  :submitters:\n  - :name: Ben Ode\n    :email: ben@uni.edu\n"
        "submission_103:\n  :submitters: []\n")
    entries, notes = discover(tmp_path)
    assert [(e.student, e.path.name) for e in entries] == [("2001", "submission_101"), ("ben@uni.edu", "submission_102")]
    assert notes == ["submission_103: listed in submission_metadata.yml but not present, skipped"]
