"""The mandatory elements recon checks (004010 segment dictionary), and a regex that finds them empty.

The tables live here, apart from the check (`sets.mandatory`), because the tokenizer uses them
too: the regex that finds envelope segments in an interchange's text finds, in the same pass,
the segments whose mandatory elements are empty, so the per-set check only looks at those.
"""

from __future__ import annotations

import re

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
"""Body segment -> mandatory element positions (segments of the sets recon maps)."""


def empty_mandatory_tails(element: str, terminator: str) -> dict[str, str]:
    """Per tag of SEGMENTS, a regex (text) for what follows the tag when a mandatory element is empty.

    Matched right after the tag: the segment ends before its last mandatory element, or a
    mandatory element is there and empty (truly empty, as in the Python check: blanks are a
    value). Written as a chain of alternatives without repeated groups (Python's `re` is slow
    with those), one element at a time; the tokenizer puts the tags in front as a prefix tree.
    """
    e, t = re.escape(element), re.escape(terminator)
    return _tails(e, f"(?![^{t}])", f"(?![^{e}{t}])", f"[^{e}{t}]")


def empty_mandatory_tails_re2(element: str) -> dict[str, str]:
    """`empty_mandatory_tails` for RE2 matched against one segment alone (`candidates`): no look-ahead.

    "The segment ends here" is the end of the string, "the element is empty" is a separator or
    the end; neither is looked past, so what the text pattern finds at a segment this finds too.
    The separator is written `\\x{...}`, which RE2 reads inside and outside a character class.
    """
    e = f"\\x{{{ord(element):x}}}"
    return _tails(e, "$", f"(?:{e}|$)", f"[^{e}]")


def _tails(e: str, ends: str, empty: str, value: str) -> dict[str, str]:
    """Per tag, the tail pattern built from the separator `e` and the three pieces of the dialect."""

    def from_element(j: int, ks: tuple[int, ...]) -> str:
        if j == max(ks):
            after = empty
        elif j in ks:  # empty here, or a value and the next elements
            after = f"(?:{empty}|{value}+{from_element(j + 1, ks)})"
        else:
            after = f"{value}*{from_element(j + 1, ks)}"
        return f"(?:{ends}|{e}{after})"

    return {tag: from_element(1, ks) for tag, ks in SEGMENTS.items()}
