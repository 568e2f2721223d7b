"""Where a Spark run's time went, from Spark's event log: jobs, SQL queries, tasks, and the gaps between.

    .venv/bin/python bench/spark_eventlog.py EVENT_LOG_DIR [--top 10]

`bench/spark_bench.py --event-log DIR` writes the log (`spark.eventLog.enabled`). The summary
separates what the executors did (task run and CPU time) from what the driver did around them:
the time no job was running is planning, Python (sqlglot, the loader's bookkeeping) and
start-up, which no executor setting can shorten.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

SQL_START = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart"
SQL_END = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd"


def _union(intervals: list[tuple[int, int]]) -> int:
    """Milliseconds covered by at least one interval."""
    total, end = 0, None
    for a, b in sorted(intervals):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def log_files(path: Path) -> list[Path]:
    """The event files of one application: a file, a rolling log's folder (`eventlog_v2_*`,
    Spark 4's default: `events_<n>_<app>` files read in order of n), or a folder of such logs
    (its newest)."""
    if path.is_file():
        return [path]
    entries = [p for p in path.iterdir() if not p.name.startswith(".")]
    events = [p for p in entries if p.is_file() and p.name.startswith("events_")]
    if events:
        return sorted(events, key=lambda p: int(p.name.split("_")[1]))
    return log_files(max(entries, key=lambda p: p.stat().st_mtime))


def summarise(files: list[Path]) -> dict[str, Any]:
    jobs: dict[int, dict[str, Any]] = {}
    sql: dict[int, dict[str, Any]] = {}
    tasks = Counter[str]()
    app: dict[str, int] = {}
    for line in (line for f in files for line in f.read_text().splitlines()):
        event = json.loads(line)
        kind = event.get("Event")
        if kind == "SparkListenerApplicationStart":
            app["start"] = event["Timestamp"]
        elif kind == "SparkListenerJobStart":
            props = event.get("Properties") or {}
            jobs[event["Job ID"]] = {"start": event["Submission Time"],
                                     "sql": int(props.get("spark.sql.execution.id", -1))}
        elif kind == "SparkListenerJobEnd":
            jobs[event["Job ID"]]["end"] = event["Completion Time"]
            app["end"] = max(app.get("end", 0), event["Completion Time"])
        elif kind == SQL_START:
            sql[event["executionId"]] = {"start": event["time"], "what": event.get("description", "")}
        elif kind == SQL_END:
            sql.setdefault(event["executionId"], {"start": event["time"], "what": ""})["end"] = event["time"]
        elif kind == "SparkListenerTaskEnd":
            metrics = event.get("Task Metrics") or {}
            tasks["tasks"] += 1
            tasks["run_ms"] += metrics.get("Executor Run Time", 0)
            tasks["cpu_ms"] += metrics.get("Executor CPU Time", 0) // 1_000_000
            tasks["deserialize_ms"] += metrics.get("Executor Deserialize Time", 0)
            tasks["gc_ms"] += metrics.get("JVM GC Time", 0)
    done = [j for j in jobs.values() if "end" in j]
    queries = [q for q in sql.values() if "end" in q]
    span = (app.get("end", 0) - app.get("start", 0)) if app else 0
    busy = _union([(j["start"], j["end"]) for j in done])
    slowest = sorted(queries, key=lambda q: q["start"] - q["end"])
    return {
        "app_span_s": round(span / 1000, 1),
        "jobs": len(done),
        "jobs_per_query": round(len(done) / max(1, len(queries)), 2),
        "sql_queries": len(queries),
        "job_time_s": round(sum(j["end"] - j["start"] for j in done) / 1000, 1),
        "some_job_running_s": round(busy / 1000, 1),
        "no_job_running_s": round((span - busy) / 1000, 1),
        "tasks": tasks["tasks"],
        "task_run_s": round(tasks["run_ms"] / 1000, 1),
        "task_cpu_s": round(tasks["cpu_ms"] / 1000, 1),
        "task_deserialize_s": round(tasks["deserialize_ms"] / 1000, 1),
        "task_gc_s": round(tasks["gc_ms"] / 1000, 1),
        "slowest_queries": [(round((q["end"] - q["start"]) / 1000, 2), q["what"][:80]) for q in slowest],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="an event log: a file, a rolling log's folder, or a folder of logs")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    files = log_files(args.log)
    summary = summarise(files)
    summary["slowest_queries"] = summary["slowest_queries"][:args.top]
    print(json.dumps({"log": str(files[0].parent), **summary}, indent=1))


if __name__ == "__main__":
    main()
