"""SQL a source's config holds over the source's own columns (`where:`), parsed before any data.

A source's `where` is a condition over the cells of its file, all text, evaluated row by row:
no aggregates, windows, subqueries or other tables. Parsing it here (sqlglot) gives the columns
it reads, so readers keep them and `recon validate` can name one the file lacks; binding it
against the file's header in DuckDB (`recon.api.check_files`) catches the rest before a run.
"""

from __future__ import annotations

import re
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


# `last(EVENT_AT) where EVENT = 'DL'`: an event log's value folded into one row per key.
_FOLD_HEAD = re.compile(r"\s*(first|last|min|max|count)\s*\(", re.IGNORECASE)
_WHERE = re.compile(r"\s*(?:where\s+(.+?))?\s*", re.IGNORECASE | re.DOTALL)
FOLDS = ("first", "last", "min", "max", "count")


@dataclass(frozen=True)
class Fold:
    """A pivot field: which event's value (`func`) of which expression, among the events `where` holds."""

    func: str
    expr: Condition
    where: Condition | None = None
    error: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.expr.columns, *(self.where.columns if self.where else ())]))


def _closing(text: str, start: int) -> int | None:
    """The index of the parenthesis closing the one before `start` (quotes respected), or None."""
    depth, quote = 1, None
    for i in range(start, len(text)):
        c = text[i]
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def parse_fold(spec: str) -> Fold:
    """Parse `first|last|min|max|count(EXPR) [where CONDITION]`; `error` says why it is not one."""
    head = _FOLD_HEAD.match(spec)
    end = _closing(spec, head.end()) if head else None
    tail = _WHERE.fullmatch(spec[end + 1:]) if head and end is not None else None
    if head is None or end is None or tail is None:
        return Fold("", Condition(spec), error=f"write {' | '.join(f + '(EXPR)' for f in FOLDS)}, "
                                                 "optionally followed by `where CONDITION`")
    expr = parse_condition(spec[head.end():end])
    condition = parse_condition(tail.group(1)) if tail.group(1) else None
    error = expr.error or (condition.error if condition else None)
    return Fold(head.group(1).lower(), expr, condition, error)


def row_expression_problem(sql: str) -> str | None:
    """Why a column `expr:` would not give exactly one value per row (None when it does, or does not parse).

    `unnest()` makes rows, an aggregate outside a window folds them, a subquery reads other tables:
    each would break the line-by-line lineage (and the row balance) of the load. One that does not
    parse is left to the load, which names it (I005).
    """
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.SqlglotError:
        return None
    if tree.find(exp.Explode, exp.Unnest) is not None:
        return "unnest() makes several rows of one record; declare the array with explode: instead"
    for agg in tree.find_all(exp.AggFunc):
        if agg.find_ancestor(exp.Window) is None:
            return f"{agg.sql(dialect='duckdb')} is an aggregate: it folds many rows into one"
    if tree.find(exp.Subquery, exp.Select) is not None:
        return "a subquery reads other rows or tables; use a lookup ({lookup: ...}) or a derive: step"
    return None


def missing_in(columns: tuple[str, ...], present: list[str]) -> list[str]:
    """Columns a condition names that the file lacks (compared as DuckDB does: without case)."""
    folded = {p.casefold() for p in present}
    return [c for c in columns if c.casefold() not in folded]


__all__ = ["FOLDS", "Condition", "Fold", "missing_in", "parse_condition", "parse_fold", "row_expression_problem"]
