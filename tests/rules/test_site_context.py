"""`site` on exceptions: context wherever the rule's rows carry one, part of the id only where it is the key."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.rules.helpers import run_rule


def contract_id(rule_id: str, exception_type: str, *key: Any) -> str:
    """docs/exceptions.md: sha256 of rule_id | exception_type | business key values, first 16 hex."""
    text = "|".join([rule_id, exception_type, *("" if k is None else str(k) for k in key)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def shipped(site: str) -> dict[str, list[dict[str, Any]]]:
    return {"wms.shipment_lines": [{"shipment_id": "S1", "order_id": "O1", "line_no": 1, "qty": 2, "site": site,
                                    "status": "SHIPPED", "shipped_at": "2024-03-08T10:00:00Z"}]}


def test_site_is_context_and_leaves_the_id_alone() -> None:
    east, west = run_rule("shipment-posted-in-erp", shipped("P100")), run_rule("shipment-posted-in-erp",
                                                                               shipped("P300"))
    assert [(r["exception_type"], r["site"]) for r in east] == [("shipped-not-posted", "P100")]
    assert west[0]["site"] == "P300"
    expected = contract_id("shipment-posted-in-erp", "shipped-not-posted", "O1", 1)
    assert east[0]["exception_id"] == west[0]["exception_id"] == expected


def test_site_is_part_of_the_id_where_it_is_the_key() -> None:
    def stock(site: str) -> list[dict[str, Any]]:
        return run_rule("stock-matches", {"erp.stock": [{"item_id": "A", "site": site, "qty": 4}]})

    east, west = stock("P100"), stock("P300")
    assert east[0]["exception_id"] == contract_id("stock-matches", "stock-variance", "A", "P100", None)  # no lot
    assert east[0]["exception_id"] != west[0]["exception_id"]


def test_invoice_findings_take_the_site_of_their_order_line() -> None:
    found = run_rule("invoice-matches-shipment", {
        "erp.invoice_lines": [{"invoice_id": "I1", "line_no": 1, "order_id": "O2", "order_line_no": 3, "qty": 2,
                               "amount": 20, "invoiced_at": "2024-03-09T08:00:00Z"}],
        "erp.order_lines": [{"order_id": "O2", "line_no": 3, "qty": 2, "unit_price": 10, "site": "P200"}],
    })
    assert [(r["exception_type"], r["site"]) for r in found] == [("invoice-without-shipment", "P200")]
    assert found[0]["exception_id"] == contract_id("invoice-matches-shipment", "invoice-without-shipment", "O2", 3)


def test_a_check_on_deliveries_finds_the_site_through_the_shipment() -> None:
    found = run_rule("shipment-delivered", {
        "tms.deliveries": [{"shipment_id": "S9", "picked_up_at": "2024-03-01T10:00:00Z"}],
        "wms.shipment_lines": [{"shipment_id": "S9", "order_id": "O9", "line_no": 1, "site": "P300"}],
    })
    assert [(r["exception_type"], r["shipment_id"], r["site"]) for r in found] == [
        ("no-proof-of-delivery", "S9", "P300")]
