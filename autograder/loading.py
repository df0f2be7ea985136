"""Import a part module from a file the way Python imports it.

The module is registered in ``sys.modules`` before its code runs, so ``dataclasses``,
``typing.NamedTuple`` and ``from __future__ import annotations`` (which look the module up by
name) behave as they do under a normal ``import``.
"""
from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

_unique = itertools.count()


def load_module(path: str | Path, name: str | None = None) -> ModuleType:
    """Execute the file at ``path`` as a fresh module and return it.

    name: the name under which it is registered in ``sys.modules``; by default a unique
    name derived from the file stem, so that two folders' ``descent.py`` never collide.
    Raises whatever the module raises at import (callers decide what that means); on failure
    the half-built module is removed from ``sys.modules`` again.
    """
    path = Path(path)
    name = name or f"optlab_submission_{path.stem}_{next(_unique)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: not a Python source file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
