"""ORDERS (purchase order) -> orders + order_lines; ORDRSP (order response) -> order_acks.

Header segments come before the first LIN (segment group 1 RFF, 2 NAD, 7 CUX); each LIN opens
a line that its PIA, IMD, QTY, PRI, DTM and RFF complete; UNS ends the detail section. Codes
read (UN/EDIFACT D.93A-D.01B):

* BGM C002/1001 document name (220 order, 105 purchase order, 231 order response ...), 1004
  (C106/1004 from D.01B) the document number, 1225 the message function (9 original, 1
  cancellation, 5 replace, 4 change, 27 not accepted, 29 accepted without amendment);
* DTM 137 document date, 4 order date, 2/64/69 requested delivery, 10 requested shipment;
* NAD 3035 party (BY buyer, SU supplier, DP delivery party, ST ship to ...), C082/3039 id,
  C080/3036 name (else C058);
* LIN 1082 line number, C212 item id/type (7143: SA, IN, BP, EN, SRV ...), PIA further ids;
* QTY 21 ordered (ORDRSP: 113 to be delivered, 12 despatched, as the accepted quantity), in the
  QTY's unit, else in the unit of the line's MEA+ABA (unit of measure used for ordered quantities);
* PRI AAA net price, else AAB gross, CAL, INF; IMD C273/7008 description; CUX currency.
"""

from __future__ import annotations

from recon.load.edifact.messages.base import MessageContext, MessageMapper, lin, mea_unit, pia, pick, qty, require
from recon.load.x12.sets.base import site_of

_ORDERS = {"LIN": 1, "PIA": 2, "IMD": 3, "QTY": 4, "PRI": 5, "BGM": 6, "DTM": 7, "NAD": 8, "CUX": 9, "MOA": 10,
           "UNS": 11, "RFF": 12, "CNT": 13, "MEA": 14}
_PRICES = {"AAA": 0, "AAB": 1, "CAL": 2, "INF": 3, "INV": 4}
_TOTALS = {"86": 0, "79": 1, "128": 2, "9": 3}

# Slots of a pending order line (LINES["order_lines"] order).
_ITEM, _QTY, _UOM, _PRICE, _QUAL, _IDS, _DESC = 1, 2, 3, 4, 7, 8, 9

ORDRSP_LINE_STATUS = {"5": "IA", "1": "IA", "3": "IC", "6": "IC", "7": "IR", "2": "ID", "10": "IR"}
"""ORDRSP LIN 1229 (action request) -> the acknowledgement status vocabulary of edi.order_acks
(X12 ACK01): 5 accepted without amendment IA, 6 accepted with amendment / 3 changed IC, 7 not
accepted IR, 2 deleted ID; other codes are kept as sent."""


def party(c: MessageContext, el: list[str]) -> tuple[str, str]:
    """NAD -> (name, id) as the X12 mappers keep parties: C080/3036 (the structured name) else C058 (the
    name-and-address lines), and C082/3039."""
    pid = c.parts(el, 2)[0].strip()
    name = c.parts(el, 4)[0].strip() or c.parts(el, 3)[0].strip()
    return name, pid


def header(c: MessageContext, el: list[str], i: int, h: dict) -> None:
    """BGM/DTM/NAD/CUX/RFF before the first LIN, into `h`."""
    tag = el[0]
    if tag == "BGM":
        h["bgm"] = i
        h["type"] = c.parts(el, 1)[0].strip() or None
        h["number"] = c.parts(el, 2)[0].strip()
        h["function"] = el[3].strip() or None if len(el) > 3 else None
    elif tag == "DTM":
        c507 = c.parts(el, 1)
        q = c507[0].strip()
        if q in ("137", "4") and "date" not in h:
            h["date"] = c.when(c507, i, "DTM2380")
        elif q in ("2", "64", "69") and "delivery" not in h:
            h["delivery"] = c.when(c507, i, "DTM2380")
        elif q in ("10", "200") and "ship" not in h:
            h["ship"] = c.when(c507, i, "DTM2380")
    elif tag == "NAD":
        q = el[1].strip().upper() if len(el) > 1 else ""
        if q and q not in h["parties"]:
            h["parties"][q] = party(c, el)
    elif tag == "CUX":
        cur = c.parts(el, 1)
        if len(cur) > 1 and cur[1].strip() and "currency" not in h:
            h["currency"] = cur[1].strip()
    elif tag == "RFF":
        rff = c.parts(el, 1)
        q = rff[0].strip().upper()
        if len(rff) > 1 and q not in h["refs"]:
            h["refs"][q] = rff[1].strip()


def map_orders(c: MessageContext) -> tuple[str | None, str | None]:
    """ORDERS: BGM order number, header parties/dates/currency, one order line per LIN."""
    segs, opts, cs = c.segs, c.opts, c.cs
    rank, fallback = opts.item_rank, opts.item_fallback
    base = c.base
    h: dict = {"parties": {}, "refs": {}}
    lines: list[list] = []
    ids: list[tuple[str, str]] = []
    pending: list | None = None
    price_rank = 99
    total = None
    total_rank = 99
    summary = False
    unit: str | None = None
    for i in range(1, c.end):
        el = segs[i]
        code = _ORDERS.get(el[0])
        if code is None:
            continue
        if code == 1:  # LIN
            if pending is not None:
                pending[_ITEM], pending[_QUAL], pending[_IDS] = pick(ids, rank, fallback)
            no, ref, ids = lin(el, cs, len(lines) + 1)
            pending = [no, None, None, None, None, None, ref, None, None, None, base + i]
            lines.append(pending)
            price_rank = 99
            unit = None  # the line's MEA+ABA unit
        elif code == 2 and pending is not None:  # PIA
            pia(el, cs, ids)
        elif code == 3 and pending is not None:  # IMD
            d = c.parts(el, 3)
            if len(d) > 3 and d[3].strip() and pending[_DESC] is None:
                pending[_DESC] = d[3].strip()
        elif code == 4 and pending is not None and not summary:  # QTY
            q, value, uom = qty(c, el, i)
            if q in ("21", "1") and (pending[_QTY] is None or q == "21"):
                pending[_QTY], pending[_UOM] = value, uom or unit
        elif code == 14 and pending is not None and not summary:  # MEA+ABA: the unit of the line's quantities
            unit = mea_unit(c, el) or unit
            if pending[_QTY] is not None and pending[_UOM] is None:
                pending[_UOM] = unit
        elif code == 5 and pending is not None:  # PRI
            p = el[1].split(cs) if len(el) > 1 else [""]
            r = _PRICES.get(p[0].strip(), 50)
            if len(p) > 1 and p[1].strip() and r < price_rank:
                price_rank = r
                pending[_PRICE] = c.number(p[1].strip(), i, "PRI5118")
        elif code == 10:  # MOA
            m = el[1].split(cs) if len(el) > 1 else [""]
            r = _TOTALS.get(m[0].strip(), 99)
            if (summary or pending is None) and r < total_rank and len(m) > 1:
                total_rank, total = r, c.number(m[1].strip(), i, "MOA5004")
        elif code == 11:  # UNS
            summary = True
        elif code == 13:  # CNT+2 number of line items
            cnt = c.parts(el, 1)
            if cnt[0].strip() == "2" and len(cnt) > 1 and cnt[1].strip().isdecimal() and int(cnt[1]) != len(lines):
                c.warn("EDIFACT-CNT-COUNT", f"CNT says {int(cnt[1])} line items, the message has {len(lines)}", i,
                       "CNT6066")
        elif pending is None:
            header(c, el, i, h)
    if pending is not None:
        pending[_ITEM], pending[_QUAL], pending[_IDS] = pick(ids, rank, fallback)
    order_id = h.get("number")
    require(c, order_id, h.get("bgm", -1), "BGM", "BGM1004", "order number")
    parties = h["parties"]
    customer = parties.get(opts.customer_party, ("", ""))
    ship_to = parties.get("DP") or parties.get("ST") or ("", "")
    site = site_of(parties, opts)
    currency = h.get("currency")
    function = h.get("function")
    status = "CANCELLED" if function == "1" else None
    c.emit("order_lines", (order_id, currency, site, status, c.ts, c.partner_id, c.file, c.icc, c.sc), lines)
    c.emit("orders", None, [(
        order_id, customer[1] or None, customer[0] or None, order_id, "EDI", h.get("date"), None, status, site,
        c.ts, function, h.get("type"), ship_to[1] or None, ship_to[0] or None, currency, h.get("ship"),
        h.get("delivery"), str(len(lines)), total, c.partner_id, c.direction, c.file, base + h["bgm"], c.icc, c.sc,
    )])
    return order_id, h.get("date")


_ORDRSP = {"LIN": 1, "PIA": 2, "QTY": 3, "PRI": 4, "DTM": 5, "BGM": 6, "RFF": 7, "NAD": 8, "CUX": 9, "UNS": 10,
           "MEA": 11}


def map_ordrsp(c: MessageContext) -> tuple[str | None, str | None]:
    """ORDRSP: RFF+ON the order answered, BGM the response; one row per LIN with its action (1229)."""
    segs, opts, cs = c.segs, c.opts, c.cs
    rank, fallback = opts.item_rank, opts.item_fallback
    base = c.base
    h: dict = {"parties": {}, "refs": {}}
    rows: list[list] = []
    ids: list[tuple[str, str]] = []
    cur: list | None = None
    summary = False
    price_rank = 99
    # Slots: line_no, item, qty, uom, price, status, ack_qty, ack_uom, ack_date, line_ref, qualifier, ids, row
    unit: str | None = None
    for i in range(1, c.end):
        el = segs[i]
        code = _ORDRSP.get(el[0])
        if code is None:
            continue
        if code == 1:  # LIN
            if cur is not None:
                cur[1], cur[10], cur[11] = pick(ids, rank, fallback)
            no, ref, ids = lin(el, cs, len(rows) + 1)
            action = el[2].strip() if len(el) > 2 else ""
            cur = [no, None, None, None, None, ORDRSP_LINE_STATUS.get(action, action or None), None, None, None, ref,
                   None, None, base + i]
            rows.append(cur)
            price_rank = 99
            unit = None  # the line's MEA+ABA unit
        elif code == 10:
            summary = True
        elif cur is None:
            if code in (5, 6, 7, 8, 9):
                header(c, el, i, h)
        elif summary:
            continue
        elif code == 2:  # PIA
            pia(el, cs, ids)
        elif code == 3:  # QTY
            q, value, uom = qty(c, el, i)
            if q == "21":
                cur[2], cur[3] = value, uom or unit
            elif q in ("113", "12") and cur[6] is None:
                cur[6], cur[7] = value, uom or unit
        elif code == 11:  # MEA+ABA: the unit of the line's quantities
            unit = mea_unit(c, el) or unit
            for q_at, u_at in ((2, 3), (6, 7)):
                if cur[q_at] is not None and cur[u_at] is None:
                    cur[u_at] = unit
        elif code == 4:  # PRI
            p = el[1].split(cs) if len(el) > 1 else [""]
            r = _PRICES.get(p[0].strip(), 50)
            if len(p) > 1 and p[1].strip() and r < price_rank:
                price_rank = r
                cur[4] = c.number(p[1].strip(), i, "PRI5118")
        elif code == 5:  # DTM of the line: the delivery date confirmed
            c507 = c.parts(el, 1)
            if c507[0].strip() in ("2", "69", "17", "64") and cur[8] is None:
                cur[8] = c.when(c507, i, "DTM2380")
    if cur is not None:
        cur[1], cur[10], cur[11] = pick(ids, rank, fallback)
    refs = h["refs"]
    order_id = refs.get("ON")
    if h.get("bgm", -1) < 0:
        require(c, None, -1, "BGM", "BGM1004", "response number")
    require(c, order_id, h["bgm"], "RFF", "RFF+ON 1154", "the order number the response answers")
    acked = h.get("date") or c.sent_at
    function = h.get("function")
    seller = refs.get("VN") or h.get("number") or None
    if not rows:  # a response without lines answers the whole order
        rows.append([None, None, None, None, None, function, None, None, None, None, None, None, base + h["bgm"]])
    c.emit("order_acks", (order_id, acked, function, function, seller, c.partner_id, c.file, c.icc, c.sc), rows)
    return order_id, h.get("date")


ORDERS = MessageMapper("ORDERS", map_orders, ("orders", "order_lines"))
ORDRSP = MessageMapper("ORDRSP", map_ordrsp, ("order_acks",))
