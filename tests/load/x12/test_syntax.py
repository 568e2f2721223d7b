"""Syntax findings beyond the envelope: mandatory elements of the beginning segment, date and time formats."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recon.load.x12.elements import SEGMENTS
from recon.load.x12.isa import Delimiters
from recon.load.x12.tokenizer import split_body

from .helpers import FIXTURES, build, codes, parse_text, rows


def _one(body: list[str], fid: str = "PO", ts: str = "850") -> str:
    return "~\n".join(build([(fid, 1, [(ts, "0001", body)])])) + "~\n"


def test_empty_mandatory_elements_of_the_beginning_segment(tmp_path: Path) -> None:
    result = parse_text(tmp_path, _one(["BEG*00**PO-1", "PO1*1*2*EA*3**VP*A"]))
    found = [(f.code, f.severity, f.element, f.segment_position) for f in result.findings]
    assert found == [("X12-MANDATORY-EMPTY", "warning", "BEG02", 4), ("X12-MANDATORY-EMPTY", "warning", "BEG05", 4)]
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1"]  # a warning: the set loads


def test_empty_mandatory_elements_of_body_segments(tmp_path: Path) -> None:
    body = [
        "BEG*00*SA*PO-1**20240105", "REF**X1", "DTM**20240115", "N1**ACME", "PO1*1*2*EA*3**VP*A", "CTT*1",
    ]
    result = parse_text(tmp_path, _one(body))
    found = [(f.code, f.element, f.segment_position) for f in result.findings]
    # ST is segment 3 of the interchange (ISA, GS, ST), BEG 4, REF 5, DTM 6, N1 7
    assert found == [
        ("X12-MANDATORY-EMPTY", "REF01", 5), ("X12-MANDATORY-EMPTY", "DTM01", 6), ("X12-MANDATORY-EMPTY", "N101", 7),
    ]
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1"]


def test_a_997_with_an_empty_set_count_is_flagged(tmp_path: Path) -> None:
    body = ["AK1*PO*1", "AK2*850*0001", "AK5*A", "AK9*A*1**1"]
    result = parse_text(tmp_path, _one(body, fid="FA", ts="997"))
    assert [(f.code, f.element) for f in result.findings] == [("X12-MANDATORY-EMPTY", "AK903")]


def test_empty_business_key_hidden_by_indentation_is_an_error(tmp_path: Path) -> None:
    text = (FIXTURES / "856_soi.edi").read_text().replace("BSN*00*SH-9001*", "BSN*00**")
    indented = "~\r\n      ".join(s.strip() for s in text.split("~") if s.strip()) + "~\r\n"
    result = parse_text(tmp_path, indented)
    assert [(f.code, f.element, f.severity) for f in result.findings] == [("X12-MISSING-ELEMENT", "BSN02", "error")]


def test_time_elements_must_be_hhmm(tmp_path: Path) -> None:
    body = ["BEG*00*SA*PO-1**20240105", "DTM*002*20240115*2599", "PO1*1*2*EA*3**VP*A"]
    result = parse_text(tmp_path, _one(body))
    assert [(f.code, f.element, f.segment_position) for f in result.findings] == [("X12-ELEMENT-TIME", "DTM03", 5)]
    assert rows(result, "orders")[0]["requested_delivery_at"] == "2024-01-15"  # the date is kept


def test_asn_time_and_g62_time(tmp_path: Path) -> None:
    asn = (FIXTURES / "856_soi.edi").read_text().replace("BSN*00*SH-9001*20240111*1430", "BSN*00*SH-9001*20240111*14")
    assert codes(parse_text(tmp_path, asn, name="a.edi")) == ["X12-ELEMENT-TIME"]
    wso = (FIXTURES / "945.edi").read_text()
    g62 = next(s for s in wso.split("~") if s.strip().startswith("G62*11*"))
    bad = "*".join([*g62.strip().split("*")[:3], "W", "9999"])
    result = parse_text(tmp_path, wso.replace(g62.strip(), bad), name="b.edi")
    assert [(f.code, f.element) for f in result.findings] == [("X12-ELEMENT-TIME", "G6204")]


def test_envelope_dates_and_times(tmp_path: Path) -> None:
    text = _one(["BEG*00*SA*PO-1**20240105"]).replace("*20240105*1200*1*X*", "*20241305*1271*1*X*")
    text = text.replace("*240105*1200*U*", "*240132*1200*U*")
    result = parse_text(tmp_path, text)
    assert [(f.code, f.element, f.segment_position) for f in result.findings] == [
        ("X12-ELEMENT-DATE", "ISA09", 1), ("X12-ELEMENT-DATE", "GS04", 2), ("X12-ELEMENT-TIME", "GS05", 2)]
    assert len(rows(result, "orders")) == 1


_TAGS = [*SEGMENTS, "PO1", "BEG", "N3", "ST", "SE", "N", "DT", "N1X", "HLL"]
_SEGMENT = st.tuples(
    st.sampled_from(_TAGS),
    st.lists(st.sampled_from(["", "", "A", "12", " ", "X Y"]), max_size=6),
    st.booleans(),  # a dangling element separator at the end
)


@settings(max_examples=300, deadline=None)
@given(
    segments=st.lists(_SEGMENT, min_size=1, max_size=30),
    delimiters=st.sampled_from([("*", "~"), ("|", "\x1c"), ("^", "\n"), ("~", "'"), ("*", "\u2026")]),
)
def test_the_tokenizers_mandatory_suspects_are_the_segments_the_scan_finds(
    segments: list[tuple[str, list[str], bool]], delimiters: tuple[str, str]
) -> None:
    """The regex pass over the text (`Interchange.suspects`) finds exactly the body segments the Python scan finds."""
    elem, term = delimiters
    raws = [elem.join([tag, *values]) + (elem if dangling else "") for tag, values, dangling in segments]
    body = "GS" + elem + "PO" + term + "".join(s + term for s in raws)
    d = Delimiters(elem, ">", None, term, term == "\n")
    raw, envelope, _, found = split_body(body, d)
    if envelope is None:  # a segment the layout rules strip (a blank one): the parser then scans itself
        assert found is None
        return
    raw.insert(0, "ISA")
    expected = [
        i for i in range(2, len(raw))
        if (ks := SEGMENTS.get(raw[i].split(elem)[0])) is not None
        and any(k >= len(el := raw[i].split(elem)) or not el[k] for k in ks)
    ]
    assert found == expected
