"""The remaining catalogued EDIFACT findings, each from a small interchange written for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.edifact.messages import registry
from recon.load.edifact.messages.base import MessageMapper
from recon.problems import CATALOGUE
from tests.load.edifact.helpers import FIXTURES, ORDER_BODY, codes, interchange, message, parse_text, rows

ONE = interchange([message("ORDERS", "1", ORDER_BODY)], ref="77")


@pytest.mark.parametrize(
    ("text", "code", "loads"),
    [
        (ONE.replace("UNZ+1+77'\n", "UNZ+1+77'\nUNZ+1+77'\n"), "EDIFACT-UNZ-UNEXPECTED", True),
        (ONE.replace("+77'\nUNH", "+'\nUNH"), "EDIFACT-UNB-INVALID", True),
        (interchange([message("ORDERS", "1", ORDER_BODY)], group=("ORDERS", "")), "EDIFACT-UNG-INVALID", True),
        (ONE.replace("CNT+2:2", "CNT+2:3"), "EDIFACT-CNT-COUNT", True),
        (ONE.replace("BGM+220+PO-1001+9", "BGM+220++9"), "EDIFACT-MISSING-ELEMENT", False),
        (ONE.replace("ORDERS:D:96A:UN", "ORDERS:D:10A:UN"), "EDIFACT-DIRECTORY-UNSUPPORTED", True),
        (ONE.replace("QTY+21:12:PCE", "QTY+21:12X:PCE"), "EDIFACT-ELEMENT-NUMERIC", True),
        (ONE.replace("DTM+137:20240105:102", "DTM+137:20241305:102"), "EDIFACT-ELEMENT-DATE", True),
    ],
)
def test_finding(tmp_path: Path, text: str, code: str, loads: bool) -> None:
    assert code in CATALOGUE
    result = parse_text(tmp_path, text)
    assert code in codes(result), codes(result)
    assert bool(rows(result, "orders")) is loads
    f = next(f for f in result.findings if f.code == code)
    assert f.file == "in.edifact" and (f.segment_position or f.code == "EDIFACT-UNB-INVALID")


def test_ordrsp_without_the_order_it_answers_is_rejected(tmp_path: Path) -> None:
    text = (FIXTURES / "ordrsp_d01b.edifact").read_text().replace("RFF+ON:PO-1001'", "RFF+CT:K-1'")
    result = parse_text(tmp_path, text)
    assert codes(result) == ["EDIFACT-MISSING-ELEMENT"] and not rows(result, "order_acks")
    assert "RFF+ON" in result.findings[0].message


def test_contrl_answering_several_groups(tmp_path: Path) -> None:
    text = ("UNB+UNOC:3+B+D+240105:1200+9'UNH+1+CONTRL:2:2:UN'UCI+5+D+B+7'UCF+1+D+B+7'UCM+1+ORDERS:D:96A:UN+7'"
            "UCF+2+D+B+4'UCM+1+INVOIC:D:96A:UN+4'UNT+7+1'UNZ+1+9'")
    result = parse_text(tmp_path, text)
    assert codes(result) == ["EDIFACT-CONTRL-GROUPS"]
    assert [(r["acked_group_control"], r["acked_transaction_set"], r["status"]) for r in rows(result, "edi_acks")] \
        == [("1", "850", "A"), ("1", "810", "R")]


def test_a_mapper_bug_costs_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(c: object) -> tuple[str | None, str | None]:
        raise KeyError("boom")

    monkeypatch.setitem(registry.MAPPERS, "ORDERS", MessageMapper("ORDERS", broken, ("orders",)))
    text = interchange([message("ORDERS", "1", ORDER_BODY), message("INVOIC", "2", ["BGM+380+I-1+9"])])
    result = parse_text(tmp_path, text)
    assert codes(result) == ["EDIFACT-INTERNAL-ERROR"]
    assert result.files[0].rejected_sets == 1 and result.files[0].loaded_sets == 1
    assert [r["transaction_set"] for r in rows(result, "edi_documents")] == ["810"]
