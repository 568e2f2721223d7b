"""main.events and main.correlation: one correlation id per order chain, whatever reference links it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from recon.db import Database
from recon.events.build import EVENTS_ORDER, build
from tests.events.conftest import config

ORDER = {"order_id": "SO-1042", "customer_po": "PO-77", "ordered_at": "2026-11-02 08:00:00+00",
         "released_at": "2026-11-02 09:00:00+00"}


def _chain_of(db: Database, node: str) -> str | None:
    rows = db.rows("SELECT correlation_id FROM main.correlation WHERE node = ?", [node])
    return rows[0][0] if rows else None


def _chain(insert: Callable[..., None]) -> None:
    insert("erp.orders", ORDER)
    insert("wms.shipment_lines", {"shipment_id": "SH-9", "order_id": "1042", "line_no": "1", "tracking_no": "1Z999",
                                  "shipped_at": "2026-11-03 10:00:00+00"})
    insert("erp.shipment_lines", {"shipment_id": "SH-9", "order_id": "SO-001042", "line_no": "1",
                                  "shipped_at": "2026-11-03 11:00:00+00"})
    insert("tms.deliveries", {"shipment_id": "SH-0009", "tracking_no": "1z999",
                              "delivered_at": "2026-11-05 10:00:00+00"})
    insert("erp.invoice_lines", {"invoice_id": "90001", "line_no": "1", "order_id": "SO-1042", "order_line_no": "1",
                                 "invoiced_at": "2026-11-04 00:00:00+00"})
    insert("edi.edi_documents", {"transaction_set": "856", "control_number": "0042", "direction": "outbound",
                                 "partner_id": "ACME", "reference": "SH-9", "document_date": "2026-11-03"},
           extra={"sent_at": "VARCHAR"})
    insert("edi.edi_acks", {"acked_transaction_set": "856", "acked_control_number": "42", "partner_id": "ACME",
                            "status": "A", "acked_at": "2026-11-03 18:00:00+00"})


def test_every_reference_of_an_order_is_one_chain(db: Database, insert: Callable[..., None]) -> None:
    _chain(insert)
    built = build(db, config())
    chain = _chain_of(db, "order:SO1042")
    assert chain == "order:1042"  # the chain's smallest node, order references first
    for node in ("order:PO77", "order:1042", "shipment:SH9", "tracking:1Z999", "invoice:90001", "edi:856:ACME:42"):
        assert _chain_of(db, node) == chain, node
    assert built.chains == 1
    events = db.rows("SELECT event_type, system, correlation_id FROM main.events ORDER BY event_at, event_type")
    assert [(e, s) for e, s, _ in events] == [
        ("order-received", "erp"), ("order-released", "erp"), ("asn-sent", "edi"), ("shipped", "wms"),
        ("goods-issue-posted", "erp"), ("ack-received", "edi"), ("invoiced", "erp"), ("delivered", "tms")]
    assert {c for _, _, c in events} == {chain}


def test_an_asn_whose_po_is_unknown_gets_its_own_chain(db: Database, insert: Callable[..., None]) -> None:
    _chain(insert)
    insert("edi.shipment_lines", {"shipment_id": "SH-500", "order_id": "PO-404", "line_no": "1",
                                  "shipped_at": "2026-11-03 10:00:00+00"})
    insert("edi.edi_documents", {"transaction_set": "856", "control_number": "0043", "direction": "outbound",
                                 "partner_id": "ACME", "reference": "SH-500", "document_date": "2026-11-03"})
    build(db, config())
    lost = _chain_of(db, "order:PO404")
    assert lost is not None and lost != _chain_of(db, "order:SO1042")
    assert _chain_of(db, "shipment:SH500") == lost == _chain_of(db, "edi:856:ACME:43")
    assert db.rows("SELECT event_type FROM main.events WHERE correlation_id = ?", [lost]) == [("asn-sent",)]


def test_a_chain_without_an_order_is_named_by_family_rank_not_by_text(db: Database,
                                                                      insert: Callable[..., None]) -> None:
    """A shipment, its tracking number and its ASN, and no order: the chain id is the shipment (the first
    family by rank), though `edi:856:...` sorts before it as text; and
    every chain id is a node of its own chain (the chain count relies on it)."""
    insert("tms.deliveries", {"shipment_id": "SH-77", "tracking_no": "AA1", "delivered_at": "2026-11-05 10:00:00+00"})
    insert("edi.edi_documents", {"transaction_set": "856", "control_number": "0043", "direction": "outbound",
                                 "partner_id": "ACME", "reference": "SH-77", "document_date": "2026-11-03"})
    built = build(db, config())
    assert _chain_of(db, "edi:856:ACME:43") == "shipment:SH77" == _chain_of(db, "tracking:AA1")
    assert db.scalar("SELECT count(DISTINCT correlation_id) FROM main.correlation") == built.chains
    assert db.rows("SELECT correlation_id FROM main.correlation EXCEPT SELECT node FROM main.correlation "
                   "WHERE node = correlation_id") == []


def test_control_numbers_link_per_partner_only(db: Database, insert: Callable[..., None]) -> None:
    """Two partners' ASNs with the same control number are two documents, not one chain."""
    for partner, shipment in (("ACME", "SH-1"), ("BOLT", "SH-2")):
        insert("edi.edi_documents", {"transaction_set": "856", "control_number": "7", "direction": "outbound",
                                     "partner_id": partner, "reference": shipment, "document_date": "2026-11-03"})
    build(db, config())
    assert _chain_of(db, "shipment:SH1") != _chain_of(db, "shipment:SH2")


def test_a_bare_number_joins_the_one_prefixed_value_and_no_guess(db: Database, insert: Callable[..., None]) -> None:
    insert("erp.orders", {"order_id": "SO-7", "ordered_at": "2026-11-02 08:00:00+00"},
           {"order_id": "SO-8", "ordered_at": "2026-11-02 08:00:00+00"},
           {"order_id": "PO-8", "ordered_at": "2026-11-02 08:00:00+00"})
    insert("wms.shipment_lines", {"shipment_id": "A1", "order_id": "0007", "line_no": "1"},
           {"shipment_id": "A2", "order_id": "8", "line_no": "1"})
    build(db, config())
    assert _chain_of(db, "shipment:A1") == _chain_of(db, "order:SO7")
    assert _chain_of(db, "shipment:A2") not in (_chain_of(db, "order:SO8"), _chain_of(db, "order:PO8"))


def test_long_chains_converge(db: Database, insert: Callable[..., None]) -> None:
    """A path of 300 rows (each shares its shipment or its tracking number with the next) is one chain, found
    in a few rounds (pointer jumping), not one round per link."""
    insert("tms.deliveries", *({"shipment_id": f"S{i // 2}", "tracking_no": f"T{(i + 1) // 2}"} for i in range(300)))
    insert("wms.shipment_lines", {"shipment_id": "S77", "order_id": "O1", "line_no": "1"})
    built = build(db, config())
    assert built.chains == 1 and _chain_of(db, "tracking:T150") == "order:O1"
    assert built.rounds < 20


def test_consolidation_links_two_orders_but_merges_neither(db: Database, insert: Callable[..., None]) -> None:
    """An invoice over two orders and a tracking number two shipments share: each order keeps its chain, its
    rows (the invoice's lines of that order) are on it, and the shared references have an id of their own."""
    insert("erp.orders", {"order_id": "1", "ordered_at": "2026-11-02 08:00:00+00"},
           {"order_id": "2", "ordered_at": "2026-11-02 08:00:00+00"})
    insert("wms.shipment_lines", {"shipment_id": "SH1", "order_id": "1", "line_no": "1", "tracking_no": "T9",
                                  "shipped_at": "2026-11-03 08:00:00+00"},
           {"shipment_id": "SH2", "order_id": "2", "line_no": "1", "tracking_no": "T9",
            "shipped_at": "2026-11-03 08:00:00+00"})
    insert("erp.invoice_lines", {"invoice_id": "INV1", "line_no": "1", "order_id": "1",
                                 "invoiced_at": "2026-11-04 00:00:00+00"},
           {"invoice_id": "INV1", "line_no": "2", "order_id": "2", "invoiced_at": "2026-11-04 00:00:00+00"})
    build(db, config())
    assert _chain_of(db, "order:1") == "order:1" and _chain_of(db, "order:2") == "order:2"
    assert _chain_of(db, "shipment:SH1") == "order:1" and _chain_of(db, "shipment:SH2") == "order:2"
    assert _chain_of(db, "invoice:INV1") == "invoice:INV1" and _chain_of(db, "tracking:T9") == "tracking:T9"
    assert db.rows("SELECT correlation_id, count(*) FROM main.events WHERE event_type = 'invoiced' "
                   "GROUP BY 1 ORDER BY 1") == [("order:1", 1), ("order:2", 1)]


def test_exceptions_get_their_chain(db: Database, insert: Callable[..., None]) -> None:
    _chain(insert)
    db.execute("CREATE TABLE main.exceptions (exception_id VARCHAR, order_id VARCHAR, customer_po VARCHAR, "
               "shipment_id VARCHAR, invoice_id VARCHAR, document VARCHAR)")
    db.execute("INSERT INTO main.exceptions VALUES ('a', NULL, NULL, 'SH-9', NULL, NULL), "
               "('b', NULL, NULL, NULL, NULL, 'sh9'), ('c', 'SO-999', NULL, NULL, NULL, NULL)")
    build(db, config())
    assert db.rows("SELECT exception_id, correlation_id FROM main.exceptions ORDER BY 1") == [
        ("a", "order:1042"), ("b", "order:1042"), ("c", None)]


def test_declared_events_replace_a_tables_defaults(db: Database, insert: Callable[..., None]) -> None:
    insert("wms.shipment_lines", {"shipment_id": "SH1", "order_id": "1", "line_no": "1", "picked_at": "2026-11-03",
                                  "shipped_at": "2026-11-04 00:00:00+00"}, extra={"picked_at": "VARCHAR"})
    insert("erp.orders", {"order_id": "1", "ordered_at": "2026-11-02 00:00:00+00"})
    cfg = config(events={"tables": {"wms.shipment_lines": {"picked": "picked_at", "shipped": "shipped_at"},
                                    "orders": {}}})
    build(db, cfg)
    assert db.rows("SELECT event_type FROM main.events ORDER BY event_at") == [("picked",), ("shipped",)]


def test_a_table_without_lineage_still_gives_events(db: Database) -> None:
    """A `derive: {create:}` table may have no lineage columns: its events have none either."""
    db.execute("CREATE SCHEMA erp")
    db.execute("CREATE TABLE erp.orders (order_id INTEGER, ordered_at TIMESTAMPTZ)")
    db.execute("INSERT INTO erp.orders VALUES (7, '2026-11-02 08:00:00+00')")
    build(db, config())
    assert db.rows("SELECT correlation_id, event_type, _source_file FROM main.events") == [
        ("order:7", "order-received", None)]


def test_events_written_to_their_file_are_the_table_row_by_row(db: Database, insert: Callable[..., None],
                                                                tmp_path: Path) -> None:
    """With `events_file` main.events is a view over a Parquet file holding the rows the table holds, in
    the table's order; building again without it (a dry run, keep_tables_days: 0) gives a table again."""
    _chain(insert)
    insert("erp.orders", {"order_id": "SO-7", "ordered_at": "2026-11-01 08:00:00+00"},
           {"order_id": "SO-8", "ordered_at": "2026-11-01 08:00:00+00", "released_at": "2026-11-01 08:00:00+00"})
    build(db, config())
    table = db.rows("SELECT * FROM main.events")
    assert len(table) == 11 and table == db.rows(f"SELECT * FROM main.events ORDER BY {EVENTS_ORDER}")
    target = tmp_path / "main.events.parquet"
    built = build(db, config(), target)
    assert built.events == len(table)
    assert db.scalar("SELECT table_type FROM information_schema.tables WHERE table_name = 'events'") == "VIEW"
    assert db.rows("SELECT * FROM main.events") == table
    assert db.rows(f"SELECT * FROM read_parquet('{target}')") == table
    assert db.rows("DESCRIBE main.events") == db.rows(f"DESCRIBE SELECT * FROM read_parquet('{target}')")
    build(db, config())
    assert db.scalar("SELECT table_type FROM information_schema.tables WHERE table_name = 'events'") == "BASE TABLE"
    assert db.rows("SELECT * FROM main.events") == table


def test_no_events_written_to_their_file_are_an_empty_typed_table(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "main.events.parquet"
    build(db, config(), target)
    assert db.rows("SELECT count(*) FROM main.events") == [(0,)] and target.is_file()
    types = dict((r[0], r[1]) for r in db.rows("DESCRIBE main.events"))
    assert types["event_at"] == "TIMESTAMP WITH TIME ZONE" and types["_source_row"] == "BIGINT"


def test_events_go_to_a_table_when_their_file_cannot_be_written(db: Database, insert: Callable[..., None],
                                                                 tmp_path: Path) -> None:
    """The kept folder is a cache: a file that cannot be written costs the run nothing."""
    _chain(insert)
    build(db, config())
    table = db.rows("SELECT * FROM main.events")
    build(db, config(), tmp_path / "missing-folder" / "main.events.parquet")
    assert db.scalar("SELECT table_type FROM information_schema.tables WHERE table_name = 'events'") == "BASE TABLE"
    assert db.rows("SELECT * FROM main.events") == table and len(table) == 8
