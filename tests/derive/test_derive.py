"""`derive:` steps: read-only SQL over the loaded tables, checked before the run, run before the rules."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from recon import api
from recon.cli import main
from recon.config import load_project
from recon.db import Database
from recon.derive import plan_derive
from recon.derive.runner import run_derive
from recon.load.loader import Loader

SOURCES = """
sources:
  erp_orders:
    system: erp
    entity: orders
    path: erp/orders.csv
    columns: {order_id: ORDER, status: STATUS}
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns: {order_id: ORDER, line_no: LINE, qty: QTY}
  wms_cartons:
    system: wms_cartons
    entity: shipment_lines
    path: wms/cartons.csv
    columns: {shipment_id: CARTON, order_id: ORDER, line_no: LINE, qty: QTY, status: STATUS}
rules: []
"""
CANCEL = """
derive:
  zero-qty-cancels-order:
    update: erp.orders
    sql: |
      SELECT order_id, 'CANCELLED' AS status
      FROM erp.order_lines GROUP BY order_id HAVING bool_and(qty = 0)
"""
CARTONS = """
  cartons-to-lines:
    create: wms.shipment_lines
    sql: |
      SELECT order_id AS shipment_id, order_id, line_no, sum(qty) AS qty, 'SHIPPED' AS status,
             min(_source_file) AS _source_file, min(_source_row) AS _source_row
      FROM wms_cartons.shipment_lines WHERE status = 'SHIPPED' GROUP BY ALL
"""
FILES = {
    "erp/orders.csv": "ORDER,STATUS\nSO1,C\nSO2,C\nSO3,C\n",
    "erp/lines.csv": "ORDER,LINE,QTY\nSO1,10,0\nSO1,20,0\nSO2,10,5\nSO2,20,0\nSO3,10,1\n",
    "wms/cartons.csv": "CARTON,ORDER,LINE,QTY,STATUS\nC1,SO2,10,2,SHIPPED\nC2,SO2,10,3,SHIPPED\nC3,SO3,10,1,PACKED\n",
}


def _derive(make_project, config, files=FILES):
    project = load_project(make_project(config, files))
    db = Database()
    report = Loader(project, db, "r1").load_all()
    steps, problems = plan_derive(project.config, project.doc)
    assert not problems
    db.restrict_file_access()
    return db, run_derive(db, steps, "r1", {f"{f.system}.{f.entity}" for f in report.failed})


def test_an_order_whose_every_line_is_zero_is_cancelled_and_says_which_step_did_it(make_project):
    db, (done,) = _derive(make_project, SOURCES + CANCEL)
    assert done.ok and done.rows == 1
    assert db.rows("SELECT order_id, status, _derived FROM erp.orders ORDER BY 1") == [
        ("SO1", "CANCELLED", "zero-qty-cancels-order"), ("SO2", "C", None), ("SO3", "C", None)]


def test_a_created_table_sums_cartons_into_lines_for_the_rules(make_project):
    db, (_, made) = _derive(make_project, SOURCES + CANCEL + CARTONS)
    assert made.ok and made.rows == 1
    assert db.rows("SELECT shipment_id, order_id, line_no, qty, status, _source_file, _source_row, _load_id "
                   "FROM wms.shipment_lines") == [
        ("SO2", "SO2", "10", 5, "SHIPPED", "wms/cartons.csv", 2, "r1:derive.cartons-to-lines")]
    assert db.rows("SELECT step, mode, target, rows_changed, status FROM main.derived ORDER BY step") == [
        ("cartons-to-lines", "create", "wms.shipment_lines", 1, "ok"),
        ("zero-qty-cancels-order", "update", "erp.orders", 1, "ok")]


def test_two_rows_for_one_key_fail_the_step_without_touching_the_table(make_project):
    config = SOURCES + CANCEL.replace("GROUP BY order_id HAVING bool_and(qty = 0)", "")
    db, (done,) = _derive(make_project, config)
    assert not done.ok and done.problem is not None and done.problem.code == "I041"
    assert "rows for one erp.orders row (order_id = SO1)" in done.problem.message
    assert db.scalar("SELECT count(*) FROM erp.orders WHERE status = 'CANCELLED'") == 0


def test_a_step_reading_a_failed_source_fails_and_so_does_the_step_after_it(make_project):
    files = {**FILES, "erp/lines.csv": "ORDR,LINE,QTY\nSO1,10,0\n"}  # a mapped column missing: the source fails
    config = SOURCES + CANCEL + """
  cancelled-lines:
    update: erp.order_lines
    sql: "SELECT o.order_id, l.line_no, 'CANCELLED' AS status FROM erp.orders o JOIN erp.order_lines l USING (order_id)"
"""
    _, (first, second) = _derive(make_project, config, files)
    assert not first.ok and "it reads erp.order_lines, which did not load" in first.problem.message
    assert not second.ok


@pytest.mark.parametrize(("sql", "code", "text"), [
    ("DELETE FROM erp.orders", "C042", "only a SELECT"),
    ("SELECT order_id, 'X' AS status FROM erp.order_lines; DROP TABLE erp.orders", "C042", "one SELECT"),
    ("SELECT order_id, 'X' AS status FROM read_csv('/etc/passwd')", "C042", "read_csv() reads files"),
    ("SELECT order_id, 'X' AS status FROM 'erp/orders.csv'", "C043", "unknown table"),
    ("SELECT order_id, 'X' AS status FROM erp.order_line", "C043", "did you mean 'erp.order_lines'"),
    ("SELECT order_id, qtyy AS status FROM erp.order_lines", "C044", "qtyy"),
    ("SELECT order_id, 'X' AS statos FROM erp.order_lines", "C045", "'statos' is not a column of erp.orders"),
    ("SELECT 'X' AS status FROM erp.order_lines", "C045", "must give order_id"),
    ("SELECT getenv('HOME') AS status, order_id FROM erp.orders", "C042", "getenv() reads files"),
])
def test_validation_refuses_what_is_not_a_read_only_select_over_the_catalogue(make_project, sql, code, text):
    config = SOURCES + f"derive:\n  step:\n    update: erp.orders\n    sql: {json.dumps(sql)}\n"
    result = api.validate(make_project(config, FILES))
    found = [p for p in result.problems if p.path and p.path.startswith("derive.step")]
    assert [p.code for p in found] == [code], [p.render() for p in result.problems]
    assert text in found[0].render()
    assert found[0].line is not None


def test_create_refuses_a_loaded_table_and_fields_the_entity_lacks(make_project):
    loaded = SOURCES + textwrap.dedent("""
    derive:
      again:
        create: erp.orders
        sql: SELECT order_id FROM erp.order_lines
      extra:
        create: tms.deliveries
        sql: SELECT order_id AS shipment_id, qty AS weight FROM erp.order_lines
    """)
    result = api.validate(make_project(loaded, FILES))
    assert [(p.code, p.path) for p in result.problems] == [
        ("C045", "derive.again.create"), ("C045", "derive.extra.sql")]


def test_cli_validate_explain_and_run_with_derive(make_project, tmp_path):
    config = make_project(SOURCES + CANCEL + CARTONS, FILES)
    runner = CliRunner()
    assert runner.invoke(main, ["validate", "--config", str(config)]).exit_code == 0
    explained = runner.invoke(main, ["explain", "zero-qty-cancels-order", "--config", str(config)])
    assert explained.exit_code == 0
    assert explained.output.startswith("-- derive step zero-qty-cancels-order: update erp.orders, reads "
                                       "erp.order_lines\nUPDATE \"erp\".\"orders\" AS t SET \"status\" = d.\"status\"")
    ran = runner.invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "out")])
    assert ran.exit_code == 0, ran.output
    queried = runner.invoke(main, ["query", "--config", str(config), "--csv",
                                   "SELECT order_id, status, _derived FROM erp.orders ORDER BY 1"])
    assert queried.output.splitlines()[1] == "SO1,CANCELLED,zero-qty-cancels-order"
    traced = runner.invoke(main, ["trace", "SO1", "--config", str(config), "--json"])
    assert traced.exit_code == 0, traced.output
    events = json.loads(traced.output)["events"]
    assert any(e["fields"].get("_derived") == "zero-qty-cancels-order" for e in events)


def test_spark_engine_refuses_derive(make_project):
    result = api.validate(make_project(SOURCES + CANCEL + "engine: spark\n", FILES))
    assert [(p.code, p.path) for p in result.problems] == [("C034", "derive")]
