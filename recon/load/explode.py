"""Explode nested JSON records into rows, in DuckDB SQL: one row per element of the `explode:` path.

A TMS export of loads → stops → shipment ids holds one record per load; the entity wants one row
per shipment. `json_each` walks each level's array (its `key` is the element's index), laterally
joined level by level, so a record becomes as many rows as its innermost arrays hold elements,
each with the record's line (`_source_row`) and its path index (`_source_path`,
`stops[2].shipment_ids[0]`). A record whose path gives no element (an empty, null or missing
array, or an object where an array belongs) is a reject naming the path: it is counted and
visible, never silently gone. Rows in = rows out is then
`records + rows the explosion added = loaded + filtered + rejected`, where a record exploding
into n rows adds n - 1 (recon.load.loader.FileLoad.rows_exploded).
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.config.explode import ExplodePath, json_path
from recon.db import Database
from recon.sql import ident, literal


@dataclass(frozen=True)
class Exploded:
    table: str  # _source_row, _source_path, one VARCHAR column per address read
    columns: list[str]  # the addresses a mapping may read that some row holds (and every level's keys)
    records: int  # records that are objects (exploded or not)
    records_exploded: int  # records that gave at least one row
    rows: int  # rows the explosion produced


def _levels_sql(objects: str, is_object: str, path: ExplodePath) -> str:
    """Every element of the innermost arrays, with each level's element and index."""
    cols = ["o._source_row", "o.text AS _e0"]
    joins = [f"(SELECT _source_row, text FROM {objects} WHERE {is_object}) o"]
    conds = []
    parent = "o.text"
    for depth, level in enumerate(path.levels, start=1):
        at = literal(json_path(level.keys))
        alias = f"l{depth}"
        joins.append(f"json_each({parent}, {at}) {alias}")
        conds.append(f"json_type({parent}, {at}) = 'ARRAY'")
        cols += [f"{alias}.value AS _e{depth}", f"CAST({alias}.key AS BIGINT) AS _i{depth}"]
        parent = f"{alias}.value"
    order = ", ".join(["o._source_row", *(f"_i{d}" for d in range(1, len(path.levels) + 1))])
    return f"SELECT {', '.join(cols)} FROM {', '.join(joins)} WHERE {' AND '.join(conds)} ORDER BY {order}"


def path_sql(path: ExplodePath) -> str:
    """SQL text of a row's path index: `stops[2].shipment_ids[0]`."""
    parts = []
    for depth, level in enumerate(path.levels, start=1):
        lead = "." if depth > 1 else ""
        parts += [literal(f"{lead}{level.label}["), f"CAST(_i{depth} AS VARCHAR)", "']'"]
    return " || ".join(parts)


def _value_sql(path: ExplodePath, column: str) -> str:
    depth, keys = path.resolve(column)
    return f"json_extract_string(_e{depth}, {literal(json_path(keys))})"


def _exists_sql(path: ExplodePath, column: str) -> str:
    depth, keys = path.resolve(column)
    return f"coalesce(json_exists(_e{depth}, {literal(json_path(keys))}), false)"


def explode(db: Database, objects: str, is_object: str, rejects: str, path: ExplodePath,
            wanted: list[str] | None) -> Exploded:
    """The exploded rows of `objects` (_source_row, text) as text cells; records exploding to nothing into `rejects`.

    `wanted` are the addresses the mapping reads (None: every key of the record and of each
    level's elements). An address is listed as present when some record or element holds it, so
    the loader can name one the file lacks.
    """
    levels = db.temp_name("levels")
    db.execute(f"CREATE TEMP TABLE {levels} AS {_levels_sql(objects, is_object, path)}")
    try:
        reason = literal(f"nothing to explode: {path.text.strip()} has no element in this record (an array on "
                         "the path is empty, null, missing or not an array)")
        db.execute(f"INSERT INTO {rejects} SELECT o._source_row, NULL, left(o.text, 200), {reason} FROM {objects} o "
                   f"WHERE {is_object} AND NOT EXISTS (SELECT 1 FROM {levels} l WHERE l._source_row = o._source_row) "
                   "ORDER BY o._source_row")
        listed = _keys(db, levels, path)
        if wanted is None:
            columns = listed
            addresses = listed
        else:
            addresses = list(dict.fromkeys(wanted))
            held = db.rows(f"SELECT {', '.join(f'bool_or({_exists_sql(path, a)})' for a in addresses)} "
                           f"FROM {levels}")[0] if addresses else ()
            # No row at all (every record empty): nothing tells an absent address from an unused one.
            columns = [a for a, h in zip(addresses, held, strict=True) if h or h is None]
            columns += [c for c in listed if c not in columns]
        table = db.temp_name("raw")
        cells = "".join(f", {_value_sql(path, a)} AS {ident(a)}" for a in addresses)
        db.execute(f"CREATE TEMP TABLE {table} AS SELECT _source_row, {path_sql(path)} AS _source_path{cells} "
                   f"FROM {levels}")
        records, exploded, rows = db.rows(
            f"SELECT (SELECT count(*) FROM {objects} WHERE {is_object}), count(DISTINCT _source_row), count(*) "
            f"FROM {levels}")[0]
    finally:
        db.drop(levels)
    return Exploded(table, columns, int(records), int(exploded), int(rows))


def _keys(db: Database, levels: str, path: ExplodePath) -> list[str]:
    """The keys of the record and of each level's elements, as addresses, in order of first appearance."""
    parts = []
    for depth in range(len(path.levels) + 1):
        prefix = "" if depth == 0 else path.levels[depth - 1].name + "."
        parts.append(f"SELECT {literal(prefix)} || k AS address, {depth} AS depth, _source_row FROM "
                     f"(SELECT unnest(json_keys(_e{depth})) AS k, _source_row FROM {levels} "
                     f"WHERE json_type(_e{depth}) = 'OBJECT')")
        if depth:  # the element itself (a scalar leaf such as a shipment id)
            parts.append(f"SELECT {literal(path.levels[depth - 1].name)}, {depth}, min(_source_row) FROM {levels}")
    return [r[0] for r in db.rows(f"SELECT address FROM ({' UNION ALL '.join(parts)}) WHERE _source_row IS NOT NULL "
                                  "GROUP BY address ORDER BY min(depth), min(_source_row), address")]


__all__ = ["Exploded", "explode", "path_sql"]
