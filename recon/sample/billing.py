"""The nightly billing run: consolidated invoices for most customers, one invoice per PO for EDI.

The ERP bills an order at the first 02:00 run after its last goods issue makes it complete, so a
shipment is billed at most ~49 hours after it left (a partial second wave comes within a day of
the first): everything older than the 72-hour shipped-not-invoiced window is billed unless an
injection says otherwise. Invoice lines follow goods-issue lines (a line shipped in two waves is
billed on two invoice lines), and amounts are rounded to cents per line, which is where the
within-tolerance rounding look-alike comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recon.sample.orders import Context, Line, Order, invoice_sent_at
from recon.sample.world import Customer

FIRST_INVOICE = 90_000_001


def amount_cents(qty: int, price: int) -> int:
    """qty x unit price (1/10000) rounded half up to cents, as the ERP stores NETWR."""
    return (qty * price + 50) // 100


@dataclass
class InvoiceLine:
    no: int
    order: Order
    line: Line
    qty: int
    amount: int  # cents
    edi_qty: int  # what the 810 says
    part: int = 1  # which goods issue of the order line it bills (1, 2 for a line shipped in two parts)


@dataclass
class Invoice:
    number: int
    customer: Customer
    billed_at: int
    lines: list[InvoiceLine] = field(default_factory=list)
    edi_order: Order | None = None  # EDI customers: one invoice per order (BIG04 is its PO)
    sent_at: int | None = None  # hour the 810 left
    ack: str = "A"
    control: str | None = None  # the 810's ST02 (or INVOIC UNH01), once written

    @property
    def id(self) -> str:
        return str(self.number)


def build_invoices(ctx: Context, chunk: list[Order], next_invoice: list[int]) -> list[Invoice]:
    """Invoices for the orders of one chunk, numbered from `next_invoice` in billing order."""
    groups: dict[tuple, list[Order]] = {}
    for o in chunk:
        if o.billed_at is None or not o.in_erp:
            continue
        key: tuple = (o.billed_at, o.customer.index, 0, o.i) if o.edi else (o.billed_at, o.customer.index, 1, 0)
        groups.setdefault(key, []).append(o)
    invoices: list[Invoice] = []
    for key in sorted(groups):
        orders = groups[key]
        first = orders[0]
        inv = Invoice(0, first.customer, key[0])
        for o in orders:
            _bill_order(inv, o, ctx.invoice_line_step)
        if not inv.lines:
            continue
        inv.number = next_invoice[0]
        next_invoice[0] += 1
        if first.edi:
            inv.edi_order = first
            sent = invoice_sent_at(first)
            inv.sent_at = sent if sent is not None and sent <= ctx.as_of else None
            inv.ack = first.inv_ack
        invoices.append(inv)
    return invoices


def _bill_order(inv: Invoice, o: Order, step: int) -> None:
    per_line: dict[int, list[int]] = {}
    for s in o.shipments:
        for sl in s.lines:
            per_line.setdefault(sl.line.no, []).append(sl.erp_qty)
    for line in o.lines:
        if line.bill_skip:
            continue
        # a cancelled line has no shipments; billed anyway it is one invoice line for the ordered qty
        billed_anyway = [line.qty] if line.bill_anyway else []
        quantities = billed_anyway if line.cancelled else per_line.get(line.no, [])
        for part, posted in enumerate(quantities, 1):
            qty = posted + line.inv_qty_delta
            amount = amount_cents(qty, line.price) + line.inv_amount_delta
            no = inv.lines[-1].no + step if inv.lines else step
            row = InvoiceLine(no, o, line, qty, amount, qty + line.edi_inv_delta, part)
            inv.lines.append(row)
            if line.bill_twice:
                inv.lines.append(InvoiceLine(no, o, line, qty, amount, qty, part))
