"""Transaction sets -> rows of canonical entities (see DESIGN.md, "Canonical model").

One mapper per transaction set type. Each is a single loop over the set's segments that
dispatches on the segment id through a dict of small integer codes (one dict lookup and a few
int compares per segment, no per-segment function call), keeps the set's header values in
locals, and appends rows as lists/tuples in the fixed column order declared in `COLUMNS`.

Rows of a set are collected locally and only handed over when the whole set mapped; a set
that lacks its beginning segment or its business key raises `Reject` and contributes no rows
(a finding says why), while its neighbours load normally.

All values are strings (numbers as plain decimals, dates 'YYYY-MM-DD', timestamps
'YYYY-MM-DD HH:MM:SS'); `_source_row` is the 1-based position of the segment the row came
from (ISA = 1), counted over the whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from recon.load.x12.envelope import TxSet
from recon.load.x12.quirks import ResolvedOptions
from recon.load.x12.result import Finding
from recon.load.x12.tokenizer import split_segments
from recon.load.x12.values import implied2, multiply, pick_item, pick_item_at, plain_number, timestamp, ymd

LINEAGE = ("_source_file", "_source_row", "_interchange_control", "_set_control")

COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": (
        "order_id", "customer_id", "customer_name", "customer_po", "channel", "ordered_at", "released_at",
        "status", "site",
        "transaction_set", "purpose_code", "order_type", "ship_to_id", "ship_to_name", "currency",
        "requested_ship_at", "requested_delivery_at", "line_count", "total_amount", "partner_id", "direction",
    ),
    "order_lines": (
        "order_id", "line_no", "item_id", "qty", "uom", "unit_price", "currency", "site", "lot", "status",
        "transaction_set", "line_ref", "item_qualifier", "item_ids", "description", "partner_id",
    ),
    "order_acks": (
        "order_id", "line_no", "item_id", "qty", "uom", "unit_price", "status", "ack_qty", "acked_at",
        "ack_type", "purpose_code", "seller_order_id", "ack_uom", "ack_date", "line_ref", "item_qualifier",
        "item_ids", "partner_id",
    ),
    "shipment_lines": (
        "shipment_id", "order_id", "line_no", "item_id", "qty", "lot", "site", "status", "shipped_at", "carrier",
        "tracking_no",
        "transaction_set", "uom", "qty_ordered", "line_status", "line_ref", "item_qualifier", "item_ids",
        "customer_po", "sscc", "tare_sscc", "bol_no", "pro_no", "ship_to_id", "ship_to_name", "purpose_code",
        "asn_date", "partner_id",
    ),
    "invoice_lines": (
        "invoice_id", "line_no", "order_id", "order_line_no", "item_id", "qty", "amount", "currency", "invoiced_at",
        "uom", "unit_price", "line_ref", "item_qualifier", "item_ids", "description", "line_allowances",
        "line_charges", "invoice_total", "invoice_allowances", "invoice_charges", "charges_detail", "partner_id",
    ),
    "deliveries": (
        "shipment_id", "load_id", "carrier", "tracking_no", "picked_up_at", "delivered_at", "pod_signed_by",
        "freight_cost",
        "status", "status_reason", "status_at", "bol_no", "po_number", "shipper_name", "consignee_name",
        "partner_id",
    ),
    "stock": (
        "item_id", "site", "lot", "qty", "as_of",
        "uom", "qty_qualifier", "quantities", "item_qualifier", "item_ids", "description", "report_type",
        "partner_id",
    ),
    "returns": (
        "rma_id", "line_no", "order_id", "item_id", "qty", "disposition", "received_at",
        "uom", "unit_price", "return_reason", "line_ref", "item_qualifier", "item_ids", "partner_id",
    ),
    "edi_documents": (
        "transaction_set", "control_number", "direction", "partner_id", "group_control", "interchange_control",
        "sender_id", "receiver_id", "reference", "document_date",
        "functional_id", "version", "implementation", "gs_sender", "gs_receiver", "sent_at", "test_indicator",
        "segment_count",
    ),
    "edi_acks": (
        "acked_group_control", "acked_control_number", "acked_transaction_set", "status", "errors", "partner_id",
        "acked_at",
        "acked_functional_id", "group_status", "sets_included", "sets_received", "sets_accepted", "ack_type",
    ),
}

_SET_LINEAGE = ("_source_file", "_interchange_control", "_set_control")

HEADS: dict[str, tuple[str, ...]] = {
    "order_lines": ("order_id", "currency", "site", "status", "transaction_set", "partner_id", *_SET_LINEAGE),
    "order_acks": (
        "order_id", "acked_at", "ack_type", "purpose_code", "seller_order_id", "partner_id", *_SET_LINEAGE,
    ),
    "shipment_lines": (
        "shipment_id", "status", "transaction_set", "purpose_code", "asn_date", "partner_id", *_SET_LINEAGE,
    ),
    "invoice_lines": (
        "invoice_id", "order_id", "currency", "invoiced_at", "invoice_total", "invoice_allowances",
        "invoice_charges", "charges_detail", "partner_id", *_SET_LINEAGE,
    ),
    "stock": ("as_of", "report_type", "partner_id", *_SET_LINEAGE),
    "returns": ("rma_id", "partner_id", *_SET_LINEAGE),
    "edi_acks": (
        "acked_group_control", "partner_id", "acked_at", "acked_functional_id", "group_status", "sets_included",
        "sets_received", "sets_accepted", "ack_type", *_SET_LINEAGE,
    ),
    # one head per functional group (the parser extends the last head's count per set)
    "edi_documents": (
        "direction", "partner_id", "group_control", "interchange_control", "sender_id", "receiver_id",
        "functional_id", "version", "gs_sender", "gs_receiver", "sent_at", "test_indicator", "_source_file",
        "_interchange_control",
    ),
}
"""Columns whose value is the same for every row of one transaction set.

Rows are stored as one head tuple per set plus one short tuple per line; the table builder
expands heads with an Arrow `take`. Rebuilding every constant per row and transposing it in
Python was half the run time on a large file.
"""

LINES: dict[str, tuple[str, ...]] = {
    "order_lines": (
        "line_no", "item_id", "qty", "uom", "unit_price", "lot", "line_ref", "item_qualifier", "item_ids",
        "description", "_source_row",
    ),
    "order_acks": (
        "line_no", "item_id", "qty", "uom", "unit_price", "status", "ack_qty", "ack_uom", "ack_date", "line_ref",
        "item_qualifier", "item_ids", "_source_row",
    ),
    "shipment_lines": (
        "order_id", "line_no", "item_id", "qty", "lot", "site", "shipped_at", "carrier", "tracking_no", "uom",
        "qty_ordered", "line_status", "line_ref", "item_qualifier", "item_ids", "customer_po", "sscc", "tare_sscc",
        "bol_no", "pro_no", "ship_to_id", "ship_to_name", "_source_row",
    ),
    "invoice_lines": (
        "line_no", "order_line_no", "item_id", "qty", "amount", "uom", "unit_price", "line_ref", "item_qualifier",
        "item_ids", "description", "line_allowances", "line_charges", "_source_row",
    ),
    "stock": (
        "item_id", "site", "lot", "qty", "uom", "qty_qualifier", "quantities", "item_qualifier", "item_ids",
        "description", "_source_row",
    ),
    "returns": (
        "line_no", "order_id", "item_id", "qty", "disposition", "received_at", "uom", "unit_price",
        "return_reason", "line_ref", "item_qualifier", "item_ids", "_source_row",
    ),
    "edi_acks": ("acked_control_number", "acked_transaction_set", "status", "errors", "_source_row"),
    "edi_documents": (
        "transaction_set", "control_number", "reference", "document_date", "implementation", "segment_count",
        "_source_row", "_set_control",
    ),
}
for _entity, _cols in COLUMNS.items():
    HEADS.setdefault(_entity, ())
    LINES.setdefault(_entity, (*_cols, *LINEAGE))
    assert sorted(HEADS[_entity] + LINES[_entity]) == sorted(_cols + LINEAGE), _entity

MAPPED_SETS = {
    "850": "orders, order_lines", "940": "orders, order_lines", "855": "order_acks",
    "856": "shipment_lines", "945": "shipment_lines", "810": "invoice_lines", "997": "edi_acks",
    "999": "edi_acks", "846": "stock", "214": "deliveries", "180": "returns",
}

# (segment id, index of the reference element, index of the date element) for sets that are
# not mapped to an entity but still deserve a useful edi_documents row.
OTHER_REFERENCES: dict[str, tuple[str, int, int]] = {
    "210": ("B3", 2, 6), "860": ("BCH", 3, 6), "865": ("BCA", 3, 6), "824": ("BGN", 2, 3),
    "820": ("TRN", 2, 0), "204": ("B2", 4, 0), "990": ("B1", 2, 3), "753": ("BGN", 2, 3),
    "754": ("BGN", 2, 3), "861": ("BRA", 1, 2), "944": ("W17", 3, 2), "947": ("W15", 2, 1),
}

MAX_SAME_FINDINGS = 10
"""Per set and finding code: a broken partner file must not drown the report in 10,000 copies."""

AK304 = {
    "1": "unrecognized segment ID", "2": "unexpected segment", "3": "mandatory segment missing",
    "4": "loop occurs over maximum times", "5": "segment exceeds maximum use", "6": "segment not in defined set",
    "7": "segment not in proper sequence", "8": "segment has data element errors",
}
AK403 = {
    "1": "mandatory data element missing", "2": "conditional required data element missing",
    "3": "too many data elements", "4": "data element too short", "5": "data element too long",
    "6": "invalid character in data element", "7": "invalid code value", "8": "invalid date", "9": "invalid time",
    "10": "exclusion condition violated", "12": "too many repetitions", "13": "too many components",
}
AK5 = {
    "1": "transaction set not supported", "2": "trailer missing", "3": "control number mismatch",
    "4": "number of included segments does not match actual count", "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier", "7": "missing or invalid control number",
    "23": "duplicate transaction set control number",
}
ACK_STATUSES = frozenset({"A", "E", "M", "P", "R", "W", "X"})


class Reject(Exception):
    """Raised by a mapper: the transaction set cannot become rows (say why, and where)."""

    def __init__(self, code: str, message: str, index: int | None, element: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index
        self.element = element


class SetContext:
    """What a mapper needs about the set it maps, plus helpers for the slow paths."""

    __slots__ = (
        "base", "counts", "direction", "end", "file", "findings", "group", "icc", "opts", "partner_id",
        "rows", "sc", "segs", "start", "ts", "tx",
    )

    def __init__(
        self, tx: TxSet, file: str, opts: ResolvedOptions, direction: str, partner_id: str | None
    ) -> None:
        ic = tx.ic
        assert ic.delimiters is not None
        self.tx = tx
        # The set's own segments, split now (ST at 0, SE at the end): see Interchange.raw.
        self.segs = split_segments(ic.raw[tx.start : tx.end + 1], ic.delimiters.element)
        self.start = 0
        self.end = len(self.segs) - 1
        self.base = ic.first_position + tx.start
        self.file = file
        self.icc = tx.interchange.control
        self.sc = tx.control
        self.ts = tx.transaction_set
        self.group = tx.group
        self.opts = opts
        self.direction = direction
        self.partner_id = partner_id
        self.findings: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.rows: dict[str, tuple[tuple | None, list]] = {}

    def emit(self, entity: str, head: tuple | None, lines: list) -> None:
        """Hand over this set's rows of `entity`: `head` in HEADS order, `lines` in LINES order."""
        self.rows[entity] = (head, lines)

    def warn(self, code: str, message: str, index: int | None, element: str | None = None) -> None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if n > MAX_SAME_FINDINGS:
            return
        self.findings.append(self.finding(code, "warning", message, index, element))

    def finding(self, code: str, severity: str, message: str, index: int | None,
                element: str | None = None) -> Finding:
        """A finding located in this set: file, control numbers and the segment at `index`."""
        segs = self.segs
        return Finding(
            code=code,
            severity=severity,  # type: ignore[arg-type]
            file=self.file,
            message=message,
            interchange_control=self.icc,
            group_control=self.group.control if self.group else None,
            set_control=self.sc,
            transaction_set=self.ts,
            segment_position=self.base + index if index is not None else None,
            segment_id=segs[index][0] if index is not None and index < len(segs) else None,
            element=element,
        )

    def summarise(self) -> None:
        """Replace the findings cut off by MAX_SAME_FINDINGS with one line saying how many there were."""
        for code, n in self.counts.items():
            if n > MAX_SAME_FINDINGS:
                self.counts[code] = 0
                self.warn(code, f"... and {n - MAX_SAME_FINDINGS} more {code} finding(s) in this set", None)

    def number(self, raw: str, index: int, element: str) -> str | None:
        """Slow path of number normalisation; the caller has already tried `raw.isdecimal()`."""
        if not raw:
            return None
        if raw.replace(".", "", 1).isdecimal() and raw[0] != "." and raw[-1] != ".":
            return raw
        v = plain_number(raw)
        if v is None:
            self.warn("X12-ELEMENT-NUMERIC", f"{element} {raw!r} is not a number; kept as text", index, element)
            return raw
        return v

    def n2(self, raw: str, index: int, element: str) -> str | None:
        if not raw:
            return None
        v = implied2(raw)
        if v is None:
            self.warn("X12-ELEMENT-NUMERIC", f"{element} {raw!r} is not an amount; kept as text", index, element)
            return raw
        return v

    def date(self, raw: str, index: int, element: str) -> str | None:
        if not raw:
            return None
        v = ymd(raw)
        if v is None:
            self.warn("X12-ELEMENT-DATE", f"{element} {raw!r} is not a valid CCYYMMDD/YYMMDD date", index, element)
        return v

    def stamp(self, d: str, t: str, index: int, element: str) -> str | None:
        return timestamp(self.date(d, index, element), t)

    def pair_warning(self, el: list[str], k: int, index: int) -> None:
        sid = el[0]
        q = el[k]
        v = el[k + 1] if k + 1 < len(el) else ""
        missing = f"{sid}{k + 1:02d}" if q else f"{sid}{k:02d}"
        what = f"qualifier {q!r} has no product id" if q else f"product id {v!r} has no qualifier"
        self.warn("X12-PAIR-INCOMPLETE", f"{sid}: {what} ({missing} empty); that pair was ignored", index, missing)

    def reject(self, code: str, message: str, index: int | None, element: str | None = None) -> Reject:
        return Reject(code, message, index, element)

    @property
    def group_date(self) -> str | None:
        return self.group.date if self.group else None

    @property
    def group_stamp(self) -> str | None:
        return self.group.timestamp if self.group else None


def _g(el: list[str], i: int) -> str:
    return el[i] if len(el) > i else ""


def _pad(el: list[str], n: int) -> list[str]:
    """The segment with at least n elements (X12 drops trailing empty elements)."""
    return el if len(el) >= n else el + [""] * (n - len(el))


def _line_no(raw: str, counter: int) -> str:
    """line_no is an INTEGER key: the sender's number when it is one, else the position in the set."""
    return raw if raw.isdecimal() else str(counter)


def _line_ref(raw: str) -> str | None:
    """The sender's line id, kept only when it is not the (integer) line_no itself."""
    return None if raw.isdecimal() else raw or None


def _num(c: SetContext, raw: str, i: int, element: str) -> str | None:
    return raw if raw.isdecimal() else c.number(raw, i, element)


def _require(c: SetContext, value: str | None, seg_index: int, header: str, element: str, what: str) -> None:
    if seg_index < 0:
        raise c.reject(
            "X12-MISSING-SEGMENT",
            f"{c.ts} {c.sc} has no {header} segment; the set was rejected",
            c.start,
            header,
        )
    if not value:
        raise c.reject(
            "X12-MISSING-ELEMENT",
            f"{element} ({what}) is empty; the set was rejected",
            seg_index,
            element,
        )


# --------------------------------------------------------------------------------------------
# 850 purchase order
# --------------------------------------------------------------------------------------------

_C850 = {"PO1": 1, "PID": 2, "BEG": 3, "N1": 4, "CUR": 5, "DTM": 6, "CTT": 7, "AMT": 8}


def map_850(c: SetContext) -> tuple[str | None, str | None]:
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
            if len(el) < 5:
                el = _pad(el, 5)
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
            pending = [
                line_no, item, qty or None, uom or None, price or None, None, line_ref, qual, ids, None, base + i,
            ]
            lines.append(pending)
        elif code == 2:  # PID (description of the current line)
            if pending is not None and pending[9] is None and len(el) > 5:
                pending[9] = el[5] or None
        elif code == 3:  # BEG
            beg_i = i
            el = _pad(el, 6)
            purpose, po_type, order_id = el[1] or None, el[2] or None, el[3]
            ordered_at = c.date(el[5], i, "BEG05")
        elif code == 4:  # N1 (header parties only; line-level N1 loops describe the line)
            if not lines and len(el) > 1 and el[1] not in parties:
                parties[el[1]] = (_g(el, 2), _g(el, 4))
        elif code == 5:  # CUR
            if not lines:
                currency = _g(el, 2) or None
        elif code == 6:  # DTM
            if not lines and len(el) > 2:
                q = el[1]
                if q == "010":
                    req_ship = c.stamp(el[2], _g(el, 3), i, "DTM02")
                elif q == "002":
                    req_delivery = c.stamp(el[2], _g(el, 3), i, "DTM02")
        elif code == 7:  # CTT
            ctt, ctt_i = _g(el, 1), i
        elif code == 8 and _g(el, 1) in ("TT", "1"):  # AMT*TT / AMT*1 total
            total = c.number(_g(el, 2), i, "AMT02")
    _require(c, order_id, beg_i, "BEG", "BEG03", "purchase order number")
    _check_ctt(c, ctt, ctt_i, len(lines))
    customer = parties.get(opts.customer_party, ("", ""))
    ship_to = parties.get("ST", ("", ""))
    site = _site(parties, opts)
    c.emit("order_lines", (order_id, currency, site, None, ts, pid, lin_file, icc, sc), lines)
    c.emit(
        "orders",
        None,
        [(
            order_id, customer[1] or None, customer[0] or None, order_id, "EDI", ordered_at, None,
            "CANCELLED" if purpose == "01" else None, site, ts, purpose, po_type, ship_to[1] or None,
            ship_to[0] or None, currency, req_ship, req_delivery, str(len(lines)), total, pid, c.direction,
            lin_file, base + beg_i, icc, sc,
        )],
    )
    return order_id, ordered_at


def _site(parties: dict[str, tuple[str, str]], opts: ResolvedOptions) -> str | None:
    for q in opts.site_parties:
        p = parties.get(q)
        if p is not None and (p[1] or p[0]):
            return p[1] or p[0]
    return None


def _check_ctt(c: SetContext, ctt: str | None, ctt_i: int, lines: int) -> None:
    if ctt and ctt.isdecimal() and int(ctt) != lines:
        c.warn(
            "X12-CTT-COUNT",
            f"CTT01 says {int(ctt)} line items, the set has {lines}",
            ctt_i,
            "CTT01",
        )


# --------------------------------------------------------------------------------------------
# 940 warehouse shipping order
# --------------------------------------------------------------------------------------------

_C940 = {"W01": 1, "LX": 2, "G69": 3, "W05": 4, "N1": 5, "G62": 6, "N9": 7, "W76": 8}


def map_940(c: SetContext) -> tuple[str | None, str | None]:
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
            el = _pad(el, 14)
            qty = el[1]
            if qty and not qty.isdecimal() and (
                qty[0] == "." or qty[-1] == "." or not qty.replace(".", "", 1).isdecimal()
            ):
                qty = c.number(qty, i, "W0101")
            item, qual, ids, bad = pick_item_at(el, (4, 6, 15), rank, fallback, ("UA", el[3]))
            if bad >= 0:
                c.pair_warning(el, bad, i)
            line_ref = None if lx.isdecimal() else lx or None
            pending = [
                _line_no(lx, len(lines) + 1), item, qty or None, el[2] or None, None, el[13] or None, line_ref,
                qual, ids, None, base + i,
            ]
            lines.append(pending)
            lx = ""
        elif code == 2:  # LX
            lx = _g(el, 1)
        elif code == 3:  # G69 description
            if pending is not None and pending[9] is None:
                pending[9] = _g(el, 1) or None
        elif code == 4:  # W05
            w05_i = i
            el = _pad(el, 4)
            purpose, order_id, customer_po = el[1] or None, el[2], el[3] or None
        elif code == 5:  # N1
            if not lines and len(el) > 1 and el[1] not in parties:
                parties[el[1]] = (_g(el, 2), _g(el, 4))
        elif code == 6:  # G62 dates
            if not lines and len(el) > 2:
                q = el[1]
                if q == "10":
                    req_ship = c.stamp(el[2], _g(el, 4), i, "G6202")
                elif q in ("02", "54"):
                    req_delivery = c.stamp(el[2], _g(el, 4), i, "G6202")
                elif q == "04":
                    ordered_at = c.date(el[2], i, "G6202")
        elif code == 7 and len(el) > 2 and not el[1] and el[2]:  # N9 with a value but no qualifier
            c.warn("X12-QUALIFIER-MISSING", f"N901 qualifier is empty for reference {el[2]!r}", i, "N901")
    _require(c, order_id, w05_i, "W05", "W0502", "depositor order number")
    customer = parties.get(opts.customer_party) or parties.get("ST", ("", ""))
    ship_to = parties.get("ST", ("", ""))
    site = _site(parties, opts)
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


# --------------------------------------------------------------------------------------------
# 855 purchase order acknowledgment
# --------------------------------------------------------------------------------------------

_C855 = {"PO1": 1, "ACK": 2, "BAK": 3}


def map_855(c: SetContext) -> tuple[str | None, str | None]:
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
            el = _pad(el, 5)
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
            line = (_line_no(ref, n_lines), item, qty or None, el[3] or None, price or None)
            tail = (None if ref.isdecimal() else ref or None, qual, ids)
            line_i, line_acked = i, False
        elif code == 2:  # ACK: one row per line status (a line can be part accepted, part backordered)
            if line is None:
                continue
            el = _pad(el, 6)
            aq = el[2]
            if aq and not aq.isdecimal() and (
                aq[0] == "." or aq[-1] == "." or not aq.replace(".", "", 1).isdecimal()
            ):
                aq = c.number(aq, i, "ACK02")
            rows.append((*line, el[1] or None, aq or None, el[3] or None, c.date(el[5], i, "ACK05"), *tail, base + i))
            line_acked = True
        elif code == 3:  # BAK
            bak_i = i
            el = _pad(el, 10)
            purpose, ack_type, order_id, seller = el[1] or None, el[2] or None, el[3], el[8] or None
            acked_at = c.date(el[9], i, "BAK09") if el[9] else None
    if not line_acked and line is not None:
        rows.append((*line, None, None, None, None, *tail, base + line_i))
    _require(c, order_id, bak_i, "BAK", "BAK03", "purchase order number")
    acked = acked_at or c.group_stamp
    if not rows:
        # Header-only acknowledgment ("accepted as sent"): one row for the whole order.
        rows.append((None, None, None, None, None, ack_type, None, None, None, None, None, None, base + bak_i))
    c.emit("order_acks", (order_id, acked, ack_type, purpose, seller, pid, lin_file, icc, sc), rows)
    return order_id, acked_at or c.group_date


# --------------------------------------------------------------------------------------------
# 856 ship notice / manifest (any HL shape: S/O/I, S/O/P/I, S/O/T/P/I, S/T/P/O/I...)
# --------------------------------------------------------------------------------------------

_C856 = {
    "HL": 1, "LIN": 2, "SN1": 3, "MAN": 4, "PRF": 5, "REF": 6, "TD5": 7, "DTM": 8, "N1": 9, "BSN": 10,
}
# Slots of an HL context (a list, copied from the parent at each HL: cheaper than a dict).
(_ORDER, _SITE, _SHIPPED, _CARRIER, _TRACK, _TRACK_RANK, _PKG, _BOL, _PRO, _SSCC, _TARE, _SHIP_TO_ID,
 _SHIP_TO_NAME, _LOT, _LEVEL) = range(15)
_NO_RANK = 1 << 30


def map_856(c: SetContext) -> tuple[str | None, str | None]:
    """ASN -> shipment_lines, whatever the HL shape (S/O/I, S/O/P/I, S/O/T/P/I, S/T/P/O/I...).

    Each HL gets a context that starts as a copy of its parent's, so an item sees the
    order's PRF, the pack's MAN, the shipment's TD5/REF/DTM however they are nested; every
    LIN (or a SN1 without a LIN) becomes one row built from the context it sits in.
    """
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    site_parties = opts.site_parties
    track_rank = {q: n for n, q in enumerate(opts.tracking_refs)}
    codes = _C856
    shipment_id = asn_date = purpose = asn_stamp = None
    bsn_i = -1
    hdr: list = [None] * 15
    hdr[_TRACK_RANK] = _NO_RANK
    levels: dict[str, list] = {}
    cur = hdr
    items: list[list] = []  # [index, LIN elements, context, lot, SN1 elements]
    item: list | None = None
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # HL: id, parent id, level code
            item = None
            if len(el) < 4:
                el = _pad(el, 4)
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
            if item is None or item[4] is not None:
                item = [i, None, cur, None, el]
                items.append(item)
            else:
                item[4] = el
        elif code == 4:  # MAN marks: SSCC (GM) of the pack or tare, carrier package id (CP)
            q, v = _g(el, 1), _g(el, 2)
            if q == "GM" or q == "UC":
                cur[_TARE if cur[_LEVEL] == "T" else _SSCC] = v or None
            elif q == "CP":
                cur[_PKG] = v or None
        elif code == 5:  # PRF
            cur[_ORDER] = _g(el, 1) or None
        elif code == 6:  # REF
            q, v = _g(el, 1), _g(el, 2)
            if not v:
                continue
            if q == "LT":
                if item is not None:
                    item[3] = v
                else:
                    cur[_LOT] = v
            else:
                if q == "BM":
                    cur[_BOL] = v
                elif q == "CN":
                    cur[_PRO] = v
                r = track_rank.get(q)
                if r is not None and r <= cur[_TRACK_RANK]:
                    cur[_TRACK], cur[_TRACK_RANK] = v, r
        elif code == 7:  # TD5 carrier (SCAC in TD503 when TD502 = 2)
            v = _g(el, 3) or _g(el, 5)
            if v:
                cur[_CARRIER] = v
        elif code == 8:  # DTM*011 shipped
            if _g(el, 1) == "011":
                cur[_SHIPPED] = c.stamp(_g(el, 2), _g(el, 3), i, "DTM02")
        elif code == 9:  # N1
            q = _g(el, 1)
            if q == "ST" and cur[_SHIP_TO_ID] is None and cur[_SHIP_TO_NAME] is None:
                cur[_SHIP_TO_ID], cur[_SHIP_TO_NAME] = _g(el, 4) or None, _g(el, 2) or None
            if q in site_parties and cur[_SITE] is None:
                cur[_SITE] = _g(el, 4) or _g(el, 2) or None
        elif code == 10:  # BSN
            bsn_i = i
            el = _pad(el, 5)
            purpose, shipment_id = el[1] or None, el[2]
            asn_date = c.date(el[3], i, "BSN03")
            asn_stamp = timestamp(asn_date, el[4])
    _require(c, shipment_id, bsn_i, "BSN", "BSN02", "shipment identification")
    status = "CANCELLED" if purpose in ("01", "03") else "SHIPPED"
    base = c.base
    counters: dict[str | None, int] = {}
    rows: list[tuple] = []
    for idx, lin, ctx, lot, sn1 in items:
        order_id = ctx[_ORDER]
        n = counters.get(order_id, 0) + 1
        counters[order_id] = n
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
        else:
            ref, item_id, qual, ids = "", None, None, None
        qty = uom = qty_ordered = line_status = None
        if sn1 is not None:
            if len(sn1) < 9:
                sn1 = _pad(sn1, 9)
            if not ref:
                ref = sn1[1]
            qty = _num(c, sn1[2], idx, "SN102") if sn1[2] else None
            uom = sn1[3] or None
            qty_ordered = _num(c, sn1[5], idx, "SN105") if sn1[5] else None
            line_status = sn1[8] or None
        if ref.isdecimal():
            line_no, line_ref = ref, None
        else:
            line_no, line_ref = str(n), ref or None
        rows.append(
            (
                order_id, line_no, item_id, qty, lot or ctx[_LOT], ctx[_SITE],
                ctx[_SHIPPED] or asn_stamp, ctx[_CARRIER], ctx[_PKG] or ctx[_TRACK], uom, qty_ordered, line_status,
                line_ref, qual, ids, order_id, ctx[_SSCC], ctx[_TARE], ctx[_BOL], ctx[_PRO], ctx[_SHIP_TO_ID],
                ctx[_SHIP_TO_NAME], base + idx,
            )
        )
    c.emit("shipment_lines", (shipment_id, status, c.ts, purpose, asn_date, c.partner_id, c.file, c.icc, c.sc), rows)
    return shipment_id, asn_date


# --------------------------------------------------------------------------------------------
# 945 warehouse shipping advice
# --------------------------------------------------------------------------------------------

_C945 = {"W12": 1, "LX": 2, "N9": 3, "W06": 4, "N1": 5, "G62": 6, "W27": 7}


def map_945(c: SetContext) -> tuple[str | None, str | None]:
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
            el = _pad(el, 10)
            item, qual, ids, bad = pick_item_at(el, (7, 17), rank, fallback, ("UA", el[6]))
            if bad >= 0:
                c.pair_warning(el, bad, i)
            pending = [
                i, lx, item, qual, ids, el[1] or None,
                _num(c, el[3], i, "W1203") if el[3] else None, el[5] or None,
                _num(c, el[2], i, "W1202") if el[2] else None, el[9] or None,
            ]
            lines.append(pending)
            lx = ""
        elif code == 2:  # LX
            lx = _g(el, 1)
        elif code == 3:  # N9 references: header (BOL, PRO, tracking) or line lot
            q, v = _g(el, 1), _g(el, 2)
            if q == "LT" and pending is not None:
                pending[9] = pending[9] or v
            elif q and v and not lines:
                refs.setdefault(q, v)
        elif code == 4:  # W06
            w06_i = i
            el = _pad(el, 10)
            purpose, order_id, shipment_id, customer_po = el[1] or None, el[2], el[4], el[6] or None
            w06_date = c.date(el[3], i, "W0603")
            shipped_at = timestamp(w06_date, el[9])
        elif code == 5:  # N1
            if not lines and len(el) > 1 and el[1] not in parties:
                parties[el[1]] = (_g(el, 2), _g(el, 4))
        elif code == 6:  # G62*11 shipped on this date
            if _g(el, 1) == "11":
                shipped_at = c.stamp(_g(el, 2), _g(el, 4), i, "G6202") or shipped_at
        elif code == 7:  # W27 carrier detail: W2702 SCAC
            carrier = _g(el, 2) or _g(el, 3) or None
    if not shipment_id:
        shipment_id = order_id  # a 945 without W0604 still ships the depositor order
    _require(c, shipment_id, w06_i, "W06", "W0604", "shipment identification")
    tracking = None
    for q in opts.tracking_refs:
        tracking = refs.get(q)
        if tracking:
            break
    site = _site(parties, opts)
    ship_to = parties.get("ST", ("", ""))
    ts, pid = c.ts, c.partner_id
    lin_file, icc, sc, base = c.file, c.icc, c.sc, c.base
    bol, pro, ship_to_id, ship_to_name = refs.get("BM"), refs.get("CN"), ship_to[1] or None, ship_to[0] or None
    rows = [
        (
            order_id, _line_no(ref, n), item, qty, lot, site, shipped_at, carrier, tracking, uom, qty_ordered,
            status, _line_ref(ref), qual, ids, customer_po, None, None, bol, pro, ship_to_id, ship_to_name, base + idx,
        )
        for n, (idx, ref, item, qual, ids, status, qty, uom, qty_ordered, lot) in enumerate(lines, start=1)
    ]
    c.emit("shipment_lines", (shipment_id, "SHIPPED", ts, purpose, w06_date, pid, lin_file, icc, sc), rows)
    return shipment_id, w06_date


# --------------------------------------------------------------------------------------------
# 810 invoice
# --------------------------------------------------------------------------------------------

_C810 = {"IT1": 1, "PID": 2, "SAC": 3, "BIG": 4, "CUR": 5, "REF": 6, "TDS": 7, "CTT": 8}


def map_810(c: SetContext) -> tuple[str | None, str | None]:
    """Invoice -> invoice_lines; allowances and charges (SAC) stay with the invoice as columns.

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
            if len(el) < 5:
                el = _pad(el, 5)
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
            pending = [
                line_no, order_line, item, qty or None, multiply(qty, price), el[3] or None, price or None, line_ref,
                qual, ids, None, None, None, base + i,
            ]
            lines.append(pending)
        elif code == 2:  # PID
            if pending is not None and pending[10] is None and len(el) > 5:
                pending[10] = el[5] or None
        elif code == 3:  # SAC
            kind = _g(el, 1)
            if kind not in ("A", "C"):
                continue
            amount = c.n2(_g(el, 5), i, "SAC05")
            label = _g(el, 2) or _g(el, 15) or "?"
            try:
                value = Decimal(amount) if amount else None
            except InvalidOperation:
                value = None
            if value is None:
                continue
            if pending is not None and not after_tds:
                col = 11 if kind == "A" else 12
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
            el = _pad(el, 5)
            invoiced_at = c.date(el[1], i, "BIG01")
            invoice_id = el[2]
            order_id = el[4] or order_id
        elif code == 5:  # CUR
            if pending is None:
                currency = _g(el, 2) or None
        elif code == 6:  # REF*PO when BIG04 is empty
            if pending is None and not order_id and _g(el, 1) == "PO":
                order_id = _g(el, 2) or None
        elif code == 7:  # TDS
            total = c.n2(_g(el, 1), i, "TDS01")
            after_tds = True
        elif code == 8:  # CTT
            ctt, ctt_i = _g(el, 1), i
    _require(c, invoice_id, big_i, "BIG", "BIG02", "invoice number")
    _check_ctt(c, ctt, ctt_i, len(lines))
    allow = format(inv_allow, "f") if detail else None
    charge = format(inv_charge, "f") if detail else None
    text = ";".join(detail) or None
    head = (invoice_id, order_id, currency, invoiced_at, total, allow, charge, text, pid, lin_file, icc, sc)
    c.emit("invoice_lines", head, lines)
    return invoice_id, invoiced_at


# --------------------------------------------------------------------------------------------
# 997 functional acknowledgment / 999 implementation acknowledgment
# --------------------------------------------------------------------------------------------

_C997 = {"AK2": 1, "AK3": 2, "IK3": 2, "AK4": 3, "IK4": 3, "AK5": 4, "IK5": 4, "AK1": 5, "AK9": 6}


def map_997(c: SetContext) -> tuple[str | None, str | None]:
    segs = c.segs
    codes = _C997
    ak1_i = ak9_i = -1
    func = group_ctl = None
    ak9: list[str] = []
    rows: list[list] = []
    cur: list | None = None  # [index, ts, control, status, errors]
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # AK2
            ts_id, ctl = _g(el, 1), _g(el, 2)
            if ts_id and not (len(ts_id) == 3 and ts_id.isdecimal()):
                c.warn("X12-ELEMENT-INVALID", f"AK201 {ts_id!r} is not a transaction set identifier", i, "AK201")
            cur = [i, ts_id or None, ctl or None, None, []]
            rows.append(cur)
        elif code == 2:  # AK3/IK3 segment error
            if cur is not None:
                el = _pad(el, 5)
                what = AK304.get(el[4], "")
                loop = f" loop {el[3]}" if el[3] else ""
                cur[4].append(f"segment {el[1]} at {el[2]}{loop}: error {el[4]}{' ' + what if what else ''}")
        elif code == 3:  # AK4/IK4 element error
            if cur is not None:
                el = _pad(el, 5)
                ref = el[2]
                if ref and not ref.isdecimal():
                    c.warn("X12-ELEMENT-INVALID", f"AK402 {ref!r} is not a data element reference number", i, "AK402")
                what = AK403.get(el[3], "")
                bad = f" bad value {el[4]!r}" if el[4] else ""
                cur[4].append(f"element {el[1]} (ref {ref}): error {el[3]}{' ' + what if what else ''}{bad}")
        elif code == 4:  # AK5/IK5 set status
            if cur is not None:
                status = _g(el, 1)
                if status and status not in ACK_STATUSES:
                    c.warn("X12-ELEMENT-INVALID", f"AK501 {status!r} is not an acknowledgment code", i, "AK501")
                cur[3] = status or None
                for code5 in el[2:7]:
                    if code5:
                        what = AK5.get(code5, "")
                        cur[4].append(f"set error {code5}{' ' + what if what else ''}")
        elif code == 5:  # AK1
            ak1_i = i
            func, group_ctl = _g(el, 1), _g(el, 2)
            if func and not (2 <= len(func) <= 3 and func.isalnum() and func.isupper()):
                c.warn("X12-ELEMENT-INVALID", f"AK101 {func!r} is not a functional identifier code", i, "AK101")
            if group_ctl and not group_ctl.isdecimal():
                c.warn("X12-ELEMENT-INVALID", f"AK102 {group_ctl!r} is not a group control number", i, "AK102")
        elif code == 6:  # AK9
            ak9_i = i
            ak9 = _pad(el, 5)
            if ak9[1] and ak9[1] not in ACK_STATUSES:
                c.warn("X12-ELEMENT-INVALID", f"AK901 {ak9[1]!r} is not an acknowledgment code", i, "AK901")
    if ak1_i < 0:
        raise c.reject(
            "X12-MISSING-SEGMENT",
            f"{c.ts} {c.sc} has no AK1 (and {'an' if ak9_i >= 0 else 'no'} AK9): nothing says which group it "
            "acknowledges; the set was rejected",
            c.start,
            "AK1",
        )
    _require(c, group_ctl, ak1_i, "AK1", "AK102", "acknowledged group control number")
    if ak9_i < 0:
        c.warn("X12-AK9-MISSING", f"{c.ts} {c.sc} has no AK9 group response trailer", c.start, "AK9")
    group_status = ak9[1] or None if ak9 else None
    counts = (ak9[2] or None, ak9[3] or None, ak9[4] or None) if ak9 else (None, None, None)
    base = c.base
    head = (group_ctl, c.partner_id, c.group_stamp, func, group_status, *counts, c.ts, c.file, c.icc, c.sc)
    if rows:
        lines = [
            (ctl, ts_id, status or group_status, "; ".join(errors) or None, base + idx)
            for idx, ts_id, ctl, status, errors in rows
        ]
    else:
        # A group-level acknowledgment (no AK2 loops): one row for the whole group.
        errors = [f"group error {x}" for x in ak9[5:] if x] if ak9 else []
        lines = [(None, None, group_status, "; ".join(errors) or None, base + ak1_i)]
    c.emit("edi_acks", head, lines)
    return group_ctl, c.group_date


# --------------------------------------------------------------------------------------------
# 846 inventory inquiry/advice
# --------------------------------------------------------------------------------------------

_C846 = {"LIN": 1, "QTY": 2, "PID": 3, "REF": 4, "N1": 5, "BIA": 6}


def map_846(c: SetContext) -> tuple[str | None, str | None]:
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    qty_rank = {q: n for n, q in enumerate(opts.stock_qty_qualifiers)}
    site_parties = opts.site_parties
    codes = _C846
    report_type = reference = as_of = site = None
    bia_i = -1
    items: list[list] = []
    cur: list | None = None  # [index, item, qual, ids, lot, site, desc, best_rank, qty, uom, qty_qual, quantities]
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
            cur = [i, item, qual, ids, lot, None, None, 1 << 30, None, None, None, None]
            items.append(cur)
        elif code == 2:  # QTY
            if cur is None:
                continue
            q, v = _g(el, 1), _g(el, 2)
            if v and not v.isdecimal() and (
                v[0] == "." or v[-1] == "." or not v.replace(".", "", 1).isdecimal()
            ):
                v = c.number(v, i, "QTY02")
            uom = _g(el, 3)
            if uom:
                uom = uom.split(c.tx.ic.delimiters.component)[0] if c.tx.ic.delimiters else uom
            cur[11] = f"{q}:{v}" if cur[11] is None else f"{cur[11]};{q}:{v}"
            r = qty_rank.get(q)
            if r is not None and r < cur[7]:
                cur[7], cur[8], cur[9], cur[10] = r, v, uom or None, q
        elif code == 3:  # PID
            if cur is not None and cur[6] is None:
                cur[6] = _g(el, 5) or None
        elif code == 4:  # REF*LT lot
            if cur is not None and _g(el, 1) == "LT":
                cur[4] = _g(el, 2) or cur[4]
        elif code == 5:  # N1 warehouse: header = default site, inside a LIN loop = that item's site
            if _g(el, 1) in site_parties:
                s = _g(el, 4) or _g(el, 2) or None
                if cur is None:
                    site = site or s
                elif cur[5] is None:
                    cur[5] = s
        elif code == 6:  # BIA
            bia_i = i
            el = _pad(el, 6)
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


# --------------------------------------------------------------------------------------------
# 214 transportation carrier shipment status
# --------------------------------------------------------------------------------------------

_C214 = {"AT7": 1, "L11": 2, "N1": 3, "B10": 4, "MS3": 5}
PICKED_UP = frozenset({"AF", "CP"})
DELIVERED = frozenset({"D1", "CD"})


def map_214(c: SetContext) -> tuple[str | None, str | None]:
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
            el = _pad(el, 7)
            st = el[1] or el[3]
            when = c.stamp(el[5], el[6], i, "AT705") if el[5] else None
            if st:
                status, reason, status_at = st, (el[2] or el[4] or None), when
                if st in PICKED_UP and picked is None:
                    picked = when
                if st in DELIVERED:
                    delivered = when
        elif code == 2:  # L11 reference, qualifier
            v, q = _g(el, 1), _g(el, 2)
            if q and v:
                refs.setdefault(q, v)
        elif code == 3:  # N1
            q = _g(el, 1)
            if q and q not in parties:
                parties[q] = _g(el, 2)
        elif code == 4:  # B10: carrier ref (PRO), shipment id, SCAC
            b10_i = i
            el = _pad(el, 4)
            pro, shipment_id, carrier = el[1] or None, el[2], el[3] or None
        elif code == 5:  # MS3 interline: SCAC fallback
            carrier = carrier or _g(el, 1) or None
    _require(c, shipment_id, b10_i, "B10", "B1002", "shipment identification number")
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


# --------------------------------------------------------------------------------------------
# 180 return merchandise authorization and notification
# --------------------------------------------------------------------------------------------

_C180 = {"BLI": 1, "RDR": 2, "LX": 3, "PRF": 4, "BGN": 5, "N9": 6, "REF": 6, "DTM": 7}


def map_180(c: SetContext) -> tuple[str | None, str | None]:
    segs, opts = c.segs, c.opts
    rank, fallback = opts.item_rank, opts.item_fallback
    codes = _C180
    rma = order_id = received = bgn_date = None
    rma_ref = None
    disposition = reason = None
    bgn_i = -1
    lines: list[list] = []
    cur: list | None = None  # [index, lx, item, qual, ids, qty, uom, price, order, disposition, reason, received]
    lx = ""
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # BLI
            el = _pad(el, 7)
            item, qual, ids, bad = pick_item_at(el, (1, 8, 10, 12), rank, fallback)
            if bad >= 0:
                c.pair_warning(el, bad, i)
            cur = [
                i, lx, item, qual, ids, _num(c, el[3], i, "BLI03") if el[3] else None, el[4] or None,
                _num(c, el[6], i, "BLI06") if el[6] else None, None, None, None, None,
            ]
            lines.append(cur)
            lx = ""
        elif code == 2:  # RDR disposition, reason
            d, r = _g(el, 1) or None, _g(el, 2) or _g(el, 3) or None
            if cur is None:
                disposition, reason = d, r
            else:
                cur[9], cur[10] = d, r
        elif code == 3:  # LX
            lx = _g(el, 1)
        elif code == 4:  # PRF
            if cur is None:
                order_id = _g(el, 1) or None
            else:
                cur[8] = _g(el, 1) or None
        elif code == 5:  # BGN
            bgn_i = i
            el = _pad(el, 4)
            rma = el[2]
            bgn_date = c.date(el[3], i, "BGN03")
        elif code == 6:  # N9/REF*RZ returned goods authorization number
            if cur is None and _g(el, 1) == "RZ" and _g(el, 2):
                rma_ref = _g(el, 2)
        elif code == 7 and _g(el, 1) == "050":  # DTM*050 received
            when = c.stamp(_g(el, 2), _g(el, 3), i, "DTM02")
            if cur is None:
                received = when
            else:
                cur[11] = when
    rma = rma_ref or rma
    _require(c, rma, bgn_i, "BGN", "BGN02", "return authorization reference")
    base = c.base
    rows = [
        (
            _line_no(ref, n), order or order_id, item, qty, disp or disposition, when or received, uom, price,
            why or reason, _line_ref(ref), qual, ids, base + idx,
        )
        for n, (idx, ref, item, qual, ids, qty, uom, price, order, disp, why, when) in enumerate(lines, start=1)
    ]
    c.emit("returns", (rma, c.partner_id, c.file, c.icc, c.sc), rows)
    return rma, bgn_date


MAPPERS: dict[str, Callable[[SetContext], tuple[str | None, str | None]]] = {
    "850": map_850,
    "940": map_940,
    "855": map_855,
    "856": map_856,
    "945": map_945,
    "810": map_810,
    "997": map_997,
    "999": map_997,
    "846": map_846,
    "214": map_214,
    "180": map_180,
}

# Segments each mapper reads, with the elements that may legitimately hold components.
# Used only when an interchange's text contains its component or repetition separator at all.
READ_SEGMENTS: dict[str, frozenset[str]] = {ts: frozenset(codes) for ts, codes in {
    "850": _C850, "940": _C940, "855": _C855, "856": _C856, "945": _C945, "810": _C810, "997": _C997,
    "999": _C997, "846": _C846, "214": _C214, "180": _C180,
}.items()}
COMPOSITES = frozenset({("QTY", 3), ("AK4", 1), ("IK4", 1), ("IK4", 4), ("SN1", 3)})


def check_separators(c: SetContext) -> None:
    """Warn when a component or repetition separator shows up inside a simple element we read.

    The value is kept whole (nothing is split), but a ':' or '^' in a PO number usually means
    the partner's translator and ours disagree about delimiters, which someone should know.
    """
    d = c.tx.ic.delimiters
    if d is None:
        return
    read = READ_SEGMENTS.get(c.ts)
    if not read:
        return
    comp = d.component if c.tx.ic.has_component else None
    rep = d.repetition if c.tx.ic.has_repetition else None
    seen: set[str] = set()
    segs = c.segs
    for i in range(c.start + 1, c.end):
        el = segs[i]
        sid = el[0]
        if sid not in read:
            continue
        for k in range(1, len(el)):
            v = el[k]
            has_comp = comp is not None and comp in v and (sid, k) not in COMPOSITES
            has_rep = rep is not None and rep in v
            if not (has_comp or has_rep):
                continue
            name = f"{sid}{k:02d}"
            if name in seen:
                continue
            seen.add(name)
            parts = []
            if has_rep:
                parts.append(f"the repetition separator {rep!r} (ISA11)")
            if has_comp:
                parts.append(f"the component separator {comp!r} (ISA16)")
            c.warn(
                "X12-SEPARATOR-IN-VALUE",
                f"{name} {v!r} contains {' and '.join(parts)} but is not a repeating or composite element; "
                "the value was kept whole",
                i,
                name,
            )


def other_reference(c: SetContext) -> tuple[str | None, str | None]:
    """Reference and date for a set that is not mapped to an entity (edi_documents only)."""
    spec = OTHER_REFERENCES.get(c.ts)
    if spec is None:
        return None, c.group_date
    seg_id, ref_i, date_i = spec
    for i in range(c.start + 1, min(c.end, c.start + 6)):
        el = c.segs[i]
        if el[0] == seg_id:
            ref = _g(el, ref_i) or None
            when = ymd(_g(el, date_i)) if date_i else None
            return ref, when or c.group_date
    return None, c.group_date
