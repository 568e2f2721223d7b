"""Manual matches (recon.rules.manual): the paired keys join like one key, and their fields are compared."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from recon.db import Database
from recon.rules import manual
from recon.rules.compile_parts import CompileContext
from recon.rules.compiler import compile_rule
from recon.rules.loader import load_rules

PACK = """
pack: test-manual
workflow: order-to-cash
title: Manual
rules:
  - id: line-posted
    kind: match
    title: Order line posted with its quantity
    left: {table: wms.shipment_lines}
    right: {table: erp.shipment_lines}
    keys: [order_id, line_no]
    compare:
      - {field: qty, tolerance: {abs: 0}, exception: qty-mismatch, severity: high}
    missing_right: {exception: not-posted, severity: high}
    missing_left: {exception: not-shipped, severity: high}
"""


@pytest.fixture
def rule(tmp_path: Path):
    (tmp_path / "p.yaml").write_text(PACK)
    return load_rules([tmp_path / "p.yaml"]).rules[0]


def run(rule, pairs: list[tuple[str, str]], right_qty: int = 5) -> list[tuple[str, str, str]]:
    db = Database()
    for schema in ("wms", "erp"):
        db.execute(f"CREATE SCHEMA {schema}")
    cols = "shipment_id VARCHAR, order_id VARCHAR, line_no VARCHAR, qty DECIMAL(18,4), _load_id VARCHAR, " \
           "_source_file VARCHAR, _source_row BIGINT"
    db.execute(f"CREATE TABLE wms.shipment_lines ({cols})")
    db.execute(f"CREATE TABLE erp.shipment_lines ({cols})")
    db.execute("INSERT INTO wms.shipment_lines VALUES ('S1', 'SO-1', '10', 5, 'l', 'w.csv', 2), "
               "('S2', 'SO-2', '10', 3, 'l', 'w.csv', 3)")
    db.execute("INSERT INTO erp.shipment_lines VALUES ('S1', 'SO-1', '20', ?, 'l', 'e.csv', 2), "
               "('S2', 'SO-2', '10', 3, 'l', 'e.csv', 3)", [right_qty])
    db.execute(f"CREATE TABLE {manual.TABLE} ({manual.COLUMNS})")
    for left, right in pairs:
        db.execute(f"INSERT INTO {manual.TABLE} VALUES ('line-posted', ?, ?, 'n')", [left, right])
    ctx = CompileContext(manual_matches=frozenset({"line-posted"}) if pairs else frozenset())
    compiled = compile_rule(rule, ctx)
    rows = db.rows(f"SELECT exception_type, order_id, line_no FROM ({compiled.sql}) ORDER BY ALL",
                   {"as_of": datetime(2026, 11, 20, tzinfo=UTC), "run_id": "r"})
    db.close()
    return rows


def test_without_a_pairing_the_two_lines_are_missing_on_each_side(rule) -> None:
    assert run(rule, []) == [("not-posted", "SO-1", "10"), ("not-shipped", "SO-1", "20")]


def test_a_pairing_removes_the_missing_pair(rule) -> None:
    assert run(rule, [("SO-1|10", "SO-1|20")]) == []


def test_a_paired_record_still_has_its_fields_compared(rule) -> None:
    assert run(rule, [("SO-1|10", "SO-1|20")], right_qty=4) == [("qty-mismatch", "SO-1", "10")]


def test_a_pairing_whose_left_key_is_absent_changes_nothing(rule) -> None:
    assert run(rule, [("SO-9|10", "SO-1|20")]) == [("not-posted", "SO-1", "10"), ("not-shipped", "SO-1", "20")]


def test_only_rules_with_pairings_read_the_table(rule) -> None:
    assert manual.TABLE not in compile_rule(rule, CompileContext()).sql
    assert manual.TABLE in compile_rule(rule, CompileContext(manual_matches=frozenset({"line-posted"}))).sql


def test_keys_split_by_the_rules_key_count() -> None:
    assert manual.split_key("SO-1|10", ["order_id", "line_no"]) == ["SO-1", "10"]
    assert manual.split_key("SO-1", ["order_id", "line_no"]) is None
