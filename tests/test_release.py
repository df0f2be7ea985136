"""optgrade release: the kit is leak-free and works with numpy+sympy+pytest, and the Otter zips
grade honestly: by otter run (in-kernel path) exactly as optgrade grades, and by the zip's
own sandboxed run_autograder in a simulated Gradescope container."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.parts import PARTS
from autograder.registry import all_checks
from autograder.release import ZIP_REQUIREMENTS, ReleaseError, audit_kit, build_release, otter_test_file, prune_hidden_checks
from harness import ASSIGNMENTS, ROOT, SOLUTIONS, grade_folder, task_scores

SEED = 918273645  # a grading seed for these tests: long enough that its digits never occur by chance
BIN = Path(sys.executable).parent
MUTANTS = {part.name: sorted((ROOT / "tests" / "mutants" / part.name).glob("*.py"))[:2] for part in PARTS}


# ---- fast: the pieces --------------------------------------------------------------------------

def test_pruning_keeps_public_checks_and_drops_hidden_ones():
    source = (ROOT / "autograder" / "checks" / "descent.py").read_text()
    pruned = prune_hidden_checks(source)
    compile(pruned, "pruned", "exec")
    for c in all_checks():
        if c.part == "descent":
            assert (f"def {c.name}(" in pruned) == (not c.hidden), c.name


def test_generated_otter_test_files_name_cases_with_check_titles():
    checks = [c for c in all_checks() if c.task == "1.6"]
    text = otter_test_file("1.6", checks)
    namespace: dict = {}
    pytest.importorskip("otter")
    exec(compile(text, "task_1_6.py", "exec"), namespace)
    cases = [v for v in namespace.values() if type(v).__name__ == "test_case"]
    assert [(c.name, c.points, c.hidden) for c in cases] == [(c.title, c.points, c.hidden) for c in checks]
    assert namespace["OK_FORMAT"] is False and namespace["name"] == "1.6"


@pytest.mark.parametrize("leak, needle", [
    ("solution", "contains solution code of descent.py"),
    ("hidden", "contains the hidden check"),
    ("seed", "contains the grading seed"),
    ("config", "instructor configuration"),
])
def test_the_kit_audit_names_the_leaking_file(tmp_path, leak, needle):
    (tmp_path / "ok.py").write_text("x = 1\n")
    hidden = next(c for c in all_checks() if c.hidden)
    leaks = {
        "solution": ("helper.py", (SOLUTIONS / "descent.py").read_text()),
        "hidden": ("notes.md", f"see {hidden.name}\n"),
        "seed": ("data.txt", f"seed={SEED}\n"),
        "config": ("instructor_seed.toml", "x = 1\n"),
    }
    name, text = leaks[leak]
    (tmp_path / name).write_text(text)
    with pytest.raises(ReleaseError) as info:
        audit_kit(tmp_path, SEED)
    assert str(info.value).startswith(str(tmp_path / name)) and needle in str(info.value)


# ---- slow: a real release ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def release(tmp_path_factory):
    pytest.importorskip("otter")
    dist = tmp_path_factory.mktemp("dist")
    build_release(dist / "a", SEED)
    return dist / "a"


@pytest.mark.slow
def test_release_is_reproducible(release, tmp_path):
    again = build_release(tmp_path / "b", SEED)
    for part in PARTS:
        assert (release / "autograder" / f"{part.name}.zip").read_bytes() == again.zips[part.name].read_bytes()


@pytest.mark.slow
def test_zip_layout(release):
    for part in PARTS:
        with zipfile.ZipFile(release / "autograder" / f"{part.name}.zip") as z:
            names = z.namelist()
            tests = [n for n in names if n.startswith("tests/")]
            assert sorted(tests) == sorted(f"tests/task_{t.id.replace('.', '_')}.py" for t in part.tasks)
            assert not any("__pycache__" in n for n in names)
            assert "files/autograder/checks/backprop.py" in names and "files/autograder/instructor_seed.toml" in names
            assert "python -m autograder.gradescope --part " + part.name in z.read("run_autograder").decode()
            assert b"python=3.11" in z.read("environment.yml")


@pytest.mark.slow
def test_kit_holds_stubs_and_public_checks_only(release):
    kit = release / "student"
    for part in PARTS:
        assert (kit / part.filename).read_text() == (ASSIGNMENTS / part.filename).read_text()
    assert not list(kit.rglob("__pycache__"))
    audit_kit(kit, SEED)


def _kit_copy(release, tmp_path, source_dir):
    kit = tmp_path / "kit"
    shutil.copytree(release / "student", kit)
    for part in PARTS:
        shutil.copy(source_dir / part.filename, kit / part.filename)
    return kit


@pytest.mark.slow
def test_kit_check_script_and_pytest_run_the_public_checks(release, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    stubs = _kit_copy(release, tmp_path / "s", ASSIGNMENTS)
    ref = _kit_copy(release, tmp_path / "r", SOLUTIONS)
    assert subprocess.run([sys.executable, "check.py"], cwd=stubs, capture_output=True, env=env).returncode == 1
    done = subprocess.run([sys.executable, "check.py"], cwd=ref, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-2000:]
    public = sum(not c.hidden for c in all_checks())
    assert f"{public}/{public} PUBLIC checks passed" in done.stdout
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_public_checks.py"],
                         cwd=ref, capture_output=True, text=True, env=env)
    assert run.returncode == 0 and f"{public} passed" in run.stdout, run.stdout[-2000:]


def _otter(args, cwd):
    return subprocess.run([str(BIN / "otter"), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_otter_check_in_the_kit(release, tmp_path):
    ref = _kit_copy(release, tmp_path / "r", SOLUTIONS)
    stubs = _kit_copy(release, tmp_path / "s", ASSIGNMENTS)
    for part in PARTS:
        good = _otter(["check", part.filename, "-t", f"tests/{part.name}"], ref)
        bad = _otter(["check", part.filename, "-t", f"tests/{part.name}"], stubs)
        assert "All tests passed!" in good.stdout and "failed" not in good.stdout, good.stdout[-3000:]
        failing = bad.stdout.count("Test case failed")
        assert failing == sum(c.part == part.name and not c.hidden for c in all_checks()), bad.stdout[-3000:]
        assert bad.stdout.count("not implemented yet") == failing


def _otter_run_scores(zip_path: Path, file: Path, tmp_path: Path) -> dict[str, float]:
    out = tmp_path / "out"
    sub = tmp_path / "sub"
    out.mkdir(parents=True)
    sub.mkdir()
    shutil.copy(file, sub / zip_path.with_suffix(".py").name)
    done = _otter(["run", "-a", str(zip_path), "-o", str(out), str(sub / zip_path.with_suffix(".py").name)], tmp_path)
    assert (out / "results.json").is_file(), done.stdout[-2000:] + done.stderr[-2000:]
    doc = json.loads((out / "results.json").read_text())
    return {t["name"]: t["score"] / t["max_score"] for t in doc["tests"] if "max_score" in t}


@pytest.mark.slow
@pytest.mark.parametrize("part", [p.name for p in PARTS])
def test_otter_run_grades_like_optgrade(release, tmp_path, part):
    files = [SOLUTIONS / f"{part}.py", ASSIGNMENTS / f"{part}.py", *MUTANTS[part]]
    for i, file in enumerate(files):
        otter_scores = _otter_run_scores(release / "autograder" / f"{part}.zip", file, tmp_path / str(i))
        folder = tmp_path / f"g{i}"
        folder.mkdir()
        shutil.copy(file, folder / f"{part}.py")
        ours = task_scores(grade_folder(folder, part, SEED))
        assert otter_scores == pytest.approx(ours), file.name
        if i == 0:
            assert set(otter_scores.values()) == {1.0}
        if i == 1:
            assert set(otter_scores.values()) == {0.0}


# ---- slow: the zip's own runner in a simulated Gradescope container -------------------------------

@pytest.fixture(scope="module")
def bare_python(release, tmp_path_factory):
    """A Python with only the zip's requirements (like Gradescope's image): optlab is NOT installed,
    so the runner and its sandbox must work from the package folder shipped in the zip."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", str(venv)], check=True)
    with zipfile.ZipFile(release / "autograder" / "descent.zip") as z:
        environment = z.read("environment.yml").decode()
    assert all(req in environment for req in ZIP_REQUIREMENTS)  # what Gradescope's image will install
    (venv / "requirements.txt").write_text("\n".join(ZIP_REQUIREMENTS) + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(venv / "requirements.txt")],
                   check=True, capture_output=True)
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import autograder"], capture_output=True, cwd="/")
    assert probe.returncode != 0, "the bare Python must not see the project's own autograder package"
    return venv / "bin"


def _gradescope(release: Path, tmp_path: Path, part: str, submission: Path, python_bin: Path = BIN) -> dict:
    """Unzip <part>.zip as /autograder/source under a temporary root, run setup.sh's optlab lines
    and run_autograder as root, and return the results.json it wrote."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    with zipfile.ZipFile(release / "autograder" / f"{part}.zip") as z:
        z.extractall(root / "source")
    shutil.copy(submission, root / "submission" / f"{part}.py")
    setup = (root / "source" / "setup.sh").read_text()
    optlab_lines = setup[setup.index("# optlab:"):]
    subprocess.run(["bash", "-c", optlab_lines], check=True, capture_output=True)
    env = {"PATH": f"{python_bin}:/usr/sbin:/usr/bin:/sbin:/bin", "OPTLAB_AUTOGRADER_ROOT": str(root), "HOME": "/root"}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=300)
    results = root / "results" / "results.json"
    assert results.is_file(), done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(results.read_text())


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs the autograder as root")
def test_gradescope_runner_grades_in_the_sandbox(release, tmp_path, bare_python):
    total = sum(c.points for c in all_checks() if c.part == "descent")
    ref = _gradescope(release, tmp_path / "ref", "descent", SOLUTIONS / "descent.py", bare_python)
    assert ref["score"] == total and all(t["status"] == "passed" for t in ref["tests"])
    mutant = ROOT / "tests" / "mutants" / "descent" / "gd_sign_error.py"
    got = _gradescope(release, tmp_path / "mut", "descent", mutant, bare_python)
    folder = tmp_path / "g"
    folder.mkdir()
    shutil.copy(mutant, folder / "descent.py")
    expected = grade_folder(folder, "descent", SEED)
    assert [(t["name"], t["score"]) for t in got["tests"]] == [(r.title, r.score) for r in expected]
    assert 0 < got["score"] < total

    forged = _gradescope(release, tmp_path / "forge", "descent", ROOT / "tests" / "gradescope" / "forge_results.py",
                         bare_python)
    assert forged["score"] == 0 and len(forged["tests"]) == len(ref["tests"])
    assert all("forged" not in t["name"] for t in forged["tests"])

    reader = _gradescope(release, tmp_path / "read", "descent", ROOT / "tests" / "gradescope" / "read_tests.py",
                         bare_python)
    outputs = " ".join(t["output"] for t in reader["tests"] if t["name"].startswith("1.7"))
    assert "read-denied" in outputs and "read-ok" not in outputs
    assert reader["score"] == 0
