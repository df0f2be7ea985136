"""Hostile: kills its process at import."""
import os

os._exit(0)


def fine(x):
    return 2 * x
