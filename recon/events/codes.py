"""The staged events with their five source texts as one small integer, and the sorted SELECT that
spells them back: `main.events` as the same rows in the same order, for a narrower sort.

Why: the sorted write of `main.events` is the run's dearest statement, and about half of its sort is
moving the payload; five of its fifteen columns (`event_type`, `system`, `entity`, `_source_file`,
`_load_id`) take a dozen combinations over millions of rows (bench/notes.md, "Events step: the sorted
write of `main.events`, split and narrowed"). A code per row pays only if it costs nothing: each event
source already knows its event type, system and entity as literals, and a table's distinct
`_source_file`/`_load_id` are read from its two lineage columns (0.25 CPU s over the 300k tables), so
a source with one combination gets its code as a literal; only a source with several (an EDI table:
one file per transaction set, its event types by document) is joined to its few codes.

The sort key `_k` is the combination's rank by (event_type, system, _source_file), computed by DuckDB's
own ORDER BY over the codes (same collation, NULLs where the sort puts them), so sorting by it and then
`_source_row` is EVENTS_ORDER's `event_type, system, _source_file, _source_row`.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.db import Database
from recon.sql import ident, literal

# The texts a code stands for, in the order main.events has them.
TEXTS = ("event_type", "system", "entity", "_source_file", "_load_id")
# EVENTS_ORDER (recon.events.build) on the staged codes: `_k` ranks (event_type, system, _source_file).
ORDER = "correlation_id, event_at, _k, _source_row"


@dataclass(frozen=True)
class EventPart:
    """One event source of the staged events.

    `select`: its rows (event_type, system, entity, event_at, keys..., _node, lineage).
    `texts`: SQL of every (event_type, system, entity, _source_file, _load_id) its rows can have; a
    superset is fine (a code nothing uses), a miss is not (the staging raises)."""

    select: str
    texts: str


def source_texts(cols: set[str]) -> str:
    """SQL: a row's `_source_file, _load_id`, as recon.events.build.lineage casts them."""
    return ", ".join(f"CAST({ident(c) if c in cols else 'NULL'} AS VARCHAR) AS {ident(c)}"
                     for c in ("_source_file", "_load_id"))


def lineage_texts(table: str, cols: set[str]) -> str:
    """SQL: the distinct (_source_file, _load_id) of a table: read from its two lineage columns only."""
    return f"SELECT DISTINCT {source_texts(cols)} FROM {table}"


def stage(db: Database, staged: str, codes: str, parts: list[EventPart], correlation: str,
          columns: tuple[str, ...]) -> str:
    """Create `staged` (the events with `correlation_id`, `_c` and `_k` instead of the five texts) and
    `codes` (each part's combinations); returns the SELECT of `main.events`' `columns` in EVENTS_ORDER."""
    combos = " UNION ALL ".join(f"SELECT {i} AS part, * FROM ({p.texts})" for i, p in enumerate(parts))
    order = ", ".join(ident(c) for c in TEXTS)
    db.execute(f"""CREATE TEMP TABLE {codes} AS
        SELECT *, dense_rank() OVER (ORDER BY {order}) - 1 AS _c,
               dense_rank() OVER (ORDER BY event_type, system, _source_file) AS _k
        FROM (SELECT DISTINCT part, {order} FROM ({combos}))""")
    rows = db.rows(f"SELECT part, _c, _k, {order} FROM {codes} ORDER BY _c")
    spelt: dict[int, tuple[str | None, ...]] = {c: tuple(texts) for _, c, _, *texts in rows}
    selects = []
    for i, part in enumerate(parts):
        mine = [(c, k) for p, c, k, *_ in rows if p == i]
        rest = f"* EXCLUDE ({order})"
        if len(mine) == 1:  # one combination: the code is a literal and the texts are never read
            selects.append(f"SELECT {rest}, {mine[0][0]} AS _c, {mine[0][1]} AS _k FROM ({part.select})")
            continue
        on = " AND ".join(f"x.{ident(c)} IS NOT DISTINCT FROM p.{ident(c)}" for c in TEXTS)
        missing = literal("recon: an event without the code of its source texts (recon.events.codes)")
        selects.append(f"SELECT p.{rest}, CASE WHEN x._c IS NULL THEN error({missing}) ELSE x._c END AS _c, x._k "
                       f"FROM ({part.select}) p LEFT JOIN (SELECT * FROM {codes} WHERE part = {i}) x ON {on}")
    db.execute(f"""CREATE TEMP TABLE {staged} AS
        SELECT e.* EXCLUDE (_node), c.correlation_id FROM ({' UNION ALL '.join(selects)}) e
        LEFT JOIN {correlation} c ON c.node = e._node""")
    spell = {t: "CAST([" + ", ".join(literal(spelt[c][n]) for c in range(len(spelt))) + "][_c + 1] AS VARCHAR)"
             for n, t in enumerate(TEXTS)}
    carried = ", ".join(ident(c) for c in columns if c not in TEXTS)
    # The texts are spelt back after the sort, in a SELECT over it: in one SELECT with the ORDER BY, DuckDB
    # computes the select list first and would sort the texts again.
    return (f"SELECT {', '.join(f'{spell[c]} AS {ident(c)}' if c in spell else ident(c) for c in columns)} "
            f"FROM (SELECT {carried}, _c FROM {staged} ORDER BY {ORDER})")


__all__ = ["ORDER", "TEXTS", "EventPart", "lineage_texts", "source_texts", "stage"]
