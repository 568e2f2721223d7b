"""The operating metrics the state keeps per run (`run_metrics`): read back for trends.

`recon history --metrics` lists them and the report's trend lines read the runs before the
current one from here. Runs recorded before recon kept metrics have none and are left out of a
trend rather than shown as zero; failed runs measured nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from recon.sql import literal
from recon.store.state import StateStore

COLUMNS = ("run_id", "as_of", "metric", "dimension", "member", "bucket", "value", "numerator", "denominator", "unit")


def history_sql(store: StateStore, *, limit: int, up_to: datetime | None = None, exclude: Sequence[str] = ()) -> str:
    """The metric rows of the last `limit` runs that have any (not failed; as-of at most `up_to`;
    not in `exclude`), oldest run first, rows in a fixed order within a run."""
    where = ["r.status <> 'failed'", *(f"r.run_id <> {literal(r)}" for r in exclude)]
    if up_to is not None:
        where.append(f"r.as_of <= {literal(up_to.isoformat())}::TIMESTAMPTZ")
    chosen = (f"SELECT r.run_id, r.as_of, r.started_at FROM {store.t('runs')} r WHERE {' AND '.join(where)} "
              f"AND r.run_id IN (SELECT run_id FROM {store.t('run_metrics')}) "
              f"ORDER BY r.as_of DESC, r.started_at DESC, r.run_id DESC LIMIT {int(limit)}")
    return (f"SELECT c.run_id, c.as_of, m.metric, m.dimension, m.member, m.bucket, m.value, m.numerator, "
            f"m.denominator, m.unit FROM ({chosen}) c JOIN {store.t('run_metrics')} m USING (run_id) "
            f"ORDER BY c.as_of, c.started_at, c.run_id, m.metric, m.dimension, m.member, m.bucket")


def history(store: StateStore, *, limit: int, up_to: datetime | None = None,
            exclude: Sequence[str] = ()) -> list[dict[str, Any]]:
    """`history_sql`'s rows as dicts, as-of as ISO text (what summary.json and --json print)."""
    if store.empty or not store.db.scalar(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'run_metrics'",
            [store.alias]):  # a read-only state file older than the table
        return []
    rows = store.db.dicts(history_sql(store, limit=limit, up_to=up_to, exclude=exclude))
    for row in rows:
        if isinstance(row["as_of"], datetime):
            row["as_of"] = row["as_of"].isoformat()
    return rows


__all__ = ["COLUMNS", "history", "history_sql"]
