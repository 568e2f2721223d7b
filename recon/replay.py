"""Replaying a recorded run's inputs: the tables it kept, loaded back as if the extracts had just been read.

`recon run --dry-run --compare-to last` runs today's config and rules over the inputs of the last
recorded run. When those extracts are still on disk unchanged (same sha256 as recorded) they are
simply read again, which also tries today's mappings. When they have moved on, the run's kept
tables (recon.store.kept) are the inputs: the canonical tables as that run loaded them, so the
comparison then shows what today's *rules and parameters* change (a mapping change needs the
original extracts). The load report is rebuilt from the run's own `main.loads`.
"""

from __future__ import annotations

import time
from pathlib import Path

from recon.db import Database
from recon.load.loader import LOADS_DDL, FileLoad, LoadReport
from recon.sql import ident, literal
from recon.steps import LoadResult
from recon.store import kept

# The run's own results, not its inputs: never replayed.
RESULTS = frozenset({"main.exceptions", "main.exception_status", "main.manual_matches"})


def replay_load(db: Database, folder: Path) -> LoadResult:
    """Every kept input table of `folder` as a table of `db`; the load report from its main.loads."""
    t0 = time.perf_counter()
    for path in sorted(folder.glob(f"*{kept.SUFFIX}")):
        name = path.name[: -len(kept.SUFFIX)]
        schema, _, table = name.partition(".")
        if name in RESULTS or not table:
            continue
        db.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")
        db.execute(f"CREATE OR REPLACE TABLE {ident(schema)}.{ident(table)} AS "
                   f"FROM read_parquet({literal(str(path))})")
    db.execute(LOADS_DDL)
    files = [FileLoad(source=r["source"], system=r["system"], entity=r["entity"], file=r["file"],
                      format=r["format"], rows_read=int(r["rows_read"] or 0), rows_loaded=int(r["rows_loaded"] or 0),
                      rows_rejected=int(r["rows_rejected"] or 0), status=r["status"] or "ok",
                      rows_filtered=int(r.get("rows_filtered") or 0),
                      rows_superseded=int(r.get("rows_superseded") or 0), rows_pivoted=int(r.get("rows_pivoted") or 0))
             for r in db.dicts("SELECT * FROM main.loads ORDER BY load_id, source, file, entity")]
    return LoadResult(LoadReport(files=files), time.perf_counter() - t0)
