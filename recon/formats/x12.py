"""ANSI X12 EDI as a source format: every transaction set mapped onto the canonical entities.

The parser and mapping are `recon.load.x12` (docs/edi.md); this is what the rest of recon may
know without importing them: the entities an X12 source feeds, the text columns it adds beyond
the canonical fields (rule packs and `recon validate` check columns against these), and the
transaction sets `recon trace` names. tests/load/x12 checks these against the mapping's own lists.
"""

from __future__ import annotations

from recon.formats.spec import DocumentType, SourceFormat
from recon.lazyref import lazy

# Lineage of an EDI row beyond _load_id, _source_file and _source_row: its envelope.
ENVELOPE_COLUMNS = ("_interchange_control", "_set_control")

_EXTRAS: dict[str, tuple[str, ...]] = {
    "orders": ("transaction_set", "purpose_code", "order_type", "ship_to_id", "ship_to_name", "currency",
               "requested_ship_at", "requested_delivery_at", "line_count", "total_amount", "partner_id", "direction"),
    "order_lines": ("transaction_set", "line_ref", "item_qualifier", "item_ids", "description", "partner_id"),
    "order_acks": ("ack_type", "purpose_code", "seller_order_id", "ack_uom", "ack_date", "line_ref",
                   "item_qualifier", "item_ids", "partner_id"),
    "shipment_lines": ("transaction_set", "qty_ordered", "line_status", "line_ref", "item_qualifier",
                       "item_ids", "customer_po", "sscc", "tare_sscc", "bol_no", "pro_no", "ship_to_id",
                       "ship_to_name", "order_line_no", "purpose_code", "asn_date", "partner_id"),
    "invoice_lines": ("unit_price", "line_ref", "item_qualifier", "item_ids", "description",
                      "line_allowances", "line_charges", "invoice_total", "invoice_allowances", "invoice_charges",
                      "charges_detail", "partner_id"),
    "deliveries": ("status", "status_reason", "status_at", "bol_no", "po_number", "shipper_name", "consignee_name",
                   "partner_id"),
    "stock": ("qty_qualifier", "quantities", "item_qualifier", "item_ids", "description", "report_type",
              "partner_id"),
    "returns": ("unit_price", "return_reason", "line_ref", "item_qualifier", "item_ids", "partner_id"),
    "edi_documents": ("functional_id", "version", "implementation", "gs_sender", "gs_receiver", "sent_at",
                      "test_indicator", "segment_count"),
    "edi_acks": ("acked_functional_id", "group_status", "sets_included", "sets_received", "sets_accepted",
                 "ack_type"),
}

_SETS: dict[str, DocumentType] = {
    "850": DocumentType("purchase order", "R"), "855": DocumentType("PO acknowledgement", "R"),
    "860": DocumentType("PO change", "R"), "865": DocumentType(None, "R"), "875": DocumentType(None, "R"),
    "940": DocumentType("warehouse shipping order", "R"), "856": DocumentType("ship notice (ASN)", "S"),
    "945": DocumentType("warehouse shipping advice", "S"), "214": DocumentType("shipment status", "S"),
    "810": DocumentType("invoice", "I"), "880": DocumentType(None, "I"),
    "997": DocumentType("functional acknowledgement"), "999": DocumentType("implementation acknowledgement"),
    "846": DocumentType("inventory"), "180": DocumentType("return"), "824": DocumentType("application advice"),
}

X12 = SourceFormat(
    "x12", (".edi", ".x12"), "ANSI X12 interchanges (850, 855, 856, 810, 997 and more; docs/edi.md)",
    load=lazy("recon.load.edi:load_x12_source"), spark="load_x12",
    options_key="x12", options_model=lazy("recon.load.x12.quirks:X12Options"),
    # edi_findings: every envelope and syntax finding of the parse, one row each (recon.load.edi).
    entities=(*_EXTRAS, "edi_findings"),
    extras={e: {**dict.fromkeys(cols, "VARCHAR"), **dict.fromkeys(ENVELOPE_COLUMNS, "VARCHAR")}
            for e, cols in _EXTRAS.items()},
    default_system="edi", documents=_SETS, signatures=(b"ISA",),
)

__all__ = ["ENVELOPE_COLUMNS", "X12"]
