"""A file of one large interchange is read block by block: the whole-file result, in bounded memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.x12 import parser, stream

from .helpers import assert_bounded_memory, build, parse, record_plans, same_result, write


def _interchange(sets: int, lines: int, *, defects: bool = True) -> list[str]:
    """One interchange: a PO group of `sets` 850s, then an invoice group; defects spread over it."""
    bodies = []
    for n in range(1, sets + 1):
        body = [f"BEG*00*SA*PO-{n}**20240105", "N1*BY*ACME*92*C1"]
        for k in range(1, lines + 1):
            body += [f"PO1*{k}*2*EA*3.5**VP*SKU-{n}-{k}", f"PID*F****ITEM {k}"]
        body.append(f"CTT*{lines}")
        bodies.append(("850", f"{n:04d}", body))
    invoices = [("810", "0001", ["BIG*20240107*INV-1*20240105*PO-1", "IT1*1*2*EA*3.5**VP*SKU-1-1", "TDS*700"])]
    segs = build([("PO", 7, bodies), ("IN", 8, invoices)])
    if defects:
        third, half = len(segs) // 3, len(segs) // 2
        segs[third] = segs[third].replace("N1*BY*", "N1**")  # an empty mandatory element (if it is an N1)
        segs.insert(half, "REF*ZZ*STRAY")  # inside a set or between two
        segs[2 * len(segs) // 3] = "N1*BY*A>B*92*C1"  # the component separator in a value
        k = next(i for i in range(len(segs) - 1, 0, -1) if segs[i].startswith("SE*"))
        segs[k] = segs[k].replace("SE*", "SE*9", 1)  # the last set's SE01 is wrong: rejected
        segs[-2] = segs[-2].replace("GE*1*8", "GE*2*8")  # GE01 count
    return segs


LAYOUTS = {
    "lf": lambda segs: "~\n".join(segs) + "~\n",
    "none": lambda segs: "~".join(segs) + "~",
    "crlf-indented": lambda segs: "~\r\n   ".join(segs) + "~\r\n\r\n",
    "wrapped": lambda segs: "\n".join(("~".join(segs) + "~")[i : i + 80] for i in range(0, 10**7, 80)).rstrip("\n"),
    "line-terminated": lambda segs: "\r\n".join(segs) + "\r\n",
    "truncated": lambda segs: "~\n".join(segs[:-3]) + "~\n",  # no GE, no IEA
}


def _streamed(monkeypatch: pytest.MonkeyPatch, block: int) -> list[bool]:
    """Stream every file (block of `block` characters); the list records which files qualified."""
    return record_plans(monkeypatch, stream, {"BLOCK_CHARS": block})


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("block", [200, 1000, 5000])
def test_a_streamed_interchange_gives_the_whole_file_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, block: int
) -> None:
    path = write(tmp_path, LAYOUTS[layout](_interchange(sets=12, lines=4)))
    whole = parse(path)
    assert {f.code for f in whole.findings} >= {"X12-SEPARATOR-IN-VALUE", "X12-CTT-COUNT"}
    assert {f.code for f in whole.findings} & {"X12-GE01-COUNT", "X12-GE-MISSING"}
    planned = _streamed(monkeypatch, block)
    same_result(parse(path), whole)
    assert planned == [True]


@pytest.mark.parametrize(
    "text",
    [
        "~\n".join(_interchange(3, 2, defects=False)) + "~\nISA*00*~\n",  # a second ISA
        "~\n".join(_interchange(3, 2, defects=False)) + "~\nGS*PO*A*B*20240105*1200*9*X*004010~\n",  # after the IEA
        "junk\n" + "~\n".join(_interchange(3, 2, defects=False)) + "~\n",  # data before the ISA
        "~\n".join(_interchange(3, 2, defects=False)).encode("utf-16"),
    ],
    ids=["two-isa", "group-after-iea", "leading-data", "utf-16"],
)
def test_files_that_do_not_qualify_are_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  text: str | bytes) -> None:
    path = write(tmp_path, text)
    whole = parse(path)
    planned = _streamed(monkeypatch, 300)
    same_result(parse(path), whole)
    assert planned == [False]


def test_latin1_bytes_in_a_streamed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte that is not UTF-8 late in the file: the whole file reads as Latin-1, as in the whole-file path."""
    segs = _interchange(6, 3, defects=False)
    segs[-5] = segs[-5].replace("ITEM", "CAF\xc9")
    path = write(tmp_path, ("~\n".join(segs) + "~\n").encode("latin-1"))
    whole = parse(path)
    planned = _streamed(monkeypatch, 300)
    same_result(parse(path), whole)
    assert planned == [True]


def test_a_large_single_interchange_is_parsed_in_bounded_memory(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Python's peak allocation hardly grows with the interchange; the whole-file path's is several times the file.

    Rows become Arrow chunks every FLUSH_ROWS and the file is read in blocks of BLOCK_CHARS, both
    lowered here so that files of a few hundred kB show what a multi-GB one does; Arrow's memory
    (the result itself) is not traced.
    """
    monkeypatch.setattr(parser, "FLUSH_ROWS", 256)
    small = write(tmp_path, "~\n".join(_interchange(sets=40, lines=100)) + "~\n", "small.edi")
    large = write(tmp_path, "~\n".join(_interchange(sets=200, lines=100)) + "~\n", "large.edi")
    assert_bounded_memory(small, large, parse, lambda: _streamed(monkeypatch, 8 * 1024))
