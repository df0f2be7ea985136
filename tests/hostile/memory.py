"""Hostile: allocates without bound."""
import numpy as np


def bomb():
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))


def numpy_bomb():
    return np.ones((1 << 20, 1 << 14))  # 128 GiB


def big_return():
    return np.zeros(200 << 17)  # 200 MiB of float64: more than a message may carry


def fine(x):
    return 2 * x
