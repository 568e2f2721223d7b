"""Explanations (`recon resolve`): an exception closed with a reason code, for as long as it stays the same.

The exception id hashes only the rule, type and business key, so the same invoice keeps its id when
its amount moves. An explanation therefore also stores a fingerprint of the finding's compared
values (field, left value, right value, difference) as the store kept them in the latest run that
found it. A later run that finds the exception with the same fingerprint reports it `explained`
(outside the work list's open items, the budgets and the bar); with another fingerprint it is
`reopened`: the values the analyst explained are not the ones the run sees now. The explanation
row stays (the history of the decision is kept) and `recon resolve` again replaces it.

A reason code that only parks (`resolves: false`) is an ack with a reason: the exception is
`acked`, outside the bar until `--until`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from recon.config.reasons import ReasonCode
from recon.errors import Problem
from recon.sql import ident
from recon.store import audit
from recon.store.acks import AckError
from recon.store.schema import EXCEPTION_COLUMNS
from recon.store.state import StateStore

# What an explanation is given for: if any of these moves, it no longer holds.
FINGERPRINTED = ("field", "left_value", "right_value", "difference")


@dataclass(frozen=True)
class Resolution:
    exception_id: str
    reason_code: str
    note: str | None
    until: date | None
    fingerprint: str
    run_id: str


def fingerprint_sql(alias: str = "") -> str:
    """md5 of the compared values, each cast to the store's type first so that a run's table and the
    store's copy of it give the same text (a missing value is not the empty string)."""
    prefix = f"{alias}." if alias else ""
    parts = [f"coalesce(CAST(TRY_CAST({prefix}{ident(c)} AS {EXCEPTION_COLUMNS[c]}) AS VARCHAR), '\\N')"
             for c in FINGERPRINTED]
    return f"md5(concat_ws('|', {', '.join(parts)}))"


def check_reason(code: str, catalogue: Mapping[str, ReasonCode], until: date | None) -> ReasonCode:
    """The reason code from the config's catalogue; a parking one needs an end date."""
    if code not in catalogue:
        raise AckError([Problem.of("A004", code=code, known=", ".join(catalogue))], title="cannot resolve")
    reason = catalogue[code]
    if not reason.resolves and until is None:
        raise AckError([Problem.of("A005", code=code)], title="cannot resolve")
    return reason


def latest_findings(store: StateStore, ids: list[str]) -> dict[str, dict[str, Any]]:
    """For each id, the latest recorded run that found it and the fingerprint of its values there."""
    if store.empty or not ids:
        return {}
    rows = store.db.dicts(f"""
        SELECT e.exception_id, e.run_id, {fingerprint_sql('e')} AS fingerprint
        FROM {store.t('exceptions')} e JOIN {store.t('runs')} r USING (run_id)
        WHERE r.status <> 'failed' AND e.exception_id IN (SELECT unnest(?::VARCHAR[]))
        QUALIFY row_number() OVER (PARTITION BY e.exception_id ORDER BY r.as_of DESC, r.started_at DESC) = 1""",
                          [ids])
    return {r["exception_id"]: r for r in rows}


def add(store: StateStore, ids: list[str], reason_code: str, *, note: str | None, until: date | None, by: str,
        when: datetime) -> list[Resolution]:
    """Explain each id (replacing an earlier explanation), in one transaction with its audit lines.

    Every id must have been found by a recorded run: the fingerprint comes from there, and an
    explanation of a typo would silently explain nothing.
    """
    ids = sorted({i.strip().lower() for i in ids if i.strip()})
    found = latest_findings(store, ids)
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise AckError([Problem.of("A002", exception=u) for u in unknown], title="cannot resolve")
    made = [Resolution(i, reason_code, (note or "").strip() or None, until, found[i]["fingerprint"],
                       found[i]["run_id"]) for i in ids]
    db = store.db
    db.execute("BEGIN TRANSACTION")
    try:
        for r in made:
            db.execute(f"INSERT OR REPLACE INTO {store.t('resolutions')} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [r.exception_id, r.reason_code, r.note, r.until, r.fingerprint, r.run_id, when, by])
            audit.log(store, "resolve", r.exception_id, by=by, when=when, reason_code=r.reason_code,
                      until=r.until, note=r.note)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return made


def remove(store: StateStore, ids: list[str], *, by: str, when: datetime, note: str | None = None) -> list[str]:
    """Withdraw the explanations of these ids (an id without one is an error)."""
    ids = sorted({i.strip().lower() for i in ids if i.strip()})
    present = {r[0] for r in store.db.rows(f"SELECT exception_id FROM {store.t('resolutions')}")}
    missing = [i for i in ids if i not in present]
    if missing:
        raise AckError([Problem.of("A006", exception=m) for m in missing], title="cannot withdraw")
    db = store.db
    db.execute("BEGIN TRANSACTION")
    try:
        for i in ids:
            db.execute(f"DELETE FROM {store.t('resolutions')} WHERE exception_id = ?", [i])
            audit.log(store, "unresolve", i, by=by, when=when, note=note)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return ids


def select_ids(store: StateStore, *, exception_type: str | None, rule: str | None, older_than_hours: float | None,
               ) -> list[str]:
    """The bulk form's filter: the exceptions of the latest recorded run that match every filter given."""
    if store.empty:
        return []
    where, params = ["r.run_id = (SELECT run_id FROM latest)"], []
    if exception_type:
        where.append("e.exception_type = ?")
        params.append(exception_type)
    if rule:
        where.append("e.rule_id = ?")
        params.append(rule)
    if older_than_hours is not None:
        where.append("e.age_hours >= ?")
        params.append(older_than_hours)
    return [row[0] for row in store.db.rows(f"""
        WITH latest AS (SELECT run_id FROM {store.t('runs')} WHERE status <> 'failed'
                        ORDER BY as_of DESC, started_at DESC LIMIT 1)
        SELECT DISTINCT e.exception_id FROM {store.t('exceptions')} e JOIN {store.t('runs')} r USING (run_id)
        WHERE {' AND '.join(where)} ORDER BY 1""", params)]


def in_force_sql(store: StateStore) -> str:
    """Explanations in force on a date (one `?` parameter, the run's as-of date): no end date, or not past it."""
    return (f"SELECT exception_id, reason_code, note AS reason_note, until AS reason_until, fingerprint "
            f"FROM {store.t('resolutions')} WHERE until IS NULL OR until >= ?")


def listing(store: StateStore) -> list[dict[str, Any]]:
    if store.empty:
        return []
    return store.db.dicts(f"SELECT * FROM {store.t('resolutions')} ORDER BY created_at, exception_id")


def decisions_sql(resolutions: str, present: str) -> str:
    """Per exception present in a run, what its explanation says now (`$resolving`: the codes that resolve).

    `resolutions`: the explanations in force (`in_force_sql`). `present`: exception_id, fingerprint of
    every exception the run found (or carried). Columns: exception_id, reason_code, reason_note,
    reason_until, explained (same values, a resolving code), parked (same values, a parking code),
    changed (the values moved since it was explained: the exception reopens).
    """
    return f"""
        SELECT r.exception_id, r.reason_code, r.reason_note, r.reason_until,
               f.fingerprint = r.fingerprint AND list_contains($resolving::VARCHAR[], r.reason_code) AS explained,
               f.fingerprint = r.fingerprint AND NOT list_contains($resolving::VARCHAR[], r.reason_code) AS parked,
               f.fingerprint <> r.fingerprint AS changed
        FROM {resolutions} r JOIN (SELECT exception_id, min(fingerprint) AS fingerprint FROM {present}
                                   GROUP BY exception_id) f USING (exception_id)"""
