"""Acknowledgements: a known issue stays listed but is kept outside the failure bar until a date.

An ack is keyed by the stable exception id, so it follows the exception from run to run. It is
active for a run while the run's as-of date (in the config's time zone) is on or before `until`:
`--until 2026-12-01` covers the whole of 1 December. Every add and remove is logged in `ack_log`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from recon.errors import EXIT_USAGE, Problem, ReconError
from recon.store.state import StateStore, current_user


class AckError(ReconError):
    def __init__(self, problems: list[Problem], title: str = "cannot acknowledge") -> None:
        super().__init__(problems=problems, exit_code=EXIT_USAGE, title=title)


@dataclass(frozen=True)
class Ack:
    exception_id: str
    until: date
    note: str
    created_at: datetime
    created_by: str


def known_ids(store: StateStore, ids: list[str]) -> set[str]:
    """The ids that some recorded run found (an ack for a typo would silently do nothing)."""
    if store.empty or not ids:
        return set()
    rows = store.db.rows(f"SELECT DISTINCT exception_id FROM {store.t('exceptions')} "
                         "WHERE exception_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    return {r[0] for r in rows}


def add(store: StateStore, ids: list[str], until: date, note: str, *, force: bool = False,
        now: datetime | None = None, by: str | None = None) -> list[Ack]:
    """Ack (or re-ack, replacing date and note) each id, in one transaction."""
    ids = sorted({i.strip().lower() for i in ids if i.strip()})
    if not note.strip():
        raise AckError([Problem.of("A001")])
    if not force:
        unknown = sorted(set(ids) - known_ids(store, ids))
        if unknown:
            raise AckError([Problem.of("A002", exception=u) for u in unknown])
    logged = now or datetime.now(UTC)  # the log keeps the microseconds: decisions of one second stay in order
    when = logged.replace(microsecond=0)
    user = by or current_user()
    acks = [Ack(i, until, note.strip(), when, user) for i in ids]
    db = store.db
    db.execute("BEGIN TRANSACTION")
    try:
        for ack in acks:
            db.execute(f"INSERT OR REPLACE INTO {store.t('acks')} VALUES (?, ?, ?, ?, ?)",
                       [ack.exception_id, ack.until, ack.note, ack.created_at, ack.created_by])
            db.execute(f"INSERT INTO {store.t('ack_log')} VALUES (?, 'ack', ?, ?, ?, ?)",
                       [logged, ack.exception_id, ack.until, ack.note, user])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return acks


def remove(store: StateStore, ids: list[str], now: datetime | None = None, by: str | None = None) -> list[str]:
    """Remove the acks of these ids; returns the ids that had one (an id without ack is an error)."""
    ids = sorted({i.strip().lower() for i in ids if i.strip()})
    present = {r[0] for r in store.db.rows(f"SELECT exception_id FROM {store.t('acks')}")}
    missing = [i for i in ids if i not in present]
    if missing:
        raise AckError([Problem.of("A003", exception=m) for m in missing], title="cannot remove ack")
    when = now or datetime.now(UTC)
    db = store.db
    db.execute("BEGIN TRANSACTION")
    try:
        for i in ids:
            db.execute(f"DELETE FROM {store.t('acks')} WHERE exception_id = ?", [i])
            db.execute(f"INSERT INTO {store.t('ack_log')} VALUES (?, 'remove', ?, NULL, NULL, ?)",
                       [when, i, by or current_user()])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return ids


def active_sql(store: StateStore) -> str:
    """Acks in force on a date (one `?` parameter, the run's as-of date)."""
    return f"SELECT exception_id, until, note FROM {store.t('acks')} WHERE until >= ?"


def active(store: StateStore, on: date) -> dict[str, dict[str, Any]]:
    return {r[0]: {"until": r[1], "note": r[2]} for r in store.db.rows(active_sql(store), [on])}


def listing(store: StateStore, today: date) -> list[dict[str, Any]]:
    """Every ack with what the latest recorded run says about its exception."""
    if store.empty:
        return []
    return store.db.dicts(f"""
        WITH last AS (
            SELECT e.exception_id, e.exception_type, e.severity, e.order_id, e.shipment_id, e.invoice_id,
                   e.customer_po, e.document, e.message, e.run_id, r.as_of
            FROM {store.t('exceptions')} e JOIN {store.t('runs')} r USING (run_id)
            WHERE r.status <> 'failed'
            QUALIFY row_number() OVER (PARTITION BY e.exception_id ORDER BY r.as_of DESC, r.started_at DESC) = 1
        ),
        latest AS (
            SELECT run_id FROM {store.t('runs')} WHERE status <> 'failed'
            ORDER BY as_of DESC, started_at DESC LIMIT 1
        )
        SELECT a.exception_id, a.until, a.note, a.created_at, a.created_by,
               CASE WHEN a.until >= ? THEN 'active' ELSE 'expired' END AS state,
               l.exception_type, l.severity, l.message,
               coalesce(l.order_id, l.shipment_id, l.invoice_id, l.customer_po, l.document) AS key,
               l.as_of AS last_seen_at, l.run_id = (SELECT run_id FROM latest) AS in_latest_run
        FROM {store.t('acks')} a LEFT JOIN last l USING (exception_id)
        ORDER BY a.until, a.exception_id""", [today])
