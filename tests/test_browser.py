"""The instructor report and a student's feedback page in a real headless Chromium: every image
loads, and nothing overflows the page horizontally (Debian's chromium, driven by Playwright)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.grading import GradeOptions, grade_all, load_grades
from autograder.report import report_html
from harness import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None and not __import__("os").environ.get("CI"),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("graded")
    options = GradeOptions(seed=5, workers=1, sandbox=False)  # the pages, not the sandbox, are tested here
    summary = grade_all(ROOT / "examples" / "submissions", out, options)
    grades = load_grades(out, summary.students)
    (out / "report.html").write_text(report_html(grades, layers={"landlock": True}, parts=list(options.parts)))
    return out


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "chromium must be installed in CI"
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _inspect(browser, path: Path, width: int) -> dict:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page.evaluate("""() => {
            const imgs = [...document.images];
            const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map(e => e.tagName + (e.className ? '.' + e.className : ''));
            return {images: imgs.length,
                    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
                    pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                    wide: wide.slice(0, 5)};
        }""")
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 800])
def test_report_images_load_and_nothing_overflows(graded, browser, width):
    seen = _inspect(browser, graded / "report.html", width)
    assert seen["images"] == 2 and seen["broken"] == []
    assert seen["pageOverflow"] <= 0 and seen["wide"] == [], seen


@pytest.mark.parametrize("width", [1280, 800])
def test_feedback_with_figures_renders(graded, browser, width):
    seen = _inspect(browser, graded / "ada" / "feedback.html", width)
    assert seen["images"] >= 1 and seen["broken"] == [], seen  # ada fails public checks that draw figures
    assert seen["pageOverflow"] <= 0 and seen["wide"] == [], seen
