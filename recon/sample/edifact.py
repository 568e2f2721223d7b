"""UN/EDIFACT D.96A as European trading partners send it: ORDERS in, DESADV and INVOIC out, CONTRL in.

The same documents as `recon.sample.edi` writes in X12 for the other partners (`recon sample
--edifact-share`), with correct envelopes: a UNA, one UNB..UNZ per batch (UNZ 0036 counts the
messages, 0020 repeats UNB's), UNH..UNT per document (UNT 0074 counts UNH..UNT). Our
interchange reference is what a CONTRL's UCI names, so it plays the role of the X12 group
control number. Values are released (`?+`, `?:`, `?'`, `??`) where they hold a service character.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from recon.sample.billing import Invoice
from recon.sample.clock import Clock
from recon.sample.orders import Context, Order, Shipment
from recon.sample.world import COMPANY, CURRENCY, OUR_ISA_ID, SITES, Partner
from recon.sample.x12 import decimal_text

if TYPE_CHECKING:
    from recon.sample.edi import Sent

SEGMENT_END = "'\n"
UNA = "UNA:+.? '\n"
VERSION = "D:96A:UN"


def _release(value: object) -> str:
    text = str(value)
    if any(c in text for c in "?+:'"):
        text = text.replace("?", "??").replace("+", "?+").replace(":", "?:").replace("'", "?'")
    return text


def segment(tag: str, *elements: object) -> str:
    """One segment: an element is a value or a tuple of components; trailing empty ones are dropped."""
    parts = [tag]
    for e in elements:
        if isinstance(e, tuple):
            parts.append(":".join(_release(c) for c in e).rstrip(":"))
        else:
            parts.append(_release(e))
    return "+".join(parts).rstrip("+")


def interchange(*, sender: str, receiver: str, clock: Clock, ts: int, reference: int,
                messages: list[tuple[str, str, list[str]]]) -> str:
    """One interchange; `messages` are (message type, UNH reference, body segments)."""
    out = [segment("UNB", ("UNOC", 3), (sender, "ZZZ"), (receiver, "ZZZ"), (clock.yymmdd(ts), clock.hm(ts)),
                   reference)]
    for mtype, ref, body in messages:
        out.append(f"UNH+{ref}+{mtype}:{VERSION}")
        out.extend(body)
        out.append(f"UNT+{len(body) + 2}+{ref}")
    out.append(f"UNZ+{len(messages)}+{reference}")
    return UNA + SEGMENT_END.join(out) + SEGMENT_END


def amount(qty: str, price: str) -> str:
    """A line amount as the invoice states it: quantity x unit price, exact."""
    return format(Decimal(qty) * Decimal(price), "f")


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"




# -- the documents (the X12 ones of recon.sample.edi, in EDIFACT) -----------------------------------


def orders(ctx: Context, o: Order, partner: Partner, t850: int) -> list[str]:
    """An ORDERS body: what the partner's 850 would carry (BEG, CUR, DTM*002, N1 BY/ST, PO1/PID, CTT)."""
    clock = ctx.company
    store = o.i % 40 + 1
    body = [
        segment("BGM", "220", o.po or "", "9"),
        segment("DTM", ("137", clock.ymd(t850 - 600), "102")),
        segment("DTM", ("2", clock.ymd(t850 + 5 * 86400), "102")),
        segment("CUX", ("2", CURRENCY, "9")),
        segment("NAD", "BY", (o.customer.number, "", "92"), "", partner.edi_name),
        segment("NAD", "DP", (f"{partner.store_prefix}{store:04d}", "", "92"), "",
                f"{partner.edi_name} STORE {store}"),
    ]
    for ln in o.lines:
        body.append(segment("LIN", ln.no, "", (ln.item.number, "SA")))
        body.append(segment("IMD", "F", "", ("", "", "", ln.item.description)))
        body.append(segment("QTY", ("21", ln.edi_qty, ln.item.uom)))
        body.append(segment("PRI", ("AAA", decimal_text(ln.edi_price))))
    body.append("UNS+S")
    body.append(segment("CNT", ("2", len(o.lines))))
    return body


def desadv(ctx: Context, s: Shipment) -> list[str]:
    """A DESADV body: what our 856 would carry (BSN, TD5, REF*CN, DTM*011, N1 SF/ST, PRF, LIN/SN1)."""
    clock = ctx.company
    o = s.order
    partner = o.customer.partner
    assert partner is not None
    site = SITES[o.site]
    store = o.i % 40 + 1
    body = [
        segment("BGM", "351", s.id, "9"),
        segment("DTM", ("137", clock.ymd(s.shipped_at), "102")),
        segment("DTM", ("11", clock.ymd(s.shipped_at) + clock.hm(s.shipped_at), "203")),
        segment("RFF", ("ON", o.po or "")),
    ]
    if s.tracking:
        body.append(segment("RFF", ("CN", s.tracking)))
    body += [
        segment("NAD", "SF", (site.plant, "", "92"), "", f"{COMPANY} {site.facility}"),
        segment("NAD", "DP", (f"{partner.store_prefix}{store:04d}", "", "92"), "",
                f"{partner.edi_name} STORE {store}"),
        segment("TDT", "20", "", "30", "", (s.carrier.scac, "", "172")),
        segment("CPS", "1"),
        segment("PAC", sum(sl.asn_qty for sl in s.lines) // 6 + 1, "", "CT"),
    ]
    for sl in s.lines:
        body.append(segment("LIN", sl.line.no, "", (sl.line.item.number, "SA")))
        body.append(segment("QTY", ("12", sl.asn_qty, sl.line.item.uom)))
        if sl.lot:
            body.append(segment("GIN", "BX", sl.lot))
    body.append(segment("CNT", ("2", len(s.lines))))
    return body


def invoic(ctx: Context, inv: Invoice) -> list[str]:
    """An INVOIC body: what our 810 would carry (BIG, CUR, N1 BT, IT1/PID, TDS, CTT)."""
    clock = ctx.company
    o = inv.edi_order
    assert o is not None and o.customer.partner is not None
    body = [
        segment("BGM", "380", inv.id, "9"),
        segment("DTM", ("3", clock.ymd(inv.billed_at), "102")),
        segment("DTM", ("4", clock.ymd(o.ordered_at), "102")),
        segment("RFF", ("ON", o.po or "")),
        segment("CUX", ("2", CURRENCY, "4")),
        segment("NAD", "BY", (o.customer.number, "", "92"), "", o.customer.partner.edi_name),
    ]
    total = 0
    for il in inv.lines:
        price = decimal_text(il.line.price)
        body.append(segment("LIN", il.no, "", (il.line.item.number, "SA")))
        body.append(segment("IMD", "F", "", ("", "", "", il.line.item.description)))
        body.append(segment("QTY", ("47", il.edi_qty, il.line.item.uom)))
        body.append(segment("MOA", ("203", amount(str(il.edi_qty), price))))
        body.append(segment("PRI", ("AAA", price)))
        total += (il.edi_qty * il.line.price + 50) // 100
    body.append("UNS+S")
    body.append(segment("MOA", ("77", cents(total))))
    body.append(segment("CNT", ("2", len(inv.lines))))
    return body


def contrl(partner: Partner, interchange_ref: int, sent: list[Sent]) -> list[str] | None:
    """A CONTRL body answering our interchange: what the partner's 997 would say (AK2/AK5 per set)."""
    received = [s for s in sent if s.ack != "-"]
    if not received:
        return None  # the partner never acknowledged the interchange's only message
    accepted = sum(1 for s in received if s.ack in ("A", "E"))
    body = [segment("UCI", interchange_ref, (OUR_ISA_ID, "ZZZ"), (partner.isa_id, "ZZZ"), "7" if accepted else "4")]
    for s in received:
        mtype = "DESADV" if s.set_id == "856" else "INVOIC"
        if s.ack == "R":
            body.append(segment("UCM", s.control, (mtype, "D", "96A", "UN"), "4", "12"))
            body.append(segment("UCS", "5", "12"))  # TDT carrier not valid: rejected
        else:
            body.append(segment("UCM", s.control, (mtype, "D", "96A", "UN"), "7"))
            if s.ack == "E":
                body.append(segment("UCD", "39", ("2", "4")))  # NAD name too long: noted, accepted
    return body


__all__ = ["amount", "cents", "contrl", "desadv", "interchange", "invoic", "orders", "segment"]
