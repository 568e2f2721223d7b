"""Event-pair SLOs on a hand-built case: medians, percentiles and the breaching chains as exceptions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from recon.config.slo import Slo
from recon.db import Database
from recon.events.build import build
from recon.events.slo import measure
from tests.events.conftest import config

AS_OF = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def _orders(insert: Callable[..., None]) -> None:
    """Order 1 ships after 10 h, order 2 after 60 h, order 3 not yet (received 100 h before as-of),
    order 4 not yet but received only 20 h ago."""
    insert("erp.orders", {"order_id": "1", "ordered_at": "2026-11-01 00:00:00+00"},
           {"order_id": "2", "ordered_at": "2026-11-01 00:00:00+00"},
           {"order_id": "3", "ordered_at": "2026-11-06 08:00:00+00"},
           {"order_id": "4", "ordered_at": "2026-11-09 16:00:00+00"})
    insert("wms.shipment_lines", {"shipment_id": "A", "order_id": "1", "line_no": "1",
                                  "shipped_at": "2026-11-01 10:00:00+00"},
           {"shipment_id": "B", "order_id": "2", "line_no": "1", "shipped_at": "2026-11-03 12:00:00+00"},
           {"shipment_id": "C", "order_id": "2", "line_no": "2", "shipped_at": "2026-11-04 00:00:00+00"})


def test_breaching_chains_are_exceptions(db: Database, insert: Callable[..., None]) -> None:
    _orders(insert)
    build(db, config())
    slos = Slo.model_validate({"order_to_ship": {"from": "order-received", "to": "shipped", "p95": "48h",
                                                 "severity": "high"}}).event_pairs()
    [clock] = measure(db, slos, as_of=AS_OF, run_id="r1")
    assert clock["pairs"] == 2  # orders 1 and 2; the first shipment of order 2 counts
    assert clock["median_hours"] == pytest.approx(35.0)  # quantile_cont of 10 and 60
    assert clock["p95_hours"] == pytest.approx(10 + 0.95 * 50)
    assert (clock["late"], clock["overdue"]) == (1, 1)
    rows = db.dicts("SELECT * FROM main.exceptions ORDER BY order_id")
    assert [(r["order_id"], r["exception_type"], r["rule_id"], r["severity"]) for r in rows] == [
        ("2", "slo-breach", "slo.order_to_ship", "high"), ("3", "slo-breach", "slo.order_to_ship", "high")]
    late, overdue = rows
    assert late["correlation_id"] == "order:2" and float(late["difference"]) == 60.0
    assert late["left_value"] == "2026-11-01T00:00:00Z" and late["right_value"] == "2026-11-03T12:00:00Z"
    assert "took 60.0 h (target 48 h)" in late["message"]
    assert overdue["right_value"] is None and float(overdue["difference"]) == 100.0
    assert "not yet after 100.0 h" in overdue["message"]
    assert len({r["exception_id"] for r in rows}) == 2


def test_an_exception_id_is_stable_across_runs(db: Database, insert: Callable[..., None]) -> None:
    _orders(insert)
    build(db, config())
    slos = Slo.model_validate({"o2s": {"from": "order-received", "to": "wms:shipped", "p95": "48h"}}).event_pairs()
    measure(db, slos, as_of=AS_OF, run_id="r1")
    first = db.rows("SELECT exception_id FROM main.exceptions ORDER BY 1")
    db.execute("DELETE FROM main.exceptions")
    measure(db, slos, as_of=AS_OF, run_id="r2")
    assert db.rows("SELECT exception_id FROM main.exceptions ORDER BY 1") == first


def test_a_system_restricted_end_ignores_other_systems(db: Database, insert: Callable[..., None]) -> None:
    _orders(insert)
    build(db, config())
    slos = Slo.model_validate({"o2s": {"from": "order-received", "to": "tms:shipped", "p95": "48h"}}).event_pairs()
    [clock] = measure(db, slos, as_of=AS_OF, run_id="r1")
    assert clock["pairs"] == 0 and clock["overdue"] == 4 - 1  # order 4 is only 20 h old


def test_acks_pair_with_the_document_they_acknowledge(db: Database, insert: Callable[..., None]) -> None:
    """An invoice's 997 does not answer for the ASN of the same chain."""
    insert("edi.edi_documents",
           {"transaction_set": "856", "control_number": "1", "direction": "outbound", "partner_id": "P",
            "reference": "SH1", "document_date": "2026-11-05"},
           {"transaction_set": "810", "control_number": "2", "direction": "outbound", "partner_id": "P",
            "reference": "INV1", "document_date": "2026-11-06"})
    insert("erp.invoice_lines", {"invoice_id": "INV1", "line_no": "1", "order_id": "1"})
    insert("wms.shipment_lines", {"shipment_id": "SH1", "order_id": "1", "line_no": "1"})
    insert("edi.edi_acks", {"acked_transaction_set": "810", "acked_control_number": "2", "partner_id": "P",
                            "acked_at": "2026-11-06 02:00:00+00"})
    build(db, config())
    slos = Slo.model_validate({"edi_ack": {"from": "asn-sent", "to": "ack-received", "p95": "24h"}}).event_pairs()
    [clock] = measure(db, slos, as_of=AS_OF, run_id="r1")
    assert (clock["pairs"], clock["late"], clock["overdue"]) == (0, 0, 1)
    assert db.rows("SELECT document, correlation_id FROM main.exceptions") == [("856 1", "order:1")]


def test_business_day_targets(db: Database, insert: Callable[..., None]) -> None:
    """Friday 16:00 to Monday 10:00 is 66 h but under one business day."""
    insert("erp.orders", {"order_id": "1", "ordered_at": "2026-11-06 16:00:00+00"})  # a Friday
    insert("wms.shipment_lines", {"shipment_id": "A", "order_id": "1", "line_no": "1",
                                  "shipped_at": "2026-11-09 10:00:00+00"})
    cfg = config(calendars={"default": {"weekdays": ["mon", "tue", "wed", "thu", "fri"]}},
                 slo={"o2s": {"from": "order-received", "to": "shipped", "p95": "1bd"}})
    build(db, cfg)
    [clock] = measure(db, cfg.slo.event_pairs(), as_of=AS_OF, run_id="r1", calendars=cfg.business_calendars())
    assert clock["p95_hours"] == pytest.approx(66.0)
    assert clock["p95_business_days"] < 1 and clock["late"] == 0


def test_built_in_names_stay_valid_and_others_need_both_ends() -> None:
    slo = Slo.model_validate({"release_to_ship": {"median": "1bd", "p95": "2bd"}, "ship_to_post": "4h"})
    assert slo.event_pairs() == {} and set(slo.clocks()) == {"release_to_ship", "ship_to_post"}
    with pytest.raises(ValueError, match="give it `from:` and `to:`"):
        Slo.model_validate({"edi_ack": {"p95": "24h"}})
    with pytest.raises(ValueError, match="needs both"):
        Slo.model_validate({"release_to_ship": {"from": "order-released", "p95": "24h"}})
