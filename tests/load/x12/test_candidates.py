"""The tokenizer's candidates found in Arrow (`load.x12.candidates`) are the reference scan's, index for index.

`split_body` is run both ways on generated interchange bodies (envelope and mandatory tags,
look-alikes, empty and missing elements, delimiters that are regex metacharacters or not ASCII,
line-break terminators, CRLF and blanks around terminators, wrapped lines, empty segments,
control characters, truncated text); whole files (the corpus, the fixtures, generated malformed
interchanges) are parsed both ways and their tables, findings and summaries compared.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.load.x12 import X12Options, candidates
from recon.load.x12.isa import Delimiters
from recon.load.x12.tokenizer import split_body

from .helpers import FIXTURES, assert_both_ways_same, assert_fallback_is_the_reference, isa
from .test_columnar import CORPUS, _files

TAGS = ["ST", "SE", "GS", "GE", "IEA", "ISB", "ISE", "TA1", "N1", "DTM", "REF", "CTT", "ACK", "HL", "LIN", "SN1",
        "PRF", "MAN", "PID", "TDS", "SAC", "W01", "W12", "QTY", "AK2", "AK5", "AK9", "PO1", "IT1", "BEG", "IEAX",
        "SEX", "S", "N", "N12", "AK", "TA", "G", "HLL", "ISA",
        "\x00ST", " N1", "\x01REF", "ÜX", "\x7fA"]  # control characters before a tag (stripped), other scripts
VALUES = st.sampled_from(["", "", "1", "AB", " ", "  ", "X Y", "Ü", "…", "\t", "\x00"])
# (element, terminator or "\n" for a line-break terminator): punctuation that means something in a regex, non-ASCII.
DELIMITERS = [("*", "~"), ("|", "\\"), ("^", "]"), ("[", "$"), ("-", "."), ("+", "'"), ("\u00a7", "\u2026"),
              ("*", "\n"), ("\\", "\n"), ("(", ")"), ("?", "{")]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, Delimiters]:
    e, t = draw(st.sampled_from(DELIMITERS))
    line = t == "\n"
    d = Delimiters(e, ">", None, t, line)
    segments = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(st.sampled_from(TAGS))
        values = draw(st.lists(VALUES, max_size=6))
        segments.append(e.join([tag, *values]) if draw(st.integers(0, 9)) else "")  # "" : two terminators in a row
    after = draw(st.sampled_from(["", "\n", "\r\n", " ", "\t", "\r", " \n  "])) if not line else ""
    text = "".join(s + t + after for s in segments)
    if line and draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", " \n", "\n\n", ">\n"])))
    if not line and draw(st.integers(0, 4)) == 0:  # wrapped at a fixed width
        width = draw(st.integers(5, 40))
        text = "\n".join(text[k : k + width] for k in range(0, len(text), width))
    if draw(st.integers(0, 4)) == 0:  # truncated
        text = text[: draw(st.integers(0, len(text)))]
    return text, d


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_the_arrow_candidates_are_the_reference_scan(body: tuple[str, Delimiters]) -> None:
    text, d = body
    arrays: list = []
    saved = candidates.MIN_SEGMENTS
    candidates.MIN_SEGMENTS = 0
    try:
        fast = split_body(text, d, arrays)
    finally:
        candidates.MIN_SEGMENTS = saved
    assert fast == split_body(text, d)
    if arrays:  # the array holds the segments the list holds, in order
        assert arrays[0].to_pylist() == fast[0]


def test_the_arrow_path_is_taken_on_a_large_interchange() -> None:
    """Not a vacuous comparison: above MIN_SEGMENTS the array is made and the candidates come from it."""
    d = Delimiters("*", ">", None, "~", False)
    body = "GS*PO*A*B*20240105*1200*1*X*004010~" + "".join(
        f"ST*850*{k:04d}~BEG*00*SA*PO{k}**20240105~N1**X~PO1*1*2*EA~SE*5*{k:04d}~\n" for k in range(600)
    ) + "GE*600*1~IEA*1*000000001~"
    arrays: list = []
    raw, envelope, _, suspects = split_body(body, d, arrays)
    assert len(arrays) == 1 and len(arrays[0]) == len(raw) == 3003
    assert envelope == split_body(body, d)[1] and len(envelope) == 1203
    assert suspects == [4 + 5 * k for k in range(600)]  # each N1 with an empty N101


def assert_same(paths: list[Path], options: X12Options | None = None) -> None:
    assert_both_ways_same(candidates, paths, options)


def test_fixtures_each_and_together() -> None:
    files = _files(FIXTURES)
    assert files
    for path in files:
        assert_same([path])
    assert_same(files)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")
def test_shared_corpus() -> None:
    files = _files(CORPUS)
    assert files
    for path in files:
        assert_same([path])


SETS = [
    ["ST*850*{c}", "BEG*00*SA*PO1**20240105", "N1*BY*B*92*C1", "PO1*1*2*EA*3**VP*S", "PID*F****D", "CTT*1", "SE*7*{c}"],
    ["ST*850*{c}", "BEG*00*SA*PO1**20240105", "N1**B", "PO1*1*2*EA", "SE*9*{c}"],  # SE01 wrong, N101 empty
    ["ST*810*{c}", "BIG*20240107*INV1**PO1", "IT1*1*2*EA*3**VP*S", "TDS*600", "SE*5*{c}"],
    ["ST*850*{c}", "BEG*00*SA*PO2**20240105", "PO1*1*2*EA*3**VP*S"],  # no SE
    ["SE*3*{c}"],  # SE without ST
    ["GS*PO*ACME*BIGBOX*20240105*1200*7*X*004010"],  # a group inside a group
    ["GE*1*7"],
    ["IEA*1*000000001", "REF*DP*1"],  # data after IEA
    ["ISB*1", "TA1*000000001*240105*1200*A*000"],
    ["IEAX*1", "SEX*1*2"],  # look-alikes
]


@st.composite
def interchanges(draw: st.DrawFn) -> str:
    out = [isa("ACME", "BIGBOX"), "GS*PO*ACME*BIGBOX*20240105*1200*1*X*004010"]
    for k, segs in enumerate(draw(st.lists(st.sampled_from(SETS), max_size=8)), start=1):
        out += [s.format(c=f"{k:04d}") for s in segs]
    if draw(st.booleans()):
        out += ["GE*1*1", "IEA*1*000000001"]
    layout = draw(st.sampled_from(["~\n", "~\r\n", "~", " ~ ", "~\n\n"]))
    text = layout.join(out) + layout
    if draw(st.integers(0, 3)) == 0:
        text = text[: draw(st.integers(110, max(110, len(text))))]
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interchanges())
def test_generated_interchanges(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gen.edi"
        path.write_text(text, encoding="utf-8")
        assert_same([path], X12Options(our_ids=["ACME"]))


def test_a_failing_arrow_path_leaves_the_scan_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_fallback_is_the_reference(monkeypatch, candidates, "find", _files(FIXTURES))
