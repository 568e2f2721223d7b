"""The parse's rows as Arrow tables: Python row tuples per entity, converted in chunks (`parser`).

Split out of `parser` to keep it small; the parser owns when rows are stored and flushed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from recon.load.x12.amounts import fill_amounts
from recon.load.x12.sets.schema import COLUMNS, HEADS, LINEAGE, LINES


class _Rows:
    """The rows of one entity: per-set head tuples (HEADS order) and per-row tuples (LINES order)."""

    __slots__ = ("counts", "heads", "lines")

    def __init__(self) -> None:
        self.heads: list[tuple] = []
        self.counts: list[int] = []
        self.lines: list[tuple | list] = []


_POOL = pa.system_memory_pool()
"""The allocator of the parse's Arrow tables: the C library's malloc, not pyarrow's default (mimalloc).

Each flush builds a few tens of MB of string buffers that grow by doubling and are freed when
the chunk's builders are done; mimalloc hands the freed pages back to the kernel (and faults
them in again for the next chunk), which cost 0.2-0.35 s of system time per 1M segments, most
of it in a fresh process such as a parse worker. malloc keeps them for reuse: the same parse
with this pool used 0.11-0.22 s of system time (bench/notes.md, "X12 throughput, the #17 bar").
"""


def _struct(names: tuple[str, ...]) -> pa.StructType:
    return pa.struct([(n, pa.int64() if n == "_source_row" else pa.string()) for n in names])


def _table(entity: str, rows: _Rows) -> pa.Table:
    """Build an all-string Arrow table (plus int64 `_source_row`) in COLUMNS + LINEAGE order.

    The row tuples are converted in one `pa.array(..., type=struct)` call: Arrow walks them
    row by row in C++, which touches each row's strings while they are in cache and is ~2.5x
    faster than transposing with zip(*rows) and converting column by column. Per-set head
    values are converted once per set and expanded to rows with `take`.
    """
    line_cols = LINES[entity]
    lines = pa.array(rows.lines, type=_struct(line_cols), memory_pool=_POOL)
    return _columns_table(entity, dict(zip(line_cols, lines.flatten(), strict=True)), rows.heads, rows.counts)


def _columns_table(entity: str, arrays: dict[str, pa.Array], heads: list[tuple], counts: list[int] | np.ndarray,
                   ) -> pa.Table:
    """`_table` from the line columns (LINES) and the per-set heads with their line counts."""
    pool = _POOL
    if entity == "invoice_lines":  # a line without an amount of its own: qty x price (amounts.py)
        arrays["amount"] = fill_amounts(arrays["amount"], arrays["qty"], arrays["unit_price"], pool)
    head_cols = HEADS[entity]
    if head_cols:
        head_array = pa.array(heads, type=_struct(head_cols), memory_pool=pool)
        index = pa.array(np.repeat(np.arange(len(counts), dtype=np.int64), counts), type=pa.int64())
        arrays.update(zip(head_cols, pc.take(head_array, index, memory_pool=pool).flatten(), strict=True))
    names = [*COLUMNS[entity], *LINEAGE]
    return pa.Table.from_arrays([arrays[n] for n in names], names=names)


def empty_tables() -> dict[str, pa.Table]:
    """Every entity with its columns and no rows (for loaders that need the schema up front)."""
    return {entity: _table(entity, _Rows()) for entity in COLUMNS}
