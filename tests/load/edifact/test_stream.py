"""A large EDIFACT file is read block by block: the whole-file result, in bounded memory.

The streamed path is forced on small files (STREAM_MIN_BYTES 0) and tiny blocks, so that block
boundaries fall inside multi-byte characters, runs of release characters and layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.load.edifact import EdifactOptions
from recon.load.edifact import stream as edifact_stream
from recon.load.x12 import X12Options, parallel, parse_x12_files, parser
from recon.load.x12 import stream as x12_stream

from ..x12.helpers import assert_bounded_memory, record_plans, same_result
from .helpers import interchange, message, parse, write
from .test_corpus import CORPUS


def _streamed(monkeypatch: pytest.MonkeyPatch, block: int) -> list[bool]:
    """Stream every EDIFACT file (blocks of `block` bytes); the list records which files qualified."""
    return record_plans(monkeypatch, edifact_stream, {"BLOCK_BYTES": block})


def _orders(n: int, *, lines: int = 2, value: str = "WIDGET 10?+ PACK", start: int = 1) -> list[list[str]]:
    """`n` ORDERS messages; every line carries `value` (already escaped) in its IMD."""
    out = []
    for k in range(start, start + n):
        body = [f"BGM+220+PO-{k}+9", "DTM+137:20240105:102", "NAD+BY+C100::9++ACME", "NAD+SU+DISTCO::9"]
        for j in range(1, lines + 1):
            body += [f"LIN+{j}++40008621414{j:02d}:EN", f"PIA+1+SKU-{k}-{j}:SA", f"IMD+F++:::{value}",
                     f"QTY+21:{j + 2}:PCE", "PRI+AAA:3.50"]
        body += ["UNS+S", f"CNT+2:{lines}"]
        out.append(message("ORDERS", f"M{k}", body))
    return out


def _defective(messages: list[list[str]]) -> list[list[str]]:
    """Envelope defects spread over the messages: a wrong UNT count, a stray segment, a reused reference."""
    messages = [list(m) for m in messages]
    messages[len(messages) // 3][-1] = messages[len(messages) // 3][-1].replace("UNT+", "UNT+9")
    messages[len(messages) // 2].append("FTX+AAI+++STRAY")
    messages[-1][0] = messages[0][0]
    messages[-1][-1] = messages[0][-1].replace(messages[0][-1].split("+")[1], str(len(messages[-1])))
    return messages


LAYOUTS: dict[str, dict[str, str]] = {
    "none": {"sep": ""},
    "lf": {"sep": "\n"},
    "crlf-indented": {"sep": "\r\n   "},
    "blank-terminator": {"una": "UNA:+.?* ", "term": " ", "sep": ""},
    "no-una": {"una": "", "sep": "\n"},
}


def _file(layout: str, messages: list[list[str]], **kw: str) -> str:
    opts = {"una": "UNA:+.? '", "term": "'", **LAYOUTS[layout]}
    una = opts.pop("una")
    text = interchange(messages, una=una or None, **opts, **kw)  # type: ignore[arg-type]
    return text.replace(una + opts["sep"], una + "\r\n", 1) if una else text  # UNB at the line's start


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("block", [5, 64, 1000])
def test_one_large_interchange_streamed_gives_the_whole_file_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, block: int
) -> None:
    value = "WIDGET 10?+ PACK ?? ?: ?'" if layout != "blank-terminator" else "W?+?:??"
    text = _file(layout, _defective(_orders(30, value=value)), group=("ORDERS", "G1"))
    text = text.replace("UNE+30+G1", "UNE+31+G1")  # a wrong group count
    path = write(tmp_path, text)
    whole = parse(path)
    codes = {f.code for f in whole.findings}
    assert {"EDIFACT-UNT-COUNT", "EDIFACT-STRAY-SEGMENT", "EDIFACT-DUPLICATE-MESSAGE", "EDIFACT-UNE-COUNT"} <= codes
    assert whole.tables["order_lines"].num_rows > 40
    planned = _streamed(monkeypatch, block)
    same_result(parse(path), whole)
    assert planned == [True]


@pytest.mark.parametrize("charset,encoding,name", [
    ("UNOC:3", "latin-1", "MÜLLER ÅSA ÇÉ"),
    ("UNOW:4", "utf-8", "MÜLLER 日本 Ωμέγα €"),
    ("UNOC:3", "utf-8", "MÜLLER €"),  # UTF-8 declared Latin-1: read as UTF-8, with a warning
    ("UNOA:3", "latin-1", "MÜLLER"),  # a byte outside UNOA: read as Latin-1, the warning names its offset
    ("UNOY:4", "latin-1", "MÜLLER"),  # not UTF-8 as declared: read as Latin-1
])
@pytest.mark.parametrize("block", [3, 50, 4096])
def test_non_ascii_edifact_streamed_gives_the_whole_file_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, charset: str, encoding: str, name: str, block: int
) -> None:
    messages = _orders(4, value=f"{name} ?+ {name}")
    text = "".join(_file("lf", messages[k : k + 2], syntax=charset, ref=str(k + 1)) for k in (0, 2))
    path = write(tmp_path, ("\ufeff" + text).encode(encoding, errors="replace") if encoding == "utf-8"
                 else text.encode(encoding))
    whole = parse(path)
    assert whole.tables["order_lines"].num_rows == 8
    planned = _streamed(monkeypatch, block)
    streamed = parse(path)
    same_result(streamed, whole)
    assert planned == [True]
    assert name in streamed.tables["order_lines"].column("description").to_pylist()[0] or encoding != "utf-8"


@pytest.mark.parametrize("text", [
    " UNA:+.? ' UNB+UNOC:3+A:14+B:14+240105:1200+1' UNZ+0+1'",  # an indented first segment after the UNA
    "UNA:+.? 'UNB+UNOC:3+A:14+B:14+240105:1200+1'UNZ+0+1'".replace("UNOC:3", "UNOC:3" + "x" * 70_000),
], ids=["indented-first-segment", "head-past-64k"])
def test_files_that_do_not_qualify_are_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = write(tmp_path, text.replace("' UNB", "'   UNB").replace("? ' ", "? '\t"))
    whole = parse(path)
    planned = _streamed(monkeypatch, 16)
    same_result(parse(path), whole)
    assert planned == [False]


def test_the_corpus_streamed_gives_the_whole_file_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus file, EDIFACT and X12, through the streaming readers (the X12 ones qualify when plain)."""
    files = sorted(p for p in CORPUS.glob("*.edi"))
    if not files:
        pytest.skip("the shared EDI corpus is not on this machine")
    whole = [parse(p) for p in files]
    edifact = sum(p.read_bytes().lstrip(b"\xef\xbb\xbf \r\n").startswith((b"UNA", b"UNB")) for p in files)
    assert edifact >= 5
    for block in (7, 256, 8192):
        planned = _streamed(monkeypatch, block)
        monkeypatch.setattr(x12_stream, "BLOCK_CHARS", block)
        for path, expected in zip(files, whole, strict=True):
            same_result(parse(path), expected)
        assert sum(planned) == edifact, block  # every EDIFACT file of the corpus qualified


_VALUE = st.text(st.sampled_from("AZ09 .-?+:'*ÄéΩ日\u00a0"), min_size=0, max_size=12)


def _escape(value: str) -> str:
    return "".join("?" + c if c in "?+:'*" else c for c in value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_VALUE, min_size=1, max_size=8), layout=st.sampled_from(["none", "lf", "crlf-indented"]),
       interchanges=st.integers(1, 3), block=st.integers(1, 97), syntax=st.sampled_from(["UNOW:4", "UNOC:3"]))
def test_streaming_property(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values: list[str], layout: str,
                            interchanges: int, block: int, syntax: str) -> None:
    """Any values (released service characters, multi-byte characters), layout, interchanges and block size."""
    text = "".join(
        _file(layout, [message("ORDERS", f"M{i}{k}", ["BGM+220+PO-1+9", f"NAD+BY+C1::9++{_escape(v)}",
                                                      "LIN+1++4000862141404:EN", f"IMD+F++:::{_escape(v)}",
                                                      "QTY+21:1"]) for k, v in enumerate(values)],
              ref=str(i), syntax=syntax)
        for i in range(1, interchanges + 1)
    )
    path = write(tmp_path, text.encode("utf-8"))
    with monkeypatch.context() as m:
        m.setattr(x12_stream, "STREAM_MIN_BYTES", 1 << 40)
        whole = parse(path)
    planned = _streamed(monkeypatch, block)
    same_result(parse(path), whole)
    assert planned == [True]
    assert whole.tables["order_lines"].num_rows == len(values) * interchanges


@pytest.mark.parametrize("layout,charset", [("lf", "UNOC:3"), ("blank-terminator", "UNOW:4"),
                                            ("none", "UNOW:4")])
def test_a_large_edifact_interchange_is_parsed_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, charset: str
) -> None:
    """Python's peak hardly grows with a single interchange (UTF-8 or Latin-1, any terminator).

    Rows become Arrow chunks every FLUSH_ROWS and the file is read in blocks of BLOCK_BYTES, both
    lowered so that files of a few hundred kB show what a multi-GB one does; Arrow's memory (the
    result itself) is not traced. The whole-file path peaks at several times the file.
    """
    monkeypatch.setattr(parser, "FLUSH_ROWS", 32)
    value = "MÜLLER_日本_?+_PACK"
    encoding = "utf-8" if charset == "UNOW:4" else "latin-1"
    value = value if encoding == "utf-8" else "MÜLLER_ÅSA_?+_PACK"
    small = write(tmp_path, _file(layout, _orders(40, lines=40, value=value), syntax=charset).encode(encoding),
                  "small.edifact")
    large = write(tmp_path, _file(layout, _orders(240, lines=40, value=value), syntax=charset).encode(encoding),
                  "large.edifact")
    assert_bounded_memory(small, large, parse, lambda: _streamed(monkeypatch, 8 * 1024))


def test_a_huge_interchange_in_a_part_is_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file cut between interchanges whose part holds a huge one: the part is read block by block in its
    worker (the serial parse's result)."""
    small = "".join(_file("lf", _orders(2, start=10 * k), ref=str(k)) for k in range(1, 4))
    huge = _file("lf", _orders(200, value="MUELLER ?+ X"), ref="50", syntax="UNOC:3")
    tail = "".join(_file("lf", _orders(2, start=10 * k), ref=str(k)) for k in range(60, 62))
    path = write(tmp_path, (small + huge.replace("UNA:+.? '\r\n", "", 1) + tail).encode("latin-1"))
    serial = parse(path)
    assert len(path.read_bytes()) > 64 * 1024
    monkeypatch.setattr(parallel, "BOUNDED_BYTES", 1_000)
    monkeypatch.setattr(parallel, "PART_MAX_BYTES", 1_000)
    monkeypatch.setattr(parallel, "STREAM_BLOCK_BYTES", 8_192)
    monkeypatch.setattr(x12_stream, "STREAM_MIN_BYTES", 20_000)
    tasks = parallel._plan([path], [path.name], X12Options(), str(tmp_path), 1)
    assert len(tasks) >= 3
    (giant,) = [t for t in tasks if t.size > 20_000]
    giant.edifact = EdifactOptions()
    planned = record_plans(monkeypatch, edifact_stream, {"BLOCK_BYTES": 333})
    monkeypatch.setattr(x12_stream, "STREAM_MIN_BYTES", 20_000)
    assert parallel._run(giant).files[0].loaded_sets >= 200
    assert planned == [True]
    result = parse_x12_files([path], display_names={path: path.name}, edifact=EdifactOptions(), workers=1)
    same_result(result, serial)
