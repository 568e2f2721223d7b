"""855 purchase order acknowledgment -> order_acks.

One row per ACK status of a PO1 line (a line can be part accepted, part backordered), a row
without a status for a PO1 that no ACK follows, and one header-only row for an
acknowledgment without lines ("accepted as sent").
"""

from __future__ import annotations

from recon.load.x12.sets.base import SetContext, SetMapper, line_number, pad, require
from recon.load.x12.values import pick_item

_C855 = {"PO1": 1, "ACK": 2, "BAK": 3}


def map_855(c: SetContext) -> tuple[str | None, str | None]:
    """BAK header (purpose, type, order, seller order, date); PO1 lines with their ACK statuses."""
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    pid = c.partner_id
    lin_file, icc, sc, base = c.file, c.icc, c.sc, c.base
    codes = _C855
    order_id = purpose = ack_type = seller = acked_at = None
    bak_i = -1
    rows: list[tuple] = []
    line: tuple | None = None  # line_no, item, qty, uom, price of the current PO1
    tail: tuple = ()  # line_ref, item_qualifier, item_ids
    line_i = -1
    line_acked = True
    n_lines = 0
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # PO1
            if not line_acked and line is not None:
                rows.append((*line, None, None, None, None, *tail, base + line_i))
            el = pad(el, 5)
            n_lines += 1
            ref, qty, price = el[1], el[2], el[4]
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
            line = (line_number(ref, n_lines), item, qty or None, el[3] or None, price or None)
            tail = (None if ref.isdecimal() else ref or None, qual, ids)
            line_i, line_acked = i, False
        elif code == 2:  # ACK: one row per line status (a line can be part accepted, part backordered)
            if line is None:
                continue
            el = pad(el, 6)
            aq = el[2]
            if aq and not aq.isdecimal() and (
                aq[0] == "." or aq[-1] == "." or not aq.replace(".", "", 1).isdecimal()
            ):
                aq = c.number(aq, i, "ACK02")
            rows.append((*line, el[1] or None, aq or None, el[3] or None, c.date(el[5], i, "ACK05"), *tail, base + i))
            line_acked = True
        elif code == 3:  # BAK
            bak_i = i
            el = pad(el, 10)
            purpose, ack_type, order_id, seller = el[1] or None, el[2] or None, el[3], el[8] or None
            acked_at = c.date(el[9], i, "BAK09") if el[9] else None
    if not line_acked and line is not None:
        rows.append((*line, None, None, None, None, *tail, base + line_i))
    require(c, order_id, bak_i, "BAK", "BAK03", "purchase order number")
    acked = acked_at or c.group_stamp
    if not rows:
        # Header-only acknowledgment ("accepted as sent"): one row for the whole order.
        rows.append((None, None, None, None, None, ack_type, None, None, None, None, None, None, base + bak_i))
    c.emit("order_acks", (order_id, acked, ack_type, purpose, seller, pid, lin_file, icc, sc), rows)
    return order_id, acked_at or c.group_date



PURCHASE_ORDER_ACK = SetMapper("855", map_855, frozenset(_C855), ("order_acks",))
