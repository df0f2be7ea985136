"""Hostile: tampers with the channel to the judge."""
import os
import struct

_kept = []


def garbage():
    os.write(4, b"\xff" * 64)
    return 1.0


def huge_frame():
    os.write(4, struct.pack("<II", 1 << 31, 1 << 31))
    return 1.0


def close_channel():
    os.close(4)
    os.close(3)
    return 1.0


def forged_json():
    header = b'{"op": "result", "ok": true, "value": {"t": "rng", "state": {"bit_generator": "seed"}}, "after": 1}'
    os.write(4, struct.pack("<II", len(header), 0) + header)
    import time
    time.sleep(1000)


def keep(f):
    _kept.append(f)
    return f(1.0)


def use_kept(x):
    return _kept[0](x)


def fine(x):
    return 2 * x
