"""A large file's text, block by block: what X12 and EDIFACT streaming share.

An EDI file of GBs cannot be decoded and split whole (text, segment strings and element lists
take several times the file). The streaming readers (`recon.load.x12.stream`,
`recon.load.edifact.stream`) read it in three steps that this module holds:

1. a first pass over the bytes (`Validity`) that finds, without keeping any text, which codecs
   decode the whole file and where the first byte is that one of them cannot, so the codec the
   whole-file path would choose (and the warning it would give) is known before any text is cut;
2. the bytes decoded block by block with an incremental decoder (`decoded_blocks`), so a
   multi-byte UTF-8 character split across two blocks is decoded whole;
3. the text cut into pieces that end right after a segment terminator (`pieces`), the rest of a
   block carried over to the next, so every piece splits into whole segments.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

BOM = "\ufeff"
SLICE = 1024 * 1024


class Validity:
    """Fed the bytes of a file in order: whether each codec decodes all of them, and where not.

    `errors[codec]` is None while every byte so far decodes, else (offset, byte) of the first
    byte that does not, the offset counted from the first byte fed (as `UnicodeDecodeError.start`
    of decoding the bytes at once).
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.decoders = {name: codecs.getincrementaldecoder(name)() for name in dict.fromkeys(names)}
        self.errors: dict[str, tuple[int, int] | None] = dict.fromkeys(self.decoders)
        self.ascii = True
        self.fed = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        """The next bytes (`final`: the last). Decoded a slice at a time, so the text thrown away is
        never larger than SLICE; ASCII with nothing pending is valid in every codec used here."""
        ascii_data = data.isascii()
        if not ascii_data:
            self.ascii = False
        for name, decoder in self.decoders.items():
            if self.errors[name] is not None:
                continue
            pending = len(decoder.getstate()[0])
            if ascii_data and not pending:
                continue
            for k in range(0, max(len(data), 1), SLICE):
                piece = data[k : k + SLICE]
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(piece, final and k + SLICE >= len(data))
                except UnicodeDecodeError as exc:
                    self.errors[name] = (self.fed + k - pending + exc.start, exc.object[exc.start])
                    break
        self.fed += len(data)

    def valid(self, name: str) -> bool:
        return self.errors[name] is None


def decoded_blocks(path: Path, codec: str, block_bytes: int, start: int = 0, stop: int = -1) -> Iterator[str]:
    """The file's text from byte `start` to `stop` (-1: the end), `block_bytes` at a time, byte-order marks dropped.

    The last item (possibly empty) is what the decoder holds at the end.
    """
    decoder = codecs.getincrementaldecoder(codec)()
    with open(path, "rb") as fh:
        for data in read_range(fh, start, stop, block_bytes):
            yield _without_bom(decoder.decode(data))
    yield _without_bom(decoder.decode(b"", True))


def _without_bom(chunk: str) -> str:
    return chunk.replace(BOM, "") if BOM in chunk else chunk


def read_range(fh: BinaryIO, start: int, stop: int, block_bytes: int) -> Iterator[bytes]:
    """The bytes from `start` to `stop` (-1: the end) of an open file, `block_bytes` at a time."""
    fh.seek(start)
    left = -1 if stop < 0 else stop - start
    while left:
        data = fh.read(block_bytes if left < 0 else min(block_bytes, left))
        if not data:
            return
        left -= len(data) if left > 0 else 0
        yield data


def pieces(chunks: Iterable[str], last_cut: Callable[[str], int]) -> Iterator[str]:
    """The text of `chunks` again, in pieces that each end right after the index `last_cut` finds in a chunk.

    What follows the cut is carried over to the next piece; a chunk without a cut is carried
    whole. The last piece is the rest after the last cut (not yielded when empty).
    """
    carry: list[str] = []
    for chunk in chunks:
        cut = last_cut(chunk)
        if cut < 0:
            if chunk:
                carry.append(chunk)
            continue
        carry.append(chunk[: cut + 1])
        yield "".join(carry)
        rest = chunk[cut + 1 :]
        carry = [rest] if rest else []
    if carry:
        yield "".join(carry)


__all__ = ["BOM", "Validity", "decoded_blocks", "pieces", "read_range"]
