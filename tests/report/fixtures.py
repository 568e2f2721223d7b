"""A small, fixed run in a DuckDB: loaded tables, an exceptions table, a lifecycle, a base summary.

Built in the test (not by running the loaders and rules) so that the golden report files change
only when the reports change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from recon.config.schema import Config
from recon.db import Database
from recon.load.loader import REJECTS_DDL, ensure_table
from recon.report import Report, context, outputs
from recon.rules.contract import COLUMN_NAMES, exceptions_ddl

RUN_ID = "20261120T060000Z-golden"
AS_OF = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
STARTED = datetime(2026, 11, 20, 6, 1, 2, tzinfo=UTC)
MARKUP = '<script>alert("x")</script>'
CUSTOMER = "ACME <b>Corp</b> & Sons"


def _t(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


# (rule_id, workflow, type, severity, owner, fix_in, keys, field, left, right, value, currency, event_at, message)
EXCEPTIONS: list[tuple[Any, ...]] = [
    ("shipped-not-posted", "order-to-cash", "shipped-not-posted", "high", "operations", "erp",
     {"order_id": "SO-1001", "line_no": 10, "shipment_id": "SH-1", "site": "DC-EAST"}, "qty", "12", None,
     "1200.00", "USD", "2026-11-19T22:30:00", "Shipped in the WMS 7.5 h ago, not posted in the ERP"),
    ("shipped-not-posted", "order-to-cash", "shipped-not-posted", "high", "operations", "erp",
     {"order_id": "SO-1002", "line_no": 20, "shipment_id": "SH-2", "site": "DC-EAST"}, "qty", "3", None,
     "450.00", "USD", "2026-11-19T08:00:00", "Shipped in the WMS, not posted in the ERP"),
    ("shipped-not-posted", "order-to-cash", "ship-qty-mismatch", "medium", "operations", "wms",
     {"order_id": "SO-1003", "line_no": 10, "shipment_id": "SH-3", "site": "DC-WEST"}, "qty", "10", "8",
     "80.00", "USD", "2026-11-18T15:00:00", "WMS shipped 10, ERP posted 8"),
    ("invoice-without-shipment", "order-to-cash", "invoice-without-shipment", "critical", "finance", "erp",
     {"order_id": "SO-1004", "line_no": 10, "invoice_id": "INV-77", "customer_id": "C-9", "site": "DC-WEST"},
     "amount", "5400", None, "5400.00", "USD", "2026-11-17T10:00:00",
     f"Invoiced to {CUSTOMER} without a shipment; note: {MARKUP}"),
    ("invoice-amount", "order-to-cash", "invoice-amount-mismatch", "medium", "finance", "erp",
     {"invoice_id": "INV-78", "line_no": 1, "order_id": "SO-1005", "site": "DC-EAST"}, "amount", "99.50", "95.00",
     "4.50", "USD", "2026-11-20T01:00:00", "Invoice amount differs from order price × qty"),
    ("invoice-amount", "order-to-cash", "invoice-amount-mismatch", "medium", "finance", "erp",
     {"invoice_id": "INV-79", "line_no": 1, "order_id": "SO-1006", "site": "DC-EAST"}, "amount", "310", "300",
     "10.00", "EUR", "2026-10-20T01:00:00", "Invoice amount differs (EUR order)"),
    ("edi-ack", "edi", "edi-rejected", "high", "it", "edi", {"document": "SH-2", "customer_id": "C-1"},
     "status", "R", "A", None, None, "2026-11-19T12:00:00", "Customer rejected the ASN (997 AK5*R)"),
    ("edi-ack", "edi", "edi-ack-missing", "low", "it", "edi", {"document": "INV-80"}, None, None, None,
     None, None, None, "No 997 received for invoice INV-80"),
    ("tracking", "transport", "shipped-without-tracking", "low", "operations", "wms",
     {"shipment_id": "SH-5", "site": "DC-WEST"}, "tracking_no", None, None, "0.00", "USD",
     "2026-11-19T18:00:00", "Shipped line has no tracking number"),
    ("tracking", "transport", "shipment-not-in-tms", "medium", "operations", "tms",
     {"shipment_id": "SH-6", "site": None}, None, None, None, "220.00", "USD", "2026-11-16T09:00:00",
     "Shipment never reached the TMS"),
    ("stock", "inventory", "stock-variance", "medium", None, "erp",
     {"item_id": "MAT-1", "site": "DC-EAST", "lot": "L7"}, "qty", "40", "36", "140.00", "USD",
     "2026-11-20T05:00:00", "ERP book stock exceeds WMS bin stock by 4"),
]
# exception index -> (lifecycle status, acked)
LIFECYCLE = {0: ("new", False), 1: ("open", False), 2: ("open", True), 3: ("new", False), 6: ("reopened", False)}


def exception_rows(run_id: str = RUN_ID) -> list[tuple[Any, ...]]:
    rows = []
    for i, (rule, workflow, kind, severity, owner, fix_in, keys, fld, left, right, value, currency, event,
            message) in enumerate(EXCEPTIONS):
        event_at = _t(event)
        age = None if event_at is None else Decimal(str(round((AS_OF - event_at).total_seconds() / 3600, 1)))
        row = {
            "run_id": run_id, "exception_id": f"{i:016x}", "rule_id": rule, "workflow": workflow,
            "exception_type": kind, "severity": severity, "owner": owner, "fix_in": fix_in, **keys,
            "field": fld, "left_value": left, "right_value": right, "difference": None,
            "value_at_risk": Decimal(value) if value else None, "currency": currency, "as_of": AS_OF,
            "event_at": event_at, "age_hours": age, "message": message,
            "left_lineage": "wms/ship.csv:2", "right_lineage": None,
        }
        rows.append(tuple(row.get(c) for c in COLUMN_NAMES))
    return rows


def build_database(with_lifecycle: bool = True, run_id: str = RUN_ID) -> Database:
    db = Database()
    db.execute(exceptions_ddl("main.exceptions"))
    placeholders = ", ".join("?" for _ in COLUMN_NAMES)
    db.con.executemany(f"INSERT INTO main.exceptions VALUES ({placeholders})", exception_rows(run_id))
    orders = ensure_table(db, "erp", "orders")
    wms = ensure_table(db, "wms", "shipment_lines")
    erp_ship = ensure_table(db, "erp", "shipment_lines")
    invoices = ensure_table(db, "erp", "invoice_lines")
    # release -> ship: 2, 4, 6, 8, 30 h; ship -> post: 1, 1, 3 h; ship -> invoice: 24, 48 h
    for i, (released, ship_h, post_h, invoice_h) in enumerate(
            [("2026-11-18T00:00:00", 2, 1, 24), ("2026-11-18T06:00:00", 4, 1, 48), ("2026-11-18T12:00:00", 6, 3, None),
             ("2026-11-19T00:00:00", 8, None, None), ("2026-11-19T02:00:00", 30, None, None)]):
        order = f"SO-{2000 + i}"
        rel = _t(released)
        assert rel is not None
        shipped = rel.timestamp() + ship_h * 3600
        db.execute(f"INSERT INTO {orders} (order_id, released_at, customer_name) VALUES (?, ?, ?)",
                   [order, rel, CUSTOMER])
        db.execute(f"INSERT INTO {wms} (shipment_id, order_id, line_no, shipped_at) VALUES (?, ?, 10, to_timestamp(?))",
                   [f"SH-{i}", order, shipped])
        if post_h is not None:
            db.execute(f"INSERT INTO {erp_ship} (shipment_id, order_id, line_no, shipped_at) "
                       "VALUES (?, ?, 10, to_timestamp(?))", [f"SH-{i}", order, shipped + post_h * 3600])
        if invoice_h is not None:
            db.execute(f"INSERT INTO {invoices} (invoice_id, line_no, order_id, order_line_no, invoiced_at) "
                       "VALUES (?, 1, ?, 10, to_timestamp(?))", [f"INV-{i}", order, shipped + invoice_h * 3600])
    db.execute(REJECTS_DDL)
    db.con.executemany("INSERT INTO main.rejects VALUES (?, ?, 'erp', 'order_lines', 'erp/lines.csv', ?, ?, ?, ?)", [
        (f"{run_id}:erp_lines", "erp_lines", 3, "qty", "x", "not a number"),
        (f"{run_id}:erp_lines", "erp_lines", 4, "qty", "1,2,3", "not a number"),
        (f"{run_id}:erp_lines", "erp_lines", 5, "order_id", "", "missing key field"),
        ("an-earlier-run:erp_lines", "erp_lines", 9, "qty", "y", "not a number"),
    ])
    # Stock in the ERP (book) and the WMS (system of record): P100 MAT-1 40 vs 36 at 35.00 (140.00 of
    # variance), MAT-2 only in the WMS (no price: units only); P300 MAT-3 equal.
    stock = {"erp": [("MAT-1", "DC-EAST", "L7", 40), ("MAT-3", "DC-WEST", None, 10)],
             "wms": [("MAT-1", "DC-EAST", "L7", 36), ("MAT-2", "DC-EAST", None, 5), ("MAT-3", "DC-WEST", None, 10)]}
    for system, rows in stock.items():
        table = ensure_table(db, system, "stock")
        db.con.executemany(f"INSERT INTO {table} (item_id, site, lot, qty) VALUES (?, ?, ?, ?)", rows)
    lines = ensure_table(db, "erp", "order_lines")
    db.con.executemany(f"INSERT INTO {lines} (order_id, line_no, item_id, qty, unit_price, currency) "
                       "VALUES (?, ?, ?, 1, ?, ?)", [("SO-1", 10, "MAT-1", 30, "USD"), ("SO-2", 10, "MAT-1", 35, None),
                                                     ("SO-3", 10, "MAT-3", 2, "USD")])
    if with_lifecycle:
        db.execute("CREATE TABLE main.exception_status (run_id VARCHAR, exception_id VARCHAR, status VARCHAR, "
                   "acked BOOLEAN, ack_until DATE, ack_note VARCHAR, hours_open DECIMAL(12,1), owner VARCHAR)")
        db.con.executemany("INSERT INTO main.exception_status VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(run_id, f"{i:016x}", s, a, "2026-11-30" if a else None,
                             "WMS fix deployed Friday <b>only</b>" if a else None, 0 if s == "new" else 24,
                             EXCEPTIONS[i][4]) for i, (s, a) in LIFECYCLE.items()]
                           + [(run_id, "00000000000000ff", "resolved", False, None, None, 30, "finance")])
    return db


def base_summary(rules: bool = True) -> dict[str, Any]:
    """The facts of a run before reporting (RunFacts.as_dict), as the steps hand them to the reports."""
    sources = [
        {"source": "erp_orders", "system": "erp", "entity": "orders", "files": 1, "rows_read": 5, "rows_loaded": 5,
         "rows_rejected": 0, "status": "ok", "problems": []},
        {"source": "erp_lines", "system": "erp", "entity": "order_lines", "files": 2, "rows_read": 40,
         "rows_loaded": 37, "rows_rejected": 3, "status": "ok", "problems": []},
        {"source": "tms_deliveries", "system": "tms", "entity": "deliveries", "files": 0, "rows_read": 0,
         "rows_loaded": 0, "rows_rejected": 0, "status": "failed",
         "problems": ["[I002] no file matches 'tms/<today>.csv'"]},
    ]
    rule_list = [
        {"rule_id": "shipped-not-posted", "workflow": "order-to-cash", "status": "ok", "exceptions": 3,
         "seconds": 0.01, "reason": None, "records_compared": 400, "records_matched": 397, "kind": "match"},
        {"rule_id": "invoice-without-shipment", "workflow": "order-to-cash", "status": "ok", "exceptions": 1,
         "seconds": 0.01, "reason": None, "records_compared": 300, "records_matched": 299, "kind": "match"},
        {"rule_id": "invoice-amount", "workflow": "order-to-cash", "status": "ok", "exceptions": 2,
         "seconds": 0.01, "reason": None, "records_compared": 300, "records_matched": 298, "kind": "match"},
        {"rule_id": "edi-ack", "workflow": "edi", "status": "ok", "exceptions": 2, "seconds": 0.01,
         "reason": None, "records_compared": 50, "records_matched": 48, "kind": "match"},
        {"rule_id": "tracking", "workflow": "transport", "status": "ok", "exceptions": 2, "seconds": 0.01,
         "reason": None, "records_compared": 200, "records_matched": 198, "kind": "check",
         "table": "wms.shipment_lines"},
        {"rule_id": "stock", "workflow": "inventory", "status": "ok", "exceptions": 1, "seconds": 0.01,
         "reason": None, "records_compared": 120, "records_matched": 119, "kind": "match"},
        {"rule_id": "no-pod", "workflow": "transport", "status": "skipped", "exceptions": 0, "seconds": 0.0,
         "reason": "no source loads tms.deliveries"},
    ]
    return {
        "recon_version": "0.1.0", "run_id": RUN_ID, "as_of": AS_OF.isoformat(), "started_at": STARTED.isoformat(),
        "config": "recon.yaml", "sources": sources,
        "rules": {"rules": rule_list if rules else [], "warnings": ["rule no-pod skipped: no source loads "
                                                                    "tms.deliveries"] if rules else []},
        "totals": {"rows_read": 45, "rows_loaded": 42, "rows_rejected": 3, "sources_failed": 1},
        "lifecycle": {"new": 2, "open": 2, "reopened": 1, "resolved": 1, "acked": 1,
                      "previous_run_id": "20261119T060000Z-before"},
    }


GOLDEN_CONFIG: dict[str, Any] = {
    "timezone": "America/New_York",
    "slo": {"release_to_ship": "24h", "ship_to_post": {"median": "2h", "p95": "4h"}, "ship_to_invoice": "36h"},
    "budgets": [
        {"exception_type": "shipped-not-posted", "max": 5},  # 3: ok
        {"severity": "critical", "max_value_at_risk": 5000},  # 5,400: broken
        {"rule": "edi-ack", "max_rate": "2%"},  # 2 of 50 compared = 4%: broken
        {"severity": "high", "max": 0, "new_only": True},  # 1 new + 1 reopened: broken
    ],
}


def base_facts(rules: bool = True, **changes: Any) -> context.RunFacts:
    """base_summary() as the RunFacts a fresh run builds from its steps."""
    data = base_summary(rules)
    facts = context.RunFacts(run_id=data["run_id"], as_of=data["as_of"], started_at=data["started_at"],
                             config=data["config"], sources=data["sources"], rules=data["rules"],
                             totals=data["totals"], lifecycle=data["lifecycle"], recon_version=data["recon_version"])
    return replace(facts, **changes)


@dataclass(frozen=True)
class Rendered:
    """A fixture run reported: its summary and files, as `recon.api.run`'s outputs step leaves them."""

    db: Database
    config: Config
    out_dir: Path
    written: context.Summary

    @property
    def summary(self) -> dict[str, Any]:
        return self.written.as_dict()

    @property
    def exit_code(self) -> int:
        return self.written.exit_code

    def report(self) -> Report:
        return Report(self.db, self.summary, self.out_dir, self.config)


# Two earlier runs' metrics (recon.store.metrics.history rows), for the trend lines.
HISTORY: list[dict[str, Any]] = [
    {"run_id": f"2026111{d}T060000Z-before", "as_of": f"2026-11-1{d}T06:00:00+00:00", "metric": m, "dimension": dim,
     "member": member, "bucket": "", "value": v}
    for d, values in ((8, (0.95, 0.02, 0.5, 1)), (9, (0.97, 0.01, None, 2)))
    for (m, dim, member), v in zip((("auto_match_rate", "", ""), ("duplicate_rate", "entity", "invoices"),
                                    ("slo_attainment", "", ""), ("exceptions_over_7d", "", "")), values, strict=True)
]


def render_run(tmp_path: Path, db: Database | None = None, config: dict[str, Any] | None = None,
               fail_on: str | None = "critical", facts: context.RunFacts | None = None,
               neutralise: bool = True) -> Rendered:
    """Build the summary of the fixture run and write its outputs into tmp_path/out, as a run does."""
    settings = Config.model_validate(GOLDEN_CONFIG if config is None else config)
    db = db or build_database()
    summary = context.build(db, facts or base_facts(), settings, fail_on, history=HISTORY)
    # The golden files were recorded from the reporting step alone, before one module wrote every
    # file: its file list has no rejects.csv. Keep them byte-identical by writing none here (the
    # rejects section above was computed from the table).
    if db.table_exists("main", "rejects"):
        db.execute("ALTER TABLE main.rejects RENAME TO rejects_reported")
    out_dir = tmp_path / "out"
    with outputs.Staging(out_dir) as stage:
        final = outputs.write(db, summary, settings, stage.path, neutralise=neutralise)
        stage.publish()
    return Rendered(db, settings, out_dir, final)


# A tiny project for the CLI and e-mail tests: one rule with a missing-right (high) and a qty
# mismatch (medium) outcome, one rejected row.
PROJECT = """
as_of: 2026-11-20T06:00:00Z
rules: [pack.yaml]
slo:
  release_to_ship: 24h
sources:
  erp_orders:
    system: erp
    entity: orders
    path: erp/orders.csv
    columns: {order_id: order_id, customer_name: customer_name, released_at: released_at, site: site}
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/lines.csv
    columns: {order_id: order_id, line_no: line_no, qty: qty, unit_price: unit_price}
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/ship.csv
    columns: {shipment_id: shipment_id, order_id: order_id, line_no: line_no, qty: qty, shipped_at: shipped_at,
              site: site}
  erp_ship:
    system: erp
    entity: shipment_lines
    path: erp/ship.csv
    columns: {shipment_id: shipment_id, order_id: order_id, line_no: line_no, qty: qty, shipped_at: shipped_at}
"""
PACK = """
pack: tiny
workflow: order-to-cash
title: tiny
rules:
  - id: shipped-not-posted
    title: Shipped in the WMS, not posted in the ERP
    kind: match
    left: {table: wms.shipment_lines, event_at: shipped_at}
    right: {table: erp.shipment_lines}
    keys: [shipment_id, order_id, line_no]
    missing_right: {exception: shipped-not-posted, severity: high, owner: operations, fix_in: erp,
                    value_at_risk: "left.qty * 10"}
    compare:
      - {field: qty, tolerance: {abs: 0}, exception: ship-qty-mismatch, severity: medium, owner: finance,
         fix_in: erp, value_at_risk: "abs(left.qty - right.qty) * 10"}
"""
PROJECT_FILES = {
    "pack.yaml": PACK,
    "erp/orders.csv": "order_id,customer_name,released_at,site\n1,ACME <b>bold</b>,2026-11-18T08:00:00Z,DC-EAST\n"
                      "2,Beta & Co,2026-11-18T09:00:00Z,DC-WEST\n3,Gamma,2026-11-19T09:00:00Z,DC-EAST\n",
    "erp/lines.csv": "order_id,line_no,qty,unit_price\n1,10,5,2.5\n2,10,3,4\n3,10,x,4\n",
    "wms/ship.csv": "shipment_id,order_id,line_no,qty,shipped_at,site\nS1,1,10,5,2026-11-18T20:00:00Z,DC-EAST\n"
                    "S2,2,10,3,2026-11-19T10:00:00Z,DC-WEST\nS3,3,10,4,2026-11-19T22:00:00Z,DC-EAST\n",
    "erp/ship.csv": "shipment_id,order_id,line_no,qty,shipped_at\nS1,1,10,4,2026-11-18T22:00:00Z\n"
                    "S2,2,10,3,2026-11-19T11:00:00Z\n",
}
