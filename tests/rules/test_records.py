"""Records compared and matched per rule: counted in SQL by the rule's own statement."""

from __future__ import annotations

from typing import Any

import pytest

from recon.db import Database
from recon.rules.cases import build_tables
from recon.rules.compiler import CompileContext, compile_rule
from recon.rules.registry import load_project_rules
from recon.rules.runner import RuleResult, run_rules
from tests.rules.helpers import AS_OF, bundled_rule, config


def run(rule_id: str, tables: dict[str, list[dict[str, Any]]]) -> tuple[RuleResult, list[dict[str, Any]]]:
    cfg = config()
    loaded = bundled_rule(rule_id, cfg)
    db = Database()
    try:
        needed = list(loaded.rule.tables())
        for part in (loaded.rule, getattr(loaded.rule, "left", None), getattr(loaded.rule, "right", None)):
            needed += [lk.table for lk in getattr(part, "lookups", [])]
        build_tables(db, tables, needed)
        report = run_rules(db, [loaded], as_of=AS_OF, run_id="t", config=cfg)
        return report.results[0], db.dicts("SELECT * FROM main.exceptions")
    finally:
        db.close()


def ship(order: str, line: int, qty: int, at: str = "2024-03-08T10:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"shipment_id": f"S{order}", "order_id": order, "line_no": line, "qty": qty, "status": "SHIPPED",
            "shipped_at": at, **extra}


def test_match_counts_keys_the_rule_looks_at_and_those_within_tolerance() -> None:
    result, found = run("shipment-posted-in-erp", {
        "wms.shipment_lines": [ship("1", 1, 4), ship("1", 1, 6), ship("2", 1, 5), ship("3", 1, 2),
                               ship("4", 1, 1, at="2024-03-10T11:30:00Z")],
        "erp.shipment_lines": [ship("1", 1, 10), ship("2", 1, 4), ship("9", 1, 7)],
    })
    # order 1: 4 + 6 = 10 posted (matched); 2: 5 vs 4 (mismatch); 3: not posted; 4: not posted, too recent
    # to report (not a match either); 9: posted, never shipped (missing_left: posted-not-shipped)
    assert (result.records_compared, result.records_matched) == (5, 1)
    assert sorted(r["exception_type"] for r in found) == ["posted-not-shipped", "ship-qty-mismatch",
                                                          "shipped-not-posted"]


def test_both_missing_outcomes_bring_both_sides_in() -> None:
    result, _ = run("invoice-matches-shipment", {
        "wms.shipment_lines": [ship("1", 1, 3), ship("2", 1, 3)],
        "erp.invoice_lines": [{"invoice_id": "I1", "line_no": 1, "order_id": "1", "order_line_no": 1, "qty": 3},
                              {"invoice_id": "I1", "line_no": 1, "order_id": "1", "order_line_no": 1, "qty": 3},
                              {"invoice_id": "I2", "line_no": 1, "order_id": "7", "order_line_no": 1, "qty": 1}],
    })
    # 1/1 matched (the duplicated invoice line counts once); 2/1 shipped, not invoiced; 7/1 invoiced only
    assert (result.records_compared, result.records_matched) == (3, 1)


def test_missing_as_counts_a_one_sided_key_that_agrees_as_matched() -> None:
    result, found = run("stock-matches", {
        "erp.stock": [{"item_id": "A", "site": "P1", "qty": 5}, {"item_id": "B", "site": "P1", "qty": 0},
                      {"item_id": "C", "site": "P1", "qty": 2}],
        "wms.stock": [{"item_id": "A", "site": "P1", "qty": 5}, {"item_id": "D", "site": "P1", "qty": 1}],
    })
    # A equal; B zero in the ERP, absent in the WMS (counts as 0): matched; C and D differ from zero
    assert (result.records_compared, result.records_matched) == (4, 2)
    assert sorted(r["item_id"] for r in found) == ["C", "D"]


def test_check_counts_rows_checked_and_rows_passing() -> None:
    result, found = run("shipment-has-tracking", {
        "wms.shipment_lines": [ship("1", 1, 1, tracking_no="T1"), ship("1", 2, 1), ship("1", 3, 1),
                               ship("2", 1, 1, tracking_no="T2"), {**ship("3", 1, 1), "status": "PICKED"}],
    })
    assert (result.records_compared, result.records_matched) == (4, 2)  # the PICKED row is not checked
    assert len(found) == 1  # one exception for shipment S1, whose two lines fail


def test_duplicate_counts_rows_and_rows_whose_key_is_unique() -> None:
    result, _ = run("invoice-line-unique", {
        "erp.invoice_lines": [{"invoice_id": "I1", "line_no": 1, "amount": 1}, {"invoice_id": "I1", "line_no": 1,
                                                                                "amount": 1},
                              {"invoice_id": "I1", "line_no": 2, "amount": 1}],
    })
    assert (result.records_compared, result.records_matched) == (3, 1)


def test_no_rows_compare_nothing() -> None:
    result, _ = run("shipment-posted-in-erp", {})
    assert (result.status, result.records_compared, result.records_matched) == ("ok", 0, 0)


def test_a_rule_that_does_not_run_reports_no_records() -> None:
    db = Database()
    report = run_rules(db, [bundled_rule("shipment-posted-in-erp")], as_of=AS_OF, run_id="t")
    result = report.results[0]
    assert result.status == "skipped" and result.records_compared is None and result.records_matched is None
    assert "records_compared" in report.summary()["rules"][0]


@pytest.mark.parametrize("rule_id", load_project_rules(None).ids())
def test_the_combined_statement_gives_the_exceptions_of_the_plain_one(rule_id: str) -> None:
    """`sql_with_stats` = `sql` plus one row of counts; `stats_sql` alone gives the same counts."""
    from recon.rules.cases import case_config, case_rule, read_case_file
    from recon.rules.registry import CASES_DIR, bundled_packs
    from recon.rules.runner import lookup_tables

    path = CASES_DIR / f"{rule_id}.yaml"
    cases = read_case_file(path)
    loaded = case_rule(path, cases, bundled_packs())
    compiled = compile_rule(loaded, CompileContext.from_config(case_config(cases)))
    params = {"as_of": cases.as_of, "run_id": "t"}
    for case in cases.cases:
        db = Database()
        try:
            needed = [*loaded.rule.tables(), *sorted(lookup_tables(loaded.rule))]  # nested lookups' too
            build_tables(db, case.tables, needed)
            if compiled.scorers:
                from recon.rules import fuzzy

                fuzzy.register(db, compiled.scorers)
            plain = db.rows(f"SELECT * FROM ({compiled.sql}) ORDER BY ALL", params)
            both = db.rows(f"SELECT * FROM ({compiled.sql_with_stats}) ORDER BY ALL", params)
            assert [r[:-2] for r in both if r[-2] is None] == plain, case.name
            counts = [r[-2:] for r in both if r[-2] is not None]
            alone = db.rows(compiled.stats_sql, {k: v for k, v in params.items() if f"${k}" in compiled.stats_sql})
            assert counts == alone and len(counts) == 1, case.name
            assert counts[0][1] <= counts[0][0], case.name
        finally:
            db.close()
