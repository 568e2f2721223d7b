"""Where a large EDIFACT file can be cut into parts that parse exactly as the whole file does.

The EDI parse bounds its memory by parsing a large file in parts (`recon.load.x12.parallel`).
An EDIFACT file is cut only before an interchange (its UNB, or the UNA in front of it) that
directly follows the UNZ closing the previous one, because there the envelope walk holds no
state: no interchange, group or message is open, and nothing in between is stray. A part after
the first is read with the separators, character set and syntax version of the file's head
(`syntax.Service`), segment positions continue from the parts before it, and duplicate
references are replayed across parts like those across files. So the rows, their order and
`_source_row`, the findings and the file summary are those of the whole file.

The file is read in blocks, never whole. It is not cut (and is parsed whole) when it is not
ASCII (character and byte offsets would differ, and the character set check reads the whole
file) or when its segment terminator is a line break or a blank (layout would then be data).
A single giant interchange is not cut either: inside it a part would need the open
interchange's counts and references.
"""

from __future__ import annotations

import re
from pathlib import Path

from recon.load.edifact.syntax import Service, service, strip_start

MARGIN = 4096
"""Bytes a candidate cut may look back from its terminator (to the previous segment, which must
be a UNZ, and the release characters before either terminator). A UNZ longer than this is not
cut after, whatever the block size, so that cut points never depend on the block."""

TAIL = 256
"""Layout (blanks, line breaks) a cut may have between the UNZ's terminator and the next UNA/UNB;
consecutive blocks overlap by 2 x MARGIN, so every candidate is judged once with all it needs."""

_LAYOUT = b" \t\r\n"


def head_of(path: Path, size: int = 64 * 1024) -> Service | None:
    """The service characters of a file from its first bytes; None when they cannot be cut by."""
    with open(path, "rb") as fh:
        data = strip_start(fh.read(size))
    head = service(data)
    term = head.separators.terminator
    if head.issues or len(term) != 1 or term in " \t\r\n" or not term.isascii():
        return None
    return head


def stream_cuts(path: Path, part_bytes: int, block_bytes: int) -> tuple[list[int], Service | None]:
    """Byte offsets to cut the file at (starts of interchanges after a UNZ), and the head the parts are read with.

    Cuts are at least `part_bytes` apart and leave at least half a part at the end; no cuts
    (and None) when the file cannot be cut (see the module docstring).
    """
    head = head_of(path)
    if head is None:
        return [], None
    seps = head.separators
    term, elem = seps.terminator.encode(), seps.element.encode()
    release = seps.release.encode() if seps.release else None
    unz = b"UNZ" + elem
    candidate = re.compile(re.escape(term) + rb"[ \t\r\n]*(?=UN[AB])")
    block = max(block_bytes, 4 * MARGIN)
    size = path.stat().st_size
    cuts: list[int] = []
    last_cut = 0
    base, lo = 0, 0  # the block's offset in the file; cuts before `lo` (in the block) were judged already
    with open(path, "rb") as fh:
        while True:
            fh.seek(base)
            data = fh.read(block)
            if not data.isascii():
                return [], None
            final = base + len(data) >= size
            hi = len(data) if final else len(data) - TAIL
            for m in candidate.finditer(data, max(0, lo - TAIL - 1)):
                t, at = m.start(), m.end()
                if at < lo or at - t > TAIL:
                    continue
                if at >= hi:
                    break
                if at + base - last_cut < part_bytes or not _after_unz(data, t, term, release, unz):
                    continue
                if size - (at + base) < part_bytes // 2:
                    return cuts, head if cuts else None
                cuts.append(at + base)
                last_cut = at + base
            if final:
                return cuts, head if cuts else None
            base, lo = base + hi - 2 * MARGIN, 2 * MARGIN


def _released(data: bytes, k: int, release: bytes | None, floor: int) -> bool | None:
    """Whether the character at k is released (an odd run of release characters before it); None
    when the run reaches back to `floor` (undecidable within MARGIN: no cut)."""
    if release is None:
        return False
    n = 0
    while data[k - n - 1 : k - n] == release:
        n += 1
        if k - n <= floor:
            return None
    return n % 2 == 1


def _after_unz(data: bytes, t: int, term: bytes, release: bytes | None, unz: bytes) -> bool:
    """Whether the terminator at t is a real one that ends a UNZ, all within MARGIN bytes before t."""
    floor = max(0, t - MARGIN)  # 0 only in the file's first block: the file's start, the same for any block size
    if _released(data, t, release, floor) is not False:
        return False
    prev = data.rfind(term, floor, t)
    while prev >= 0:
        released = _released(data, prev, release, floor)
        if released is None:
            return False
        if not released:
            break
        prev = data.rfind(term, floor, prev)
    start = prev + 1 if prev >= 0 else (0 if floor == 0 else -1)
    if start < 0:
        return False
    return data[start:t].lstrip(_LAYOUT).startswith(unz)


__all__ = ["MARGIN", "head_of", "stream_cuts"]
