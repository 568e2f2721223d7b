"""180 return merchandise authorization and notification -> returns (one row per BLI line)."""

from __future__ import annotations

from recon.load.x12.sets.base import SetContext, SetMapper, at, line_number, num, pad, require, sender_line_ref
from recon.load.x12.values import pick_item_at

_C180 = {"BLI": 1, "RDR": 2, "LX": 3, "PRF": 4, "BGN": 5, "N9": 6, "REF": 6, "DTM": 7}
# Slots of a returned line (BLI): what it is, then what the segments of its loop add.
(_BLI_AT, _BLI_LX, _BLI_ITEM, _BLI_QUAL, _BLI_IDS, _BLI_QTY, _BLI_UOM, _BLI_PRICE, _BLI_ORDER, _BLI_DISPOSITION,
 _BLI_REASON, _BLI_RECEIVED) = range(12)


def map_180(c: SetContext) -> tuple[str | None, str | None]:
    """BGN (or N9/REF*RZ) names the authorization; RDR/PRF/DTM before the first BLI are defaults."""
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    codes = _C180
    rma = order_id = received = bgn_date = None
    rma_ref = None
    disposition = reason = None
    bgn_i = -1
    lines: list[list] = []
    cur: list | None = None  # _BLI_* slots
    lx = ""
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # BLI
            el = pad(el, 7)
            item, qual, ids, bad = pick_item_at(el, (1, 8, 10, 12), rank, fallback)
            if bad >= 0:
                c.pair_warning(el, bad, i)
            cur = [
                i, lx, item, qual, ids, num(c, el[3], i, "BLI03") if el[3] else None, el[4] or None,
                num(c, el[6], i, "BLI06") if el[6] else None, None, None, None, None,
            ]
            lines.append(cur)
            lx = ""
        elif code == 2:  # RDR disposition, reason
            d, r = at(el, 1) or None, at(el, 2) or at(el, 3) or None
            if cur is None:
                disposition, reason = d, r
            else:
                cur[_BLI_DISPOSITION], cur[_BLI_REASON] = d, r
        elif code == 3:  # LX
            lx = at(el, 1)
        elif code == 4:  # PRF
            if cur is None:
                order_id = at(el, 1) or None
            else:
                cur[_BLI_ORDER] = at(el, 1) or None
        elif code == 5:  # BGN
            bgn_i = i
            el = pad(el, 4)
            rma = el[2]
            bgn_date = c.date(el[3], i, "BGN03")
        elif code == 6:  # N9/REF*RZ returned goods authorization number
            if cur is None and at(el, 1) == "RZ" and at(el, 2):
                rma_ref = at(el, 2)
        elif code == 7 and at(el, 1) == "050":  # DTM*050 received
            when = c.stamp(at(el, 2), at(el, 3), i, "DTM02")
            if cur is None:
                received = when
            else:
                cur[_BLI_RECEIVED] = when
    rma = rma_ref or rma
    require(c, rma, bgn_i, "BGN", "BGN02", "return authorization reference")
    base = c.base
    rows = [
        (
            line_number(ref, n), order or order_id, item, qty, disp or disposition, when or received, uom, price,
            why or reason, sender_line_ref(ref), qual, ids, base + idx,
        )
        for n, (idx, ref, item, qual, ids, qty, uom, price, order, disp, why, when) in enumerate(lines, start=1)
    ]
    c.emit("returns", (rma, c.partner_id, c.file, c.icc, c.sc), rows)
    return rma, bgn_date



RETURN_AUTHORIZATION = SetMapper("180", map_180, frozenset(_C180), ("returns",))
