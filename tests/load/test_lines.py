"""Line numbers are text in the ERP's own form: Oracle's 1.1, SAP's padded 000010, composite keys."""

from __future__ import annotations

import pytest

from recon.config import load_project
from recon.db import Database
from recon.errors import ConfigError
from recon.load.loader import Loader
from recon.rules.contract import line_order

CONFIG = """
sources:
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns:
      order_id: ORDER
      line_no: {column: LINE, line: FORMAT}
      qty: QTY
"""

LINES = "ORDER,LINE,QTY\nSO-1,1.1,1\nSO-1,1.2,1\nSO-1,000010,1\nSO-1,10.5,1\nSO-1,2-A,1\nSO-1,10.000,1\n"


def _load(make_project, fmt: str) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    db = Database()
    Loader(load_project(make_project(CONFIG.replace("FORMAT", fmt), {"erp/lines.csv": LINES})), db, "t").load_all()
    loaded = db.rows('SELECT line_no, _source_row FROM erp.order_lines ORDER BY _source_row')
    rejects = db.rows('SELECT "row", reason FROM main.rejects ORDER BY "row"')
    return loaded, rejects


def test_integer_lines_drop_padding_and_reject_what_is_not_whole(make_project):
    loaded, rejects = _load(make_project, "integer")
    assert loaded == [("10", 4), ("10", 7)]
    assert [r for r, _ in rejects] == [2, 3, 5, 6] and {reason for _, reason in rejects} == {"not a whole number"}


def test_dotted_lines_keep_the_erps_form(make_project):
    loaded, rejects = _load(make_project, "dotted")
    assert [line for line, _ in loaded] == ["1.1", "1.2", "000010", "10.5", "10.000"]
    assert rejects == [(6, "not a line number (digits separated by dots, such as 1.1)")]


def test_text_lines_take_any_text(make_project):
    loaded, rejects = _load(make_project, "text")
    assert [line for line, _ in loaded] == ["1.1", "1.2", "000010", "10.5", "2-A", "10.000"] and rejects == []


def test_a_composite_line_key_is_an_expression(make_project):
    config = CONFIG.replace("{column: LINE, line: FORMAT}", "{expr: \"LINE || '.' || SPLIT\", line: dotted}")
    db = Database()
    files = {"erp/lines.csv": "ORDER,LINE,SPLIT,QTY\nSO-1,10,1,1\nSO-1,10,2,1\n"}
    Loader(load_project(make_project(config, files)), db, "t").load_all()
    assert db.rows("SELECT line_no FROM erp.order_lines ORDER BY _source_row") == [("10.1",), ("10.2",)]


def test_line_numbers_sort_by_their_parts_as_numbers():
    db = Database()
    values = ["10", "2", "1.10", "1.2", "1", None, "1.1"]
    literals = ", ".join(f"('{v}')" if v else "(NULL)" for v in values)
    rows = db.rows(f"SELECT v FROM (VALUES {literals}) t(v) ORDER BY {line_order('v')}")
    assert [r[0] for r in rows] == [None, "1", "1.1", "1.2", "1.10", "2", "10"]


def test_line_is_only_for_line_numbers(make_project):
    config = CONFIG.replace("      qty: QTY\n", "      qty: {column: QTY, line: dotted}\n").replace("FORMAT", "dotted")
    with pytest.raises(ConfigError) as info:
        load_project(make_project(config, {}))
    assert [(p.code, p.path) for p in info.value.problems] == [("C038", "sources.erp_lines.columns.qty.line")]
