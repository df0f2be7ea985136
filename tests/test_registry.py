"""The registry's structure, and the whole registry against the reference and the stubs."""
from __future__ import annotations

import pytest

from autograder.parts import PARTS
from autograder.registry import all_checks, points_table
from harness import ASSIGNMENTS, SOLUTIONS, TEST_SEEDS, grade_folder


def test_every_task_has_one_public_and_two_hidden_checks():
    checks = all_checks()
    for part in PARTS:
        for task in part.tasks:
            mine = [c for c in checks if c.task == task.id]
            assert sum(not c.hidden for c in mine) >= 1, f"task {task.id} has no public check"
            assert sum(c.hidden for c in mine) >= 2, f"task {task.id} has fewer than two hidden checks"


def test_titles_start_with_the_task_id_and_names_are_unique():
    checks = all_checks()
    assert len({c.name for c in checks}) == len(checks)
    assert len({c.title for c in checks}) == len(checks)
    for c in checks:
        assert c.title.startswith(f"{c.task} "), c.title
        assert c.points > 0


def test_points_table_adds_up():
    table = points_table()
    assert set(table) == {p.name for p in PARTS}
    assert sum(sum(t.values()) for t in table.values()) == pytest.approx(sum(c.points for c in all_checks()))


@pytest.mark.parametrize("seed", TEST_SEEDS)
@pytest.mark.parametrize("part", [p.name for p in PARTS])
def test_reference_passes_every_check(part, seed):
    failed = [(r.title, r.message) for r in grade_folder(SOLUTIONS, part, seed) if not r.passed]
    assert failed == []


@pytest.mark.parametrize("part", [p.name for p in PARTS])
def test_stubs_fail_every_check_cleanly_as_not_implemented(part):
    results = grade_folder(ASSIGNMENTS, part)
    assert results
    assert {r.kind for r in results} == {"not_implemented"}, {(r.title, r.kind, r.message) for r in results if r.kind != "not_implemented"}
    assert all("not implemented" in r.message for r in results)


def test_a_missing_part_fails_only_its_own_checks(tmp_path):
    (tmp_path / "descent.py").write_text((SOLUTIONS / "descent.py").read_text())
    results = grade_folder(tmp_path, None)
    by_part = {}
    for r in results:
        by_part.setdefault(r.task.split(".")[0], set()).add(r.kind)
    assert by_part["1"] == {"passed"}
    assert all(kinds == {"missing"} for p, kinds in by_part.items() if p != "1")


def test_readme_points_table_is_current():
    from autograder.registry import points_markdown
    from harness import ROOT

    assert points_markdown() in (ROOT / "README.md").read_text(), \
        "README's points table is stale: paste the output of autograder.registry.points_markdown()"
