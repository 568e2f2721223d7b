"""Values that would load wrong without a word are rejects naming the row, field and cause."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook

from recon.config import load_project
from recon.db import Database
from recon.load.loader import Loader

CONFIG = """
sources:
  lines:
    system: erp
    entity: order_lines
    path: {path}
    {options}
    columns:
      order_id: order
      line_no: line
      qty: qty
      unit_price: price
"""


def _load(make_project, path, content, options=""):
    config = make_project(CONFIG.format(path=path, options=options), {} if content is None else {path: content})
    db = Database()
    report = Loader(load_project(config), db, "s").load_all()
    return db, report.files[0]


def _rejects(db):
    return db.rows('SELECT "row", field, raw_value, reason FROM rejects ORDER BY "row"')


def test_thousands_separators_only_between_groups_of_three_digits(make_project):
    content = ('order;line;qty;price\n'
               'A;1;1,234,567.5;1\n'
               'B;1;12,34;1\n'
               'C;1;1,2,3,4;1\n'
               'D;1;-1,234;1,000\n')
    db, load = _load(make_project, "l.csv", content, "options: {delimiter: ';', thousands: ','}")
    assert (load.rows_loaded, load.rows_rejected) == (2, 2)
    assert db.rows("SELECT order_id, qty, unit_price FROM erp.order_lines ORDER BY 1") == [
        ("A", Decimal("1234567.5"), Decimal("1")), ("D", Decimal("-1234"), Decimal("1000"))]
    reason = "not a number (thousands separator ',' out of place)"
    assert _rejects(db) == [(3, "qty", "12,34", reason), (4, "qty", "1,2,3,4", reason)]


def test_underscore_is_never_a_digit_separator(make_project):
    db, load = _load(make_project, "l.csv", "order,line,qty,price\nA,1,1_000,1\nB,1_0,1,1\n")
    assert (load.rows_loaded, load.rows_rejected) == (0, 2)
    assert [r[1:] for r in _rejects(db)] == [
        ("qty", "1_000", 'not a number ("_" is not a digit separator)'),
        ("line_no", "1_0", 'not a number ("_" is not a digit separator)')]


def test_more_decimals_than_the_field_holds_is_a_reject_not_a_rounding(make_project):
    content = "order,line,qty,price\nA,1,1.23456,1\nB,1,1.23450000,2.5\nC,1.0000001,1,1\nD,10.000,1,1\n"
    db, load = _load(make_project, "l.csv", content)
    assert (load.rows_loaded, load.rows_rejected) == (2, 2)
    assert db.rows("SELECT order_id, line_no, qty FROM erp.order_lines ORDER BY 1") == [
        ("B", "1", Decimal("1.2345")), ("D", "10", Decimal("1"))]  # line numbers are text
    assert [r[1:] for r in _rejects(db)] == [
        ("qty", "1.23456", "more decimals than the field holds (4)"),
        ("line_no", "1.0000001", "not a whole number")]


def test_nul_bytes_in_key_fields_are_rejected(make_project):
    db, load = _load(make_project, "l.csv", "order,line,qty,price\nA\x00B,1,1,1\nC,1,1,1\n")
    assert (load.rows_loaded, load.rows_rejected) == (1, 1)
    assert _rejects(db) == [(2, "order_id", "A\\0B", "NUL byte in a key field")]


def test_xlsx_error_cells_and_uncomputed_formulas_are_rejects_naming_the_cell(make_project, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Lines"
    sheet.append(["order", "line", "qty", "price", "note"])
    sheet.append(["A", 1, 2, "#DIV/0!", None])  # an error value, as Excel saves it
    sheet.append(["B", 1, "=1+1", 3, None])  # a formula no program has computed
    sheet.append(["C", 1, 4, 5, "#N/A"])  # an error in a column no mapping reads
    sheet.append(["D", 1, 6, 7, None])
    book.save(tmp_path / "l.xlsx")
    db, load = _load(make_project, "l.xlsx", None)
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (4, 2, 2)
    assert _rejects(db) == [
        (2, "price", "#DIV/0!", "error value #DIV/0! in cell Lines!D2"),
        (3, "qty", None, "formula without a computed value in cell Lines!C3 (open and save the file in Excel)")]
    assert db.rows("SELECT order_id, _source_row FROM erp.order_lines ORDER BY 2") == [("C", 4), ("D", 5)]


def test_xlsx_duplicate_headers_are_a_problem_naming_both_columns(make_project, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["order", "line", "qty", "price", "QTY"])
    sheet.append(["A", 1, 2, 3, 9])
    book.save(tmp_path / "dup.xlsx")
    _, load = _load(make_project, "dup.xlsx", None)
    assert load.status == "failed" and load.problem.code == "I021"
    assert "columns 3 ('qty') and 5 ('QTY')" in load.problem.message
    sheet["E1"] = "note"  # a duplicate of a column the mapping does not read is harmless
    sheet["F1"] = "note"
    book.save(tmp_path / "dup.xlsx")
    _, load = _load(make_project, "dup.xlsx", None)
    assert load.status == "ok" and load.rows_loaded == 1
