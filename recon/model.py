"""The canonical model: the contract the loaders fill and the rule packs are written against.

Types are DuckDB types. Quantities and money are DECIMAL so that `12.000` and `12` are the same
number and sums of invoice amounts do not drift; timestamps are TIMESTAMPTZ so that a WMS time
with a UTC offset and an ERP date in the plant's time zone compare on one clock.
"""

from __future__ import annotations

from dataclasses import dataclass

ID = "VARCHAR"
TEXT = "VARCHAR"
QTY = "DECIMAL(18,4)"
MONEY = "DECIMAL(18,4)"
INT = "INTEGER"
# Line numbers are text: Oracle numbers shipment splits 1.1, 1.2; SAP pads 000010. How a source
# writes them is declared per column (`line: integer | dotted | text`); integer-looking ones are
# stored without leading zeros, so `000010`, `10` and `10.000` are line `10` (recon.casting).
LINE = "VARCHAR"
LINE_FIELDS = frozenset({"line_no", "order_line_no"})
TS = "TIMESTAMPTZ"
DATE = "DATE"
# A unit conversion factor: exact enough for 1/12 (an each of a case of 12) and 0.45359237 (LB to KG).
FACTOR = "DECIMAL(24,10)"

LINEAGE_COLUMNS: dict[str, str] = {
    "_load_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
}


@dataclass(frozen=True)
class Entity:
    name: str
    keys: tuple[str, ...]
    fields: dict[str, str]  # every canonical field (keys included) -> DuckDB type
    description: str
    nullable_keys: tuple[str, ...] = ()  # part of the key, but may be empty (an item without lots)

    @property
    def required(self) -> tuple[str, ...]:
        """Key fields a row cannot be used without."""
        return tuple(k for k in self.keys if k not in self.nullable_keys)

    @property
    def columns(self) -> dict[str, str]:
        return {**self.fields, **LINEAGE_COLUMNS}


def _entity(name: str, keys: tuple[str, ...], fields: dict[str, str], description: str,
            nullable_keys: tuple[str, ...] = ()) -> Entity:
    return Entity(name, keys, fields, description, nullable_keys)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in [
        _entity(
            "orders",
            ("order_id",),
            {
                "order_id": ID, "customer_id": ID, "customer_name": TEXT, "customer_po": ID,
                "channel": TEXT, "ordered_at": TS, "released_at": TS, "status": TEXT, "site": ID,
            },
            "Sales order headers (ERP orders, WMS pick orders, EDI 850/940).",
        ),
        _entity(
            "order_lines",
            ("order_id", "line_no"),
            {
                "order_id": ID, "line_no": LINE, "item_id": ID, "qty": QTY, "uom": TEXT,
                "unit_price": MONEY, "currency": TEXT, "site": ID, "lot": ID, "status": TEXT,
            },
            "Sales order lines.",
        ),
        _entity(
            "order_acks",
            ("order_id", "line_no"),
            {
                "order_id": ID, "line_no": LINE, "item_id": ID, "qty": QTY, "uom": TEXT,
                "unit_price": MONEY, "status": TEXT, "ack_qty": QTY, "acked_at": TS,
            },
            "Order acknowledgement lines (EDI 855).",
        ),
        _entity(
            "shipment_lines",
            ("shipment_id", "order_id", "line_no"),
            {
                "shipment_id": ID, "order_id": ID, "line_no": LINE, "item_id": ID, "qty": QTY, "uom": TEXT,
                "lot": ID, "site": ID, "status": TEXT, "shipped_at": TS, "carrier": ID,
                "tracking_no": ID,
            },
            "Shipped lines: WMS shipments, ERP goods-issue postings, EDI 856/945 ASNs.",
        ),
        _entity(
            "invoice_lines",
            ("invoice_id", "line_no"),
            {
                "invoice_id": ID, "line_no": LINE, "order_id": ID, "order_line_no": LINE,
                "item_id": ID, "qty": QTY, "uom": TEXT, "amount": MONEY, "currency": TEXT, "invoiced_at": TS,
            },
            "Invoice lines (ERP billing, EDI 810).",
        ),
        _entity(
            "deliveries",
            ("shipment_id",),
            {
                "shipment_id": ID, "load_id": ID, "carrier": ID, "tracking_no": ID,
                "picked_up_at": TS, "delivered_at": TS, "pod_signed_by": TEXT, "freight_cost": MONEY,
            },
            "Transport legs and proof of delivery (TMS, EDI 214).",
        ),
        _entity(
            "stock",
            ("item_id", "site", "lot"),
            {"item_id": ID, "site": ID, "lot": ID, "qty": QTY, "uom": TEXT, "as_of": TS},
            "Stock on hand per item, site and lot (ERP book stock, WMS bin stock, EDI 846).",
            nullable_keys=("lot",),
        ),
        _entity(
            "returns",
            ("rma_id", "line_no"),
            {
                "rma_id": ID, "line_no": LINE, "order_id": ID, "item_id": ID, "qty": QTY, "uom": TEXT,
                "disposition": TEXT, "received_at": TS,
            },
            "Customer returns (ERP RMAs, EDI 180).",
        ),
        _entity(
            "uom_conversions",
            ("item_id", "from_uom", "to_uom"),
            {"item_id": ID, "from_uom": ID, "to_uom": ID, "factor": FACTOR},
            "Unit of measure conversions: one `from_uom` of an item is `factor` of its base unit `to_uom` "
            "(item `*`: every item whose base unit is `to_uom`); ERP material units (SAP MARM), item masters.",
        ),
        _entity(
            "transfers",
            ("transfer_id", "line_no"),
            {
                "transfer_id": ID, "line_no": LINE, "item_id": ID, "lot": ID, "qty": QTY, "uom": TEXT,
                "from_site": ID, "to_site": ID, "shipped_at": TS, "received_at": TS, "status": TEXT,
            },
            "Stock transfers between sites (stock transport orders): shipped from one site and, until "
            "`received_at`, in transit to the other.",
            nullable_keys=("line_no",),
        ),
        _entity(
            "edi_documents",
            ("transaction_set", "control_number"),
            {
                "transaction_set": ID, "control_number": ID, "direction": TEXT, "partner_id": ID,
                "group_control": ID, "interchange_control": ID, "sender_id": ID,
                "receiver_id": ID, "reference": ID, "document_date": DATE,
            },
            "Every EDI transaction set with its control numbers.",
        ),
        _entity(
            "edi_acks",
            ("acked_group_control", "acked_control_number"),
            {
                "acked_group_control": ID, "acked_control_number": ID,
                "acked_transaction_set": ID, "status": TEXT, "errors": TEXT,
                "partner_id": ID, "acked_at": TS,
            },
            "Functional acknowledgements (EDI 997) per acknowledged transaction set.",
        ),
        _entity(
            "edi_findings",
            ("code", "file", "segment_position"),
            {
                "code": ID, "severity": TEXT, "file": TEXT, "segment_position": "BIGINT", "segment_id": ID,
                "element": ID, "interchange_control": ID, "group_control": ID, "set_control": ID,
                "transaction_set": ID, "message": TEXT,
            },
            "Envelope and syntax findings of the EDI loader (reused control numbers, count mismatches, missing "
            "trailers...), one row per finding; lineage is the file and segment position.",
            nullable_keys=("segment_position",),
        ),
    ]
}

SYSTEMS_KNOWN = ("erp", "wms", "tms", "edi")


def field_type(entity: str, field: str) -> str:
    """The DuckDB type of a canonical field; extra (non-canonical) fields are text."""
    return ENTITIES[entity].fields.get(field, TEXT)
