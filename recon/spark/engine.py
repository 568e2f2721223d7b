"""The Spark engine's part of `recon.api.run`: load and rules on Spark, results into the run's DuckDB.

After this step the run's DuckDB holds what the DuckDB engine would have left there:
`main.loads`, `main.rejects`, `main.exceptions`, and every loaded table as a view over the Parquet
Spark wrote. Summary, lifecycle, acks, budgets, reports and the state file are then the same code,
run on the driver: the state file never leaves the machine that runs `recon run`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recon.spark.session import get_session

if TYPE_CHECKING:
    from recon.api import RunContext
    from recon.rules.loader import RuleSet


def work_dir_for(ctx: RunContext) -> Path:
    """A fresh folder for this run's Parquet: under `engine.spark.work_dir` (relative to the config) or temp."""
    options = ctx.project.config.engine.spark
    if options.work_dir:
        base = ctx.project.resolve(options.work_dir)
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"recon-{ctx.run_id}-", dir=base))
    return Path(tempfile.mkdtemp(prefix=f"recon-{ctx.run_id}-"))


def load_and_match(ctx: RunContext, ruleset: RuleSet, progress: Any = None, rule_progress: Any = None) -> None:
    """Fill ctx.load, ctx.rules and their timings, as the DuckDB steps of `recon.api.run` do."""
    from recon.rules.runner import tables_loaded
    from recon.spark import udfs
    from recon.spark.load import SparkLoader
    from recon.spark.rules import run_rules

    options = ctx.project.config.engine.spark
    t0 = time.perf_counter()
    spark = get_session(options)
    ctx.timings["spark_session"] = time.perf_counter() - t0
    work_dir = work_dir_for(ctx)
    if not options.keep_work_dir:
        # The DuckDB views read these files until the reports are written: remove them with the run.
        weakref.finalize(ctx, shutil.rmtree, str(work_dir), True)
    t0 = time.perf_counter()
    loader = SparkLoader(ctx.project, ctx.db, spark, ctx.run_id, work_dir, strict=ctx.strict, progress=progress)
    ctx.load = loader.load_all()
    ctx.timings["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    udfs.register(spark)
    ctx.rules = run_rules(spark, ctx.db, ruleset.rules, tables=tables_loaded(ctx.load.files), as_of=ctx.as_of,
                          run_id=ctx.run_id, work_dir=work_dir, config=ctx.project.config, on_rule=rule_progress)
    ctx.timings["rules"] = time.perf_counter() - t0


__all__ = ["load_and_match", "work_dir_for"]
