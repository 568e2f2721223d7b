"""Extracts in real shapes load into typed canonical tables, with keys normalised as configured."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from recon.config import load_project
from recon.db import Database
from recon.load.loader import Loader

ERP_CONFIG = """
timezone: Europe/Berlin
currency: EUR
lookups:
  plants: {P100: DC-EAST, P200: DC-WEST}
sources:
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/VBAP_*.csv
    options: {delimiter: ";", decimal: ","}
    columns:
      order_id: {column: VBELN, normalise: [strip_leading_zeros, {add_prefix: SO-}]}
      line_no: POSNR
      item_id: {column: MATNR, normalise: [upper]}
      qty: KWMENG
      unit_price: NETPR
      site: {column: WERKS, normalise: [{map: plants}]}
      lot: CHARG
      created: {column: ERDAT, format: "%Y%m%d", type: timestamp}
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/shipments.jsonl
    columns:
      shipment_id: shipment
      order_id: {column: order, normalise: [{add_prefix: SO-}]}
      line_no: line
      item_id: sku
      qty: qty
      shipped_at: shipped_at
      site: facility
"""

ERP_CSV = """
VBELN;POSNR;MATNR;KWMENG;NETPR;WERKS;CHARG;ERDAT
0000001042;000010;mat-1;12.000;3,50;P100;;20261120
0000001042;000020;MAT-2;1.500;10,00;P200;L7;20261119
"""

WMS_JSONL = (
    '{"shipment": "SH1", "order": "1042", "line": 10, "sku": "MAT-1", "qty": 12, '
    '"shipped_at": "2026-11-20T23:30:00-05:00", "facility": "DC-EAST"}\n'
    '{"shipment": "SH2", "order": "1042", "line": "20", "sku": "MAT-2", "qty": "1.5", '
    '"shipped_at": "2026-11-21T04:30:00Z", "facility": "DC-WEST"}\n'
)


def _load(config_path):
    project = load_project(config_path)
    db = Database()
    report = Loader(project, db, "t1").load_all()
    return db, report


def test_semicolon_csv_with_erp_conventions_loads_typed_and_normalised(make_project):
    db, report = _load(make_project(ERP_CONFIG, {"erp/VBAP_1.csv": ERP_CSV, "wms/shipments.jsonl": WMS_JSONL}))
    assert [f.status for f in report.files] == ["ok", "ok"]
    rows = db.dicts("SELECT * FROM erp.order_lines ORDER BY line_no")
    assert [r["order_id"] for r in rows] == ["SO-1042", "SO-1042"]
    assert [r["line_no"] for r in rows] == ["10", "20"]  # 000010 is line 10, as text
    assert [r["qty"] for r in rows] == [Decimal("12"), Decimal("1.5")]
    assert [r["unit_price"] for r in rows] == [Decimal("3.5"), Decimal("10")]
    assert [r["item_id"] for r in rows] == ["MAT-1", "MAT-2"]
    assert [r["site"] for r in rows] == ["DC-EAST", "DC-WEST"]
    assert rows[0]["lot"] is None and rows[1]["lot"] == "L7"
    assert rows[0]["currency"] == "EUR"
    # 20261120 is midnight in Berlin, 23:00 UTC the day before.
    assert rows[0]["created"] == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)
    assert [(r["_source_file"], r["_source_row"]) for r in rows] == [("erp/VBAP_1.csv", 2), ("erp/VBAP_1.csv", 3)]
    types = dict(db.columns("erp.order_lines"))
    assert types["qty"] == "DECIMAL(18,4)" and types["line_no"] == "VARCHAR"  # line numbers are text (1.1)


def test_jsonl_timestamps_with_offsets_become_utc_instants(make_project):
    db, _ = _load(make_project(ERP_CONFIG, {"erp/VBAP_1.csv": ERP_CSV, "wms/shipments.jsonl": WMS_JSONL}))
    rows = db.dicts("SELECT order_id, line_no, shipped_at, qty FROM wms.shipment_lines ORDER BY line_no")
    assert rows[0]["shipped_at"] == datetime(2026, 11, 21, 4, 30, tzinfo=UTC)
    assert rows[1]["shipped_at"] == datetime(2026, 11, 21, 4, 30, tzinfo=UTC)
    # Keys from both systems now compare equal.
    joined = db.scalar(
        "SELECT count(*) FROM erp.order_lines e JOIN wms.shipment_lines w USING (order_id, line_no) "
        "WHERE e.qty = w.qty"
    )
    assert joined == 2


def test_bad_cells_and_bad_lines_are_rejected_with_row_field_and_reason(make_project):
    csv = """
    VBELN;POSNR;MATNR;KWMENG;NETPR;WERKS;CHARG;ERDAT
    0000001042;000010;MAT-1;twelve;3,50;P100;;20261120
    0000001042;000020;MAT-2;1;10,00;P200;L7;20261399
    ;000030;MAT-3;1;1,00;P200;;20261101
    0000001043;000010;MAT-1
    0000001044;000010;MAT-1;4;1,00;P100;;20261101
    """
    db, report = _load(make_project(ERP_CONFIG, {"erp/VBAP_1.csv": csv, "wms/shipments.jsonl": WMS_JSONL}))
    erp = report.files[0]
    assert (erp.rows_read, erp.rows_loaded, erp.rows_rejected) == (5, 1, 4)
    rejects = db.rows('SELECT "row", field, raw_value, reason FROM rejects WHERE source = ? ORDER BY "row"',
                      ["erp_lines"])
    assert rejects[0] == (2, "qty", "twelve", "not a number (decimal separator ',')")
    assert rejects[1][:3] == (3, "created", "20261399")
    assert rejects[2] == (4, "order_id", None, "missing key field")
    assert rejects[3][0] == 5 and "wrong column count" in rejects[3][3]
    assert db.rows("SELECT _source_row FROM erp.order_lines") == [(6,)]


def test_a_missing_file_fails_its_source_only(make_project):
    config = make_project(ERP_CONFIG, {"wms/shipments.jsonl": WMS_JSONL})
    db, report = _load(config)
    statuses = {f.source: f.status for f in report.files}
    assert statuses == {"erp_lines": "failed", "wms_ship": "ok"}
    assert "no file matches" in report.files[0].problem.message
    assert db.scalar("SELECT count(*) FROM wms.shipment_lines") == 2
