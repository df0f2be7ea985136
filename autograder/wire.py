"""The data that crosses between the judging side and the student's code, and nothing else.

Every argument handed to a student function and every value it returns is translated into a
small tree of plain data first, whether the student's code runs in the same process (the
in-process executor used by tests and ``optgrade check``) or in a sandboxed child (the bulk
grader). Checks therefore only ever see values built by trusted code: float64/int/bool numpy
arrays made by numpy itself, Python scalars and strings, lists, tuples and ``State`` records.
A lying ``__eq__``, an ndarray subclass or a pickle payload never reaches a verdict.

Tree nodes (``Node``) are JSON-compatible dicts, except that arrays are kept as ``np.ndarray``
until :func:`pack` turns the whole tree into JSON plus one raw little-endian byte blob.

Kinds:
    {"t": "none"} | {"t": "bool", "v"} | {"t": "int", "v"} | {"t": "float", "v"} | {"t": "str", "v"}
    {"t": "array", "a": ndarray, "scalar": bool}     numpy scalars travel as 0-d arrays
    {"t": "list", "items": [...]} | {"t": "tuple", "items": [...]}
    {"t": "dict", "items": {str key: node}}          keyword arguments (string keys only)
    {"t": "state", "cls": name, "fields": {name: node}}   a NamedTuple optimiser state
    {"t": "rng", "state": {...}}                      a numpy Generator, rebuilt bit for bit
    {"t": "callback", "id": k}                        a function of the check, served by the judge
    {"t": "unsupported", "type": name}                anything else, described but never rebuilt
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

# Numeric kinds a submission may return; object, string and void arrays are refused.
ALLOWED_KINDS = frozenset("biuf")
MAX_DEPTH = 8  # deeper nesting than any honest return value of the lab
MAX_ITEMS = 100_000  # list items, protects the judge from a billion-element list
MAX_STR = 10_000
BIT_GENERATORS = frozenset({"PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"})  # never a name from elsewhere


class WireError(ValueError):
    """A value that cannot travel: its description says why (never contains the value)."""


@dataclass(frozen=True)
class State:
    """A NamedTuple state as the judge sees it: its class name and its fields, as data."""

    cls: str
    fields: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(f"{self.cls} has no field {name!r}") from None


@dataclass(frozen=True)
class Unsupported:
    """A returned object of a kind the lab never returns (described by its type name only)."""

    type: str


@dataclass
class Callbacks:
    """The judge's functions handed to student code, numbered as they are encoded."""

    functions: list[Callable[..., Any]] = field(default_factory=list)

    def add(self, fn: Callable[..., Any]) -> int:
        self.functions.append(fn)
        return len(self.functions) - 1


def _shape_of_namedtuple(obj: Any) -> tuple[str, ...] | None:
    fields = getattr(type(obj), "_fields", None)
    return fields if isinstance(obj, tuple) and isinstance(fields, tuple) else None


def encode(obj: Any, callbacks: Callbacks | None = None, depth: int = 0) -> dict:
    """Translate a Python value into a data tree (see the module docstring).

    Arrays are copied (C-contiguous, native dtype), so later changes to ``obj`` never reach
    the tree. Callables become callbacks when ``callbacks`` is given (judge -> student only);
    from the student side they are unsupported. Raises WireError for arrays of a refused
    dtype or structures too deep or too large.
    """
    if depth > MAX_DEPTH:
        raise WireError("nested more than 8 levels deep")
    t = type(obj)
    if obj is None:
        return {"t": "none"}
    if t is bool or t is np.bool_:
        return {"t": "bool", "v": bool(obj)}
    if t is int:
        return {"t": "int", "v": obj}
    if t is float:
        return {"t": "float", "v": obj}
    if t is str or t is np.str_:
        obj = str(obj)
        if len(obj) > MAX_STR:
            raise WireError(f"a string of {len(obj)} characters")
        return {"t": "str", "v": obj}
    if isinstance(obj, np.generic) and t.__module__ == "numpy":
        return _encode_array(np.asarray(obj), scalar=True)
    if t is np.ndarray:
        return _encode_array(obj, scalar=False)
    if isinstance(obj, np.ndarray):
        return {"t": "unsupported", "type": f"ndarray subclass {t.__name__}"}
    if isinstance(obj, np.random.Generator) and t is np.random.Generator:
        return {"t": "rng", "state": _jsonable(obj.bit_generator.state)}
    if t is State:
        return {"t": "state", "cls": obj.cls,
                "fields": {k: encode(v, callbacks, depth + 1) for k, v in obj.fields.items()}}
    fields = _shape_of_namedtuple(obj)
    if fields is not None:
        return {"t": "state", "cls": t.__name__,
                "fields": {k: encode(tuple.__getitem__(obj, i), callbacks, depth + 1) for i, k in enumerate(fields)}}
    if t is list or t is tuple:
        if len(obj) > MAX_ITEMS:
            raise WireError(f"a {t.__name__} of {len(obj)} items")
        items = list.__iter__(obj) if t is list else tuple.__iter__(obj)
        return {"t": t.__name__, "items": [encode(x, callbacks, depth + 1) for x in items]}
    if t is dict and all(type(k) is str for k in obj):
        if len(obj) > MAX_ITEMS:
            raise WireError(f"a dict of {len(obj)} items")
        return {"t": "dict", "items": {k: encode(v, callbacks, depth + 1) for k, v in dict.items(obj)}}
    if callbacks is not None and callable(obj):
        return {"t": "callback", "id": callbacks.add(obj)}
    return {"t": "unsupported", "type": t.__name__}


def _encode_array(a: np.ndarray, scalar: bool) -> dict:
    if a.dtype.kind not in ALLOWED_KINDS:
        return {"t": "unsupported", "type": f"array of dtype {a.dtype.name}"}
    return {"t": "array", "a": np.array(a, dtype=a.dtype.newbyteorder("=")), "scalar": scalar}


def _jsonable(state: Any) -> Any:
    """Bit-generator states hold Python ints and dicts only (PCG64, Philox, MT19937...)."""
    if isinstance(state, dict):
        return {k: _jsonable(v) for k, v in state.items()}
    if isinstance(state, np.ndarray):
        return {"__ndarray__": state.tolist(), "dtype": state.dtype.str}
    if isinstance(state, np.integer):
        return int(state)
    return state


def _unjsonable(state: Any) -> Any:
    if isinstance(state, dict):
        if "__ndarray__" in state:
            return np.array(state["__ndarray__"], dtype=state["dtype"])
        return {k: _unjsonable(v) for k, v in state.items()}
    return state


def decode(node: dict, *, make_state: Callable[[str, dict], Any] | None = None,
           make_callback: Callable[[int], Callable[..., Any]] | None = None) -> Any:
    """Rebuild Python values from a tree, with fresh arrays that nobody else holds.

    make_state(cls, fields): on the student side, builds the module's own NamedTuple class;
    on the judge side (None) a ``State`` record is made. make_callback(id): on the student
    side, the function that forwards to the judge's callback. Raises WireError on a node that
    is not well formed (a protocol error).
    """
    try:
        kind = node["t"]
        if kind == "none":
            return None
        if kind in ("bool", "int", "float", "str"):
            value = node["v"]
            expected = {"bool": bool, "int": int, "float": float, "str": str}[kind]
            if type(value) is not expected:
                raise WireError(f"a {kind} node holding {type(value).__name__}")
            return value
        if kind == "array":
            a = node["a"]
            if type(a) is not np.ndarray or a.dtype.kind not in ALLOWED_KINDS:
                raise WireError("an array node without a numeric array")
            a = a.copy()
            return a[()] if node.get("scalar") else a
        if kind in ("list", "tuple"):
            items = [decode(x, make_state=make_state, make_callback=make_callback) for x in node["items"]]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            return {str(k): decode(v, make_state=make_state, make_callback=make_callback)
                    for k, v in node["items"].items()}
        if kind == "state":
            fields = {str(k): decode(v, make_state=make_state, make_callback=make_callback)
                      for k, v in node["fields"].items()}
            return make_state(node["cls"], fields) if make_state else State(str(node["cls"]), fields)
        if kind == "rng":
            name = node["state"]["bit_generator"]
            if name not in BIT_GENERATORS:
                raise WireError(f"unknown bit generator {name!r}")
            rng = np.random.Generator(getattr(np.random, name)())
            rng.bit_generator.state = _unjsonable(node["state"])
            return rng
        if kind == "callback":
            if make_callback is None:
                raise WireError("a callback where none may be")
            return make_callback(int(node["id"]))
        if kind == "unsupported":
            return Unsupported(str(node["type"]))
    except WireError:
        raise
    except Exception as exc:  # malformed trees are protocol errors, never crashes
        raise WireError(f"malformed node ({type(exc).__name__})") from None
    raise WireError(f"unknown node kind {kind!r}")


def pack(tree: Any) -> tuple[bytes, bytes]:
    """Serialise a tree (nodes nested in any JSON structure) to a JSON header and a data blob.

    Arrays are replaced by {"t": "array", "dtype", "shape", "offset", "nbytes", "scalar"}
    entries pointing into the blob of raw little-endian bytes.
    """
    chunks: list[bytes] = []
    offset = 0

    def strip(x: Any) -> Any:
        nonlocal offset
        if isinstance(x, dict):
            if x.get("t") == "array" and isinstance(x.get("a"), np.ndarray):
                a = x["a"]
                raw = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
                entry = {"t": "array", "dtype": a.dtype.newbyteorder("<").str, "shape": list(a.shape),
                         "offset": offset, "nbytes": len(raw), "scalar": bool(x.get("scalar"))}
                chunks.append(raw)
                offset += len(raw)
                return entry
            return {k: strip(v) for k, v in x.items()}
        if isinstance(x, list):
            return [strip(v) for v in x]
        if isinstance(x, float) and not math.isfinite(x):
            return {"__float__": repr(x)}
        return x

    header = json.dumps(strip(tree), separators=(",", ":")).encode()
    return header, b"".join(chunks)


def unpack(header: bytes, blob: bytes, *, max_array_bytes: int = 512 * 2**20) -> Any:
    """Inverse of :func:`pack`; every array is rebuilt with ``np.frombuffer`` and checked.

    Raises WireError for malformed JSON, dtypes outside the allowed kinds, shapes that do
    not match their byte counts, or arrays larger than ``max_array_bytes``.
    """
    try:
        raw = json.loads(header)
    except (ValueError, RecursionError):
        raise WireError("the header is not JSON") from None

    def restore(x: Any) -> Any:
        if isinstance(x, dict):
            if x.get("t") == "array" and "offset" in x:
                try:
                    dtype = np.dtype(str(x["dtype"]))
                    shape = tuple(int(s) for s in x["shape"])
                    start, nbytes = int(x["offset"]), int(x["nbytes"])
                except (TypeError, ValueError):
                    raise WireError("a malformed array entry") from None
                if dtype.kind not in ALLOWED_KINDS or dtype.str[0] not in "<|":  # byteorder says "=" on LE hosts
                    raise WireError(f"an array of refused dtype {dtype.str}")
                if any(s < 0 for s in shape) or nbytes > max_array_bytes or start < 0 or start + nbytes > len(blob):
                    raise WireError("an array entry outside the data")
                if math.prod(shape) * dtype.itemsize != nbytes:
                    raise WireError("an array whose shape does not match its size")
                a = np.frombuffer(blob, dtype=dtype, count=math.prod(shape), offset=start).reshape(shape)
                return {"t": "array", "a": a.astype(dtype.newbyteorder("="), copy=True), "scalar": bool(x.get("scalar"))}
            if set(x) == {"__float__"}:
                return float(x["__float__"])
            return {k: restore(v) for k, v in x.items()}
        if isinstance(x, list):
            return [restore(v) for v in x]
        return x

    return restore(raw)
