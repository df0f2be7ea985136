"""The ``optgrade`` command line. Parsing and printing only: the work lives in the modules."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="optgrade")
def main() -> None:
    """optgrade: build, check and grade the optlab optimisation lab.

    \b
    Students and TAs:
      optgrade check PATH        run the public checks on a folder or one part file
    Staff:
      optgrade grade SUBMISSIONS -o OUT   grade every student (sandboxed, in parallel)
      optgrade strip             regenerate assignments/ (student stubs) from solutions/
      optgrade strip --check     fail if the committed stubs are out of date
      optgrade release -o DIST   the student kit and one Gradescope (Otter) zip per part
      optgrade notebook -o PATH  generate the kit's lab.ipynb from autograder/notebook_source.py
    """


@main.command()
@click.option("--source", type=click.Path(path_type=Path), default=Path("solutions"), show_default=True,
              help="Folder of master sources with # BEGIN/END SOLUTION markers.")
@click.option("--dest", type=click.Path(path_type=Path), default=Path("assignments"), show_default=True,
              help="Folder that receives the student stubs.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any stub differs from what the masters give.")
def strip(source: Path, dest: Path, check: bool) -> None:
    """Generate the student stubs from the master sources.

    Each solution block becomes '# TODO(task P.T): hint' plus
    'raise NotImplementedError("task P.T")'. Malformed markers are reported
    with file and line, and nothing is written.
    """
    from .strip import MarkerError, generate_stubs

    try:
        results = generate_stubs(source, dest, write=not check)
    except (MarkerError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    stale = [r for r in results if r.changed]
    for r in results:
        state = ("out of date" if check else "written") if r.changed else "up to date"
        click.echo(f"{r.stub}: {state}")
    if check and stale:
        click.echo(f"{len(stale)} stub(s) differ from {source}/; run 'optgrade strip' to regenerate.", err=True)
        sys.exit(1)


@main.command()
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the notebook: lab.ipynb, next to the five part files of the student kit.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if OUT differs from what the source gives.")
def notebook(out: Path, check: bool) -> None:
    """Generate the lab notebook from its readable source, autograder/notebook_source.py.

    Every exercise cell imports the student's own part files (descent.py, ...), so put the
    notebook next to them. The build is deterministic: same source, same file.
    """
    from .notebook import NotebookSourceError, notebook_is_current, write_notebook

    try:
        if check:
            if not notebook_is_current(out):
                click.echo(f"{out}: out of date; run 'optgrade notebook -o {out}' to regenerate.", err=True)
                sys.exit(1)
            click.echo(f"{out}: up to date")
            return
        changed = write_notebook(out)
    except NotebookSourceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{out}: {'written' if changed else 'up to date'}")


@main.command()
@click.option("-o", "--out", "dist", type=click.Path(path_type=Path), required=True,
              help="New folder that receives student/ (the kit) and autograder/ (the Gradescope zips).")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Instructor configuration holding the grading seed (default: instructor/grading.toml).")
@click.option("--otter-native", is_flag=True,
              help="Keep Otter's stock in-kernel runner in the zips instead of optlab's sandboxed one.")
def release(dist: Path, config: Path | None, otter_native: bool) -> None:
    """Build the student kit and one Otter autograder zip per part.

    The kit (stubs, README, notebook, public checks) is audited: the command fails,
    naming the file, if solution code, a hidden check or the grading seed would be in it.
    """
    from .config import ConfigError, grading_seed
    from .release import ReleaseError, build_release

    try:
        result = build_release(dist, grading_seed(config), otter_native=otter_native)
    except (ConfigError, ReleaseError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"student kit: {result.kit}")
    for part, path in result.zips.items():
        click.echo(f"autograder:  {path} ({path.stat().st_size / 1024:.0f} KiB)")
    click.echo(f"instructions: {dist / 'autograder' / 'README.md'}")


def _parse_parts(value: str | None) -> tuple[str, ...]:
    from .parts import PART_NAMES

    if not value:
        return PART_NAMES
    parts = tuple(p.strip() for p in value.split(",") if p.strip())
    unknown = [p for p in parts if p not in PART_NAMES]
    if unknown:
        raise click.BadParameter(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PART_NAMES)}",
                                 param_hint="--parts")
    return tuple(p for p in PART_NAMES if p in parts)


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Output folder: grades.csv, summary.json, report.html and one folder per student.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Students graded in parallel (default: the number of CPU cores).")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=None,
              help="Wall-clock seconds allowed per check (default: each check's own limit, 5 s for most).")
@click.option("--memory", "memory_mb", type=click.IntRange(128, 65536), default=1024, show_default=True,
              help="Address-space limit of each sandboxed child, in MiB.")
@click.option("--parts", default=None, help="Comma-separated parts to grade (default: all five).")
@click.option("--force", is_flag=True, help="Regrade students whose results are already complete.")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Instructor configuration holding the grading seed (default: instructor/grading.toml).")
@click.option("--insecure", is_flag=True,
              help="Grade even when neither Landlock nor a separate uid can isolate student code.")
def grade(submissions: Path, out: Path, workers: int | None, timeout: float | None, memory_mb: int,
          parts: str | None, force: bool, config: Path | None, insecure: bool) -> None:
    """Grade every student in SUBMISSIONS into OUT.

    SUBMISSIONS holds one entry per student (its name is the student id): a folder with
    any of descent.py, sgd.py, momentum.py, adaptive.py, backprop.py (or .ipynb of the same
    names), a .zip of such files, or a Gradescope export with submission_metadata.yml.

    Student code runs only in sandboxed child processes; a rerun skips students already
    graded with the same settings (use --force to regrade). Absent parts score 0.
    """
    import time

    from tqdm import tqdm

    from .config import ConfigError, grading_seed
    from .grading import GradeOptions, cpu_count, grade_all, load_grades, write_gradebook
    from .report import describe_layers, report_html, summary_json
    from .results import write_atomic
    from .sandbox import detect_layers
    from .submissions import InputError

    try:
        seed = grading_seed(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    selected = _parse_parts(parts)
    layers = detect_layers()
    secure = bool(layers.get("landlock") or layers.get("uid_separation"))
    click.echo("isolation layers: " + describe_layers(layers))
    if not secure and not insecure:
        raise click.ClickException("neither Landlock nor uid separation is available, so student code could read "
                                   "the checks and write outside its sandbox; run as root or on a kernel with "
                                   "Landlock, or pass --insecure to grade anyway")
    options = GradeOptions(seed=seed, parts=selected, workers=workers or cpu_count(), timeout=timeout,
                           memory_mb=memory_mb, force=force, insecure=insecure)
    bar = None

    def progress(student: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="student", disable=None, dynamic_ncols=True)
        bar.update(1)
        bar.set_postfix_str(student, refresh=False)

    started = time.monotonic()
    try:
        summary = grade_all(submissions, out, options, progress)
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        click.echo("interrupted: every student graded so far is saved; rerun the same command to continue", err=True)
        sys.exit(130)
    if bar is not None:
        bar.close()
    grades = load_grades(out, summary.students)
    write_gradebook(out, grades)
    write_atomic(out / "summary.json", summary_json(
        grades, layers=layers, seconds=time.monotonic() - started, skipped=summary.skipped,
        failed=summary.failed, notes=summary.notes, parts=list(selected)))
    write_atomic(out / "report.html", report_html(grades, layers=layers, parts=list(selected)))
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    _print_gradebook(grades, selected)
    click.echo(f"{len(summary.graded)} graded, {len(summary.skipped)} already complete, "
               f"{len(summary.failed)} failed in {time.monotonic() - started:.1f} s")
    for student, error in summary.failed.items():
        click.echo(f"could not grade {student}: {error}", err=True)
    click.echo(f"gradebook: {out / 'grades.csv'}\nreport:    {out / 'report.html'}\nfeedback:  {out}/<student>/feedback.html")
    if summary.failed:
        sys.exit(1)


def _print_gradebook(grades, parts) -> None:
    from .registry import points_table

    table = points_table()
    width = max([len("student")] + [len(g.student) for g in grades])
    click.echo("  ".join(["student".ljust(width), *[p[:9].rjust(9) for p in parts], "total".rjust(7)]))
    click.echo("  ".join(["(max)".ljust(width), *[f"{sum(table[p].values()):9g}" for p in parts],
                          f"{sum(sum(table[p].values()) for p in parts):7g}"]))
    for g in sorted(grades, key=lambda g: g.student):
        scores = g.part_scores()
        total = sum(scores[p] for p in parts)
        click.echo("  ".join([g.student.ljust(width), *[f"{scores[p]:9g}" for p in parts], f"{total:7g}"]))


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--part", "part_name", default=None, help="Part of a single file whose name is not <part>.py.")
@click.option("--hidden", is_flag=True, help="Also run the hidden checks (needs the instructor configuration).")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Instructor configuration for --hidden (default: instructor/grading.toml).")
@click.option("-v", "--verbose", is_flag=True, help="List every check, not only the failing ones.")
def check(path: Path, part_name: str | None, hidden: bool, config: Path | None, verbose: bool) -> None:
    """Run the checks on your own work: a folder of part files, or one part file.

    Without --hidden only the public checks run: they are the ones in the student kit,
    with inputs you may see. Hidden checks (other inputs, the same properties) decide the
    grade too. Exit status 1 when any check fails.
    """
    from .checking import run_checks
    from .config import ConfigError, grading_seed
    from .executor import InProcessExecutor, MissingPartExecutor
    from .parts import PART_NAMES, PARTS_BY_NAME
    from .registry import checks_for

    if not path.exists():
        raise click.ClickException(f"{path}: no such file or folder")
    if path.is_file():
        name = part_name or path.stem
        if name not in PART_NAMES:
            raise click.ClickException(f"{path.name}: not a part file ({', '.join(p + '.py' for p in PART_NAMES)}); "
                                       "use --part to say which part it is")
        files = {name: path}
    else:
        files = {p: path / f"{p}.py" for p in PART_NAMES if (path / f"{p}.py").is_file()}
        if part_name:
            files = {k: v for k, v in files.items() if k == part_name}
        if not files:
            raise click.ClickException(f"{path}: no part files here ({', '.join(p + '.py' for p in PART_NAMES)})")
    seed = None
    if hidden:
        try:
            seed = grading_seed(config)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    checks = [c for part in files for c in checks_for(part, include_hidden=hidden)]

    def executor_for(part: str):
        return InProcessExecutor(files[part]) if part in files else MissingPartExecutor(f"{part}.py")

    results = run_checks(checks, executor_for, seed)
    failed = 0
    for part in files:
        click.echo(f"\n{files[part]} ({part})")
        for task in PARTS_BY_NAME[part].tasks:
            mine = [r for r in results if r.task == task.id]
            ok = sum(r.passed for r in mine)
            mark = click.style("ok  ", fg="green") if ok == len(mine) else click.style("FAIL", fg="red")
            click.echo(f"  {mark} {task.label:<40} {ok}/{len(mine)} checks")
            for r in mine:
                if not r.passed or verbose:
                    status = "passed" if r.passed else r.kind.replace("_", " ")
                    click.echo(f"         - {r.title} [{status}]" + ("" if r.passed else f"\n           {r.message}"))
            failed += len(mine) - ok
    total = len(results)
    scope = "checks (public and hidden)" if hidden else "PUBLIC checks"
    click.echo(f"\n{total - failed}/{total} {scope} passed.")
    if not hidden:
        click.echo("Hidden checks exist and were not run: they test the same properties on inputs you have not "
                   "seen, and they count towards your grade.")
    if failed:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
