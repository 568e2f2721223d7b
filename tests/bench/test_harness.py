"""Smoke tests of the benchmark harness (bench/): fast, small data, no datacompy (it lives in its own venv).

The point is that `make bench` measures the right thing: every way of doing the core comparison
finds the same discrepancies as recon's rule, and the child-process plumbing reports time, peak
memory and the child's JSON.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import core_compare as cc  # noqa: E402
import harness  # noqa: E402
import results_md  # noqa: E402

AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from recon.sample import generate

    out = tmp_path_factory.mktemp("bench") / "orders-1000"
    generate(out, orders=1000, seed=7, as_of=AS_OF)
    return out


def test_every_way_finds_the_same_discrepancies(sample: Path) -> None:
    recon = cc.as_rows(cc.discrepancies_recon(sample, AS_OF))
    duck = cc.as_rows(cc.discrepancies_duckdb(sample, AS_OF))
    pand = cc.as_rows(cc.discrepancies_pandas(sample, AS_OF))
    assert recon == duck == pand
    truth = (sample / "truth.csv").read_text().splitlines()
    expected = {k: sum(1 for line in truth if line.startswith(k + ",")) for k in cc.KINDS}
    assert cc.by_kind(recon) == expected
    assert sum(expected.values()) > 0


def test_child_reports_time_memory_and_json(tmp_path: Path) -> None:
    code = "import json; x = bytearray(64 * 2**20); print('noise'); print(json.dumps({'seconds': 0.5}))"
    m = harness.run_child("t", [sys.executable, "-c", code])
    assert m.ok and m.report == {"seconds": 0.5}
    assert m.peak_rss_mib >= 64  # the child's own peak, from wait4
    assert m.wall_s > 0 and 0 <= m.foreign_cpu_share <= 1
    assert len(m.loadavg_before) == 3


def test_stat_and_targets() -> None:
    s = harness.stat([3.0, 1.0, 2.0])
    assert (s.median, s.min, s.max, round(s.spread, 2)) == (2.0, 1.0, 3.0, 1.0)
    def one(x: float) -> dict[str, float]:
        return harness.stat([x]).to_dict()

    results = {
        "end_to_end": {
            "100000": {"wall_s": one(4.0), "peak_rss_mib": one(500), "cpu_s": one(4), "us_per_order": 40.0},
            "1000000": {"wall_s": one(44.0), "peak_rss_mib": one(4000), "cpu_s": one(40), "us_per_order": 44.0},
        },
        "compare": {"1000000": {"methods": {
            "recon": {"seconds": one(2.0)}, "duckdb": {"seconds": one(1.5)},
            "pandas": {"seconds": one(9.0)}, "datacompy": {"seconds": one(20.0)},
        }}},
    }
    status = {t["key"]: t["status"] for t in results_md.evaluate(results)}
    assert status == {"e2e_time": "met", "e2e_memory": "MISSED", "vs_datacompy": "met", "vs_pandas": "MISSED",
                      "vs_floor": "met", "scaling": "met", "memory_limit": "not measured", "startup": "not measured"}
    assert "| 1M orders end to end ≤ 45 s | met |" in results_md.render({**results, "targets": results_md.evaluate(
        results)})
