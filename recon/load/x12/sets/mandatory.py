"""Mandatory elements of the segments recon maps, checked once per mapped set.

X12 marks elements M (mandatory). recon needs only some of them to build rows: an empty
business key (BEG03, BSN02, BIG02...) rejects the set with X12-MISSING-ELEMENT in the mapper.
The other mandatory elements are checked here, so that a partner file that drops them is
flagged (X12-MANDATORY-EMPTY, a warning: the rows still load) before a stricter translator
downstream rejects it. The tables follow the 004010 segment dictionary, which later versions
keep for these elements; elements that are mandatory only in some versions, or only
conditionally (PO102, IT102...: "X" in the standard), are not listed.
"""

from __future__ import annotations

from bisect import bisect_left
from operator import itemgetter

from recon.load.x12.elements import MANDATORY, SEGMENTS
from recon.load.x12.sets.base import SetContext

# Per body segment: (highest mandatory position, a getter of its mandatory elements as a tuple), for
# the scan of sets whose suspects the tokenizer could not find: one dict lookup and one C call per
# segment (about 0.2 us, some 8 % of the parse); only a segment that fails it is looked at again.
_GETTERS = {
    tag: (max(ks), itemgetter(*ks) if len(ks) > 1 else itemgetter(ks[0], ks[0])) for tag, ks in SEGMENTS.items()
}


def _empty(seg: list[str], k: int) -> bool:
    return k >= len(seg) or not seg[k] or seg[k].isspace()


def check_mandatory(c: SetContext) -> None:
    """Warn about each empty mandatory element of a mapped set's beginning and body segments.

    In the beginning segment an element of blanks counts as empty; in body segments only a truly
    empty element does (the fast scan compares with "").
    """
    spec = MANDATORY.get(c.ts)
    if spec is None or len(c.segs) < 3:
        return
    tag, positions = spec
    segs = c.segs
    seg = segs[1]
    if seg[0] == tag:  # else the mapper already rejected a set whose beginning segment is missing or misplaced
        for k in positions:
            if _empty(seg, k):
                c.warn("X12-MANDATORY-EMPTY", f"{tag}{k:02d} is mandatory and empty", 1, f"{tag}{k:02d}")
    for i in suspects(c):
        seg = segs[i]
        for k in SEGMENTS[seg[0]]:
            if k >= len(seg) or not seg[k]:
                c.warn("X12-MANDATORY-EMPTY", f"{seg[0]}{k:02d} is mandatory and empty", i, f"{seg[0]}{k:02d}")


def suspects(c: SetContext) -> list[int]:
    """Indexes (in the set) of the body segments that may have an empty mandatory element, in order.

    The tokenizer found them in the interchange's text with the regex that finds envelope
    segments (`Interchange.suspects`, a superset of the segments that fail); when it could not
    (a text whose offsets no longer map to segments), every body segment is scanned here.
    """
    found = c.tx.ic.suspects
    first = c.tx.start
    if found is not None:
        lo, hi = bisect_left(found, first + 2), bisect_left(found, first + c.end)
        return [i - first for i in found[lo:hi]] if lo < hi else []
    segs = c.segs
    get = _GETTERS.get
    return [
        i for i in range(2, c.end)
        if (g := get(segs[i][0])) is not None and (len(segs[i]) <= g[0] or "" in g[1](segs[i]))
    ]
