"""The canonical tables X12 sets load into: their columns, and the order mappers hand rows over in.

`COLUMNS` is the public column order of each entity table (plus `LINEAGE`). A mapper does not
build rows in that order: it emits one *head* tuple per set (`HEADS`: the values every row of
the set shares) and one short tuple or list per row (`LINES`); the parser expands heads to rows
with an Arrow `take`. Slot constants in the set modules are derived from `LINES`, so a row list
a mapper fills in place cannot drift from the table's layout.
"""

from __future__ import annotations

LINEAGE = ("_source_file", "_source_row", "_interchange_control", "_set_control")

COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": (
        "order_id", "customer_id", "customer_name", "customer_po", "channel", "ordered_at", "released_at",
        "status", "site",
        "transaction_set", "purpose_code", "order_type", "ship_to_id", "ship_to_name", "currency",
        "requested_ship_at", "requested_delivery_at", "line_count", "total_amount", "partner_id", "direction",
    ),
    "order_lines": (
        "order_id", "line_no", "item_id", "qty", "uom", "unit_price", "currency", "site", "lot", "status",
        "transaction_set", "line_ref", "item_qualifier", "item_ids", "description", "partner_id",
    ),
    "order_acks": (
        "order_id", "line_no", "item_id", "qty", "uom", "unit_price", "status", "ack_qty", "acked_at",
        "ack_type", "purpose_code", "seller_order_id", "ack_uom", "ack_date", "line_ref", "item_qualifier",
        "item_ids", "partner_id",
    ),
    "shipment_lines": (
        "shipment_id", "order_id", "line_no", "item_id", "qty", "lot", "site", "status", "shipped_at", "carrier",
        "tracking_no",
        "transaction_set", "uom", "qty_ordered", "line_status", "line_ref", "item_qualifier", "item_ids",
        "customer_po", "sscc", "tare_sscc", "bol_no", "pro_no", "ship_to_id", "ship_to_name", "order_line_no",
        "purpose_code", "asn_date", "partner_id",
    ),
    "invoice_lines": (
        "invoice_id", "line_no", "order_id", "order_line_no", "item_id", "qty", "amount", "currency", "invoiced_at",
        "uom", "unit_price", "line_ref", "item_qualifier", "item_ids", "description", "line_allowances",
        "line_charges", "invoice_total", "invoice_allowances", "invoice_charges", "charges_detail", "partner_id",
    ),
    "deliveries": (
        "shipment_id", "load_id", "carrier", "tracking_no", "picked_up_at", "delivered_at", "pod_signed_by",
        "freight_cost",
        "status", "status_reason", "status_at", "bol_no", "po_number", "shipper_name", "consignee_name",
        "partner_id",
    ),
    "stock": (
        "item_id", "site", "lot", "qty", "as_of",
        "uom", "qty_qualifier", "quantities", "item_qualifier", "item_ids", "description", "report_type",
        "partner_id",
    ),
    "returns": (
        "rma_id", "line_no", "order_id", "item_id", "qty", "disposition", "received_at",
        "uom", "unit_price", "return_reason", "line_ref", "item_qualifier", "item_ids", "partner_id",
    ),
    "edi_documents": (
        "transaction_set", "control_number", "direction", "partner_id", "group_control", "interchange_control",
        "sender_id", "receiver_id", "reference", "document_date",
        "functional_id", "version", "implementation", "gs_sender", "gs_receiver", "sent_at", "test_indicator",
        "segment_count",
    ),
    "edi_acks": (
        "acked_group_control", "acked_control_number", "acked_transaction_set", "status", "errors", "partner_id",
        "acked_at",
        "acked_functional_id", "group_status", "sets_included", "sets_received", "sets_accepted", "ack_type",
    ),
}

_SET_LINEAGE = ("_source_file", "_interchange_control", "_set_control")

HEADS: dict[str, tuple[str, ...]] = {
    "order_lines": ("order_id", "currency", "site", "status", "transaction_set", "partner_id", *_SET_LINEAGE),
    "order_acks": (
        "order_id", "acked_at", "ack_type", "purpose_code", "seller_order_id", "partner_id", *_SET_LINEAGE,
    ),
    "shipment_lines": (
        "shipment_id", "status", "transaction_set", "purpose_code", "asn_date", "partner_id", *_SET_LINEAGE,
    ),
    "invoice_lines": (
        "invoice_id", "order_id", "currency", "invoiced_at", "invoice_total", "invoice_allowances",
        "invoice_charges", "charges_detail", "partner_id", *_SET_LINEAGE,
    ),
    "stock": ("as_of", "report_type", "partner_id", *_SET_LINEAGE),
    "returns": ("rma_id", "partner_id", *_SET_LINEAGE),
    "edi_acks": (
        "acked_group_control", "partner_id", "acked_at", "acked_functional_id", "group_status", "sets_included",
        "sets_received", "sets_accepted", "ack_type", *_SET_LINEAGE,
    ),
    # one head per functional group (the parser extends the last head's count per set)
    "edi_documents": (
        "direction", "partner_id", "group_control", "interchange_control", "sender_id", "receiver_id",
        "functional_id", "version", "gs_sender", "gs_receiver", "sent_at", "test_indicator", "_source_file",
        "_interchange_control",
    ),
}
"""Columns whose value is the same for every row of one transaction set.

Rows are stored as one head tuple per set plus one short tuple per line; the table builder
expands heads with an Arrow `take`. Rebuilding every constant per row and transposing it in
Python was half the run time on a large file.
"""

LINES: dict[str, tuple[str, ...]] = {
    "order_lines": (
        "line_no", "item_id", "qty", "uom", "unit_price", "lot", "line_ref", "item_qualifier", "item_ids",
        "description", "_source_row",
    ),
    "order_acks": (
        "line_no", "item_id", "qty", "uom", "unit_price", "status", "ack_qty", "ack_uom", "ack_date", "line_ref",
        "item_qualifier", "item_ids", "_source_row",
    ),
    "shipment_lines": (
        "order_id", "line_no", "item_id", "qty", "lot", "site", "shipped_at", "carrier", "tracking_no", "uom",
        "qty_ordered", "line_status", "line_ref", "item_qualifier", "item_ids", "customer_po", "sscc", "tare_sscc",
        "bol_no", "pro_no", "ship_to_id", "ship_to_name", "order_line_no", "_source_row",
    ),
    "invoice_lines": (
        "line_no", "order_line_no", "item_id", "qty", "amount", "uom", "unit_price", "line_ref", "item_qualifier",
        "item_ids", "description", "line_allowances", "line_charges", "_source_row",
    ),
    "stock": (
        "item_id", "site", "lot", "qty", "uom", "qty_qualifier", "quantities", "item_qualifier", "item_ids",
        "description", "_source_row",
    ),
    "returns": (
        "line_no", "order_id", "item_id", "qty", "disposition", "received_at", "uom", "unit_price",
        "return_reason", "line_ref", "item_qualifier", "item_ids", "_source_row",
    ),
    "edi_acks": ("acked_control_number", "acked_transaction_set", "status", "errors", "_source_row"),
    "edi_documents": (
        "transaction_set", "control_number", "reference", "document_date", "implementation", "segment_count",
        "_source_row", "_set_control",
    ),
}
for _entity, _cols in COLUMNS.items():
    HEADS.setdefault(_entity, ())
    LINES.setdefault(_entity, (*_cols, *LINEAGE))
    assert sorted(HEADS[_entity] + LINES[_entity]) == sorted(_cols + LINEAGE), _entity


def slot(entity: str, column: str) -> int:
    """Index of `column` in a row of `entity` as a mapper hands it over (LINES order)."""
    return LINES[entity].index(column)
