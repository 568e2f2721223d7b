"""The CLI as users and cron see it: messages with locations, exit codes, no tracebacks."""

from __future__ import annotations

import json

from click.testing import CliRunner

from recon.cli import main
from recon.errors import EXIT_INCOMPLETE

GOOD = """
sources:
  erp_orders:
    system: erp
    entity: orders
    path: erp/orders.csv
    columns:
      order_id: VBELN
      customer_id: KUNNR
  wms_orders:
    system: wms
    entity: orders
    path: wms/orders.jsonl
    columns:
      order_id: order
"""
FILES = {"erp/orders.csv": "VBELN,KUNNR\n1,C1\n2,C2\n", "wms/orders.jsonl": '{"order": "1"}\n'}

BROKEN = """
sources:
  erp_orders:
    system: erp
    entity: order
    path: erp/orders.csv
    columns:
      order_id: VBELN
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns:
      order_id: VBELN
      line_no: POSNR
      qty: KWMNEG
  wms_orders:
    system: wms
    entity: orders
    path: wms/order.jsonl
    columns:
      order_id: order
"""
BROKEN_FILES = {
    "erp/orders.csv": "VBELN\n1\n",
    "erp/lines.csv": "VBELN,POSNR,KWMENG\n1,10,5\n",
    "wms/orders.jsonl": '{"order": "1"}\n',
}


def test_validate_reports_every_problem_at_once_with_locations(make_project):
    config = make_project(BROKEN, BROKEN_FILES)
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 2
    out = result.output
    assert "Traceback" not in out
    assert "recon.yaml:4 sources.erp_orders.entity: unknown entity 'order' (did you mean 'orders'?)" in out
    assert "'KWMNEG' not in the file" in out and "did you mean 'KWMENG'?" in out
    assert "recon.yaml:19 sources.wms_orders.path: no file matches 'wms/order.jsonl'" in out
    assert "orders.jsonl" in out  # the hint names what is there


def test_validate_json_lists_problems(make_project):
    config = make_project(BROKEN, BROKEN_FILES)
    result = CliRunner().invoke(main, ["validate", "--config", str(config), "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.output)
    assert {p["code"] for p in payload["problems"]} == {"C011", "I004", "I002"}
    assert all("file" in p for p in payload["problems"])


def test_unknown_keys_get_did_you_mean(make_project):
    config = make_project(GOOD.replace("path: erp/orders.csv", "path: erp/orders.csv\n    optoins: {}"), FILES)
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 2
    assert "unknown key 'optoins' (did you mean 'options'?)" in result.output


def test_config_from_environment(make_project, monkeypatch):
    config = make_project(GOOD, FILES)
    monkeypatch.setenv("RECON_CONFIG", str(config))
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output


def test_run_prints_counts_and_json(make_project, tmp_path):
    config = make_project(GOOD, FILES)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--as-of", "2026-11-20T06:00:00",
                                       "--out", str(out), "--json", "--allow-incomplete"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    # GOOD maps no released_at, status or customer_po: the bundled rules reading them say so.
    assert summary["complete"] is False and summary["failed_sources"] == []
    assert {r["rule"]: r["reason"] for r in summary["not_evaluated"]} == {
        "released-order-reaches-wms": "missing erp.orders.released_at, erp.orders.status",
        "customer-po-unique": "missing erp.orders.customer_po, erp.orders.status"}
    assert summary["as_of"] == "2026-11-20T06:00:00+00:00"
    by_source = {s["source"]: (s["rows_read"], s["rows_loaded"], s["rows_rejected"]) for s in summary["sources"]}
    assert by_source == {"erp_orders": (2, 2, 0), "wms_orders": (1, 1, 0)}
    assert (out / "summary.json").exists()


def test_missing_input_fails_the_source_but_not_the_run_unless_strict(make_project, tmp_path):
    config = make_project(GOOD, {"erp/orders.csv": FILES["erp/orders.csv"]})
    runner = CliRunner()
    loose = runner.invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "a")])
    assert loose.exit_code == EXIT_INCOMPLETE, loose.output
    assert "no file matches 'wms/orders.jsonl'" in loose.output and "INCOMPLETE" in loose.output
    allowed = runner.invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "c"), "--allow-incomplete"])
    assert allowed.exit_code == 0, allowed.output
    strict = runner.invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "b"), "--strict"])
    assert strict.exit_code == 3
    assert "Traceback" not in strict.output and "wms/orders.jsonl" in strict.output


def test_wrong_encoding_is_named_with_a_hint(make_project, tmp_path):
    config = make_project(GOOD, {"erp/orders.csv": "VBELN,KUNNR\n1,Café\n".encode("latin-1"),
                                 "wms/orders.jsonl": FILES["wms/orders.jsonl"]})
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o"), "--strict"])
    assert result.exit_code == 3
    assert "line 2 is not valid utf-8" in result.output and "encoding: latin-1" in result.output


def test_yaml_syntax_error_has_a_line(make_project):
    config = make_project("sources:\n  a: [unclosed\n")
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 2 and "not valid YAML" in result.output and "recon.yaml:" in result.output


def test_missing_config_file(tmp_path):
    result = CliRunner().invoke(main, ["run", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "file not found" in result.output
