"""Sets without a mapper: still one edi_documents row each, with a reference and date if we can tell.

Adding a set here costs one line (its beginning segment and where the reference and date sit);
a set that deserves canonical rows gets a mapper module instead (see `registry`).
"""

from __future__ import annotations

from recon.load.x12.sets.base import SetContext, at
from recon.load.x12.values import ymd

OTHER_REFERENCES: dict[str, tuple[str, int, int]] = {
    "210": ("B3", 2, 6), "860": ("BCH", 3, 6), "865": ("BCA", 3, 6), "824": ("BGN", 2, 3),
    "820": ("TRN", 2, 0), "204": ("B2", 4, 0), "990": ("B1", 2, 3), "753": ("BGN", 2, 3),
    "754": ("BGN", 2, 3), "861": ("BRA", 1, 2), "944": ("W17", 3, 2), "947": ("W15", 2, 1),
}
"""(beginning segment id, index of the reference element, index of the date element or 0 for none)."""


def other_reference(c: SetContext) -> tuple[str | None, str | None]:
    """Reference and date for a set that is not mapped to an entity (edi_documents only)."""
    spec = OTHER_REFERENCES.get(c.ts)
    if spec is None:
        return None, c.group_date
    seg_id, ref_i, date_i = spec
    for i in range(c.start + 1, min(c.end, c.start + 6)):
        el = c.segs[i]
        if el[0] == seg_id:
            ref = at(el, ref_i) or None
            when = ymd(at(el, date_i)) if date_i else None
            return ref, when or c.group_date
    return None, c.group_date
