"""The committed stubs are exactly what the masters generate, import cleanly and hold no solution."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder.loading import load_module
from autograder.parts import PARTS
from autograder.strip import MarkerError, generate_stubs, strip_source

ROOT = Path(__file__).resolve().parents[1]


def test_committed_stubs_match_the_masters():
    stale = [r.stub.name for r in generate_stubs(ROOT / "solutions", ROOT / "assignments", write=False) if r.changed]
    assert stale == [], f"run 'optgrade strip': {stale} differ from what solutions/ generates"


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.name)
def test_every_task_function_raises_not_implemented_with_its_id(part):
    module = load_module(ROOT / "assignments" / part.filename)
    for task in part.tasks:
        for name in task.functions:
            source = ast.get_source_segment((ROOT / "assignments" / part.filename).read_text(),
                                            next(n for n in ast.parse((ROOT / "assignments" / part.filename).read_text()).body
                                                 if isinstance(n, ast.FunctionDef) and n.name == name))
            assert f'raise NotImplementedError("task {task.id}")' in source
            assert f"# TODO(task {task.id}):" in source
            assert callable(getattr(module, name))


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.name)
def test_stubs_hold_no_solution_statements(part):
    """Each public function's body is only its docstring, the TODO and the raise."""
    tree = ast.parse((ROOT / "assignments" / part.filename).read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant) else node.body
            assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{part.filename}:{node.name} keeps code"


MASTER = '''def f(x):
    """doc"""
    # BEGIN SOLUTION task 1.2: do it.
    return x
    # END SOLUTION
'''


def test_strip_replaces_a_block_at_its_indentation():
    assert strip_source(MASTER) == ('def f(x):\n    """doc"""\n    # TODO(task 1.2): do it.\n'
                                    '    raise NotImplementedError("task 1.2")\n')


@pytest.mark.parametrize("text, line, reason", [
    ("# BEGIN SOLUTION task 1.1: a\n# BEGIN SOLUTION task 1.2: b\n# END SOLUTION\n", 2, "inside the block opened at line 1"),
    ("x = 1\n# END SOLUTION\n", 2, "END SOLUTION without"),
    ("\n\n# BEGIN SOLUTION task 1.1: a\nx = 1\n", 3, "never closed"),
    ("# BEGIN SOLUTION\n# END SOLUTION\n", 1, "expected '# BEGIN SOLUTION task P.T"),
    ("# BEGIN SOLUTION task 9.9: a\n# END SOLUTION\n", 1, "unknown task id 9.9"),
])
def test_malformed_markers_name_file_and_line(text, line, reason):
    with pytest.raises(MarkerError) as info:
        strip_source(text, "solutions/x.py")
    assert (info.value.path, info.value.line) == ("solutions/x.py", line)
    assert reason in info.value.reason
    assert str(info.value).startswith(f"solutions/x.py:{line}: ")


def test_nothing_is_written_when_one_master_is_malformed(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    for part in PARTS:
        (src / part.filename).write_text(MASTER)
    (src / "backprop.py").write_text("# END SOLUTION\n")
    with pytest.raises(MarkerError):
        generate_stubs(src, dest)
    assert not dest.exists()
