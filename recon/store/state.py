"""The state store: one DuckDB file with every run, its inputs, its counts and its exceptions.

The file is attached to an existing connection under the catalog `recon_state` (see
`recon.store.schema`), so recording a run copies `main.exceptions` into the store inside DuckDB,
with no rows passing through Python, and one transaction covers the whole record: a crash or a
SIGKILL before COMMIT leaves the previous state exactly as it was.

DuckDB lets one process write a file, or several read it. Readers (`recon history`, a dry run)
and short writers (`recon ack`) therefore wait briefly for each other; overlapping *runs* are
kept apart by the lock in `recon.store.lock`, which is held for the whole run.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from recon.db import Database
from recon.environment import environment_error
from recon.errors import EXIT_USAGE, LockedError, Problem, ReconError
from recon.seams import hold_point
from recon.sql import ident, literal
from recon.store.inputs import InputFile
from recon.store.schema import (
    ALIAS,
    ANALYST_STATUS_SQL,
    DECISION_TABLES,
    EXCEPTION_COLUMNS,
    SCHEMA_VERSION,
    TABLES,  # the per-run tables to clear on replace
    create_statements,
    qualified,
)

OPEN_TIMEOUT = float(os.environ.get("RECON_STATE_TIMEOUT", "15"))


class StateError(ReconError):
    """The state file exists but is not something this recon can use."""

    def __init__(self, problems: list[Problem], title: str = "the state store cannot be used") -> None:
        super().__init__(problems=problems, exit_code=EXIT_USAGE, title=title)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return str(os.getuid())


@dataclass
class RunRecord:
    """The `runs` row of one run."""

    run_id: str
    started_at: datetime
    ended_at: datetime
    as_of: datetime
    status: str
    exit_code: int
    config_path: str
    config_hash: str
    inputs_hash: str
    fingerprint: str | None
    recon_version: str
    error: str | None = None
    rule_packs: dict[str, str] = field(default_factory=dict)
    files: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    sources_failed: int = 0
    exceptions: int = 0
    replaced_run_id: str | None = None
    host: str = field(default_factory=socket.gethostname)
    user_name: str = field(default_factory=current_user)

    def values(self) -> list[Any]:
        return [self.run_id, self.started_at, self.ended_at, self.as_of, self.status, self.exit_code, self.error,
                self.config_path, self.config_hash, json.dumps(self.rule_packs, sort_keys=True), self.inputs_hash,
                self.fingerprint, self.replaced_run_id, self.recon_version, self.host, self.user_name,
                self.files, self.rows_read, self.rows_loaded, self.rows_rejected, self.sources_failed,
                self.exceptions]


RUN_COLUMNS = ("run_id, started_at, ended_at, as_of, status, exit_code, error, config_path, config_hash, rule_packs, "
               "inputs_hash, fingerprint, replaced_run_id, recon_version, host, user_name, files, rows_read, "
               "rows_loaded, rows_rejected, sources_failed, exceptions")


METRIC_COLUMNS = "run_id, metric, dimension, member, bucket, value, numerator, denominator, unit"


class StateStore:
    """A state file attached to a `Database` as the catalog `recon_state`.

    `persistent` is False when there is no file to read (a dry run or `recon history` before the
    first run): the store is then an empty in-memory catalog with the same tables, so every
    query works and simply finds nothing.
    """

    def __init__(self, db: Database, path: Path | None, *, read_only: bool, persistent: bool,
                 alias: str = ALIAS) -> None:
        self.db = db
        self.path = path
        self.read_only = read_only
        self.persistent = persistent
        self.alias = alias

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def attach(cls, db: Database, path: Path | None, *, read_only: bool = False,
               timeout: float | None = None) -> StateStore:
        """Attach the state file (creating it unless read_only); wait up to `timeout` s for other users."""
        if path is None or (read_only and not path.exists()):
            db.execute(f"ATTACH ':memory:' AS {ident(ALIAS)}")
            store = cls(db, path, read_only=False, persistent=False)
            store.ensure_schema()
            store.read_only = read_only
            return store
        if not read_only:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise environment_error(exc, "cannot create the state file's folder") from None
        mode = " (READ_ONLY)" if read_only else ""
        deadline = time.monotonic() + (OPEN_TIMEOUT if timeout is None else timeout)
        while True:
            try:
                db.execute(f"ATTACH {literal(str(path))} AS {ident(ALIAS)}{mode}")
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise StateError([Problem.of("S001", reason=_first_line(exc), file=str(path))]) from None
                if time.monotonic() >= deadline:
                    raise LockedError([Problem.of("L002", file=str(path))],
                        title="the state store is busy") from None
                time.sleep(0.1)
            except duckdb.Error as exc:
                hint = "is `state:` in recon.yaml pointing at a recon state file?"
                raise StateError([Problem.of("S001", reason=_first_line(exc), file=str(path), hint=hint)]) from None
        store = cls(db, path, read_only=read_only, persistent=True)
        store.check_intact()
        foreign = [] if store.has_tables() else store.other_tables()
        if foreign:  # someone else's database: never read as empty history, never add recon's tables to it
            store.detach()
            raise StateError([Problem.of("S005", tables=", ".join(foreign[:5]), file=str(path))])
        if read_only:
            store.check_version(allow_missing=True)
            if not store.has_tables():  # a file no run has written to yet: read it as empty
                store.detach()
                return cls.attach(db, None, read_only=True)
        else:
            store.ensure_schema()
        return store

    def detach(self) -> None:
        self.db.execute(f"DETACH {ident(self.alias)}")

    def t(self, table: str) -> str:
        """The qualified name of one of the store's tables."""
        return qualified(table, self.alias)

    def has_tables(self) -> bool:
        return bool(self.db.scalar(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'runs'", [self.alias]))

    def check_intact(self) -> None:
        """Refuse a truncated file (a copy cut short, a full disk) before a query meets its missing blocks.

        DuckDB attaches such a file without complaint and fails only when a query reads past its end,
        which would be in the middle of a run; its own block count says how long the file must be.
        """
        # Used blocks, not total: a checkpoint may cut free blocks off the end of the file. Used blocks
        # have distinct positions, so the file must be at least that long: a lower bound, never a false alarm.
        row = self.db.rows("SELECT block_size, used_blocks FROM pragma_database_size() WHERE database_name = ?",
                           [self.alias])
        if not row or self.path is None:
            return
        needed = int(row[0][0]) * int(row[0][1])
        size = self.path.stat().st_size
        if size < needed:
            self.detach()
            raise StateError([Problem.of("S004", size=size, needed=needed, file=str(self.path))])

    def other_tables(self) -> list[str]:
        """Tables and views in the attached file (for a file without recon's `runs`: someone else's)."""
        return [r[0] for r in self.db.rows(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE database_name = ? ORDER BY 1", [self.alias, self.alias])]

    def ensure_schema(self) -> None:
        self.check_version(allow_missing=True)
        self.db.execute("BEGIN TRANSACTION")
        try:
            for statement in create_statements(self.alias):
                self.db.execute(statement)
            self._widen_line_numbers()
            self.db.execute(f"INSERT OR IGNORE INTO {self.t('meta')} VALUES ('schema_version', ?)",
                            [str(SCHEMA_VERSION)])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _widen_line_numbers(self) -> None:
        """State files written before line numbers became text keep INTEGER line_no: widen it in place.

        Every INTEGER is a valid text line number, so nothing is lost and exception ids (hashed from the
        text of the key) stay the same; the schema version does not change.
        """
        kind = self.db.rows(
            "SELECT data_type FROM duckdb_columns() WHERE database_name = ? AND table_name = 'exceptions' "
            "AND column_name = 'line_no'", [self.alias])
        if kind and kind[0][0] != "VARCHAR":
            self.db.execute(f"ALTER TABLE {self.t('exceptions')} ALTER COLUMN line_no SET DATA TYPE VARCHAR")

    def check_version(self, *, allow_missing: bool) -> None:
        if not self.has_tables():
            if allow_missing:
                return
            raise StateError([Problem.of("S002", file=str(self.path))])
        try:  # a `runs` table alone does not make a recon state: its meta table says which schema it has
            version = self.db.scalar(f"SELECT value FROM {self.t('meta')} WHERE key = 'schema_version'")
            number = int(version) if version is not None else None
        except (duckdb.CatalogException, duckdb.BinderException, ValueError):
            raise StateError([Problem.of("S002", file=str(self.path))]) from None
        if number is not None and number > SCHEMA_VERSION:
            raise StateError([Problem.of("S003", version=version, known=SCHEMA_VERSION, file=str(self.path))])

    @property
    def empty(self) -> bool:
        return not self.has_tables()

    # -- recording -------------------------------------------------------------------------------

    def run_ids_with_fingerprint(self, fingerprint: str) -> list[str]:
        if self.empty:
            return []
        return [r[0] for r in self.db.rows(
            f"SELECT run_id FROM {self.t('runs')} WHERE fingerprint = ? ORDER BY started_at", [fingerprint])]

    def record(self, run: RunRecord, *, sources: Sequence[dict[str, Any]], inputs: Iterable[InputFile],
               exceptions_table: str | None, rejects_table: str | None, replace: Sequence[str] = (),
               carried_table: str | None = None, status_table: str | None = None,
               metrics: Sequence[Mapping[str, Any]] = ()) -> None:
        """Write one run in one transaction; the runs listed in `replace` (and their rows) go in the same one.

        `carried_table` holds the exceptions carried forward unverified (their rule was not evaluated):
        they are recorded as present in this run, so nothing resolves them until a run re-checks them.
        `status_table` (`main.exception_status`) gives each row the analyst's status and reason code.
        `metrics` are the run's operating metrics (recon.report.metrics.Metric.as_dict()).
        """
        db = self.db
        exception_select = (self.exception_select(exceptions_table, run.run_id, status_table=status_table)
                            if exceptions_table else None)
        carried_select = (self.exception_select(carried_table, run.run_id, unverified=True, status_table=status_table)
                          if carried_table else None)
        db.execute("BEGIN TRANSACTION")
        try:
            for old in {*replace, run.run_id}:
                for table in TABLES:
                    if table in DECISION_TABLES:
                        continue
                    db.execute(f"DELETE FROM {self.t(table)} WHERE run_id = ?", [old])
            db.execute(f"INSERT INTO {self.t('runs')} ({RUN_COLUMNS}) VALUES ({', '.join('?' * 22)})",
                       run.values())
            for s in sources:
                db.execute(f"INSERT INTO {self.t('run_sources')} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [run.run_id, s["source"], s["system"], s["entity"], s["files"], s["rows_read"],
                            s["rows_loaded"], s["rows_rejected"], s["status"],
                            "\n".join(s.get("problems") or []) or None])
            for f in inputs:
                db.execute(f"INSERT INTO {self.t('run_inputs')} VALUES (?, ?, ?, ?, ?, ?)",
                           [run.run_id, f.source, f.file, f.size_bytes, f.sha256, f.modified_at])
            if rejects_table:
                db.execute(f"INSERT INTO {self.t('run_rejects')} SELECT ?, source, field, reason, "
                           f"count(DISTINCT (file, \"row\")) FROM {rejects_table} GROUP BY ALL", [run.run_id])
            if metrics:
                db.con.executemany(f"INSERT INTO {self.t('run_metrics')} ({METRIC_COLUMNS}) "
                                   f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   [[run.run_id, *(m.get(c) for c in METRIC_COLUMNS.split(", ")[1:])] for m in metrics])
            cols = ", ".join(ident(c) for c in EXCEPTION_COLUMNS)
            for select in (exception_select, carried_select):
                if select:
                    db.execute(f"INSERT INTO {self.t('exceptions')} ({cols}) {select}", [run.run_id])
            hold_point("store.commit")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def exception_select(self, table: str, run_id: str, *, unverified: bool = False,
                         status_table: str | None = None) -> str:
        """Contract columns of the run's exceptions, cast to the store's types; absent columns are NULL.

        With `status_table`, the analyst's status and reason code come from it (the run's own view),
        never from a copied row: a carried-forward exception has this run's status, not the last one's.
        """
        present = {c for c, _ in self.db.columns(table)}
        status = {"analyst_status": "_s._analyst_status", "reason_code": "_s._reason_code"}
        parts = []
        for col, duck_type in EXCEPTION_COLUMNS.items():
            if col == "run_id":
                parts.append("?")
            elif col == "unverified":
                parts.append("true" if unverified else "false")
            elif col in status:
                parts.append(status[col] if status_table else f"NULL::{duck_type}")
            elif col in present:
                parts.append(f"TRY_CAST(_e.{ident(col)} AS {duck_type})")
            else:
                parts.append(f"NULL::{duck_type}")
        joined = ""
        if status_table:  # one row per exception id, so the join never adds rows
            joined = (f" LEFT JOIN (SELECT exception_id AS _sid, any_value({ANALYST_STATUS_SQL}) AS _analyst_status, "
                      f"any_value(reason_code) AS _reason_code FROM {status_table} GROUP BY exception_id) AS _s "
                      "ON _s._sid = _e.exception_id")
        return f"SELECT {', '.join(parts)} FROM {table} AS _e{joined}"

    # -- reading ---------------------------------------------------------------------------------

    def runs(self, limit: int | None = None, *, include_failed: bool = True) -> list[dict[str, Any]]:
        """Most recent first (by as-of, then start)."""
        where = "" if include_failed else "WHERE status <> 'failed'"
        lim = f"LIMIT {int(limit)}" if limit else ""
        return self.db.dicts(f"SELECT * FROM {self.t('runs')} {where} "
                             f"ORDER BY as_of DESC, started_at DESC, run_id DESC {lim}")

    def latest_run(self) -> dict[str, Any] | None:
        rows = self.runs(1, include_failed=False)
        return rows[0] if rows else None

    def lifecycle_runs_sql(self, exclude: Sequence[str] = ()) -> str:
        """The runs that count for the lifecycle: every recorded run that did not fail."""
        skip = "".join(f" AND run_id <> {literal(r)}" for r in exclude)
        return f"SELECT run_id, as_of, started_at FROM {self.t('runs')} WHERE status <> 'failed'{skip}"

    def presence_sql(self) -> str:
        return (f"SELECT run_id, exception_id, exception_type, workflow, rule_id, severity, owner "
                f"FROM {self.t('exceptions')}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__



@contextmanager
def open_state(path: Path, *, read_only: bool = True, timeout: float | None = None) -> Iterator[StateStore]:
    """The state file on a connection of its own, for the commands that only read or ack."""
    db = Database()
    try:
        store = StateStore.attach(db, path, read_only=read_only, timeout=timeout)
        try:
            yield store
        finally:
            store.detach()
    finally:
        db.close()
