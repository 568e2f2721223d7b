"""Arrow-to-numpy masks shared by the column-wise X12 reads (`columnar`, `headers`, `asn`).

Why a module of its own: the three reads decide per segment or per set with numpy boolean masks over
Arrow string columns, and must agree on what "missing" means (a null is false, an empty element is
empty); `columnar` imports the other two, so the helpers cannot live there.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NULL_TEXT = pa.scalar(None, pa.string())


def mask(a: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy, null as false."""
    return pc.fill_null(a, False).to_numpy(zero_copy_only=False)


def match(a: pa.Array, pattern: str) -> np.ndarray:
    """Which values match the RE2 `pattern` (null: false)."""
    return mask(pc.match_substring_regex(a, pattern))


def nonempty(a: pa.Array) -> np.ndarray:
    """Which values have at least one character (an element the segment lacks is "")."""
    return pc.greater(pc.binary_length(a), 0).to_numpy(zero_copy_only=False)


def none_if_empty(a: pa.Array) -> pa.Array:
    """Empty values as null, as the mappers store an element that is not there."""
    return pc.if_else(pc.equal(a, ""), NULL_TEXT, a)


__all__ = ["NULL_TEXT", "mask", "match", "none_if_empty", "nonempty"]
