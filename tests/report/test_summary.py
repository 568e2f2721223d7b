"""Summary facts computed in SQL: latency quantiles against the SLO, matching, rejects, currencies."""

from __future__ import annotations

from recon.config.schema import Config, SloTarget
from recon.db import Database
from recon.report import summary

from .fixtures import RUN_ID, base_summary, build_database


def test_latency_is_median_and_p95_by_quantile_cont_against_the_slo():
    db = build_database()
    slo = {"release_to_ship": SloTarget(p95="24h"), "ship_to_post": SloTarget(median="2h", p95="4h"),
           "ship_to_invoice": None}
    latency = summary.latency_section(db, slo)
    # release -> ship 2, 4, 6, 8, 30 h: p95 = 8 + 0.8 × 22
    assert {k: (v["pairs"], v["median_hours"], v["p95_hours"], v["status"]) for k, v in latency.items()} == {
        "release_to_ship": (5, 6.0, 25.6, "missed"),
        "ship_to_post": (3, 1.0, 2.8, "met"),
        "ship_to_invoice": (2, 36.0, 46.8, "no-target"),
    }
    assert latency["ship_to_post"]["slo"] == {"median_hours": 2.0, "p95_hours": 4.0}


def test_latency_without_the_tables_is_no_data():
    latency = summary.latency_section(Database(), {"release_to_ship": SloTarget(p95=24)})
    assert {v["status"] for v in latency.values()} == {"no-data"}
    assert latency["release_to_ship"]["median_hours"] is None


def test_slo_is_judged_again_on_the_stored_numbers():
    stored = summary.latency_section(build_database(), {})
    again = summary.apply_slo(stored, {"release_to_ship": SloTarget(p95="30h"), "ship_to_post": None,
                                       "ship_to_invoice": SloTarget(median="1d")})
    assert [again[k]["status"] for k in ("release_to_ship", "ship_to_post", "ship_to_invoice")] == [
        "met", "no-target", "missed"]


def test_slo_shorthand_and_units():
    config = Config.model_validate({"slo": {"release_to_ship": "2d", "ship_to_post": {"median": "30m", "p95": 4}}})
    assert config.slo.release_to_ship == SloTarget(median=None, p95=48.0)
    assert config.slo.ship_to_post == SloTarget(median=0.5, p95=4.0)


def test_matching_totals_and_rates_from_the_rule_report():
    matching = summary.matching_section(base_summary()["rules"])
    assert (matching["records_compared"], matching["records_matched"]) == (1370, 1359)
    assert matching["by_workflow"]["edi"] == {"rules_run": 1, "rules_not_run": 0, "records_compared": 50,
                                              "records_matched": 48, "auto_match_rate": 0.96}
    assert matching["by_workflow"]["transport"]["rules_not_run"] == 1
    assert (matching["rules_run"], matching["rules_not_run"]) == (6, 1)
    assert "no-pod" not in matching["by_rule"]  # skipped rules compared nothing


def test_matching_is_unknown_when_a_rule_does_not_report_it():
    rules = {"rules": [{"rule_id": "a", "workflow": "w", "status": "ok", "records_compared": 10,
                        "records_matched": 9}, {"rule_id": "b", "workflow": "w", "status": "ok"}]}
    matching = summary.matching_section(rules)
    assert matching["records_compared"] is None and matching["auto_match_rate"] is None
    assert matching["by_workflow"]["w"]["records_compared"] is None
    assert list(matching["by_rule"]) == ["a"]


def test_rejects_of_this_run_only_with_reasons_most_frequent_first():
    rejects = summary.rejects_section(build_database(), RUN_ID, base_summary()["sources"])
    assert rejects == {"total": 3, "by_source": {"erp_lines": 3},
                       "by_reason": {"not a number": 2, "missing key field": 1}}


def test_values_in_several_currencies_are_not_added_up():
    db = build_database()
    summary.prepare(db)
    value = summary.exception_sections(db, "USD")["value_at_risk"]
    assert value == {"total": None, "currency": None, "by_currency": {"EUR": 10.0, "USD": 7494.5}}
    assert summary.value_text(value) == "10.00 EUR + 7,494.50 USD"
    db.execute("DELETE FROM main.exceptions WHERE currency = 'EUR'")
    value = summary.exception_sections(db, "USD")["value_at_risk"]
    assert value == {"total": 7494.5, "currency": "USD", "by_currency": {"USD": 7494.5}}
    assert summary.value_text(value) == "7,494.50 USD"


def test_lifecycle_and_acks_come_from_the_store_table():
    db = build_database()
    summary.prepare(db)
    groups = summary.groups(db)
    assert sum(g.count for g in groups if g.acked) == 1
    assert sum(g.count for g in groups if not g.new) == 2  # two still open; the rest new or reopened
    plain = build_database(with_lifecycle=False)
    summary.prepare(plain)
    assert all(g.new and not g.acked for g in summary.groups(plain))
