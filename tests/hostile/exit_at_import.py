"""Hostile: leaves at import (sys.exit), hoping nothing gets counted."""
import sys

print("bye")
sys.exit(0)


def fine(x):
    return 2 * x
