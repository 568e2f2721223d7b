"""EDIFACT envelope integrity: UNB/UNZ, UNG/UNE, UNH/UNT, their counts, references and duplicates.

One pass over a file's segments cuts it into messages. The rule of thumb is the X12 one
(`recon.load.x12.envelope`):

* a message whose own envelope is broken (no UNT, UNT segment count or reference wrong) is
  rejected on its own: its rows do not load;
* problems of the surrounding group or interchange (UNE/UNZ counts or references, a missing
  UNE/UNZ: a truncated interchange) are errors, but the intact messages inside still load;
* a message type that its group (UNG 0038) does not carry is an error, the message loads;
* duplicates are warnings and the rows load, so the duplicate rules in DuckDB can count them:
  an interchange reference (0020) from the same sender to the same recipient, or a group
  reference (0048) between the same application sender and recipient, already seen in this
  run's files (the shared `Registry`, so the parallel parse replays them in file order); a
  message reference (0062) used twice within one interchange, where ISO 9735 makes it unique.

Segments that belong to no message (between UNB and the first UNH, after a UNT) are rejected
with `EDIFACT-STRAY-SEGMENT`, so every segment of the file is accounted for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress, islice, repeat

from recon.load.x12.envelope import PendingDuplicate, Registry
from recon.load.x12.result import Finding, astuple_fields

ENVELOPE_TAGS = frozenset({"UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})


@dataclass(slots=True)
class Interchange:
    """One UNB..UNZ interchange: the UNB values rows and findings need."""

    control: str | None
    syntax: str
    sender: str
    sender_qualifier: str
    receiver: str
    receiver_qualifier: str
    date: str | None
    timestamp: str | None
    test_indicator: str | None
    application: str | None
    position: int
    index: int
    duplicate: bool = False
    synthetic: bool = False  # stands in for a missing UNB: no UNZ is expected
    groups: int = 0
    messages: int = 0
    refs: dict[str, int] = field(default_factory=dict)
    cache: dict | None = None  # the parser's edi_documents heads, by message type and directory


@dataclass(slots=True)
class Group:
    """One UNG..UNE functional group."""

    control: str
    message_type: str
    sender: str
    receiver: str
    version: str
    timestamp: str | None
    position: int
    messages: int = 0
    cache: dict | None = None  # the parser's edi_documents heads, by message type and directory


@dataclass(slots=True)
class Message:
    """One UNH..UNT message: `start` is the index of UNH in the file's segments, `end` of UNT
    (or of the segment that cut it short)."""

    type: str
    ref: str
    identifier: str  # S009 as sent, e.g. ORDERS:D:96A:UN:EAN008
    directory: str  # D96A
    start: int
    end: int
    ok: bool
    group: Group | None
    interchange: Interchange


def stamp(d: str, t: str) -> tuple[str | None, str | None]:
    """UNB/UNG S004 date (YYMMDD, or CCYYMMDD in version 4) and time (HHMM) -> (date, timestamp)."""
    if len(d) == 6 and d.isdecimal():
        d = ("20" if d < "50" else "19") + d
    if not (len(d) == 8 and d.isdecimal() and "01" <= d[4:6] <= "12" and "01" <= d[6:8] <= "31"):
        return None, None
    day = f"{d[:4]}-{d[4:6]}-{d[6:]}"
    if len(t) >= 4 and t[:4].isdecimal() and t[:2] <= "23" and t[2:4] <= "59":
        return day, f"{day} {t[:2]}:{t[2:4]}:00"
    return day, f"{day} 00:00:00"


def same_ref(a: str, b: str) -> bool:
    """References compare as numbers when both are numeric (UNZ '778' closes UNB '00000000000778')."""
    if a.isdecimal() and b.isdecimal():
        return int(a) == int(b)
    return a == b


class Walker:
    """Cuts one file's segments into interchanges, groups and messages, checking the envelopes."""

    def __init__(self, file: str, segments: list[str], first_position: int, element: str, component: str,
                 unescape: dict[int, str] | None, registry: Registry, findings: list[Finding],
                 una: str = "UNA:+.? ", terminator: str = "'") -> None:
        self.file = file
        self.una = una  # what a repeated UNA must read as (Tokens.una_segment)
        self.terminator = terminator
        self.raw = segments  # segment `base + k` of the file is raw[k]: a window when read in blocks
        self.base = 0
        self.first = first_position
        self.element = element
        self.component = component
        self.table = unescape
        self.registry = registry
        self.findings = findings
        self.interchanges: list[Interchange] = []
        self.groups: list[tuple[Interchange, Group]] = []
        self.messages: list[Message] = []

    # -- helpers ------------------------------------------------------------------------------

    def _split(self, i: int) -> list[list[str]]:
        """Segment i as elements of components, unescaped."""
        s = self.raw[i - self.base]
        els = s.split(self.element)
        out = [e.split(self.component) for e in els]
        if self.table is not None:
            out = [[p.translate(self.table) for p in e] for e in out]
        return out

    def _find(self, code: str, severity: str, message: str, i: int | None, *, ic: Interchange | None = None,
              group: Group | None = None, msg: Message | None = None, element: str | None = None) -> Finding:
        f = Finding(
            code=code, severity=severity, file=self.file, message=message,  # type: ignore[arg-type]
            interchange_control=ic.control if ic else None,
            group_control=group.control if group else None,
            set_control=msg.ref if msg else None,
            transaction_set=msg.type if msg else None,
            segment_position=self.first + i if i is not None else None,
            segment_id=self.raw[i - self.base][:3] if i is not None and i - self.base < len(self.raw) else None,
            element=element,
        )
        self.findings.append(f)
        return f

    # -- the walk -----------------------------------------------------------------------------

    def walk(self) -> list[Message]:
        return [msg for messages in self.walk_blocks(iter(())) for msg in messages]

    def walk_blocks(self, more: Iterator[list[str]]) -> Iterator[list[Message]]:
        """`walk`, one block of segments at a time: yields the messages each block closed.

        The design of the X12 walk (`recon.load.x12.envelope.EnvelopeWalker.walk_blocks`): the
        file's segments so far are `raw`, a window from segment `base` on; `more` gives the
        following blocks (`recon.load.edifact.stream`). Before a block is added, the window drops
        every segment before the open message (or, between messages, up to the last envelope
        segment): the caller has mapped the messages yielded, so memory holds a block and an open
        message, not the file. The counts and references of the open interchange and group are
        checked as their trailers come, whichever block they are in.
        """
        ic: Interchange | None = None
        group: Group | None = None
        msg: Message | None = None
        prev = -1  # the last envelope segment seen: what lies between it and the next is in a message or stray
        lo = 0
        while True:
            raw, b = self.raw, self.base
            n = b + len(raw)
            # Only service segments (UN*) can be envelopes: one C-speed pass finds them, the walk visits those.
            candidates = compress(range(lo, n), map(str.startswith, islice(raw, lo - b, None), repeat("UN")))
            for i in candidates:
                s = raw[i - b]
                tag = s[:3]
                if tag == "UNA":  # the next interchange's service string advice (same separators)
                    if msg is not None:
                        continue
                elif tag not in ENVELOPE_TAGS or (len(s) > 3 and s[3] != self.element):
                    continue  # UNS (section control) and other segments of a message
                if msg is None and i > prev + 1:
                    self._stray(prev + 1, i)
                prev = i
                if tag == "UNA":
                    if s != self.una:
                        self._una_mismatch(i)
                    continue
                if tag == "UNH":
                    if msg is not None:
                        self._cut_short(msg, i, "the next UNH")
                    if ic is None:
                        ic = self._missing_unb(i)
                    msg = self._open_message(i, ic, group)
                    continue
                if tag == "UNT":
                    if msg is None:
                        self._find("EDIFACT-UNT-UNEXPECTED", "error", "UNT without a UNH before it; the segment was "
                                   "rejected", i, ic=ic, group=group)
                        continue
                    self._close_message(msg, i)
                    msg = None
                    continue
                if msg is not None:
                    self._cut_short(msg, i, f"a {tag}")
                    msg = None
                if tag == "UNB":
                    if ic is not None:
                        self._close_open(ic, group, i, truncated=not ic.synthetic)
                        group = None
                    ic = self._open_interchange(i)
                elif tag == "UNG":
                    if ic is None:
                        ic = self._missing_unb(i)
                    if group is not None:
                        self._find("EDIFACT-UNE-MISSING", "error", f"group {group.control} has no UNE (the next UNG "
                                   "started); its complete messages were loaded", i, ic=ic, group=group)
                    group = self._open_group(i, ic)
                elif tag == "UNE":
                    if group is None:
                        self._find("EDIFACT-UNE-UNEXPECTED", "error", "UNE without a UNG before it", i, ic=ic)
                    else:
                        self._close_group(group, ic, i)
                        group = None
                else:  # UNZ
                    if ic is None:
                        self._find("EDIFACT-UNZ-UNEXPECTED", "error", "UNZ without a UNB before it", i)
                        continue
                    if group is not None:
                        self._find("EDIFACT-UNE-MISSING", "error", f"group {group.control} has no UNE before the UNZ; "
                                   "its complete messages were loaded", i, ic=ic, group=group)
                        group = None
                    self._close_interchange(ic, i)
                    ic = None
            block = next(more, None)
            if block is None:
                break
            # The messages closed so far are handed over (and mapped) before the window moves on.
            k = len(self.messages) - (msg is not None)
            closed, self.messages = self.messages[:k], self.messages[k:]
            yield closed
            keep = msg.start if msg is not None else prev + 1
            if keep > b:
                del raw[: keep - b]
                self.base = keep
            raw.extend(block)
            lo = n
        end = n
        if msg is None and end > prev + 1:
            self._stray(prev + 1, end)
        if msg is not None:
            self._cut_short(msg, end - 1, "the end of the file", at_end=True)
        if ic is not None:
            self._close_open(ic, group, end - 1, truncated=not ic.synthetic, at_end=True)
        closed, self.messages = self.messages, []
        yield closed

    def _stray(self, first: int, stop: int) -> None:
        """Reject segments outside any message, reported where they are (so that a part of a file
        cut at an interchange reports them in the same order as the whole file)."""
        for i in range(first, stop):
            tag = self.raw[i - self.base][:3]
            self._find("EDIFACT-STRAY-SEGMENT", "error", f"segment {tag!r} is outside any message (UNH..UNT); it "
                       "was rejected", i, ic=self._interchange_at(i))

    def _una_mismatch(self, i: int) -> None:
        """A later UNA whose service characters differ from the ones the file is read with."""
        s = self.raw[i - self.base]
        table = self.table or {}
        # Cut by the file's terminator, a UNA that repeats it reads as five characters; one that
        # declares another terminator runs on into the next segment.
        declared = s[3:9].translate(table) if len(s) > 8 else s[3:].translate(table) + self.terminator
        expected = self.una[3:].translate(table) + self.terminator
        self._find("EDIFACT-UNA-MISMATCH", "error", f"this UNA declares {declared!r}, but the file is read with "
                   f"{expected!r} (its first UNA or the defaults); recon does not switch separators inside a file, "
                   "so the interchange after it may be misread: send it in a file of its own", i, element="UNA")

    def _interchange_at(self, i: int) -> Interchange | None:
        found = None
        for ic in self.interchanges:
            if ic.position - self.first <= i:
                found = ic
        return found

    # -- interchanges -------------------------------------------------------------------------

    def _missing_unb(self, i: int) -> Interchange:
        ic = Interchange(None, "", "", "", "", "", None, None, None, None, self.first + i, len(self.interchanges),
                         synthetic=True)
        self.interchanges.append(ic)
        self._find("EDIFACT-UNB-MISSING", "error", "messages without a UNB interchange header; they were loaded "
                   "without an interchange reference", i)
        return ic

    def _open_interchange(self, i: int) -> Interchange:
        el = self._split(i)

        def c(k: int, j: int = 0) -> str:
            return el[k][j].strip() if len(el) > k and len(el[k]) > j else ""

        date, ts = stamp(c(4), c(4, 1))
        ic = Interchange(
            control=c(5) or None, syntax=":".join(p.strip() for p in el[1]) if len(el) > 1 else "",
            sender=c(2), sender_qualifier=c(2, 1), receiver=c(3), receiver_qualifier=c(3, 1),
            date=date, timestamp=ts, test_indicator=c(11) or None, application=c(7) or None,
            position=self.first + i, index=len(self.interchanges),
        )
        self.interchanges.append(ic)
        if c(4) and date is None:
            self._find("EDIFACT-ELEMENT-DATE", "warning", f"UNB date {c(4)!r} is not a valid YYMMDD/CCYYMMDD date",
                       i, ic=ic, element="UNB0017")
        if not ic.control:
            self._find("EDIFACT-UNB-INVALID", "error", "UNB 0020 (interchange control reference) is empty", i,
                       ic=ic, element="UNB0020")
            return ic
        key = ("UNB", ic.sender_qualifier, ic.sender, ic.receiver_qualifier, ic.receiver, _norm(ic.control))
        text = f"interchange reference {ic.control} from {ic.sender} to {ic.receiver} was already used "
        seen = self._register("interchange", key, i, ic, None, text, "UNB0020", "; its messages are loaded again")
        if seen:
            ic.duplicate = True
        return ic

    def _register(self, kind: str, key: tuple[str, ...], i: int, ic: Interchange, group: Group | None, text: str,
                  element: str, suffix: str = "") -> bool:
        """Record a reference in the run's registry; report it when already seen. True: a duplicate."""
        code = "EDIFACT-DUPLICATE-INTERCHANGE" if kind == "interchange" else "EDIFACT-DUPLICATE-GROUP"
        position = self.first + i
        if self.registry.deferred:
            template = Finding(code, "warning", self.file, text, ic.control, group.control if group else None,
                               None, None, position, self.raw[i - self.base][:3], element)
            self.findings.append(PendingDuplicate(kind, key, self.file, position,  # type: ignore[arg-type]
                                                  astuple_fields(template), suffix))
            return False
        table = self.registry.interchanges if kind == "interchange" else self.registry.groups
        seen = table.get(key)
        if seen is None:
            table[key] = (self.file, position)
            return False
        self._find(code, "warning", f"{text}in {seen[0]} at segment {seen[1]}{suffix}", i, ic=ic, group=group,
                   element=element)
        return True

    def _close_interchange(self, ic: Interchange, i: int) -> None:
        el = self._split(i)
        count = el[1][0].strip() if len(el) > 1 else ""
        ref = el[2][0].strip() if len(el) > 2 else ""
        expected = ic.groups if ic.groups else ic.messages
        what = "groups" if ic.groups else "messages"
        if not count.isdecimal() or int(count) != expected:
            self._find("EDIFACT-UNZ-COUNT", "error", f"UNZ 0036 says {count or 'nothing'}, the interchange has "
                       f"{expected} {what}; its messages were loaded", i, ic=ic, element="UNZ0036")
        if ic.control is not None and not same_ref(ref, ic.control):
            self._find("EDIFACT-UNZ-REFERENCE", "error", f"UNZ 0020 {ref!r} does not match UNB 0020 {ic.control!r}; "
                       "its messages were loaded", i, ic=ic, element="UNZ0020")

    def _close_open(self, ic: Interchange, group: Group | None, i: int, *, truncated: bool,
                    at_end: bool = False) -> None:
        where = "the file ends" if at_end else "the next UNB starts"
        if group is not None:
            self._find("EDIFACT-UNE-MISSING", "error", f"group {group.control} has no UNE ({where}); its complete "
                       "messages were loaded", i, ic=ic, group=group)
        if truncated:
            self._find("EDIFACT-UNZ-MISSING", "error", f"interchange {ic.control} has no UNZ ({where}): a truncated "
                       "interchange; its complete messages were loaded", i, ic=ic)

    # -- groups -------------------------------------------------------------------------------

    def _open_group(self, i: int, ic: Interchange) -> Group:
        el = self._split(i)

        def c(k: int, j: int = 0) -> str:
            return el[k][j].strip() if len(el) > k and len(el[k]) > j else ""

        _, ts = stamp(c(4), c(4, 1))
        version = ":".join(p.strip() for p in el[7]) if len(el) > 7 else ""
        group = Group(control=c(5), message_type=c(1), sender=c(2), receiver=c(3), version=version, timestamp=ts,
                      position=self.first + i)
        ic.groups += 1
        self.groups.append((ic, group))
        if not group.control:
            self._find("EDIFACT-UNG-INVALID", "error", "UNG 0048 (group reference) is empty", i, ic=ic, group=group,
                       element="UNG0048")
        elif not ic.duplicate:
            key = ("UNG", group.sender, group.receiver, _norm(group.control))
            text = f"group reference {group.control} from {group.sender} to {group.receiver} was already used "
            self._register("group", key, i, ic, group, text, "UNG0048")
        return group

    def _close_group(self, group: Group, ic: Interchange | None, i: int) -> None:
        el = self._split(i)
        count = el[1][0].strip() if len(el) > 1 else ""
        ref = el[2][0].strip() if len(el) > 2 else ""
        if not count.isdecimal() or int(count) != group.messages:
            self._find("EDIFACT-UNE-COUNT", "error", f"UNE 0060 says {count or 'nothing'}, the group has "
                       f"{group.messages} messages; they were loaded", i, ic=ic, group=group, element="UNE0060")
        if not same_ref(ref, group.control):
            self._find("EDIFACT-UNE-REFERENCE", "error", f"UNE 0048 {ref!r} does not match UNG 0048 "
                       f"{group.control!r}; the messages were loaded", i, ic=ic, group=group, element="UNE0048")

    # -- messages -----------------------------------------------------------------------------

    def _open_message(self, i: int, ic: Interchange, group: Group | None) -> Message:
        el = self._split(i)
        ref = el[1][0].strip() if len(el) > 1 else ""
        s009 = [p.strip() for p in el[2]] if len(el) > 2 else [""]
        mtype = s009[0].upper()
        directory = "".join(s009[1:3]).upper() if len(s009) > 2 else ""
        msg = Message(mtype, ref, ":".join(s009), directory, i, i, True, group, ic)
        ic.messages += 1
        if group is not None:
            group.messages += 1
            if group.message_type and mtype and group.message_type.upper() != mtype:
                self._find("EDIFACT-MESSAGE-NOT-IN-GROUP", "error", f"message {ref} is a {mtype} inside group "
                           f"{group.control}, which carries {group.message_type} messages (UNG 0038); the message "
                           "was loaded", i, ic=ic, group=group, element="UNH0065")
        if not ref:
            msg.ok = False
            self._find("EDIFACT-UNH-INVALID", "error", "UNH 0062 (message reference) is empty; the message was "
                       "rejected", i, ic=ic, group=group, msg=msg, element="UNH0062")
        elif not mtype:
            msg.ok = False
            self._find("EDIFACT-UNH-INVALID", "error", "UNH 0065 (message type) is empty; the message was rejected",
                       i, ic=ic, group=group, msg=msg, element="UNH0065")
        elif ref in ic.refs:
            self._find("EDIFACT-DUPLICATE-MESSAGE", "warning", f"message reference {ref} is used twice in "
                       f"interchange {ic.control} (first at segment {ic.refs[ref]}); both messages were loaded", i,
                       ic=ic, group=group, msg=msg, element="UNH0062")
        else:
            ic.refs[ref] = self.first + i
        self.messages.append(msg)
        return msg

    def _close_message(self, msg: Message, i: int) -> None:
        msg.end = i
        el = self._split(i)
        count = el[1][0].strip() if len(el) > 1 else ""
        ref = el[2][0].strip() if len(el) > 2 else ""
        actual = i - msg.start + 1
        if not count.isdecimal() or int(count) != actual:
            msg.ok = False
            self._find("EDIFACT-UNT-COUNT", "error", f"UNT 0074 says {count or 'nothing'} segments, the message has "
                       f"{actual} (UNH to UNT); the message was rejected", i, ic=msg.interchange, group=msg.group,
                       msg=msg, element="UNT0074")
        if ref != msg.ref:
            msg.ok = False
            self._find("EDIFACT-UNT-REFERENCE", "error", f"UNT 0062 {ref!r} does not match UNH 0062 {msg.ref!r}; "
                       "the message was rejected", i, ic=msg.interchange, group=msg.group, msg=msg,
                       element="UNT0062")

    def _cut_short(self, msg: Message, i: int, by: str, at_end: bool = False) -> None:
        msg.end = i if at_end else i - 1
        msg.ok = False
        self._find("EDIFACT-UNT-MISSING", "error", f"message {msg.ref} ({msg.type}) has no UNT: it is cut short by "
                   f"{by}; the message was rejected", msg.start, ic=msg.interchange, group=msg.group, msg=msg)


def _norm(ref: str) -> str:
    return str(int(ref)) if ref.isdecimal() else ref


__all__ = ["ENVELOPE_TAGS", "Group", "Interchange", "Message", "Walker", "same_ref", "stamp"]
