"""Event declarations and SLO ends are checked before anything is loaded (C048, C011), with locations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from recon import api

CONFIG = """
sources:
  erp_orders:
    system: erp
    entity: orders
    path: orders.csv
    columns: {order_id: ID, ordered_at: AT, picked: PICKED}
  wms_ship:
    system: wms
    entity: shipment_lines
    path: ship.csv
    columns: {shipment_id: SH, order_id: ID, line_no: LINE, shipped_at: AT}
ownership: {shipment_lines: wms}
"""
FILES = {"orders.csv": "ID,AT,PICKED\n1,2026-11-02,2026-11-02\n", "ship.csv": "SH,ID,LINE,AT\nA,1,1,2026-11-03\n"}


def _codes(result: api.ValidationResult) -> list[tuple[str, str | None, str]]:
    return [(p.code, p.path, p.message) for p in result.problems]


def test_a_valid_declaration_and_event_pair_slo(make_project: Callable[..., Path]) -> None:
    config = make_project(CONFIG + """
events:
  tables:
    erp.orders: {order-received: ordered_at, picked: picked}
slo:
  release_to_ship: {median: 24h, p95: 48h}
  order_to_ship: {from: order-received, to: wms:shipped, p95: 48h}
  pick_to_ship: {from: picked, to: shipped, p95: 1d}
""", FILES)
    assert api.validate(config).problems == []


def test_unknown_columns_entities_events_and_systems_are_located(make_project: Callable[..., Path]) -> None:
    config = make_project(CONFIG + """
events:
  tables:
    wms.shipment_lines: {picked: picked_at}
    shipments: {}
slo:
  order_to_ship: {from: order-recieved, to: shipped, p95: 48h}
  edi_ack: {from: asn-sent, to: gateway:ack-received, p95: 24h}
""", FILES)
    found = _codes(api.validate(config))
    assert ("C048", "events.tables.wms.shipment_lines.picked",
            "wms.shipment_lines has no column 'picked_at' for picked") in found
    assert ("C011", "events.tables.shipments", "unknown entity 'shipments'") in found
    assert ("C048", "slo.order_to_ship.from", "no table of this config produces event 'order-recieved'") in found
    assert ("C048", "slo.edi_ack.to", "no source loads system 'gateway'") in found
    hints = {p.path: p.hint for p in api.validate(config).problems}
    assert "order-received" in str(hints["slo.order_to_ship.from"])


def test_an_slo_of_another_name_needs_its_events(make_project: Callable[..., Path]) -> None:
    config = make_project(CONFIG + "slo:\n  edi_ack: {p95: 24h}\n", FILES)
    [problem] = api.validate(config).problems
    assert problem.code == "C005" and "give it `from:` and `to:`" in problem.message
