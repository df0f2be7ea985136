"""Hostile fragment (appended to a copy of the reference descent.py by the tests): breaks one
function and, at import, patches everything a judge in the same process would rely on."""
import builtins as _builtins

import numpy as _np
import numpy.testing as _npt


def grad_rosenbrock(p):  # noqa: F811 - deliberately wrong
    return _np.zeros(2)


_np.allclose = lambda *a, **k: True
_np.isclose = lambda a, b, *r, **k: _np.ones(_np.broadcast(a, b).shape, dtype=bool)
_np.array_equal = lambda *a, **k: True
_npt.assert_allclose = lambda *a, **k: None
_builtins.abs = lambda x: 0
_builtins.any = lambda it: False
_builtins.sorted = lambda it, **k: []
