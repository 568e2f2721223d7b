"""Manual matches in the state (`recon match`): pairings an analyst made, applied by every later run.

The rule engine reads them from the run's `main.manual_matches` (recon.rules.manual); this module
keeps them in the state's `manual_matches` table, logs each decision in the audit trail and copies
them into a run's database before its rules run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from recon.db import Database
from recon.errors import Problem
from recon.rules import manual
from recon.store import audit
from recon.store.acks import AckError
from recon.store.state import StateStore


def subject(rule_id: str, left: str, right: str) -> str:
    """How the audit trail names a pairing."""
    return f"{rule_id}:{left}→{right}"


def add(store: StateStore, rule_id: str, left: str, right: str, *, note: str | None, by: str, when: datetime) -> None:
    """Record (or re-record, replacing its note) one pairing, with its audit line, in one transaction."""
    db = store.db
    db.execute("BEGIN TRANSACTION")
    try:
        db.execute(f"INSERT OR REPLACE INTO {store.t('manual_matches')} VALUES (?, ?, ?, ?, ?, ?)",
                   [rule_id, left, right, note, when, by])
        audit.log(store, "match", subject(rule_id, left, right), by=by, when=when, note=note)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def remove(store: StateStore, rule_id: str, left: str, right: str, *, by: str, when: datetime,
           note: str | None = None) -> None:
    found = store.db.scalar(f"SELECT count(*) FROM {store.t('manual_matches')} "
                            "WHERE rule_id = ? AND left_key = ? AND right_key = ?", [rule_id, left, right])
    if not found:
        raise AckError([Problem.of("A012", rule=rule_id, left=left, right=right)], title="cannot remove the match")
    db = store.db
    db.execute("BEGIN TRANSACTION")
    try:
        db.execute(f"DELETE FROM {store.t('manual_matches')} WHERE rule_id = ? AND left_key = ? AND right_key = ?",
                   [rule_id, left, right])
        audit.log(store, "unmatch", subject(rule_id, left, right), by=by, when=when, note=note)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def listing(store: StateStore) -> list[dict[str, Any]]:
    if store.empty:
        return []
    return store.db.dicts(f"SELECT * FROM {store.t('manual_matches')} ORDER BY rule_id, left_key, right_key")


def copy_into(store: StateStore, db: Database) -> int:
    """`main.manual_matches` of the run's database from the state (empty when it has none); returns the count."""
    source = f"SELECT rule_id, left_key, right_key, note FROM {store.t('manual_matches')}" if not store.empty \
        else "SELECT NULL, NULL, NULL, NULL WHERE false"
    db.execute(f"CREATE OR REPLACE TABLE {manual.TABLE} ({manual.COLUMNS})")
    db.execute(f"INSERT INTO {manual.TABLE} {source} ORDER BY ALL")
    return int(db.scalar(f"SELECT count(*) FROM {manual.TABLE}") or 0)
