"""`make score`: every `recon sample` profile at a realistic size, scored against its answer key.

    .venv/bin/python bench/score.py                         # classic and foreign, 20,000 orders
    .venv/bin/python bench/score.py --orders 2000 --profiles foreign

For each profile: `recon sample` (seed 7, the profile's default as-of) into
bench/data/score-PROFILE-N/ (git-ignored, regenerated every time: the generator is part of what is
measured), `recon run` with the sample's own recon.yaml (bundled packs and config only), then
`recon score --json`. Prints per type truth, found, precision and recall and the timings, writes
them to bench/score.md, and exits 1 when any type of any profile is below 1.0 (2 when a step
fails). `make test` scores both profiles at 2,000 orders; this is the size the tests cannot afford.
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
RECON = Path(sys.executable).parent / "recon"
PROFILES = ("classic", "foreign")
SEED = 7


def _step(args: list[str], what: str) -> tuple[float, str]:
    """Run one recon command; its wall time and stdout. A failed step stops the bench (exit 2)."""
    started = time.perf_counter()
    done = subprocess.run([str(RECON), *args], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if what == "score" and done.returncode in (0, 1):
        return elapsed, done.stdout
    if done.returncode != 0 and not (what == "run" and done.returncode == 1):
        print(f"{what} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}", file=sys.stderr)
        raise SystemExit(2)
    return elapsed, done.stdout


def score_profile(profile: str, orders: int) -> dict[str, Any]:
    """sample -> run -> score for one profile; the score's per-type rows and the three timings."""
    folder = HERE / "data" / f"score-{profile}-{orders}"
    shutil.rmtree(folder, ignore_errors=True)
    sample, run_out = folder / "sample", folder / "run"
    t_sample, _ = _step(["sample", "--out", str(sample), "--orders", str(orders), "--seed", str(SEED),
                         "--profile", profile], "sample")
    t_run, _ = _step(["run", "--config", str(sample / "recon.yaml"), "--out", str(run_out),
                      "--state", str(folder / "state.duckdb")], "run")
    t_score, out = _step(["score", "--truth", str(sample / "truth.csv"),
                          "--exceptions", str(run_out / "exceptions.csv"), "--json"], "score")
    score = json.loads(out)
    return {"profile": profile, "orders": orders, "sample_s": round(t_sample, 1), "run_s": round(t_run, 1),
            "score_s": round(t_score, 1), "types": score["types"]}


def perfect(result: dict[str, Any]) -> bool:
    return all(t["precision"] == 1.0 and t["recall"] == 1.0 for t in result["types"])


def render(results: list[dict[str, Any]]) -> str:
    """bench/score.md: one table per profile, the timings and the machine's load."""
    lines = ["# Answer-key scores at size (`make score`)", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, seed {SEED}, each profile's default as-of, "
             f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.", ""]
    for r in results:
        truth = sum(t["truth"] for t in r["types"])
        lines += [f"## {r['profile']}, {r['orders']:,} orders: {'all 1.0' if perfect(r) else 'BELOW 1.0'}", "",
                  f"{len(r['types'])} types, {truth} truth rows; sample {r['sample_s']} s, run {r['run_s']} s, "
                  f"score {r['score_s']} s.", "",
                  "| type | truth | found | precision | recall |", "| --- | ---: | ---: | ---: | ---: |"]
        lines += [f"| {t['exception_type']} | {t['truth']} | {t['found']} | {t['precision']:.3f} | {t['recall']:.3f} |"
                  for t in r["types"]]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--profiles", nargs="+", choices=PROFILES, default=list(PROFILES))
    parser.add_argument("--write", type=Path, default=HERE / "score.md", help="where the tables go ('-': nowhere)")
    args = parser.parse_args(argv)
    results = []
    for profile in args.profiles:
        result = score_profile(profile, args.orders)
        below = [t["exception_type"] for t in result["types"] if t["precision"] < 1.0 or t["recall"] < 1.0]
        print(f"{profile} at {args.orders:,} orders: {len(result['types'])} types, "
              f"{'all 1.0' if not below else 'below 1.0: ' + ', '.join(below)}; "
              f"sample {result['sample_s']} s, run {result['run_s']} s", flush=True)
        results.append(result)
    if str(args.write) != "-":
        args.write.write_text(render(results), encoding="utf-8")
    return 0 if all(perfect(r) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
