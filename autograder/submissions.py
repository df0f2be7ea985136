"""Finding students in a submissions folder and preparing their part files for grading.

A submissions folder holds one entry per student (the entry's name is the student id):
- a folder with any of descent.py, sgd.py, momentum.py, adaptive.py, backprop.py, or the
  same names as .ipynb notebooks (their code cells are extracted; IPython magics and shell
  lines are dropped), directly or one folder down;
- a .zip of such files (absolute or ``..`` paths are refused; size and ratio are limited);
- or a Gradescope "export submissions" folder: ``submission_metadata.yml`` next to
  ``submission_<id>/`` folders, the students named from the metadata.

Preparation never executes student code: it copies, extracts and converts files into a
staging folder and checks that each is UTF-8 Python that compiles; a part that does not is
recorded as broken with the reason (its checks then score 0 and say why).
"""
from __future__ import annotations

import ast
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .parts import PART_NAMES

MAX_FILE_BYTES = 2 * 2**20  # a part file larger than 2 MiB is not a lab solution
MAX_ZIP_ENTRIES = 200
MAX_ZIP_TOTAL = 20 * 2**20  # uncompressed bytes in one zip
MAX_ZIP_RATIO = 100  # uncompressed / compressed, per entry: beyond it, a zip bomb
IGNORED = re.compile(r"^(\.|__MACOSX$|__pycache__$|.*\.pyc$|Thumbs\.db$|desktop\.ini$)")
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


class InputError(ValueError):
    """The submissions folder as a whole cannot be used (the message says what to do)."""


@dataclass
class Submission:
    """One student's prepared files.

    files: part -> staged .py path (only parts that were found and compile);
    broken: part -> reason the part cannot be graded (undecodable, syntax error, too large...);
    ignored: names of files that are not part files (listed, not graded).
    """

    student: str
    source: Path
    files: dict[str, Path] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """A student's raw entry before preparation: a folder or a zip, and the student id."""

    student: str
    path: Path


def discover(root: Path) -> tuple[list[Entry], list[str]]:
    """The students of a submissions folder, sorted by id, and notes about what was skipped.

    Raises InputError for a missing or empty folder, or two entries with the same student id.
    """
    if not root.exists():
        raise InputError(f"{root}: no such folder (give the folder that holds one entry per student)")
    if not root.is_dir():
        raise InputError(f"{root}: not a folder (give the folder that holds one entry per student)")
    notes: list[str] = []
    metadata = root / "submission_metadata.yml"
    entries = _gradescope_entries(root, metadata, notes) if metadata.is_file() else _plain_entries(root, notes)
    if not entries:
        raise InputError(f"{root}: no student entries found (expected folders or .zip files, one per student)")
    seen: dict[str, Path] = {}
    for entry in entries:
        if entry.student in seen:
            raise InputError(f"two entries give the student id {entry.student!r}: {seen[entry.student]} and {entry.path}; "
                             "rename one of them")
        seen[entry.student] = entry.path
    return sorted(entries, key=lambda e: e.student), notes


def _plain_entries(root: Path, notes: list[str]) -> list[Entry]:
    entries = []
    for path in sorted(root.iterdir()):
        if IGNORED.match(path.name):
            continue
        if path.is_dir():
            entries.append(Entry(path.name, path))
        elif path.suffix == ".zip":
            entries.append(Entry(path.stem, path))
        else:
            notes.append(f"{path.name}: not a folder or .zip, ignored")
    for entry in entries:
        if not STUDENT_ID.match(entry.student):
            raise InputError(f"{entry.path}: {entry.student!r} is not usable as a student id "
                             "(letters, digits and . _ @ + - only, at most 100 characters)")
    return entries


def _gradescope_entries(root: Path, metadata: Path, notes: list[str]) -> list[Entry]:
    import yaml

    try:
        data = yaml.safe_load(metadata.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{metadata}: not readable YAML ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{metadata}: expected a mapping of submission folders to their metadata")
    entries = []
    for folder, info in sorted(data.items()):
        path = root / str(folder)
        if not path.is_dir():
            notes.append(f"{folder}: listed in submission_metadata.yml but not present, skipped")
            continue
        submitters = (info or {}).get(":submitters") or (info or {}).get("submitters") or []
        ids = []
        for person in submitters:
            person = person or {}
            ident = person.get(":sid") or person.get("sid") or person.get(":email") or person.get("email") \
                or person.get(":name") or person.get("name")
            if ident:
                ids.append(re.sub(r"[^A-Za-z0-9._@+-]", "_", str(ident)))
        student = "+".join(ids) if ids else str(folder)
        entries.append(Entry(student[:100], path))
    return entries


def prepare(entry: Entry, staging: Path) -> Submission:
    """Copy, extract or convert an entry's part files into ``staging`` (emptied first)."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    sub = Submission(entry.student, entry.path)
    if entry.path.is_dir():
        found = _collect_folder(entry.path, sub)
    else:
        found = _collect_zip(entry.path, staging / ".zip", sub)
    for part, (name, raw) in sorted(found.items()):
        target = staging / f"{part}.py"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            sub.broken[part] = f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
            continue
        if name.endswith(".ipynb"):
            try:
                text = notebook_to_python(text)
            except ValueError as exc:
                sub.broken[part] = f"{name} is not a readable notebook ({exc})"
                continue
        try:
            ast.parse(text, filename=name)
        except SyntaxError as exc:
            sub.broken[part] = f"{name} has a syntax error at line {exc.lineno}: {exc.msg}"
            continue
        except ValueError as exc:  # e.g. null bytes
            sub.broken[part] = f"{name} cannot be read as Python ({exc})"
            continue
        target.write_text(text, encoding="utf-8")
        sub.files[part] = target
    shutil.rmtree(staging / ".zip", ignore_errors=True)
    return sub


def _part_of(name: str) -> str | None:
    stem, _, suffix = name.rpartition(".")
    return stem if stem in PART_NAMES and suffix in ("py", "ipynb") else None


def _keep_new(found: dict[str, tuple[str, bytes]], part: str, name: str, sub: Submission) -> bool:
    """Whether ``name`` should replace what was found for ``part``: a .py beats a notebook, else the first wins."""
    previous = found.get(part)
    if previous is None:
        return True
    if previous[0].endswith(".ipynb") and name.endswith(".py"):
        sub.ignored.append(f"{previous[0]} (the .py file of the same part is graded)")
        del found[part]
        return True
    sub.ignored.append(f"{name} (another {part} file is graded: {previous[0]})")
    return False


def _collect_folder(folder: Path, sub: Submission) -> dict[str, tuple[str, bytes]]:
    """Part files directly in ``folder`` or one level down; everything else is listed as ignored."""
    found: dict[str, tuple[str, bytes]] = {}
    candidates = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(IGNORED.match(p) for p in rel.parts) or path.is_symlink():
            if path.is_symlink():
                sub.ignored.append(f"{rel} (a symbolic link)")
            continue
        if path.is_file():
            candidates.append((rel, path))
    candidates.sort(key=lambda item: (len(item[0].parts), str(item[0])))  # top level first
    for rel, path in candidates:
        part = _part_of(rel.name)
        if part is None or len(rel.parts) > 2:
            sub.ignored.append(str(rel))
            continue
        if not _keep_new(found, part, str(rel), sub):
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            sub.broken[part] = f"{rel} is larger than {MAX_FILE_BYTES // 2**20} MiB"
            continue
        found[part] = (str(rel), path.read_bytes())
    return found


def _collect_zip(path: Path, scratch: Path, sub: Submission) -> dict[str, tuple[str, bytes]]:
    """Read part files out of a zip without writing anything but checked members."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        for part in PART_NAMES:
            sub.broken[part] = f"{path.name} is not a readable zip file ({exc})"
        return {}
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_ENTRIES:
            for part in PART_NAMES:
                sub.broken[part] = f"{path.name} holds {len(members)} entries (at most {MAX_ZIP_ENTRIES})"
            return {}
        total = 0
        found: dict[str, tuple[str, bytes]] = {}
        for info in members:
            name = info.filename
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
                for part in PART_NAMES:
                    sub.broken[part] = f"{path.name} contains the unsafe path {name!r} (absolute or with '..'); nothing was extracted"
                return {}
            if info.is_dir() or any(IGNORED.match(p) for p in pure.parts):
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                sub.ignored.append(f"{name} (a symbolic link)")
                continue
            part = _part_of(pure.name)
            if part is None or len(pure.parts) > 2:
                sub.ignored.append(name)
                continue
            total += info.file_size
            if info.file_size > MAX_FILE_BYTES or total > MAX_ZIP_TOTAL:
                sub.broken[part] = f"{name} in {path.name} is too large (limits: {MAX_FILE_BYTES // 2**20} MiB a file, " \
                                   f"{MAX_ZIP_TOTAL // 2**20} MiB in all)"
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                sub.broken[part] = f"{name} in {path.name} is compressed more than {MAX_ZIP_RATIO}:1 (a zip bomb?)"
                continue
            if not _keep_new(found, part, name, sub):
                continue
            with archive.open(info) as member:
                data = member.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                sub.broken[part] = f"{name} in {path.name} is larger than its header says"
                continue
            found[part] = (name, data)
        return found


MAGIC = re.compile(r"^\s*[%!]")


def notebook_to_python(text: str) -> str:
    """The code cells of a notebook as one Python source; magics (%, %%) and shell lines (!) dropped.

    Raises ValueError when the text is not a notebook nbformat can read.
    """
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    chunks = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if source.lstrip().startswith("%%"):
            continue  # a cell magic makes the whole cell non-Python
        lines = [("# " + line if MAGIC.match(line) else line) for line in source.splitlines()]
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"
