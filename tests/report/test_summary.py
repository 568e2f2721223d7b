"""Summary facts computed in SQL: latency quantiles against the SLO, matching, rejects, currencies."""

from __future__ import annotations

from datetime import date

from recon.config.schema import Config
from recon.config.slo import SloTarget
from recon.db import Database
from recon.load.loader import ensure_table
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


# The clocks as first written: date_diff per pair, one GROUP BY per side and a join. The fast SQL in
# summary.LATENCY must give exactly the same hours (same multiset), edge cases included.
REFERENCE = {
    "release_to_ship": """
        WITH a AS (SELECT order_id, min(released_at) AS t FROM erp.orders GROUP BY order_id),
             b AS (SELECT shipment_id, order_id, line_no, min(shipped_at) AS t FROM wms.shipment_lines
                   GROUP BY shipment_id, order_id, line_no)
        SELECT date_diff('second', a.t, b.t) / 3600.0 AS hours FROM a JOIN b USING (order_id)""",
    "ship_to_post": """
        WITH a AS (SELECT shipment_id, order_id, line_no, min(shipped_at) AS t FROM wms.shipment_lines
                   GROUP BY shipment_id, order_id, line_no),
             b AS (SELECT shipment_id, order_id, line_no, min(shipped_at) AS t FROM erp.shipment_lines
                   GROUP BY shipment_id, order_id, line_no)
        SELECT date_diff('second', a.t, b.t) / 3600.0 AS hours FROM a JOIN b USING (shipment_id, order_id, line_no)""",
    "ship_to_invoice": """
        WITH a AS (SELECT order_id, line_no, min(shipped_at) AS t FROM wms.shipment_lines GROUP BY order_id, line_no),
             b AS (SELECT order_id, order_line_no AS line_no, min(invoiced_at) AS t FROM erp.invoice_lines
                   GROUP BY order_id, order_line_no)
        SELECT date_diff('second', a.t, b.t) / 3600.0 AS hours FROM a JOIN b USING (order_id, line_no)""",
}


def test_latency_sql_gives_the_same_hours_as_date_diff_on_edge_cases():
    db = Database()
    tables = {t: ensure_table(db, *t.split(".")) for t in
              ("erp.orders", "wms.shipment_lines", "erp.shipment_lines", "erp.invoice_lines")}
    # Sub-second times on both sides of a second boundary, before and after 1970, NULL times,
    # NULL keys (never paired), duplicate rows of a key (earliest time wins) and keys on one side only.
    times = ["2026-11-19 08:00:00.9+00", "2026-11-19 08:00:01.1+00", "2026-11-19 07:59:59.2+00",
             "1969-12-31 23:59:59.5+00", "1970-01-01 00:00:00.2+00", "2026-11-20 23:30:00+00", None]
    keys = [("S1", "O1", 1), ("S1", "O1", 1), ("S2", "O1", 2), (None, "O2", 1), ("S3", None, 1), ("S4", "O4", None),
            ("S5", "O5", 1), ("S6", "O6", 1)]
    rows = 0
    for i, (shipment, order, line) in enumerate(keys):
        for j, time in enumerate(times):
            if (i + j) % 3 == 0:
                continue
            db.execute(f"INSERT INTO {tables['wms.shipment_lines']} (shipment_id, order_id, line_no, shipped_at) "
                       "VALUES (?, ?, ?, ?::TIMESTAMPTZ)", [shipment, order, line, time])
            other = times[(j + i + 1) % len(times)]
            if i != 6:
                db.execute(f"INSERT INTO {tables['erp.shipment_lines']} (shipment_id, order_id, line_no, shipped_at) "
                           "VALUES (?, ?, ?, ?::TIMESTAMPTZ)", [shipment, order, line, other])
            if i != 7:
                db.execute(f"INSERT INTO {tables['erp.invoice_lines']} (invoice_id, line_no, order_id, order_line_no, "
                           "invoiced_at) VALUES (?, 1, ?, ?, ?::TIMESTAMPTZ)", [f"I{i}{j}", order, line, other])
                db.execute(f"INSERT INTO {tables['erp.orders']} (order_id, released_at) VALUES (?, ?::TIMESTAMPTZ)",
                           [order, times[(j + 2 * i) % len(times)]])
            rows += 1
    assert rows > 30
    db.execute(f"CREATE TEMP TABLE {summary.SHIPPED} AS {summary.shipped_sql()}")
    for name, spec in summary.LATENCY.items():
        fast = sorted(db.rows(f"SELECT (to_s - from_s) / 3600.0 AS hours FROM ({spec['sql']}) "
                            f"WHERE from_s IS NOT NULL AND to_s IS NOT NULL"))
        slow = sorted(db.rows(f"SELECT hours FROM ({REFERENCE[name]}) WHERE hours IS NOT NULL"))
        assert fast == slow and len(fast) >= 3, name
        assert any(h != round(h) for (h,) in fast), name  # fractional hours are exercised
    # Without the ERP's shipment lines, the other two clocks still read the WMS side alone.
    db.execute(f"CREATE OR REPLACE TEMP TABLE {summary.SHIPPED} AS {summary.shipped_sql(erp=False)}")
    for name in ("release_to_ship", "ship_to_invoice"):
        fast = sorted(db.rows(f"SELECT (to_s - from_s) / 3600.0 AS hours FROM ({summary.LATENCY[name]['sql']}) "
                             f"WHERE from_s IS NOT NULL AND to_s IS NOT NULL"))
        assert fast == sorted(db.rows(f"SELECT hours FROM ({REFERENCE[name]}) WHERE hours IS NOT NULL")), name


def test_latency_with_only_some_tables_and_no_scratch_table_left():
    db = build_database()
    db.execute("DROP TABLE erp.shipment_lines")
    latency = summary.latency_section(db, {})
    assert {k: v["pairs"] for k, v in latency.items()} == {"release_to_ship": 5, "ship_to_post": 0,
                                                           "ship_to_invoice": 2}
    assert latency["ship_to_post"]["status"] == "no-data"
    assert not db.rows(f"SELECT * FROM duckdb_tables() WHERE table_name = '{summary.SHIPPED}'")


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


def test_an_slo_in_business_days_is_measured_on_the_calendar_not_the_clock():
    from recon.calendars import BusinessCalendar

    db = Database()
    orders, shipped = ensure_table(db, "erp", "orders"), ensure_table(db, "wms", "shipment_lines")
    # (released, shipped) in UTC; Monday 30 Nov 2026 is a holiday.
    pairs = [("2026-11-27 15:00", "2026-12-01 14:00"),  # Fri -> Tue: 1 working day (Tue) less an hour
             ("2026-11-25 09:00", "2026-11-25 12:00"),  # same Wednesday: 3 of 24 hours
             ("2026-11-26 10:00", "2026-12-01 11:00")]  # Thu -> Tue: Fri + Tue and an hour
    for i, (released, at) in enumerate(pairs):
        db.execute(f"INSERT INTO {orders} (order_id, released_at) VALUES (?, ?::TIMESTAMPTZ)", [f"O{i}", released])
        db.execute(f"INSERT INTO {shipped} (shipment_id, order_id, line_no, shipped_at) "
                   "VALUES (?, ?, '1', ?::TIMESTAMPTZ)", [f"S{i}", f"O{i}", at])
    calendars = {"default": BusinessCalendar((1, 2, 3, 4, 5), (date(2026, 11, 30),), "UTC")}
    config = Config.model_validate({"slo": {"release_to_ship": {"median": "1bd", "p95": "2bd"}},
                                    "calendars": {"default": {"holidays": ["2026-11-30"]}}})
    latency = summary.latency_section(db, summary.slo_targets(config), calendars)["release_to_ship"]
    days = sorted([23 / 24, 3 / 24, 2 + 1 / 24])
    assert latency["median_business_days"] == round(days[1], 2)
    assert latency["p95_business_days"] == round(days[1] + 0.9 * (days[2] - days[1]), 2)
    assert latency["p95_hours"] > 48  # in hours the weekend and the holiday would count
    assert latency["slo"] == {"median_business_days": 1.0, "p95_business_days": 2.0, "calendar": "default"}
    assert latency["status"] == "met"  # median 0.96 bd <= 1, p95 1.93 bd <= 2
    stricter = summary.apply_slo({"release_to_ship": latency}, {"release_to_ship": SloTarget(p95="1bd")})
    assert stricter["release_to_ship"]["status"] == "missed"
    hours_only = summary.latency_section(db, {"release_to_ship": SloTarget(p95="48h")})
    assert summary.apply_slo(hours_only, {"release_to_ship": SloTarget(p95="2bd")})["release_to_ship"]["status"] \
        == "not-measured"  # a stored run measured in hours cannot be judged in business days


def test_slo_in_business_days_needs_one_unit_and_a_known_calendar():
    import pytest
    from pydantic import ValidationError

    assert Config.model_validate({"slo": {"release_to_ship": "2bd:uk"}}).slo.release_to_ship == SloTarget(
        p95=2.0, unit="business_days", calendar="uk")
    with pytest.raises(ValidationError, match="both be business days"):
        Config.model_validate({"slo": {"release_to_ship": {"median": "1bd", "p95": "36h"}}})
