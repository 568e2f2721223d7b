"""Real-world layouts and damaged envelopes: no set is lost, and the exit code tells the truth.

Each fixture here is one layout or defect seen in partner files (see fixtures/README.md). The
well-formed ones must give exactly the rows of the plain reference file and exit 0; the
defective ones exit 1 with the finding that names the defect, and still load their sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli.edi import edi
from recon.load.x12.tokenizer import decode

from .helpers import FIXTURES, build, codes, parse, parse_text, rows

SAME_AS = {
    "850_spaces_indented.edi": "850_tilde_lf.edi",
    "850_blank_before_crlf.edi": "850_tilde_lf.edi",
    "850_ebcdic_cp037.edi": "850_tilde_lf.edi",
    "856_ebcdic_records.edi": "856_soi.edi",
}


def _rows(path: Path) -> dict[str, list[dict]]:
    result = parse(path)
    out = {}
    for entity, table in result.tables.items():
        out[entity] = [{k: v for k, v in r.items() if k != "_source_file"} for r in table.to_pylist()]
    return out


def _inspect(*names: str) -> tuple[int, dict]:
    result = CliRunner().invoke(edi, ["inspect", "--json", *(str(FIXTURES / n) for n in names)])
    return result.exit_code, json.loads(result.output)


@pytest.mark.parametrize("name", sorted(SAME_AS))
def test_layout_gives_the_rows_of_the_plain_file_and_exits_0(name: str) -> None:
    exit_code, report = _inspect(name)
    assert exit_code == 0, report["findings"]
    assert _rows(FIXTURES / name) == _rows(FIXTURES / SAME_AS[name])


def test_ebcdic_fixture_really_is_ebcdic() -> None:
    data = (FIXTURES / "850_ebcdic_cp037.edi").read_bytes()
    assert data.startswith(b"\xc9\xe2\xc1") and b"ISA" not in data and b"\n" not in data
    assert decode(data).startswith("ISA*00*")


def test_mailbag_with_a_blank_after_each_terminator_in_one_interchange() -> None:
    exit_code, report = _inspect("mailbag_blank_after_terminator.edi")
    assert exit_code == 0, report["findings"]
    assert report["summary"]["interchanges"] == 2 and report["summary"]["loaded_sets"] == 2
    assert report["rows"]["orders"] == 2


def test_damaged_isa_tag_is_an_error_and_the_sets_still_load() -> None:
    exit_code, report = _inspect("850_damaged_isa_tag.edi")
    assert exit_code == 1
    [f] = report["findings"]
    assert (f["code"], f["severity"], f["segment_position"], f["interchange_control"]) == (
        "X12-ISA-DAMAGED", "error", 1, "000000101")
    assert "'SA'" in f["message"]
    assert _rows(FIXTURES / "850_damaged_isa_tag.edi") == _rows(FIXTURES / "850_tilde_lf.edi")


def test_order_in_an_invoice_group_is_reported() -> None:
    exit_code, report = _inspect("850_in_invoice_group.edi")
    assert exit_code == 1
    [f] = report["findings"]
    assert (f["code"], f["segment_position"], f["group_control"], f["set_control"], f["element"]) == (
        "X12-GS01-MISMATCH", 3, "1", "0001", "ST01")
    assert "GS01 is IN" in f["message"] and "PO group" in f["message"]
    assert report["rows"]["orders"] == 1  # a group-level defect: the set itself is intact


def test_indentation_does_not_hide_a_ge02_mismatch() -> None:
    exit_code, report = _inspect("856_indented_ge02_mismatch.edi")
    assert exit_code == 1
    assert [(f["code"], f["segment_position"]) for f in report["findings"]] == [("X12-GE02-MISMATCH", 24)]
    assert report["summary"]["loaded_sets"] == 1


SETS_IN_FILE = {
    "850_spaces_indented.edi": 1, "850_blank_before_crlf.edi": 1, "850_ebcdic_cp037.edi": 1,
    "856_ebcdic_records.edi": 1, "mailbag_blank_after_terminator.edi": 2, "850_damaged_isa_tag.edi": 1,
    "850_in_invoice_group.edi": 1, "856_indented_ge02_mismatch.edi": 1, "multi_interchange.edi": 6,
    "850_bom_indented.edi": 1, "850_wrapped80.edi": 1, "855.edi": 2,
}


@pytest.mark.parametrize("name", sorted(SETS_IN_FILE))
def test_no_set_is_lost(name: str) -> None:
    _, report = _inspect(name)
    assert report["summary"]["transaction_sets"] == SETS_IN_FILE[name]


def _po(control: int, order: str) -> list[str]:
    return build([("PO", control, [("850", "0001", [f"BEG*00*SA*{order}**20240105"])])], control=control)


def test_group_without_isa_is_read_with_the_delimiters_of_its_gs(tmp_path: Path) -> None:
    segs = _po(1, "PO-1")
    result = parse_text(tmp_path, "~\n".join(segs[1:]) + "~\n")
    assert codes(result) == ["X12-ISA-MISSING"]
    f = result.findings[0]
    assert f.severity == "error" and f.segment_position == 1 and f.segment_id == "GS"
    assert f.interchange_control is None
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1"]
    assert rows(result, "orders", lineage=True)[0]["_source_row"] == 3  # GS=1, ST=2, BEG=3


@pytest.mark.parametrize("text", [
    "GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010",  # cut off after GS08: no terminator at all
    "GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010AST*850*0001",  # a letter where the terminator goes
])
def test_a_gs_whose_terminator_cannot_be_told_is_a_defect_not_a_foreign_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cut.edi"
    path.write_text(text, encoding="ascii")
    result = CliRunner().invoke(edi, ["inspect", "--json", str(path)])
    assert result.exit_code == 1, result.output  # X12 with a defect (1), not "not X12" (2)
    report = json.loads(result.output)
    [finding] = report["findings"]
    assert finding["code"] == "X12-ISA-UNREADABLE" and finding["severity"] == "error"
    assert "terminator cannot be told" in finding["message"]


@pytest.mark.parametrize("damage", ["drop_tag", "drop_isa"])
def test_second_interchange_of_a_mailbag_with_a_damaged_or_missing_isa(tmp_path: Path, damage: str) -> None:
    one, two = _po(1, "PO-1"), _po(2, "PO-2")
    if damage == "drop_tag":
        two[0] = two[0][2:]  # "A*00*..."
    else:
        two = two[1:]
    result = parse_text(tmp_path, "~\r\n".join(one + two) + "~\r\n")
    expected = "X12-ISA-DAMAGED" if damage == "drop_tag" else "X12-ISA-MISSING"
    assert codes(result) == [expected]
    assert result.findings[0].segment_position == len(one) + 1
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1", "PO-2"]
    assert rows(result, "orders", lineage=True)[1]["_source_row"] == len(one) + (4 if damage == "drop_tag" else 3)


def test_information_separators_as_delimiters(tmp_path: Path) -> None:
    # 0x1D / 0x1C are common delimiters and are whitespace to str.isspace(): they must still work
    segs = [s.replace("*", "\x1d") for s in _po(1, "PO-1")]
    result = parse_text(tmp_path, "\x1c".join(segs) + "\x1c")
    assert codes(result) == []
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1"]


def test_a_file_with_neither_isa_nor_gs_is_still_unreadable(tmp_path: Path) -> None:
    result = CliRunner().invoke(edi, ["inspect", str(tmp_path / "x.edi")])
    assert result.exit_code == 2
    path = tmp_path / "notes.txt"
    path.write_text("ST*850*0001~BEG*00*SA*PO-1~SE*3*0001~")
    assert CliRunner().invoke(edi, ["inspect", str(path)]).exit_code == 2


@pytest.mark.parametrize("where", ["before the first", "between two"])
def test_text_glued_to_an_intact_isa_is_a_warning(tmp_path: Path, where: str) -> None:
    one = "~\n".join(_po(1, "PO-1")) + "~\n"
    two = "~\n".join(_po(2, "PO-2")) + "~\n"
    text = "From: gateway" + one + two if where == "before the first" else one + "From: gateway" + two
    result = parse_text(tmp_path, text)
    assert codes(result) == ["X12-LEADING-DATA" if where == "before the first" else "X12-DATA-AFTER-IEA"]
    assert "'From: gateway'" in result.findings[0].message
    assert [i.control for i in result.files[0].interchanges] == ["000000001", "000000002"]
    assert [r["order_id"] for r in rows(result, "orders")] == ["PO-1", "PO-2"]
