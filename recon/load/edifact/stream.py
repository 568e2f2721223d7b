"""A large EDIFACT file read block by block: the whole-file parse's result in memory for a block.

The whole-file path (`syntax.tokenize`) decodes the file, replaces released characters, drops
layout and splits it into segment strings, then walks the envelopes over all of them: several
times the file in memory. Files of many interchanges are cut between them (`cuts`), but not a
single giant UNB..UNZ, a file that is not ASCII, nor one with a line break or a blank as its
terminator. Those are read here, the X12 way (`recon.load.x12.stream`, with the same block
reading, `recon.load.blocks`):

* a first pass over the bytes finds which codec the whole-file path would decode with (the
  declared character set, UTF-8, Latin-1) and whether a release character occurs, keeping no text;
* the text is decoded block by block (a UTF-8 character split between blocks is decoded whole);
  a run of release characters at a block's end waits for the next block, so `??`, `?'` and `?+`
  pair as in the whole text; layout is dropped per block; each piece ends after a terminator;
* the envelope walk takes the segments one block at a time (`envelope.Walker.walk_blocks`) and
  each message is mapped when its UNT is read.

A file is read whole instead when its head does not tell its service characters within the
first `HEAD_BYTES`, when its terminator is a carriage return, or when its first segment starts
with a blank (whether the whole-file path strips it depends on the whole file's layout).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from recon.load.blocks import Validity, decoded_blocks, pieces, read_range
from recon.load.edifact.syntax import (
    Service,
    SyntaxIssue,
    Tokens,
    choose_codec,
    declared_codec,
    drop_layout,
    is_edifact,
    service,
    split_text,
    strip_start,
)

BLOCK_BYTES = 8 * 1024 * 1024
"""Bytes decoded per block: the memory of a block's segment strings is about 3 x this."""

HEAD_BYTES = 64 * 1024
"""The bytes the service characters and the syntax identifier (UNB S001) must be read from."""


@dataclass(slots=True)
class Plan:
    """How to read a qualifying file: its head, where its text starts, its codec and what the first pass found."""

    head: Service
    start: int  # byte offset of the text after the BOM, leading blanks and UNA
    codec: str
    issues: list[SyntaxIssue]  # the file-level issues of the whole-file path, in its order
    escaped: bool  # a release character occurs in the text
    una: bool = False  # the text follows a UNA (segment positions count it)
    stop: int = -1  # the end of a part of a file cut at an interchange (`cuts`), -1: the file's end


def plan(path: Path, start: int = 0, stop: int = -1, part_of: Service | None = None) -> Plan | None:
    """The plan for reading the EDIFACT file `path` block by block, or None (not EDIFACT, or read whole).

    With `part_of` (the file's head), the bytes `start`..`stop` are a part of the file cut before
    an interchange (`cuts`), read as `syntax.tokenize` reads such a part.
    """
    with open(path, "rb") as fh:
        raw = next(read_range(fh, start, stop, HEAD_BYTES), b"")
        if not is_edifact(raw):
            return None
        data = strip_start(raw)
        head = service(data) if part_of is None else part_of
        complete = len(raw) < HEAD_BYTES
        if part_of is None and not complete and not _head_read(data, head):
            return None
        seps = head.separators
        if seps.terminator == "\r":
            return None
        una = head.una and part_of is None
        skip = len(raw) - len(data) + (head.una_len if una else 0)
        if not _first_segment_unindented(raw[skip:], seps.terminator, complete):
            return None
        validity = Validity([declared_codec(head.charset), "utf-8"])
        release = seps.release.encode("latin-1") if seps.release else None
        escaped = False
        for block in read_range(fh, start + skip, stop, BLOCK_BYTES):
            validity.feed(block)
            escaped = escaped or (release is not None and release in block)
        validity.feed(b"", True)
    codec, issues = choose_codec(head.charset, validity)
    issues = [*head.issues, *issues] if part_of is None else []
    return Plan(head, start + skip, codec, issues, escaped, una, stop)


def _head_read(data: bytes, head: Service) -> bool:
    """Whether `service` read the head from `data` as it would from the whole file: UNB and its S001 end are in it."""
    k = data.find(b"UNB", head.una_len)
    if k < 0:
        return False
    ends = (head.separators.element.encode("latin-1"), head.separators.terminator.encode("latin-1"))
    return any(data.find(e, k + 4) >= 0 for e in ends)


def _first_segment_unindented(text: bytes, term: str, complete: bool) -> bool:
    """Whether the text's first segment starts with no blank (line breaks that are layout aside)."""
    layout = b"\r" if term == "\n" else b"\r\n"
    probe = text.lstrip(layout)
    while probe.startswith(b"\xef\xbb\xbf"):
        probe = probe[3:].lstrip(layout)
    if not probe:
        return complete
    return probe[:1] not in (b" ", b"\t")


def tokens(path: Path, p: Plan) -> tuple[Tokens, Iterator[list[str]]]:
    """The file's `Tokens` holding its first block of segments, and an iterator over the further blocks."""
    blocks = segment_blocks(path, p)
    h = p.head
    first = next(blocks, [])
    return Tokens(h.separators, first, 2 if p.una else 1, p.una, h.charset, h.version, p.escaped, list(p.issues),
                  h.una_segment), blocks


def segment_blocks(path: Path, p: Plan) -> Iterator[list[str]]:
    """The file's segment strings, a block at a time, exactly as `syntax.tokenize` cuts the whole text."""
    term = p.head.separators.terminator
    first = True
    for piece in pieces(_prepared(path, p), lambda text: text.rfind(term)):
        yield split_text(piece, term, None if first else True)
        first = False


def _prepared(path: Path, p: Plan) -> Iterator[str]:
    """The decoded text with released characters as placeholders and layout dropped, block by block."""
    seps = p.head.separators
    release = seps.release if p.escaped else None
    held = ""  # a run of release characters at a block's end: what it releases is in the next block
    for chunk in decoded_blocks(path, p.codec, BLOCK_BYTES, p.start, p.stop):
        text = held + chunk if held else chunk
        if release is not None:
            keep = len(text.rstrip(release))
            text, held = text[:keep], text[keep:]
        yield drop_layout(text, seps, p.escaped)
    if held:
        yield drop_layout(held, seps, p.escaped)


__all__ = ["BLOCK_BYTES", "Plan", "plan", "segment_blocks", "tokens"]
