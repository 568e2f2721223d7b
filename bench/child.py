"""One measured repetition, run as a child process by bench/run.py; prints one JSON line at the end.

    python bench/child.py run CONFIG OUT                 # `recon run` end to end, with phase timings
    python bench/child.py compare METHOD DATA AS_OF      # the core comparison one way (core_compare)
    python bench/child.py fuzzy CONFIG                   # fuzzy rules: candidate pairs and pairs/s
    python bench/child.py edi CONFIG                     # X12 parsing: segments/s

A child of its own per repetition gives each figure its own peak RSS (the parent reads it with
wait4) and a cold process, as a nightly job has.

`run` drives the real CLI (`recon run --quiet`) and only wraps, never changes, the pipeline's
steps to time them: storing hashes, each source's load, the rules (per pack from the runner's
per-rule seconds), lifecycle, outputs, reports and the history record. A step that has been
renamed in recon is simply not timed (it shows up in "unattributed").
"""

from __future__ import annotations

import functools
import json
import re
import resource
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
STARTED = time.perf_counter()


def peak_rss_mib() -> float:
    """VmHWM: this process's peak resident set so far (Linux), in MiB; 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _emit(payload: dict[str, Any]) -> None:
    sys.stdout.write("\n" + json.dumps(payload, default=str) + "\n")
    sys.stdout.flush()


class PhaseTimer:
    """Wraps attributes of recon's modules so each call adds its duration under a label."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # process CPU seconds (all threads): robust to a busy machine
        self.hwm: dict[str, float] = {}  # the process's peak RSS (MiB) when the phase ended: where it grew
        self.captured: dict[str, Any] = {}

    def add(self, label: str, seconds: float, cpu: float = 0.0) -> None:
        self.phases[label] = self.phases.get(label, 0.0) + seconds
        self.cpu[label] = self.cpu.get(label, 0.0) + cpu

    def wrap(self, owner: Any, attr: str, label: str | Callable[..., str], capture: str | None = None) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                result = original(*args, **kwargs)
            finally:
                name = label(*args, **kwargs) if callable(label) else label
                self.add(name, time.perf_counter() - t0, time.process_time() - c0)
                self.hwm[name] = max(self.hwm.get(name, 0.0), peak_rss_mib())
            if capture:
                self.captured[capture] = result
            return result

        setattr(owner, attr, timed)


def cmd_run(config: str, out: str) -> int:
    import recon.api as api
    from recon.load.loader import Loader
    from recon.report import context, outputs
    from recon.store import kept
    from recon.store.step import RunStore

    timer = PhaseTimer()
    timer.wrap(api, "load_project", "startup: config")
    timer.wrap(api, "load_project_rules", "startup: rule packs", capture="ruleset")
    timer.wrap(RunStore, "__enter__", "store: lock and hash inputs")
    timer.wrap(Loader, "load_source", lambda self, name, *a, **k: f"load: {name}")
    timer.wrap(api, "rules_step", "rules")
    timer.wrap(api, "run_events", "events")
    timer.wrap(RunStore, "observe", "store: lifecycle")
    timer.wrap(context, "build", "summary")
    timer.wrap(outputs, "write", "outputs: every file")
    timer.wrap(kept, "keep", "store: keep tables")
    timer.wrap(RunStore, "record", "store: record history")
    timer.wrap(api, "run", "api.run", capture="ctx")
    imported = time.perf_counter() - STARTED

    from recon.cli import main

    code = 0
    try:
        main(["run", "--config", config, "--out", out, "--quiet"], prog_name="recon")
    except SystemExit as exc:
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
    total = time.perf_counter() - STARTED
    ctx = timer.captured.get("ctx")
    ruleset = timer.captured.get("ruleset")
    packs: dict[str, float] = {}
    rules: list[dict[str, Any]] = []
    if ctx is not None:
        pack_of = {r.id: r.pack.pack for r in ruleset.rules} if ruleset is not None else {}
        for r in ctx.rules.results:
            pack = pack_of.get(r.rule_id, r.workflow)
            packs[pack] = packs.get(pack, 0.0) + r.seconds
            rules.append({"rule": r.rule_id, "pack": pack, "status": r.status, "seconds": r.seconds,
                          "exceptions": r.exceptions})
    rows = {}
    exceptions = None
    if ctx is not None:
        rows = {s["source"]: s["rows_loaded"] for s in ctx.summary.get("sources", [])}
        exceptions = ctx.rules.total
    _emit({"exit_code": code, "imports_s": imported, "total_s": total, "phases": timer.phases,
           "phases_cpu": timer.cpu, "phases_peak_rss_mib": timer.hwm, "packs": packs,
           "rules": rules, "rows_loaded": rows, "exceptions": exceptions})
    return 0 if code in (0, 1) else code


def cmd_compare(method: str, data: str, as_of: str, memory_limit: str | None = None) -> int:
    import core_compare as cc

    moment = datetime.fromisoformat(as_of)
    root = Path(data)
    if method == "recon":
        comparison = cc.ReconComparison(root / "recon.yaml", memory_limit=memory_limit)
        setup = time.perf_counter() - STARTED
        t0 = time.perf_counter()
        result = comparison(moment)
    else:
        func = getattr(cc, f"discrepancies_{method}")
        if method == "pandas" or method == "datacompy":
            import pandas  # noqa: F401  (import time is setup, as for recon)
        if method == "datacompy":
            import datacompy  # noqa: F401
        if method == "duckdb":
            import duckdb  # noqa: F401
        setup = time.perf_counter() - STARTED
        t0 = time.perf_counter()
        result = func(root, moment)
    rows = cc.as_rows(result)
    seconds = time.perf_counter() - t0
    import hashlib

    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
    _emit({"method": method, "seconds": seconds, "setup_s": setup, "discrepancies": len(rows),
           "by_kind": cc.by_kind(rows), "rows_digest": digest})
    return 0


def _sources_for(project: Any, tables: set[str]) -> list[str]:
    return [name for name, s in project.config.sources.items()
            if s.format == "x12" or f"{s.system}.{s.entity}" in tables]


def cmd_fuzzy(config: str) -> int:
    """Load what the fuzzy rules read, then run each fuzzy rule alone with a counting scorer.

    Candidate pairs come from the rule's own `cand` CTE (pairs sharing the blocking key); scored
    pairs and scorer seconds from wrapping the rapidfuzz Arrow UDF the rule calls.
    """
    import recon.rules.fuzzy as fuzzy
    from recon.api import open_database
    from recon.config import load_project
    from recon.load.loader import Loader
    from recon.rules import units
    from recon.rules.compiler import CompileContext, compile_rule
    from recon.rules.registry import load_project_rules
    from recon.rules.runner import run_rules

    calls = {"pairs": 0, "seconds": 0.0, "batches": 0}
    original = fuzzy.scorer_function

    def counting(scorer: str) -> Callable[[Any, Any], Any]:
        score = original(scorer)

        def counted(left: Any, right: Any) -> Any:
            t0 = time.perf_counter()
            out = score(left, right)
            calls["seconds"] += time.perf_counter() - t0
            calls["pairs"] += len(left)
            calls["batches"] += 1
            return out

        return counted

    fuzzy.scorer_function = counting
    project = load_project(config)
    ruleset = load_project_rules(project)
    fuzzy_rules = [r for r in ruleset.rules if getattr(r.rule, "fuzzy", None)]
    context = CompileContext.from_config(project.config)
    # The tables the compiled SQL reads: its sides, lookups and the units' conversion table (a rule that
    # converts units reads `erp.uom_conversions`, which neither side nor lookup names).
    tables: set[str] = set()
    for r in fuzzy_rules:
        compiled = compile_rule(r, context)
        tables.update({*compiled.tables, *compiled.lookup_tables})
        if units.converts(r.rule):
            tables.update(context.conversion_tables)
    db = open_database(project)
    t0 = time.perf_counter()
    Loader(project, db, "bench").load_all(only=_sources_for(project, tables))
    load_s = time.perf_counter() - t0
    as_of = project.config.as_of
    from recon.asof import parse_as_of

    moment = parse_as_of(as_of, project.config.timezone)
    out = []
    for r in fuzzy_rules:
        compiled = compile_rule(r, context)
        candidates = None
        marker = '"cand_scored" AS ('
        if marker in compiled.sql and '"cand" AS (' in compiled.sql:
            head = compiled.sql[: compiled.sql.index(marker)].rstrip().rstrip(",")
            try:  # recon.rules.fuzzy.register takes the Database (older versions: the connection)
                fuzzy.register(db, compiled.scorers)
            except AttributeError:
                fuzzy.register(db.con, compiled.scorers)
            params = {k: v for k, v in (("as_of", moment), ("run_id", "bench")) if f"${k}" in head}
            candidates = int(db.rows(f'{head}\nSELECT count(*) FROM "cand"', params)[0][0])
        # The rule scores a pair only where no earlier (exact) level holds, which on clean data may be
        # none; the scorer's throughput is measured by scoring every candidate pair with the rule's own
        # UDF call, as the rule would if no exact level held anywhere.
        every: dict[str, Any] = {"pairs": 0, "seconds": 0.0}
        call = re.search(r"(recon_rf_\w+\(CAST\(\"l__\w+\" AS VARCHAR\), CAST\(\"r__\w+\" AS VARCHAR\)\))",
                         compiled.sql)
        if candidates is not None and call:
            calls.update(pairs=0, seconds=0.0, batches=0)
            db.rows(f'{head}\nSELECT count({call.group(1)}) FROM "cand"', params)
            every = {"pairs": calls["pairs"], "seconds": calls["seconds"]}
        calls.update(pairs=0, seconds=0.0, batches=0)
        t1 = time.perf_counter()
        report = run_rules(db, [r], as_of=moment, run_id="bench", config=project.config)
        rule_s = time.perf_counter() - t1
        out.append({"rule": r.id, "pack": r.pack.pack, "candidate_pairs": candidates, "scored_pairs": calls["pairs"],
                    "scorer_batches": calls["batches"], "scorer_s": calls["seconds"], "rule_s": rule_s,
                    "every_pair_scored": every["pairs"], "every_pair_scorer_s": every["seconds"],
                    "exceptions": report.total, "status": report.results[0].status})
    _emit({"load_s": load_s, "rules": out})
    return 0


def _cpu_with_children() -> float:
    """User + system CPU of this process and its waited-for children (the parse's worker pool is joined)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def cmd_edi(config: str) -> int:
    """parse_x12_files on the sample's X12 files with the config's x12 options: segments per second."""
    from recon import files as filesys
    from recon.config import load_project
    from recon.load.x12 import X12Options, parse_x12_files

    project = load_project(config)
    paths: list[Path] = []
    options = X12Options()
    for source in project.config.sources.values():
        if source.format == "x12":
            paths += filesys.expand(project.resolve(source.path))
            options = X12Options.model_validate(source.x12 or {})
    size = sum(p.stat().st_size for p in paths)
    cpu0 = _cpu_with_children()
    t0 = time.perf_counter()
    result = parse_x12_files(paths, options)
    seconds = time.perf_counter() - t0
    # The sample's real shape (many small interchanges, 856s, 997s), workers' CPU included: the
    # synthesised throughput file alone flattered the target (one large interchange, in-process).
    cpu_s = _cpu_with_children() - cpu0
    segments = sum(f.segments for f in result.files)
    rows = {k: t.num_rows for k, t in result.tables.items()}
    _emit({"files": len(paths), "bytes": size, "segments": segments, "seconds": seconds, "cpu_s": cpu_s,
           "segments_per_s": segments / seconds if seconds else None,
           "segments_per_cpu_s": segments / cpu_s if cpu_s else None, "rows": rows,
           "findings": len(result.findings)})
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "run":
        return cmd_run(*args)
    if cmd == "compare":
        return cmd_compare(*args)
    if cmd == "fuzzy":
        return cmd_fuzzy(*args)
    if cmd == "edi":
        return cmd_edi(*args)
    print(f"unknown command {cmd!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
