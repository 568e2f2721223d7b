"""Units of measure in rules: the SQL that normalises and converts, and what a rule with units must say."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.config.units import Conversion, Units
from recon.db import Database
from recon.rules import units
from recon.rules.cases import build_tables
from recon.rules.loader import load_rules
from recon.rules.runner import run_rules
from recon.rules.schema import SideUnits

from .helpers import AS_OF, config, run_rule
from .test_validation import pack, problems

UNITS = Units(decimals={"FT": 2}, conversions=[
    Conversion(item="A", from_uom="CS", to_uom="EA", factor=Decimal(12)),
    Conversion(item="C", from_uom="M", to_uom="FT", factor=Decimal("3.28084")),
    Conversion(item="C", from_uom="FT", to_uom="FT", factor=Decimal(1)),
    Conversion(item="*", from_uom="DZ", to_uom="EA", factor=Decimal(12)),
])


def convert(rows: list[tuple[str | None, str | None, Decimal]],
            spec: Units = UNITS) -> list[tuple[str, str, Decimal]]:
    """(item, unit the row ends in, quantity then) for rows of (item, uom, qty), through the compiler's SQL."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (item_id VARCHAR, uom VARCHAR, qty DECIMAL(18,4))")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    ctes = ",\n".join(units.conversion_ctes(spec, ()))
    source = units.converted_source("t", SideUnits(), spec)
    sql = f"WITH {ctes}\nSELECT item_id, \"_uom\", {units.converted('qty', spec)} FROM {source} AS s ORDER BY ALL"
    return con.execute(sql).fetchall()


def test_codes_are_normalised_and_converted_to_the_base_unit() -> None:
    assert convert([("A", " ca", Decimal(2)), ("A", "PCE", Decimal(24)), ("A", None, Decimal(5)),
                    ("A", "", Decimal(6)), ("B", "dzn", Decimal(1)), ("B", "XX", Decimal(3)),
                    ("C", "MTR", Decimal(2)), ("C", "FOT", Decimal("6.555"))]) == [
        ("A", "EA", Decimal(24)), ("A", "EA", Decimal(24)), ("A", None, Decimal(5)), ("A", None, Decimal(6)),
        ("B", "EA", Decimal(12)), ("B", "XX", Decimal(3)),
        ("C", "FT", Decimal("6.56")), ("C", "FT", Decimal("6.56"))]


def test_conflicting_factors_convert_nothing() -> None:
    spec = Units(conversions=[Conversion(item="A", from_uom="CS", to_uom="EA", factor=Decimal(6)),
                              Conversion(item="A", from_uom="CA", to_uom="EA", factor=Decimal(8))])
    assert convert([("A", "CS", Decimal(1))], spec) == [("A", "CS", Decimal(1))]


@settings(max_examples=40, deadline=None)
@given(cases=st.integers(0, 10_000), pack_size=st.integers(1, 144))
def test_cases_and_their_eaches_are_the_same_quantity(cases: int, pack_size: int) -> None:
    spec = Units(conversions=[Conversion(item="A", from_uom="CS", to_uom="EA", factor=Decimal(pack_size))])
    (a, b) = convert([("A", "CS", Decimal(cases)), ("A", "EA", Decimal(cases * pack_size))], spec)
    assert a[1:] == b[1:] == ("EA", Decimal(cases * pack_size))


def test_a_rule_with_units_needs_them_on_both_sides_and_an_unconvertible_outcome(tmp_path: Path) -> None:
    rule = """
      - id: posted
        kind: match
        title: Posted
        left: {table: wms.shipment_lines, units: true, aggregate: {qty: sum, item_id: min}}
        right: {table: erp.shipment_lines, RIGHT aggregate: {qty: sum, item_id: min}}
        keys: [order_id, line_no]
        compare:
          - {field: qty, tolerance: {abs: 0}, exception: ship-qty-mismatch, severity: high}
    """
    one_side = problems(pack(tmp_path, rule.replace("RIGHT ", "")))
    assert "units: give it on both sides" in one_side[0].message
    no_outcome = problems(pack(tmp_path, rule.replace("RIGHT ", "units: true, ")))
    assert "needs an unconvertible outcome" in no_outcome[0].message
    outcome = ("\n        unconvertible: {exception: uom-not-convertible, severity: medium, "
               "key: {item_id: 'coalesce(left.item_id, right.item_id)'}}")
    bad_column = rule.replace("RIGHT ", "units: {fields: [qyt]}, ").replace(
        "keys: [order_id, line_no]", "keys: [order_id, line_no]" + outcome)
    found = problems(pack(tmp_path, bad_column))
    assert [(p.code, p.message) for p in found] == [("R012", "units fields: unknown column 'qyt'")], found


def test_units_from_x12_and_the_erp_meet_in_the_base_unit() -> None:
    """An 856's SN103 (CS) and the WMS's eaches: the loaders' canonical `uom` is what the rule converts."""
    cfg = config().model_copy(update={"units": UNITS})
    tables = {
        "edi.shipment_lines": [{"shipment_id": "SH1", "order_id": "1", "line_no": 1, "item_id": "A", "qty": 2,
                                "uom": "CA", "transaction_set": "856", "shipped_at": "2024-03-09T10:00:00Z"}],
        "wms.shipment_lines": [{"shipment_id": "SH1", "order_id": "1", "line_no": 1, "item_id": "A", "qty": 24,
                                "uom": "EA", "status": "SHIPPED"},
                               {"shipment_id": "SH1", "order_id": "1", "line_no": 2, "item_id": "B", "qty": 5,
                                "uom": "EA", "status": "SHIPPED"}],
    }
    assert run_rule("asn-matches-shipment", tables, cfg) == []
    tables["edi.shipment_lines"].append({"shipment_id": "SH1", "order_id": "1", "line_no": 2, "item_id": "B",
                                         "qty": 1, "uom": "CS", "transaction_set": "856"})
    (found,) = run_rule("asn-matches-shipment", tables, cfg)
    assert (found["exception_type"], found["item_id"], found["left_value"], found["right_value"]) == (
        "uom-not-convertible", "B", "CS", "EA")


CODES = ["CS", " ca", "EA", "pce", "DZ", "dzn", "M", "MTR", "FT", "XX", "", None]


def expected(rows: list[tuple[str | None, str | None, Decimal]], spec: Units) -> list[tuple[Any, ...]]:
    """What `convert` must give, worked out row by row in Python (docs/config.md, "Units of measure")."""
    factors: dict[tuple[str, str, str], set[Decimal]] = {}
    for c in spec.conversions:
        factors.setdefault((c.item, spec.canonical(c.from_uom), spec.canonical(c.to_uom)), set()).add(c.factor)
    bases: dict[str, set[str]] = {}
    for item, _, to_uom in factors:
        if item != "*":
            bases.setdefault(item, set()).add(to_uom)
    out = []
    for item, uom, qty in rows:
        code = spec.canonical(uom) if uom is not None and uom.strip() else None
        key = item.strip() if item is not None else None
        base = (min(bases[key]) if len(bases[key]) == 1 else None) if key in bases else spec.default_base
        found = [f for f in (factors.get((key, code, base)), factors.get(("*", code, base))) if f]
        factor = Decimal(1) if code is not None and code == base else (
            next(iter(found[0])) if found and len(found[0]) == 1 else None)
        unit = code if factor is None else base
        value = qty * (factor or 1)
        if unit in spec.decimals:
            value = value.quantize(Decimal(1).scaleb(-spec.decimals[unit]), rounding=ROUND_HALF_UP)
        out.append((item, unit, value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)))
    return sorted(out, key=lambda r: tuple((v is None, v) for v in r))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["A", " A", "B", "C", None]), st.sampled_from(CODES),
                               st.decimals(min_value=-1000, max_value=1000, places=4)), min_size=1, max_size=12),
       decimals=st.sampled_from([{}, {"FT": 2}, {"FT": 0, "EA": 1}]))
def test_each_row_is_converted_as_its_item_and_unit_say(rows: list[tuple[str | None, str | None, Decimal]],
                                                         decimals: dict[str, int]) -> None:
    """Every row's unit and quantity as the documented rules give them (NULL items and units included);
    `decimals` rounds the quantities converted to its units and no other."""
    spec = UNITS.model_copy(update={"decimals": decimals})
    got = [(i, u, q) for i, u, q in convert(rows, spec)]
    assert sorted(got, key=lambda r: tuple((v is None, v) for v in r)) == expected(rows, spec)


def test_a_unit_brought_in_by_a_lookup_is_read_with_its_lookup(tmp_path: Path) -> None:
    """The distinct (item, unit) pairs come from the side's table unless the unit is a lookup's field:
    then they come from the side's rows with their lookups (recon.rules.compile_parts.unit_pairs)."""
    rule = """
      - id: posted
        kind: match
        title: Posted
        left:
          table: wms.shipment_lines
          lookups: [{table: erp.order_lines, by: [order_id, line_no], fields: {order_uom: uom}}]
          units: {uom: order_uom}
        right: {table: erp.shipment_lines, units: true}
        keys: [order_id, line_no]
        compare:
          - {field: qty, tolerance: {abs: 0}, exception: ship-qty-mismatch, severity: high}
        unconvertible: {exception: uom-not-convertible, severity: medium}
    """
    cfg = config().model_copy(update={"units": UNITS})
    loaded = load_rules([pack(tmp_path, rule)], cfg).get("posted")
    tables = {"wms.shipment_lines": [{"order_id": "1", "line_no": 1, "item_id": "A", "qty": 2, "uom": "EA"},
                                     {"order_id": "1", "line_no": 2, "item_id": "A", "qty": 3, "uom": "EA"}],
              "erp.order_lines": [{"order_id": "1", "line_no": 1, "item_id": "A", "uom": "CS"},
                                  {"order_id": "1", "line_no": 2, "item_id": "A", "uom": "EA"}],
              "erp.shipment_lines": [{"order_id": "1", "line_no": 1, "item_id": "A", "qty": 24, "uom": "EA"},
                                     {"order_id": "1", "line_no": 2, "item_id": "A", "qty": 36, "uom": "EA"}]}
    db = Database()
    build_tables(db, tables, ["wms.shipment_lines", "erp.order_lines", "erp.shipment_lines"])
    run_rules(db, [loaded], as_of=AS_OF, run_id="test", config=cfg)
    found = db.dicts("SELECT exception_type, line_no, left_value, right_value FROM main.exceptions")
    # line 1: 2 CS of the order's unit are the 24 EA shipped; line 2 is in eaches on both sides
    assert found == [{"exception_type": "ship-qty-mismatch", "line_no": "2", "left_value": "3",
                      "right_value": "36"}]
