"""Latest record wins: of a source's rows sharing a key, only the newest stays current.

Exports that re-send a record (a 3PL's shipment in the next day's file with a new status, a
daily snapshot with yesterday's rows) would otherwise count it twice. After all of a source's
files are loaded, one window over its rows ranks the copies of each key; the older copies move
to `main.superseded` with their file and row and the file and row that superseded them, so a
trace can still show them, and the row balance counts them (read = loaded + filtered +
superseded + rejected). Pure SQL builders apart from `supersede`, which runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from recon.db import Database
from recon.sql import ident, literal

SUPERSEDED_DDL = """CREATE TABLE IF NOT EXISTS main.superseded (
    load_id VARCHAR, source VARCHAR, system VARCHAR, entity VARCHAR, file VARCHAR, "row" BIGINT,
    "key" VARCHAR, kept_file VARCHAR, kept_row BIGINT)"""


def files_values(files: Sequence[tuple[str, date | None]]) -> str:
    """The source's files in load order with their dates, as a VALUES list (file, ordinal, file_date)."""
    rows = ", ".join(f"({literal(f)}, {i}, {literal(d.isoformat()) + '::DATE' if d else 'NULL::DATE'})"
                     for i, (f, d) in enumerate(files))
    return f"(VALUES {rows}) AS f(file, ordinal, file_date)"


def ranked_select(target: str, load_id: str, keys: Sequence[str], by: str,
                  files: Sequence[tuple[str, date | None]]) -> str:
    """Each of the load's rows with its rank among the copies of its key (1 = current) and the current copy.

    Copies are ordered by `by` (`file`: load order; `file_date`: the file name's date, then load
    order; a field: its value, highest first, NULL lowest), then by row: a later row of the same
    file supersedes an earlier one.
    """
    order = {"file": [], "file_date": ["f.file_date DESC NULLS LAST"]}.get(by, [f"t.{ident(by)} DESC NULLS LAST"])
    order += ["f.ordinal DESC", "t._source_row DESC"]
    partition = ", ".join(f"t.{ident(k)}" for k in keys)
    window = f"(PARTITION BY {partition} ORDER BY {', '.join(order)})"
    key_text = " || ' / ' || ".join(f"coalesce(CAST(t.{ident(k)} AS VARCHAR), '')" for k in keys)
    return (
        f"SELECT t.rowid AS _rid, t._source_file AS file, t._source_row AS \"row\", {key_text} AS \"key\", "
        f"row_number() OVER {window} AS _rank, first_value(t._source_file) OVER {window} AS kept_file, "
        f"first_value(t._source_row) OVER {window} AS kept_row "
        f"FROM {target} t JOIN {files_values(files)} ON f.file = t._source_file "
        f"WHERE t._load_id = {literal(load_id)}"
    )


def supersede(db: Database, target: str, meta: Sequence[str], keys: Sequence[str], by: str,
              files: Sequence[tuple[str, date | None]]) -> dict[str, int]:
    """Move the superseded copies of the load's rows to main.superseded; superseded rows per file.

    `meta` is (load_id, source, system, entity).
    """
    db.execute(SUPERSEDED_DDL)
    ranked = db.temp_name("ranked")
    load_id = meta[0]
    db.execute(f"CREATE TEMP TABLE {ranked} AS {ranked_select(target, load_id, keys, by, files)}")
    try:
        values = ", ".join(literal(m) for m in meta)
        db.execute(f"INSERT INTO main.superseded SELECT {values}, file, \"row\", \"key\", kept_file, kept_row "
                   f"FROM {ranked} WHERE _rank > 1 ORDER BY file, \"row\"")
        db.execute(f"DELETE FROM {target} WHERE rowid IN (SELECT _rid FROM {ranked} WHERE _rank > 1)")
        counts = db.rows(f"SELECT file, count(*) FROM {ranked} WHERE _rank > 1 GROUP BY file")
    finally:
        db.drop(ranked)
    return {str(f): int(n) for f, n in counts}


__all__ = ["SUPERSEDED_DDL", "files_values", "ranked_select", "supersede"]
