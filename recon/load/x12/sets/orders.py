"""850 purchase order and 940 warehouse shipping order -> orders + order_lines.

Both mappers are one loop over the set's segments dispatching on a small integer code per
segment id (one dict lookup and a few int compares per segment, no per-segment call). Header
values stay in locals; each line is a list in `LINES["order_lines"]` order, appended as soon as
its PO1/W01 is read and completed in place by the segments of its loop (PID/G69 description).
"""

from __future__ import annotations

from recon.load.x12.quirks import ResolvedOptions
from recon.load.x12.sets.base import (
    LINE_STUBS,
    SetContext,
    SetMapper,
    at,
    check_ctt,
    line_number,
    pad,
    require,
    site_of,
)
from recon.load.x12.sets.schema import LINES, slot
from recon.load.x12.values import pick_item, pick_item_at

_DESCRIPTION = slot("order_lines", "description")
"""Slot of a pending order line that a later PID (850) or G69 (940) fills."""
_STUB = LINE_STUBS["PO1"]
_WIDTH = len(LINES["order_lines"])


# --------------------------------------------------------------------------------------------
# 850 purchase order
# --------------------------------------------------------------------------------------------

_C850 = {"PO1": 1, "PID": 2, "BEG": 3, "N1": 4, "CUR": 5, "DTM": 6, "CTT": 7, "AMT": 8}


def map_850(c: SetContext) -> tuple[str | None, str | None]:
    """Purchase order: BEG header, header N1/CUR/DTM, one order line per PO1 (+ PID description)."""
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    ts, pid = c.ts, c.partner_id
    lin_file, icc, sc, base = c.file, c.icc, c.sc, c.base
    codes = _C850
    order_id = ordered_at = purpose = po_type = currency = None
    ctt = total = None
    req_ship = req_delivery = None
    parties: dict[str, tuple[str, str]] = {}
    beg_i = ctt_i = -1
    lines: list[list] = []
    pending: list | None = None
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # PO1
            if el is _STUB:  # a line the columnar pass maps: an empty row, checked to stay empty
                pending = [None] * _WIDTH
                lines.append(pending)
                continue
            if len(el) < 5:
                el = pad(el, 5)
            ref, qty, uom, price = el[1], el[2], el[3], el[4]
            if qty and not qty.isdecimal() and (
                qty[0] == "." or qty[-1] == "." or not qty.replace(".", "", 1).isdecimal()
            ):
                qty = c.number(qty, i, "PO102")
            if price and not price.isdecimal() and (
                price[0] == "." or price[-1] == "." or not price.replace(".", "", 1).isdecimal()
            ):
                price = c.number(price, i, "PO104")
            item, qual, ids, bad = pick_item(el, 6, rank, fallback)
            if bad >= 0:
                c.pair_warning(el, bad, i)
            # line_ref keeps the sender's line id only when it cannot be the integer line_no
            if ref.isdecimal():
                line_no, line_ref = ref, None
            else:
                line_no, line_ref = str(len(lines) + 1), ref or None
            pending = [  # LINES["order_lines"] order
                line_no, item, qty or None, uom or None, price or None, None, line_ref, qual, ids, None, base + i,
            ]
            lines.append(pending)
        elif code == 2:  # PID (description of the current line)
            if pending is not None and pending[_DESCRIPTION] is None and len(el) > 5:
                pending[_DESCRIPTION] = el[5] or None
        elif code == 3:  # BEG
            beg_i = i
            el = pad(el, 6)
            purpose, po_type, order_id = el[1] or None, el[2] or None, el[3]
            ordered_at = c.date(el[5], i, "BEG05")
        elif code == 4:  # N1 (header parties only; line-level N1 loops describe the line)
            if not lines and len(el) > 1 and el[1] not in parties:
                parties[el[1]] = (at(el, 2), at(el, 4))
        elif code == 5:  # CUR
            if not lines:
                currency = at(el, 2) or None
        elif code == 6:  # DTM
            if not lines and len(el) > 2:
                q = el[1]
                if q == "010":
                    req_ship = c.stamp(el[2], at(el, 3), i, "DTM02")
                elif q == "002":
                    req_delivery = c.stamp(el[2], at(el, 3), i, "DTM02")
        elif code == 7:  # CTT
            ctt, ctt_i = at(el, 1), i
        elif code == 8 and at(el, 1) in ("TT", "1"):  # AMT*TT / AMT*1 total
            total = c.number(at(el, 2), i, "AMT02")
    require(c, order_id, beg_i, "BEG", "BEG03", "purchase order number")
    check_ctt(c, ctt, ctt_i, len(lines))
    head, order = order_rows(
        (order_id, purpose, po_type, ordered_at, currency, req_ship, req_delivery, parties, beg_i, len(lines)),
        total, opts, ts, pid, c.direction, lin_file, icc, sc, base,
    )
    c.emit("order_lines", head, lines)
    c.emit("orders", None, [order])
    return order_id, ordered_at


def order_rows(header: tuple, total: str | None, opts: ResolvedOptions, ts: str, partner: str | None,
               direction: str, file: str, icc: str, sc: str, base: int) -> tuple[tuple, tuple]:
    """(the order_lines head, the orders row) of an 850 from its header values, for `map_850` and for the
    headers read in Arrow (`load.x12.headers`), so that both make the same rows.

    `header`: (order_id, purpose, po_type, ordered_at, currency, req_ship, req_delivery, the first
    header N1 (name, id) per qualifier, BEG's index in the set, lines).
    """
    order_id, purpose, po_type, ordered_at, currency, req_ship, req_delivery, parties, beg_i, lines = header
    customer = parties.get(opts.customer_party, ("", ""))
    ship_to = parties.get("ST", ("", ""))
    site = site_of(parties, opts)
    head = (order_id, currency, site, None, ts, partner, file, icc, sc)
    order = (
        order_id, customer[1] or None, customer[0] or None, order_id, "EDI", ordered_at, None,
        "CANCELLED" if purpose == "01" else None, site, ts, purpose, po_type, ship_to[1] or None,
        ship_to[0] or None, currency, req_ship, req_delivery, str(lines), total, partner, direction,
        file, base + beg_i, icc, sc,
    )
    return head, order


# --------------------------------------------------------------------------------------------
# 940 warehouse shipping order
# --------------------------------------------------------------------------------------------

_C940 = {"W01": 1, "LX": 2, "G69": 3, "W05": 4, "N1": 5, "G62": 6, "N9": 7, "W76": 8}


def map_940(c: SetContext) -> tuple[str | None, str | None]:
    """Warehouse shipping order: W05 header, header N1/G62, one order line per W01 (+ G69 description)."""
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    ts, pid = c.ts, c.partner_id
    lin_file, icc, sc, base = c.file, c.icc, c.sc, c.base
    codes = _C940
    order_id = customer_po = purpose = ordered_at = req_ship = req_delivery = None
    parties: dict[str, tuple[str, str]] = {}
    w05_i = -1
    lx = ""
    lines: list[list] = []
    pending: list | None = None
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # W01 qty, uom, UPC case code, id pairs at 04/06 and 15
            el = pad(el, 14)
            qty = el[1]
            if qty and not qty.isdecimal() and (
                qty[0] == "." or qty[-1] == "." or not qty.replace(".", "", 1).isdecimal()
            ):
                qty = c.number(qty, i, "W0101")
            item, qual, ids, bad = pick_item_at(el, (4, 6, 15), rank, fallback, ("UA", el[3]))
            if bad >= 0:
                c.pair_warning(el, bad, i)
            line_ref = None if lx.isdecimal() else lx or None
            pending = [  # LINES["order_lines"] order
                line_number(lx, len(lines) + 1), item, qty or None, el[2] or None, None, el[13] or None, line_ref,
                qual, ids, None, base + i,
            ]
            lines.append(pending)
            lx = ""
        elif code == 2:  # LX
            lx = at(el, 1)
        elif code == 3:  # G69 description
            if pending is not None and pending[_DESCRIPTION] is None:
                pending[_DESCRIPTION] = at(el, 1) or None
        elif code == 4:  # W05
            w05_i = i
            el = pad(el, 4)
            purpose, order_id, customer_po = el[1] or None, el[2], el[3] or None
        elif code == 5:  # N1
            if not lines and len(el) > 1 and el[1] not in parties:
                parties[el[1]] = (at(el, 2), at(el, 4))
        elif code == 6:  # G62 dates
            if not lines and len(el) > 2:
                q = el[1]
                if q == "10":
                    req_ship = c.stamp(el[2], at(el, 4), i, "G6202", "G6204")
                elif q in ("02", "54"):
                    req_delivery = c.stamp(el[2], at(el, 4), i, "G6202", "G6204")
                elif q == "04":
                    ordered_at = c.date(el[2], i, "G6202")
        elif code == 7 and len(el) > 2 and not el[1] and el[2]:  # N9 with a value but no qualifier
            c.warn("X12-QUALIFIER-MISSING", f"N901 qualifier is empty for reference {el[2]!r}", i, "N901")
    require(c, order_id, w05_i, "W05", "W0502", "depositor order number")
    customer = parties.get(opts.customer_party) or parties.get("ST", ("", ""))
    ship_to = parties.get("ST", ("", ""))
    site = site_of(parties, opts)
    c.emit("order_lines", (order_id, None, site, None, ts, pid, lin_file, icc, sc), lines)
    c.emit(
        "orders",
        None,
        [(
            order_id, customer[1] or None, customer[0] or None, customer_po, "EDI", ordered_at, None, None, site,
            ts, purpose, None, ship_to[1] or None, ship_to[0] or None, None, req_ship, req_delivery,
            str(len(lines)), None, pid, c.direction, lin_file, base + w05_i, icc, sc,
        )],
    )
    return order_id, ordered_at or c.group_date


PURCHASE_ORDER = SetMapper("850", map_850, frozenset(_C850), ("orders", "order_lines"))
WAREHOUSE_SHIPPING_ORDER = SetMapper("940", map_940, frozenset(_C940), ("orders", "order_lines"))
