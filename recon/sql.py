"""Safe SQL text: the only places where names and config literals become SQL.

Values from the data never pass through here: they stay in tables or are bound as parameters.
Config literals (prefixes, lookup tables, formats) are quoted with `literal`.
"""

from __future__ import annotations

import re


def ident(name: str) -> str:
    """A quoted identifier; embedded double quotes are doubled."""
    return '"' + name.replace('"', '""') + '"'


def table_name(schema: str, table: str) -> str:
    return f"{ident(schema)}.{ident(table)}"


def literal(value: str | int | float | bool | None) -> str:
    """A SQL literal for a value written in the config (never for data values)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def one_of(expr: str, values: list[str] | tuple[str, ...]) -> str:
    """SQL: `expr` equals one of `values` (SQL texts made with `literal`), as `IN (...)` means, NULL
    included. Written as equalities because DuckDB 2.0.1 plans an IN list of five or more constants
    as a mark join: on a cleaned cell that join cost 3x the cell's whole cleaning, and every field
    of a source with five null markers paid it (bench/notes.md, "IN lists of constants")."""
    if not values:
        return "false"
    return "(" + " OR ".join(f"{expr} = {v}" for v in values) + ")"


_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\b")


def bind(sql: str, values: dict[str, str]) -> str:
    """`sql` with each `$name` replaced by the SQL text in `values` (made with `literal`), so the
    statement runs on its own; a parameter not in `values` is left as it is."""
    return _PARAMETER.sub(lambda m: values.get(m.group(1), m.group(0)), sql)
