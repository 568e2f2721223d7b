"""Interchanges whose ISA is damaged or missing: find their delimiters anyway, lose no set.

A file whose ISA tag lost a character (`SA*00*...`), whose ISA has the wrong number of
elements, or which starts right at a GS (the gateway dropped the ISA line) still holds
well-formed functional groups and transaction sets. Losing them would hide documents from
the reconciliation; calling the file "not X12" (exit 2) would hide the defect's nature. So:

* the first `GS` followed by a non-alphanumeric character gives the element separator;
* the character before that GS (layout skipped) is the segment terminator, or the line break
  when only layout separates them;
* the header before the GS, split by the element separator, gives the 16 ISA elements when it
  has them (a damaged tag: the ISA is read as usual, `read_isa(tag=...)`); otherwise an ISA is
  synthesised from the GS (sender, receiver, date) and the interchange is marked `synthetic`
  so that nothing compares or registers its (unknown) control number.

Each recovery is an error finding (X12-ISA-DAMAGED, X12-ISA-MISSING, X12-ISA-UNREADABLE) on
the interchange; the sets inside are walked and checked like any others.
"""

from __future__ import annotations

import re

from recon.load.x12.isa import LAYOUT, Delimiters, IsaError, Issue, bad_delimiter, read_isa

_GS_RE = re.compile(r"(?<![A-Za-z0-9])GS([^A-Za-z0-9 \t\r\n\x0b\x0c])")
_TAG_RE = re.compile(r"[A-Za-z0-9]{0,3}$")

Read = tuple[Delimiters, list[str], int, list[Issue]]


def find_gs(text: str, lo: int, hi: int) -> int:
    """Index of the first plausible GS segment in text[lo:hi], -1 when there is none."""
    m = _GS_RE.search(text, lo, hi)
    return m.start() if m else -1


def recover(text: str, lo: int, hi: int, reason: str | None = None) -> tuple[int, Read, bool] | None:
    """An interchange without a readable ISA somewhere in text[lo:hi].

    Returns (where the interchange starts, read_isa-shaped result, synthetic) or None when
    there is no GS to recover from. `reason` is the read_isa error of an ISA that was found
    but could not be read; None means no ISA tag was found at all.
    """
    m = _GS_RE.search(text, lo, hi)
    if m is None:
        return None
    gs, elem = m.start(), m.group(1)
    j = gs - 1
    while j >= lo and text[j] in LAYOUT:
        j -= 1
    term, line = _terminator(text, gs, j, lo, hi, elem)
    if term is None:
        return None
    if j >= lo:
        read = _from_header(text, lo, j + 1 if line else j, elem, term, line, reason)
        if read is not None:
            return read
    return gs, _synthetic(text, gs, hi, elem, term, line, reason), True


def _terminator(text: str, gs: int, j: int, lo: int, hi: int, elem: str) -> tuple[str | None, bool]:
    """The segment terminator around a GS at `gs`; `j` is the last non-layout index before it."""
    if j >= lo:
        c = text[j]
        if not bad_delimiter(c) and c != elem:
            return c, False
        if "\n" in text[j:gs] or "\r" in text[j:gs]:
            return "\n", True
        return None, False
    # Nothing before the GS: the terminator follows GS08 (an alphanumeric version code).
    k = gs
    for _ in range(8):
        k = text.find(elem, k + 1, min(hi, gs + 300))
        if k < 0:
            return None, False
    k += 1
    while k < hi and text[k].isalnum():
        k += 1
    while k < hi and text[k] in " \t":
        k += 1
    c = text[k] if k < hi else ""
    if c in ("\r", "\n"):
        return "\n", True
    if not bad_delimiter(c) and c != elem:
        return c, False
    return None, False


def _from_header(
    text: str, lo: int, end: int, elem: str, term: str, line: bool, reason: str | None
) -> tuple[int, Read, bool] | None:
    """Read the 16 ISA elements that end at `end` (before the terminator), whatever the tag says."""
    region = text[lo:end]
    pieces = region.split(elem)
    if len(pieces) < 17:
        return None
    head = pieces[-17]
    tag = _TAG_RE.search(head.rstrip(LAYOUT))
    assert tag is not None  # the pattern matches the empty string
    start = end - len(elem.join(pieces[-17:])) + tag.start()
    if tag.group() == "ISA" and reason is None:
        # An intact ISA glued to text before it ("From: gatewayISA*00*..."): the tokenizer's ISA
        # search skips an "ISA" right after a letter (it could be data, "VISA*"); read it here,
        # the text before it is reported as leading data.
        try:
            return start, read_isa(text, start), False
        except IsaError:
            return None
    if tag.group() == "ISA":
        issue = Issue("X12-ISA-UNREADABLE", "error", f"unreadable ISA: {reason}; its elements were read by "
                      "splitting at the element separator up to the first GS, and its sets were still read")
    else:
        issue = Issue("X12-ISA-DAMAGED", "error", f"the interchange header tag is {tag.group()!r}, not 'ISA' "
                      "(damaged); it was read as the ISA and the sets after it were still read")
    if tag.group() != "ISA":
        try:
            delims, isa, body_start, issues = read_isa(text, start, len(tag.group()))
            return start, (delims, isa, body_start, [issue, *issues]), False
        except IsaError:
            pass
    isa = [p.replace("\r", "").replace("\n", "") for p in pieces[-17:]]
    isa[0] = "ISA"
    comp = isa[16].strip()[:1]
    if bad_delimiter(comp) or comp in (elem, term):
        comp = "\x1f"
    body_start = end if line else end + 1
    return start, (Delimiters(elem, comp, None, term, line), isa, body_start, [issue]), False


def _synthetic(text: str, gs: int, hi: int, elem: str, term: str, line: bool, reason: str | None) -> Read:
    """Delimiters and a stand-in ISA for a group that has no readable ISA before it."""
    end = text.find("\n" if line else term, gs, hi)
    gs_elements = text[gs : end if end >= 0 else hi].split(elem)
    sender = gs_elements[2].strip() if len(gs_elements) > 2 else ""
    receiver = gs_elements[3].strip() if len(gs_elements) > 3 else ""
    date = gs_elements[4].strip()[-6:] if len(gs_elements) > 4 else ""
    time = gs_elements[5].strip()[:4] if len(gs_elements) > 5 else ""
    body = text[gs:hi]
    comp = next((c for c in ">:^\\" if c not in body and c not in (elem, term)), "\x1f")
    isa = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{sender:<15}", "ZZ", f"{receiver:<15}", date, time,
           "U", "00401", "", "0", "P", comp]
    why = f"an unreadable ISA ({reason})" if reason else "no ISA header"
    issue = Issue(
        "X12-ISA-UNREADABLE" if reason else "X12-ISA-MISSING", "error",
        f"functional group with {why} before it: delimiters were taken from the GS segment and its sets "
        "were still read; the interchange control number is unknown",
        None, None, None,
    )
    return Delimiters(elem, comp, None, "\n" if line else term, line), isa, gs, [issue]


def cut_points(raw: list[str], d: Delimiters) -> list[tuple[int, list[str] | None, list[Issue]]]:
    """Where a new interchange starts after an IEA without an ISA the tokenizer could see.

    `raw` is one interchange's segments (raw[0] is its ISA). After each IEA, the first segment
    that has exactly 16 element separators is a damaged ISA (its elements are returned), or else
    the first GS starts a group whose ISA is missing (None: synthesise one). Returns
    (index in raw, ISA elements or None, issues) for each cut, in order.
    """
    e = d.element
    iea, gs = "IEA" + e, "GS" + e
    cuts: list[tuple[int, list[str] | None, list[Issue]]] = []
    i, n = 1, len(raw)
    while i < n:
        if not raw[i].startswith(iea):
            i += 1
            continue
        k = i + 1
        while k < n and not raw[k].startswith(iea):
            seg = raw[k]
            if seg.count(e) == 16:
                isa = seg.split(e)
                tag = isa[0]
                isa[0] = "ISA"
                version = isa[12].strip()
                if len(version) == 5 and version.isdecimal():
                    if tag.endswith("ISA"):  # text glued to an intact ISA ("From: gatewayISA*00*...")
                        issue = Issue("X12-DATA-AFTER-IEA", "warning", f"{len(tag) - 3} characters before the ISA "
                                      f"were ignored ({tag[:-3][:30]!r})")
                    else:
                        issue = Issue("X12-ISA-DAMAGED", "error", f"the interchange header tag is {tag!r}, not "
                                      "'ISA' (damaged); it was read as the ISA and the sets after it were still read")
                    cuts.append((k, isa, [issue]))
                    break
            if seg.startswith(gs):
                cuts.append((k, None, [Issue(
                    "X12-ISA-MISSING", "error", "functional group after an IEA with no ISA header before it: "
                    "the delimiters of the interchange before were used and its sets were still read; the "
                    "interchange control number is unknown", None, None, None)]))
                break
            k += 1
        i = k
    return cuts
