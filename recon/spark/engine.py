"""The Spark engine's part of `recon.api.run`: load and rules on Spark, results into the run's DuckDB.

After this step the run's DuckDB holds what the DuckDB engine would have left there:
`main.loads`, `main.rejects`, `main.exceptions`, and every loaded table as a view over the Parquet
Spark wrote. Summary, lifecycle, acks, budgets, reports and the state file are then the same code,
run on the driver: the state file never leaves the machine that runs `recon run`.

`recon.api` imports this module only for `engine: spark`, so the modules below (and pyspark,
which they import when a session starts) are never loaded for a DuckDB run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from pathlib import Path
from typing import Any

from recon.completeness import assess
from recon.db import Database
from recon.rules.loader import RuleSet
from recon.rules.runner import tables_loaded
from recon.spark import udfs
from recon.spark.load import SparkLoader
from recon.spark.rules import run_rules
from recon.spark.session import get_session
from recon.steps import Listeners, LoadResult, RulesResult, RunPlan


def work_dir_for(plan: RunPlan) -> Path:
    """A fresh folder for this run's Parquet: under `engine.spark.work_dir` (relative to the config) or temp."""
    options = plan.project.config.engine.spark
    if options.work_dir:
        base = plan.project.resolve(options.work_dir)
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"recon-{plan.run_id}-", dir=base))
    return Path(tempfile.mkdtemp(prefix=f"recon-{plan.run_id}-"))


def load_and_match(plan: RunPlan, db: Database, ruleset: RuleSet, store: Any,
                   listeners: Listeners | None = None) -> tuple[LoadResult, RulesResult]:
    """The load and rules steps on Spark; they return what the DuckDB steps of `recon.api.run` do,
    completeness included (the same assessment blocks the same rules)."""
    listeners = listeners or Listeners()
    options = plan.project.config.engine.spark
    t0 = time.perf_counter()
    spark = get_session(options)
    session_seconds = time.perf_counter() - t0
    work_dir = work_dir_for(plan)
    if not options.keep_work_dir:
        # The DuckDB views read these files as long as the run's database is used (reports, e-mail).
        weakref.finalize(db, shutil.rmtree, str(work_dir), True)
    t0 = time.perf_counter()
    loader = SparkLoader(plan.project, db, spark, plan.run_id, work_dir, strict=plan.strict,
                         progress=listeners.file_started, as_of=plan.as_of)
    load = LoadResult(loader.load_all(), time.perf_counter() - t0, session_seconds)
    store.note_load(load.by_source(), len(load.files))  # a failed rules step still records the load
    t0 = time.perf_counter()
    udfs.register(spark)
    assessment = assess(plan.project, db, load.files, ruleset.rules, plan.as_of)
    report = run_rules(spark, db, ruleset.rules, tables=tables_loaded(load.files), as_of=plan.as_of,
                       run_id=plan.run_id, work_dir=work_dir, config=plan.project.config,
                       on_rule=listeners.rule_started, blockers=assessment.blockers())
    return load, RulesResult(report, time.perf_counter() - t0, assessment)


__all__ = ["load_and_match", "work_dir_for"]
