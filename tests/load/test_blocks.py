"""Block reading shared by the X12 and EDIFACT streaming readers: the same answers as reading whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.load import blocks

_BYTES = st.lists(st.sampled_from([0x41, 0x27, 0x0A, 0xC3, 0xA9, 0xE6, 0x97, 0xA5, 0xEF, 0xBB, 0xBF, 0xFF]),
                  max_size=60).map(bytes)


@settings(max_examples=200, deadline=None)
@given(data=_BYTES, cuts=st.lists(st.integers(1, 9), max_size=20), codec=st.sampled_from(
    ["utf-8", "ascii", "latin-1", "iso8859-7", "euc-kr"]), slice_=st.integers(1, 8))
def test_validity_fed_in_pieces_finds_what_decoding_at_once_finds(data: bytes, cuts: list[int], codec: str,
                                                                   slice_: int) -> None:
    try:
        data.decode(codec)
        expected = None
    except UnicodeDecodeError as exc:
        expected = (exc.start, data[exc.start])
    with pytest.MonkeyPatch.context() as m:
        m.setattr(blocks, "SLICE", slice_)
        v = blocks.Validity([codec])
        k = 0
        for n in cuts:
            v.feed(data[k : k + n])
            k += n
        v.feed(data[k:])
        v.feed(b"", True)
    assert v.errors[codec] == expected
    assert v.ascii == data.isascii()


@settings(max_examples=100, deadline=None)
@given(text=st.text(st.sampled_from("ab'é日\ufeff\n"), max_size=80), block=st.integers(1, 13),
       start=st.integers(0, 5), stop=st.integers(-1, 200))
def test_decoded_blocks_and_pieces_give_the_text_back(tmp_path_factory: pytest.TempPathFactory, text: str,
                                                      block: int, start: int, stop: int) -> None:
    """Multi-byte characters split between blocks decode whole; pieces end right after a terminator."""
    path = Path(tmp_path_factory.mktemp("b")) / "f"
    data = text.encode("utf-8")
    path.write_bytes(data)
    start = min(start, len(data))
    stop = -1 if stop < 0 else max(start, min(stop, len(data)))
    part = data[start : None if stop < 0 else stop]
    expected = part.decode("utf-8", errors="replace").replace("\ufeff", "")
    chunks = list(blocks.decoded_blocks(path, "utf-8", block, start, stop)) if _whole(part) else None
    if chunks is None:
        return
    assert "".join(chunks) == expected
    pieces = list(blocks.pieces(chunks, lambda t: t.rfind("'")))
    assert "".join(pieces) == expected
    assert all(p.endswith("'") for p in pieces[:-1])
    assert all(p for p in pieces)
    with open(path, "rb") as fh:
        assert b"".join(blocks.read_range(fh, start, stop, block)) == part


def _whole(part: bytes) -> bool:
    """Whether the byte range holds whole UTF-8 characters (a range cut inside one cannot decode)."""
    try:
        part.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
