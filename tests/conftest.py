import sys
from pathlib import Path

# The tests' shared helpers (harness.py, corpus.py) are imported by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))
