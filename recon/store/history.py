"""`recon history`: the last runs with their counts, and the trend of each exception type.

Lifecycle counts are recomputed from the recorded facts every time (see `recon.store.lifecycle`),
so the history never disagrees with what the next run will say.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from recon.store.lifecycle import (
    STATUSES,
    counts_by_run_sql,
    counts_by_type_sql,
    mean_time_to_resolve_sql,
    statuses_sql,
)
from recon.store.state import StateStore


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def history(store: StateStore, *, limit: int = 10, exception_type: str | None = None) -> dict[str, Any]:
    """The `limit` most recent runs (newest first) and, per exception type, its counts over them."""
    db = store.db
    runs = store.runs(limit)
    out: dict[str, Any] = {"state": str(store.path) if store.path else None, "runs": [], "types": []}
    if not runs:
        return out
    db.execute(f"CREATE OR REPLACE TEMP TABLE _hist_status AS "
               f"{statuses_sql(f'({store.lifecycle_runs_sql()})', f'({store.presence_sql()})')}")
    try:
        counts = {r[0]: dict(zip(STATUSES, r[1:], strict=True)) for r in db.rows(counts_by_run_sql("_hist_status"))}
        type_filter = " WHERE exception_type = ?" if exception_type else ""
        params = [exception_type] if exception_type else []
        by_type: dict[str, dict[str, dict[str, int]]] = {}
        for row in db.dicts(f"SELECT * FROM ({counts_by_type_sql('_hist_status')}){type_filter}", params):
            by_type.setdefault(row["exception_type"] or "", {})[row["run_id"]] = {s: int(row[s]) for s in STATUSES}
        mttr = {r[0]: (float(r[1]), int(r[2])) for r in db.rows(mean_time_to_resolve_sql("_hist_status"))}
        oldest = {r[0]: float(r[1]) for r in db.rows(
            "SELECT exception_type, max(hours_open) FROM _hist_status WHERE status <> 'resolved' AND run_id = "
            "(SELECT run_id FROM _hist_status ORDER BY seq DESC LIMIT 1) GROUP BY ALL")}
    finally:
        db.drop("_hist_status")
    for run in runs:
        entry = {k: _plain(v) for k, v in run.items() if k not in ("rule_packs", "fingerprint", "host")}
        entry["seconds"] = ((run["ended_at"] - run["started_at"]).total_seconds()
                            if run["ended_at"] and run["started_at"] else None)
        entry.update(counts.get(run["run_id"], {s: 0 for s in STATUSES}))
        if exception_type:
            entry["exceptions"] = _present(by_type.get(exception_type, {}).get(run["run_id"]))
        out["runs"].append(entry)
    shown = [r for r in reversed(runs) if r["status"] != "failed"]  # oldest first, for trends
    for name in sorted(by_type):
        series = [_present(by_type[name].get(r["run_id"])) for r in shown]
        if not any(series) and not any(by_type[name].get(r["run_id"], {}).get("resolved") for r in shown):
            continue
        latest = series[-1] if series else 0
        previous = series[-2] if len(series) > 1 else None
        newest = by_type[name].get(shown[-1]["run_id"], {}) if shown else {}
        out["types"].append({
            "exception_type": name,
            "counts": series,
            "run_ids": [r["run_id"] for r in shown],
            "latest": latest,
            "previous": previous,
            "change": latest - previous if previous is not None else None,
            "trend": _trend(series),
            **{f"latest_{s}": int(newest.get(s, 0)) for s in STATUSES},
            "mttr_hours": mttr.get(name, (None, 0))[0],
            "resolutions": mttr.get(name, (None, 0))[1],
            "oldest_open_hours": oldest.get(name),
        })
    return out


def _present(counts: dict[str, int] | None) -> int:
    """Exceptions a run found: new, still open or reopened (resolved ones are gone)."""
    if not counts:
        return 0
    return counts.get("new", 0) + counts.get("open", 0) + counts.get("reopened", 0)


def _trend(series: list[int]) -> str:
    """up / down / flat between the latest run and the one before; `new` for a first appearance."""
    if len(series) < 2:
        return "new" if series and series[-1] else "flat"
    if series[-2] == 0 and series[-1] > 0:
        return "new"
    if series[-1] > series[-2]:
        return "up"
    if series[-1] < series[-2]:
        return "down"
    return "flat"
