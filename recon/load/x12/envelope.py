"""Envelope integrity: ISA/IEA, GS/GE, ST/SE, counts, control numbers and duplicates.

The walker makes one pass over the tokenised segments of an interchange and cuts it into
transaction sets. Problems become findings, never exceptions. The rule of thumb for what is
rejected:

* a transaction set whose own envelope is broken (no SE, SE01 count or SE02 control number
  wrong, not inside a GS group) is rejected on its own: its rows do not load;
* problems of the surrounding group or interchange (GE/IEA counts or control numbers, a
  missing GE/IEA) are reported as errors, but the intact sets inside still load, because a
  reconciliation run is better served by the data plus a loud finding than by a silent gap;
* duplicates (the same interchange sent twice, a group control number reused) are warnings
  and the rows load, so that the duplicate rules in DuckDB can see and count them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, islice, repeat

from recon.load.x12.duplicates import PendingDuplicate, Registry
from recon.load.x12.result import Finding, astuple_fields
from recon.load.x12.tokenizer import Block, Interchange
from recon.load.x12.values import hms

INTERCHANGE_LEVEL = ("IEA", "ISB", "ISE", "TA1")

FUNCTIONAL_IDS: dict[str, tuple[str, ...]] = {
    "180": ("AN",), "204": ("SM",), "210": ("IM",), "211": ("BL",), "214": ("QM",), "810": ("IN",),
    "812": ("CD",), "820": ("RA",), "824": ("AG",), "830": ("PS",), "832": ("SC",), "846": ("IB",),
    "850": ("PO",), "852": ("PD",), "855": ("PR",), "856": ("SH",), "857": ("BS",), "860": ("PC",),
    "861": ("RC",), "864": ("TX",), "865": ("CA",), "869": ("RS",), "870": ("RS",), "875": ("OG",),
    "880": ("GP",), "940": ("OW",), "943": ("AR",), "944": ("RE",), "945": ("SW",), "947": ("AW",),
    "990": ("GF",), "997": ("FA",), "999": ("FA",),
}
"""GS01 functional identifier code of each transaction set (X12 data element 479). A set not
listed here is not checked (the table covers the supply chain and transport sets)."""


def _el(seg: list[str], i: int) -> str:
    return seg[i].strip() if len(seg) > i else ""


def _same_control(a: str, b: str) -> bool:
    """Control numbers compare as numbers when both are numeric (GE02 '5' closes GS06 '000005')."""
    if a.isdecimal() and b.isdecimal():
        return int(a) == int(b)
    return a == b


def _norm_control(a: str) -> str:
    return str(int(a)) if a.isdecimal() else a


def _ymd(d: str) -> str | None:
    """CCYYMMDD or YYMMDD to YYYY-MM-DD (two-digit years: 00-49 are 20xx, 50-99 are 19xx)."""
    if len(d) == 6 and d.isdecimal():
        d = ("20" if d < "50" else "19") + d
    if len(d) == 8 and d.isdecimal() and "01" <= d[4:6] <= "12" and "01" <= d[6:8] <= "31":
        return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    return None


def _hms(t: str) -> str:
    if len(t) >= 4 and t[:4].isdecimal():
        s = t[4:6] if len(t) >= 6 and t[4:6].isdecimal() else "00"
        return f"{t[:2]}:{t[2:4]}:{s}"
    return "00:00:00"


@dataclass(slots=True)
class InterchangeInfo:
    """The ISA values every row and finding of the interchange needs."""

    control: str
    sender_qualifier: str
    sender: str
    receiver_qualifier: str
    receiver: str
    version: str
    date: str | None
    test_indicator: str
    duplicate: bool = False


@dataclass(slots=True)
class Group:
    """One GS..GE functional group."""

    control: str
    functional_id: str
    sender: str
    receiver: str
    version: str
    date: str | None
    timestamp: str | None
    position: int
    set_controls: set[str] = field(default_factory=set)
    set_ids: set[str] = field(default_factory=set)  # ST01 values already checked against GS01
    sets: int = 0
    cache: tuple | None = None  # the parser's per-group values (direction, partner, options, document head)


@dataclass(slots=True)
class TxSet:
    """One ST..SE transaction set located inside an interchange's segment list.

    `start` is the index of ST in `ic.raw` and `end` the index of SE (or, when SE is missing,
    the index of the segment that cut the set short); the body is `ic.raw[start + 1 : end]`.
    """

    transaction_set: str
    control: str
    start: int
    end: int
    ok: bool
    group: Group | None
    interchange: InterchangeInfo
    ic: Interchange
    implementation: str = ""

    @property
    def position(self) -> int:
        return self.ic.first_position + self.start


class EnvelopeWalker:
    """Cuts one interchange into transaction sets and checks its envelopes."""

    def __init__(self, file: str, ic: Interchange, registry: Registry, findings: list[Finding]) -> None:
        self.file = file
        self.ic = ic
        self.registry = registry
        self.findings = findings
        assert ic.isa is not None and ic.delimiters is not None
        isa = ic.isa
        self.sep = ic.delimiters.element
        self.info = InterchangeInfo(
            control=isa[13].strip(),
            sender_qualifier=isa[5].strip(),
            sender=isa[6].strip(),
            receiver_qualifier=isa[7].strip(),
            receiver=isa[8].strip(),
            version=isa[12].strip(),
            date=_ymd(isa[9].strip()),
            test_indicator=isa[15].strip(),
        )
        self.groups: list[Group] = []

    def _find(
        self,
        code: str,
        severity: str,
        message: str,
        index: int | None,
        *,
        group: Group | None = None,
        set_control: str | None = None,
        transaction_set: str | None = None,
        element: str | None = None,
    ) -> None:
        self.findings.append(self._make(code, severity, message, index, group=group, set_control=set_control,
                                        transaction_set=transaction_set, element=element))

    def _make(
        self,
        code: str,
        severity: str,
        message: str,
        index: int | None,
        *,
        group: Group | None = None,
        set_control: str | None = None,
        transaction_set: str | None = None,
        element: str | None = None,
    ) -> Finding:
        ic = self.ic
        seg_id = self._id(index) if index is not None and ic.base <= index < ic.base + len(ic.raw) else None
        return Finding(
            code=code,
            severity=severity,  # type: ignore[arg-type]
            file=self.file,
            message=message,
            interchange_control=self.info.control or None,
            group_control=group.control if group else None,
            set_control=set_control,
            transaction_set=transaction_set,
            segment_position=self.ic.first_position + index if index is not None else None,
            segment_id=seg_id,
            element=element,
        )

    def _id(self, i: int) -> str:
        return self.ic.raw[i - self.ic.base].split(self.sep, 1)[0]

    def _split(self, i: int) -> list[str]:
        return self.ic.raw[i - self.ic.base].split(self.sep)

    def walk(self) -> list[TxSet]:
        """Find every transaction set (ok or not) and check the envelopes around them."""
        return [tx for sets in self.walk_blocks(iter(())) for tx in sets]

    def walk_blocks(self, more: Iterator[Block]) -> Iterator[list[TxSet]]:
        """`walk`, one block of segments at a time: yields the sets closed by each block.

        The interchange's segments so far are `ic.raw` (a window starting at index `ic.base`);
        `more` gives the following blocks (`stream.segment_blocks`). Before a block is added, the
        window drops every segment before the open set (or, between sets, before the first
        segment after the last envelope segment): the caller has mapped the sets yielded, so
        memory holds a block and an open set, not the interchange.

        Only envelope segments are visited in Python: their indexes are found in C, by the
        tokenizer's regex or with `str.startswith` mapped over the segments and
        `itertools.compress`, so a 2M-segment interchange costs a few tens of milliseconds here.
        """
        ic = self.ic
        e = self.sep
        st_p, se_p, gs_p, ge_p = "ST" + e, "SE" + e, "GS" + e, "GE" + e
        prefixes = (st_p, se_p, gs_p, ge_p, *INTERCHANGE_LEVEL)
        info = self.info
        self._check_interchange_duplicate()
        if not ic.synthetic:
            self._check_date_time(ic.isa, 0, None, 9)  # type: ignore[arg-type]
        group: Group | None = None
        n_groups = 0
        set_start = -1
        after_iea = False
        iea_seen = False
        prev = 0  # index of the previous envelope segment
        lo, envelope = 1, ic.envelope  # the first block: the whole window after the ISA
        while True:
            out: list[TxSet] = []
            raw, b = ic.raw, ic.base
            n = b + len(raw)
            if envelope is not None:
                candidates: Iterable[int] = envelope  # found by the tokenizer with one regex over the text
            else:
                candidates = compress(range(lo, n), map(str.startswith, islice(raw, lo - b, None), repeat(prefixes)))
            for i in candidates:
                seg = raw[i - b]
                p = seg[:3]
                if p in INTERCHANGE_LEVEL:
                    if len(seg) > 3 and seg[3] != e:
                        continue  # e.g. "IEAX*...": not an envelope segment after all
                elif p not in prefixes:
                    continue
                if set_start < 0 and i > prev + 1:
                    self._stray(prev + 1, i, group, after_iea)
                prev = i
                if after_iea:
                    # Anything envelope-like after IEA (but not a new ISA) is stray too.
                    self._stray(i, i + 1, group, True)
                    continue
                if p == st_p:
                    if set_start >= 0:
                        out.append(self._close_set(set_start, i, None, group))
                    set_start = i
                    if group is not None:
                        group.sets += 1
                elif p == se_p:
                    if set_start < 0:
                        self._find(
                            "X12-SE-UNEXPECTED", "error",
                            f"SE trailer (control number {_el(self._split(i), 2)!r}) without a matching ST header",
                            i, group=group,
                        )
                    else:
                        out.append(self._close_set(set_start, i, self._split(i), group))
                        set_start = -1
                elif p == gs_p:
                    if set_start >= 0:
                        out.append(self._close_set(set_start, i, None, group))
                        set_start = -1
                    if group is not None:
                        self._find(
                            "X12-GE-MISSING", "error",
                            f"functional group {group.control} has no GE trailer (a new GS starts at this segment)",
                            i, group=group,
                        )
                    group = self._open_group(self._split(i), i)
                    n_groups += 1
                elif p == ge_p:
                    if set_start >= 0:
                        out.append(self._close_set(set_start, i, None, group))
                        set_start = -1
                    if group is None:
                        self._find("X12-GE-UNEXPECTED", "error", "GE trailer without a matching GS header", i)
                    else:
                        self._close_group(group, self._split(i), i)
                        group = None
                elif p == "IEA":
                    if set_start >= 0:
                        out.append(self._close_set(set_start, i, None, group))
                        set_start = -1
                    if group is not None:
                        self._find(
                            "X12-GE-MISSING", "error",
                            f"functional group {group.control} has no GE trailer before IEA", i, group=group,
                        )
                        group = None
                    self._close_interchange(self._split(i), i, n_groups)
                    iea_seen = after_iea = True
                else:
                    # ISB/ISE/TA1: interchange-level service segments, allowed before the first GS.
                    if group is not None or set_start >= 0:
                        self._find(
                            "X12-SEGMENT-MISPLACED", "warning",
                            f"{p} belongs at interchange level, not inside a group", i, group=group,
                        )
                # "ISA" cannot occur here: the tokenizer starts a new interchange at every ISA.
            block = next(more, None)
            if block is None:
                break
            yield out
            # The sets yielded are mapped: keep only what the walk may still read.
            keep = set_start if set_start >= 0 else prev + 1
            envelope = block[1]
            ic.advance(keep, block)
            lo = n
        if set_start < 0 and n > prev + 1:
            self._stray(prev + 1, n, group, after_iea)
        if set_start >= 0:
            out.append(self._close_set(set_start, n, None, group))
        if group is not None:
            self._find(
                "X12-GE-MISSING", "error", f"functional group {group.control} has no GE trailer (end of interchange)",
                n - 1, group=group,
            )
        if not iea_seen:
            self._find(
                "X12-IEA-MISSING", "error",
                f"interchange {info.control or '(no ISA, control number unknown)'} has no IEA trailer "
                "(file truncated?); complete sets were still loaded",
                n - 1,
            )
        yield out

    # -- pieces -------------------------------------------------------------------------------

    def _stray(self, first: int, stop: int, group: Group | None, after_iea: bool) -> None:
        count = stop - first
        ids = ", ".join(dict.fromkeys(self._id(k) for k in range(first, min(stop, first + 20))))
        if after_iea:
            code, where = "X12-DATA-AFTER-IEA", "after the IEA trailer"
        else:
            code, where = "X12-SEGMENT-OUTSIDE-SET", "outside any ST..SE transaction set"
        self._find(code, "warning", f"{count} segment(s) {where} were ignored ({ids})", first, group=group)

    def _check_date_time(self, seg: list[str], i: int, group: Group | None, k: int) -> None:
        """The envelope's date (element k) and time (k + 1) must be real: rows take their clock from them."""
        tag = seg[0]
        d, t = _el(seg, k), _el(seg, k + 1)
        if _ymd(d) is None:
            self._find("X12-ELEMENT-DATE", "warning", f"{tag}{k:02d} {d!r} is not a valid CCYYMMDD/YYMMDD date",
                       i, group=group, element=f"{tag}{k:02d}")
        if hms(t) is None:
            self._find("X12-ELEMENT-TIME", "warning", f"{tag}{k + 1:02d} {t!r} is not a valid HHMM[SS] time",
                       i, group=group, element=f"{tag}{k + 1:02d}")

    def _check_interchange_duplicate(self) -> None:
        info = self.info
        if self.ic.synthetic:
            return  # a stand-in ISA (recover.py): no control number to compare
        key = (info.sender_qualifier, info.sender, info.receiver_qualifier, info.receiver, _norm_control(info.control))
        position = self.ic.first_position
        if self.registry.deferred:
            template = self._make(
                "X12-ISA13-DUPLICATE", "warning",
                f"interchange control number {info.control} from {info.sender} to {info.receiver} was already used ",
                0, element="ISA13",
            )
            self.findings.append(PendingDuplicate(
                "interchange", key, self.file, position, astuple_fields(template), "; its documents are loaded again"
            ))
            return
        seen = self.registry.interchanges.get(key)
        if seen is None:
            self.registry.interchanges[key] = (self.file, position)
            return
        info.duplicate = True
        self._find(
            "X12-ISA13-DUPLICATE", "warning",
            f"interchange control number {info.control} from {info.sender} to {info.receiver} was already used "
            f"in {seen[0]} at segment {seen[1]}; its documents are loaded again",
            0, element="ISA13",
        )

    def _open_group(self, seg: list[str], i: int) -> Group:
        date = _ymd(_el(seg, 4))
        time = _el(seg, 5)
        group = Group(
            control=_el(seg, 6),
            functional_id=_el(seg, 1),
            sender=_el(seg, 2),
            receiver=_el(seg, 3),
            version=_el(seg, 8),
            date=date,
            timestamp=f"{date} {_hms(time)}" if date else None,
            position=self.ic.first_position + i,
        )
        self.groups.append(group)
        self._check_date_time(seg, i, group, 4)
        if not group.control:
            self._find(
                "X12-GS06-MISSING", "error", "GS06 group control number is empty", i, group=group, element="GS06"
            )
        elif not self.info.duplicate:
            key = (group.sender, group.receiver, _norm_control(group.control))
            if self.registry.deferred:
                template = self._make(
                    "X12-GS06-DUPLICATE", "warning",
                    f"group control number {group.control} from {group.sender} to {group.receiver} was already used ",
                    i, group=group, element="GS06",
                )
                self.findings.append(
                    PendingDuplicate("group", key, self.file, group.position, astuple_fields(template))
                )
                return group
            seen = self.registry.groups.get(key)
            if seen is None:
                self.registry.groups[key] = (self.file, group.position)
            else:
                self._find(
                    "X12-GS06-DUPLICATE", "warning",
                    f"group control number {group.control} from {group.sender} to {group.receiver} was already used "
                    f"in {seen[0]} at segment {seen[1]}",
                    i, group=group, element="GS06",
                )
        return group

    def _close_group(self, group: Group, seg: list[str], i: int) -> None:
        ge01, ge02 = _el(seg, 1), _el(seg, 2)
        if not (ge01.isdecimal() and int(ge01) == group.sets):
            self._find(
                "X12-GE01-COUNT", "error",
                f"GE01 says {ge01 or '(empty)'} transaction sets, group {group.control} has {group.sets}",
                i, group=group, element="GE01",
            )
        if not _same_control(ge02, group.control):
            self._find(
                "X12-GE02-MISMATCH", "error",
                f"GE02 control number {ge02 or '(empty)'} does not match GS06 {group.control}",
                i, group=group, element="GE02",
            )

    def _close_interchange(self, seg: list[str], i: int, n_groups: int) -> None:
        iea01, iea02 = _el(seg, 1), _el(seg, 2)
        if not (iea01.isdecimal() and int(iea01) == n_groups):
            self._find(
                "X12-IEA01-COUNT", "error",
                f"IEA01 says {iea01 or '(empty)'} functional groups, interchange has {n_groups}",
                i, element="IEA01",
            )
        if not self.ic.synthetic and not _same_control(iea02, self.info.control):
            self._find(
                "X12-IEA02-MISMATCH", "error",
                f"IEA02 control number {iea02 or '(empty)'} does not match ISA13 {self.info.control}",
                i, element="IEA02",
            )

    def _check_functional_id(self, group: Group, ts: str, control: str, start: int) -> None:
        """GS01 must be the functional group of ST01 (an 850 in an IN group is routed as an invoice).

        Reported once per group and transaction set type, at the first such set; the sets load.
        """
        group.set_ids.add(ts)
        expected = FUNCTIONAL_IDS.get(ts)
        if expected is None or group.functional_id in expected:
            return
        self._find(
            "X12-GS01-MISMATCH", "error",
            f"transaction set {ts} is in functional group {group.control} whose GS01 is "
            f"{group.functional_id or '(empty)'}; {ts} belongs in a {'/'.join(expected)} group",
            start, group=group, set_control=control, transaction_set=ts, element="ST01",
        )

    def _close_set(self, start: int, end: int, se: list[str] | None, group: Group | None) -> TxSet:
        st = self._split(start)
        if se is not None and group is not None and len(st) > 2 and len(se) > 2:
            # Fast path for the common, well-formed set; anything unusual takes the checks below.
            ts, control = st[1].strip(), st[2].strip()
            if (
                ts and control and se[2].strip() == control and se[1].strip() == str(end - start + 1)
                and control not in group.set_controls
            ):
                group.set_controls.add(control)
                if ts not in group.set_ids:
                    self._check_functional_id(group, ts, control, start)
                return TxSet(ts, control, start, end, True, group, self.info, self.ic, _el(st, 3))
        ts, control = _el(st, 1), _el(st, 2)
        ok = True
        kw = {"group": group, "set_control": control or None, "transaction_set": ts or None}
        if not ts:
            self._find("X12-ST01-MISSING", "error", "ST01 transaction set identifier is empty", start,
                       element="ST01", **kw)
            ok = False
        if not control:
            self._find("X12-ST02-MISSING", "error", "ST02 control number is empty", start, element="ST02", **kw)
            ok = False
        if se is None:
            cut = self._id(end) if end < self.ic.base + len(self.ic.raw) else "end of file"
            self._find(
                "X12-SE-MISSING", "error",
                f"transaction set {ts} {control} has no SE trailer (cut short by {cut}); the set was rejected",
                start, **kw,
            )
            ok = False
        else:
            se01, se02 = _el(se, 1), _el(se, 2)
            count = end - start + 1
            if not (se01.isdecimal() and int(se01) == count):
                self._find(
                    "X12-SE01-COUNT", "error",
                    f"SE01 says {se01 or '(empty)'} segments, transaction set {ts} {control} has {count} (ST..SE); "
                    "the set was rejected",
                    end, element="SE01", **kw,
                )
                ok = False
            if se02 != control:
                self._find(
                    "X12-SE02-MISMATCH", "error",
                    f"SE02 control number {se02 or '(empty)'} does not match ST02 {control}; the set was rejected",
                    end, element="SE02", **kw,
                )
                ok = False
        if group is None:
            self._find(
                "X12-GS-MISSING", "error",
                f"transaction set {ts} {control} is not inside a GS..GE functional group; the set was rejected",
                start, **kw,
            )
            ok = False
        elif ts and ts not in group.set_ids:
            self._check_functional_id(group, ts, control, start)
        if group is not None and control:
            if control in group.set_controls:
                self._find(
                    "X12-ST02-DUPLICATE", "warning",
                    f"transaction set control number {control} is used twice in group {group.control}",
                    start, element="ST02", **kw,
                )
            group.set_controls.add(control)
        return TxSet(ts, control, start, end, ok, group, self.info, self.ic, _el(st, 3))
