"""Typed-array columns of the page-data document: integers packed as base64 in the JSON text.

A column is the text ``"TYPE:BASE64"``: TYPE is one of :data:`TYPES` (the narrowest one that holds
every value), BASE64 the values' little-endian bytes; a column of one value repeated is
``"c:VALUE:COUNT"``. The page turns it into a JavaScript typed array
without parsing one number at a time (``page/js/10-decode.js``); :func:`read` is its Python twin.
100,000 coordinates cost 4 bytes each instead of a JSON number's 9 or 10 characters.
"""

from __future__ import annotations

import base64
from typing import Iterable

import numpy as np

#: Column type -> numpy dtype, narrowest first; the page maps the same names to Int8Array, Uint8Array, ….
TYPES = {"u1": "<u1", "i1": "<i1", "u2": "<u2", "i2": "<i2", "i4": "<i4"}


def pack(values: Iterable[int] | np.ndarray) -> str:
    """Integers as a column of the narrowest type that holds them all (they must fit in 32 bits)."""
    array = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=np.int64)
    low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
    if array.size > 1 and low == high and -2 ** 31 <= low < 2 ** 31:
        return f"c:{low}:{array.size}"
    for name, dtype in TYPES.items():
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return f"{name}:{base64.b64encode(array.astype(dtype).tobytes()).decode('ascii')}"
    raise ValueError(f"column values {low}..{high} do not fit in 32 bits")


def read(text: str) -> np.ndarray:
    """A column back as an int64 array; the inverse of :func:`pack`."""
    name, _, data = text.partition(":")
    if name == "c":
        value, _, count = data.partition(":")
        return np.full(int(count), int(value), dtype=np.int64)
    if name not in TYPES:
        raise ValueError(f"unknown column type {name!r}")
    return np.frombuffer(base64.b64decode(data), dtype=TYPES[name]).astype(np.int64)
