"""The windows and tolerances the sample assumes, and the exception types it injects.

These numbers are the contract between the generator and the bundled rule packs: a rule pack
whose defaults match them finds exactly the rows in truth.csv. The generator keeps every
natural (not injected) state well inside each window and every injected one well outside it,
so a rule that measures age from a slightly different event still gets the same answer.
docs/sample.md explains each one.
"""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Windows:
    released_not_in_wms: int = 4 * HOUR  # ERP released_at -> order in wms.orders
    stuck_after_release: int = 48 * HOUR  # ERP released_at -> first WMS shipment
    shipped_not_posted: int = 4 * HOUR  # WMS shipped_at -> ERP goods-issue posting
    shipped_not_invoiced: int = 72 * HOUR  # ERP posting (or WMS shipped_at) -> ERP invoice line
    shipment_not_in_tms: int = 24 * HOUR  # WMS shipped_at -> tms.deliveries row
    no_proof_of_delivery: int = 5 * DAY  # WMS shipped_at / TMS picked_up_at -> delivered_at + POD
    edi_ack_overdue: int = 24 * HOUR  # outbound group sent (GS date/time) -> 997 AK2 for the set
    edi_order_in_erp: int = 4 * HOUR  # 850 received (GS date/time) -> ERP order with that PO
    stock_qty_tolerance: int = 0  # ERP book stock vs sum of WMS bins, per item/site/lot
    in_transit_overdue: int = 5 * DAY  # transfer shipped_at -> received_at
    amount_tolerance: float = 0.01  # invoice amount vs qty x unit price; 810 vs ERP invoice line
    price_tolerance: float = 0.01  # 850 PO104 vs ERP unit price


WINDOWS = Windows()

# Exception types from docs/exceptions.md with their key columns, in the contract's order.
TYPES: dict[str, tuple[str, ...]] = {
    "released-not-in-wms": ("order_id",),
    "order-stuck-after-release": ("order_id",),
    "shipped-not-posted": ("order_id", "line_no"),
    "ship-qty-mismatch": ("order_id", "line_no"),
    "invoice-without-shipment": ("order_id", "line_no"),
    "invoice-qty-mismatch": ("order_id", "line_no"),
    "invoice-amount-mismatch": ("invoice_id", "line_no"),
    "shipped-not-invoiced": ("order_id", "line_no"),
    "duplicate-customer-po": ("customer_id", "customer_po"),
    "duplicate-invoice": ("invoice_id", "line_no"),
    "edi-order-missing-in-erp": ("customer_po",),
    "edi-order-qty-mismatch": ("customer_po", "line_no"),
    "edi-order-price-mismatch": ("customer_po", "line_no"),
    # customer_po and line_no only when the ASN names its PO lines (the foreign profile); else empty
    "asn-qty-mismatch": ("shipment_id", "item_id", "customer_po", "line_no"),
    "edi-invoice-mismatch": ("invoice_id", "line_no"),
    "edi-rejected": ("document",),
    "edi-ack-missing": ("document",),
    "shipped-without-tracking": ("shipment_id",),
    "shipment-not-in-tms": ("shipment_id",),
    "no-proof-of-delivery": ("shipment_id",),
    "carrier-mismatch": ("shipment_id",),
    "stock-variance": ("item_id", "site", "lot"),
    "uom-not-convertible": ("item_id",),
    "in-transit-overdue": ("document",),
}

# Types only some profiles inject (recon.sample.inject: `optional`): the foreign profile's ERP posts
# goods issues the 3PL never confirmed; the classic one posts only what the WMS shipped.
PROFILE_TYPES: dict[str, tuple[str, ...]] = {
    "posted-not-shipped": ("order_id", "line_no"),
}
ALL_TYPES: dict[str, tuple[str, ...]] = {**TYPES, **PROFILE_TYPES}

NOT_INJECTED: dict[str, tuple[str, ...]] = {
    "order-ack-qty-mismatch": ("customer_po", "line_no"),
    "order-ack-price-mismatch": ("customer_po", "line_no"),
    "order-ack-line-not-in-erp": ("customer_po", "line_no"),
    "warehouse-order-qty-mismatch": ("order_id", "item_id"),
    "warehouse-order-not-released": ("order_id", "item_id"),
    "warehouse-shipment-qty-mismatch": ("order_id", "item_id"),
    "warehouse-shipment-not-posted": ("order_id", "item_id"),
    "carrier-delivery-not-in-tms": ("shipment_id",),
    "carrier-status-unknown-shipment": ("shipment_id",),
    "inventory-advice-variance": ("item_id", "site"),
    "inventory-advice-not-in-erp": ("item_id", "site"),
    "return-qty-mismatch": ("document", "item_id"),
    "return-not-in-erp": ("document", "item_id"),
    # The sample's X12 files are well-formed: no envelope or syntax finding (tests/test_completeness.py makes them).
    "edi-envelope-error": ("document",),
    "edi-envelope-warning": ("document",),
}
"""Exception types of the bundled packs that the sample never injects, with their business keys:
the rest of the EDI chain (855, 940, 945, 846, 214, 180), documents the sample does not send, and
X12 envelope findings (its files are well-formed). With
TYPES they are every type the bundled packs raise; none can be in the sample's answer key."""

TRUTH_COLUMNS = (
    "exception_type", "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot",
    "customer_id", "customer_po", "document",
)

# Injection rate per order (stock-variance: per stock key), and the minimum count so that even a
# few hundred orders show every type a few times.
RATES: dict[str, float] = {
    "released-not-in-wms": 0.002,
    "order-stuck-after-release": 0.002,
    "shipped-not-posted": 0.002,
    "ship-qty-mismatch": 0.002,
    "invoice-without-shipment": 0.001,
    "invoice-qty-mismatch": 0.002,
    "invoice-amount-mismatch": 0.002,
    "shipped-not-invoiced": 0.002,
    "duplicate-customer-po": 0.001,
    "duplicate-invoice": 0.001,
    "edi-order-missing-in-erp": 0.001,
    "edi-order-qty-mismatch": 0.002,
    "edi-order-price-mismatch": 0.002,
    "asn-qty-mismatch": 0.002,
    "edi-invoice-mismatch": 0.002,
    "edi-rejected": 0.001,
    "edi-ack-missing": 0.001,
    "shipped-without-tracking": 0.002,
    "shipment-not-in-tms": 0.002,
    "no-proof-of-delivery": 0.002,
    "carrier-mismatch": 0.002,
    "stock-variance": 0.02,
    "posted-not-shipped": 0.002,
}
MIN_PER_TYPE = 3
