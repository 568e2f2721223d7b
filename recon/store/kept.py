"""The working database of each run, kept beside the state so that `recon query` and `recon trace`
answer from what the run loaded instead of reading every extract again.

At the end of a run its database (every `<system>.<entity>` table, `main.loads`, `main.rejects`,
`main.exceptions`) is copied into `<state>-runs/<run_id>.duckdb` (DuckDB's own compressed storage)
under the state's lock, written beside and renamed into place, so a reader never sees half a
file. Files older than `outputs.keep_tables_days` are removed at the end of each run; the latest
is always kept. Readers open them read-only.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import duckdb

from recon.db import Database
from recon.sql import ident, literal

SUFFIX = ".duckdb"


def runs_folder(state: Path) -> Path:
    """Where the kept databases of a state live: `recon-state-runs/` beside `recon-state.duckdb`."""
    return state.with_name(f"{state.stem}-runs")


def kept_path(state: Path, run_id: str) -> Path:
    return runs_folder(state) / f"{run_id}{SUFFIX}"


def keep(db: Database, state: Path, run_id: str, keep_days: int) -> Path | None:
    """Copy the run's database next to the state (atomically) and prune old copies; None when
    `keep_days` is 0 (then every earlier copy is removed too)."""
    folder = runs_folder(state)
    if keep_days <= 0:
        prune(folder, keep_days=0, spare=None)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    final = kept_path(state, run_id)
    partial = folder / f".{run_id}{SUFFIX}.partial"
    for stale in (partial, Path(f"{partial}.wal")):
        stale.unlink(missing_ok=True)
    source = db.scalar("SELECT current_database()")
    alias = "recon_kept_run"
    try:
        db.execute(f"ATTACH {literal(str(partial))} AS {ident(alias)}")
        try:
            db.execute(f"COPY FROM DATABASE {ident(source)} TO {ident(alias)}")
        finally:
            db.execute(f"DETACH {ident(alias)}")
        os.replace(partial, final)
    except (OSError, duckdb.Error):  # a cache: a full disk costs `recon query` its answer, not the run
        partial.unlink(missing_ok=True)
        return None
    prune(folder, keep_days, spare=final)
    return final


def prune(folder: Path, keep_days: int, spare: Path | None, now: float | None = None) -> list[Path]:
    """Remove kept databases older than `keep_days` (by modification time), never `spare`."""
    if not folder.is_dir():
        return []
    limit = (now if now is not None else time.time()) - keep_days * 86400
    removed = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        if path != spare and path.stat().st_mtime < limit:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def kept_runs(state: Path) -> list[str]:
    """Run ids with a kept database, oldest first (run ids start with their start time)."""
    folder = runs_folder(state)
    return sorted(p.name[: -len(SUFFIX)] for p in folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []


def open_kept(state: Path, run_id: str | None = None) -> tuple[str, Database] | None:
    """(run id, read-only database) of `run_id`, else of the latest kept run; None when none is kept."""
    runs = kept_runs(state)
    chosen = run_id if run_id is not None else (runs[-1] if runs else None)
    if chosen is None or chosen not in runs:
        return None
    return chosen, Database(kept_path(state, chosen), read_only=True)
