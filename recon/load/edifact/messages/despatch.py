"""DESADV (despatch advice, the EDIFACT ASN) -> shipment_lines.

BGM 1004 is the shipment (despatch advice number); the order is RFF+ON, at the header or in
the line's own RFF group (RFF+ON:order:line, whose 1156 is then the order line number). Read:
DTM 11 despatch date (shipped_at), 137 document date, 17/2 delivery date; TDT C040 carrier;
RFF BM (bill of lading), CN/AAS/... (tracking, per `tracking_refs`); NAD DP/ST ship-to;
CPS/PAC/GIN+BJ (SSCC of the package the lines that follow are in); LIN C212 and PIA item ids;
QTY 12 despatch quantity, 21 ordered quantity; PCI/GIN+BX batch number as lot.
"""

from __future__ import annotations

from recon.load.edifact.messages.base import MessageContext, MessageMapper, lin, pia, pick, qty, require
from recon.load.edifact.messages.orders import header
from recon.load.x12.sets.base import site_of

# Slots of a pending despatch line.
_NO, _REF, _IDS, _SSCC, _ROW, _QTY, _UOM, _ORDERED, _LOT, _ORDER, _OLINE = range(11)

_CODES = {"LIN": 1, "PIA": 2, "QTY": 3, "RFF": 4, "GIN": 5, "CPS": 6, "BGM": 7, "DTM": 8, "NAD": 9, "TDT": 10,
          "UNS": 11}


def map_desadv(c: MessageContext) -> tuple[str | None, str | None]:
    segs, opts, cs = c.segs, c.opts, c.cs
    rank, fallback = opts.item_rank, opts.item_fallback
    tracking = opts.tracking_refs
    base = c.base
    h: dict = {"parties": {}, "refs": {}}
    dates: dict[str, str | None] = {}
    carrier = None
    sscc = None
    lines: list[list] = []
    cur: list | None = None
    summary = False
    for i in range(1, c.end):
        el = segs[i]
        code = _CODES.get(el[0])
        if code is None:
            continue
        if code == 1:  # LIN
            no, ref, ids = lin(el, cs, len(lines) + 1)
            cur = [no, ref, ids, sscc, base + i, None, None, None, None, None, None]
            lines.append(cur)
        elif code == 11:
            summary = True
        elif code == 6:  # CPS: a new package level; the SSCC comes with its GIN
            sscc = None
            cur = None
        elif code == 5:  # GIN+BJ (SSCC) / BX (batch)
            q = el[1].strip() if len(el) > 1 else ""
            v = c.parts(el, 2)[0].strip()
            if q == "BJ" and v:
                if cur is None:
                    sscc = v
                elif cur[_SSCC] is None:
                    cur[_SSCC] = v
            elif q == "BX" and v and cur is not None and cur[_LOT] is None:
                cur[_LOT] = v
        elif cur is not None and not summary:
            if code == 3:  # QTY
                q, value, uom = qty(c, el, i)
                if q == "12" and cur[_QTY] is None:
                    cur[_QTY], cur[_UOM] = value, uom
                elif q == "21" and cur[_ORDERED] is None:
                    cur[_ORDERED] = value
            elif code == 2:  # PIA
                pia(el, cs, cur[_IDS])
            elif code == 4:  # RFF+ON of the line: the order (and its line, 1156)
                r = c.parts(el, 1)
                if r[0] == "ON" and len(r) > 1 and r[1]:
                    cur[_ORDER] = r[1]
                    if len(r) > 2 and r[2].isdecimal():
                        cur[_OLINE] = str(int(r[2]))
        elif code == 8 and cur is None:  # DTM of the header
            c507 = c.parts(el, 1)
            q = c507[0].strip()
            if q in ("11", "137", "17", "2", "132") and q not in dates:
                dates[q] = c.when(c507, i, "DTM2380")
            header(c, el, i, h)
        elif code == 10 and carrier is None:  # TDT C040 carrier id (3127), else name (3128)
            c040 = c.parts(el, 5)
            carrier = c040[0].strip() or (c040[3].strip() if len(c040) > 3 else "") or None
        elif cur is None and code in (4, 7, 9):
            header(c, el, i, h)
    shipment_id = h.get("number")
    require(c, shipment_id, h.get("bgm", -1), "BGM", "BGM1004", "despatch advice number")
    refs = h["refs"]
    order = refs.get("ON")
    track = next((refs[q] for q in tracking if refs.get(q)), None)
    parties = h["parties"]
    ship_to = parties.get("DP") or parties.get("ST") or ("", "")
    site = site_of(parties, opts)
    shipped = dates.get("11") or dates.get("137") or c.sent_at
    asn_date = dates.get("137")
    if asn_date:
        asn_date = asn_date[:10]
    status = "CANCELLED" if h.get("function") == "1" else "SHIPPED"
    rows = []
    bol, ship_to_id, ship_to_name = refs.get("BM"), ship_to[1] or None, ship_to[0] or None
    for line in lines:
        item, qual, ids = pick(line[_IDS], rank, fallback)
        order_id = line[_ORDER] or order
        rows.append((
            order_id, line[_OLINE] or line[_NO], item, line[_QTY], line[_LOT], site, shipped, carrier, track,
            line[_UOM], line[_ORDERED], None, line[_REF], qual, ids, order_id, line[_SSCC], None, bol, None,
            ship_to_id, ship_to_name, line[_OLINE], line[_ROW],
        ))
    c.emit("shipment_lines", (shipment_id, status, c.ts, h.get("function"), asn_date, c.partner_id, c.file, c.icc,
                              c.sc), rows)
    return shipment_id, asn_date or (shipped[:10] if shipped else None)


DESADV = MessageMapper("DESADV", map_desadv, ("shipment_lines",))
