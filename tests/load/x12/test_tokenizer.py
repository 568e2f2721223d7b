"""Delimiters come from each ISA; layout noise (BOM, CRLF, wrapping, indentation) changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.x12.tokenizer import decode, read_isa, tokenize

from .helpers import FIXTURES, build, codes, isa, parse, parse_text, po_interchange, rows

STYLES = [
    "850_crlf.edi",
    "850_one_line.edi",
    "850_wrapped80.edi",
    "850_lf_terminator.edi",
    "850_bom_indented.edi",
    "850_pipes_00501.edi",
]


def _all_rows(path: Path) -> dict[str, list[dict]]:
    result = parse(path)
    assert result.findings == [], [(f.code, f.message) for f in result.findings]
    out = {}
    for entity, table in result.tables.items():
        out[entity] = [{k: v for k, v in r.items() if k != "_source_file"} for r in table.to_pylist()]
    return out


@pytest.mark.parametrize("name", STYLES)
def test_every_layout_gives_the_rows_of_the_reference_file(name: str) -> None:
    reference = _all_rows(FIXTURES / "850_tilde_lf.edi")
    assert len(reference["order_lines"]) == 3
    assert _all_rows(FIXTURES / name) == reference


def test_delimiters_are_read_from_the_isa() -> None:
    text = (FIXTURES / "850_pipes_00501.edi").read_text()
    d, elements, _, issues = read_isa(text, 0)
    assert (d.element, d.component, d.repetition, d.segment, d.line_terminated) == ("|", ":", "^", "'", False)
    assert elements[13] == "000000101" and issues == []


def test_line_feed_terminator_is_detected() -> None:
    d, *_ = read_isa((FIXTURES / "850_lf_terminator.edi").read_text(), 0)
    assert d.line_terminated and d.segment == "\n" and d.component == ">"


def test_repetition_separator_only_from_version_00402() -> None:
    old, *_ = read_isa(isa(rep="U", version="00401") + "~", 0)
    new, *_ = read_isa(isa(rep="^", version="00501") + "~", 0)
    legacy_u, *_ = read_isa(isa(rep="U", version="00501") + "~", 0)  # many senders keep the U
    assert old.repetition is None and new.repetition == "^" and legacy_u.repetition is None


def test_wrap_right_after_isa16_keeps_the_real_terminator(tmp_path: Path) -> None:
    # Fixed-width wrapping can put the line break between ISA16 and the terminator.
    text = "~".join(build([("PO", 1, [("850", "0001", ["BEG*00*SA*PO-1**20240105"])])])) + "~"
    head, rest = text[:105], text[105:]
    result = parse_text(tmp_path, head + "\n" + rest)
    assert codes(result) == []
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1"]


def test_isa_wrapped_across_lines_is_read(tmp_path: Path) -> None:
    text = po_interchange()
    wrapped = text[:70] + "\n" + text[70:]  # a line break inside ISA08
    result = parse_text(tmp_path, wrapped)
    assert codes(result) == []
    assert result.files[0].interchanges[0].receiver == "DISTCO"


def test_multibyte_terminator(tmp_path: Path) -> None:
    segs = build([("PO", 1, [("850", "0001", ["BEG*00*SA*PO-1**20240105"])])])
    result = parse_text(tmp_path, "\u2026\n".join(segs) + "\u2026")
    assert codes(result) == []
    assert rows(result, "orders")[0]["order_id"] == "PO-1"


def test_several_interchanges_with_their_own_delimiters() -> None:
    result = parse(FIXTURES / "multi_interchange.edi")
    assert codes(result) == []
    fs = result.files[0]
    assert [(i.control, i.element_separator, i.segment_terminator) for i in fs.interchanges] == [
        ("000000901", "*", "~"),
        ("000000902", "|", "line break"),
    ]
    assert [g[1] for g in fs.groups] == ["21", "22", "23", "24"]
    assert fs.sets == {"850": ["0001", "0002", "0001"], "997": ["0001", "0001", "0002"]}
    assert sorted(r["order_id"] for r in rows(result, "orders")) == ["PO-1001", "PO-1002", "PO-1003"]
    assert len(rows(result, "edi_acks")) == 3
    # positions run over the whole file: the first interchange has 44 segments, so the second
    # ISA is segment 45 and its 850's BEG (which the order row points at) is segment 48
    second = [r for r in rows(result, "orders", lineage=True) if r["_interchange_control"] == "000000902"]
    assert second[0]["_source_row"] == 48
    assert fs.segments == 44 + 31


def test_byte_order_mark_in_the_middle_of_concatenated_files(tmp_path: Path) -> None:
    one = po_interchange(control=1).encode()
    two = po_interchange(control=2).replace("PO-1", "PO-2").encode()
    result = parse_text(tmp_path, b"\xef\xbb\xbf" + one + b"\xef\xbb\xbf" + two)
    assert codes(result) == []
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1", "PO-2"]


def test_latin1_bytes_do_not_crash(tmp_path: Path) -> None:
    text = po_interchange().replace("ACME", "ACM\xc9")
    result = parse_text(tmp_path, text.encode("latin-1"))
    assert rows(result, "orders")[0]["customer_name"] == "ACM\xc9"


def test_leading_junk_before_the_first_isa_is_a_warning(tmp_path: Path) -> None:
    result = parse_text(tmp_path, "From: gateway\r\n\r\n" + po_interchange())
    assert codes(result) == ["X12-LEADING-DATA"]
    assert len(rows(result, "orders")) == 1


def test_short_isa_is_read_by_counting_separators(tmp_path: Path) -> None:
    text = po_interchange().replace("*00*          *00*          *", "*00* *00* *", 1)
    result = parse_text(tmp_path, text)
    assert codes(result) == ["X12-ISA-LENGTH"]
    f = result.findings[0]
    assert f.severity == "warning" and f.element == "ISA02" and f.interchange_control == "000000001"
    assert "88 characters" in f.message
    assert len(rows(result, "order_lines")) == 1


def test_non_ascii_padding_in_isa_is_reported(tmp_path: Path) -> None:
    text = po_interchange().replace("          ", "\u00a0" * 10, 1)
    result = parse_text(tmp_path, text)
    assert codes(result) == ["X12-ISA-LENGTH"]
    assert "U+00A0" in result.findings[0].message and "116 bytes" in result.findings[0].message


def test_unreadable_isa_is_an_error_and_its_sets_are_still_read(tmp_path: Path) -> None:
    bad = po_interchange(control=1).replace("*00401*", "*0040X*", 1)
    good = po_interchange(control=2).replace("PO-1", "PO-2")
    result = parse_text(tmp_path, bad + good)
    assert codes(result) == ["X12-ISA-UNREADABLE"]
    f = result.findings[0]
    assert f.severity == "error" and f.segment_position == 1 and "ISA12" in f.message
    assert f.interchange_control == "000000001"
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1", "PO-2"]


def test_isa_with_too_few_elements_and_no_gs_is_skipped(tmp_path: Path) -> None:
    bad = "ISA*00*          *00~IEA*1*000000001~"
    good = po_interchange(control=2).replace("PO-1", "PO-2")
    result = parse_text(tmp_path, bad + good)
    assert codes(result) == ["X12-ISA-UNREADABLE"]
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-2"]


def test_decode_and_tokenize_never_raise() -> None:
    for data in [b"", b"   \n", b"\x00\x00", b"ISA", b"ISA*", b"ISA*00*", b"\xff\xfe" + "ISA".encode("utf-16-le")]:
        tok = tokenize(decode(data))
        assert tok.format in ("empty", "unknown", "x12")


def test_utf16_file(tmp_path: Path) -> None:
    result = parse_text(tmp_path, po_interchange().encode("utf-16"))
    assert codes(result) == [] and len(rows(result, "orders")) == 1
