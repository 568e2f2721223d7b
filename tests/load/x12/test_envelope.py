"""Envelope integrity: every defect is a located finding; only the broken set is rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.x12 import Finding

from .helpers import build, codes, parse, parse_text, po_interchange, rows, write


def _one(result, code: str) -> Finding:
    hits = [f for f in result.findings if f.code == code]
    assert len(hits) == 1, [(f.code, f.message) for f in result.findings]
    return hits[0]


def test_clean_interchange_has_no_findings(tmp_path: Path) -> None:
    result = parse_text(tmp_path, po_interchange(sets=2))
    assert result.findings == []
    assert result.files[0].loaded_sets == 2 and result.files[0].rejected_sets == 0


def test_se01_count_rejects_that_set_only(tmp_path: Path) -> None:
    text = po_interchange(sets=3).replace("SE*5*0002", "SE*6*0002")
    result = parse_text(tmp_path, text)
    f = _one(result, "X12-SE01-COUNT")
    assert (f.severity, f.file, f.interchange_control, f.group_control, f.set_control) == (
        "error", "in.edi", "000000001", "1", "0002"
    )
    assert (f.segment_position, f.segment_id, f.element, f.transaction_set) == (12, "SE", "SE01", "850")
    assert "SE01 says 6 segments" in f.message and "has 5" in f.message
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1", "PO-3"]
    assert [r["control_number"] for r in rows(result, "edi_documents")] == ["0001", "0003"]
    assert result.files[0].rejected_sets == 1 and result.files[0].loaded_sets == 2


def test_se02_mismatch(tmp_path: Path) -> None:
    result = parse_text(tmp_path, po_interchange(sets=2).replace("SE*5*0001", "SE*5*0009"))
    f = _one(result, "X12-SE02-MISMATCH")
    assert f.set_control == "0001" and f.element == "SE02" and f.segment_position == 7
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-2"]


def test_missing_se_is_cut_at_the_next_st(tmp_path: Path) -> None:
    text = po_interchange(sets=2).replace("SE*5*0001~\n", "")
    result = parse_text(tmp_path, text)
    f = _one(result, "X12-SE-MISSING")
    assert f.set_control == "0001" and f.segment_position == 3 and "cut short by ST" in f.message
    assert "X12-GE01-COUNT" not in codes(result)  # two STs were sent, GE01 says 2
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-2"]


def test_ge01_and_ge02(tmp_path: Path) -> None:
    result = parse_text(tmp_path, po_interchange(sets=2).replace("GE*2*1", "GE*3*7"))
    ge01, ge02 = _one(result, "X12-GE01-COUNT"), _one(result, "X12-GE02-MISMATCH")
    assert ge01.group_control == "1" and ge01.element == "GE01" and ge01.set_control is None
    assert ge02.element == "GE02" and "7 does not match GS06 1" in ge02.message
    # group-level problems are reported, the intact sets still load
    assert len(rows(result, "orders")) == 2


def test_iea01_and_iea02(tmp_path: Path) -> None:
    result = parse_text(tmp_path, po_interchange().replace("IEA*1*000000001", "IEA*2*000000009"))
    iea01, iea02 = _one(result, "X12-IEA01-COUNT"), _one(result, "X12-IEA02-MISMATCH")
    assert iea01.interchange_control == "000000001" and iea01.segment_id == "IEA"
    assert iea02.element == "IEA02" and iea02.severity == "error"
    assert len(rows(result, "orders")) == 1


def test_control_numbers_compare_as_numbers(tmp_path: Path) -> None:
    # GE02 "0001" closes GS06 "1"; IEA02 "1" closes ISA13 "000000001"
    text = po_interchange().replace("GE*1*1", "GE*1*0001").replace("IEA*1*000000001", "IEA*1*1")
    assert parse_text(tmp_path, text).findings == []


def test_missing_ge_and_iea(tmp_path: Path) -> None:
    text = po_interchange().replace("GE*1*1~\n", "").replace("IEA*1*000000001~\n", "")
    result = parse_text(tmp_path, text)
    assert sorted(codes(result)) == ["X12-GE-MISSING", "X12-IEA-MISSING"]
    assert len(rows(result, "orders")) == 1  # the complete set inside a truncated file still loads


def test_truncated_file_rejects_the_cut_set(tmp_path: Path) -> None:
    text = po_interchange(sets=2)
    cut = text[: text.index("PO1*1*2*EA*3.5**VP*SKU-1~\nSE*5*0002")]
    result = parse_text(tmp_path, cut)
    assert "X12-SE-MISSING" in codes(result) and "X12-IEA-MISSING" in codes(result)
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1"]


def test_set_outside_a_group(tmp_path: Path) -> None:
    segs = build([("PO", 1, [("850", "0001", ["BEG*00*SA*PO-1**20240105"])])])
    segs = [s for s in segs if not s.startswith(("GS", "GE"))]
    result = parse_text(tmp_path, "~".join(segs).replace("IEA*1", "IEA*0") + "~")
    f = _one(result, "X12-GS-MISSING")
    assert f.set_control == "0001" and rows(result, "orders") == []


def test_stray_segments_and_data_after_iea(tmp_path: Path) -> None:
    text = po_interchange().replace("GE*1*1", "REF*ZZ*X~\nGE*1*1") + "NTE*junk~\n"
    result = parse_text(tmp_path, text)
    assert sorted(codes(result)) == ["X12-DATA-AFTER-IEA", "X12-SEGMENT-OUTSIDE-SET"]
    assert all(f.severity == "warning" for f in result.findings)


def test_duplicate_interchange_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, po_interchange(control=7), "a.edi")
    b = write(tmp_path, po_interchange(control=7), "b.edi")
    result = parse(a, b)
    f = _one(result, "X12-ISA13-DUPLICATE")
    assert f.file == "b.edi" and f.severity == "warning" and "a.edi at segment 1" in f.message
    # duplicates load, so that the duplicate rules in SQL can see them
    assert len(rows(result, "orders")) == 2


def test_duplicate_group_control_across_interchanges(tmp_path: Path) -> None:
    one = po_interchange(control=1)
    two = po_interchange(control=2).replace("*20240105*1200*2*X*", "*20240105*1200*1*X*").replace("GE*1*2", "GE*1*1")
    result = parse_text(tmp_path, one + two)
    f = _one(result, "X12-GS06-DUPLICATE")
    assert f.interchange_control == "000000002" and f.group_control == "1" and f.element == "GS06"


def test_duplicate_set_control_within_a_group(tmp_path: Path) -> None:
    text = po_interchange(sets=2).replace("ST*850*0002", "ST*850*0001").replace("SE*5*0002", "SE*5*0001")
    result = parse_text(tmp_path, text)
    f = _one(result, "X12-ST02-DUPLICATE")
    assert f.set_control == "0001" and f.segment_position == 8
    assert len(rows(result, "orders")) == 2


@pytest.mark.parametrize(
    ("content", "code", "readable", "fmt"),
    [
        (b"", "X12-FILE-EMPTY", False, "empty"),
        (b"  \r\n", "X12-FILE-EMPTY", False, "empty"),
        (b"order_id,qty\nSO1,2\n", "X12-NOT-X12", False, "unknown"),
    ],
)
def test_files_that_are_not_x12(tmp_path: Path, content: bytes, code: str, readable: bool, fmt: str) -> None:
    result = parse_text(tmp_path, content)
    assert codes(result) == [code]
    fs = result.files[0]
    assert (fs.readable, fs.format) == (readable, fmt) and fs.error
    assert all(t.num_rows == 0 for t in result.tables.values())


def test_missing_file_and_directory(tmp_path: Path) -> None:
    result = parse(tmp_path / "nope.edi", tmp_path)
    assert codes(result) == ["X12-FILE-UNREADABLE", "X12-FILE-UNREADABLE"]
    assert [f.readable for f in result.files] == [False, False]
    assert result.files[0].error == "file not found"


def test_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    bad = write(tmp_path, b"garbage", "bad.edi")
    good = write(tmp_path, po_interchange(), "good.edi")
    result = parse(bad, tmp_path / "missing.edi", good)
    assert [f.readable for f in result.files] == [False, False, True]
    assert len(rows(result, "orders")) == 1
