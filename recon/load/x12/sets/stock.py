"""846 inventory inquiry/advice -> stock.

One stock row per LIN loop; of its QTY segments the one whose qualifier ranks first in the
partner's `stock_qty_qualifiers` gives qty/uom, and all of them are kept in `quantities`.
"""

from __future__ import annotations

from recon.load.x12.sets.base import SetContext, SetMapper, at, pad
from recon.load.x12.values import pick_item

_C846 = {"LIN": 1, "QTY": 2, "PID": 3, "REF": 4, "N1": 5, "BIA": 6}
# Slots of an item (LIN loop): where it starts, what it is, and the best-ranked QTY so far.
(_LIN_AT, _LIN_ITEM, _LIN_QUAL, _LIN_IDS, _LIN_LOT, _LIN_SITE, _LIN_DESC, _LIN_RANK, _LIN_QTY, _LIN_UOM,
 _LIN_QTY_QUAL, _LIN_QUANTITIES) = range(12)
_NO_RANK = 1 << 30


def map_846(c: SetContext) -> tuple[str | None, str | None]:
    """BIA header (report type, reference, as-of); N1 warehouse in the header or per LIN loop."""
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    qty_rank = {q: n for n, q in enumerate(opts.stock_qty_qualifiers)}
    site_parties = opts.site_parties
    codes = _C846
    report_type = reference = as_of = site = None
    bia_i = -1
    items: list[list] = []
    cur: list | None = None  # _LIN_* slots
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # LIN
            item, qual, ids, bad = pick_item(el, 2, rank, fallback)
            if bad >= 0:
                c.pair_warning(el, bad, i)
            lot = None
            for k in range(2, len(el) - 1, 2):
                if el[k] == "LT":
                    lot = el[k + 1] or None
                    break
            cur = [i, item, qual, ids, lot, None, None, _NO_RANK, None, None, None, None]
            items.append(cur)
        elif code == 2:  # QTY
            if cur is None:
                continue
            q, v = at(el, 1), at(el, 2)
            if v and not v.isdecimal() and (
                v[0] == "." or v[-1] == "." or not v.replace(".", "", 1).isdecimal()
            ):
                v = c.number(v, i, "QTY02")
            uom = at(el, 3)
            if uom:
                uom = uom.split(c.tx.ic.delimiters.component)[0] if c.tx.ic.delimiters else uom
            seen = cur[_LIN_QUANTITIES]
            cur[_LIN_QUANTITIES] = f"{q}:{v}" if seen is None else f"{seen};{q}:{v}"
            r = qty_rank.get(q)
            if r is not None and r < cur[_LIN_RANK]:
                cur[_LIN_RANK], cur[_LIN_QTY], cur[_LIN_UOM], cur[_LIN_QTY_QUAL] = r, v, uom or None, q
        elif code == 3:  # PID
            if cur is not None and cur[_LIN_DESC] is None:
                cur[_LIN_DESC] = at(el, 5) or None
        elif code == 4:  # REF*LT lot
            if cur is not None and at(el, 1) == "LT":
                cur[_LIN_LOT] = at(el, 2) or cur[_LIN_LOT]
        elif code == 5:  # N1 warehouse: header = default site, inside a LIN loop = that item's site
            if at(el, 1) in site_parties:
                s = at(el, 4) or at(el, 2) or None
                if cur is None:
                    site = site or s
                elif cur[_LIN_SITE] is None:
                    cur[_LIN_SITE] = s
        elif code == 6:  # BIA
            bia_i = i
            el = pad(el, 6)
            report_type, reference = el[2] or None, el[3] or None
            as_of = c.stamp(el[4], el[5], i, "BIA04")
    if bia_i < 0:
        raise c.reject("X12-MISSING-SEGMENT", f"{c.ts} {c.sc} has no BIA segment; the set was rejected", c.start, "BIA")
    as_of = as_of or c.group_stamp
    base = c.base
    rows = [
        (item, item_site or site, lot, qty, uom, qty_qual, quantities, qual, ids, desc, base + idx)
        for idx, item, qual, ids, lot, item_site, desc, _r, qty, uom, qty_qual, quantities in items
    ]
    c.emit("stock", (as_of, report_type, c.partner_id, c.file, c.icc, c.sc), rows)
    return reference, as_of[:10] if as_of else None



INVENTORY_ADVICE = SetMapper("846", map_846, frozenset(_C846), ("stock",))
