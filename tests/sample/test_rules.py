"""End to end: the bundled rule packs find exactly the injected discrepancies, nothing else.

This is the contract between `recon sample` and the rule packs: windows and tolerances in
docs/sample.md are the packs' defaults, and every look-alike must stay quiet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from recon import api
from recon.sample import WINDOWS, generate
from recon.sample.generate import FILES
from recon.score import Score, score_files

from .conftest import AS_OF

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = ROOT / "sample_data"

# rule pack parameter -> the window the sample was generated for (docs/sample.md)
PACK_DEFAULTS = {
    "wms_intake_window": f"{WINDOWS.released_not_in_wms // 3600}h",
    "release_to_ship_slo": f"{WINDOWS.stuck_after_release // 3600}h",
    "post_window": f"{WINDOWS.shipped_not_posted // 3600}h",
    "invoice_cutoff": f"{WINDOWS.shipped_not_invoiced // 3600}h",
    "tms_sync_window": f"{WINDOWS.shipment_not_in_tms // 3600}h",
    "pod_window": f"{WINDOWS.no_proof_of_delivery // 86400}d",
    "ack_window": f"{WINDOWS.edi_ack_overdue // 3600}h",
    "edi_order_window": f"{WINDOWS.edi_order_in_erp // 3600}h",
    "stock_qty_tolerance": WINDOWS.stock_qty_tolerance,
    "in_transit_window": f"{WINDOWS.in_transit_overdue // 86400}d",
    "amount_tolerance": WINDOWS.amount_tolerance,
    "price_tolerance": WINDOWS.price_tolerance,
}


def test_pack_defaults_are_the_sample_windows() -> None:
    defaults: dict[str, object] = {}
    for pack in sorted((ROOT / "rules").glob("*.yaml")):
        for name, spec in (yaml.safe_load(pack.read_text(encoding="utf-8")).get("parameters") or {}).items():
            defaults[name] = spec.get("default")
    assert {k: defaults.get(k) for k in PACK_DEFAULTS} == PACK_DEFAULTS


def problems(result: Score) -> dict[str, object]:
    return {t.exception_type: {"missed": t.missed, "unexpected": t.false_alarms}
            for t in result.types if not t.perfect}


def run_and_score(folder: Path, out: Path) -> Score:
    # the history beside the output, never in the folder scored (the committed sample_data/ is tracked)
    ctx = api.run(folder / "recon.yaml", out=out, state=out.with_name(f"{out.name}-state.duckdb"))
    rules = ctx.summary["rules"]
    assert rules["rules_failed"] == 0 and rules["rules_run"] > 0, rules["warnings"]
    return score_files(folder / "truth.csv", out / "exceptions.csv")


@pytest.mark.parametrize(("seed", "as_of", "chunk_size"), [
    (7, AS_OF, 5000),
    (11, AS_OF, 5000),
    (23, datetime(2026, 3, 9, 15, 30, tzinfo=UTC), 5000),  # the week US clocks moved forward, mid-afternoon
    (31, datetime(2026, 7, 4, 1, 0, tzinfo=UTC), 97),  # small chunks: several interchanges per partner and hour
])
def test_bundled_rules_find_exactly_the_truth(make_sample: Callable[..., Path], tmp_path: Path, seed: int,
                                              as_of: datetime, chunk_size: int) -> None:
    folder = make_sample(seed=seed, as_of=as_of, chunk_size=chunk_size)
    result = run_and_score(folder, tmp_path / "run")
    assert result.perfect, problems(result)
    assert result.total.truth >= 66


def test_committed_sample_data_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate(tmp_path, orders=300, seed=7, as_of=AS_OF)
    stale = [name for name in (*FILES, "truth.csv", "recon.yaml")
             if (tmp_path / name).read_bytes() != (SAMPLE_DATA / name).read_bytes()]
    assert not stale, (
        f"sample_data/ is out of date ({', '.join(stale)}); regenerate it with: recon sample --out sample_data "
        "--orders 300 --seed 7 --as-of 2026-11-20T06:00:00+00:00"
    )


def test_committed_sample_data_scores_perfectly(tmp_path: Path) -> None:
    result = run_and_score(SAMPLE_DATA, tmp_path / "demo")
    assert result.perfect, problems(result)
