#!/usr/bin/env python3
"""Benchmark of bulk grading: seconds per student, peak memory, and the ratio to `otter run`.

Builds N synthetic students from the test corpora (each part of each student is, at random
but reproducibly, the reference, an alternative or a mutant), grades them with
`optgrade grade` (sandboxed, every isolation layer this machine offers, --workers W) and
prints seconds per student and the peak memory of the grader's process tree. When
otter-grader is installed it also times `otter run` of the same parts against the release's
Otter zips (`optgrade release`), in the same run, and prints the ratio.

Usage: python bench/benchmark_grading.py [-n 40] [--workers 2] [--otter-students 2]
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("descent", "sgd", "momentum", "adaptive", "backprop")


def build_students(folder: Path, n: int, seed: int = 0) -> None:
    """n students; each part drawn from reference / alternatives / mutants of that part."""
    rng = random.Random(seed)
    pools = {}
    for part in PARTS:
        pools[part] = ([ROOT / "solutions" / f"{part}.py"] + sorted((ROOT / "tests/alternatives" / part).glob("*.py"))
                       + sorted((ROOT / "tests/mutants" / part).glob("*.py")))
    for i in range(n):
        student = folder / f"student{i:04d}"
        student.mkdir(parents=True)
        for part in PARTS:
            shutil.copy(rng.choice(pools[part]), student / f"{part}.py")


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run_measured(cmd: list[str], **kw) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds and peak tree RSS of a command."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    return time.monotonic() - start, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=40, help="students to grade (default 40)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--otter-students", type=int, default=2, help="students to time with otter run (0: skip)")
    args = ap.parse_args()
    optgrade = str(Path(sys.executable).with_name("optgrade"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_students(tmp / "subs", args.n)
        seconds, peak, proc = run_measured([optgrade, "grade", str(tmp / "subs"), "-o", str(tmp / "out"),
                                            "--workers", str(args.workers)], cwd=ROOT)
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
            return 1
        layers = next((line for line in proc.stdout.splitlines() if line.startswith("isolation layers")), "?")
        per_student = seconds / args.n
        print(f"optgrade grade: {args.n} students x 5 parts, {args.workers} workers, {layers}")
        print(f"  {seconds:.1f} s in all, {per_student:.3f} s per student, peak memory of the grader tree "
              f"{peak / 2**20:.0f} MiB")
        print(f"  projected 500 students: {500 * per_student / 60:.1f} min")
        if args.otter_students <= 0 or shutil.which("otter", path=str(Path(sys.executable).parent)) is None:
            print("otter-grader not installed: no baseline")
            return 0
        otter = str(Path(sys.executable).with_name("otter"))
        release = tmp / "dist"
        rel = subprocess.run([optgrade, "release", "-o", str(release)], cwd=ROOT, capture_output=True, text=True)
        if rel.returncode != 0:
            print("optgrade release failed: no otter baseline\n" + rel.stderr[-2000:])
            return 1
        otter_seconds = 0.0
        students = sorted((tmp / "subs").iterdir())[: args.otter_students]
        for student in students:
            for part in PARTS:
                outdir = tmp / "otter" / student.name / part
                outdir.mkdir(parents=True)
                t, _, p = run_measured([otter, "run", "-a", str(release / "autograder" / f"{part}.zip"), "-o", str(outdir),
                                        str(student / f"{part}.py")], cwd=tmp)
                otter_seconds += t
        otter_per_student = otter_seconds / len(students)
        print(f"otter run: {len(students)} students x 5 parts, sequential (otter has no Docker-free bulk mode)")
        print(f"  {otter_per_student:.2f} s per student")
        print(f"ratio: optgrade is {otter_per_student / per_student:.1f}x faster per student")
    return 0


if __name__ == "__main__":
    sys.exit(main())
