"""`make bench`: recon end to end at three sizes, the core comparison against its alternatives, fuzzy
matching, X12 parsing (the sample's files, and segments per CPU second on a synthesised 1M-segment
file), Spark against DuckDB at 100k orders and a run under a 1 GB memory limit, written to
bench/results.md and bench/results.json: every #24 figure from one command on one machine.

    .venv/bin/python bench/run.py                                   # 100k, 300k, 1M orders, 3 reps
    .venv/bin/python bench/run.py --sizes 10000 --reps 1            # a quick check of the harness
    .venv/bin/python bench/run.py --skip-compare --memory-limit none --spark-orders 0 --x12-segments 0
    .venv/bin/python bench/run.py --render-only                     # results.md again from results.json

Sample data comes from `recon sample` (seed 7) into bench/data/orders-N/ (git-ignored) and is
reused when a complete copy is there. Each repetition runs in a child process (bench/child.py) so
that its peak RSS is its own; see bench/harness.py for how the machine's load is recorded.

datacompy pins pandas below 3.1 and brings polars, so it lives in bench/.venv-compare (created
here on first use from bench/requirements.txt), never in the product's .venv.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    Measurement,
    dir_size,
    machine_info,
    package_versions,
    run_child,
    stat,
    wait_for_quiet,
)
from results_md import TARGETS, evaluate, render  # noqa: E402
from startup import measure as measure_startup  # noqa: E402

DEFAULT_SIZES = (100_000, 300_000, 1_000_000)
DEFAULT_AS_OF = "2026-11-20T06:00:00+00:00"
SEED = 7
COMPARE_VENV = HERE / ".venv-compare"
REQUIREMENTS = HERE / "requirements.txt"
PRODUCT_PACKAGES = ("distrecon", "duckdb", "pandas", "pyarrow", "rapidfuzz", "numpy", "pydantic", "sqlglot")
COMPARE_PACKAGES = ("datacompy", "pandas", "polars", "numpy", "pyarrow")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- data ------------------------------------------------------------------------------------------

def ensure_sample(data_dir: Path, orders: int, as_of: str) -> tuple[Path, dict[str, Any]]:
    """bench/data/orders-N, generated once; a marker written last means a complete, matching copy."""
    out = data_dir / f"orders-{orders}"
    marker = out / ".bench-sample.json"
    wanted = {"orders": orders, "seed": SEED, "as_of": as_of}
    if marker.exists():
        info = json.loads(marker.read_text())
        if {k: info.get(k) for k in wanted} == wanted:
            log(f"sample {orders}: reusing {out}")
            return out, info
    if out.exists():
        shutil.rmtree(out)
    log(f"sample {orders}: generating into {out} ...")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "recon", "sample", "--out", str(out), "--orders", str(orders),
                           "--seed", str(SEED), "--as-of", as_of, "--json"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"recon sample failed:\n{done.stderr[-3000:]}")
    summary = json.loads(done.stdout)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    info = {**wanted, "seconds": round(time.perf_counter() - t0, 1), "bytes": size, "files": summary["files"],
            "truth": summary["truth"]}
    marker.write_text(json.dumps(info, indent=2) + "\n")
    log(f"sample {orders}: {size / 2**20:.0f} MiB in {info['seconds']}s")
    return out, info


def memory_limited_config(sample: Path, limit: str) -> Path:
    """A copy of the sample's recon.yaml with `engine: {memory_limit, temp_directory}` added."""
    spill = sample / "spill"
    text = (sample / "recon.yaml").read_text(encoding="utf-8")
    # Absolute: recon hands temp_directory to DuckDB as written, relative to the working directory.
    text += f"\n# added by bench/run.py\nengine:\n  memory_limit: {limit}\n  temp_directory: '{spill.resolve()}'\n"
    path = sample / "recon-memlimit.yaml"
    path.write_text(text, encoding="utf-8")
    spill.mkdir(exist_ok=True)
    return path


def reset_state(sample: Path) -> None:
    """Every repetition is a first run: no history to attach, the same work each time."""
    for p in sample.glob("recon-state.duckdb*"):
        p.unlink()


# -- the compare venv ------------------------------------------------------------------------------

def ensure_compare_venv() -> Path:
    """bench/.venv-compare with datacompy (and pyinstrument); rebuilt when requirements.txt changes."""
    python = COMPARE_VENV / "bin" / "python"
    stamp = COMPARE_VENV / ".requirements.txt"
    wanted = REQUIREMENTS.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    log(f"creating {COMPARE_VENV} (datacompy pins pandas < 3.1; kept out of the product's .venv) ...")
    base = getattr(sys, "_base_executable", None) or shutil.which("python3") or sys.executable
    subprocess.run([base, "-m", "venv", "--clear", str(COMPARE_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(wanted)
    return python


# -- measuring -------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.measurements: list[dict[str, Any]] = []

    def measure(self, label: str, argv: list[str], **kwargs: Any) -> Measurement:
        busy = wait_for_quiet(self.args.max_busy, self.args.load_wait, log)
        m = run_child(label, argv, cwd=ROOT, busy_before=busy, **kwargs)
        flag = "" if m.ok else f"  EXIT {m.exit_code}: {m.stderr_tail[-500:]}"
        noisy = " (noisy)" if m.foreign_cpu_share > self.args.max_busy else ""
        log(f"  {label}: {m.wall_s:.2f}s wall, {m.peak_rss_mib:.0f} MiB peak, load {m.loadavg_before[0]:.2f}, "
            f"others {m.foreign_cpu_share:.0%}{noisy}{flag}")
        self.measurements.append(m.to_dict())
        return m

    # end to end
    def end_to_end(self, orders: int, sample: Path, config: Path, reps: int, tag: str = "") -> dict[str, Any]:
        runs: list[Measurement] = []
        out = self.args.data_dir / f"out-{orders}{tag}"
        spill = sample / "spill"
        for rep in range(reps):
            reset_state(sample)
            peak_spill = [0]

            def sample_spill(peak: list[int] = peak_spill) -> None:
                if tag:
                    peak[0] = max(peak[0], dir_size(spill))

            m = self.measure(f"e2e{tag} {orders} #{rep + 1}",
                             [sys.executable, str(HERE / "child.py"), "run", str(config), str(out)],
                             poll=sample_spill if tag else None)
            m.extra["peak_spill_mib"] = peak_spill[0] / 2**20
            self.measurements[-1] = m.to_dict()
            runs.append(m)
        reset_state(sample)
        return summarise_e2e(orders, runs)

    def compare(self, orders: int, sample: Path, reps: int, compare_python: Path | None) -> dict[str, Any]:
        by_method: dict[str, list[Measurement]] = {}
        methods = ["recon", "duckdb", "pandas"] + (["datacompy"] if compare_python else [])
        for rep in range(reps):  # methods interleaved, so a noisy minute hits all of them alike
            for method in methods:
                python = str(compare_python) if method == "datacompy" else sys.executable
                m = self.measure(f"compare {method} {orders} #{rep + 1}",
                                 [python, str(HERE / "child.py"), "compare", method, str(sample), self.args.as_of])
                by_method.setdefault(method, []).append(m)
        return summarise_compare(by_method)

    def fuzzy(self, orders: int, config: Path, reps: int) -> dict[str, Any]:
        runs = [self.measure(f"fuzzy {orders} #{rep + 1}", [sys.executable, str(HERE / "child.py"), "fuzzy",
                                                              str(config)]) for rep in range(reps)]
        ok = [m for m in runs if m.ok and m.report.get("rules")]
        if not ok:
            return {"error": runs[-1].stderr_tail[-800:]}
        out: dict[str, Any] = {"rules": []}
        for i, first in enumerate(ok[0].report["rules"]):
            per = [m.report["rules"][i] for m in ok]
            scorer = stat([r["scorer_s"] for r in per])
            rule = stat([r["rule_s"] for r in per])
            pairs = first["scored_pairs"]
            every = first.get("every_pair_scored") or 0
            every_s = stat([r.get("every_pair_scorer_s", 0.0) for r in per])
            out["rules"].append({
                "rule": first["rule"], "pack": first["pack"], "candidate_pairs": first["candidate_pairs"],
                "scored_pairs": pairs, "exceptions": first["exceptions"], "scorer_s": scorer.to_dict(),
                "rule_s": rule.to_dict(),
                "scorer_pairs_per_s": pairs / scorer.median if scorer.median else None,
                "rule_pairs_per_s": pairs / rule.median if rule.median else None,
                "every_pair_scored": every, "every_pair_scorer_s": every_s.to_dict(),
                "every_pair_pairs_per_s": every / every_s.median if every and every_s.median else None,
            })
        out["load_s"] = stat([m.report["load_s"] for m in ok]).to_dict()
        return out

    def edi(self, orders: int, config: Path, reps: int) -> dict[str, Any]:
        runs = [self.measure(f"edi {orders} #{rep + 1}", [sys.executable, str(HERE / "child.py"), "edi",
                                                          str(config)]) for rep in range(reps)]
        ok = [m for m in runs if m.ok and m.report.get("segments")]
        if not ok:
            return {"error": runs[-1].stderr_tail[-800:]}
        seconds = stat([m.report["seconds"] for m in ok])
        cpu = stat([m.report["cpu_s"] for m in ok if m.report.get("cpu_s")]) if ok[0].report.get("cpu_s") else None
        first = ok[0].report
        per_cpu = {"cpu_s": cpu.to_dict(), "segments_per_cpu_s": first["segments"] / cpu.median} if cpu else {}
        return {"files": first["files"], "bytes": first["bytes"], "segments": first["segments"], **per_cpu,
                "seconds": seconds.to_dict(), "segments_per_s": first["segments"] / seconds.median,
                "mib_per_s": first["bytes"] / 2**20 / seconds.median,
                "peak_rss_mib": stat([m.peak_rss_mib for m in ok]).to_dict(), "rows": first["rows"],
                "findings": first["findings"]}


    def spark(self, orders: int, sample: Path, reps: int) -> dict[str, Any]:
        """Spark (local[2]) and DuckDB on the same sample and config, alternated: #24's 'within 4x' figure.

        Each engine runs in a child of its own (a fresh JVM for Spark); the CPU is the child's whole
        process tree (JVM and Python workers included), which the child reads from /proc before it exits.
        """
        config = spark_config(sample)
        by_engine: dict[str, list[Measurement]] = {}
        for rep in range(reps):
            for engine in ("duckdb", "spark"):
                m = self.measure(f"spark-bench {engine} {orders} #{rep + 1}",
                                 [sys.executable, str(HERE / "spark_bench.py"), "--child", engine, str(config)])
                m.foreign_cpu_share = own_tree_share(m)
                self.measurements[-1] = m.to_dict()
                by_engine.setdefault(engine, []).append(m)
        out: dict[str, Any] = {"orders": orders, "master": "local[2]"}
        for engine, runs in by_engine.items():
            ok = [m for m in runs if m.ok and m.report.get("wall_s")]
            if not ok:
                out[engine] = {"error": runs[-1].stderr_tail[-800:] or f"exit {runs[-1].exit_code}",
                               **_load_context(runs)}
                continue
            phases = [k for k in ok[0].report if k.endswith("_s") and k not in ("wall_s", "cpu_s")]
            out[engine] = {"wall_s": stat([m.report["wall_s"] for m in ok]).to_dict(),
                           "cpu_s": stat([m.report["cpu_s"] for m in ok]).to_dict(),
                           "peak_rss_mib": stat([m.peak_rss_mib for m in ok]).to_dict(),
                           "phases_s": {k[:-2]: stat([m.report.get(k, 0.0) for m in ok]).to_dict() for k in phases},
                           "exceptions": ok[0].report.get("exceptions"),
                           "slowest_rules": ok[0].report.get("slowest_rules", []), **_load_context(runs)}
        return out

    def x12_throughput(self, segments: int, reps: int) -> dict[str, Any]:
        """Segments per CPU second of the X12 parser on one synthesised file, in-process (workers=0)."""
        runs = [self.measure(f"x12-throughput {segments} #{rep + 1}",
                             [sys.executable, str(HERE / "edi_throughput.py"), "--segments", str(segments),
                              "--repeat", "5", "--workers", "0", "--json"]) for rep in range(reps)]
        ok = [m for m in runs if m.ok and m.report.get("segments")]
        if not ok:
            return {"error": runs[-1].stderr_tail[-800:], **_load_context(runs)}
        best = max(ok, key=lambda m: m.report["segments_per_cpu_s"])
        return {**best.report, "segments_per_cpu_s_all": [round(m.report["segments_per_cpu_s"]) for m in ok],
                **_load_context(runs)}


def own_tree_share(m: Measurement) -> float:
    """The other processes' CPU share, not counting the child's own JVM: the Spark child ends with
    os._exit while its JVM still runs, so wait4 never adds the JVM's CPU to the child's and it would
    count as another process's (a quiet machine read as 93 % busy). The child reports its whole tree's CPU."""
    tree = float(m.report.get("cpu_s") or 0.0)
    if tree <= m.cpu_s or m.wall_s <= 0:
        return m.foreign_cpu_share
    return max(0.0, m.foreign_cpu_share - (tree - m.cpu_s) / (m.wall_s * (os.cpu_count() or 1)))


def spark_config(sample: Path) -> Path:
    """A copy of the sample's recon.yaml with `engine.spark.master: local[2]` (both engines read it)."""
    text = (sample / "recon.yaml").read_text(encoding="utf-8")
    path = sample / "recon-spark.yaml"
    path.write_text(text + '\n# added by bench/run.py\nengine:\n  spark:\n    master: "local[2]"\n', encoding="utf-8")
    return path


def _load_context(runs: list[Measurement]) -> dict[str, Any]:
    return {"loadavg_1m": [round(m.loadavg_before[0], 2) for m in runs],
            "others_cpu_share": [round(m.foreign_cpu_share, 3) for m in runs]}


def summarise_e2e(orders: int, runs: list[Measurement]) -> dict[str, Any]:
    ok = [m for m in runs if m.ok and m.report]
    result: dict[str, Any] = {"orders": orders, "reps": len(runs), "ok": len(ok), **_load_context(runs)}
    if not ok:
        result["error"] = runs[-1].stderr_tail[-1500:] if runs else "no run"
        return result
    wall = stat([m.wall_s for m in ok])
    phases: dict[str, dict[str, float]] = {}
    phases_cpu: dict[str, dict[str, float]] = {}
    phases_peak: dict[str, float] = {}
    for label in ok[0].report["phases"]:
        phases[label] = stat([m.report["phases"].get(label, 0.0) for m in ok]).to_dict()
        phases_cpu[label] = stat([m.report.get("phases_cpu", {}).get(label, 0.0) for m in ok]).to_dict()
        phases_peak[label] = max(m.report.get("phases_peak_rss_mib", {}).get(label, 0.0) for m in ok)
    packs = {p: stat([m.report["packs"].get(p, 0.0) for m in ok]).to_dict() for p in ok[0].report["packs"]}
    attributed = sum(v["median"] for k, v in phases.items() if k != "api.run")
    result.update({
        "wall_s": wall.to_dict(),
        "peak_rss_mib": stat([m.peak_rss_mib for m in ok]).to_dict(),
        "cpu_s": stat([m.cpu_s for m in ok]).to_dict(),
        "us_per_order": wall.median / orders * 1e6,
        "imports_s": stat([m.report["imports_s"] for m in ok]).to_dict(),
        "phases": phases,
        "phases_cpu": phases_cpu,
        "phases_peak_rss_mib": phases_peak,
        "packs": packs,
        "unattributed_s": max(0.0, wall.median - attributed - ok[0].report["imports_s"]),
        "rules": ok[0].report["rules"],
        "rows_loaded": ok[0].report["rows_loaded"],
        "exceptions": ok[0].report["exceptions"],
        "peak_spill_mib": max(m.extra.get("peak_spill_mib", 0.0) for m in ok),
    })
    return result


def summarise_compare(by_method: dict[str, list[Measurement]]) -> dict[str, Any]:
    out: dict[str, Any] = {"methods": {}}
    digests = set()
    for method, runs in by_method.items():
        ok = [m for m in runs if m.ok and "seconds" in m.report]
        entry: dict[str, Any] = {"reps": len(runs), "ok": len(ok), **_load_context(runs)}
        if ok:
            entry.update({
                "seconds": stat([m.report["seconds"] for m in ok]).to_dict(),
                "process_wall_s": stat([m.wall_s for m in ok]).to_dict(),
                "peak_rss_mib": stat([m.peak_rss_mib for m in ok]).to_dict(),
                "discrepancies": ok[0].report["discrepancies"], "by_kind": ok[0].report["by_kind"],
                "rows_digest": ok[0].report["rows_digest"],
            })
            digests.update(m.report["rows_digest"] for m in ok)
        else:
            entry["error"] = runs[-1].stderr_tail[-1500:]
        out["methods"][method] = entry
    out["same_discrepancies"] = len(digests) == 1
    recon = out["methods"].get("recon", {})
    for method, entry in out["methods"].items():
        if method == "recon" or "seconds" not in entry or "seconds" not in recon:
            continue
        entry["recon_time_ratio"] = recon["seconds"]["median"] / entry["seconds"]["median"]
        entry["recon_memory_ratio"] = recon["peak_rss_mib"]["median"] / entry["peak_rss_mib"]["median"]
    return out


# -- main ------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                   help="comma-separated order counts (default: 100000,300000,1000000)")
    p.add_argument("--reps", default="3",
                   help="repetitions of each measurement: one number, or one per size (3,3,2) (default 3)")
    p.add_argument("--throughput-reps", type=int, default=None,
                   help="repetitions of the fuzzy and X12 throughput figures (default: --reps)")
    p.add_argument("--skip-compare", action="store_true", help="skip recon vs datacompy, pandas and DuckDB SQL")
    p.add_argument("--spark-orders", type=int, default=100_000,
                   help="sample size of the Spark-against-DuckDB figure (0: skip; needs the spark extra and Java 17+)")
    p.add_argument("--x12-segments", type=int, default=1_000_000,
                   help="segments in the synthesised X12 throughput file (0: skip)")
    p.add_argument("--memory-limit", default="1GB",
                   help="DuckDB memory limit for one extra end-to-end run at the largest size ('none': skip)")
    p.add_argument("--as-of", default=DEFAULT_AS_OF, help="as-of time of the generated samples")
    p.add_argument("--data-dir", type=Path, default=HERE / "data", help="where samples and run outputs go")
    p.add_argument("--results", type=Path, default=HERE / "results",
                   help="results file stem: writes STEM.md and STEM.json (default bench/results)")
    p.add_argument("--max-busy", type=float, default=0.25,
                   help="wait before a measurement while other processes use more than this share of the CPUs")
    p.add_argument("--load-wait", type=float, default=90.0, help="longest wait for a quiet machine, seconds")
    p.add_argument("--render-only", action="store_true", help="rewrite STEM.md from STEM.json and exit")
    p.add_argument("--memory-limit-only", action="store_true",
                   help="measure only the memory-limited run (largest size) again, into the existing STEM.json")
    p.add_argument("--startup-only", action="store_true",
                   help="measure only `recon --version/--help` start times again, into the existing STEM.json")
    p.add_argument("--fuzzy-only", action="store_true",
                   help="measure only the fuzzy matching figures (every size) again, into the existing STEM.json")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    md, js = args.results.with_suffix(".md"), args.results.with_suffix(".json")
    if args.render_only:  # targets are judged again: the rules for judging may have changed
        results = json.loads(js.read_text())
        results["targets"] = evaluate(results)
        js.write_text(json.dumps(results, indent=1, default=str) + "\n")
        md.write_text(render(results))
        log(f"wrote {md} and {js}")
        return 0
    if args.memory_limit_only:
        return remeasure_memory_limit(args, md, js)
    if args.fuzzy_only:
        return remeasure_fuzzy(args, md, js)
    if args.startup_only:
        return remeasure_startup(args, md, js)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    reps_list = [int(r) for r in str(args.reps).split(",") if r.strip()]
    reps = dict(zip(sizes, reps_list + [reps_list[-1]] * (len(sizes) - len(reps_list)), strict=True))
    args.data_dir.mkdir(parents=True, exist_ok=True)
    compare_python: Path | None = None
    compare_error = None
    if not args.skip_compare:
        try:
            compare_python = ensure_compare_venv()
        except (OSError, subprocess.CalledProcessError) as exc:  # no network: still measure the rest
            compare_error = f"bench venv for datacompy could not be built: {exc}"
            log(compare_error)
    started = datetime.now(UTC)
    bench = Bench(args)
    results: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine_info(),
        "git_commit": _git_commit(),
        "versions": {"product": package_versions(sys.executable, PRODUCT_PACKAGES),
                     "compare_venv": package_versions(compare_python, COMPARE_PACKAGES) if compare_python else None},
        "settings": {"sizes": sizes, "reps": {str(n): r for n, r in reps.items()},
                     "throughput_reps": args.throughput_reps, "as_of": args.as_of, "seed": SEED,
                     "spark_orders": args.spark_orders, "x12_segments": args.x12_segments,
                     "memory_limit": args.memory_limit, "max_busy": args.max_busy},
        "samples": {}, "end_to_end": {}, "compare": {}, "fuzzy": {}, "edi": {}, "memory_limited": None,
        "x12_throughput": None, "spark": None,
        "compare_error": compare_error,
    }
    wait_for_quiet(args.max_busy, args.load_wait, log)
    results["startup"] = measure_startup()
    samples = {n: ensure_sample(args.data_dir, n, args.as_of) for n in sizes}
    for n, (_, info) in samples.items():
        results["samples"][str(n)] = {k: v for k, v in info.items() if k != "truth"} | {
            "truth_ship_qty": {k: info["truth"].get(k, 0) for k in ("shipped-not-posted", "ship-qty-mismatch")}}
    for n in sizes:
        path, _ = samples[n]
        config = path / "recon.yaml"
        log(f"== {n} orders ==")
        results["end_to_end"][str(n)] = bench.end_to_end(n, path, config, reps[n])
        if not args.skip_compare:
            results["compare"][str(n)] = bench.compare(n, path, reps[n], compare_python)
        results["fuzzy"][str(n)] = bench.fuzzy(n, config, args.throughput_reps or reps[n])
        results["edi"][str(n)] = bench.edi(n, config, args.throughput_reps or reps[n])
        _write(results, bench, md, js)  # partial results survive an interrupted run
    if args.x12_segments:
        log(f"== X12 throughput, {args.x12_segments:,} segments ==")
        results["x12_throughput"] = bench.x12_throughput(args.x12_segments, args.throughput_reps or 1)
        _write(results, bench, md, js)
    if args.spark_orders:
        log(f"== Spark against DuckDB, {args.spark_orders:,} orders ==")
        spark_sample, _ = ensure_sample(args.data_dir, args.spark_orders, args.as_of)
        results["spark"] = bench.spark(args.spark_orders, spark_sample, args.throughput_reps or 1)
        _write(results, bench, md, js)
    if args.memory_limit.lower() != "none":
        n = max(sizes)
        results["memory_limited"] = measure_memory_limited(bench, args, n, samples[n][0])
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    _write(results, bench, md, js)
    for line in results["targets"]:
        log(f"target {line['status']:>6}: {line['target']}: {line['measured']}")
    log(f"wrote {md} and {js}")
    return 0


def measure_memory_limited(bench: Bench, args: argparse.Namespace, n: int, path: Path) -> dict[str, Any]:
    """One end-to-end run at `n` orders with DuckDB's memory_limit, sampling the spill directory."""
    log(f"== {n} orders, DuckDB memory_limit {args.memory_limit} ==")
    config = memory_limited_config(path, args.memory_limit)
    limited = bench.end_to_end(n, path, config, 1, tag="-memlimit")
    limited["memory_limit"] = args.memory_limit
    shutil.rmtree(path / "spill", ignore_errors=True)
    return limited


def remeasure_memory_limit(args: argparse.Namespace, md: Path, js: Path) -> int:
    """Re-take only the memory-limited figure (e.g. it ran on a busy machine), keeping the rest."""
    results = json.loads(js.read_text())
    n = max(int(s) for s in results["settings"]["sizes"])
    path, _ = ensure_sample(args.data_dir, n, results["settings"]["as_of"])
    bench = Bench(args)
    bench.measurements = [m for m in results.get("measurements", []) if not m["label"].startswith("e2e-memlimit")]
    results["memory_limited"] = measure_memory_limited(bench, args, n, path)
    results["memory_limited_remeasured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    _write(results, bench, md, js)
    log(f"wrote {md} and {js}")
    return 0


def remeasure_fuzzy(args: argparse.Namespace, md: Path, js: Path) -> int:
    """Re-take only the fuzzy matching figures (e.g. after the way they are measured changed), keeping the rest."""
    results = json.loads(js.read_text())
    bench = Bench(args)
    bench.measurements = [m for m in results.get("measurements", []) if not m["label"].startswith("fuzzy")]
    reps = args.throughput_reps or 1
    for n in sorted(int(s) for s in results["settings"]["sizes"]):
        path, _ = ensure_sample(args.data_dir, n, results["settings"]["as_of"])
        results["fuzzy"][str(n)] = bench.fuzzy(n, path / "recon.yaml", reps)
    results["fuzzy_remeasured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    _write(results, bench, md, js)
    log(f"wrote {md} and {js}")
    return 0


def remeasure_startup(args: argparse.Namespace, md: Path, js: Path) -> int:
    """Re-take only the command start times (`recon --version`, `--help`), keeping the rest."""
    results = json.loads(js.read_text())
    wait_for_quiet(args.max_busy, args.load_wait, log)
    results["startup"] = measure_startup()
    results["startup"]["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["startup"]["git_commit"] = _git_commit()
    bench = Bench(args)
    bench.measurements = results.get("measurements", [])
    _write(results, bench, md, js)
    log(f"wrote {md} and {js}")
    return 0


def _write(results: dict[str, Any], bench: Bench, md: Path, js: Path) -> None:
    results["measurements"] = bench.measurements
    results["targets"] = evaluate(results)
    js.write_text(json.dumps(results, indent=1, default=str) + "\n")
    md.write_text(render(results))


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() or None
    except OSError:
        return None


__all__ = ["TARGETS", "main"]

if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
