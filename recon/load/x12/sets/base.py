"""What every transaction-set mapper shares: the set's context, the reject signal, small helpers.

A mapper is a function `SetContext -> (reference, document date)` that reads the set's
segments and hands its rows over with `SetContext.emit`; `SetMapper` is its registry entry
(see `registry`). The helpers here are the fast, boring parts every mapper repeats: element
access that tolerates dropped trailing elements, line numbers, required header values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from recon.load.x12.envelope import TxSet
from recon.load.x12.quirks import ResolvedOptions
from recon.load.x12.result import Finding
from recon.load.x12.tokenizer import split_segments
from recon.load.x12.values import hms, implied2, plain_number, timestamp, ymd

MAX_SAME_FINDINGS = 10
"""Per set and finding code: a broken partner file must not drown the report in 10,000 copies."""

LINE_STUBS: dict[str, list[str]] = {"PO1": ["PO1"], "IT1": ["IT1"], "PID": ["PID"]}
"""Stand-ins for the line segments whose values the columnar pass reads (`load.x12.columnar`).

A mapper given a set with these in place of its PO1/IT1 (by identity) makes an empty row per
line and reads everything else as always; a PID stub has no elements, so it fills nothing.
"""


class Reject(Exception):
    """Raised by a mapper: the transaction set cannot become rows (say why, and where)."""

    def __init__(self, code: str, message: str, index: int | None, element: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.index = index
        self.element = element


class FindingCollector:
    """One document (an X12 set, an EDIFACT message) as a mapper sees it: its rows and its findings,
    at most MAX_SAME_FINDINGS warnings per code.

    A subclass sets the attributes below; `document_type` is what a finding names as the
    transaction set (the X12 set, or the EDIFACT message type itself).
    """

    __slots__ = ()
    UNIT = "set"  # what the document is called in the "... and N more" line
    findings: list[Finding]
    counts: dict[str, int]
    rows: dict[str, tuple[tuple | None, list]]
    segs: list[list[str]]
    base: int
    file: str
    icc: str | None
    sc: str | None
    group: Any

    @property
    def document_type(self) -> str:
        raise NotImplementedError

    def emit(self, entity: str, head: tuple | None, lines: list) -> None:
        """Hand over this document's rows of `entity`: `head` in HEADS order, `lines` in LINES order."""
        self.rows[entity] = (head, lines)

    def finding(self, code: str, severity: str, message: str, index: int | None,
                element: str | None = None) -> Finding:
        """A finding located in this document: file, control numbers and the segment at `index`."""
        segs = self.segs
        return Finding(
            code=code,
            severity=severity,  # type: ignore[arg-type]
            file=self.file,
            message=message,
            interchange_control=self.icc,
            group_control=self.group.control if self.group else None,
            set_control=self.sc,
            transaction_set=self.document_type,
            segment_position=self.base + index if index is not None else None,
            segment_id=segs[index][0] if index is not None and index < len(segs) else None,
            element=element,
        )

    def reject(self, code: str, message: str, index: int | None, element: str | None = None) -> Reject:
        return Reject(code, message, index, element)

    def warn(self, code: str, message: str, index: int | None, element: str | None = None) -> None:
        n = self.counts.get(code, 0) + 1
        self.counts[code] = n
        if n > MAX_SAME_FINDINGS:
            return
        self.findings.append(self.finding(code, "warning", message, index, element))

    def summarise(self) -> None:
        """Replace the findings cut off by MAX_SAME_FINDINGS with one line saying how many there were."""
        for code, n in self.counts.items():
            if n > MAX_SAME_FINDINGS:
                self.counts[code] = 0
                self.warn(code, f"... and {n - MAX_SAME_FINDINGS} more {code} finding(s) in this {self.UNIT}", None)


class SetContext(FindingCollector):
    """What a mapper needs about the set it maps, plus helpers for the slow paths."""

    __slots__ = (
        "base", "counts", "direction", "end", "file", "findings", "group", "icc", "opts", "partner_id",
        "rows", "sc", "segs", "start", "ts", "tx",
    )

    def __init__(
        self, tx: TxSet, file: str, opts: ResolvedOptions, direction: str, partner_id: str | None,
        segs: list[list[str]] | None = None,
    ) -> None:
        ic = tx.ic
        assert ic.delimiters is not None
        self.tx = tx
        # The set's own segments, split now (ST at 0, SE at the end): see Interchange.raw. `segs`:
        # the columnar pass's, with its line segments as LINE_STUBS.
        if segs is None:
            segs = split_segments(ic.raw[tx.start - ic.base : tx.end + 1 - ic.base], ic.delimiters.element)
        self.segs = segs
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

    @property
    def document_type(self) -> str:
        return self.ts

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

    def stamp(self, d: str, t: str, index: int, element: str, time_element: str | None = None) -> str | None:
        """Date element `element` plus time `t` (by default the element after the date, e.g. DTM03)."""
        if t:
            self.time(t, index, time_element or f"{element[:-2]}{int(element[-2:]) + 1:02d}")
        return timestamp(self.date(d, index, element), t)

    def time(self, t: str, index: int, element: str) -> None:
        """Warn when a time element is not HHMM, HHMMSS or HHMMSSD..: the row keeps the date alone."""
        if hms(t) is None:
            self.warn("X12-ELEMENT-TIME", f"{element} {t!r} is not a valid HHMM[SS] time; the date was kept "
                      "without a time", index, element)

    def pair_warning(self, el: list[str], k: int, index: int) -> None:
        sid = el[0]
        q = el[k]
        v = el[k + 1] if k + 1 < len(el) else ""
        missing = f"{sid}{k + 1:02d}" if q else f"{sid}{k:02d}"
        what = f"qualifier {q!r} has no product id" if q else f"product id {v!r} has no qualifier"
        self.warn("X12-PAIR-INCOMPLETE", f"{sid}: {what} ({missing} empty); that pair was ignored", index, missing)

    @property
    def group_date(self) -> str | None:
        return self.group.date if self.group else None

    @property
    def group_stamp(self) -> str | None:
        return self.group.timestamp if self.group else None


def at(el: list[str], i: int) -> str:
    """Element i of a segment, or '' when the sender dropped it (trailing empty elements)."""
    return el[i] if len(el) > i else ""


def pad(el: list[str], n: int) -> list[str]:
    """The segment with at least n elements (X12 drops trailing empty elements)."""
    return el if len(el) >= n else el + [""] * (n - len(el))


def line_number(raw: str, counter: int) -> str:
    """line_no is an INTEGER key: the sender's number when it is one, else the position in the set."""
    return raw if raw.isdecimal() else str(counter)


def sender_line_ref(raw: str) -> str | None:
    """The sender's line id, kept only when it is not the (integer) line_no itself."""
    return None if raw.isdecimal() else raw or None


def num(c: SetContext, raw: str, i: int, element: str) -> str | None:
    """A number element: plain digits as they are, anything else through `SetContext.number`."""
    return raw if raw.isdecimal() else c.number(raw, i, element)


def require(c: SetContext, value: str | None, seg_index: int, header: str, element: str, what: str) -> None:
    """Reject the set when its beginning segment (`header`) or its business key is missing."""
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


def site_of(parties: dict[str, tuple[str, str]], opts: ResolvedOptions) -> str | None:
    """The site: first party of the configured site qualifiers (N1 id, else its name)."""
    for q in opts.site_parties:
        p = parties.get(q)
        if p is not None and (p[1] or p[0]):
            return p[1] or p[0]
    return None


def check_ctt(c: SetContext, ctt: str | None, ctt_i: int, lines: int) -> None:
    """Warn when the CTT line count disagrees with the line items actually read."""
    if ctt and ctt.isdecimal() and int(ctt) != lines:
        c.warn(
            "X12-CTT-COUNT",
            f"CTT01 says {int(ctt)} line items, the set has {lines}",
            ctt_i,
            "CTT01",
        )



class SetMapper(NamedTuple):
    """One registry entry: which transaction set, the function that maps it, what it reads and fills."""

    transaction_set: str
    map: Callable[[SetContext], tuple[str | None, str | None]]
    """Reads the set, emits its rows, returns (reference, document date) for edi_documents."""
    reads: frozenset[str]
    """Segment ids the mapper looks at (where a stray separator in a value is worth a warning)."""
    entities: tuple[str, ...]
    """Tables the set fills."""


COMPOSITES = frozenset({("QTY", 3), ("AK4", 1), ("IK4", 1), ("IK4", 4), ("SN1", 3)})


def check_separators(c: SetContext, read: frozenset[str]) -> None:
    """Warn when a component or repetition separator shows up inside a simple element we read.

    `read` is the mapper's `SetMapper.reads`. The value is kept whole (nothing is split), but a
    ':' or '^' in a PO number usually means the partner's translator and ours disagree about
    delimiters, which someone should know.
    """
    d = c.tx.ic.delimiters
    if d is None:
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
