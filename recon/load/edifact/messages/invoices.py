"""INVOIC -> invoice_lines.

BGM 1004 is the invoice number (1001: 380 commercial invoice, 381 credit note, 383 debit
note ...), DTM 137 (or 3, invoice date) the invoice date, RFF+ON the order (a line's own
RFF+ON:order:line gives its order line, else LIN 1082 when it is a number, as IT101 does in an
810). Per LIN: QTY 47 invoiced quantity, MOA 203 line amount (else 38/66, else qty x price),
PRI AAA net price (else INV, CAL, AAB), IMD description, ALC+A/C with MOA 204/23/8 its
allowances and charges. After UNS: MOA 77 invoice amount (else 86, 39, 128, 9) is the total,
ALC/MOA the invoice-level allowances and charges.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from recon.load.edifact.messages.base import MessageContext, MessageMapper, lin, pia, pick, qty, require
from recon.load.edifact.messages.orders import header

_CODES = {"LIN": 1, "PIA": 2, "IMD": 3, "QTY": 4, "MOA": 5, "PRI": 6, "RFF": 7, "ALC": 8, "UNS": 9, "BGM": 10,
          "DTM": 11, "NAD": 12, "CUX": 13}
_PRICES = {"AAA": 0, "INV": 1, "CAL": 2, "AAB": 3}
_LINE_AMOUNTS = {"203": 0, "38": 1, "66": 2}
_TOTALS = {"77": 0, "86": 1, "39": 2, "128": 3, "9": 4}
_ALC_AMOUNTS = frozenset({"204", "23", "8", "131", "25"})


def _add(a: str | None, v: Decimal) -> str:
    return format(Decimal(a) + v, "f") if a else format(v, "f")


# Slots of a pending invoice line.
_NO, _REF, _IDS, _ROW, _PRANK, _ARANK, _QTY, _UOM, _AMOUNT, _PRICE, _DESC, _ALLOW, _CHARGE, _OLINE = range(14)


def map_invoic(c: MessageContext) -> tuple[str | None, str | None]:
    segs, opts, cs = c.segs, c.opts, c.cs
    base = c.base
    h: dict = {"parties": {}, "refs": {}}
    lines: list[list] = []
    cur: list | None = None
    summary = False
    total = None
    total_rank = 99
    alc: str | None = None  # A or C of the ALC whose MOA comes next
    alc_label = "?"
    inv_allow = inv_charge = Decimal(0)
    detail: list[str] = []
    for i in range(1, c.end):
        el = segs[i]
        code = _CODES.get(el[0])
        if code is None:
            continue
        if code == 1:  # LIN
            no, ref, ids = lin(el, cs, len(lines) + 1)
            cur = [no, ref, ids, base + i, 99, 99, None, None, None, None, None, None, None, None]
            lines.append(cur)
            alc = None
        elif code == 5:  # MOA
            m = el[1].split(cs) if len(el) > 1 else [""]
            q = m[0]
            raw = m[1] if len(m) > 1 else ""
            if alc is not None and q in _ALC_AMOUNTS:
                amount = _amount(c, raw, i)
                if amount is None:
                    pass
                elif cur is not None and not summary:
                    k = _ALLOW if alc == "A" else _CHARGE
                    cur[k] = _add(cur[k], amount)
                else:
                    if alc == "A":
                        inv_allow += amount
                    else:
                        inv_charge += amount
                    detail.append(f"{alc}:{alc_label}:{format(amount, 'f')}")
                alc = None
            elif cur is not None and not summary:
                r = _LINE_AMOUNTS.get(q, 99)
                if r < cur[_ARANK] and raw:
                    cur[_ARANK], cur[_AMOUNT] = r, raw if raw.isdecimal() else c.number(raw, i, "MOA5004")
            elif _TOTALS.get(q, 99) < total_rank and raw:
                total_rank, total = _TOTALS[q], c.number(raw, i, "MOA5004")
        elif code == 9:  # UNS
            summary, alc = True, None
        elif cur is not None and not summary:
            if code == 4:  # QTY
                q, value, uom = qty(c, el, i)
                if q == "47" and cur[_QTY] is None:
                    cur[_QTY], cur[_UOM] = value, uom
            elif code == 6:  # PRI
                p = el[1].split(cs) if len(el) > 1 else [""]
                r = _PRICES.get(p[0], 50)
                if len(p) > 1 and p[1] and r < cur[_PRANK]:
                    cur[_PRANK], cur[_PRICE] = r, c.number(p[1], i, "PRI5118")
            elif code == 3:  # IMD
                d = el[3].split(cs) if len(el) > 3 else ()
                if len(d) > 3 and d[3] and cur[_DESC] is None:
                    cur[_DESC] = d[3]
            elif code == 2:  # PIA
                pia(el, cs, cur[_IDS])
            elif code == 7:  # RFF+ON:order:line of the line
                r = c.parts(el, 1)
                if r[0] == "ON" and len(r) > 2 and r[2].isdecimal():
                    cur[_OLINE] = str(int(r[2]))
            elif code == 8:  # ALC of the line
                alc, alc_label = _alc(c, el)
        elif code == 8:  # ALC of the invoice
            alc, alc_label = _alc(c, el)
        elif cur is None and code in (7, 10, 11, 12, 13):
            header(c, el, i, h)
            if code == 11:
                c507 = c.parts(el, 1)
                if c507[0] == "3" and "invoice_date" not in h:
                    h["invoice_date"] = c.when(c507, i, "DTM2380")
    invoice_id = h.get("number")
    require(c, invoice_id, h.get("bgm", -1), "BGM", "BGM1004", "invoice number")
    invoiced = h.get("invoice_date") or h.get("date")
    if invoiced:
        invoiced = invoiced[:10]
    rank, fallback = opts.item_rank, opts.item_fallback
    rows = []
    for line in lines:
        item, qual, ids = pick(line[_IDS], rank, fallback)
        quantity, price = line[_QTY], line[_PRICE]
        amount = line[_AMOUNT] or None  # none given: quantity x price when the table is built (x12.amounts)
        order_line = line[_OLINE] or (line[_NO] if line[_REF] is None else None)
        rows.append((line[_NO], order_line, item, quantity, amount, line[_UOM], price, line[_REF], qual, ids,
                     line[_DESC], line[_ALLOW], line[_CHARGE], line[_ROW]))
    allow = format(inv_allow, "f") if detail else None
    charge = format(inv_charge, "f") if detail else None
    head = (invoice_id, h["refs"].get("ON"), h.get("currency"), invoiced, total, allow, charge,
            ";".join(detail) or None, c.partner_id, c.file, c.icc, c.sc)
    c.emit("invoice_lines", head, rows)
    return invoice_id, invoiced


def _alc(c: MessageContext, el: list[str]) -> tuple[str | None, str]:
    """ALC -> (A or C, or None for other indicators; the charge's label: C214 service code, else 1230)."""
    kind = el[1].strip() if len(el) > 1 else ""
    return (kind if kind in ("A", "C") else None), (c.parts(el, 5)[0].strip() or c.parts(el, 2)[0].strip() or "?")


def _amount(c: MessageContext, raw: str, i: int) -> Decimal | None:
    """An allowance or charge amount (MOA 5004) as a Decimal; None when empty or no number (warned)."""
    value = c.number(raw, i, "MOA5004")
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


INVOIC = MessageMapper("INVOIC", map_invoic, ("invoice_lines",))
