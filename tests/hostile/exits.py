"""Hostile: every way out of a call except returning."""
import ctypes
import os
import signal
import sys


class Custom(BaseException):
    pass


def fine(x):
    return 2 * x


def hard_exit():
    os._exit(3)


def segfault():
    ctypes.string_at(0)


def kill_self():
    os.kill(os.getpid(), signal.SIGKILL)


def keyboard():
    raise KeyboardInterrupt("stop grading")


def custom():
    raise Custom("out of band")


def system_exit():
    sys.exit(0)


def generator_exit():
    raise GeneratorExit()


def not_implemented():
    raise NotImplementedError("todo")
