"""An invoice line's amount (quantity x unit price) computed for a whole chunk of rows at once.

The mappers leave `amount` empty when the document gives none (X12 810 never does; an EDIFACT
line without MOA+203), and the table builder fills it here, in Arrow, for the chunk's 65,536
rows together: one `Decimal` product per line in Python cost about 0.9 microseconds, 6 % of
an X12 parse (bench/notes.md, "X12 throughput, the #17 bar"). The result is exactly what
`values.multiply` gives, text included: a product of plain numbers keeps the sum of the two
scales (3 x 1.25 = "3.75", 3.0 x 1.25 = "3.750", 0 x 1.25 = "0.00"). The vector path takes
plain ASCII numbers whose digits fit an int64 product (18 digits together); any other pair
(signs, exponents, other scripts' digits, text that is not a number) goes through
`values.multiply` itself, so both paths agree by construction on every input.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from recon.load.x12.values import multiply

_MAX_DIGITS = 18
"""Digits of both factors together: their integer product stays below 10**18 < 2**63."""


def fill_amounts(amount: pa.Array, qty: pa.Array, price: pa.Array, pool: pa.MemoryPool) -> pa.Array:
    """`amount` where it is set, else `multiply(qty, price)` (None when either is missing or not a number)."""
    need = pc.and_(pc.is_null(amount), pc.and_(pc.is_valid(qty), pc.is_valid(price)))
    if not pc.any(need).as_py():
        return amount
    q_digits, q_scale, q_plain = _coefficient(qty)
    p_digits, p_scale, p_plain = _coefficient(price)
    short = pc.less_equal(pc.add(pc.binary_length(q_digits), pc.binary_length(p_digits)), _MAX_DIGITS)
    fast = pc.fill_null(pc.and_(need, pc.and_(pc.and_(q_plain, p_plain), short)), False)
    out = amount
    if pc.any(fast).as_py():
        every = pc.all(fast).as_py()
        index = None if every else pc.indices_nonzero(fast)

        def pick(a: pa.Array) -> pa.Array:
            return a if index is None else a.take(index)

        text = _products(pick(q_digits), pick(p_digits), pc.add(pick(q_scale), pick(p_scale)), pool)
        # Decimal's text of a product below 1E-6 has an exponent ("1E-7"): those few take the slow path.
        exp = pc.match_substring(text, "E")
        if pc.any(exp).as_py():
            text = pc.if_else(exp, pa.scalar(None, pa.string()), text)
            fast = pc.replace_with_mask(fast, fast, pc.invert(exp))
            every = False
        out = text if every else pc.replace_with_mask(out, fast, pc.drop_null(text))
    slow = pc.fill_null(pc.and_(need, pc.invert(fast)), False)
    if pc.any(slow).as_py():
        index = pc.indices_nonzero(slow)
        pairs = zip(qty.take(index).to_pylist(), price.take(index).to_pylist(), strict=True)
        out = pc.replace_with_mask(out, slow, pa.array([multiply(q, p) for q, p in pairs], type=pa.string()))
    return out


def _coefficient(values: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(the digits without the point, the number of digits after it, is it a plain ASCII number)."""
    at = pc.find_substring(values, ".")
    if pc.max(at).as_py() in (None, -1):  # no point anywhere: integers (or not numbers at all)
        return values, pa.array(np.zeros(len(values), dtype=np.int64)), pc.ascii_is_decimal(values)
    digits = pc.replace_substring(values, ".", "", max_replacements=1)
    length = pc.binary_length(values)
    scale = pc.if_else(pc.less(at, 0), 0, pc.subtract(pc.subtract(length, at), 1))
    # "3." and ".5" are numbers to Decimal but not plain: they take the slow path.
    plain = pc.and_(pc.ascii_is_decimal(digits), pc.and_(pc.not_equal(at, 0), pc.not_equal(scale, 0)))
    plain = pc.or_(plain, pc.and_(pc.less(at, 0), pc.ascii_is_decimal(values)))
    return digits, scale, plain


def _products(q_digits: pa.Array, p_digits: pa.Array, scale: pa.Array, pool: pa.MemoryPool) -> pa.Array:
    """The products' text: coefficients multiplied as integers and written as decimals of the summed
    scale, which is Decimal's own text for them (3 x 1.25 = "3.75", 0 x 1.25 = "0.00")."""
    product = pc.multiply(pc.cast(q_digits, pa.int64()), pc.cast(p_digits, pa.int64())).to_numpy()
    scales = pc.unique(scale).to_pylist()
    if len(scales) == 1:
        return _as_decimal_text(product, scales[0], pool)
    scale_np = scale.to_numpy()
    positions, pieces = [], []
    for s in scales:
        rows = np.flatnonzero(scale_np == s)
        positions.append(rows)
        pieces.append(_as_decimal_text(product[rows], s, pool))
    order = np.argsort(np.concatenate(positions), kind="stable")
    return pc.take(pa.concat_arrays(pieces), pa.array(order), memory_pool=pool)


def _as_decimal_text(unscaled: np.ndarray, scale: int, pool: pa.MemoryPool) -> pa.Array:
    """Non-negative unscaled integers as the text of decimal128(38, scale) values (Arrow's buffers:
    16 bytes per value, the low 8 the integer, the high 8 zero)."""
    words = np.zeros((len(unscaled), 2), dtype=np.int64)
    words[:, 0] = unscaled
    dec = pa.Array.from_buffers(pa.decimal128(38, scale), len(unscaled), [None, pa.py_buffer(words)])
    return pc.cast(dec, pa.string(), memory_pool=pool)
