"""Event logs folded into one row per key (`pivot:`), as SQL in DuckDB.

A carrier feed has one row per event (picked up, in transit, delivered); `tms.deliveries` wants
one row per shipment with its first pickup, last delivery and the signer of that delivery. The
events of every file of the source are gathered first (a shipment's events span daily files),
then one GROUP BY folds them: `last(EVENT_AT) where EVENT = 'DL'` is `arg_max(EVENT_AT, order)
FILTER (WHERE EVENT = 'DL')`. The folded table is mapped like any file's cells.

Nothing is lost: each key's row is its last event (its lineage: file and line), loaded or
rejected like a row of a file; every other event of the key is **pivoted**, counted per file and
kept in the run's `pivoted` table with the line that carries it. So per file, rows read =
loaded + filtered + superseded + pivoted + rejected.
"""

from __future__ import annotations

from collections.abc import Sequence

from recon.config.schema import Pivot, Source
from recon.config.sourcesql import parse_condition, parse_fold
from recon.normalise import base_clean
from recon.sql import ident, literal

PIVOTED_DDL = """CREATE TABLE IF NOT EXISTS main.pivoted (
    load_id VARCHAR, source VARCHAR, system VARCHAR, entity VARCHAR, file VARCHAR, "row" BIGINT,
    "key" VARCHAR, kept_file VARCHAR, kept_row BIGINT)"""

_AGGREGATES = {"first": "arg_min({expr}, {order})", "last": "arg_max({expr}, {order})", "min": "min({expr})",
               "max": "max({expr})", "count": "count({expr})"}


def output_columns(pivot: Pivot) -> list[str]:
    """The columns a pivot gives `columns:` to map: its key columns, then its fields."""
    return [*pivot.by, *pivot.fields]


def event_columns(source: Source) -> list[str]:
    """The source columns a pivot source reads from its files (keys, folds, order, where)."""
    pivot = source.pivot
    assert pivot is not None
    names = list(pivot.by)
    for spec in pivot.fields.values():
        names += parse_fold(spec).columns
    if pivot.order_by:
        names += parse_condition(pivot.order_by).columns
    if source.where:
        names += parse_condition(source.where).columns
    return list(dict.fromkeys(names))


def _order(pivot: Pivot) -> str:
    """The order of a key's events: `order_by`, then file order, then line (a STRUCT compares field by field)."""
    return f"(({pivot.order_by}), _ordinal, _source_row)" if pivot.order_by else "(_ordinal, _source_row)"


def keyed_select(pivot: Pivot, events: str, null_values: Sequence[str]) -> str:
    """Every event with its cleaned key, its group and its rank in the group (1 = the key's last event).

    An event without a key is a group of its own (`_lone`), so it is rejected once, on its own line,
    instead of folding every keyless event into one row.
    """
    keys = [base_clean(ident(c), null_values) for c in pivot.by]
    lone = f"CASE WHEN {' OR '.join(f'{k} IS NULL' for k in keys)} THEN (_ordinal, _source_row) END"
    key_cols = ", ".join(f"{k} AS {ident('_k' + str(i))}" for i, k in enumerate(keys))
    group = ", ".join([*(ident(f"_k{i}") for i in range(len(keys))), "_lone"])
    window = f"(PARTITION BY {group} ORDER BY {_order(pivot)} DESC)"
    return (
        f"SELECT *, row_number() OVER {window} AS _rank, first_value(_source_file) OVER {window} AS _kept_file, "
        f"first_value(_source_row) OVER {window} AS _kept_row "
        f"FROM (SELECT *, {key_cols}, {lone} AS _lone FROM {events})"
    )


def pivot_select(pivot: Pivot, keyed: str) -> str:
    """One row per key: key columns, folded fields, and the lineage of the key's last event."""
    order = _order(pivot)
    cols = [f"{ident(f'_k{i}')} AS {ident(c)}" for i, c in enumerate(pivot.by)]
    for name, spec in pivot.fields.items():
        fold = parse_fold(spec)
        agg = _AGGREGATES[fold.func].format(expr=f"({fold.expr.sql})", order=order)
        if fold.where is not None:
            agg += f" FILTER (WHERE ({fold.where.sql}))"
        cols.append(f"CAST({agg} AS VARCHAR) AS {ident(name)}")
    cols += ["arg_max(_source_file, " + order + ") AS _source_file", f"arg_max(_source_row, {order}) AS _source_row"]
    group = ", ".join([*(ident(f"_k{i}") for i in range(len(pivot.by))), "_lone"])
    return f"SELECT {', '.join(cols)} FROM {keyed} GROUP BY {group} ORDER BY min(_ordinal), min(_source_row)"


def folded_select(pivot: Pivot, keyed: str, meta: Sequence[str]) -> str:
    """The events folded into another event's row, for main.pivoted (meta: load_id, source, system, entity)."""
    key = " || ' / ' || ".join(f"coalesce({ident(f'_k{i}')}, '')" for i in range(len(pivot.by)))
    values = ", ".join(literal(m) for m in meta)
    return (f"SELECT {values}, _source_file, _source_row, {key}, _kept_file, _kept_row FROM {keyed} "
            f"WHERE _rank > 1 ORDER BY _ordinal, _source_row")


__all__ = ["PIVOTED_DDL", "event_columns", "folded_select", "keyed_select", "output_columns", "pivot_select"]
