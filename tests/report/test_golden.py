"""Golden files: the report of a fixed run is byte-for-byte what tests/report/golden/ holds.

Regenerate after an intended change with `RECON_UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/report` and review the diff of the golden files like code.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import replace
from pathlib import Path

from .fixtures import MARKUP, RUN_ID, base_facts, build_database, render_run

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RECON_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}; create it with RECON_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(path),
                                                 "rendered"))[:80])
        raise AssertionError(f"{name} differs from its golden file (RECON_UPDATE_GOLDEN=1 to accept):\n{diff}")


def test_outputs_match_golden_files(tmp_path):
    ctx = render_run(tmp_path)
    out = ctx.out_dir
    check_golden("report.html", (out / "report.html").read_text(encoding="utf-8"))
    check_golden("summary.json", (out / "summary.json").read_text(encoding="utf-8"))
    for queue in sorted((out / "exceptions").glob("*.csv")):
        check_golden(f"exceptions/{queue.name}", queue.read_text(encoding="utf-8"))
    check_golden("report-counts-only.html", ctx.report().html(include_data=False))


def test_the_bar_sets_the_exit_code_and_lists_every_broken_budget(tmp_path):
    ctx = render_run(tmp_path)
    assert ctx.exit_code == 1
    verdict = ctx.summary["verdict"]
    assert not verdict["passed"]
    broken = {(c["name"], c["measure"]) for c in verdict["checks"] if c["status"] == "broken"}
    assert broken == {
        ("--fail-on critical (severity critical or worse)", "count"),
        ("severity critical", "value_at_risk"),
        ("rule edi-ack", "rate"),
        ("severity high (new only)", "count"),
    }
    html = (ctx.out_dir / "report.html").read_text(encoding="utf-8")
    assert "Over 4 of the run's 5 limits</b> (exit code 1)" in html
    assert "rule edi-ack: 4.00% of records compared (max 2.00%)" in html


def test_within_the_bar_exit_code_stays_zero(tmp_path):
    ctx = render_run(tmp_path, config={}, fail_on=None)
    assert ctx.exit_code == 0 and ctx.summary["verdict"] == {"passed": True, "fail_on": None, "checks": []}


def test_same_inputs_give_byte_identical_outputs_apart_from_run_id_and_timestamp(tmp_path):
    first = render_run(tmp_path / "a")
    second_id = "20261120T070000Z-second"
    second = render_run(tmp_path / "b", db=build_database(run_id=second_id),
                        facts=base_facts(run_id=second_id, started_at="2026-11-20T07:00:00+00:00"))

    def masked(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        text = text.replace(RUN_ID, "RUN").replace("20261120T070000Z-second", "RUN")
        return re.sub(r"2026-11-20T0[67]:0[01]:0[02]\+00:00", "TIMESTAMP", text)

    files = sorted(p.relative_to(first.out_dir) for p in first.out_dir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second.out_dir) for p in second.out_dir.rglob("*") if p.is_file())
    for name in files:
        if name.suffix == ".parquet":
            continue
        assert masked(first.out_dir / name) == masked(second.out_dir / name), name
    report = (first.out_dir / "report.html").read_text(encoding="utf-8").splitlines()
    assert sum(RUN_ID in line for line in report) == 1  # the one "Run … started …" line


def test_values_from_the_data_are_escaped_never_markup(tmp_path):
    ctx = render_run(tmp_path)
    html = (ctx.out_dir / "report.html").read_text(encoding="utf-8")
    assert MARKUP not in html and "<b>Corp</b>" not in html and "<b>only</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "ACME &lt;b&gt;Corp&lt;/b&gt; &amp; Sons" in html


def test_report_is_mail_safe_and_self_contained(tmp_path):
    ctx = render_run(tmp_path)
    html = (ctx.out_dir / "report.html").read_text(encoding="utf-8").lower()
    for forbidden in ("<script", "<link", "src=", "href=", "@import", "url(", "http://", "https://", "@font-face"):
        assert forbidden not in html, forbidden
    assert html.count("<table") >= 10 and 'style="' in html


def test_without_an_exceptions_table_the_run_reports_zero_and_writes_empty_files(tmp_path):
    db = build_database(with_lifecycle=False)
    db.execute("DROP TABLE main.exceptions")
    ctx = render_run(tmp_path, db=db, fail_on="low")
    assert ctx.exit_code == 0
    assert ctx.summary["exceptions"]["total"] == 0
    assert ctx.summary["value_at_risk"] == {"total": 0.0, "currency": "USD", "by_currency": {}}
    header = (ctx.out_dir / "exceptions.csv").read_text().splitlines()
    assert header[0].startswith("run_id,exception_id,rule_id,workflow,exception_type,severity,owner,fix_in")
    assert len(header) == 1
    assert "No exceptions." in (ctx.out_dir / "report.html").read_text()


def test_queues_hold_the_contract_columns_sorted_and_stale_queues_are_removed(tmp_path):
    stale = tmp_path / "out" / "exceptions" / "old-team.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("left over\n")
    ctx = render_run(tmp_path)
    assert not stale.exists()
    rows = (ctx.out_dir / "exceptions" / "operations.csv").read_text().splitlines()
    header = (ctx.out_dir / "exceptions.csv").read_text().splitlines()[0]
    assert header.endswith(",right_lineage,status,reason_code")
    assert rows[0] == header.removesuffix(",status,reason_code") + ",status,ack_until,ack_note,reason_code,reason_note"
    severities = [r.split(",")[5] for r in rows[1:]]
    assert severities == ["high", "high", "medium", "medium", "low"]
    assert ctx.summary["exceptions"]["by_owner"]["unassigned"]["file"] == "exceptions/unassigned.csv"


def test_terminal_summary_shows_markup_in_the_data_as_text(tmp_path):
    from rich.console import Console

    from recon.report.terminal import render_summary

    facts = base_facts()
    ctx = render_run(tmp_path, facts=replace(facts, rules={**facts.rules, "warnings": ["rule [b]x[/b] skipped"]}))
    console = Console(record=True, width=140, color_system=None)
    render_summary(ctx.summary, str(ctx.out_dir), console)
    text = console.export_text()
    assert "rule [b]x[/b] skipped" in text and "[I002] no file matches" in text
    assert "over the limits (exit 1):" in text and "severity critical: 5,400.00 at risk (max 5,000.00)" in text
    assert "11 exceptions (critical 1, high 3, medium 5, low 2); value at risk 10.00 EUR + 7,494.50 USD" in text


def test_business_key_keeps_line_no_next_to_its_document():
    from recon.report.html import _key

    assert _key({"invoice_id": "INV-1", "line_no": 2}) == [("invoice_id", "INV-1"), ("line_no", "2")]
    assert _key({"order_id": "SO-1", "line_no": 10, "shipment_id": "SH-1"}) == [
        ("order_id", "SO-1"), ("line_no", "10"), ("shipment_id", "SH-1")]
    assert _key({"item_id": "MAT-1", "site": "DC", "lot": None}) == [("item_id", "MAT-1"), ("site", "DC")]
