"""Mandatory elements of the beginning segment of each mapped transaction set.

X12 marks elements M (mandatory). recon needs only some of them to build rows: an empty
business key (BEG03, BSN02, BIG02...) rejects the set with X12-MISSING-ELEMENT in the mapper.
The other mandatory elements of the beginning segment (BEG01 purpose, BEG02 order type, BEG05
date, BSN03/BSN04 date and time, BIA01..04...) are checked here, once per set, so that a partner
file that drops them is flagged (X12-MANDATORY-EMPTY, a warning: the rows still load) before a
stricter translator downstream rejects it.
"""

from __future__ import annotations

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


def check_mandatory(c: SetContext) -> None:
    """Warn about each empty mandatory element of the set's beginning segment (the segment after ST)."""
    spec = MANDATORY.get(c.ts)
    if spec is None or len(c.segs) < 3:
        return
    tag, positions = spec
    seg = c.segs[1]
    if seg[0] != tag:
        return  # the mapper already rejected a set whose beginning segment is missing or misplaced
    for k in positions:
        if k >= len(seg) or not seg[k].strip():
            c.warn("X12-MANDATORY-EMPTY", f"{tag}{k:02d} is mandatory and empty", 1, f"{tag}{k:02d}")
