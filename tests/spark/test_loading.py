"""Loading on Spark matches loading on DuckDB on messy files: typing, normalisation, rejects, lineage.

Each file format goes through Spark's own reader, then the transpiled mapping SQL; the loaded
rows and the rejects (file, row, field, raw value, reason) must be those DuckDB produces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recon import api
from tests.spark.conftest import TEST_CONF

CONFIG = """
version: 1
timezone: America/Chicago
lookups:
  sites: {"DC-EAST": "P100"}
rules: []
engine:
  spark:
    master: "local[2]"
    conf: {CONF}
sources:
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    options: {delimiter: ";", quote: '"'}
    columns:
      order_id: {column: VBELN, normalise: [strip_leading_zeros]}
      line_no: POSNR
      item_id: {column: MATNR, normalise: [trim, {strip_prefix: "M-"}]}
      qty: {column: QTY, normalise: []}
      unit_price: PRICE
      site: {column: SITE, normalise: [upper, {map: sites}]}
      lot: {column: LOT, normalise: [empty_to_null, {zero_pad: 4}]}
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/ship.jsonl
    columns:
      shipment_id: {column: id, normalise: [upper, {strip_suffix: "-X"}]}
      order_id: order
      line_no: line
      qty: qty
      shipped_at: at
      carrier: {column: carrier, normalise: [collapse_spaces, {replace: {pattern: "([A-Z]+)-(\\\\d+)", with: "\\\\2"}}]}
  tms:
    system: tms
    entity: deliveries
    path: tms/legs.json
    format: json
    columns:
      shipment_id: ref
      picked_up_at: {column: pickup, format: "%d.%m.%Y %H:%M"}
      delivered_at: {column: delivered, format: "%Y-%m-%dT%H:%M:%S%z"}
      freight_cost: {column: cost}
  crm:
    system: crm
    entity: orders
    path: crm/orders.csv
    options: {delimiter: ";", encoding: latin-1}
    columns:
      order_id: id
      customer_name: name
  returns:
    system: erp
    entity: returns
    path: erp/returns.xlsx
    columns:
      rma_id: RMA
      line_no: Line
      qty: Qty
      received_at: {column: Received, format: "%Y-%m-%d %H:%M:%S"}
  stock:
    system: erp
    entity: stock
    path: erp/stock.parquet
    columns:
      item_id: item
      site: site
      lot: lot
      qty: qty
      as_of: as_of
"""

LINES_CSV = (
    "VBELN;POSNR;MATNR;QTY;PRICE;SITE;LOT\n"
    "0010000001;1;M-100;12.5;3.10;dc-east;7\n"
    "0010000001;2; M-200 ;abc;3.10;DC-EAST;\n"
    "0010000002;1.0;M-300;4;1,5;dc-west;12345\n"
    "0010000003;1;M-400;4;2\n"
    ";1;M-500;1;1;P200;1\n"
    "0010000004;1.5;M-600;1;1;P200;1;extra\n"
    "0000000000;10;M-700;1e2;0.5;P100;0\n"
    '0010000005;1;"M-8;00";2;1;P100;1\n'
    '0010000006;1;"M-""9""";2;1;"P100";"1"\n'
)
SHIP = [
    {"id": "sh1-x", "order": "10000001", "line": 1, "qty": 12.5, "at": "2026-11-06T22:01:32-08:00",
     "carrier": "UPS  N"},
    {"id": "SH2", "order": "10000001", "line": 2, "qty": 1, "at": "2026-11-06 22:01:32", "carrier": "AB-12"},
    "not json",
    [1, 2],
    {"id": "SH3", "order": None, "line": "x", "qty": "1", "at": "yesterday", "nested": {"a": 1}},
]
LEGS = [
    {"ref": "SH1", "pickup": "07.11.2026 04:53", "delivered": "2026-11-08T18:42:00+01:00", "cost": 32.29},
    {"ref": "SH2", "pickup": "31.02.2026 04:53", "delivered": "2026-11-08T18:42:00Z", "cost": "n/a"},
]


def write_files(tmp: Path) -> None:
    (tmp / "erp").mkdir()
    (tmp / "wms").mkdir()
    (tmp / "tms").mkdir()
    (tmp / "crm").mkdir()
    (tmp / "crm" / "orders.csv").write_bytes("id;name\n1;Café\n2;Müller\n".encode("latin-1"))
    (tmp / "erp" / "lines.csv").write_text(LINES_CSV)
    (tmp / "wms" / "ship.jsonl").write_text("\n".join(s if isinstance(s, str) else json.dumps(s) for s in SHIP)
                                            + "\n\n")
    (tmp / "tms" / "legs.json").write_text(json.dumps(LEGS))
    table = pa.table({
        "item": ["100", "200", None],
        "site": ["P100", "P200", "P100"],
        "lot": [None, "L1", "L2"],
        "qty": pa.array([1.5, 2.0, 3.25], pa.float64()),
        "as_of": pa.array([1_790_000_000_000_000, 1_790_000_060_000_000, None], pa.timestamp("us", tz="UTC")),
    })
    pq.write_table(table, tmp / "erp" / "stock.parquet")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["RMA", "Line", "Qty", "Received"], ["R1", 1, 2.5, "2026-11-01 10:00:00"], ["R1", "x", 1, None],
                [None, 2, 1, "2026-11-02 10:00:00"], ["R2", 1.0, "many", "2026-11-31 10:00:00"]):
        sheet.append(row)
    book.save(tmp / "erp" / "returns.xlsx")


@pytest.fixture(scope="module")
def loaded(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("messy")
    write_files(tmp)
    conf = json.dumps({k: v for k, v in TEST_CONF.items()})
    (tmp / "recon.yaml").write_text(CONFIG.replace("{CONF}", conf))
    return {e: api.run(tmp / "recon.yaml", out=tmp / f"out-{e}", dry_run=True, engine=e) for e in ("duckdb", "spark")}


def rows(ctx: Any, sql: str) -> list[tuple[Any, ...]]:
    return ctx.db.rows(sql)


TABLES = ["erp.order_lines", "wms.shipment_lines", "tms.deliveries", "erp.stock", "crm.orders", "erp.returns"]


@pytest.mark.parametrize("table", TABLES)
def test_same_rows(loaded: dict[str, Any], table: str) -> None:
    duck = loaded["duckdb"]
    cols = [c for c, _ in duck.db.columns(table) if c != "_load_id"]
    select = ", ".join(f'"{c}"' for c in cols)
    query = f"SELECT {select} FROM {table} ORDER BY _source_file, _source_row"
    expected = rows(duck, query)
    assert expected, table
    assert rows(loaded["spark"], query) == expected


def test_same_rejects(loaded: dict[str, Any]) -> None:
    query = ("SELECT source, system, entity, file, \"row\", field, raw_value, reason FROM main.rejects "
             "ORDER BY file, \"row\", field")
    expected = rows(loaded["duckdb"], query)
    assert {r[5] for r in expected} >= {"qty", "order_id", "line_no", "freight_cost", "picked_up_at"}
    assert rows(loaded["spark"], query) == expected


def test_same_balance(loaded: dict[str, Any]) -> None:
    def balance(ctx: Any) -> list[tuple[Any, ...]]:
        return sorted((f.source, f.rows_read, f.rows_loaded, f.rows_rejected, f.status) for f in ctx.load.files)

    assert balance(loaded["spark"]) == balance(loaded["duckdb"])


def test_engine_shorthand(make_project: Callable[..., Path]) -> None:
    from recon.config import load_project

    config = make_project("version: 1\nengine: spark\n")
    options = load_project(config).config.engine
    assert options.name == "spark" and options.spark.master == "local[*]"


EDGE_CONFIG = """
version: 1
rules: []
engine:
  spark:
    master: "local[2]"
    conf: {CONF}
sources:
  long:
    system: erp
    entity: order_lines
    path: long.csv
    options: {max_line_size: 1048576}
    columns: {order_id: id, line_no: line, qty: qty}
  dup:
    system: wms
    entity: order_lines
    path: dup.csv
    columns: {order_id: id, line_no: line, qty: qty}
  empty:
    system: tms
    entity: deliveries
    path: empty.csv
    columns: {shipment_id: id}
  dup_unread:
    system: crm
    entity: orders
    path: dup_unread.csv
    columns: {order_id: id}
"""


@pytest.fixture(scope="module")
def edge(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Files whose problems are decided by the header or by a line's size: the engines must agree."""
    tmp = tmp_path_factory.mktemp("edge")
    (tmp / "long.csv").write_text("id,line,qty\nA,1,2\nB,1," + "9" * 1_500_000 + "\nC,1,4\n")
    (tmp / "dup.csv").write_text("id,line,qty,QTY\nA,1,2,3\n")
    (tmp / "empty.csv").write_text("")
    (tmp / "dup_unread.csv").write_text("id,note,note\nA,x,y\n")
    conf = json.dumps({k: v for k, v in TEST_CONF.items()})
    (tmp / "recon.yaml").write_text(EDGE_CONFIG.replace("{CONF}", conf))
    return {e: api.run(tmp / "recon.yaml", out=tmp / f"out-{e}", dry_run=True, engine=e) for e in ("duckdb", "spark")}


def test_edge_files_fail_or_load_alike(edge: dict[str, Any]) -> None:
    def outcome(ctx: Any) -> list[tuple[Any, ...]]:
        return sorted((f.source, f.status, f.problem.code if f.problem else None, f.rows_read, f.rows_loaded,
                       f.rows_rejected) for f in ctx.load.files)

    expected = outcome(edge["duckdb"])
    assert expected == [
        ("dup", "failed", "I021", 0, 0, 0), ("dup_unread", "ok", None, 1, 1, 0),
        ("empty", "failed", "I020", 0, 0, 0), ("long", "ok", None, 3, 2, 1),
    ]
    assert outcome(edge["spark"]) == expected


def test_a_line_over_max_line_size_is_the_same_reject(edge: dict[str, Any]) -> None:
    query = 'SELECT file, "row", field, raw_value, reason FROM main.rejects ORDER BY file, "row"'
    expected = rows(edge["duckdb"], query)
    assert [(r[1], r[4]) for r in expected] == [(3, "line longer than max_line_size (1048576 bytes)")]
    assert rows(edge["spark"], query) == expected
    loaded = "SELECT order_id, _source_row FROM erp.order_lines ORDER BY 2"
    assert rows(edge["spark"], loaded) == rows(edge["duckdb"], loaded) == [("A", 2), ("C", 4)]
