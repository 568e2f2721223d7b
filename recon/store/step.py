"""The store's part in `recon.api.run`: lock the state, compute the lifecycle, record the run.

    with RunStore(project, db, run_id=..., as_of=..., started_at=..., dry_run=...) as store:
        ... load ...                                # lock held (exit 4 if not), inputs hashed beside
        store.note_load(sources, files)             # what the run record (even a failed one) counts
        ... rules ...
        lifecycle = store.observe()                 # a frozen Lifecycle; main.exception_status
        ... summary, outputs ...
        store.record(exit_code)                     # one transaction; replaces a same-fingerprint run

The store takes plain values, not the run's other results, so it imports nothing of the load,
the rules or the reports.

A run that raises is recorded as `failed` (with its error, without exceptions) so the history
shows it, and it never replaces a good run. A dry run takes no lock and writes nothing to the state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from recon import __version__
from recon.config import Project
from recon.db import Database
from recon.errors import EXIT_BAR_BROKEN, EXIT_INCOMPLETE, EXIT_OK, ReconError
from recon.seams import hold_point
from recon.sql import ident
from recon.store import acks as ack_store
from recon.store import metrics as metric_store
from recon.store import pairings
from recon.store import resolutions as explanations
from recon.store.inputs import (
    InputFile,
    config_hash,
    fingerprint,
    input_files,
    inputs_hash,
    rule_pack_hashes,
)
from recon.store.lifecycle import STATUSES, mean_time_to_resolve_sql, statuses_sql
from recon.store.lock import StateLock
from recon.store.schema import ALIAS, EXCEPTION_COLUMNS, RECORDED_COLUMNS, qualified
from recon.store.state import RunRecord, StateStore

DEFAULT_STATE = "recon-state.duckdb"
STATUS_TABLE = "main.exception_status"
CARRIED = "_carried_exceptions"  # temp: exceptions carried forward unverified (see RunStore.observe)


def state_path(project: Project) -> Path:
    """`state:` from the config (relative to the config's folder), else recon-state.duckdb beside it."""
    return project.resolve(getattr(project.config, "state", None) or DEFAULT_STATE)


def as_of_date(as_of: datetime, timezone: str) -> Any:
    """The run's as-of day in the config's time zone: what an ack's `until` is compared with."""
    return as_of.astimezone(ZoneInfo(timezone)).date()


def _has_table(db: Database, name: str) -> bool:
    """A table of the run's own database (`Database.table_exists` would also see the attached store's)."""
    return bool(db.scalar("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                          "AND schema_name = 'main' AND table_name = ?", [name]))


@dataclass(frozen=True)
class _Digests:
    """What identifies a run's inputs: each file with its sha256, and the digests over them."""

    inputs: list[InputFile]
    config: str
    inputs_digest: str
    fingerprint: str


def _digest_inputs(project: Project, as_of: datetime) -> _Digests:
    files = input_files(project, as_of_date(as_of, project.config.timezone))
    config, inputs = config_hash(project), inputs_hash(files)
    return _Digests(files, config, inputs, fingerprint(config, inputs, as_of))


@dataclass(frozen=True)
class Lifecycle:
    """The lifecycle step: summary.json's `lifecycle` section and the acks active at as-of.

    The per-exception statuses are in the run's `main.exception_status` for the reports to join.
    """

    section: dict[str, Any]
    acked_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _LoadCounts:
    sources: list[dict[str, Any]]
    files: int


class RunStore:
    """The state lock and the run's record: a resource the run holds, not a bag of its results."""

    def __init__(self, project: Project, db: Database, *, run_id: str, as_of: datetime, started_at: datetime,
                 dry_run: bool = False) -> None:
        self.project = project
        self.db = db
        self.run_id = run_id
        self.as_of = as_of
        self.started_at = started_at
        self.dry_run = dry_run
        self.path = state_path(project)
        self.lock = StateLock(self.path, run_id)
        self.recorded = False
        self._digests: Future[_Digests] | None = None
        self._load = _LoadCounts([], 0)

    @property
    def inputs(self) -> list[InputFile]:
        return self._resolved().inputs

    @property
    def config_digest(self) -> str:
        return self._resolved().config

    @property
    def inputs_digest(self) -> str:
        return self._resolved().inputs_digest

    @property
    def fingerprint(self) -> str:
        return self._resolved().fingerprint

    def _resolved(self) -> _Digests:
        if self._digests is None:
            return _Digests([], "", "", "")
        return self._digests.result()

    # -- the with-block --------------------------------------------------------------------------

    def __enter__(self) -> RunStore:
        if not self.dry_run:
            self.lock.acquire()
        try:
            if not self.dry_run:
                self._check_state()
            hold_point("run.locked")
            # Hashing a night's extracts waits mostly on the disk (1.8 GB at 1M orders: 6 s wall,
            # 1.5 s CPU), so it runs beside the load; hashlib releases the GIL on large reads.
            # Nothing needs the digests before the lifecycle step, after the rules.
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recon-hash")
            self._digests = pool.submit(_digest_inputs, self.project, self.as_of)
            pool.shutdown(wait=False)
        except BaseException:
            self.lock.release()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._digests is not None:
            wait([self._digests])  # never leave the hashing thread running past the lock
        try:
            if isinstance(exc, Exception) and not self.dry_run and not self.recorded:
                self._record_failure(exc)
        finally:
            self.lock.release()

    def _check_state(self) -> None:
        """Open the state for writing before anything is loaded: a state file that cannot be
        written, is damaged, belongs to something else or to a newer recon fails the run now (exit
        2, named), not after a whole night's load and a report for a run that is never recorded."""
        StateStore.attach(self.db, self.path).detach()

    # -- steps -----------------------------------------------------------------------------------

    def note_load(self, sources: list[dict[str, Any]], files: int) -> None:
        """The load's per-source counts, for the run record (also a failed run's, after the load)."""
        self._load = _LoadCounts(sources, files)

    def manual_matches(self) -> int:
        """Copy the pairings of `recon match` into the run's `main.manual_matches`, before the rules run."""
        store = StateStore.attach(self.db, self.path, read_only=True)
        try:
            return pairings.copy_into(store, self.db)
        finally:
            store.detach()

    def observe(self, unverified_rules: Iterable[str] = ()) -> Lifecycle:
        """Lifecycle of this run's exceptions against the recorded history; acks active at as-of.

        `unverified_rules` are the rules this run did not evaluate (a failed source, an unmapped
        field): their exceptions of the run before are carried forward as present and unverified
        (`CARRIED`), so a rule that could not run resolves nothing and MTTR counts only re-checks.
        Leaves `main.exception_status` (one row per exception id: present ones and the ones this
        run resolved) for the reports to join.
        """
        db = self.db
        rules = sorted(set(unverified_rules))
        store = StateStore.attach(db, self.path, read_only=True)  # readers may share it; record() writes
        try:
            replaced = store.run_ids_with_fingerprint(self.fingerprint)
            db.execute(f"CREATE OR REPLACE TEMP TABLE _lc_runs AS {store.lifecycle_runs_sql(exclude=replaced)} "
                       "UNION ALL SELECT ?::VARCHAR, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ",
                       [self.run_id, self.as_of, self.started_at])
            ordered = db.rows("SELECT run_id FROM _lc_runs ORDER BY as_of, started_at, run_id")
            seq = next(i for i, r in enumerate(ordered, start=1) if r[0] == self.run_id)
            previous = ordered[seq - 2][0] if seq > 1 else None
            self._carry_forward(store, previous, rules)
            current = ""
            if _has_table(db, "exceptions"):
                current = ("UNION ALL SELECT ?::VARCHAR, exception_id, exception_type, workflow, rule_id, severity, "
                           "owner FROM main.exceptions")
            current += (" UNION ALL SELECT ?::VARCHAR, exception_id, exception_type, workflow, rule_id, severity, "
                        f"owner FROM {CARRIED}")
            db.execute(f"CREATE OR REPLACE TEMP TABLE _lc_presence AS {store.presence_sql()} {current}",
                       [self.run_id] * current.count("?::VARCHAR"))
            day = as_of_date(self.as_of, self.project.config.timezone)
            db.execute(f"CREATE OR REPLACE TEMP TABLE _lc_acks AS {ack_store.active_sql(store)}", [day])
            db.execute(f"CREATE OR REPLACE TEMP TABLE _lc_explained AS {explanations.in_force_sql(store)}", [day])
        finally:
            store.detach()
        self._decisions()
        db.execute(f"CREATE OR REPLACE TEMP TABLE _lc_status AS {statuses_sql('_lc_runs', '_lc_presence')}")
        db.execute(f"""CREATE OR REPLACE TABLE {STATUS_TABLE} AS
            SELECT s.* EXCLUDE (seq),
                   a.exception_id IS NOT NULL OR coalesce(d.parked, false) AS acked,
                   CASE WHEN a.exception_id IS NOT NULL THEN a.until WHEN d.parked THEN d.reason_until END AS ack_until,
                   CASE WHEN a.exception_id IS NOT NULL THEN a.note WHEN d.parked THEN d.reason_note END AS ack_note,
                   s.exception_id IN (SELECT exception_id FROM {CARRIED}) AS unverified,
                   CASE WHEN s.status <> 'resolved' THEN d.reason_code END AS reason_code,
                   CASE WHEN s.status <> 'resolved' THEN d.reason_note END AS reason_note,
                   s.status <> 'resolved' AND coalesce(d.explained, false) AS explained,
                   s.status <> 'resolved' AND coalesce(d.changed, false) AS explanation_changed
            FROM _lc_status s LEFT JOIN _lc_acks a USING (exception_id) LEFT JOIN _lc_decisions d USING (exception_id)
            WHERE s.run_id = ?
            ORDER BY CASE s.status WHEN 'new' THEN 0 WHEN 'reopened' THEN 1 WHEN 'open' THEN 2 ELSE 3 END,
                     s.exception_type, s.exception_id""", [self.run_id])
        mttr = {r[0]: float(r[1]) for r in db.rows(mean_time_to_resolve_sql("_lc_status", str(int(seq))))}
        acked_ids = frozenset(r[0] for r in db.rows("SELECT exception_id FROM _lc_acks"))
        lifecycle = self._summary(previous, replaced, mttr)
        lifecycle.update(self._values(previous))
        db.drop("_lc_runs", "_lc_presence", "_lc_status", "_lc_acks", "_lc_explained", "_lc_decisions")
        return Lifecycle(lifecycle, acked_ids)

    def _decisions(self) -> None:
        """`_lc_decisions`: what the explanations in force say of the exceptions this run found or carried."""
        db = self.db
        parts = [f"SELECT exception_id, {explanations.fingerprint_sql()} AS fingerprint FROM {CARRIED}"]
        if _has_table(db, "exceptions"):
            parts.append(f"SELECT exception_id, {explanations.fingerprint_sql()} AS fingerprint FROM main.exceptions")
        resolving = sorted(code for code, r in self.project.config.reason_codes.items() if r.resolves)
        db.execute(f"CREATE OR REPLACE TEMP TABLE _lc_decisions AS "
                   f"{explanations.decisions_sql('_lc_explained', '(' + ' UNION ALL '.join(parts) + ')')}",
                   {"resolving": resolving})

    def _carry_forward(self, store: StateStore, previous: str | None, rules: list[str]) -> None:
        """`CARRIED`: the previous run's exceptions of `rules` that this run did not find (it could not look).

        A rule not evaluated two nights running still carries them: the night between recorded
        them as present (unverified)."""
        db = self.db
        cols = ", ".join(ident(c) for c in EXCEPTION_COLUMNS if c not in RECORDED_COLUMNS)  # set when recorded
        if previous is None or not rules or store.empty:
            names = ", ".join(f"NULL::{t} AS {ident(c)}" for c, t in EXCEPTION_COLUMNS.items()
                              if c not in RECORDED_COLUMNS)
            db.execute(f"CREATE OR REPLACE TEMP TABLE {CARRIED} AS SELECT {names} WHERE false")
            return
        mine = ("AND exception_id NOT IN (SELECT exception_id FROM main.exceptions)"
                if _has_table(db, "exceptions") else "")
        db.execute(f"CREATE OR REPLACE TEMP TABLE {CARRIED} AS SELECT {cols} FROM {store.t('exceptions')} "
                   f"WHERE run_id = ? AND list_contains(?, rule_id) {mine} ORDER BY exception_id", [previous, rules])

    def _summary(self, previous: str | None, replaced: list[str], mttr: dict[str, float]) -> dict[str, Any]:
        db = self.db
        counts = {s: 0 for s in STATUSES}
        by_type: dict[str, dict[str, Any]] = {}
        for row in db.dicts(f"""
                SELECT exception_type, status, count(*) AS n, count(*) FILTER (WHERE acked) AS acked,
                       max(hours_open) AS oldest
                FROM {STATUS_TABLE} GROUP BY ALL ORDER BY ALL"""):
            entry = by_type.setdefault(row["exception_type"] or "", {**{s: 0 for s in STATUSES}, "acked": 0,
                                                                    "oldest_open_hours": None})
            entry[row["status"]] = row["n"]
            counts[row["status"]] += row["n"]
            if row["status"] != "resolved":
                entry["acked"] += row["acked"]
                oldest = float(row["oldest"]) if row["oldest"] is not None else None
                if oldest is not None and (entry["oldest_open_hours"] is None or oldest > entry["oldest_open_hours"]):
                    entry["oldest_open_hours"] = oldest
        for name, entry in by_type.items():
            entry["mttr_hours"] = mttr.get(name)
        acked = db.scalar(f"SELECT count(*) FROM {STATUS_TABLE} WHERE acked AND status <> 'resolved'") or 0
        unverified = db.scalar(f"SELECT count(*) FROM {STATUS_TABLE} WHERE unverified") or 0
        explained, changed = db.rows(f"SELECT count(*) FILTER (WHERE explained), "
                                     f"count(*) FILTER (WHERE explanation_changed) FROM {STATUS_TABLE}")[0]
        return {
            **counts,
            "acked": int(acked),
            "explained": int(explained),
            "explanations_reopened": int(changed),
            "unverified": int(unverified),
            "previous_run_id": previous,
            "replaces_run_id": replaced[-1] if replaced else None,
            "mttr_hours": dict(sorted(mttr.items())),
            "by_type": dict(sorted(by_type.items())),
            "state": str(self.path),
            "dry_run": self.dry_run,
        }

    def _values(self, previous: str | None) -> dict[str, Any]:
        """The previous run's value at risk, and the part of it this run resolved, per currency
        (rows without one in the config's currency): what the report's "since the previous run"
        line needs, read from the exceptions the store kept of that run."""
        if previous is None:
            return {}
        currency = self.project.config.currency
        now = f"AND exception_id IN (SELECT exception_id FROM {STATUS_TABLE} WHERE status = 'resolved')"
        store = StateStore.attach(self.db, self.path, read_only=True)
        try:
            table = qualified("exceptions")
            sql = (f"SELECT coalesce(currency, ?) AS c, sum(value_at_risk) FROM {table} WHERE run_id = ? "
                   f"AND value_at_risk IS NOT NULL {{}} GROUP BY c ORDER BY c")
            before = self.db.rows(sql.format(""), [currency, previous])
            resolved = self.db.rows(sql.format(now), [currency, previous])
        finally:
            store.detach()
        return {"previous_value_at_risk": {c: float(round(v, 2)) for c, v in before},
                "resolved_value_at_risk": {c: float(round(v, 2)) for c, v in resolved}}

    def metric_history(self, limit: int) -> list[dict[str, Any]]:
        """The operating metrics of up to `limit` recorded runs before this one (as-of at most this
        run's; not a run this one replaces), oldest first: the trend's earlier points."""
        store = StateStore.attach(self.db, self.path, read_only=True)
        try:
            exclude = [self.run_id, *store.run_ids_with_fingerprint(self.fingerprint)]
            return metric_store.history(store, limit=limit, up_to=self.as_of, exclude=exclude)
        finally:
            store.detach()

    def record(self, exit_code: int, metrics: Sequence[Mapping[str, Any]] = ()) -> None:
        """Write the run, its exceptions and its operating metrics to the state in one transaction
        (nothing on a dry run)."""
        if self.dry_run:
            return
        db = self.db
        code = int(exit_code or 0)
        status = {EXIT_OK: "ok", EXIT_BAR_BROKEN: "bar-broken", EXIT_INCOMPLETE: "incomplete"}.get(code, f"exit-{code}")
        has_exceptions = _has_table(db, "exceptions")
        run = self._run_record(status, code)
        run.exceptions = int(db.scalar("SELECT count(*) FROM main.exceptions") or 0) if has_exceptions else 0
        store = StateStore.attach(db, self.path)
        try:
            replaced = store.run_ids_with_fingerprint(self.fingerprint)
            run.replaced_run_id = replaced[-1] if replaced else None
            store.record(run, sources=self._load.sources, inputs=self.inputs,
                         exceptions_table="main.exceptions" if has_exceptions else None,
                         rejects_table="main.rejects" if _has_table(db, "rejects") else None,
                         replace=replaced, carried_table=CARRIED if self._carried() else None, metrics=metrics,
                         status_table=STATUS_TABLE if self.db.table_exists("main", "exception_status") else None)
        finally:
            store.detach()
        self.recorded = True

    def _carried(self) -> bool:
        return bool(self.db.scalar("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                                   [CARRIED]))

    def _run_record(self, status: str, code: int, error: str | None = None) -> RunRecord:
        sources = self._load.sources
        return RunRecord(
            run_id=self.run_id, started_at=self.started_at, ended_at=datetime.now(UTC).replace(microsecond=0),
            as_of=self.as_of, status=status, exit_code=code, error=error, config_path=str(self.project.path),
            config_hash=self.config_digest, inputs_hash=self.inputs_digest,
            fingerprint=self.fingerprint if status != "failed" else None,
            recon_version=__version__,
            rule_packs=rule_pack_hashes(self.project),
            files=self._load.files, rows_read=sum(int(s["rows_read"]) for s in sources),
            rows_loaded=sum(int(s["rows_loaded"]) for s in sources),
            rows_rejected=sum(int(s["rows_rejected"]) for s in sources),
            sources_failed=sum(1 for s in sources if s["status"] != "ok"),
        )

    def _record_failure(self, exc: Exception) -> None:
        """Best effort: the history shows the failed run; a failure here must not hide the real one."""
        code = exc.exit_code if isinstance(exc, ReconError) else 2
        message = exc.render() if isinstance(exc, ReconError) else f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(Exception):  # no transaction was open, which is the normal case
            self.db.execute("ROLLBACK")
        try:
            self.db.execute(f"DETACH DATABASE IF EXISTS {ALIAS}")
            store = StateStore.attach(self.db, self.path, timeout=2)
            try:
                store.record(self._run_record("failed", code, message[:2000]), sources=self._load.sources,
                             inputs=self.inputs, exceptions_table=None, rejects_table=None)
            finally:
                store.detach()
            self.recorded = True
        except Exception:  # recording the failure is a courtesy, never a second failure
            pass
