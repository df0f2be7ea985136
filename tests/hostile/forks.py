"""Hostile: leaves processes behind (setsid'd, double-forked orphans) and a plain fork bomb."""
import os
import time


def scatter(n):
    """Start n detached sleepers in new sessions, orphaned by a double fork; return at once."""
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(1000)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
    return n


def bomb():
    while True:
        try:
            os.fork()
        except OSError:
            pass


def fine(x):
    return 2 * x
