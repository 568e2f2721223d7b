"""The first screen of report.html: the money and its change, the night, who must act with ids."""

from __future__ import annotations

import csv
from dataclasses import replace

from .fixtures import base_facts, build_database, render_run


def _usd_only():
    db = build_database()
    db.execute("DELETE FROM main.exceptions WHERE currency = 'EUR'")
    return db


def test_change_since_the_previous_run_in_money(tmp_path):
    facts = base_facts()
    lifecycle = {**facts.lifecycle, "previous_value_at_risk": {"USD": 7000.0}, "resolved_value_at_risk": {"USD": 300.0}}
    ctx = render_run(tmp_path, db=_usd_only(), facts=replace(facts, lifecycle=lifecycle))
    page = (ctx.out_dir / "report.html").read_text(encoding="utf-8")
    first = page.split("Largest exceptions")[0]
    assert "<b>7,494.50 USD at risk</b> in <b>10 exceptions</b> (1 critical, 3 high)." in first
    assert "+494.50 USD</b> at risk;" in first  # 7,494.50 now - 7,000.00 before
    assert "<b>1 resolved</b> (300.00)" in first
    assert "+494.50 since the previous run" in first  # the card


def test_values_in_several_currencies_are_never_added_into_a_change(tmp_path):
    facts = base_facts()
    lifecycle = {**facts.lifecycle, "previous_value_at_risk": {"USD": 7000.0, "EUR": 10.0}}
    ctx = render_run(tmp_path, facts=replace(facts, lifecycle=lifecycle))
    first = (ctx.out_dir / "report.html").read_text(encoding="utf-8").split("Largest exceptions")[0]
    assert "since the previous run" not in first and "Since the previous run: <b>9 new</b>," in first


def test_who_must_act_lists_each_owners_largest_open_ids_and_the_ack_line(tmp_path):
    ctx = render_run(tmp_path)
    act = (ctx.out_dir / "report.html").read_text(encoding="utf-8").split("Who must act")[1].split("Largest")[0]
    for owner in ("finance", "operations", "it", "unassigned"):
        assert f"<b>{owner}</b>" in act
    assert "0000000000000003" in act and "0000000000000000" in act  # finance's and operations' largest
    assert "0000000000000002" not in act  # acked: not work to do
    assert 'recon ack 0000000000000003 --until 2026-11-27 --note "why"' in act
    assert act.index("<b>finance</b>") < act.index("<b>operations</b>")  # by value at risk


def test_complete_night_says_so_and_an_incomplete_one_shows_the_red_banner(tmp_path):
    facts = base_facts()
    ok_sources = [s for s in facts.sources if s["status"] == "ok"]
    ctx = render_run(tmp_path / "a", facts=replace(facts, sources=ok_sources))
    page = (ctx.out_dir / "report.html").read_text(encoding="utf-8")
    assert "INCOMPLETE RUN" not in page and "The night was complete" in page
    ctx = render_run(tmp_path / "b")  # tms_deliveries failed
    page = (ctx.out_dir / "report.html").read_text(encoding="utf-8")
    assert "INCOMPLETE RUN" in page and "source tms_deliveries: failed" in page
    assert "The night was incomplete" in page


def test_work_lists_carry_status_and_the_ack_note(tmp_path):
    ctx = render_run(tmp_path)
    with (ctx.out_dir / "exceptions" / "operations.csv").open(encoding="utf-8") as f:
        rows = {r["exception_id"]: r for r in csv.DictReader(f)}
    assert rows["0000000000000000"]["status"] == "new"
    assert rows["0000000000000001"]["status"] == "open"
    acked = rows["0000000000000002"]
    assert (acked["status"], acked["ack_until"]) == ("acked", "2026-11-30")
    assert acked["ack_note"] == "WMS fix deployed Friday <b>only</b>"
    assert rows["0000000000000008"]["status"] == "new"  # no lifecycle row: counted as new
