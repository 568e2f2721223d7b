"""Business-day clocks: `older_than: 2bd` counts working days on the config's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon import api
from recon.calendars import BusinessCalendar
from recon.db import Database
from recon.errors import ConfigError

CONFIG = """
timezone: Europe/Berlin
rules: [bundled/order-to-cash]
parameters: {invoice_cutoff: CUTOFF}
calendars:
  default:
    weekdays: [mon, tue, wed, thu, fri]
    holidays: HOLIDAYS
    holidays_file: holidays.csv
sources:
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns: {order_id: ORDER, line_no: LINE, qty: QTY, unit_price: PRICE}
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/ship.csv
    columns: {shipment_id: SHIP, order_id: ORDER, line_no: LINE, qty: QTY, status: STATUS, shipped_at: AT}
  erp_invoices:
    system: erp
    entity: invoice_lines
    path: erp/invoices.csv
    columns: {invoice_id: INV, line_no: LINE, order_id: ORDER, order_line_no: OLINE, qty: QTY, invoiced_at: AT}
  erp_ship:
    system: erp
    entity: shipment_lines
    path: wms/ship.csv
    columns: {shipment_id: SHIP, order_id: ORDER, line_no: LINE, qty: QTY, status: STATUS, shipped_at: AT}
"""

FILES = {
    "erp/lines.csv": "ORDER,LINE,QTY,PRICE\nSO-1,1,5,2.00\n",
    # Friday 2026-11-20, 15:00 in Berlin.
    "wms/ship.csv": "SHIP,ORDER,LINE,QTY,STATUS,AT\nSH-1,SO-1,1,5,SHIPPED,2026-11-20T15:00:00+01:00\n",
    "erp/invoices.csv": "INV,LINE,ORDER,OLINE,QTY,AT\n",  # nothing invoiced yet
    "holidays.csv": "date,name\n2026-12-25,Christmas\n",
}


def _late(make_project, tmp_path, as_of: str, holidays: str = "[]", cutoff: str = "2bd") -> bool:
    config = CONFIG.replace("CUTOFF", cutoff).replace("HOLIDAYS", holidays)
    result = api.run(make_project(config, FILES), as_of=as_of, out=tmp_path / as_of.replace(":", ""), dry_run=True)
    types = [r[0] for r in result.db.rows("SELECT exception_type FROM main.exceptions")]
    return "shipped-not-invoiced" in types


@pytest.mark.parametrize(("as_of", "holidays", "late"), [
    ("2026-11-23T09:00:00+01:00", "[]", False),  # Monday morning: one business day has passed
    ("2026-11-24T14:00:00+01:00", "[]", False),  # Tuesday before 15:00: the second day is not over
    ("2026-11-24T16:00:00+01:00", "[]", True),  # Tuesday after 15:00: two business days have passed
    ("2026-11-24T16:00:00+01:00", "[2026-11-23]", False),  # Monday is a holiday: due Wednesday 15:00
    ("2026-11-25T16:00:00+01:00", "[2026-11-23]", True),
])
def test_a_friday_shipment_on_a_two_business_day_clock(make_project, tmp_path, as_of, holidays, late):
    assert _late(make_project, tmp_path, as_of, holidays) is late


def test_the_same_clock_in_calendar_days_flags_monday(make_project, tmp_path):
    assert _late(make_project, tmp_path, "2026-11-23T09:00:00+01:00", cutoff="2d") is True


def test_a_business_day_age_needs_its_calendar(make_project):
    config = CONFIG.replace("CUTOFF", "2bd:uk").replace("HOLIDAYS", "[]")
    with pytest.raises(ConfigError) as info:
        api.run(make_project(config, FILES), as_of="2026-11-23T09:00:00Z", dry_run=True)
    assert [p.code for p in info.value.problems] == ["R060"]


def test_an_unreadable_holidays_file_is_a_config_problem(make_project):
    files = {k: v for k, v in FILES.items() if k != "holidays.csv"}
    result = api.validate(make_project(CONFIG.replace("CUTOFF", "2bd").replace("HOLIDAYS", "[]"), files))
    assert [p.code for p in result.problems] == ["C037"]


def _python_late(cal: BusinessCalendar, event: datetime, as_of: datetime, days: int) -> bool:
    """The reference: the deadline is the event's time on the `days`-th working day after its date."""
    day, counted = event.date(), 0
    while counted < days:
        day += timedelta(days=1)
        counted += cal.is_business_day(day)
    return as_of > datetime.combine(day, event.timetz())


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
       st.integers(0, 400), st.integers(1, 5),
       st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 1, 31)), max_size=8),
       st.sets(st.integers(1, 7), min_size=1))
def test_the_sql_clock_agrees_with_counting_days_by_hand(event, hours, days, holidays, weekdays):
    cal = BusinessCalendar(tuple(sorted(weekdays)), tuple(holidays), "UTC")
    event = event.replace(tzinfo=UTC, microsecond=0)
    as_of = event + timedelta(hours=hours)
    sql = cal.older_than_sql("CAST($e AS TIMESTAMPTZ)", "CAST($a AS TIMESTAMPTZ)", days)
    db = Database()
    db.execute("SET TimeZone = 'UTC'")
    (got,) = db.rows(f"SELECT {sql}", {"e": event, "a": as_of})[0]
    assert got is _python_late(cal, event, as_of, days)


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
       st.integers(0, 400), st.integers(0, 5),
       st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 1, 31)), max_size=8),
       st.sets(st.integers(1, 7), min_size=1), st.sampled_from(["UTC", "Europe/Berlin", "America/Chicago"]))
def test_business_days_elapsed_exceed_n_exactly_when_the_clock_calls_it_late(event, hours, days, holidays,
                                                                            weekdays, zone):
    # An SLO in business days (recon.config.slo) measures elapsed_sql; a rule's `older_than: Nbd`
    # uses older_than_sql. A pair must breach "N business days" in both or in neither.
    cal = BusinessCalendar(tuple(sorted(weekdays)), tuple(holidays), zone)
    event = event.replace(tzinfo=UTC, microsecond=0)
    end = event + timedelta(hours=hours)
    e, a = "CAST($e AS TIMESTAMPTZ)", "CAST($a AS TIMESTAMPTZ)"
    db = Database()
    elapsed, late = db.rows(f"SELECT {cal.elapsed_sql(e, a)}, {cal.older_than_sql(e, a, days)}",
                            {"e": event, "a": end})[0]
    assert (float(elapsed) > days) is late
    assert float(elapsed) >= 0


def test_an_slo_in_business_days_counts_on_the_config_calendar_end_to_end(make_project, tmp_path):
    # The ERP posts the Friday 15:00 shipment on Tuesday 16:00 (Monday a holiday): 1 business day and
    # an hour in Berlin, 97 hours on the clock.
    files = {**FILES, "erp/post.csv": "SHIP,ORDER,LINE,QTY,STATUS,AT\n"
                                      "SH-1,SO-1,1,5,SHIPPED,2026-11-24T16:00:00+01:00\n"}
    config = CONFIG.replace("CUTOFF", "2bd").replace("HOLIDAYS", "[2026-11-23]")
    config = config.replace("  erp_ship:\n    system: erp\n    entity: shipment_lines\n    path: wms/ship.csv",
                            "  erp_ship:\n    system: erp\n    entity: shipment_lines\n    path: erp/post.csv")
    config += "slo:\n  ship_to_post: {p95: 1bd}\n"
    result = api.run(make_project(config, files), as_of="2026-11-26T09:00:00+01:00", out=tmp_path / "out",
                     dry_run=True)
    clock = result.outputs.summary.latency["ship_to_post"]
    assert clock["pairs"] == 1 and clock["p95_hours"] == 97.0
    assert clock["p95_business_days"] == round(1 + 1 / 24, 2)
    assert clock["slo"] == {"median_business_days": None, "p95_business_days": 1.0, "calendar": "default"}
    assert clock["status"] == "missed"


def test_an_slo_in_business_days_needs_its_calendar(make_project):
    config = CONFIG.replace("CUTOFF", "2d").replace("HOLIDAYS", "[]") + "slo:\n  release_to_ship: 2bd:uk\n"
    result = api.validate(make_project(config, FILES))
    assert [p.code for p in result.problems] == ["R060"]
    assert "slo" in str(result.problems[0]) and "'uk'" in str(result.problems[0])
