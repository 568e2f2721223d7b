"""The rules phase alone, per rule, in CPU seconds: a kept run's tables loaded once, every rule run REPS times.

    python bench/rules_cpu.py CONFIG KEPT_RUN_FOLDER [REPS] [RULE,RULE,...] [--dump EXCEPTIONS.csv]

KEPT_RUN_FOLDER is a run's kept tables (`<state>-runs/<run_id>/`, recon.store.kept), so the load is
not repeated for each measurement and the rules read exactly what that run loaded. CPU seconds are
`time.process_time()` around each rule (DuckDB's threads included): on a shared machine they move
far less than wall time. Prints one JSON line: the machine's load average, each repetition's total
and each rule's CPU and wall seconds. `--dump` writes the last repetition's exceptions (ordered,
without the run id) so two versions of the compiler can be compared row by row.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# The run's own state tables: rebuilt by the run, not read by the rules.
NOT_INPUTS = {"main.exceptions", "main.exception_status", "main.superseded", "main.events", "main.slo_clocks",
              "main.correlation"}


def main(argv: list[str]) -> int:
    from recon.api import load_project
    from recon.asof import parse_as_of
    from recon.db import Database
    from recon.rules.registry import load_project_rules
    from recon.rules.runner import run_rules
    from recon.sql import ident, literal

    dump = argv[argv.index("--dump") + 1] if "--dump" in argv else None
    args = [a for i, a in enumerate(argv) if a != "--dump" and (i == 0 or argv[i - 1] != "--dump")]
    config, kept = args[0], Path(args[1])
    reps = int(args[2]) if len(args) > 2 else 3
    only = set(args[3].split(",")) if len(args) > 3 and args[3] else None
    project = load_project(config)
    rules = [r for r in load_project_rules(project).rules if only is None or r.id in only]
    db = Database(threads=project.config.engine.threads)
    for path in sorted(kept.glob("*.parquet")):
        name = path.name.removesuffix(".parquet")
        if name in NOT_INPUTS:
            continue
        schema, table = name.split(".", 1)
        db.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")
        db.execute(f"CREATE TABLE {ident(schema)}.{ident(table)} AS FROM read_parquet({literal(str(path))})")
    as_of = parse_as_of(project.config.as_of, project.config.timezone)
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    started: dict[str, float] = {}

    def begin(rule_id: str, index: int, total: int) -> None:
        started["cpu"], started["wall"] = time.process_time(), time.perf_counter()

    def end(result: Any) -> None:
        cpu.setdefault(result.rule_id, []).append(round(time.process_time() - started["cpu"], 3))
        wall.setdefault(result.rule_id, []).append(round(time.perf_counter() - started["wall"], 3))

    totals, exceptions = [], 0
    for _ in range(reps):
        t0 = time.process_time()
        report = run_rules(db, rules, as_of=as_of, run_id="bench", config=project.config, on_rule=begin,
                           on_result=end)
        totals.append(round(time.process_time() - t0, 3))
        exceptions = report.total
    if dump:
        db.execute(f"COPY (SELECT * EXCLUDE (run_id) FROM main.exceptions ORDER BY ALL) TO {literal(dump)} (HEADER)")
    print(json.dumps({"load_average": os.getloadavg(), "totals_cpu_s": totals, "exceptions": exceptions,
                      "rules": {r: {"cpu_s": cpu[r], "wall_s": wall[r]} for r in cpu}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
