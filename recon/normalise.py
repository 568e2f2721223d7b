"""Key normalisers compiled to SQL expressions.

Keys are compared after normalisation declared in config, never by string hacks inside rules:
`00012345` in the ERP and `12345` in the WMS become the same key here, once, at load time.
Each normaliser is a pure function from a SQL expression (VARCHAR) to a SQL expression, so the
same steps can run in DuckDB and, transpiled, elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from recon.sql import literal, one_of

# Spaces, tabs, line ends and the no-break space that spreadsheets love.
WHITESPACE = "' \t\r\n' || chr(160)"


def base_clean(expr: str, null_values: list[str] | tuple[str, ...] = ()) -> str:
    """Every text cell: trimmed, and empty or declared null markers become NULL.

    This is what makes an empty lot and a missing lot the same thing.
    """
    # trim() with a set of characters costs DuckDB about twice a plain copy of the cell, and most
    # cells have nothing to trim: only a cell whose first or last character may be one of them
    # is trimmed (the same result: trim leaves any other cell as it is, so the test may say yes
    # to more, here every control character, but never no to one of them). The two characters
    # are read with ascii() (the first code point) and substring(x, length(x)) (the last one):
    # half the cost of the regular expression `^[...]|[...]$` the test used to be, which scans
    # the cell; left()/right() cost more (bench/notes.md). No `IN (...)` list (recon.sql.one_of
    # says why). Each code point is read once and masked: `c & ~128 <= 32` holds for 0-32 and
    # 128-160 (the C1 controls and the no-break space), a superset again; testing `c <= 32 OR
    # c = 160` read each one twice, as DuckDB does not share them inside a CASE (cleaning 12
    # columns of 722k rows: about 1.6 -> 1.3 CPU s, bench/notes.md "one read of each end").
    text = f"CAST({expr} AS VARCHAR)"
    first, last = f"ascii({text})", f"ascii(substring({text}, length({text})))"
    edge = f"({first} & -129) <= 32 OR ({last} & -129) <= 32"
    cleaned = f"NULLIF(CASE WHEN {edge} THEN trim({text}, {WHITESPACE}) ELSE {text} END, '')"
    if null_values:
        markers = [literal(v) for v in null_values]
        cleaned = f"CASE WHEN {one_of(cleaned, markers)} THEN NULL ELSE {cleaned} END"
    return cleaned


def _strip_leading_zeros(x: str) -> str:
    # All zeros stay one zero; `ltrim` alone would make them empty (and the key NULL). When ltrim
    # leaves nothing, the cell's first character is that zero (or the cell was empty and stays
    # so). ltrim is written once: DuckDB does not share it between a CASE's test and its branch,
    # and computing it twice cost 70 % more (bench/notes.md).
    return f"coalesce(NULLIF(ltrim({x}, '0'), ''), left({x}, 1))"


def _strip_prefix(x: str, prefix: str) -> str:
    return f"CASE WHEN starts_with({x}, {literal(prefix)}) THEN {x}[{len(prefix) + 1}:] ELSE {x} END"


def _strip_suffix(x: str, suffix: str) -> str:
    return f"CASE WHEN ends_with({x}, {literal(suffix)}) THEN {x}[:-{len(suffix) + 1}] ELSE {x} END"


def _add_prefix(x: str, prefix: str) -> str:
    # Idempotent: a key that already carries the prefix is left alone.
    return f"CASE WHEN starts_with({x}, {literal(prefix)}) THEN {x} ELSE {literal(prefix)} || {x} END"


def _zero_pad(x: str, width: int) -> str:
    # DuckDB's lpad truncates longer strings; a key longer than the width must stay whole.
    return f"CASE WHEN length({x}) >= {width} THEN {x} ELSE lpad({x}, {width}, '0') END"


def _map(x: str, table: Mapping[str, str]) -> str:
    if not table:
        return x
    cases = " ".join(f"WHEN {literal(str(k))} THEN {literal(str(v))}" for k, v in sorted(table.items()))
    return f"(CASE {x} {cases} ELSE {x} END)"


def _replace(x: str, spec: Mapping[str, str]) -> str:
    return f"regexp_replace({x}, {literal(spec['pattern'])}, {literal(spec['with'])}, 'g')"


SIMPLE: dict[str, Callable[[str], str]] = {
    "trim": lambda x: f"trim({x}, {WHITESPACE})",
    "upper": lambda x: f"upper({x})",
    "lower": lambda x: f"lower({x})",
    "strip_leading_zeros": _strip_leading_zeros,
    "collapse_spaces": lambda x: f"regexp_replace(trim({x}, {WHITESPACE}), '\\s+', ' ', 'g')",
    "empty_to_null": lambda x: f"NULLIF({x}, '')",
}


def compile_steps(expr: str, steps: list[Any], lookups: Mapping[str, Mapping[str, str]]) -> str:
    """Apply normaliser steps, in order, to a VARCHAR SQL expression."""
    out = expr
    for step in steps:
        if isinstance(step, str):
            out = SIMPLE[step](out)
            continue
        ((name, arg),) = step.items()
        if name == "strip_prefix":
            out = _strip_prefix(out, arg)
        elif name == "strip_suffix":
            out = _strip_suffix(out, arg)
        elif name == "add_prefix":
            out = _add_prefix(out, arg)
        elif name == "zero_pad":
            out = _zero_pad(out, int(arg))
        elif name == "map":
            out = _map(out, lookups[arg] if isinstance(arg, str) else {str(k): str(v) for k, v in arg.items()})
        elif name == "replace":
            out = _replace(out, arg)
        else:  # pragma: no cover - the schema rejects unknown names first
            raise ValueError(f"unknown normaliser {name}")
    # A normaliser may empty a value (strip_prefix on the bare prefix): that is a missing value.
    return f"NULLIF({out}, '')" if steps else out
