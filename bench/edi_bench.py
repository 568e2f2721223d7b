"""What the X12 and EDIFACT throughput benches share: file layouts, options, the timed loop, the report.

Each bench only synthesises its own documents and names its parse; the timing (best of
--repeat, wall and CPU including the worker processes), the peak RSS, the machine line and the
optional cProfile are the same for both, so their figures compare.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LAYOUTS = ("lf", "none", "wrapped")


def lay_out(segments: list[str], terminator: str, layout: str) -> str:
    """The segments as file text: one per line (`lf`), all on one line (`none`) or cut at 80 columns (`wrapped`)."""
    if layout == "lf":
        return f"{terminator}\n".join(segments) + f"{terminator}\n"
    flat = terminator.join(segments) + terminator
    if layout == "none":
        return flat
    if layout == "wrapped":
        return "\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    raise SystemExit(f"unknown layout {layout}")


def arguments(description: str | None, workers_default: int | None) -> argparse.ArgumentParser:
    """The options both benches take; a bench adds its own before parsing."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segments", type=int, default=2_000_000)
    ap.add_argument("--layout", choices=LAYOUTS, default="lf")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    ap.add_argument("--keep", action="store_true", help="keep the synthesised file")
    ap.add_argument("--interchanges", type=int, default=1, help="interchanges per document kind (the parallel "
                    "parse cuts a large file between them for bounded memory)")
    ap.add_argument("--workers", type=int, default=workers_default, help="parse_x12_files(workers=...): with a "
                    "number (even 1) a file of 32 MiB or more is parsed in parts in worker processes; CPU then "
                    "includes theirs")
    ap.add_argument("--file", type=Path, default=None, help="parse this file (one kept with --keep) instead of "
                    "synthesising one, so that the peak memory printed is the parse's alone")
    ap.add_argument("--json", action="store_true", help="end with one JSON line of the figures (bench/run.py reads it)")
    return ap


def bench_file(args: argparse.Namespace, suffix: str, synthesise: Callable[[Path], str]) -> tuple[Path, Path | None]:
    """(the file to parse, the temporary folder to remove or None): --file, or a synthesised one."""
    if args.file is not None:
        print(f"file: {args.file} ({args.file.stat().st_size / 1e6:.1f} MB)")
        return args.file, None
    tmp = Path(tempfile.mkdtemp(prefix=f"recon-{suffix}-bench-"))
    path = tmp / f"bench_{args.layout}.{suffix}"
    described = synthesise(path)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {described})")
    return path, tmp


def measure(args: argparse.Namespace, path: Path, tmp: Path | None, parse: Callable[..., Any]) -> None:
    """Time `parse([path], workers=...)` --repeat times and print the best, memory, machine and findings."""
    parse([path.parent / f"missing{path.suffix}"])  # warm imports and Arrow's first-call setup
    best = float("inf")
    best_cpu = (float("inf"), 0.0, 0.0)
    result = None
    for k in range(args.repeat):
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), _cpu()
        result = parse([path], workers=args.workers)
        wall, c1 = time.perf_counter() - t0, _cpu()
        user, system = c1[0] - c0[0], c1[1] - c0[1]
        # Each run with the machine's load beside it: on a shared machine CPU time rises with
        # the neighbours' load too (shared caches), so a figure means little without it.
        print(f"  run {k + 1}: {wall:.2f} s wall, CPU {user + system:.2f} s = user {user:.2f} + system {system:.2f}; "
              f"load {load:.1f} -> {os.getloadavg()[0]:.1f}")
        best = min(best, wall)
        best_cpu = min(best_cpu, (user + system, user, system))
    assert result is not None
    rows = {k: t.num_rows for k, t in result.tables.items() if t.num_rows}
    print(f"segments: {result.segments:,}; findings: {len(result.findings)}; rows: {rows}")
    print(f"best of {args.repeat}: {best:.2f} s wall -> {result.segments / best:,.0f} segments/s; "
          f"{best_cpu[0]:.2f} s CPU (user {best_cpu[1]:.2f} + system {best_cpu[2]:.2f}) -> "
          f"{result.segments / best_cpu[0]:,.0f} segments/s per core (workers: {args.workers})")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {own:,.0f} MiB, largest worker process {workers:,.0f} MiB")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, Python "
          f"{platform.python_version()}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for f in result.findings[:5]:
        print("  finding:", f.code, f.message)
    if args.json:
        print(json.dumps({"segments": result.segments, "findings": len(result.findings), "repeat": args.repeat,
                          "workers": args.workers, "best_wall_s": best, "best_cpu_s": best_cpu[0],
                          "segments_per_s": result.segments / best,
                          "segments_per_cpu_s": result.segments / best_cpu[0], "peak_rss_mib": own}), flush=True)
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        parse([path])
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    if tmp is not None and not args.keep:
        path.unlink()
        tmp.rmdir()


def _cpu() -> tuple[float, float]:
    """(user, system) CPU seconds of this process and of its finished children (the parse's worker processes)."""
    t = os.times()
    return t.user + t.children_user, t.system + t.children_system
