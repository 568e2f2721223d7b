"""Spark's load step alone on a sample copy: CPU of the whole process tree, and the loaded tables kept.

    .venv/bin/python bench/spark_loads.py SAMPLE_COPY/recon-spark.yaml KEEP_DIR

A child process starts a Spark session (the config's `engine.spark`), runs `SparkLoader.load_all`
and writes every loaded table, `main.rejects` and `main.loads` into KEEP_DIR as Parquet, so
`bench/same_tables.py KEEP_A KEEP_B` proves two trees load the same rows. It prints the CPU seconds
of the child's tree (recon, the JVM, Spark's Python workers) after the session started and after
the load, so the load's own CPU is their difference; the rules never run, which makes a
before/after of a reader change a few minutes instead of a whole `recon run`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from harness import tree_cpu_seconds  # bench/ is on sys.path: this file runs as a script

AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)


def child(config: str, keep: str) -> None:
    import tempfile

    from recon.api import open_database
    from recon.config import load_project
    from recon.spark.load import SparkLoader
    from recon.spark.session import get_session
    from recon.sql import ident, literal

    project = load_project(Path(config))
    db = open_database(project)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    spark = get_session(project.config.engine.spark)
    session_wall, session_cpu = time.perf_counter() - t0, tree_cpu_seconds(os.getpid())
    t0 = time.perf_counter()
    loader = SparkLoader(project, db, spark, "bench", Path(tempfile.mkdtemp(prefix="spark-loads-")), as_of=AS_OF)
    report = loader.load_all()
    load_wall, load_cpu = time.perf_counter() - t0, tree_cpu_seconds(os.getpid())
    out = Path(keep)
    out.mkdir(parents=True, exist_ok=True)
    tables = [f"{t.system}.{t.entity}" for t in loader.tables.values()] + ["main.rejects", "main.loads"]
    for name in tables:
        schema, table = name.split(".")
        db.execute(f"COPY (SELECT * FROM {ident(schema)}.{ident(table)}) TO {literal(str(out / (name + '.parquet')))} "
                   "(FORMAT parquet)")
    print(json.dumps({
        "session_wall_s": round(session_wall, 1), "load_wall_s": round(load_wall, 1),
        "session_cpu_s": round(session_cpu, 1), "load_cpu_s": round(load_cpu - session_cpu, 1),
        "files": len(report.files), "rows_read": sum(f.rows_read or 0 for f in report.files),
        "rows_rejected": sum(f.rows_rejected or 0 for f in report.files),
        "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }))
    sys.stdout.flush()
    os._exit(0)  # no JVM shutdown hooks in the figures


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    config, keep = sys.argv[1:3]
    result = subprocess.run([sys.executable, __file__, "--child", config, keep], capture_output=True, text=True,
                            check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode or not lines:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(result.returncode or 1)
    print(lines[-1])


if __name__ == "__main__":
    main()
