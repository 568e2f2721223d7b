"""`recon trace KEY`: find an order from any of its numbers, in any form, and tell its story."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main

CONFIG = """
rules: [rules/transport.yaml]
sources:
  erp_orders:
    system: erp
    entity: orders
    path: erp/orders.csv
    columns:
      order_id: {column: VBELN, normalise: [strip_leading_zeros, {add_prefix: SO-}]}
      customer_id: KUNNR
      customer_po: BSTKD
      ordered_at: ERDAT
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns:
      order_id: {column: VBELN, normalise: [strip_leading_zeros, {add_prefix: SO-}]}
      line_no: POSNR
      item_id: MATNR
      qty: QTY
      unit_price: PRICE
  erp_invoices:
    system: erp
    entity: invoice_lines
    path: erp/invoices.csv
    columns:
      invoice_id: INV
      line_no: POS
      order_id: {column: ORDER, normalise: [strip_leading_zeros, {add_prefix: SO-}]}
      order_line_no: ORDER_POS
      qty: QTY
      amount: AMOUNT
      invoiced_at: DATE
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/shipments.csv
    columns:
      shipment_id: shipment
      order_id: order
      line_no: line
      qty: qty
      shipped_at: shipped
      carrier: carrier
      tracking_no: tracking
  tms:
    system: tms
    entity: deliveries
    path: tms/deliveries.csv
    columns:
      shipment_id: ref
      carrier: carrier
      tracking_no: pro
      picked_up_at: pickup
      delivered_at: delivered
      pod_signed_by: pod
  edi_docs:
    system: edi
    entity: edi_documents
    path: edi/documents.csv
    columns:
      transaction_set: st
      control_number: ctl
      group_control: gs
      direction: dir
      partner_id: partner
      reference: ref
      document_date: date
  edi_acks:
    system: edi
    entity: edi_acks
    path: edi/acks.csv
    columns:
      acked_group_control: gs
      acked_control_number: ctl
      acked_transaction_set: st
      status: status
"""

PACK = """
pack: test-transport
workflow: transport
title: Proof of delivery
rules:
  - id: delivered-with-pod
    title: A delivered shipment has a proof of delivery
    kind: check
    table: tms.deliveries
    keys: [shipment_id]
    require: pod_signed_by IS NOT NULL
    outcome: {exception: no-proof-of-delivery, severity: medium, owner: operations}
"""

FILES = {
    "erp/orders.csv": """
        VBELN,KUNNR,BSTKD,ERDAT
        0000001042,C7,PO-88123,2026-11-10T08:00:00Z
        0000001043,C8,PO-88124,2026-11-10T09:00:00Z
        """,
    "erp/lines.csv": """
        VBELN,POSNR,MATNR,QTY,PRICE
        0000001042,10,ITEM-A,10,3.50
        0000001042,20,ITEM-B,2,12.00
        0000001043,10,ITEM-A,1,3.50
        """,
    "erp/invoices.csv": """
        INV,POS,ORDER,ORDER_POS,QTY,AMOUNT,DATE
        INV-5001,1,1042,10,10,35.00,2026-11-13T00:00:00Z
        INV-5001,2,1042,20,2,24.00,2026-11-13T00:00:00Z
        INV-5002,1,1043,10,1,3.50,2026-11-13T00:00:00Z
        """,
    "wms/shipments.csv": """
        shipment,order,line,qty,shipped,carrier,tracking
        SH-77001,1042,10,5,2026-11-11T10:00:00Z,UPSN,1Z999AA10123456784
        SH-77002,1042,10,5,2026-11-12T10:00:00Z,UPSN,1Z999AA10123456799
        SH-77002,1042,20,2,2026-11-12T10:00:00Z,UPSN,1Z999AA10123456799
        SH-77003,1043,10,1,2026-11-11T11:00:00Z,FDEG,7700000003
        """,
    "tms/deliveries.csv": """
        ref,carrier,pro,pickup,delivered,pod
        SH-77001,UPSN,1Z999AA10123456784,2026-11-11T12:00:00Z,2026-11-12T15:00:00Z,J SMITH
        SH-77002,UPSN,1Z999AA10123456799,2026-11-12T12:00:00Z,2026-11-13T15:00:00Z,
        SH-77003,FDEG,7700000003,2026-11-11T12:00:00Z,2026-11-12T09:00:00Z,K LEE
        """,
    "edi/documents.csv": """
        st,ctl,gs,dir,partner,ref,date
        850,0001,1,inbound,ACME,PO-88123,2026-11-10
        856,0002,2,outbound,ACME,SH-77001,2026-11-11
        856,0003,3,outbound,ACME,SH-77002,2026-11-12
        810,0004,4,outbound,ACME,INV-5001,2026-11-13
        850,0005,5,inbound,BETA,PO-88124,2026-11-10
        """,
    "edi/acks.csv": """
        gs,ctl,st,status
        2,0002,856,A
        3,0003,856,R
        5,0005,850,A
        """,
}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    for name, text in {**FILES, "recon.yaml": CONFIG, "rules/transport.yaml": PACK}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return tmp_path / "recon.yaml"


def instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def trace(config: Path, key: str, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["trace", key, "--config", str(config), "--json", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


STORY = {
    "orders": ["PO-88123", "SO-1042"],
    "shipments": ["SH-77001", "SH-77002"],
    "tracking": ["1Z999AA10123456784", "1Z999AA10123456799"],
    "invoices": ["INV-5001"],
}


@pytest.mark.parametrize("key", [
    "SO-1042", "so-1042", "0000001042", "1042", " SO 1042 ",  # the order, as each system writes it
    "PO-88123", "po88123",  # the customer's PO
    "SH-77002", "sh-77001",  # either partial shipment
    "1Z999AA10123456799",  # a tracking number
    "INV-5001",  # the invoice
])
def test_every_form_of_every_number_finds_the_same_story(shop, key):
    code, data = trace(shop, key)
    assert code == 0 and data["found"]
    refs = {k: sorted(v) for k, v in data["references"].items()}
    assert {k: [v for v in vs if v != "1042"] for k, vs in refs.items()} == STORY  # wms writes 1042 bare


def test_exact_matches_win_and_tolerant_ones_say_so(shop):
    _, exact = trace(shop, "SO-1042")
    assert {(m["table"], m["column"], m["value"]) for m in exact["matched"]} == {
        ("erp.orders", "order_id", "SO-1042"), ("erp.order_lines", "order_id", "SO-1042"),
        ("erp.invoice_lines", "order_id", "SO-1042")}
    assert all(m["exact"] for m in exact["matched"])
    _, padded = trace(shop, "0000001042")  # no system writes it padded: the bare and prefixed forms match
    assert ("wms.shipment_lines", "order_id", "1042") in {(m["table"], m["column"], m["value"])
                                                          for m in padded["matched"]}


def test_the_story_is_complete_in_time_order_with_lineage(shop):
    _, data = trace(shop, "SO-1042")
    events = data["events"]
    tables = {(e["system"], e["entity"]) for e in events}
    assert tables == {("erp", "orders"), ("erp", "order_lines"), ("erp", "invoice_lines"), ("wms", "shipment_lines"),
                      ("tms", "deliveries"), ("edi", "edi_documents"), ("edi", "edi_acks")}
    assert not any("1043" in e["what"] or "77003" in e["what"] or "88124" in e["what"] for e in events)
    dated = [e["at"] for e in events if e["at"] and not e["at_inherited"]]
    assert dated == sorted(dated, key=instant)
    sets = sorted(e["fields"]["transaction_set"] for e in events if e["entity"] == "edi_documents")
    assert sets == ["810", "850", "856", "856"]
    acks = [e for e in events if e["entity"] == "edi_acks"]
    assert sorted(e["fields"]["status"] for e in acks) == ["A", "R"] and "rejected" in " ".join(e["what"] for e in acks)
    pod = [e for e in events if e["moment"] == "delivered"]
    assert any("POD signed by J SMITH" in e["what"] for e in pod)
    assert all(":" in e["source"] for e in events)
    assert {"erp/orders.csv:2", "wms/shipments.csv:3", "tms/deliveries.csv:2"} <= {e["source"] for e in events}


def test_unknown_keys_and_sql_in_the_key_find_nothing(shop):
    # INV-77001: a prefix that contradicts the shipment's SH- is another document, not a spelling of it
    for key in ("SO-9999", "INV-77001", "1042' OR '1'='1", "'; DROP TABLE erp.orders; --", "%", "_"):
        code, data = trace(shop, key)
        assert code == 1 and not data["found"] and data["events"] == [], key
    _, still = trace(shop, "SO-1042")
    assert still["found"]  # the tables are still there
    text = CliRunner().invoke(main, ["trace", "SO-9999", "--config", str(shop)])
    assert text.exit_code == 1 and "no order, PO, shipment" in text.stdout


def test_trace_shows_the_exceptions_with_their_lifecycle(shop):
    runner = CliRunner()
    for as_of in ("2026-11-14T06:00:00Z", "2026-11-15T06:00:00Z"):
        result = runner.invoke(main, ["run", "--config", str(shop), "--as-of", as_of, "--quiet",
                                      "--out", str(shop.parent / "out" / as_of[:10])])
        assert result.exit_code == 0, result.output
    _, data = trace(shop, "1Z999AA10123456784")
    (exc,) = data["exceptions"]
    assert exc["exception_type"] == "no-proof-of-delivery" and exc["shipment_id"] == "SH-77002"
    assert exc["status"] == "open" and float(exc["hours_open"]) == 24.0
    assert exc["first_seen_at"].startswith("2026-11-14T06:00")
    _, other = trace(shop, "SO-1043")
    assert other["exceptions"] == []
    text = runner.invoke(main, ["trace", "SO-1042", "--config", str(shop)], env={"COLUMNS": "200"})
    assert text.exit_code == 0 and "no-proof-of-delivery" in text.stdout and "open" in text.stdout
    assert "timeline" in text.stdout and "tms/deliveries.csv:3" in text.stdout


REPO = Path(__file__).resolve().parents[2]


def test_trace_on_a_generated_sample_finds_an_edi_order_with_partial_shipments(tmp_path):
    from recon.sample.generate import generate

    out = tmp_path / "sample"
    generate(out, orders=200, seed=11, as_of=datetime(2026, 11, 20, 6, tzinfo=UTC))
    check_edi_order_story(out / "recon.yaml")


def test_trace_on_the_committed_sample_data():
    check_edi_order_story(REPO / "sample_data" / "recon.yaml")


def check_edi_order_story(config: Path) -> None:
    """An EDI order that left in several shipments is found, whole, from its PO, a shipment, a tracking no."""
    from recon.config import load_project
    from recon.db import Database
    from recon.load.loader import Loader

    db = Database()
    Loader(load_project(config), db, "probe").load_all()
    # an EDI order (its PO arrived as an 850) that left in two or more WMS shipments
    row = db.rows("""
        SELECT o.order_id, o.customer_po, min(s.shipment_id), max(s.shipment_id), max(s.tracking_no)
        FROM erp.orders o JOIN wms.shipment_lines s ON s.order_id = o.order_id
        WHERE o.customer_po IN (SELECT reference FROM edi.edi_documents WHERE transaction_set = '850')
          AND s.tracking_no IS NOT NULL
        GROUP BY ALL HAVING count(DISTINCT s.shipment_id) >= 2 ORDER BY 1 LIMIT 1""")
    db.close()
    assert row, "the sample has no EDI order with partial shipments"
    order_id, po, first_shipment, last_shipment, tracking = row[0]
    stories = []
    for key in (po, last_shipment, tracking, order_id.zfill(10)):
        code, data = trace(config, key)
        assert code == 0, key
        stories.append(data)
        assert {first_shipment, last_shipment} <= set(data["references"]["shipments"]), key
        assert {order_id, po} <= set(data["references"]["orders"]), key
    assert all(s["references"] == stories[0]["references"] for s in stories)
    events = stories[0]["events"]
    assert {e["system"] for e in events} >= {"erp", "wms", "tms", "edi"}
    sets = {e["fields"].get("transaction_set") for e in events if e["entity"] == "edi_documents"}
    assert {"850", "856"} <= sets
    assert any(e["entity"] == "edi_acks" for e in events)
    assert any(e["entity"] == "deliveries" and e["moment"] == "delivered" for e in events)
    assert all(e["source"].split(":")[-1].isdigit() for e in events)
