"""A rule whose keys never join warns with the likely cause instead of looking like a clean night."""

from __future__ import annotations

from recon import api

CONFIG = """
rules: [bundled/order-to-cash]
sources:
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/ship.csv
    columns: {shipment_id: SHIP, order_id: ORDER, line_no: LINE, qty: QTY, status: STATUS, shipped_at: AT}
  erp_ship:
    system: erp
    entity: shipment_lines
    path: erp/ship.csv
    columns: {shipment_id: SHIP, order_id: ORDER, line_no: LINE, qty: QTY, shipped_at: AT}
"""

WMS = "SHIP,ORDER,LINE,QTY,STATUS,AT\nSH-1,1042,10,5,SHIPPED,2026-11-20T10:00:00Z\n"
ERP = "SHIP,ORDER,LINE,QTY,AT\nSH-1,0000001042,10,5,2026-11-20T11:00:00Z\n"


def _warnings(make_project, tmp_path, erp: str) -> list[str]:
    project = make_project(CONFIG, {"wms/ship.csv": WMS, "erp/ship.csv": erp})
    result = api.run(project, as_of="2026-11-21T00:00:00Z", out=tmp_path / "o", dry_run=True)
    return [w for w in result.rules.report.warnings if "shipment-posted-in-erp" in w]


def test_padded_against_unpadded_keys_warn_with_an_example_of_each(make_project, tmp_path):
    (warning,) = _warnings(make_project, tmp_path, ERP)
    assert "the keys never join" in warning
    assert "'1042'" in warning and "'0000001042'" in warning


def test_keys_that_join_do_not_warn(make_project, tmp_path):
    assert _warnings(make_project, tmp_path, ERP.replace("0000001042", "1042")) == []


def test_a_side_its_filter_empties_is_not_called_a_key_convention(make_project, tmp_path):
    # the only WMS row is not SHIPPED: the rule has nothing to compare, which is no key problem
    wms = WMS.replace("SHIPPED", "PICKED")
    project = make_project(CONFIG, {"wms/ship.csv": wms, "erp/ship.csv": ERP})
    result = api.run(project, as_of="2026-11-21T00:00:00Z", out=tmp_path / "o", dry_run=True)
    assert [w for w in result.rules.report.warnings
            if "shipment-posted-in-erp" in w and "never join" in w] == []


def test_a_rule_with_expression_keys_that_compared_nothing_still_warns(make_project, tmp_path):
    # The keys are expressions recon cannot test alone: no cause is named, but a rule that compared
    # no pair from two tables with rows is never a silent "ok".
    keyed = CONFIG.replace("rules: [bundled/order-to-cash]\n", """rules: [bundled/order-to-cash]
overrides:
  rules:
    shipment-posted-in-erp:
      keys: [{name: order_id, left: "'W' || order_id"}, line_no]
""")
    project = make_project(keyed, {"wms/ship.csv": WMS, "erp/ship.csv": ERP.replace("0000001042", "1042")})
    result = api.run(project, as_of="2026-11-21T00:00:00Z", out=tmp_path / "o", dry_run=True)
    (warning,) = [w for w in result.rules.report.warnings if "shipment-posted-in-erp" in w]
    assert "compared no pair" in warning and "wms.shipment_lines has 1 rows" in warning
    assert "never join" not in warning  # no cause is claimed that was not tested


def test_expression_keys_that_do_join_do_not_warn(make_project, tmp_path):
    keyed = CONFIG.replace("rules: [bundled/order-to-cash]\n", """rules: [bundled/order-to-cash]
overrides:
  rules:
    shipment-posted-in-erp:
      keys: [{name: order_id, left: "ltrim(order_id, '0')", right: "ltrim(order_id, '0')"}, line_no]
""")
    project = make_project(keyed, {"wms/ship.csv": WMS, "erp/ship.csv": ERP})
    result = api.run(project, as_of="2026-11-21T00:00:00Z", out=tmp_path / "o", dry_run=True)
    assert [w for w in result.rules.report.warnings if "shipment-posted-in-erp" in w] == []


def test_expression_keys_on_a_side_its_filter_empties_do_not_warn(make_project, tmp_path):
    keyed = CONFIG.replace("rules: [bundled/order-to-cash]\n", """rules: [bundled/order-to-cash]
overrides:
  rules:
    shipment-posted-in-erp:
      keys: [{name: order_id, left: "'W' || order_id"}, line_no]
""")
    project = make_project(keyed, {"wms/ship.csv": WMS.replace("SHIPPED", "PICKED"), "erp/ship.csv": ERP})
    result = api.run(project, as_of="2026-11-21T00:00:00Z", out=tmp_path / "o", dry_run=True)
    assert [w for w in result.rules.report.warnings if "shipment-posted-in-erp" in w] == []


def test_a_side_with_no_rows_skips_the_key_comparison(make_project, tmp_path, monkeypatch):
    # The comparison of both sides' distinct keys costs seconds at a million orders; with nothing on
    # one side there is no key question to ask, so only the sides' counts are queried.
    from recon.db import Database

    asked: list[str] = []
    rows = Database.rows
    monkeypatch.setattr(Database, "rows", lambda self, sql, *a, **k: (asked.append(sql), rows(self, sql, *a, **k))[1])
    project = make_project(CONFIG, {"wms/ship.csv": WMS.replace("SHIPPED", "PICKED"), "erp/ship.csv": ERP})
    api.run(project, as_of="2026-11-21T00:00:00Z", out=tmp_path / "o", dry_run=True)
    counted = [sql for sql in asked if "(SELECT count(*) FROM (SELECT * FROM \"wms\".\"shipment_lines\"" in sql]
    assert counted, "the sides' counts were not asked"
    assert not [sql for sql in counted if "SELECT DISTINCT" in sql]
