"""`recon history --metrics` (--json, --csv) over a state with three recorded runs.

A tiny project: ERP and WMS stock (one site named like a spreadsheet formula, as a hostile
extract could name it) and a check rule on the WMS stock. Between runs the WMS count of one item
changes, so the inventory variance moves and the check's exception resolves.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main

CONFIG = """
rules: [pack.yaml]
currency: USD
ownership: {stock: wms}
sources:
  erp_stock:
    system: erp
    entity: stock
    path: erp/stock.csv
    columns: {item_id: item, site: site, qty: qty}
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns: {order_id: order, line_no: line, item_id: item, unit_price: price}
  wms_stock:
    system: wms
    entity: stock
    path: wms/stock.csv
    columns: {item_id: item, site: site, qty: qty}
"""

PACK = """
pack: test-stock
workflow: inventory
title: Stock
rules:
  - id: stock-not-negative
    kind: check
    title: WMS stock is not negative
    table: wms.stock
    keys: [item_id, site]
    require: qty >= 0
    outcome: {exception: negative-stock, severity: high, owner: operations}
"""
HOSTILE = "=HYPERLINK(1)"
AS_OF = ("2026-11-18T06:00:00Z", "2026-11-19T06:00:00Z", "2026-11-20T06:00:00Z")
WMS_A = (-2, 7, 10)  # item A at P1 in the WMS, per run; the ERP books 10 at 5.00


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("history-metrics")
    for folder in ("erp", "wms"):
        (root / folder).mkdir()
    (root / "recon.yaml").write_text(textwrap.dedent(CONFIG).lstrip())
    (root / "pack.yaml").write_text(textwrap.dedent(PACK).lstrip())
    (root / "erp" / "stock.csv").write_text(f"item,site,qty\nA,P1,10\nB,{HOSTILE},4\n")
    (root / "erp" / "lines.csv").write_text("order,line,item,price\nSO1,1,A,5.00\nSO2,1,B,2.50\n")
    for as_of, qty in zip(AS_OF, WMS_A, strict=True):
        (root / "wms" / "stock.csv").write_text(f"item,site,qty\nA,P1,{qty}\nB,{HOSTILE},4\n")
        result = CliRunner().invoke(main, ["run", "--config", str(root / "recon.yaml"), "--as-of", as_of,
                                           "--out", str(root / "out" / as_of[:10])])
        assert result.exit_code == 0, result.output
    return root


def history(project: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["history", "--metrics", "--config", str(project / "recon.yaml"), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_lists_every_run_and_a_three_point_trend_per_metric(project):
    data = json.loads(history(project, "--json"))
    assert [r["as_of"][:10] for r in data["runs"]] == [a[:10] for a in AS_OF]
    series = {(t["metric"], t["member"]): t for t in data["trend"]}
    variance = [p["value"] for p in series[("inventory_variance_value", "")]["points"]]
    assert variance == [abs(10 - q) * 5.0 for q in WMS_A]  # by hand: |book - WMS| x 5.00
    assert all(len(t["points"]) == 3 for t in data["trend"])
    rates = [p["value"] for p in series[("auto_match_rate", "")]["points"]]
    assert rates == [0.5, 1.0, 1.0]  # 1 of 2 WMS rows fails the check in the first run only
    mttr = [p["value"] for p in series[("mttr_hours", "")]["points"]]
    assert mttr == [None, 24.0, None]  # the negative stock was found on the 18th, gone on the 19th
    by_site = {(m["as_of"][:10], m["member"]): m["value"] for m in data["metrics"]
               if m["metric"] == "inventory_variance_value" and m["dimension"] == "site"}
    assert by_site[("2026-11-18", "P1")] == 60.0 and by_site[("2026-11-18", HOSTILE)] == 0.0


def test_limit_keeps_the_most_recent_runs(project):
    data = json.loads(history(project, "--json", "--limit", "2"))
    assert [r["as_of"][:10] for r in data["runs"]] == [a[:10] for a in AS_OF[1:]]


def test_csv_has_one_line_per_value_and_neutralises_formulas(project):
    text = history(project, "--csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == ["run_id", "as_of", "metric", "dimension", "member", "bucket", "value", "numerator",
                              "denominator", "unit"]
    data = json.loads(history(project, "--json"))
    assert len(table) == len(data["metrics"])
    members = {r["member"] for r in table}
    assert "'" + HOSTILE in members and HOSTILE not in members  # a spreadsheet shows it as text
    assert {r["as_of"][:10] for r in table} == {a[:10] for a in AS_OF}
    assert all("T" in r["as_of"] for r in table)


def test_terminal_lists_each_trended_metric(project):
    text = history(project)
    assert "operating metrics, 3 runs" in text and "inventory variance" in text and "SLO attainment" in text


def test_metrics_refuses_audit_and_type(project):
    result = CliRunner().invoke(main, ["history", "--metrics", "--audit", "--config", str(project / "recon.yaml")])
    assert result.exit_code == 2 and "--metrics" in result.output


def test_no_runs_yet_is_an_empty_listing(tmp_path):
    state = tmp_path / "state.duckdb"
    result = CliRunner().invoke(main, ["history", "--metrics", "--state", str(state), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["runs"] == []
    result = CliRunner().invoke(main, ["history", "--metrics", "--state", str(state), "--csv"])
    assert result.stdout.splitlines() == [
        "run_id,as_of,metric,dimension,member,bucket,value,numerator,denominator,unit"]
