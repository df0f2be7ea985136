"""Hostile: never finishes importing."""
while True:
    pass


def fine(x):
    return 2 * x
