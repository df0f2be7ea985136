"""Hostile: never returns (busy loop, sleep, a loop that ignores polite signals)."""
import signal
import time


def spin():
    while True:
        pass


def sleepy():
    time.sleep(1000)


def stubborn():
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU):
        signal.signal(s, signal.SIG_IGN)
    while True:
        try:
            time.sleep(1000)
        except BaseException:
            pass


def fine(x):
    return 2 * x
