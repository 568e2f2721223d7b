"""Why a rule matched nothing: SQL that tells "the keys never join" from "nothing to compare".

A match rule whose two tables both have rows but share no key value (zero-padded order numbers on
one side, bare ones on the other; a prefix; upper against lower case) reports every row as missing
or nothing at all, and both look like data problems. The runner asks these questions after such a
rule ran and turns the answer into a warning with an example of each side's keys. Pure builders:
`recon.rules.runner` executes them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp, parse_one

from recon.normalise import compile_steps
from recon.rules.schema import MatchRule
from recon.rules.tables import split_table
from recon.sql import ident, table_name


def _side_keys(rule: MatchRule, side: str, lookups: Mapping[str, Mapping[str, str]]) -> list[str] | None:
    """Each key of one side as SQL over its table, normalised; None when a key is not a plain column."""
    out = []
    for key in rule.keys:
        expr = key.expr_for(side)
        try:
            tree = parse_one(expr, read="duckdb")
        except Exception:
            return None
        if not isinstance(tree, exp.Column) or tree.table:
            return None
        out.append(compile_steps(f"CAST({ident(tree.name)} AS VARCHAR)", key.normalise, lookups))
    return out


def _filtered(table: str, where: str | None) -> str:
    """The side's rows after its own `where`: a side the filter empties has nothing to join.

    A `where` over a lookup's field is not a column of the table: the query then fails and the
    caller gives no judgement, as for a key that is not a column.
    """
    name = table_name(*split_table(table))
    return f"(SELECT * FROM {name} WHERE {where})" if where else name


def never_join_sql(rule: MatchRule, lookups: Mapping[str, Mapping[str, str]]) -> str | None:
    """One row: (left rows, right rows, keys on both sides, an example left key, an example right key).

    None when a key is an expression rather than a column (the rule's own SQL is the only judge then).
    """
    left, right = _side_keys(rule, "left", lookups), _side_keys(rule, "right", lookups)
    if left is None or right is None:
        return None
    lt, rt = (_filtered(side.table, side.where) for side in (rule.left, rule.right))
    cols = [f"k{i}" for i in range(len(left))]

    def keys(table: str, exprs: list[str]) -> str:
        chosen = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, cols, strict=True))
        present = " AND ".join(f"({e}) IS NOT NULL" for e in exprs)
        return f"SELECT DISTINCT {chosen} FROM {table} WHERE {present}"

    on = " AND ".join(f"l.{c} = r.{c}" for c in cols)
    return (f"SELECT (SELECT count(*) FROM {lt}), (SELECT count(*) FROM {rt}), "
            f"(SELECT count(*) FROM ({keys(lt, left)}) l JOIN ({keys(rt, right)}) r ON {on}), "
            f"(SELECT min(k0) FROM ({keys(lt, left)})), (SELECT min(k0) FROM ({keys(rt, right)}))")


def side_rows_sql(rule: MatchRule) -> str:
    """One row: the left and the right side's rows after their own `where` (fails on a lookup's field)."""
    lt, rt = (_filtered(side.table, side.where) for side in (rule.left, rule.right))
    return f"SELECT (SELECT count(*) FROM {lt}), (SELECT count(*) FROM {rt})"


__all__ = ["never_join_sql", "side_rows_sql"]
