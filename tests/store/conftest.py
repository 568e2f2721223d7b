"""A small project whose one rule flags shipments without a tracking number.

Which shipments lack tracking is the input each test changes between runs, so the exception
ids (rule + shipment id) are known and the lifecycle of each is easy to state.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from recon.cli import main
from recon.store.state import open_state

CONFIG = """
rules: [rules/transport.yaml]
sources:
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/shipments.csv
    columns:
      shipment_id: shipment
      order_id: order
      line_no: line
      qty: qty
      shipped_at: shipped
      tracking_no: tracking
"""

PACK = """
pack: test-transport
workflow: transport
title: Tracking numbers
rules:
  - id: shipped-with-tracking
    title: A shipped line has a tracking number
    kind: check
    table: wms.shipment_lines
    keys: [shipment_id]
    require: tracking_no IS NOT NULL
    outcome: {exception: shipped-without-tracking, severity: high, owner: operations, value_at_risk: "qty * 10"}
"""

SHIPMENTS = ("SH1", "SH2", "SH3", "SH4")


class Project:
    """A project folder; `untracked(...)` says which shipments lack tracking in the next run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "recon.yaml"
        (root / "rules").mkdir()
        (root / "wms").mkdir()
        self.config.write_text(textwrap.dedent(CONFIG).lstrip())
        (root / "rules" / "transport.yaml").write_text(textwrap.dedent(PACK).lstrip())
        self.state = root / "recon-state.duckdb"

    def untracked(self, *missing: str) -> None:
        lines = ["shipment,order,line,qty,shipped,tracking"]
        for i, sid in enumerate(SHIPMENTS, start=1):
            tracking = "" if sid in missing else f"1Z{i:04d}"
            lines.append(f"{sid},SO-{1000 + i},10,{i},2026-11-19T10:00:00Z,{tracking}")
        (self.root / "wms" / "shipments.csv").write_text("\n".join(lines) + "\n")

    def ids(self) -> dict[str, str]:
        """shipment id -> exception id, as recorded in the state (the rule engine owns the id formula)."""
        with open_state(self.state) as store:
            return dict(store.db.rows(f"SELECT DISTINCT shipment_id, exception_id FROM {store.t('exceptions')}"))

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(main, [*args, "--config", str(self.config)], env=env)

    def run(self, as_of: str, *extra: str) -> tuple[Result, dict[str, Any]]:
        """`recon run --json`; returns the result and the summary it printed."""
        result = self.cli("run", "--as-of", as_of, "--out", str(self.root / "out" / as_of.replace(":", "")),
                          "--json", *extra)
        assert result.exit_code in (0, 1), result.output
        return result, json.loads(result.stdout)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


POSTING_CONFIG = """
rules: [rules/posting.yaml]
sources:
  wms_ship:
    system: wms
    entity: shipment_lines
    path: wms/shipments.csv
    columns: {shipment_id: shipment, order_id: order, line_no: line, qty: qty, shipped_at: shipped}
  erp_ship:
    system: erp
    entity: shipment_lines
    path: erp/shipments.csv
    columns: {shipment_id: shipment, order_id: order, line_no: line, qty: qty, shipped_at: shipped}
"""

POSTING_PACK = """
pack: test-posting
workflow: order-to-cash
title: Postings
parameters:
  qty_tolerance: {default: 0, description: Largest accepted quantity difference.}
rules:
  - id: shipment-posted
    kind: match
    title: A WMS shipment is posted in the ERP with its quantity
    left: {table: wms.shipment_lines}
    right: {table: erp.shipment_lines}
    keys: [shipment_id]
    compare:
      - {field: qty, tolerance: {abs: $qty_tolerance}, exception: post-qty-mismatch, severity: high,
         owner: operations, value_at_risk: "abs(left.qty - right.qty) * 10"}
    missing_right: {exception: shipped-not-posted, severity: high, owner: operations, value_at_risk: "left.qty * 10"}
    missing_left: {exception: posted-not-shipped, severity: high, owner: finance, value_at_risk: "right.qty * 10"}
"""


class PostingProject(Project):
    """WMS shipments against ERP postings, keyed by shipment id, comparing the quantity.

    `ship(wms, erp)` writes both extracts from {shipment id: qty} maps.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "recon.yaml"
        for folder in ("rules", "wms", "erp"):
            (root / folder).mkdir()
        self.config.write_text(textwrap.dedent(POSTING_CONFIG).lstrip())
        (root / "rules" / "posting.yaml").write_text(textwrap.dedent(POSTING_PACK).lstrip())
        self.state = root / "recon-state.duckdb"

    def ship(self, wms: dict[str, float], erp: dict[str, float]) -> None:
        for folder, rows in (("wms", wms), ("erp", erp)):
            lines = ["shipment,order,line,qty,shipped"]
            lines += [f"{sid},SO-{sid},10,{qty},2026-11-19T10:00:00Z" for sid, qty in sorted(rows.items())]
            (self.root / folder / "shipments.csv").write_text("\n".join(lines) + "\n")

    def exceptions(self, as_of: str) -> dict[str, dict[str, str]]:
        """shipment id -> its row of the run's exceptions.csv (status, reason_code, ...)."""
        import csv

        path = self.root / "out" / as_of.replace(":", "") / "exceptions.csv"
        with path.open(newline="") as handle:
            return {r["shipment_id"]: r for r in csv.DictReader(handle)}


@pytest.fixture
def posting(tmp_path: Path) -> PostingProject:
    return PostingProject(tmp_path)
