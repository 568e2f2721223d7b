"""856 ship notice/manifest and 945 warehouse shipping advice -> shipment_lines.

The 856 is hierarchical (HL loops of any shape), the 945 flat (W06 header, one W12 per line);
both end up as one shipment_lines row per shipped item, with the shipment's header values
(BSN/W06) as the set's head.
"""

from __future__ import annotations

from recon.load.x12.sets.base import SetContext, SetMapper, at, line_number, num, pad, require, sender_line_ref, site_of
from recon.load.x12.values import pick_item, pick_item_at, timestamp

# --------------------------------------------------------------------------------------------
# 856 ship notice / manifest (any HL shape: S/O/I, S/O/P/I, S/O/T/P/I, S/T/P/O/I...)
# --------------------------------------------------------------------------------------------

_C856 = {
    "HL": 1, "LIN": 2, "SN1": 3, "MAN": 4, "PRF": 5, "REF": 6, "TD5": 7, "DTM": 8, "N1": 9, "BSN": 10,
}
# Slots of an HL context (a list, copied from the parent at each HL: cheaper than a dict).
(_ORDER, _SITE, _SHIPPED, _CARRIER, _TRACK, _TRACK_RANK, _PKG, _BOL, _PRO, _SSCC, _TARE, _SHIP_TO_ID,
 _SHIP_TO_NAME, _LOT, _SELLER_ORDER, _LEVEL) = range(16)
_HL_SLOTS = _LEVEL + 1
_NO_RANK = 1 << 30
# Slots of an item: [index of LIN/SN1, LIN elements, HL context, lot, SN1 elements].
_ITEM_AT, _ITEM_LIN, _ITEM_CTX, _ITEM_LOT, _ITEM_SN1 = range(5)


def map_856(c: SetContext) -> tuple[str | None, str | None]:
    """ASN -> shipment_lines, whatever the HL shape (S/O/I, S/O/P/I, S/O/T/P/I, S/T/P/O/I...).

    Each HL gets a context that starts as a copy of its parent's, so an item sees the
    order's PRF (the buyer's PO: customer_po) and REF*VN (the seller's order number: order_id,
    else the PO), the pack's MAN, the shipment's TD5/REF/DTM however they are nested; every
    LIN (or a SN1 without a LIN) becomes one row built from the context it sits in. A LIN's `PL`
    pair (purchaser's order line number) is the PO line it ships (`order_line_no`): LIN01 is only
    the ASN's own line id, which partners number as they like.
    """
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    site_parties = opts.site_parties
    track_rank = {q: n for n, q in enumerate(opts.tracking_refs)}
    codes = _C856
    shipment_id = asn_date = purpose = asn_stamp = None
    bsn_i = -1
    hdr: list = [None] * _HL_SLOTS
    hdr[_TRACK_RANK] = _NO_RANK
    levels: dict[str, list] = {}
    cur = hdr
    items: list[list] = []  # _ITEM_* slots
    item: list | None = None
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # HL: id, parent id, level code
            item = None
            if len(el) < 4:
                el = pad(el, 4)
            parent = el[2]
            base_ctx = levels.get(parent) if parent else hdr
            if base_ctx is None:
                c.warn("X12-HL-PARENT", f"HL {el[1]} names parent {parent!r}, which is not an earlier HL", i, "HL02")
                base_ctx = hdr
            cur = base_ctx[:]
            cur[_LEVEL] = el[3]
            levels[el[1]] = cur
        elif code == 2:  # LIN
            item = [i, el, cur, None, None]
            items.append(item)
        elif code == 3:  # SN1
            if item is None or item[_ITEM_SN1] is not None:
                item = [i, None, cur, None, el]
                items.append(item)
            else:
                item[_ITEM_SN1] = el
        elif code == 4:  # MAN marks: SSCC (GM) of the pack or tare, carrier package id (CP)
            q, v = at(el, 1), at(el, 2)
            if q == "GM" or q == "UC":
                cur[_TARE if cur[_LEVEL] == "T" else _SSCC] = v or None
            elif q == "CP":
                cur[_PKG] = v or None
        elif code == 5:  # PRF
            cur[_ORDER] = at(el, 1) or None
        elif code == 6:  # REF
            q, v = at(el, 1), at(el, 2)
            if not v:
                continue
            if q == "LT":
                if item is not None:
                    item[_ITEM_LOT] = v
                else:
                    cur[_LOT] = v
            elif q == "VN":  # the seller's order number: our order, where PRF01 is the buyer's PO
                cur[_SELLER_ORDER] = v
            else:
                if q == "BM":
                    cur[_BOL] = v
                elif q == "CN":
                    cur[_PRO] = v
                r = track_rank.get(q)
                if r is not None and r <= cur[_TRACK_RANK]:
                    cur[_TRACK], cur[_TRACK_RANK] = v, r
        elif code == 7:  # TD5 carrier (SCAC in TD503 when TD502 = 2)
            v = at(el, 3) or at(el, 5)
            if v:
                cur[_CARRIER] = v
        elif code == 8:  # DTM*011 shipped
            if at(el, 1) == "011":
                cur[_SHIPPED] = c.stamp(at(el, 2), at(el, 3), i, "DTM02")
        elif code == 9:  # N1
            q = at(el, 1)
            if q == "ST" and cur[_SHIP_TO_ID] is None and cur[_SHIP_TO_NAME] is None:
                cur[_SHIP_TO_ID], cur[_SHIP_TO_NAME] = at(el, 4) or None, at(el, 2) or None
            if q in site_parties and cur[_SITE] is None:
                cur[_SITE] = at(el, 4) or at(el, 2) or None
        elif code == 10:  # BSN
            bsn_i = i
            el = pad(el, 5)
            purpose, shipment_id = el[1] or None, el[2]
            asn_date = c.date(el[3], i, "BSN03")
            if el[4]:
                c.time(el[4], i, "BSN04")
            asn_stamp = timestamp(asn_date, el[4])
    require(c, shipment_id, bsn_i, "BSN", "BSN02", "shipment identification")
    status = "CANCELLED" if purpose in ("01", "03") else "SHIPPED"
    base = c.base
    counters: dict[str | None, int] = {}
    rows: list[tuple] = []
    for idx, lin, ctx, lot, sn1 in items:
        customer_po = ctx[_ORDER]
        order_id = ctx[_SELLER_ORDER] or customer_po  # without REF*VN the PO is the only order reference
        n = counters.get(order_id, 0) + 1
        counters[order_id] = n
        order_line = None
        if lin is not None:
            ref = lin[1] if len(lin) > 1 else ""
            item_id, qual, ids, bad = pick_item(lin, 2, rank, fallback)
            if bad >= 0:
                c.pair_warning(lin, bad, idx)
            if lot is None and "LT" in lin:
                for k in range(2, len(lin) - 1, 2):
                    if lin[k] == "LT":
                        lot = lin[k + 1] or None
                        break
            if "PL" in lin:  # the purchaser's order line this item ships (PO101 of the 850)
                for k in range(2, len(lin) - 1, 2):
                    if lin[k] == "PL":
                        order_line = lin[k + 1].strip() or None
                        break
        else:
            ref, item_id, qual, ids = "", None, None, None
        qty = uom = qty_ordered = line_status = None
        if sn1 is not None:
            if len(sn1) < 9:
                sn1 = pad(sn1, 9)
            if not ref:
                ref = sn1[1]
            qty = num(c, sn1[2], idx, "SN102") if sn1[2] else None
            uom = sn1[3] or None
            qty_ordered = num(c, sn1[5], idx, "SN105") if sn1[5] else None
            line_status = sn1[8] or None
        if ref.isdecimal():
            line_no, line_ref = ref, None
        else:
            line_no, line_ref = str(n), ref or None
        rows.append(
            (
                order_id, line_no, item_id, qty, lot or ctx[_LOT], ctx[_SITE],
                ctx[_SHIPPED] or asn_stamp, ctx[_CARRIER], ctx[_PKG] or ctx[_TRACK], uom, qty_ordered, line_status,
                line_ref, qual, ids, customer_po, ctx[_SSCC], ctx[_TARE], ctx[_BOL], ctx[_PRO], ctx[_SHIP_TO_ID],
                ctx[_SHIP_TO_NAME], order_line, base + idx,
            )
        )
    c.emit("shipment_lines", (shipment_id, status, c.ts, purpose, asn_date, c.partner_id, c.file, c.icc, c.sc), rows)
    return shipment_id, asn_date



# --------------------------------------------------------------------------------------------
# 945 warehouse shipping advice
# --------------------------------------------------------------------------------------------

_C945 = {"W12": 1, "LX": 2, "N9": 3, "W06": 4, "N1": 5, "G62": 6, "W27": 7}
# Slots of a W12 line: [index, LX, item, qualifier, ids, status, qty, uom, qty ordered, lot].
(_W12_AT, _W12_LX, _W12_ITEM, _W12_QUAL, _W12_IDS, _W12_STATUS, _W12_QTY, _W12_UOM, _W12_QTY_ORDERED,
 _W12_LOT) = range(10)


def map_945(c: SetContext) -> tuple[str | None, str | None]:
    """Warehouse shipping advice: W06 header, header N1/N9/G62/W27, one shipment line per W12."""
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    codes = _C945
    shipment_id = order_id = customer_po = purpose = w06_date = shipped_at = carrier = None
    w06_i = -1
    parties: dict[str, tuple[str, str]] = {}
    refs: dict[str, str] = {}
    lines: list[list] = []
    pending: list | None = None
    lx = ""
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # W12
            el = pad(el, 10)
            item, qual, ids, bad = pick_item_at(el, (7, 17), rank, fallback, ("UA", el[6]))
            if bad >= 0:
                c.pair_warning(el, bad, i)
            pending = [  # _W12_* slots
                i, lx, item, qual, ids, el[1] or None,
                num(c, el[3], i, "W1203") if el[3] else None, el[5] or None,
                num(c, el[2], i, "W1202") if el[2] else None, el[9] or None,
            ]
            lines.append(pending)
            lx = ""
        elif code == 2:  # LX
            lx = at(el, 1)
        elif code == 3:  # N9 references: header (BOL, PRO, tracking) or line lot
            q, v = at(el, 1), at(el, 2)
            if q == "LT" and pending is not None:
                pending[_W12_LOT] = pending[_W12_LOT] or v
            elif q and v and not lines:
                refs.setdefault(q, v)
        elif code == 4:  # W06
            w06_i = i
            el = pad(el, 10)
            purpose, order_id, shipment_id, customer_po = el[1] or None, el[2], el[4], el[6] or None
            w06_date = c.date(el[3], i, "W0603")
            if el[9]:
                c.time(el[9], i, "W0609")
            shipped_at = timestamp(w06_date, el[9])
        elif code == 5:  # N1
            if not lines and len(el) > 1 and el[1] not in parties:
                parties[el[1]] = (at(el, 2), at(el, 4))
        elif code == 6:  # G62*11 shipped on this date
            if at(el, 1) == "11":
                shipped_at = c.stamp(at(el, 2), at(el, 4), i, "G6202", "G6204") or shipped_at
        elif code == 7:  # W27 carrier detail: W2702 SCAC
            carrier = at(el, 2) or at(el, 3) or None
    if not shipment_id:
        shipment_id = order_id  # a 945 without W0604 still ships the depositor order
    require(c, shipment_id, w06_i, "W06", "W0604", "shipment identification")
    tracking = None
    for q in opts.tracking_refs:
        tracking = refs.get(q)
        if tracking:
            break
    site = site_of(parties, opts)
    ship_to = parties.get("ST", ("", ""))
    ts, pid = c.ts, c.partner_id
    lin_file, icc, sc, base = c.file, c.icc, c.sc, c.base
    bol, pro, ship_to_id, ship_to_name = refs.get("BM"), refs.get("CN"), ship_to[1] or None, ship_to[0] or None
    rows = [
        (
            order_id, line_number(ref, n), item, qty, lot, site, shipped_at, carrier, tracking, uom, qty_ordered,
            status, sender_line_ref(ref), qual, ids, customer_po, None, None, bol, pro, ship_to_id, ship_to_name,
            None, base + idx,
        )
        for n, (idx, ref, item, qual, ids, status, qty, uom, qty_ordered, lot) in enumerate(lines, start=1)
    ]
    c.emit("shipment_lines", (shipment_id, "SHIPPED", ts, purpose, w06_date, pid, lin_file, icc, sc), rows)
    return shipment_id, w06_date



SHIP_NOTICE = SetMapper("856", map_856, frozenset(_C856), ("shipment_lines",))
WAREHOUSE_SHIPPING_ADVICE = SetMapper("945", map_945, frozenset(_C945), ("shipment_lines",))
