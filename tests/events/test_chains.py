"""A chain's story and survivorship view, from the event table (recon.events.chains)."""

from __future__ import annotations

from collections.abc import Callable

from recon.db import Database
from recon.events import chains
from recon.events.build import build
from tests.events.conftest import config


def test_survivorship_names_the_system_of_record_and_the_conflicts(db: Database,
                                                                   insert: Callable[..., None]) -> None:
    insert("erp.orders", {"order_id": "1", "customer_po": "PO-1", "customer_name": "Acme Corp", "site": "P100"})
    insert("wms.orders", {"order_id": "1", "customer_name": "ACME", "site": "P100"})
    insert("erp.order_lines", {"order_id": "1", "line_no": "1", "qty": 5, "item_id": "X"})
    insert("edi.order_lines", {"order_id": "PO-1", "line_no": "1", "qty": 6, "item_id": "X"})
    cfg = config(ownership={"orders": "erp", "order_lines": {"system": "erp", "fields": {"qty": "edi"}}})
    build(db, cfg)
    [chain] = chains.find(db, [("order", "1")], "1")
    fields = {(f["entity"], f["item"], f["field"]): f for f in chains.survivorship(db, chain, cfg)}
    name = fields[("orders", "", "customer_name")]
    assert (name["system_of_record"], name["value"], name["conflicts"]) == ("erp", ["Acme Corp"], {"wms": ["ACME"]})
    site = fields[("orders", "", "site")]
    assert site["conflicts"] == {} and site["systems"] == {"erp": ["P100"], "wms": ["P100"]}
    qty = fields[("order_lines", "1", "qty")]  # the field's own system of record
    assert (qty["system_of_record"], qty["value"], qty["conflicts"]) == ("edi", ["6.0000"], {"erp": ["5.0000"]})
    assert fields[("order_lines", "1", "item_id")]["conflicts"] == {}


def test_story_lists_events_once_per_record_with_gaps(db: Database, insert: Callable[..., None]) -> None:
    insert("wms.shipment_lines", *({"shipment_id": "SH1", "order_id": "9", "line_no": str(i),
                                    "shipped_at": "2026-11-03 08:00:00+00"} for i in (1, 2, 3)))
    insert("erp.invoice_lines", {"invoice_id": "I1", "line_no": "1", "order_id": "9",
                                 "invoiced_at": "2026-11-04 00:00:00+00"})
    cfg = config()
    build(db, cfg)
    story = chains.story(db, "order:9", cfg)
    assert [(e["event_type"], e["record"], e["rows"]) for e in story["events"]] == [
        ("shipped", "SH1", 3), ("invoiced", "I1", 1)]
    assert story["gaps"] == [{"missing": "order-released", "needed_by": "shipped"}]
    assert chains.find(db, [], "order:9") == ["order:9"]  # KEY may be the correlation id itself
