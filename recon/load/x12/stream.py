"""A file that is one large interchange, read block by block: memory for a block, not for the file.

The whole-file path decodes the file, cuts each interchange into segment strings and walks
them: about 4 x the file in memory (a 3.9 GB interchange took 11.5 GB). Files of many
interchanges are cut between them (`parallel`), but one ISA..IEA cannot be cut there. Here
such a file is decoded block by block (`BLOCK_CHARS`), each block cut after its last segment
terminator into segment strings (`tokenizer.split_piece`), and the envelope walker and the
mappers take the segments one block at a time (`EnvelopeWalker.walk_blocks`): a transaction
set is mapped as soon as its SE is read and its strings released.

Only the plain case is read this way, so that the result is the whole-file parse's, segment
for segment: UTF-8 or Latin-1 text (no UTF-16, no EBCDIC) that starts with a readable ISA,
holds no second "ISA" anywhere and nothing but the IEA after its (single) IEA. A first pass
over the file checks that (and which codec the whole-file path would choose) without keeping
the text; anything else takes the whole-file path.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from recon.load.blocks import Validity, decoded_blocks, read_range
from recon.load.blocks import pieces as text_pieces
from recon.load.x12.isa import LAYOUT, Delimiters, IsaError, Issue, read_isa
from recon.load.x12.tokenizer import BOM, EBCDIC_ISA, Block, split_body, split_piece

EBCDIC_LAYOUT = b"\x40\x00\x0d\x15\x25\x05"  # what `tokenizer.decode` skips before an EBCDIC "ISA"

STREAM_MIN_BYTES = 64 * 1024 * 1024
"""Files from this size on are read block by block when they qualify (smaller ones: whole)."""

BLOCK_CHARS = 8 * 1024 * 1024
"""Decoded characters per block: the memory of a block's segment strings is about 3 x this."""

_TRAILING = "\x00\x1a \t\r\n"  # what `tokenizer.decode` strips from the end of a file
_TAIL_MAX = 64 * 1024  # the text after the IEA that is looked at (an IEA is 30 characters)


@dataclass(slots=True)
class Plan:
    """How to read a qualifying file: its codec, ISA and delimiters, and what the first pass found."""

    codec: str
    delimiters: Delimiters
    isa: list[str]
    issues: list[Issue]
    body_start: int  # in characters of the decoded text
    start: int = 0  # the byte range read: a part of a file cut at interchanges (`parallel`), or all of it
    stop: int = -1
    last: bool = True  # the range ends the file: its end is stripped as `tokenizer.decode` strips a file's


def plan(path: Path, start: int = 0, stop: int = -1, codec: str | None = None) -> Plan | None:
    """The plan for reading `path` block by block, or None when it must be read whole (see module doc).

    With a byte range (`start`, `stop`) and the whole file's `codec`: a part of the file that
    holds one interchange, read as `parallel` reads a part (the end stripped only at the file's end).
    """
    block_bytes = BLOCK_CHARS
    last = stop < 0
    with open(path, "rb") as fh:
        fh.seek(start)
        head = fh.read(4096)  # enough to tell (a block's read would allocate the block even for an EDIFACT file)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.lstrip(EBCDIC_LAYOUT).startswith(EBCDIC_ISA):
            return None
        if not head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0b\x0c\x00").startswith(b"ISA"):
            return None  # EDIFACT, or something before the ISA: no need to read the file for nothing
        head = next(read_range(fh, start, stop, block_bytes), b"")
        scan = _scan(read_range(fh, start, stop, block_bytes), codec)
    if scan is None:
        return None
    codec, tail = scan
    text = codecs.getincrementaldecoder(codec)().decode(head).replace(BOM, "")
    lead = len(text) - len(text.lstrip(LAYOUT + "\x00"))
    if text[lead : lead + 3] != "ISA":
        return None
    try:
        d, isa, body_start, issues = read_isa(text, lead)
    except IsaError:
        return None
    if any(i.code in ("X12-ISA-MISSING", "X12-ISA-UNREADABLE") for i in issues):
        return None
    after = tail.decode(codec).rstrip(_TRAILING if last else "") if tail is not None else ""
    if tail is not None and len(split_body(after, d)[0]) != 1:
        return None  # segments after the IEA: the whole-file path looks for a group there
    return Plan(codec, d, isa, issues, body_start, start, stop, last)


def _scan(blocks: Iterator[bytes], codec: str | None) -> tuple[str, bytes | None] | None:
    """First pass over the bytes: the codec the whole-file path would use, one ISA, at most one IEA.

    UTF-8 when the whole file decodes as UTF-8, else Latin-1 (as `tokenizer.decode`), unless
    `codec` is given. Returns the bytes from the IEA on (None without one), or None when the file
    does not qualify.
    """
    validity = Validity(["utf-8"] if codec is None else [])
    isas = ieas = 0
    overlap = b""
    tail: bytes | None = None
    for data in blocks:
        validity.feed(data)
        window = overlap + data
        isas += window.count(b"ISA")
        found = window.count(b"IEA")
        if found:
            tail = window[window.rfind(b"IEA"):]
        elif tail is not None:
            tail += data
        ieas += found
        if isas > 1 or ieas > 1 or (tail is not None and len(tail) > _TAIL_MAX):
            return None
        overlap = window[-2:]
    validity.feed(b"", True)
    if codec is None:
        codec = "utf-8" if validity.valid("utf-8") else "latin-1"
    return codec, tail


def text_blocks(path: Path, codec: str, block_bytes: int, start: int = 0, stop: int = -1,
                strip_end: bool = True) -> Iterator[str]:
    """The file's decoded text in blocks, BOMs dropped and the end stripped as `tokenizer.decode` does."""
    if not strip_end:
        yield from decoded_blocks(path, codec, block_bytes, start, stop)
        return
    held = ""  # trailing characters that are only dropped when nothing follows them
    for chunk in decoded_blocks(path, codec, block_bytes, start, stop):
        kept = chunk.rstrip(_TRAILING)
        if kept:
            yield held + kept if held else kept
            held = chunk[len(kept):]
        else:
            held += chunk


def pieces(path: Path, p: Plan) -> Iterator[str]:
    """The interchange's text after the ISA, cut right after a segment terminator about every block."""
    d = p.delimiters

    def last_cut(block: str) -> int:
        return max(block.rfind("\n"), block.rfind("\r")) if d.line_terminated else block.rfind(d.segment)

    def after_isa() -> Iterator[str]:
        skip = p.body_start
        for block in text_blocks(path, p.codec, BLOCK_CHARS, p.start, p.stop, p.last):
            if skip:
                block, skip = block[skip:], max(0, skip - len(block))
            yield block

    return text_pieces(after_isa(), last_cut)


def segment_blocks(path: Path, p: Plan) -> Iterator[Block]:
    """Each piece split into segments, with its envelope and mandatory candidates as indexes in the interchange.

    Index 0 is the ISA, so the first piece's first segment is 1, as in the whole-file path. The
    last item is the piece's text before layout removal (for the separator checks; not kept).
    """
    index = 1
    for piece in pieces(path, p):
        segments, envelope, suspects = split_piece(piece, p.delimiters, index)
        index += len(segments)
        yield segments, envelope, suspects, piece
