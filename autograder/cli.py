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
    Staff workflow:
      optgrade strip            regenerate assignments/ (student stubs) from solutions/
      optgrade strip --check    fail if the committed stubs are out of date
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


if __name__ == "__main__":  # pragma: no cover
    main()
