"""What every EDIFACT message mapper shares: the message's context, values, dates, items.

A mapper is a function `MessageContext -> (reference, document date)` that reads the message's
segments (element strings; composites are split on the component separator where read) and
hands its rows over with `emit`, in the same head/line layout as the X12 mappers
(`recon.load.x12.sets.schema`), so the rows land in the same canonical tables. A problem that
makes the message unusable raises `Reject` (the X12 one: the parser treats both alike).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from recon.load.edifact.envelope import Message
from recon.load.x12.quirks import ResolvedOptions
from recon.load.x12.result import Finding
from recon.load.x12.sets.base import FindingCollector, Reject
from recon.load.x12.values import hms, plain_number, ymd

X12_EQUIVALENT: dict[str, str] = {
    "ORDERS": "850", "ORDRSP": "855", "DESADV": "856", "INVOIC": "810", "CONTRL": "997", "APERAK": "824",
}
"""EDIFACT message type -> the X12 transaction set of the same business document. The canonical
`transaction_set` column holds it, so rule packs written for X12 (`transaction_set = '850'`)
apply to EDIFACT rows unchanged; the message itself is in edi_documents.implementation."""


def document_code(message_type: str) -> str:
    return X12_EQUIVALENT.get(message_type, message_type)


class MessageContext(FindingCollector):
    """One message's segments and everything its rows and findings need."""

    UNIT = "message"
    __slots__ = ("base", "counts", "cs", "direction", "end", "file", "findings", "group", "icc", "msg", "opts",
                 "partner_id", "rows", "sc", "segs", "sent_at", "start", "ts")

    def __init__(self, msg: Message, segs: list[list[str]], first_position: int, component: str, file: str,
                 opts: ResolvedOptions, direction: str, partner_id: str | None) -> None:
        self.msg = msg
        self.segs = segs
        self.start = 0
        self.end = len(segs) - 1
        self.base = first_position + msg.start
        self.cs = component
        self.file = file
        self.icc = msg.interchange.control
        self.sc = msg.ref
        self.ts = document_code(msg.type)
        self.group = msg.group
        self.sent_at = msg.group.timestamp if msg.group and msg.group.timestamp else msg.interchange.timestamp
        self.opts = opts
        self.direction = direction
        self.partner_id = partner_id
        self.findings: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.rows: dict[str, tuple[tuple | None, list]] = {}

    @property
    def document_type(self) -> str:
        return self.msg.type

    # -- values -------------------------------------------------------------------------------

    def parts(self, el: list[str], k: int) -> list[str]:
        """Composite k of a segment as its components ([''] when the sender left it out)."""
        return el[k].split(self.cs) if len(el) > k else [""]

    def number(self, raw: str, index: int, element: str) -> str | None:
        """A numeric value as a plain decimal string: '19,9' (decimal comma) -> '19.9'. Kept as text, with a
        warning, when it is no number. Callers try `raw.isdecimal()` first (the common integer, no call)."""
        if not raw:
            return None
        if raw.replace(".", "", 1).isdecimal() and raw[0] != "." and raw[-1] != ".":
            return raw
        v = plain_number(raw.replace(",", ".") if "," in raw and "." not in raw else raw)
        if v is None:
            self.warn("EDIFACT-ELEMENT-NUMERIC", f"{element} {raw!r} is not a number; kept as text", index, element)
            return raw
        return v

    def when(self, c507: list[str], index: int, element: str = "DTM") -> str | None:
        """DTM C507 (qualifier, value, format 2379) -> 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'."""
        value = c507[1].strip() if len(c507) > 1 else ""
        fmt = c507[2].strip() if len(c507) > 2 else ""
        if not value:
            return None
        out = date_time(value, fmt)
        if out is None:
            self.warn("EDIFACT-ELEMENT-DATE", f"{element} {value!r} is not a valid date/time in format "
                      f"{fmt or '(none)'}", index, element)
        return out


def date_time(value: str, fmt: str) -> str | None:
    """A DTM value in format 2379 (102 CCYYMMDD, 203 CCYYMMDDHHMM, 101, 201, 204, 718 ...) as text."""
    if not fmt:  # no format: guess it from the length, the common ones only
        fmt = {6: "101", 8: "102", 10: "201", 12: "203", 14: "204"}.get(len(value), "")
    if fmt == "102":
        return ymd(value) if len(value) == 8 else None
    if fmt == "101":
        return ymd(value) if len(value) == 6 else None
    if fmt in ("203", "201", "204", "202", "205", "303", "304"):
        n = 8 if fmt[0] in "23" and fmt not in ("201", "202") else 6
        d = ymd(value[:n])
        t = hms(value[n : n + (6 if fmt in ("204", "202", "304") else 4)])
        if d is None or t is None:
            return None
        return f"{d} {t}"
    if fmt == "718":  # CCYYMMDD-CCYYMMDD: the start of the period
        return ymd(value[:8]) if len(value) >= 8 else None
    if fmt in ("2", "4"):  # DDMMYY, DDMMCCYY
        return ymd(value[4:] + value[2:4] + value[:2]) if len(value) in (6, 8) else None
    if fmt == "3":  # MMDDYY
        return ymd(value[4:] + value[:2] + value[2:4]) if len(value) == 6 else None
    return None


def pick(ids: list[tuple[str, str]], rank: dict[str, int], fallback: bool) -> tuple[str | None, str | None,
                                                                                       str | None]:
    """Our item number among (7143 qualifier, 7140 id) pairs: the best-ranked configured qualifier,
    else (with `fallback`) the first id. Returns (item, qualifier, 'Q:ID;Q:ID' of all ids; an id
    without a qualifier stands alone)."""
    if not ids:
        return None, None, None
    n = len(ids)
    if n == 1:  # the common cases, without the loop
        q, v = ids[0]
        text = f"{q}:{v}" if q else v
        if q in rank or fallback:
            return v, q or None, text
        return None, None, text
    if n == 2 and ids[0][0] and ids[1][0]:
        (q, v), (q2, v2) = ids
        text = f"{q}:{v};{q2}:{v2}"
        r, r2 = rank.get(q), rank.get(q2)
        if r is not None and (r2 is None or r <= r2):
            return v, q, text
        if r2 is not None:
            return v2, q2, text
        return (v, q, text) if fallback else (None, None, text)
    best = 1 << 30
    item = qual = None
    for q, v in ids:
        r = rank.get(q)
        if r is not None and r < best:
            best, item, qual = r, v, q
    if item is None and fallback:
        qual, item = ids[0]
    text = ";".join(f"{q}:{v}" if q else v for q, v in ids)
    return item, qual or None, text


def item_pair(c212: list[str]) -> tuple[str, str] | None:
    """C212 (7140 item id : 7143 type) -> (type, id), None when there is no id."""
    v = c212[0]
    if not v:
        return None
    return (c212[1] if len(c212) > 1 else ""), v


def lin(el: list[str], cs: str, counter: int) -> tuple[str, str | None, list[tuple[str, str]]]:
    """LIN -> (line_no, line_ref, item ids): 1082 (see `line_no`) and the C212 item id with its 7143 type.

    Written out rather than calling `line_no` and `item_pair`: it runs once per line of every message."""
    raw = el[1] if len(el) > 1 else ""
    no, ref = (raw, None) if raw.isdecimal() else (str(counter), raw or None)
    if len(el) > 3:
        c212 = el[3].split(cs)
        if c212[0]:
            return no, ref, [(c212[1] if len(c212) > 1 else "", c212[0])]
    return no, ref, []


def pia(el: list[str], cs: str, ids: list[tuple[str, str]]) -> None:
    """PIA: add its C212 item ids (up to five, after 4347) to the line's `ids`."""
    for k in range(2, len(el)):
        c212 = el[k].split(cs)
        if c212[0]:
            ids.append((c212[1] if len(c212) > 1 else "", c212[0]))


def qty(c: MessageContext, el: list[str], i: int) -> tuple[str, str | None, str | None]:
    """QTY C186 -> (6063 qualifier, 6060 quantity as a number, 6411 unit)."""
    q = el[1].split(c.cs) if len(el) > 1 else [""]
    if len(q) == 3:  # qualifier, quantity, unit: the common case
        v = q[1]
        return q[0], v if v.isdecimal() else c.number(v, i, "QTY6060"), q[2] or None
    return q[0], c.number(q[1], i, "QTY6060") if len(q) > 1 else None, q[2] or None if len(q) > 2 else None


def mea_unit(c: MessageContext, el: list[str]) -> str | None:
    """MEA+ABA ("unit of measure used for ordered quantities"): its C174/6411, the unit of a line's
    quantities whose QTY names none (`MEA+ABA++KGM'` then `QTY+21:12.5'`). Other purposes measure
    the product, not its quantity (PD physical dimensions, `MEA+PD+LAY:4+NAR:6'` articles per
    layer; AAE weights), and give no unit."""
    if len(el) < 4 or el[1].strip().upper() != "ABA":
        return None
    return c.parts(el, 3)[0].strip() or None


def line_no(raw: str, counter: int) -> tuple[str, str | None]:
    """(line_no, line_ref): the sender's LIN 1082 when it is an integer, else the position in the message."""
    if raw.isdecimal():
        return raw, None
    return str(counter), raw or None


def require(c: MessageContext, value: str | None, index: int, segment: str, element: str, what: str) -> None:
    """Reject the message when its beginning segment or business key is missing."""
    if index < 0:
        raise c.reject("EDIFACT-MISSING-SEGMENT", f"{c.msg.type} {c.sc} has no {segment} segment; the message was "
                       "rejected", 0, segment)
    if not value:
        raise c.reject("EDIFACT-MISSING-ELEMENT", f"{element} ({what}) is empty; the message was rejected", index,
                       element)


class MessageMapper(NamedTuple):
    """One registry entry: the message type, its mapper, and the tables it fills."""

    message_type: str
    map: Callable[[MessageContext], tuple[str | None, str | None]]
    entities: tuple[str, ...]


__all__ = ["X12_EQUIVALENT", "MessageContext", "MessageMapper", "Reject", "date_time", "document_code",
           "item_pair", "lin", "line_no", "mea_unit", "pia", "pick", "qty", "require"]
