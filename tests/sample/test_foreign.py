"""`recon sample --profile foreign`: other shapes and conventions, bundled packs plus config, the same truth.

The foreign profile's recon.yaml uses the source semantics of real exports (a filtered AR extract,
a pivoted carrier event log, dated 3PL files with re-sends and snapshots, a header-id lookup,
dotted line numbers) and business-day clocks; the bundled packs must find exactly its truth.csv.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from recon.cli import main
from recon.config import load_project
from recon.sample import generate
from recon.sample.clock import Clock
from recon.sample.windows import ALL_TYPES, TYPES
from recon.sample.workdays import WorkCalendar, company_holidays

from .test_rules import problems, run_and_score

FOREIGN_AS_OF = datetime(2026, 11, 30, 12, tzinfo=UTC)  # Monday 06:00 Chicago, after Thanksgiving


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def foreign_2k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, object]]:
    """sample --profile foreign (2,000 orders) -> run -> score --json, all through the CLI."""
    root = tmp_path_factory.mktemp("foreign")
    sample, run = root / "sample", root / "run"
    code, out = _cli("sample", "--profile", "foreign", "--out", str(sample), "--orders", "2000", "--json")
    assert code == 0, out
    assert json.loads(out)["shortfall"] == {}
    code, out = _cli("run", "--config", str(sample / "recon.yaml"), "--out", str(run),
                     "--state", str(root / "state.duckdb"))
    assert code == 0, out
    code, out = _cli("score", "--truth", str(sample / "truth.csv"), "--exceptions", str(run / "exceptions.csv"),
                     "--json", "--details")
    assert code == 0, out
    return sample, run, json.loads(out)


def test_foreign_profile_scores_perfectly_at_2k(foreign_2k: tuple[Path, Path, dict[str, object]]) -> None:
    sample, _, score = foreign_2k
    types = {t["exception_type"]: t for t in score["types"]}  # type: ignore[index]
    # the classic's and its own, units and transfers included (#22)
    assert set(types) == set(ALL_TYPES) == set(TYPES) | {"posted-not-shipped"}
    assert all(t["precision"] == 1.0 and t["recall"] == 1.0 and t["truth"] >= 3 for t in types.values())
    assert (sample / "edi" / "inbound_850.x12").stat().st_size > 0
    # transfers the 3PL received before the ERP posted them: scored 1.0 only because the 3PL's
    # receipts (wms.transfers) take them out of transit, else each is a false stock-variance
    open_in_erp = {r.split(";")[0] for r in (sample / "erp/mtl_intransit.csv").read_text().splitlines()[1:]
                   if not r.split(";")[-1]}
    received_by_3pl = {r.split(",")[3] for r in (sample / "3pl/transfer_receipts.csv").read_text().splitlines()[1:]}
    assert len(open_in_erp & received_by_3pl) >= 3
    # two partners acknowledge our set 0042 as AK2*856*42: edi-rejected and edi-ack-missing still score 1.0
    acks = (sample / "edi" / "inbound_997.x12").read_text()
    assert "AK2*856*0" in acks and any(f"AK2*{t}*{d}" in acks for t in ("856", "810") for d in "123456789")


def test_the_run_summary_shows_each_source_semantic(foreign_2k: tuple[Path, Path, dict[str, object]]) -> None:
    sample, run, _ = foreign_2k
    sources = {s["source"]: s for s in json.loads((run / "summary.json").read_text())["sources"]}
    # the AR extract's freight lines are filtered, not rejected: one per invoice
    freight = sum(1 for line in (sample / "erp/ar_invoice_lines.csv").read_text().splitlines() if ";FREIGHT;" in line)
    assert freight > 100 and sources["erp_ar"]["rows_filtered"] == freight
    # each delivered shipment is re-sent by the 3PL: the older copy is superseded
    resent = sum(line.count('"status":"DELIVERED"') for p in (sample / "3pl").glob("ship_confirm_*.jsonl")
                 for line in p.read_text().splitlines())
    assert resent > 100 and sources["tpl_shipments"]["rows_superseded"] == resent
    # the as-of day's stock snapshot is read, the two older ones are not
    assert sorted(p.name for p in (sample / "3pl").glob("stock_*.csv")) == [
        "stock_20261128.csv", "stock_20261129.csv", "stock_20261130.csv"]
    assert sources["tpl_stock"]["snapshots"] == ["3pl/stock_20261130.csv (2026-11-30)"]
    # the carrier's events fold into one row per shipment; the TMS's loads explode into one per shipment
    assert sources["carrier_events"]["rows_pivoted"] > sources["carrier_events"]["rows_loaded"] > 1000
    loads = len((sample / "tms/loads.jsonl").read_text().splitlines())
    assert sources["tms_loads"]["rows_read"] == loads
    assert sources["tms_loads"]["rows_loaded"] == loads + sources["tms_loads"]["rows_exploded"] > 2 * loads
    assert all(s.get("rows_rejected", 0) == 0 for s in sources.values())
    # the latency targets are in working days: measured on the calendar, never more than the clock's days
    clock = json.loads((run / "summary.json").read_text())["latency"]["release_to_ship"]
    assert clock["slo"]["calendar"] == "default" and clock["pairs"] > 1000
    assert 0 < clock["p95_business_days"] <= clock["p95_hours"] / 24


def test_dotted_and_billing_item_line_numbers_reach_the_findings(
        foreign_2k: tuple[Path, Path, dict[str, object]]) -> None:
    _, run, _ = foreign_2k
    with (run / "exceptions.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    order_lines = {r["line_no"] for r in rows if r["exception_type"] in ("shipped-not-posted", "invoice-qty-mismatch")}
    invoice_lines = {r["line_no"] for r in rows if r["exception_type"] == "invoice-amount-mismatch"}
    assert order_lines and all(n.endswith(".1") for n in order_lines)
    assert invoice_lines and all(n.endswith("0") and "." not in n for n in invoice_lines)
    # our 856 names each item's PO line (LIN PL): an ASN mismatch says which order line, by PO and PO line
    asn = [r for r in rows if r["exception_type"] == "asn-qty-mismatch"]
    assert len(asn) >= 3 and all(r["customer_po"] and r["line_no"].isdigit() and r["order_id"] for r in asn)
    # a goods issue the 3PL never confirmed: the ERP's dotted line, worth its posted quantity
    posted = [r for r in rows if r["exception_type"] == "posted-not-shipped"]
    assert len(posted) >= 3 and all(r["line_no"].endswith(".1") and float(r["value_at_risk"]) > 0 for r in posted)


def test_the_calendar_and_the_override_are_what_the_score_rests_on(
        foreign_2k: tuple[Path, Path, dict[str, object]], tmp_path: Path) -> None:
    """The same extracts with calendar-hour clocks flag orders the closed warehouse could not ship,
    without the overrides the 850 lines and the ASNs' PO lines (1, 2) never meet the ERP's (1.1,
    2.1), and without the derived status the orders cancelled by zero quantities look released and
    lost."""
    sample, _, _ = foreign_2k
    config = yaml.safe_load((sample / "recon.yaml").read_text())
    assert config["parameters"] == {"release_to_ship_slo": "2bd", "invoice_cutoff": "3bd", "invoice_clock": "posting"}
    assert list(config["overrides"]["rules"]) == ["edi-order-lines-match-erp", "asn-matches-shipment"]
    config["parameters"] = {"release_to_ship_slo": "48h", "invoice_cutoff": "72h"}
    del config["overrides"]
    assert list(config["derive"]) == ["zero-qty-cancels-order", "tms-deliveries"]
    del config["derive"]["zero-qty-cancels-order"]
    (sample / "hours.yaml").write_text(yaml.safe_dump(config))
    hours = tmp_path / "hours"
    code, out = _cli("run", "--config", str(sample / "hours.yaml"), "--out", str(hours),
                     "--state", str(tmp_path / "state.duckdb"))
    assert code == 0, out
    code, out = _cli("score", "--truth", str(sample / "truth.csv"), "--exceptions", str(hours / "exceptions.csv"),
                     "--json")
    types = {t["exception_type"]: t for t in json.loads(out)["types"]}
    assert code == 1
    assert types["order-stuck-after-release"]["fp"] > 10 and types["order-stuck-after-release"]["recall"] == 1.0
    assert types["edi-order-qty-mismatch"]["recall"] == 0.0 and types["edi-order-price-mismatch"]["recall"] == 0.0
    assert types["asn-qty-mismatch"]["recall"] == 0.0  # PO line 2 never pairs with the 3PL's 2.1
    assert types["released-not-in-wms"]["fp"] > 5


def test_foreign_recon_yaml_is_valid_and_uses_no_custom_pack(tmp_path: Path) -> None:
    generate(tmp_path, orders=200, seed=3, as_of=FOREIGN_AS_OF, profile="foreign")
    project = load_project(tmp_path / "recon.yaml")
    assert "rules" not in yaml.safe_load((tmp_path / "recon.yaml").read_text())  # the bundled packs
    assert {"erp_headers", "erp_lines", "erp_ar", "tpl_shipments", "tpl_stock", "carrier_events"} <= set(
        project.config.sources)


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate(tmp_path / name, orders=400, seed=seed, as_of=FOREIGN_AS_OF, profile="foreign")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in files)
    assert (tmp_path / "a/truth.csv").read_bytes() != (tmp_path / "c/truth.csv").read_bytes()


def test_another_seed_as_of_and_chunking_score_perfectly(tmp_path: Path) -> None:
    folder = tmp_path / "sample"
    # a Wednesday in March, US clocks just moved forward; chunks of 250 orders
    result = generate(folder, orders=1000, seed=11, as_of=datetime(2026, 3, 11, 15, tzinfo=UTC), profile="foreign",
                      chunk_size=250)
    assert result.shortfall == {}
    score = run_and_score(folder, tmp_path / "run")
    assert score.perfect, problems(score)


def test_edifact_share_is_a_classic_option(tmp_path: Path) -> None:
    code, out = _cli("sample", "--profile", "foreign", "--edifact-share", "0.5", "--out", str(tmp_path))
    assert code == 2 and "classic" in out
    with pytest.raises(ValueError, match="profile"):
        generate(tmp_path, orders=10, seed=1, as_of=FOREIGN_AS_OF, profile="nope")


def test_work_calendar_matches_recons_business_day_rule() -> None:
    cal = WorkCalendar(Clock("America/Chicago"), range(2026, 2027))
    assert date(2026, 11, 26) in company_holidays(2026) and date(2026, 11, 27) in company_holidays(2026)
    wed = int(datetime(2026, 11, 25, 16, tzinfo=UTC).timestamp())  # Wednesday 10:00 Chicago
    monday = int(datetime(2026, 11, 30, 12, tzinfo=UTC).timestamp())
    assert cal.next_open(int(datetime(2026, 11, 27, 16, tzinfo=UTC).timestamp())) == monday + 4 * 3600
    assert not cal.late(wed, monday, 2)  # Thu, Fri holidays; Sat, Sun off: Monday is the first working day
    assert not cal.late(wed, monday + 86400, 2)  # Tuesday 06:00: two working days, not yet past 10:00
    assert cal.late(wed, monday + 86400 + 5 * 3600, 2)  # Tuesday 11:00
