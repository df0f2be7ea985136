"""Mutation proof: every mistake in the corpus loses points at its task and nowhere it cannot
affect; every alternative correct style gets full marks (on more than one grading seed)."""
from __future__ import annotations

import shutil

import pytest

from autograder.parts import PARTS_BY_NAME
from corpus import variants
from harness import SOLUTIONS, TEST_SEEDS, grade_folder, task_scores

MUTANTS = variants("mutants")
ALTERNATIVES = variants("alternatives")


def _grade_variant(variant, tmp_path, seed):
    shutil.copy(variant.path, tmp_path / f"{variant.part}.py")
    return grade_folder(tmp_path, variant.part, seed)


@pytest.mark.parametrize("variant", MUTANTS, ids=lambda v: v.id)
def test_mutant_loses_points_at_its_task_only(variant, tmp_path):
    results = _grade_variant(variant, tmp_path, TEST_SEEDS[0])
    scores = task_scores(results)
    assert variant.kills, f"{variant.path}: no '# kills:' line"
    for task in variant.kills:
        assert scores[task] < 1.0, f"{variant.id} ({variant.description}) is not caught at task {task}"
    untouched = {t.id for t in PARTS_BY_NAME[variant.part].tasks} - variant.kills - variant.may_affect
    lost = sorted(t for t in untouched if scores[t] < 1.0)
    assert lost == [], f"{variant.id} loses points at {lost}, where it cannot matter"
    if variant.mistake:
        named = {r.mistake for r in results if not r.passed}
        assert variant.mistake in named, f"{variant.id}: the diagnosis {variant.mistake!r} was not named (got {named})"


@pytest.mark.parametrize("seed", TEST_SEEDS)
@pytest.mark.parametrize("variant", ALTERNATIVES, ids=lambda v: v.id)
def test_alternative_gets_full_marks(variant, seed, tmp_path):
    failed = [(r.title, r.message) for r in _grade_variant(variant, tmp_path, seed) if not r.passed]
    assert failed == []


def test_every_part_has_a_real_corpus():
    for part in PARTS_BY_NAME:
        assert sum(v.part == part for v in MUTANTS) >= 8, f"fewer than 8 mutants for {part}"
        assert sum(v.part == part for v in ALTERNATIVES) >= 2, f"fewer than 2 alternatives for {part}"


def test_corpus_files_differ_from_the_reference():
    for v in MUTANTS + ALTERNATIVES:
        assert v.path.read_text() != (SOLUTIONS / f"{v.part}.py").read_text()


def _code_after_header(path) -> list[str]:
    lines = path.read_text().splitlines()
    while lines and lines[0].startswith("# ") and ":" in lines[0]:
        lines.pop(0)
    return lines


@pytest.mark.parametrize("variant", MUTANTS, ids=lambda v: v.id)
def test_mutant_is_a_small_variant_of_the_current_reference(variant):
    """A mutant is ONE realistic change to today's master: at most 3 changed places and 12 lines.
    When a master changes, copies made from its old text fail here instead of drifting silently."""
    import difflib

    reference = (SOLUTIONS / f"{variant.part}.py").read_text().splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=reference, b=_code_after_header(variant.path),
                                                autojunk=False).get_opcodes() if op[0] != "equal"]
    changed = sum(max(i2 - i1, j2 - j1) for _, i1, i2, j1, j2 in ops)
    assert 1 <= len(ops) <= 3 and changed <= 12, f"{variant.id}: {len(ops)} changed places, {changed} lines"
