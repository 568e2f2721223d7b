"""Safe SQL text: the only places where names and config literals become SQL.

Values from the data never pass through here: they stay in tables or are bound as parameters.
Config literals (prefixes, lookup tables, formats) are quoted with `literal`.
"""

from __future__ import annotations


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
