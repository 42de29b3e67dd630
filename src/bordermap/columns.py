"""Typed-array columns of the page-data document: integers packed as base64 in the JSON text.

A column is the text ``"TYPE:BASE64"``: TYPE is one of :data:`TYPES` (the narrowest one that holds
every value), BASE64 the values' little-endian bytes; ``"+TYPE:FIRST:BASE64"`` holds the first
value and then each value's difference from the previous one (the first difference is 0), when
they fit a narrower type (string indexes
of titles, first seen in item order, rise by a few at a time); ``"c:VALUE:COUNT"`` is one value
repeated and ``"a:FIRST:STEP:COUNT"`` a run that rises by STEP (item 0, 1, 2, … drawn by marker
0, 1, 2, …). The page turns each into a JavaScript typed array without parsing one number at a time
(``page/js/10-decode.js``); :func:`read` is its Python twin.
"""

from __future__ import annotations

import base64
from typing import Iterable

import numpy as np

#: Column type -> numpy dtype, narrowest first; the page maps the same names to Int8Array, Uint8Array, ….
TYPES = {"u1": "<u1", "i1": "<i1", "u2": "<u2", "i2": "<i2", "i4": "<i4"}


def _narrowest(array: np.ndarray) -> str:
    low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
    for name, dtype in TYPES.items():
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return name
    raise ValueError(f"column values {low}..{high} do not fit in 32 bits")


def pack(values: Iterable[int] | np.ndarray) -> str:
    """Integers (each must fit in 32 bits) as the shortest of the column forms above."""
    array = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.int64)
    kind = _narrowest(array)
    if array.size > 1:
        steps = np.diff(array)
        if (steps == steps[0]).all() and (array.size > 2 or steps[0] == 0):
            first, step = int(array[0]), int(steps[0])
            return f"c:{first}:{array.size}" if step == 0 else f"a:{first}:{step}:{array.size}"
        deltas = np.concatenate([[0], steps])
        delta_kind = _narrowest(deltas) if np.abs(deltas).max() < 2 ** 31 else kind
        if TYPES[delta_kind][-1] < TYPES[kind][-1]:  # fewer bytes a value
            kind, data = _bytes(deltas, delta_kind).split(":")
            return f"+{kind}:{int(array[0])}:{data}"
    return _bytes(array, kind)


def _bytes(array: np.ndarray, kind: str) -> str:
    return f"{kind}:{base64.b64encode(array.astype(TYPES[kind]).tobytes()).decode('ascii')}"


def read(text: str) -> np.ndarray:
    """A column back as an int64 array; the inverse of :func:`pack`."""
    name, _, data = text.partition(":")
    if name == "c":
        value, _, count = data.partition(":")
        return np.full(int(count), int(value), dtype=np.int64)
    if name == "a":
        first, step, count = (int(v) for v in data.split(":"))
        return first + step * np.arange(count, dtype=np.int64)
    first = 0
    if name.startswith("+"):
        name = name[1:]
        head, _, data = data.partition(":")
        first = int(head)
    if name not in TYPES:
        raise ValueError(f"unknown column type {name!r}")
    array = np.frombuffer(base64.b64decode(data), dtype=TYPES[name]).astype(np.int64)
    return first + np.cumsum(array) if text.startswith("+") else array


def polyline_values(text: str) -> list[int]:
    """The signed integers of an encoded polyline (Google's format: 5-bit groups, zigzag sign), in order;
    what they mean (differences of lat, lon) is the caller's."""
    values, shift, result = [], 0, 0
    for char in text:
        b = ord(char) - 63
        result |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            shift, result = 0, 0
    return values
