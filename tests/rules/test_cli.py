"""`recon rules list/show/test/docs` and `recon explain`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from recon.cli import main


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_list_shows_every_bundled_rule(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no recon.yaml here: the bundled packs
    code, out = invoke("rules", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {r["id"] for r in rows} >= {"shipment-posted-in-erp", "edi-order-in-erp", "stock-matches"}
    posted = next(r for r in rows if r["id"] == "shipment-posted-in-erp")
    assert posted["exceptions"] == ["shipped-not-posted", "posted-not-shipped", "uom-not-convertible",
                                    "ship-qty-mismatch"]


def test_show_prints_the_doc_entry(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    code, out = invoke("rules", "show", "customer-po-unique")
    assert code == 0
    for heading in ("What it checks", "Why it matters", "How to fix", "Example", "duplicate-customer-po"):
        assert heading in out
    code, out = invoke("rules", "show", "customer-po-uniq")
    assert code == 2 and "did you mean 'customer-po-unique'?" in out


def test_explain_prints_sql_and_spark(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    code, out = invoke("explain", "shipment-posted-in-erp")
    assert code == 0 and out.startswith("WITH") and '"wms"."shipment_lines"' in out and "$as_of" in out
    code, out = invoke("explain", "shipment-posted-in-erp", "--dialect", "spark")
    assert code == 0 and "`shipped_at`" in out and "$as_of" not in out  # Spark quoting and parameters


def test_explain_uses_the_config_parameters(tmp_path: Path) -> None:
    config = tmp_path / "recon.yaml"
    config.write_text("parameters: {post_window: 2d}\n", encoding="utf-8")
    code, out = invoke("explain", "shipment-posted-in-erp", "--config", str(config))
    assert code == 0 and "INTERVAL 172800 SECOND" in out


def test_rules_test_runs_the_case_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    code, out = invoke("rules", "test", "stock-matches", "invoice-line-unique")
    # stock-matches 2 + its --lots file 1 + its --in-transit file 7, invoice-line-unique 2
    assert code == 0 and "12 of 12 cases pass" in out


def test_rules_docs_check(tmp_path: Path) -> None:
    code, out = invoke("rules", "docs", "--check")
    assert code == 0, out
    code, out = invoke("rules", "docs", "--check", "--out", str(tmp_path))
    assert code == 1 and "out of date" in out
    code, _ = invoke("rules", "docs", "--out", str(tmp_path))
    assert code == 0 and (tmp_path / "rules.md").is_file() and (tmp_path / "exceptions.md").is_file()
