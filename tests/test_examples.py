"""The bundled example class stays what its build script makes from the current masters and corpus."""
from __future__ import annotations

import importlib.util

from harness import ROOT


def test_committed_examples_match_their_build_script(tmp_path):
    spec = importlib.util.spec_from_file_location("build_examples", ROOT / "examples" / "build_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "subs")
    committed = ROOT / "examples" / "submissions"
    built = sorted(p.relative_to(tmp_path / "subs") for p in (tmp_path / "subs").rglob("*") if p.is_file())
    assert built == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    stale = [str(p) for p in built if (committed / p).read_bytes() != (tmp_path / "subs" / p).read_bytes()]
    assert stale == [], "run: python examples/build_examples.py"
