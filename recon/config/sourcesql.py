"""SQL a source's config holds over the source's own columns (`where:`), parsed before any data.

A source's `where` is a condition over the cells of its file, all text, evaluated row by row:
no aggregates, windows, subqueries or other tables. Parsing it here (sqlglot) gives the columns
it reads, so readers keep them and `recon validate` can name one the file lacks; binding it
against the file's header in DuckDB (`recon.api.check_files`) catches the rest before a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

_NOT_ROW_LEVEL = (
    (exp.AggFunc, "an aggregate"),
    (exp.Window, "a window function"),
    (exp.Subquery, "a subquery"),
    (exp.Select, "a subquery"),
    (exp.Star, "*"),
)


@dataclass(frozen=True)
class Condition:
    """A parsed row condition: its columns, or why it is not one."""

    sql: str
    columns: tuple[str, ...] = ()
    error: str | None = None


def parse_condition(sql: str) -> Condition:
    """Parse a row-level condition over one table's columns; `error` says why it is not one."""
    try:
        statements = sqlglot.parse(sql, read="duckdb")
    except sqlglot.errors.SqlglotError as exc:
        return Condition(sql, error=str(exc).splitlines()[0])
    if len(statements) != 1 or statements[0] is None:
        return Condition(sql, error="write one condition, not several statements")
    tree = statements[0]
    if isinstance(tree, exp.Query) or not isinstance(tree, exp.Expression):
        return Condition(sql, error="write a condition (`EVENT = 'DL'`), not a query")
    for kind, what in _NOT_ROW_LEVEL:
        if tree.find(kind) is not None:
            return Condition(sql, error=f"{what} is not allowed: the condition is evaluated on each row alone")
    qualified = [c for c in tree.find_all(exp.Column) if c.table]
    if qualified:
        return Condition(sql, error=f"{qualified[0].sql()} names a table: write the source's column alone")
    columns = tuple(dict.fromkeys(c.name for c in tree.find_all(exp.Column)))
    return Condition(sql, columns)


def missing_in(columns: tuple[str, ...], present: list[str]) -> list[str]:
    """Columns a condition names that the file lacks (compared as DuckDB does: without case)."""
    folded = {p.casefold() for p in present}
    return [c for c in columns if c.casefold() not in folded]


__all__ = ["Condition", "missing_in", "parse_condition"]
