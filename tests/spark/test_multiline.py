"""CSV quoting that spans or breaks lines loads on Spark as on DuckDB, on the true line numbers.

A quoted field with newlines inside is one record numbered by its first line; an unterminated or
misplaced quote costs exactly its own line (a reject), and the lines after it load. Spark's
per-line split cannot do that, so such a file is read by DuckDB's reader on the driver
(recon.spark.readers.read_csv_on_driver); a file without such lines stays on Spark's reader.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from recon import api
from tests.spark.conftest import TEST_CONF

CONFIG = """
version: 1
rules: []
engine:
  spark:
    master: "local[2]"
    conf: {CONF}
sources:
  lines:
    system: erp
    entity: order_lines
    path: lines.csv
    columns: {order_id: id, line_no: line, qty: qty, item_id: name}
  semicolons:
    system: wms
    entity: order_lines
    path: semi.csv
    options: {delimiter: ";", quote: "'", escape: "\\\\"}
    columns: {order_id: id, line_no: line, qty: qty, item_id: name}
"""

LINES = (
    "id,line,qty,name\n"          # 1
    "A,1,2,plain\n"               # 2
    'B,1,3,"two\n'                # 3  a field over lines 3-4
    'lines"\n'                    # 4
    "\n"                          # 5  blank
    'C,1,4,"three\n'              # 6  a field over lines 6-8, doubled quotes inside
    'lines, with ""quotes""\n'    # 7
    'end"\n'                      # 8
    'D,1,5,"12 inch\n'            # 9  a stray quote: never closed
    "E,1,6,ok\n"                  # 10
    'F,1,x"y"z,bad\n'             # 11 a quote inside an unquoted value
    'G,1,7,"ok, quoted"\n'        # 12
    "H,1,seven,typed\n"           # 13 a cell that does not type: a reject of the mapping
)
SEMI = (
    "id;line;qty;name\n"                 # 1
    "A;1;2;'first\n"                     # 2  a field over lines 2-3, with an escaped quote
    "it\\'s; second'\n"                  # 3
    "B;1;3;plain\n"                      # 4
)


@pytest.fixture(scope="module")
def runs(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("multiline")
    (tmp / "lines.csv").write_text(LINES)
    (tmp / "semi.csv").write_text(SEMI)
    (tmp / "recon.yaml").write_text(CONFIG.replace("{CONF}", json.dumps(TEST_CONF)))
    return {e: api.run(tmp / "recon.yaml", out=tmp / f"out-{e}", dry_run=True, engine=e) for e in ("duckdb", "spark")}


def test_records_over_several_lines_load_as_on_duckdb(runs: dict[str, Any]) -> None:
    query = "SELECT order_id, line_no, qty, item_id, _source_file, _source_row FROM {} ORDER BY _source_row"
    for table in ("erp.order_lines", "wms.order_lines"):
        expected = runs["duckdb"].db.rows(query.format(table))
        assert runs["spark"].db.rows(query.format(table)) == expected, table
    loaded = runs["spark"].db.rows("SELECT order_id, _source_row, item_id FROM erp.order_lines ORDER BY 2")
    assert loaded == [("A", 2, "plain"), ("B", 3, "two\nlines"), ("C", 6, 'three\nlines, with "quotes"\nend'),
                      ("E", 10, "ok"), ("G", 12, "ok, quoted")]
    assert runs["spark"].db.rows("SELECT order_id, _source_row, item_id FROM wms.order_lines ORDER BY 2") == [
        ("A", 2, "first\nit's; second"), ("B", 4, "plain")]


def test_broken_quotes_are_rejects_on_their_own_lines(runs: dict[str, Any]) -> None:
    query = 'SELECT file, "row", field, raw_value, reason FROM main.rejects ORDER BY file, "row", field'
    expected = runs["duckdb"].db.rows(query)
    assert runs["spark"].db.rows(query) == expected
    assert [(r[0], r[1]) for r in expected] == [("lines.csv", 9), ("lines.csv", 11), ("lines.csv", 13)]


def test_every_physical_line_is_accounted_for_once(runs: dict[str, Any]) -> None:
    """13 lines = 1 header + 1 blank + 3 continuation lines + 8 records (5 loaded, 3 rejected)."""
    def balance(ctx: Any) -> list[tuple[Any, ...]]:
        return sorted((f.source, f.rows_read, f.rows_loaded, f.rows_rejected, f.status) for f in ctx.load.files)

    assert balance(runs["spark"]) == balance(runs["duckdb"]) == [
        ("lines", 8, 5, 3, "ok"), ("semicolons", 2, 2, 0, "ok")]
