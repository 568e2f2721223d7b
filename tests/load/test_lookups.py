"""Fields from another source by key: an ERP line file keyed by order number through its headers."""

from __future__ import annotations

import pytest

from recon.config import load_project
from recon.db import Database
from recon.errors import ConfigError
from recon.load.loader import Loader

CONFIG = """
sources:
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns:
      order_id: {lookup: erp_headers, on: HEADER_ID, field: ORDER_NUMBER}
      line_no: LINE
      qty: QTY
  erp_headers:
    system: erp
    entity: orders
    path: erp/headers.csv
    columns:
      order_id: ORDER_NUMBER
      header_id: {column: HEADER_ID, normalise: [strip_leading_zeros]}
"""

HEADERS = """
HEADER_ID,ORDER_NUMBER
0000501,SO-1
502,SO-2
503,
"""

LINES = """
HEADER_ID,LINE,QTY
501,1,5
502,1,2
502,2,1
999,1,4
,1,1
503,1,1
"""


def _load(path):
    db = Database()
    report = Loader(load_project(path), db, "t1").load_all()
    return db, report


def test_a_key_from_the_header_file_is_resolved_and_unmatched_references_rejected(make_project):
    db, report = _load(make_project(CONFIG, {"erp/headers.csv": HEADERS, "erp/lines.csv": LINES}))
    assert [f.source for f in report.files] == ["erp_lines", "erp_headers"]  # config order, loaded headers first
    assert db.rows("SELECT order_id, line_no, qty::INT FROM erp.order_lines ORDER BY 1, 2") == [
        ("SO-1", "1", 5), ("SO-2", "1", 2), ("SO-2", "2", 1)]
    lines = report.files[0]
    assert (lines.rows_read, lines.rows_loaded, lines.rows_rejected) == (6, 3, 3)
    rejects = db.rows("SELECT \"row\", field, raw_value, reason FROM main.rejects WHERE source = 'erp_lines' "
                      "ORDER BY \"row\"")
    assert rejects == [
        (5, "order_id", "999", "no erp_headers row with HEADER_ID 999 (or its ORDER_NUMBER is empty)"),
        (6, "order_id", None, "missing key field"),
        (7, "order_id", "503", "no erp_headers row with HEADER_ID 503 (or its ORDER_NUMBER is empty)"),
    ]
    assert "header_id" in {r[0] for r in db.rows("DESCRIBE erp.orders")}


def test_headers_that_disagree_on_the_value_reject_the_reference(make_project):
    headers = HEADERS + "501,SO-9\n"
    db, _ = _load(make_project(CONFIG, {"erp/headers.csv": headers, "erp/lines.csv": LINES}))
    reasons = [r[0] for r in db.rows("SELECT reason FROM main.rejects WHERE raw_value = '501'")]
    assert reasons == ["erp_headers rows with HEADER_ID 501 disagree on ORDER_NUMBER"]


def test_a_lookup_source_that_did_not_load_fails_the_file_by_name(make_project):
    _, report = _load(make_project(CONFIG, {"erp/lines.csv": LINES}))
    lines = report.files[0]
    assert lines.status == "failed" and lines.problem is not None and lines.problem.code == "I033"


@pytest.mark.parametrize(("change", "path"), [
    (("lookup: erp_headers", "lookup: erp_header"), "sources.erp_lines.columns.order_id.lookup"),
    (("field: ORDER_NUMBER", "field: ORDER_NO"), "sources.erp_lines.columns.order_id.field"),
    (("lookup: erp_headers", "lookup: erp_lines"), "sources.erp_lines.columns.order_id.lookup"),
])
def test_lookups_are_checked_before_any_file_is_read(make_project, change, path):
    with pytest.raises(ConfigError) as info:
        load_project(make_project(CONFIG.replace(*change), {}))
    assert [(p.code, p.path) for p in info.value.problems] == [("C036", path)]


def test_lookups_in_a_circle_are_refused(make_project):
    config = CONFIG.replace("      order_id: ORDER_NUMBER\n",
                            "      order_id: {lookup: erp_lines, on: LINE, field: QTY}\n      o: ORDER_NUMBER\n")
    config = config.replace("field: ORDER_NUMBER}", "field: ORDER_NUMBER}\n      qty2: QTY\n").replace(
        "      qty: QTY\n", "      qty: QTY\n      line_col: LINE\n")
    with pytest.raises(ConfigError) as info:
        load_project(make_project(config, {}))
    assert any("circle" in p.message for p in info.value.problems)
