"""`recon query`: read-only SQL over the tables a run kept (recon.store.kept).

Only SELECT (and DESCRIBE/SHOW/SUMMARIZE-style read statements DuckDB parses as SELECT) runs;
the run's tables are views over its Parquet files in a scratch database that may read no other
file, so a query can neither change the evidence nor read other files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from recon.errors import Problem
from recon.store.kept import kept_runs, open_kept, runs_folder
from recon.store.state import StateError

READ_ONLY = {"SELECT", "EXPLAIN"}


@dataclass(frozen=True)
class QueryResult:
    run_id: str
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def query(state: Path, sql: str, run_id: str | None = None) -> QueryResult:
    """Run `sql` on the kept tables of `run_id` (default: the latest kept run)."""
    opened = open_kept(state, run_id, confine=True)
    if opened is None:
        kept = kept_runs(state)
        if run_id is None or not kept:
            raise StateError([Problem.of("S006", folder=str(runs_folder(state)))], title="nothing to query")
        raise StateError([Problem.of("S007", run_id=run_id, kept=", ".join(kept[-5:]))], title="run not kept")
    chosen, db = opened
    try:
        try:
            kinds = db.statement_types(sql)
        except duckdb.Error as exc:
            raise StateError([Problem.of("S009", reason=str(exc).splitlines()[0])], title="query failed") from None
        bad = [k for k in kinds if k not in READ_ONLY]
        if bad or not kinds:
            kind = f"{bad[0]}" if bad else "an empty query"
            raise StateError([Problem.of("S008", kind=kind)], title="query refused")
        if len(kinds) > 1:
            raise StateError([Problem.of("S008", kind=f"{len(kinds)} statements (give one)")], title="query refused")
        try:
            columns, rows = db.described(sql)
        except duckdb.Error as exc:
            raise StateError([Problem.of("S009", reason=str(exc).splitlines()[0])], title="query failed") from None
        return QueryResult(chosen, columns, rows)
    finally:
        db.close()
