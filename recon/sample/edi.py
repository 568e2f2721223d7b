"""The EDI gateway's traffic with the EDI customers, as X12 interchanges.

- 850 in: each partner transmits its new POs hourly; one interchange per partner and hour.
- 856 out: an ASN per shipment, 15-50 minutes after it leaves, sent with the next hourly batch.
- 810 out: one invoice per order (BIG04 = the PO), 15-45 minutes after the billing run.
- 997 in: the partner acknowledges each of our groups 30 minutes to 6 hours after receiving it,
  with one AK2/AK5 per set (A accepted, E accepted with errors, R rejected). A set the partner
  never acknowledged is missing from an otherwise normal 997, or the whole 997 is missing when
  it was the group's only set.

Groups and interchanges are formed per chunk of orders, so a large sample has several
interchanges per partner and hour; that is ordinary for a gateway and keeps memory bounded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from recon.sample import edifact as ef
from recon.sample.billing import Invoice
from recon.sample.clock import HOUR
from recon.sample.orders import Context, Order, Shipment
from recon.sample.world import COMPANY, CURRENCY, OUR_ISA_ID, SITES, Partner
from recon.sample.x12 import decimal_text, interchange, segment

INBOUND_850 = "edi/inbound_850.x12"
OUTBOUND_856 = "edi/outbound_856.x12"
OUTBOUND_810 = "edi/outbound_810.x12"
INBOUND_997 = "edi/inbound_997.x12"
EDI_FILES = (INBOUND_850, OUTBOUND_856, OUTBOUND_810, INBOUND_997)
INBOUND_ORDERS = "edi/inbound_orders.edifact"
OUTBOUND_DESADV = "edi/outbound_desadv.edifact"
OUTBOUND_INVOIC = "edi/outbound_invoic.edifact"
INBOUND_CONTRL = "edi/inbound_contrl.edifact"
EDIFACT_FILES = (INBOUND_ORDERS, OUTBOUND_DESADV, OUTBOUND_INVOIC, INBOUND_CONTRL)
"""Written only for partners trading in EDIFACT (`recon sample --edifact-share`)."""


@dataclass
class Counters:
    """Control numbers carried from chunk to chunk: ours, and each partner's own."""

    our_isa: int = 1
    our_gs: int = 1
    our_st: int = 1
    partner_isa: dict[int, int] = field(default_factory=dict)
    partner_gs: dict[int, int] = field(default_factory=dict)
    partner_st: dict[int, int] = field(default_factory=dict)

    def partner(self, p: Partner) -> tuple[int, int]:
        """The partner's next ISA13 and GS06 (its 850s and 997s share one sequence)."""
        isa = self.partner_isa.get(p.index, 1)
        gs = self.partner_gs.get(p.index, 1)
        self.partner_isa[p.index] = isa + 1
        self.partner_gs[p.index] = gs + 1
        return isa, gs

    def partner_set(self, p: Partner) -> str:
        """Each partner numbers its sets in its own range (7 digits), so they never collide."""
        n = self.partner_st.get(p.index, 1)
        self.partner_st[p.index] = n + 1
        return str((p.index + 1) * 1_000_000 + n)

    def our_set(self) -> str:
        n = self.our_st
        self.our_st += 1
        return f"{n:04d}"


@dataclass
class Sent:
    """One of our outbound sets, remembered for its 997."""

    set_id: str
    control: str
    reference: str
    ack: str


def edi_chunk(ctx: Context, chunk: list[Order], invoices: list[Invoice], counters: Counters,
              rng: random.Random) -> dict[str, list[str]]:
    """All EDI text for one chunk, keyed by file."""
    out: dict[str, list[str]] = {name: [] for name in (*EDI_FILES, *EDIFACT_FILES)}
    _purchase_orders(ctx, chunk, counters, out)
    groups: dict[tuple[int, int, str], list[tuple[str, object]]] = {}
    for o in chunk:
        partner = o.customer.partner
        if partner is None or not o.in_erp:
            continue
        for s in o.shipments:
            if s.asn_at is not None:
                groups.setdefault((s.asn_at, partner.index, "856"), []).append(("856", s))
    for inv in invoices:
        if inv.edi_order is not None and inv.sent_at is not None:
            partner = inv.customer.partner
            assert partner is not None
            groups.setdefault((inv.sent_at, partner.index, "810"), []).append(("810", inv))
    partners = {p.index: p for p in ctx.world.partners}
    for key in sorted(groups):
        sent_at, pidx, set_id = key
        partner = partners[pidx]
        docs = groups[key]
        isa_n, gs_n = counters.our_isa, counters.our_gs
        counters.our_isa += 1
        counters.our_gs += 1
        sets = []
        sent: list[Sent] = []
        edifact = partner.index in ctx.edifact_partners
        for kind, doc in docs:
            control = counters.our_set()
            if kind == "856":
                assert isinstance(doc, Shipment)
                body = ef.desadv(ctx, doc) if edifact else _asn(ctx, doc)
                sent.append(Sent("856", control, doc.id, doc.asn_ack))
                doc.asn_control = control
            else:
                assert isinstance(doc, Invoice)
                body = ef.invoic(ctx, doc) if edifact else _invoice(ctx, doc)
                sent.append(Sent("810", control, doc.id, doc.ack))
                doc.control = control
            sets.append((set_id, control, body))
        if edifact:
            mtype = "DESADV" if set_id == "856" else "INVOIC"
            out[OUTBOUND_DESADV if set_id == "856" else OUTBOUND_INVOIC].append(ef.interchange(
                sender=OUR_ISA_ID, receiver=partner.isa_id, clock=ctx.company, ts=sent_at, reference=isa_n,
                messages=[(mtype, control, body) for _, control, body in sets],
            ))
        else:
            out[OUTBOUND_856 if set_id == "856" else OUTBOUND_810].append(interchange(
                sender=OUR_ISA_ID, receiver=partner.isa_id, functional_id="SH" if set_id == "856" else "IN",
                clock=ctx.company, ts=sent_at, isa_control=isa_n, group_control=gs_n, sets=sets,
            ))
        ack_at = sent_at + int(HOUR // 2 + rng.random() * 5.5 * HOUR)
        for s in sent:
            if s.ack == "A" and rng.random() < 0.03:
                s.ack = "E"  # accepted with errors: not a rejection (look-alike)
        if ack_at <= ctx.as_of and edifact:
            body = ef.contrl(partner, isa_n, sent)
            if body:
                isa_p, _ = counters.partner(partner)
                out[INBOUND_CONTRL].append(ef.interchange(
                    sender=partner.isa_id, receiver=OUR_ISA_ID, clock=ctx.company, ts=ack_at, reference=isa_p,
                    messages=[("CONTRL", counters.partner_set(partner), body)]))
        elif ack_at <= ctx.as_of:
            text = _functional_ack(ctx, partner, "SH" if set_id == "856" else "IN", gs_n, sent, ack_at, counters)
            if text:
                out[INBOUND_997].append(text)
    return out


def _purchase_orders(ctx: Context, chunk: list[Order], counters: Counters, out: dict[str, list[str]]) -> None:
    groups: dict[tuple[int, int], list[Order]] = {}
    for o in chunk:
        if o.customer.partner is not None and o.exists and o.t850 is not None:
            groups.setdefault((o.t850, o.customer.partner.index), []).append(o)
    partners = {p.index: p for p in ctx.world.partners}
    clock = ctx.company
    for key in sorted(groups):
        t850, pidx = key
        partner = partners[pidx]
        isa_n, gs_n = counters.partner(partner)
        if partner.index in ctx.edifact_partners:
            out[INBOUND_ORDERS].append(ef.interchange(
                sender=partner.isa_id, receiver=OUR_ISA_ID, clock=clock, ts=t850, reference=isa_n,
                messages=[("ORDERS", counters.partner_set(partner), ef.orders(ctx, o, partner, t850))
                          for o in groups[key]]))
            continue
        sets = []
        for o in groups[key]:
            po_date = clock.ymd(t850 - 600)
            body = [
                segment("BEG", "00", "SA", o.po or "", "", po_date),
                segment("CUR", "BY", CURRENCY),
                segment("DTM", "002", clock.ymd(t850 + 5 * 86400)),
                segment("N1", "BY", partner.edi_name, "92", o.customer.number),
                segment("N1", "ST", f"{partner.edi_name} STORE {o.i % 40 + 1}", "92",
                        f"{partner.store_prefix}{o.i % 40 + 1:04d}"),
            ]
            for ln in o.lines:  # the hot loop: segments written directly (no trailing empties here)
                body.append(f"PO1*{ln.no}*{ln.edi_qty}*{ln.item.uom}*{decimal_text(ln.edi_price)}**VP*{ln.item.number}")
                body.append(f"PID*F****{ln.item.description}")
            body.append(segment("CTT", len(o.lines)))
            sets.append(("850", counters.partner_set(partner), body))
        out[INBOUND_850].append(interchange(
            sender=partner.isa_id, receiver=OUR_ISA_ID, functional_id="PO", clock=clock, ts=t850,
            isa_control=isa_n, group_control=gs_n, sets=sets,
        ))


def _asn(ctx: Context, s: Shipment) -> list[str]:
    clock = ctx.company
    o = s.order
    partner = o.customer.partner
    assert partner is not None
    site = SITES[o.site]
    cartons = sum(sl.asn_qty for sl in s.lines) // 6 + 1
    body = [
        segment("BSN", "00", s.id, clock.ymd(s.shipped_at), clock.hm(s.shipped_at), "0001"),
        segment("HL", 1, "", "S"),
        segment("TD1", "CTN25", cartons, "", "", "", "G", cartons * 9, "LB"),
        segment("TD5", "", "2", s.carrier.scac),
    ]
    if s.tracking:
        body.append(segment("REF", "CN", s.tracking))
    body += [
        segment("DTM", "011", clock.ymd(s.shipped_at), clock.hm(s.shipped_at)),
        segment("N1", "SF", f"{COMPANY} {site.facility}", "92", site.plant),
        segment("N1", "ST", f"{partner.edi_name} STORE {o.i % 40 + 1}", "92",
                f"{partner.store_prefix}{o.i % 40 + 1:04d}"),
        segment("HL", 2, 1, "O"),
        segment("PRF", o.po or ""),
    ]
    if ctx.asn_line_refs:
        body.append(segment("REF", "VN", o.no))  # our order number beside the customer's PO
    hl = 2
    for sl in s.lines:
        if sl.wms_missing:
            continue  # the ASN is built from what the WMS confirmed
        hl += 1
        lot = f"*LT*{sl.lot}" if sl.lot else ""
        po_line = f"*PL*{sl.line.no}" if ctx.asn_line_refs else ""  # the PO line (PO101) this item ships
        body.append(f"HL*{hl}*2*I")
        body.append(f"LIN*{sl.line.no}*VP*{sl.line.item.number}{po_line}{lot}")
        body.append(f"SN1*{sl.line.no}*{sl.asn_qty}*{sl.line.item.uom}")
    body.append(segment("CTT", hl))
    return body


def _invoice(ctx: Context, inv: Invoice) -> list[str]:
    clock = ctx.company
    o = inv.edi_order
    assert o is not None and o.customer.partner is not None
    partner = o.customer.partner
    body = [
        segment("BIG", clock.ymd(inv.billed_at), inv.id, clock.ymd(o.ordered_at), o.po or ""),
        segment("CUR", "SE", CURRENCY),
        segment("N1", "BT", partner.edi_name, "92", o.customer.number),
    ]
    total = 0
    for il in inv.lines:
        body.append(f"IT1*{il.no}*{il.edi_qty}*{il.line.item.uom}*{decimal_text(il.line.price)}**VP*{il.line.item.number}")
        body.append(f"PID*F****{il.line.item.description}")
        total += (il.edi_qty * il.line.price + 50) // 100
    body.append(segment("TDS", total))
    body.append(segment("CTT", len(inv.lines)))
    return body


def _functional_ack(ctx: Context, partner: Partner, functional_id: str, group_control: int, sent: list[Sent],
                    ack_at: int, counters: Counters) -> str | None:
    received = [s for s in sent if s.ack != "-"]
    if not received:
        return None  # the partner never acknowledged the group's only set
    body = [segment("AK1", functional_id, group_control)]
    for s in received:
        control = s.control.lstrip("0") if partner.index in ctx.ack_unpadded else s.control
        body.append(segment("AK2", s.set_id, control))
        if s.ack == "E":
            body.append(segment("AK3", "N1", 7, "", 8))
            body.append(segment("AK4", 2, 93, 5))  # N102 name too long: noted, accepted
            body.append(segment("AK5", "E"))
        elif s.ack == "R":
            body.append(segment("AK3", "TD5", 4, "", 8))
            body.append(segment("AK4", 3, 140, 7, "XXXX"))  # TD503 not a valid SCAC: rejected
            body.append(segment("AK5", "R", 5))
        else:
            body.append(segment("AK5", "A"))
    accepted = sum(1 for s in received if s.ack in ("A", "E"))
    if accepted == len(sent):
        status = "E" if any(s.ack == "E" for s in received) else "A"
    else:
        status = "P" if accepted else "R"
    body.append(segment("AK9", status, len(sent), len(received), accepted))
    isa_n, gs_n = counters.partner(partner)
    return interchange(
        sender=partner.isa_id, receiver=OUR_ISA_ID, functional_id="FA", clock=ctx.company, ts=ack_at,
        isa_control=isa_n, group_control=gs_n, sets=[("997", counters.partner_set(partner), body)],
    )
