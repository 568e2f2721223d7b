"""214 transportation carrier shipment status -> deliveries (one row per set)."""

from __future__ import annotations

from recon.load.x12.sets.base import SetContext, SetMapper, at, pad, require

_C214 = {"AT7": 1, "L11": 2, "N1": 3, "B10": 4, "MS3": 5}
PICKED_UP = frozenset({"AF", "CP"})
DELIVERED = frozenset({"D1", "CD"})


def map_214(c: SetContext) -> tuple[str | None, str | None]:
    """B10 names the shipment; the last AT7 status wins, the first pick-up and the last delivery count."""
    segs = c.segs
    codes = _C214
    shipment_id = pro = carrier = None
    b10_i = -1
    refs: dict[str, str] = {}
    parties: dict[str, str] = {}
    picked = delivered = status = reason = status_at = None
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # AT7 status: code, reason, appt status, appt reason, date, time
            el = pad(el, 7)
            st = el[1] or el[3]
            when = c.stamp(el[5], el[6], i, "AT705") if el[5] else None
            if st:
                status, reason, status_at = st, (el[2] or el[4] or None), when
                if st in PICKED_UP and picked is None:
                    picked = when
                if st in DELIVERED:
                    delivered = when
        elif code == 2:  # L11 reference, qualifier
            v, q = at(el, 1), at(el, 2)
            if q and v:
                refs.setdefault(q, v)
        elif code == 3:  # N1
            q = at(el, 1)
            if q and q not in parties:
                parties[q] = at(el, 2)
        elif code == 4:  # B10: carrier ref (PRO), shipment id, SCAC
            b10_i = i
            el = pad(el, 4)
            pro, shipment_id, carrier = el[1] or None, el[2], el[3] or None
        elif code == 5:  # MS3 interline: SCAC fallback
            carrier = carrier or at(el, 1) or None
    require(c, shipment_id, b10_i, "B10", "B1002", "shipment identification number")
    # B1001 is the carrier's own reference (PRO), which is what its tracking page takes.
    tracking = pro
    if tracking is None:
        for q in c.opts.tracking_refs:
            if refs.get(q):
                tracking = refs[q]
                break
    c.emit(
        "deliveries",
        None,
        [(
            shipment_id, refs.get("LO") or refs.get("MB"), carrier, tracking, picked, delivered, None, None, status,
            reason, status_at, refs.get("BM"), refs.get("PO"), parties.get("SH") or None, parties.get("CN") or None,
            c.partner_id, c.file, c.base + b10_i, c.icc, c.sc,
        )],
    )
    return shipment_id, (status_at[:10] if status_at else c.group_date)



CARRIER_STATUS = SetMapper("214", map_214, frozenset(_C214), ("deliveries",))
