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

from operator import itemgetter

from recon.load.x12.sets.base import SetContext

MANDATORY: dict[str, tuple[str, tuple[int, ...]]] = {
    "850": ("BEG", (1, 2, 5)),
    "855": ("BAK", (1, 2, 4)),
    "856": ("BSN", (1, 3, 4)),
    "810": ("BIG", (1,)),
    "940": ("W05", (1,)),
    "945": ("W06", (1,)),
    "846": ("BIA", (1, 2, 3, 4)),
    "214": ("B10", (1, 3)),
    "180": ("BGN", (1, 3)),
    "997": ("AK1", (1,)),
    "999": ("AK1", (1,)),
}
"""Transaction set -> (beginning segment, mandatory element positions besides the business key)."""

SEGMENTS: dict[str, tuple[int, ...]] = {
    "N1": (1,),  # entity identifier code
    "DTM": (1,),  # date/time qualifier
    "REF": (1,),  # reference identification qualifier
    "CTT": (1,),  # number of line items
    "ACK": (1,),  # line item status code
    "HL": (1, 3),  # hierarchical id number, level code
    "LIN": (2, 3),  # first product id qualifier and product id
    "SN1": (2, 3),  # number of units shipped, unit of measure
    "PRF": (1,),  # purchase order number
    "MAN": (1, 2),  # marks and numbers qualifier, marks and numbers
    "PID": (1,),  # item description type
    "TDS": (1,),  # total invoice amount
    "SAC": (1,),  # allowance or charge indicator
    "W01": (1, 2),  # quantity ordered, unit of measure
    "W12": (1,),  # shipment/order status code
    "QTY": (1,),  # quantity qualifier
    "AK2": (1, 2),  # acknowledged transaction set id and control number
    "AK5": (1,),  # transaction set acknowledgment code
    "AK9": (1, 2, 3, 4),  # group acknowledgment code and the three set counts
}
"""Body segment -> mandatory element positions (segments of the sets recon maps, see module doc)."""

# Per body segment: (highest mandatory position, a getter of its mandatory elements as a tuple).
# The scan runs once per segment of every mapped set, so it must cost one dict lookup and one C
# call per segment (about 0.2 us, some 8 % of the parse); only a segment that fails it is looked at again.
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
    get = _GETTERS.get
    suspects = [
        i for i in range(2, c.end)
        if (g := get(segs[i][0])) is not None and (len(segs[i]) <= g[0] or "" in g[1](segs[i]))
    ]
    for i in suspects:
        seg = segs[i]
        for k in SEGMENTS[seg[0]]:
            if k >= len(seg) or not seg[k]:
                c.warn("X12-MANDATORY-EMPTY", f"{seg[0]}{k:02d} is mandatory and empty", i, f"{seg[0]}{k:02d}")
