"""Hostile: floods its output (100 MB through print, stderr and the raw descriptor)."""
import os
import sys


def flood():
    line = "x" * (1 << 20)
    for _ in range(100):
        print(line)
    return 42


def flood_raw():
    block = b"y" * (1 << 20)
    for _ in range(100):
        os.write(2, block)
    return 43


def chatty(x):
    print("hello from", x)
    print("to stderr", file=sys.stderr)
    return x
