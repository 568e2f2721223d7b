"""Spark against DuckDB on the generated sample: phase times, the slowest rules, CPU seconds, machine load.

    .venv/bin/python bench/spark_bench.py --orders 100000 [--engines duckdb,spark] [--serial] [--event-log DIR]

Each engine runs `recon.api.run` in a child process of its own (a fresh JVM for Spark). The
machine is shared, so beside wall time every figure records the CPU seconds of the child's whole
process tree (recon, the JVM and Spark's Python workers, read from /proc just before the child
exits) and the 1-minute load average before and after. `--serial` runs Spark's rules one at a
time, so each rule's seconds are its own and not time spent waiting for a thread (finding the
expensive rules; the default is what `recon run` does).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import tree_cpu_seconds  # bench/ is on sys.path: this file runs as a script

AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)


def child(engine: str, config: str, serial: bool) -> None:
    from recon import api

    if serial:
        import recon.spark.rules as spark_rules

        run_rules = spark_rules.run_rules

        def one_at_a_time(*args: Any, **kwargs: Any) -> Any:
            return run_rules(*args, **{**kwargs, "parallel": 1})

        import recon.spark.engine as spark_engine

        spark_engine.run_rules = one_at_a_time  # type: ignore[assignment]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    ctx = api.run(Path(config), out=Path(config).parent / f"out-{engine}", dry_run=True, engine=engine)
    wall = time.perf_counter() - started
    rules = sorted(((r.rule_id, r.seconds) for r in ctx.rules.results if r.seconds), key=lambda r: -r[1])
    print(json.dumps({
        "engine": engine, "orders_file": config, "wall_s": round(wall, 1),
        **{f"{k}_s": round(v, 1) for k, v in ctx.timings.items()},
        "exceptions": ctx.rules.total, "slowest_rules": rules[:8],
        "cpu_s": round(tree_cpu_seconds(os.getpid()), 1),
        # recon's own Python (sqlglot, the loader's bookkeeping, DuckDB on the driver) apart from the JVM
        "driver_python_cpu_s": round(sum(os.times()[:2]), 1),
        "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }))
    sys.stdout.flush()
    os._exit(0)  # no JVM shutdown hooks in the figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--serial", action="store_true")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a Spark setting for engine.spark.conf (repeatable)")
    parser.add_argument("--event-log", metavar="DIR",
                        help="write Spark's event log into DIR (read it with bench/spark_eventlog.py)")
    parser.add_argument("--site", help="reuse a generated sample folder instead of generating one")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "CONFIG"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.serial)
        return
    from recon.sample import generate

    if args.site:
        site = Path(args.site)
    else:
        site = Path(tempfile.mkdtemp(prefix="recon-spark-bench-")) / "site"
        generate(site, orders=args.orders, seed=args.seed, as_of=AS_OF)
        (site / "recon.base.yaml").write_text((site / "recon.yaml").read_text())
    config = site / "recon.yaml"
    if args.event_log:
        Path(args.event_log).mkdir(parents=True, exist_ok=True)
        args.conf += ["spark.eventLog.enabled=true", f"spark.eventLog.dir={Path(args.event_log).resolve()}",
                      "spark.eventLog.compress=false"]
    conf = "".join(f"      {k}: {v!r}\n" for k, _, v in (c.partition("=") for c in args.conf))
    config.write_text((site / "recon.base.yaml").read_text() + '\nengine:\n  spark:\n    master: "local[2]"\n'
                      + ("    conf:\n" + conf if conf else ""))
    print(json.dumps({"site": str(site), "conf": args.conf, "serial": args.serial}), flush=True)
    for engine in args.engines.split(","):
        command = [sys.executable, __file__, "--child", engine, str(config)] + (["--serial"] if args.serial else [])
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        print(lines[-1] if lines else f"{engine} failed ({result.returncode}): {result.stderr[-2000:]}", flush=True)


if __name__ == "__main__":
    main()
