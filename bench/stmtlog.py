"""Every SQL statement of one `recon` command, timed: where a run's CPU goes, statement by statement.

    python bench/stmtlog.py LOG.jsonl -- run --config X --quiet ...   # runs `recon ...`, writes LOG.jsonl
    python bench/stmtlog.py --summary LOG.jsonl [--top 30]            # CPU by statement kind, then the top ones

Why a wrapper and not DuckDB's profiler: the profiler reports one query at a time and none of the
Python between statements; this times the statements recon sends through `recon.db.Database`
(`execute`, `rows`, `dicts`, `arrow`; `scalar` goes through `rows` and is counted once) with the
process's CPU clock, which a busy machine disturbs far less than wall time. Phases of the run
(loads, rules, events, outputs) come from the statement's target, the first name it creates.
Nothing in recon changes; the command's exit code is this script's.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

_TARGET = re.compile(
    r"^\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"|INSERT\s+INTO\s+|COPY\s+\(?|DELETE\s+FROM\s+|UPDATE\s+|DROP\s+\w+\s+(?:IF\s+EXISTS\s+)?|(CHECKPOINT|SELECT|WITH))"
    r"\s*([\w.\"]*)",
    re.IGNORECASE,
)


def kind(sql: str) -> str:
    """A statement's family: its verb and target with numbers dropped (`_mapped_12` -> `_mapped_N`)."""
    match = _TARGET.match(sql)
    if not match:
        return sql.strip().split(None, 1)[0].upper() if sql.strip() else "?"
    verb = sql.strip().split(None, 1)[0].upper()
    target = re.sub(r"\d+", "N", (match.group(2) or match.group(1) or "").strip('"'))
    return f"{verb} {target}".strip()


def record(log: Path, argv: list[str]) -> int:
    import recon.db as db
    from recon.cli import main as cli_main

    entries: list[dict[str, Any]] = []

    def timed(name: str) -> None:
        original = getattr(db.Database, name)

        def wrapper(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                return original(self, sql, *args, **kwargs)
            finally:
                entries.append({"kind": kind(sql), "cpu": time.process_time() - c0,
                                "wall": time.perf_counter() - w0, "sql": " ".join(sql.split())[:300]})
        setattr(db.Database, name, wrapper)

    for name in ("execute", "rows", "dicts", "arrow"):
        timed(name)
    c0, w0 = time.process_time(), time.perf_counter()
    code = 0
    try:
        cli_main.main(args=argv, prog_name="recon", standalone_mode=False)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        total = {"kind": "TOTAL", "cpu": time.process_time() - c0, "wall": time.perf_counter() - w0, "sql": ""}
        log.write_text("".join(json.dumps(e) + "\n" for e in [*entries, total]), encoding="utf-8")
    return code


def summary(log: Path, top: int) -> None:
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    total = next((e for e in entries if e["kind"] == "TOTAL"), None)
    statements = [e for e in entries if e["kind"] != "TOTAL"]
    by_kind: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for e in statements:
        row = by_kind[e["kind"]]
        row[0] += 1
        row[1] += e["cpu"]
        row[2] += e["wall"]
    sql_cpu = sum(e["cpu"] for e in statements)
    if total:
        print(f"process CPU {total['cpu']:.1f} s, wall {total['wall']:.1f} s; "
              f"SQL {sql_cpu:.1f} CPU s in {len(statements)} statements")
    print(f"{'CPU s':>8} {'wall s':>8} {'n':>6}  kind")
    for name, (n, cpu, wall) in sorted(by_kind.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"{cpu:8.2f} {wall:8.2f} {n:6d}  {name}")
    print("\nslowest statements:")
    for e in sorted(statements, key=lambda e: -e["cpu"])[:top]:
        print(f"{e['cpu']:8.2f} {e['wall']:8.2f}  {e['sql'][:160]}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" in argv:
        split = argv.index("--")
        return record(Path(argv[0]), argv[split + 1:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--summary", type=Path, required=True)
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args(argv)
    summary(args.summary, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
