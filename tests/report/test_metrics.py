"""Operating metrics (recon.report.metrics) on the generated sample, against counts made here by hand.

Three runs of one sample: the first as generated; before the second the duplicated invoice lines
are removed from the ERP's billing extract (so the duplicate-invoice exceptions resolve, which
gives MTTR something to measure); the third a day later on the same files. Every expected number
is counted in Python over the loaded tables, the summary or the exception files, never copied
from the code under test and never hard-coded.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from recon.api import RunResult, run
from recon.config import load_project
from recon.config.schema import Config
from recon.db import Database
from recon.report import rerender
from recon.report.metrics import AGE_BUCKETS, Metric, edi_duplicate_metrics, inventory_metrics, slo_metrics, trend
from recon.rules.cases import build_tables
from recon.sample import generate

AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)
DAY = timedelta(days=1)


def value(summary: dict[str, Any], metric: str, dimension: str = "", member: str = "",
          bucket: str = "") -> dict[str, Any]:
    found = [m for m in summary["metrics"]["values"] if (m["metric"], m["dimension"], m["member"], m["bucket"])
             == (metric, dimension, member, bucket)]
    assert len(found) == 1, (metric, dimension, member, bucket, found)
    return found[0]


def rows(db: Database, sql: str) -> list[dict[str, Any]]:
    return db.dicts(sql)


def shared_share(keys: Iterable[Any], distinct: Iterable[Any] | None = None) -> tuple[int, int]:
    """(records whose key another record shares, records): the duplicate count, by hand."""
    keys = list(keys)
    if distinct is None:
        counts = Counter(keys)
        return sum(1 for k in keys if counts[k] > 1), len(keys)
    values: dict[Any, set[Any]] = defaultdict(set)
    pairs = list(zip(keys, distinct, strict=True))
    for k, d in pairs:
        values[k].add(d)
    return sum(1 for k, _ in pairs if len(values[k]) > 1), len(pairs)


def bucket_of(hours: Any) -> str:
    if hours is None:
        return "unknown"
    for label, low, high in AGE_BUCKETS:
        if float(hours) >= low and (high is None or float(hours) < high):
            return label
    raise AssertionError(hours)


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[RunResult]]:
    root = tmp_path_factory.mktemp("metrics-sample")
    generate(root, orders=300, seed=7, as_of=AS_OF)
    config = root / "recon.yaml"
    results = [run(config, as_of=AS_OF, out=root / "out" / "1")]
    billing = root / "erp" / "billing.csv"
    lines = billing.read_text(encoding="utf-8").splitlines(keepends=True)
    billing.write_text("".join(dict.fromkeys(lines)), encoding="utf-8")  # each identical line once
    results.append(run(config, as_of=AS_OF + DAY, out=root / "out" / "2"))
    results.append(run(config, as_of=AS_OF + 2 * DAY, out=root / "out" / "3"))
    return root, results


def test_auto_match_rate_is_what_the_rules_that_ran_matched_of_what_they_compared(three_runs):
    result = three_runs[1][0]
    summary = result.summary
    ran = [r for r in summary["rules"]["rules"] if r["status"] == "ok"]
    compared, matched = sum(r["records_compared"] for r in ran), sum(r["records_matched"] for r in ran)
    overall = value(summary, "auto_match_rate")
    assert (overall["numerator"], overall["denominator"]) == (matched, compared)
    assert overall["value"] == pytest.approx(matched / compared, abs=1e-6)
    assert overall["value"] == summary["matching"]["auto_match_rate"]  # the first screen says the same
    for workflow in {r["workflow"] for r in ran}:
        mine = [r for r in ran if r["workflow"] == workflow]
        entry = value(summary, "auto_match_rate", "workflow", workflow)
        assert entry["denominator"] == sum(r["records_compared"] for r in mine)
        assert entry["numerator"] == sum(r["records_matched"] for r in mine)


def test_duplicate_rates_equal_counts_over_the_loaded_tables(three_runs):
    first, second = three_runs[1][0], three_runs[1][1]
    invoices = rows(first.db, "SELECT invoice_id, line_no FROM erp.invoice_lines")
    shared, total = shared_share((r["invoice_id"], r["line_no"]) for r in invoices)
    assert shared > 0  # the sample injects duplicated invoice lines
    entry = value(first.summary, "duplicate_rate", "entity", "invoices")
    assert (entry["numerator"], entry["denominator"]) == (shared, total)
    assert value(second.summary, "duplicate_rate", "entity", "invoices")["numerator"] == 0  # removed before run 2
    orders = [r for r in rows(first.db, "SELECT customer_id, customer_po, order_id, status FROM erp.orders")
              if r["customer_po"] is not None and (r["status"] or "") != "CANCELLED"]
    shared, total = shared_share(((r["customer_id"], r["customer_po"].strip().upper()) for r in orders),
                                 (r["order_id"] for r in orders))
    assert shared > 0
    entry = value(first.summary, "duplicate_rate", "entity", "orders")
    assert (entry["numerator"], entry["denominator"]) == (shared, total)
    documents = rows(first.db, "SELECT direction, partner_id, transaction_set, control_number FROM edi.edi_documents")
    shared, total = shared_share(tuple(r.values()) for r in documents)
    entry = value(first.summary, "duplicate_rate", "entity", "EDI documents")
    assert (entry["numerator"], entry["denominator"]) == (shared, total) and total > 0


def test_inventory_variance_equals_the_stock_tables_valued_by_hand(three_runs):
    """In base units and counting goods in transit: the sample's ERP books some items in cases (CS)
    that the WMS counts in eaches, so raw quantities would turn most of that stock into variance,
    and stock shipped between sites is booked at its destination before the WMS receives it."""
    result = three_runs[1][0]
    db = result.db
    factor: dict[tuple[str, str], float] = {}
    base: dict[str, str] = {}
    for r in rows(db, "SELECT item_id, from_uom, to_uom, factor FROM erp.uom_conversions"):
        factor[(r["item_id"], r["from_uom"])] = float(r["factor"])
        base[r["item_id"]] = r["to_uom"]
    assert factor, "the sample ships unit conversions"

    def per_base(item: str, unit: str | None) -> float:
        return 1.0 if unit in (None, base.get(item, "EA")) else factor.get((item, unit), 1.0)

    def unit_after(item: str, unit: str | None) -> str | None:
        return base.get(item, "EA") if unit is not None and (item, unit) in factor else unit

    price: dict[str, float] = {}
    for r in rows(db, "SELECT item_id, unit_price, uom, currency FROM erp.order_lines"):
        if r["unit_price"] is not None and r["currency"] in (None, "USD"):
            each = float(r["unit_price"]) / per_base(r["item_id"], r["uom"])
            price[r["item_id"]] = max(price.get(r["item_id"], 0.0), each)
    qty: dict[tuple[Any, Any, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    unit: dict[tuple[Any, Any, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for side, system in enumerate(("erp", "wms")):
        for r in rows(db, f"SELECT item_id, site, lot, qty, uom FROM {system}.stock"):
            key = (r["item_id"], r["site"], str(r["lot"] or ""))
            qty[key][side] += float(r["qty"] or 0) * per_base(r["item_id"], r["uom"])
            if (after := unit_after(r["item_id"], r["uom"])) is not None:
                unit[key][side].add(after)
    # goods shipped to a site and not received as of the run count with the WMS's stock there, as the
    # stock rule counts them
    transit = [r for r in rows(db, "SELECT item_id, to_site AS site, lot, qty, uom, shipped_at, received_at "
                                   "FROM erp.transfers")
               if r["shipped_at"] <= AS_OF and (r["received_at"] is None or r["received_at"] > AS_OF)]
    assert transit, "the sample ships open transfers"
    for r in transit:
        key = (r["item_id"], r["site"], str(r["lot"] or ""))
        qty[key][1] += float(r["qty"] or 0) * per_base(r["item_id"], r["uom"])
        if (after := unit_after(r["item_id"], r["uom"])) is not None:
            unit[key][1].add(after)
    apart = {k for k, (b, p) in unit.items() if b and p and b != p}  # uom-not-convertible: left out
    variance: dict[Any, float] = defaultdict(float)
    stock: dict[Any, float] = defaultdict(float)
    for (item, site, lot), (book, physical) in qty.items():
        if item in price and (item, site, lot) not in apart:
            variance[site] += abs(book - physical) * price[item]
            stock[site] += max(physical, 0.0) * price[item]
    assert sum(variance.values()) > 0  # the sample injects stock variances
    total = value(result.summary, "inventory_variance_value")
    assert total["value"] == pytest.approx(sum(variance.values()), abs=0.01) and total["unit"] == "USD"
    share = value(result.summary, "inventory_variance_share")
    assert share["value"] == pytest.approx(sum(variance.values()) / sum(stock.values()), abs=1e-6)
    for site in stock:
        assert value(result.summary, "inventory_variance_value", "site", site)["value"] == \
            pytest.approx(variance[site], abs=0.01)
        assert value(result.summary, "inventory_variance_share", "site", site)["denominator"] == \
            pytest.approx(stock[site], abs=0.01)


def test_exception_ageing_per_owner_counts_the_exceptions_by_their_age(three_runs):
    result = three_runs[1][2]
    found = rows(result.db, "SELECT owner, age_hours FROM main.exceptions")
    by_owner = Counter((r["owner"] or "unassigned", bucket_of(r["age_hours"])) for r in found)
    overall = Counter(bucket_of(r["age_hours"]) for r in found)
    measured = {(m["member"], m["bucket"]): m["value"] for m in result.summary["metrics"]["values"]
                if m["metric"] == "exceptions_aged" and m["dimension"] == "owner"}
    assert measured == {k: float(v) for k, v in by_owner.items()}
    for bucket, n in overall.items():
        assert value(result.summary, "exceptions_aged", bucket=bucket)["value"] == n
    old = sum(1 for r in found if r["age_hours"] is not None and float(r["age_hours"]) >= 168)
    assert value(result.summary, "exceptions_over_7d")["value"] == old


def test_mttr_is_the_mean_time_from_the_run_that_found_to_the_run_that_no_longer_found(three_runs):
    _, results = three_runs

    def found(n: int) -> dict[str, str]:
        table = json.loads(json.dumps(rows(results[n].db, "SELECT exception_id, owner FROM main.exceptions")))
        return {r["exception_id"]: r["owner"] or "unassigned" for r in table}

    before, after = found(0), found(1)
    resolved = {i: owner for i, owner in before.items() if i not in after}
    assert resolved  # the duplicated invoice lines were removed
    entry = value(results[1].summary, "mttr_hours")
    assert entry["denominator"] == len(resolved)
    assert entry["value"] == pytest.approx(24.0)  # each was open from run 1 to run 2, one day apart
    for owner, n in Counter(resolved.values()).items():
        assert value(results[1].summary, "mttr_hours", "owner", owner)["denominator"] == n
    assert value(results[0].summary, "mttr_hours")["value"] is None  # nothing to resolve on the first run
    assert any("resolved nothing" in n for n in results[0].summary["metrics"]["notes"])


def test_slo_attainment_is_the_share_of_judged_slos_met(three_runs):
    summary = three_runs[1][0].summary
    statuses = Counter(entry["status"] for entry in summary["latency"].values())
    judged = statuses["met"] + statuses["missed"]
    entry = value(summary, "slo_attainment")
    assert (entry["numerator"], entry["denominator"]) == (statuses["met"], judged) and judged > 0


def test_three_runs_give_a_three_point_trend_in_the_summary_the_report_and_the_state(three_runs):
    _, results = three_runs
    last = results[2]
    series = {(t["metric"], t["member"]): t for t in last.summary["metrics"]["trend"]}
    invoices = series[("duplicate_rate", "invoices")]
    assert [p["run_id"] for p in invoices["points"]] == [r.run_id for r in results]
    first_rate = value(results[0].summary, "duplicate_rate", "entity", "invoices")["value"]
    assert [p["value"] for p in invoices["points"]] == [first_rate, 0.0, 0.0]
    assert all(len(t["points"]) == 3 for t in series.values())
    html = (last.out_dir / "report.html").read_text(encoding="utf-8")
    section = html[html.index("Operating metrics, last 3 runs"):]
    row = section[section.index("duplicate rate: invoices"):]
    row = row[:row.index("</tr></table>")]
    assert row.count("<div style=\"width:8px;height:") == 3  # one bar per run
    assert "<script" not in section and "<svg" not in section and "http" not in section.split("Definitions")[0]


def test_slo_attainment_reads_only_each_named_slo_status():
    """Any named SLO counts (a pair of events the config names), whatever else its entry holds."""
    results = {"order_to_ship": {"status": "missed", "pairs": 9}, "edi_ack": {"status": "met"},
               "asn_to_invoice": {"status": "no-data"}, "x": {"status": "no-target"}}
    metrics, notes = slo_metrics(results)
    assert metrics[0] == Metric("slo_attainment", 0.5, numerator=1.0, denominator=2.0)
    assert {m.member: m.value for m in metrics[1:]} == {"edi_ack": 1.0, "order_to_ship": 0.0}
    assert "asn_to_invoice (no-data)" in notes[0] and "x (no-target)" in notes[0]
    none, _ = slo_metrics({})
    assert none[0].value is None  # nothing judged: not measured, never 100%


def test_a_reused_control_number_is_a_duplicate_edi_document():
    db = Database()
    db.execute("CREATE SCHEMA edi")
    db.execute("CREATE TABLE edi.edi_documents (direction VARCHAR, partner_id VARCHAR, transaction_set VARCHAR, "
               "control_number VARCHAR)")
    docs = [("out", "A", "856", "1"), ("out", "A", "856", "1"), ("out", "A", "856", "2"), ("out", "B", "856", "1"),
            ("in", "A", "856", "1")]
    db.con.executemany("INSERT INTO edi.edi_documents VALUES (?, ?, ?, ?)", docs)
    shared, total = shared_share(docs)
    (metric,), _ = edi_duplicate_metrics(db, [])
    assert (metric.numerator, metric.denominator, metric.member) == (shared, total, "EDI documents")
    assert (shared, total) == (2, 5)  # the two copies of out/A/856/1, of five


def test_a_trend_keeps_runs_that_did_not_measure_a_metric_as_gaps():
    history = [{"run_id": "r1", "as_of": "2026-11-18", "metric": "auto_match_rate", "dimension": "", "member": "",
                "bucket": "", "value": 0.9},
               {"run_id": "r2", "as_of": "2026-11-19", "metric": "slo_attainment", "dimension": "", "member": "",
                "bucket": "", "value": 1.0}]
    now = [Metric("auto_match_rate", 0.95), Metric("auto_match_rate", 0.5, dimension="workflow", member="edi")]
    (series,) = trend(history, "r3", "2026-11-20", now)
    assert [(p["run_id"], p["value"]) for p in series["points"]] == [("r1", 0.9), ("r2", None), ("r3", 0.95)]


def test_a_re_render_keeps_the_recorded_metrics_and_trend(three_runs, tmp_path):
    root, results = three_runs
    last = results[2]
    again = rerender(last.out_dir, load_project(root / "recon.yaml").config, out_dir=tmp_path / "again")
    assert again.summary["metrics"] == last.summary["metrics"]


def test_inventory_variance_counts_goods_in_transit_as_of_the_run_and_the_wms_receipts() -> None:
    """Site P1: ERP 40, WMS 28, a transfer of 12 shipped on the 2nd that the ERP never received:
    in transit from the 2nd, so no variance then, 12 units before it shipped. Site P2: ERP 40, WMS
    40, a transfer of 12 the WMS received on the 4th (wms.transfers) and the ERP has not: counted
    once from the 4th, and as in transit (12 units too many) before."""
    tables = {
        "erp.stock": [{"item_id": "A", "site": "P1", "qty": 40}, {"item_id": "A", "site": "P2", "qty": 40}],
        "wms.stock": [{"item_id": "A", "site": "P1", "qty": 28}, {"item_id": "A", "site": "P2", "qty": 40}],
        "erp.transfers": [
            {"transfer_id": "T1", "item_id": "A", "qty": 12, "to_site": "P1", "shipped_at": "2024-03-02T00:00:00Z"},
            {"transfer_id": "T2", "item_id": "A", "qty": 12, "to_site": "P2", "shipped_at": "2024-03-01T00:00:00Z"}],
        "wms.transfers": [{"transfer_id": "T2", "item_id": "A", "qty": 12, "to_site": "P2",
                           "received_at": "2024-03-04T00:00:00Z"}],
    }
    units: dict[int, dict[str, float | None]] = {}
    for day in (1, 3, 5):
        db = Database()
        try:
            build_tables(db, tables, list(tables))
            found, _ = inventory_metrics(db, Config(ownership={"stock": "wms"}),
                                         as_of=f"2024-03-{day:02d}T12:00:00+00:00")
            units[day] = {m.member: m.value for m in found if m.metric == "inventory_variance_units"}
        finally:
            db.close()
    assert units == {1: {"": 24.0, "P1": 12.0, "P2": 12.0}, 3: {"": 12.0, "P1": 0.0, "P2": 12.0},
                     5: {"": 0.0, "P1": 0.0, "P2": 0.0}}
