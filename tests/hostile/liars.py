"""Hostile: return values that lie (to ==, to numpy) or that would run code when unpickled."""
import os

import numpy as np


class Liar:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.zeros(2)

    def __float__(self):
        return 0.0


class Sub(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def liar():
    return Liar()


def liar_list():
    return [1.0, Liar()]


def subclass(values):
    return np.asarray(values, dtype=float).view(Sub)


def payload(marker):
    return Payload(marker)


def object_array():
    return np.array([1.0, "x"], dtype=object)
