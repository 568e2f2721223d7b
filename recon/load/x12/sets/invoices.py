"""810 invoice -> invoice_lines."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from recon.load.x12.sets.base import LINE_STUBS, SetContext, SetMapper, at, check_ctt, pad, require
from recon.load.x12.sets.schema import LINES, slot
from recon.load.x12.values import pick_item

_C810 = {"IT1": 1, "PID": 2, "SAC": 3, "BIG": 4, "CUR": 5, "REF": 6, "TDS": 7, "CTT": 8}
# Slots of a pending invoice line that segments after its IT1 fill in.
_DESCRIPTION = slot("invoice_lines", "description")
_ALLOWANCES = slot("invoice_lines", "line_allowances")
_CHARGES = slot("invoice_lines", "line_charges")
_STUB = LINE_STUBS["IT1"]
_WIDTH = len(LINES["invoice_lines"])


def map_810(c: SetContext) -> tuple[str | None, str | None]:
    """Invoice -> invoice_lines; allowances and charges (SAC) stay with the invoice as columns.

    The line's amount (qty x price) is left empty here and computed for a chunk of lines at
    once when the table is built (`amounts.fill_amounts`).

    SAC inside an IT1 loop goes to that line's line_allowances/line_charges; SAC before the
    first IT1 or after TDS is invoice-level and lands, with TDS01 (implied 2 decimals), on
    every line of the invoice as invoice_total/invoice_allowances/invoice_charges.
    """
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    pid = c.partner_id
    lin_file, icc, sc, base = c.file, c.icc, c.sc, c.base
    codes = _C810
    invoice_id = order_id = invoiced_at = currency = total = None
    big_i = ctt_i = -1
    ctt = None
    after_tds = False
    inv_allow = inv_charge = Decimal(0)
    detail: list[str] = []
    lines: list[list] = []
    pending: list | None = None
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # IT1
            if el is _STUB:  # a line the columnar pass maps: an empty row, checked to stay empty (no SAC)
                pending = [None] * _WIDTH
                lines.append(pending)
                continue
            if len(el) < 5:
                el = pad(el, 5)
            ref, qty, price = el[1], el[2], el[4]
            if qty and not qty.isdecimal() and (
                qty[0] == "." or qty[-1] == "." or not qty.replace(".", "", 1).isdecimal()
            ):
                qty = c.number(qty, i, "IT102")
            if price and not price.isdecimal() and (
                price[0] == "." or price[-1] == "." or not price.replace(".", "", 1).isdecimal()
            ):
                price = c.number(price, i, "IT104")
            item, qual, ids, bad = pick_item(el, 6, rank, fallback)
            if bad >= 0:
                c.pair_warning(el, bad, i)
            if ref.isdecimal():  # IT101 is then also the order line it invoices
                line_no, order_line, line_ref = ref, ref, None
            else:
                line_no, order_line, line_ref = str(len(lines) + 1), None, ref or None
            pending = [  # LINES["invoice_lines"] order
                line_no, order_line, item, qty or None, None, el[3] or None, price or None, line_ref,
                qual, ids, None, None, None, base + i,
            ]
            lines.append(pending)
        elif code == 2:  # PID
            if pending is not None and pending[_DESCRIPTION] is None and len(el) > 5:
                pending[_DESCRIPTION] = el[5] or None
        elif code == 3:  # SAC
            kind = at(el, 1)
            if kind not in ("A", "C"):
                continue
            amount = c.n2(at(el, 5), i, "SAC05")
            label = at(el, 2) or at(el, 15) or "?"
            try:
                value = Decimal(amount) if amount else None
            except InvalidOperation:
                value = None
            if value is None:
                continue
            if pending is not None and not after_tds:
                col = _ALLOWANCES if kind == "A" else _CHARGES
                prev = pending[col]
                pending[col] = format(Decimal(prev) + value, "f") if prev else format(value, "f")
            else:
                if kind == "A":
                    inv_allow += value
                else:
                    inv_charge += value
                detail.append(f"{kind}:{label}:{format(value, 'f')}")
        elif code == 4:  # BIG
            big_i = i
            el = pad(el, 5)
            invoiced_at = c.date(el[1], i, "BIG01")
            invoice_id = el[2]
            order_id = el[4] or order_id
        elif code == 5:  # CUR
            if pending is None:
                currency = at(el, 2) or None
        elif code == 6:  # REF*PO when BIG04 is empty
            if pending is None and not order_id and at(el, 1) == "PO":
                order_id = at(el, 2) or None
        elif code == 7:  # TDS
            total = c.n2(at(el, 1), i, "TDS01")
            after_tds = True
        elif code == 8:  # CTT
            ctt, ctt_i = at(el, 1), i
    require(c, invoice_id, big_i, "BIG", "BIG02", "invoice number")
    check_ctt(c, ctt, ctt_i, len(lines))
    allow = format(inv_allow, "f") if detail else None
    charge = format(inv_charge, "f") if detail else None
    text = ";".join(detail) or None
    head = (invoice_id, order_id, currency, invoiced_at, total, allow, charge, text, pid, lin_file, icc, sc)
    c.emit("invoice_lines", head, lines)
    return invoice_id, invoiced_at



INVOICE = SetMapper("810", map_810, frozenset(_C810), ("invoice_lines",))
