"""An interchange's segments as one Arrow array, and its envelope and mandatory candidates found with RE2.

Why: the tokenizer's reference finds the segments the envelope walker and the mandatory check
must look at with one Python `re` scan of the interchange's text and a `str.count` of the
terminators between hits (about 0.13 s for 1M segments, the largest part of `split_body`).
Here the segment strings also go into one Arrow string array (40 ms for 1M segments), and the
same question is asked of every segment at once with one anchored RE2 match
(`match_substring_regex`, about 55 ms): a hit's position in the array is its index. The
array also feeds the columnar line mapping (`columnar`), which otherwise converts the 850/810
segment strings to Arrow a second time (bench/notes.md, "X12 throughput: the tokenizer's candidates in Arrow").

The answer is the reference's, index for index: the RE2 pattern is the text pattern of
`tokenizer._envelope_re` with the tag anchored at the segment's start instead of after a
terminator and the look-aheads ("the element ends here") written as "a separator or the end of
the segment" (RE2 has no look-around; a segment holds no terminator). The caller keeps the
reference scan for small interchanges and whenever this raises (tests/load/x12/test_candidates.py
compares both on the corpus and on generated text).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from recon.load.x12.elements import empty_mandatory_tails_re2

POOL = pa.system_memory_pool()
"""The allocator of the segment array: the C library's malloc, as for the parse's tables (`parser._POOL`):
mimalloc hands a freed 30 MB array back to the kernel and faults it in again for the next file."""

MIN_SEGMENTS = 2048
"""Segments of an interchange below which the reference scan is used (Arrow's fixed cost per
call outweighs the gain on a small interchange). The tests set it to 0."""

ENVELOPE_TAGS = ("ST", "SE", "GS", "GE", "IEA", "ISB", "ISE", "TA1")
"""The tags the walker looks at (`tokenizer.ENVELOPE_IDS`, repeated here to keep the import graph flat)."""


def re2_char(c: str) -> str:
    """One character as an RE2 literal, usable inside and outside a character class (`\\x{...}`)."""
    return f"\\x{{{ord(c):x}}}"


@lru_cache(maxsize=64)
def patterns(element: str) -> tuple[str, str]:
    """(a segment that is an envelope candidate or may lack a mandatory element, an envelope candidate)."""
    e = re2_char(element)
    tails = empty_mandatory_tails_re2(element)
    tails.update((tag, e) for tag in ENVELOPE_TAGS)
    return "^" + _prefix_tree(tails), "^(?:" + "|".join(ENVELOPE_TAGS) + ")" + e


def _prefix_tree(tails: dict[str, str]) -> str:
    """`(?:tag1 tail1|...)` with common first characters factored out (as `tokenizer._prefix_tree`; tags are
    letters and digits, so they need no escaping)."""
    by_first: dict[str, dict[str, str]] = {}
    for tag, tail in tails.items():
        by_first.setdefault(tag[:1], {})[tag[1:]] = tail
    alternatives = [rest[""] if first == "" else first + _prefix_tree(rest) for first, rest in by_first.items()]
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


def segment_array(pieces: list[str]) -> pa.Array | None:
    """The segment strings (`split_body`'s list before empty ones are dropped) as one Arrow string array.

    Made from the list, not by `split_pattern` over the text: 11 ms slower for 1M segments alone
    (40 against 29), not measurable in a whole parse, and without a second UTF-8 copy of the text
    alive beside the list, which raised the parse's peak memory by ~60 MB per 1M segments.
    None when the strings do not fit one array (over 2 GiB): the reference scan then.
    """
    segments = pa.array(pieces, pa.string(), memory_pool=POOL)
    return segments if isinstance(segments, pa.Array) else None


def shortest_and_lowest(segments: pa.Array) -> tuple[int, str]:
    """(the length of the shortest segment, the lowest segment as text: what `split_body` asks of the list).

    Arrow orders strings by their UTF-8 bytes, which is the order of their code points, as Python does.
    """
    if not len(segments):
        return 1, "~"
    shortest = pc.min(pc.binary_length(segments)).as_py()
    return shortest, (pc.min(segments).as_py() if shortest else "")


def find(segments: pa.Array, element: str) -> tuple[list[int], list[int]]:
    """(envelope candidates, mandatory candidates) as interchange indexes (the array's first segment is index 1).

    Index 1 is left out of both, as the reference scan leaves it (no terminator precedes it in
    the text; `split_body` decides about it on its own).
    """
    either, envelope = patterns(element)
    hit = pc.match_substring_regex(segments, either, memory_pool=POOL).to_numpy(zero_copy_only=False)
    hit[:1] = False
    at = np.flatnonzero(hit)
    if not len(at):
        return [], []
    is_envelope = pc.match_substring_regex(segments.take(pa.array(at)), envelope).to_numpy(zero_copy_only=False)
    at += 1
    return at[is_envelope].tolist(), at[~is_envelope].tolist()
