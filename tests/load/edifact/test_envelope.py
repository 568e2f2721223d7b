"""EDIFACT envelope findings: every UNB/UNZ, UNG/UNE, UNH/UNT defect and duplicate, and what still loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.x12.inspect import build_report
from tests.load.edifact.helpers import ORDER_BODY, codes, interchange, message, parse, parse_text, rows, write

ONE = interchange([message("ORDERS", "1", ORDER_BODY)], ref="77")


def _finding(result, code):
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, [f.code for f in result.findings]
    return found[0]


@pytest.mark.parametrize(
    ("old", "new", "code", "loads"),
    [
        ("UNT+21+1'", "UNT+20+1'", "EDIFACT-UNT-COUNT", False),
        ("UNT+21+1'", "UNT+21+2'", "EDIFACT-UNT-REFERENCE", False),
        ("UNT+21+1'\n", "", "EDIFACT-UNT-MISSING", False),
        ("UNZ+1+77'", "UNZ+2+77'", "EDIFACT-UNZ-COUNT", True),
        ("UNZ+1+77'", "UNZ+1+78'", "EDIFACT-UNZ-REFERENCE", True),
        ("UNZ+1+77'\n", "", "EDIFACT-UNZ-MISSING", True),
        ("UNH+1+", "UNH++", "EDIFACT-UNH-INVALID", False),
    ],
)
def test_envelope_defects(tmp_path: Path, old: str, new: str, code: str, loads: bool) -> None:
    assert old in ONE
    result = parse_text(tmp_path, ONE.replace(old, new))
    f = _finding(result, code)
    assert f.severity == "error" and f.file == "in.edifact" and f.interchange_control == "77"
    assert f.segment_position is not None
    assert bool(rows(result, "orders")) is loads
    assert result.files[0].loaded_sets + result.files[0].rejected_sets == 1


def test_unt_count_names_the_segment(tmp_path: Path) -> None:
    f = _finding(parse_text(tmp_path, ONE.replace("UNT+21+1'", "UNT+9+1'")), "EDIFACT-UNT-COUNT")
    assert (f.segment_position, f.segment_id, f.element, f.set_control) == (23, "UNT", "UNT0074", "1")
    assert "says 9 segments, the message has 21" in f.message


def test_group_defects(tmp_path: Path) -> None:
    text = interchange([message("ORDERS", "1", ORDER_BODY)], group=("ORDERS", "5"))
    assert codes(parse_text(tmp_path, text)) == []
    count = parse_text(tmp_path, text.replace("UNE+1+5", "UNE+3+5"), "count.edifact")
    assert codes(count) == ["EDIFACT-UNE-COUNT"] and rows(count, "order_lines")
    ref = parse_text(tmp_path, text.replace("UNE+1+5", "UNE+1+6"), "ref.edifact")
    assert codes(ref) == ["EDIFACT-UNE-REFERENCE"]
    missing = parse_text(tmp_path, text.replace("UNE+1+5'\n", ""), "missing.edifact")
    assert codes(missing) == ["EDIFACT-UNE-MISSING"] and rows(missing, "orders")
    unexpected = parse_text(tmp_path, ONE.replace("UNZ+", "UNE+1+9'\nUNZ+"), "unexpected.edifact")
    assert codes(unexpected) == ["EDIFACT-UNE-UNEXPECTED"]


def test_message_type_not_allowed_in_group(tmp_path: Path) -> None:
    text = interchange([message("ORDERS", "1", ORDER_BODY)], group=("INVOIC", "5"))
    result = parse_text(tmp_path, text)
    f = _finding(result, "EDIFACT-MESSAGE-NOT-IN-GROUP")
    assert f.group_control == "5" and "ORDERS" in f.message and "INVOIC" in f.message
    assert rows(result, "orders")  # loaded, like X12-GS01-MISMATCH


def test_stray_segments_and_missing_unb_are_reported(tmp_path: Path) -> None:
    stray = parse_text(tmp_path, ONE.replace("UNH+1+", "FTX+AAI+++HELLO'\nUNH+1+"))
    f = _finding(stray, "EDIFACT-STRAY-SEGMENT")
    assert (f.segment_position, f.segment_id) == (3, "FTX")
    no_unb = parse_text(tmp_path, "\n".join(s + "'" for s in message("ORDERS", "1", ORDER_BODY)), "no_unb.edifact")
    assert codes(no_unb) == ["EDIFACT-UNB-MISSING"] and rows(no_unb, "orders")
    unexpected = parse_text(tmp_path, ONE.replace("UNZ+", "UNT+2+9'\nUNZ+"), "unt.edifact")
    assert codes(unexpected) == ["EDIFACT-UNT-UNEXPECTED"]


def test_duplicates_within_a_file_and_across_files(tmp_path: Path) -> None:
    two = interchange([message("ORDERS", "1", ORDER_BODY), message("ORDERS", "1", ORDER_BODY)], ref="77")
    dup_msg = parse_text(tmp_path, two)
    f = _finding(dup_msg, "EDIFACT-DUPLICATE-MESSAGE")
    assert f.severity == "warning" and len(rows(dup_msg, "orders")) == 2
    a, b = write(tmp_path, ONE, "a.edifact"), write(tmp_path, ONE, "b.edifact")
    across = parse([a, b])
    f = _finding(across, "EDIFACT-DUPLICATE-INTERCHANGE")
    assert f.file == "b.edifact" and "in a.edifact at segment 2" in f.message
    assert len(rows(across, "orders")) == 2  # loaded again, for the duplicate rules
    grouped = interchange([message("ORDERS", "1", ORDER_BODY)], group=("ORDERS", "5"))
    g1 = write(tmp_path, grouped, "g1.edifact")
    g2 = write(tmp_path, grouped.replace("+1'\nUNG", "+2'\nUNG").replace("UNZ+1+1", "UNZ+1+2"), "g2.edifact")
    assert codes(parse([g1, g2])) == ["EDIFACT-DUPLICATE-GROUP"]


def test_two_interchanges_in_one_file_with_their_own_una(tmp_path: Path) -> None:
    text = ONE + interchange([message("ORDERS", "1", ORDER_BODY)], ref="78")
    result = parse_text(tmp_path, text)
    assert codes(result) == []
    assert [i.control for i in result.files[0].interchanges] == ["77", "78"]
    assert len(rows(result, "orders")) == 2


def test_inspect_report_for_edifact(tmp_path: Path) -> None:
    report = build_report(parse_text(tmp_path, ONE.replace("UNT+21+1'", "UNT+20+1'")))
    assert report["exit_code"] == 1
    f = report["files"][0]
    assert f["format"] == "edifact" and f["set_counts"] == {"ORDERS": 1} and f["rejected_sets"] == 1
    assert report["summary"]["segments"] == 24
