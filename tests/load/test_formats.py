"""Parquet, JSON arrays and xlsx land the same way as CSV: text cells, typed by the mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from recon.config import load_project
from recon.db import Database
from recon.load.loader import Loader

CONFIG = """
sources:
  stock:
    system: {system}
    entity: stock
    path: {path}
    {options}
    columns:
      item_id: item
      site: site
      lot: lot
      qty: qty
      as_of: counted_at
"""


def _load(make_project, path, content, options="", system="wms"):
    config = make_project(CONFIG.format(system=system, path=path, options=options), {} if content is None else
                          {path: content})
    db = Database()
    report = Loader(load_project(config), db, "f").load_all()
    return db, report.files[0]


def test_parquet_keeps_record_numbers_and_types(make_project, tmp_path):
    table = pa.table({
        "item": ["A", "B", None], "site": ["S1", "S1", "S2"], "lot": ["L1", None, ""],
        "qty": [1.5, 2.0, 3.0],
        "counted_at": pa.array([datetime(2026, 11, 20, 6, tzinfo=UTC)] * 3, pa.timestamp("us", tz="UTC")),
    })
    pq.write_table(table, tmp_path / "stock.parquet")
    db, load = _load(make_project, "stock.parquet", None)
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (3, 2, 1)
    rows = db.rows("SELECT item_id, lot, qty, as_of, _source_row FROM wms.stock ORDER BY item_id")
    assert rows[0] == ("A", "L1", Decimal("1.5"), datetime(2026, 11, 20, 6, tzinfo=UTC), 1)
    assert rows[1][1] is None
    assert db.rows('SELECT "row", field, reason FROM rejects') == [(3, "item_id", "missing key field")]


def test_json_array_of_records(make_project):
    content = '[{"item": "A", "site": "S1", "lot": null, "qty": "4", "counted_at": "2026-11-20"},' \
              ' {"item": "B", "site": "S1", "qty": "x", "counted_at": "2026-11-20"}]'
    db, load = _load(make_project, "stock.json", content)
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (2, 1, 1)
    assert db.rows('SELECT "row", field, raw_value FROM rejects') == [(2, "qty", "x")]


def test_broken_json_file_is_unreadable_with_a_hint(make_project):
    _, load = _load(make_project, "stock.json", '{"item": "A"')
    assert load.status == "failed" and "JSON array" in load.problem.message


def test_xlsx_sheet_rows_are_numbered_as_in_the_spreadsheet(make_project, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Bestand"
    sheet.append(["Stock report"])
    sheet.append(["item", "site", "lot", "qty", "counted_at"])
    sheet.append(["A", "S1", "L1", 12, "2026-11-20T06:00:00Z"])
    sheet.append([None, None, None, None, None])
    sheet.append(["B", "S2", None, 7.5, "2026-11-20T06:00:00Z"])
    book.save(tmp_path / "stock.xlsx")
    db, load = _load(make_project, "stock.xlsx", None, options="options: {sheet: Bestand, skip: 1}")
    assert (load.rows_read, load.rows_loaded) == (2, 2)
    assert db.rows("SELECT item_id, qty, _source_row FROM wms.stock ORDER BY 1") == [
        ("A", Decimal("12"), 3), ("B", Decimal("7.5"), 5)]


def test_xlsx_unknown_sheet_names_the_sheets(make_project, tmp_path):
    book = Workbook()
    book.active.title = "Bestand"
    book.save(tmp_path / "stock.xlsx")
    _, load = _load(make_project, "stock.xlsx", None, options="options: {sheet: Stock}")
    assert load.status == "failed" and "Bestand" in (load.problem.hint or "")


def test_wrong_column_count_and_quoted_delimiters(make_project):
    content = 'item,site,lot,qty,counted_at\n"A,1",S1,,1,2026-11-20\nB,S1\n'
    db, load = _load(make_project, "stock.csv", content)
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (2, 1, 1)
    assert db.scalar("SELECT item_id FROM wms.stock") == "A,1"


def test_jsonl_mapped_key_absent_everywhere_is_named_with_the_keys_there(make_project):
    # Readers extract only the keys the mapping reads; a key with no value anywhere makes them list
    # the file's keys, so the user learns which one is misspelt.
    content = '{"item": "A", "site": "S1", "qty": 1, "countedAt": "2026-11-20"}\n'
    _, load = _load(make_project, "stock.jsonl", content)
    assert load.status == "failed" and load.problem.code == "I004"
    assert "'counted_at'" in load.problem.message and "countedAt" in load.problem.message


def test_jsonl_key_present_only_as_null_is_not_missing(make_project):
    content = ('{"item": "A", "site": "S1", "lot": null, "qty": 1, "counted_at": "2026-11-20"}\n'
               '\n   \n'
               '[1, 2]\n'
               '{"item": "B", "site": "S1", "lot": null, "qty": "2", "counted_at": "2026-11-21"}\n')
    db, load = _load(make_project, "stock.jsonl", content)
    assert load.status == "ok"
    # Blank lines are skipped, not rejected; the array line is rejected; numbering follows the file.
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (3, 2, 1)
    assert db.rows("SELECT item_id, lot, _source_row FROM wms.stock ORDER BY _source_row") == [
        ("A", None, 1), ("B", None, 5)]
    assert db.rows('SELECT "row", reason FROM rejects') == [(4, "not a JSON object")]


def test_columns_no_mapping_reads_are_not_needed_to_parse(make_project, tmp_path):
    # An unmapped column full of values that would not type is never read, in CSV or Parquet.
    csv = "item,site,lot,qty,counted_at,notes\nA,S1,,1,2026-11-20,\"free, text\"\nB,S1,L2,2,2026-11-21,x\n"
    db, load = _load(make_project, "stock.csv", csv)
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (2, 2, 0)
    assert db.rows("SELECT item_id, _source_row FROM wms.stock ORDER BY 2") == [("A", 2), ("B", 3)]
    pq.write_table(pa.table({"item": ["A"], "site": ["S1"], "lot": [None], "qty": ["1"],
                             "counted_at": ["2026-11-20"], "blob": [b"\x00\x01"]}), tmp_path / "stock.parquet")
    db, load = _load(make_project, "stock.parquet", None)
    assert (load.rows_read, load.rows_loaded) == (1, 1)


def test_loaded_rows_keep_file_order_with_and_without_rejects(make_project):
    # Row numbering relies on DuckDB keeping insertion order (the mapped table's rowid). Without a
    # reject the rows are inserted as scanned; with one, the anti-join that drops it reorders the
    # rows unless they are sorted again (this test fails without that ORDER BY).
    body = "".join(f"Z{900 - i},S1,,{i},2026-11-20\n" for i in range(200_000))
    clean = "item,site,lot,qty,counted_at\n" + body
    db, _ = _load(make_project, "stock.csv", clean)
    assert [r[0] for r in db.rows("SELECT _source_row FROM wms.stock ORDER BY rowid")] == list(range(2, 200_002))
    broken = clean.replace("Z800,S1,,100,", "Z800,S1,,x,")
    db, load = _load(make_project, "stock.csv", broken)
    assert load.rows_rejected == 1
    rows = [r[0] for r in db.rows("SELECT _source_row FROM wms.stock ORDER BY rowid")]
    assert rows == [n for n in range(2, 200_002) if n != 102]
