"""The answer key: one row per expected exception, keys in canonical form.

Canonical means what the loaders produce after normalisation: order and invoice numbers without
zero padding (`10000042`, `90000007`), items as plain numbers, sites as ERP plant codes, POs in
upper case, shipment ids as the WMS writes them (`SH1000123`), EDI documents by their reference
(BSN02 shipment id or BIG02 invoice number). Columns that are not part of a type's key are empty.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from recon.sample.billing import Invoice
from recon.sample.orders import Order, Shipment
from recon.sample.windows import ALL_TYPES, TRUTH_COLUMNS

Row = tuple[str, ...]


def row(exception_type: str, **keys: object) -> Row:
    expected = ALL_TYPES[exception_type]
    assert set(keys) == set(expected), (exception_type, keys)
    return tuple([exception_type] + [str(keys.get(c, "")) if keys.get(c) is not None else ""
                                     for c in TRUTH_COLUMNS[1:]])


def _same(no: int) -> object:
    return no


def order_rows(o: Order, invoices: dict[tuple[int, int], list[tuple[Invoice, int]]],
               edi_invoice: dict[int, Invoice], order_line: Callable[[int], object] = _same,
               asn_lines: bool = False) -> list[Row]:
    """Truth rows for the injection an order carries (none for untouched orders).

    `order_line` writes an ERP order line's number in the profile's canonical form (`3`, or `3.1`
    for an ERP that numbers a line's shipments); injected lines are always shipped in one part. The
    850 checks are keyed by the customer's line number (PO101), whatever the ERP calls the line; so
    is an ASN mismatch when the 856 names its PO lines (`asn_lines`), else by shipment and item only.
    """
    kind = o.inject
    if kind is None or kind.endswith(":first"):
        return []
    oid = str(o.no)
    t = o.target
    if kind in ("released-not-in-wms", "order-stuck-after-release"):
        return [row(kind, order_id=oid)]
    if kind in ("shipped-not-posted", "ship-qty-mismatch", "invoice-qty-mismatch", "shipped-not-invoiced",
                "posted-not-shipped"):
        s, k = t
        return [row(kind, order_id=oid, line_no=order_line(s.lines[k].line.no))]
    if kind == "invoice-without-shipment":
        return [row(kind, order_id=oid, line_no=order_line(t[0].no))]
    if kind in ("invoice-amount-mismatch", "edi-invoice-mismatch"):
        s, k = t
        ((inv, no),) = invoices[(o.i, s.lines[k].line.no)]
        return [row(kind, invoice_id=inv.id, line_no=no)]
    if kind == "duplicate-invoice":
        s, k = t
        line_no = s.lines[k].line.no
        placed = invoices[(o.i, line_no)]
        inv, no = placed[0]
        # Only the duplicate: invoiced quantities are compared per distinct invoice line, so the
        # copy does not also make the order line look over-billed.
        return [row(kind, invoice_id=inv.id, line_no=no)]
    if kind == "duplicate-customer-po":
        return [row(kind, customer_id=o.customer.number, customer_po=o.po)]
    if kind == "edi-order-missing-in-erp":
        return [row(kind, customer_po=o.po)]
    if kind in ("edi-order-qty-mismatch", "edi-order-price-mismatch"):
        return [row(kind, customer_po=o.po, line_no=t[0].no)]  # the 850's own (PO101) line number
    if kind == "asn-qty-mismatch":
        s, k = t
        line = s.lines[k].line
        return [row(kind, shipment_id=s.id, item_id=line.item.number, customer_po=o.po if asn_lines else None,
                    line_no=line.no if asn_lines else None)]
    if kind == "edi-rejected":  # keyed by transaction set and control number, as a number
        doc_kind, s = t
        if doc_kind == "856":
            assert isinstance(s, Shipment)
            control = s.asn_control
        else:
            control = edi_invoice[o.i].control
        assert control is not None, "the rejected set was never written"
        return [row(kind, document=f"{doc_kind}:{int(control)}")]
    if kind == "edi-ack-missing":
        doc_kind, s = t
        if doc_kind == "856":
            assert isinstance(s, Shipment)
            return [row(kind, document=s.id)]
        return [row(kind, document=edi_invoice[o.i].id)]
    if kind in ("shipped-without-tracking", "shipment-not-in-tms", "no-proof-of-delivery", "carrier-mismatch"):
        return [row(kind, shipment_id=t[0].id)]
    raise AssertionError(f"no truth for {kind}")


def write_truth(path: Path, rows: Iterable[Row]) -> int:
    ordered = sorted(set(rows), key=lambda r: (list(ALL_TYPES).index(r[0]), r[1:]))
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(TRUTH_COLUMNS)
        out.writerows(ordered)
    return len(ordered)
