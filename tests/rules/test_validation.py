"""Rule packs are checked before anything runs: every problem at once, with file, line and a hint."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recon.config.schema import Config
from recon.db import Database
from recon.errors import ConfigError, Problem
from recon.rules.cases import build_tables
from recon.rules.loader import load_rules
from recon.rules.runner import run_rules

GOOD_RULE = """
  - id: posted
    kind: match
    title: Posted
    left: {table: wms.shipment_lines, where: "status = 'SHIPPED'", event_at: shipped_at, aggregate: {qty: sum}}
    right: {table: erp.shipment_lines, aggregate: {qty: sum}}
    keys: [order_id, line_no]
    missing_right: {exception: shipped-not-posted, severity: high, older_than: $window}
    compare:
      - {field: qty, tolerance: {abs: 0}, exception: ship-qty-mismatch, severity: high}
"""


WINDOW = "  window: {default: 4h, description: w}"


def pack(tmp_path: Path, rules: str, name: str = "p.yaml", params: str = WINDOW) -> Path:
    path = tmp_path / name
    text = f"pack: p\nworkflow: order-to-cash\ntitle: P\nparameters:\n{params}\nrules:\n{textwrap.dedent(rules)}"
    path.write_text(text, encoding="utf-8")
    return path


def problems(*paths: Path, config: Config | None = None) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        load_rules(list(paths), config)
    return info.value.problems


def test_a_good_pack_loads(tmp_path: Path) -> None:
    ruleset = load_rules([pack(tmp_path, GOOD_RULE)])
    assert ruleset.ids() == ["posted"]
    assert ruleset.rules[0].rule.missing_right.older_than == 4 * 3600  # type: ignore[union-attr]
    assert ruleset.rules[0].parameters == {"window": "4h"}


def test_many_problems_reported_at_once_with_lines_and_hints(tmp_path: Path) -> None:
    path = pack(tmp_path, """
      - id: bad
        kind: match
        title: Bad
        left: {table: wms.shipment_lines}
        right: {table: erp.shipment_lines, aggregate: {qty: sum}}
        keys: [order_id]
        missing_right: {exception: x, severity: high, older_than: 4x, colour: red}
        compare:
          - {field: qty, tolerance: {abs: -1}, exception: y, severity: high}
      - id: well-formed-but-wrong
        kind: check
        title: Wrong
        table: wms.shipment_line
        keys: [shipment_id]
        require: "stauts = 'SHIPPED'"
        outcome: {exception: z, severity: low}
    """)
    found = problems(path)
    text = "\n".join(p.render() for p in found)
    assert len(found) == 4, text
    assert {p.code for p in found} == {"R003", "R005", "R011"}, text
    colour = next(p for p in found if "colour" in p.message)
    assert colour.line == 14 and colour.file == str(path)
    assert any("bad duration '4x'" in p.message for p in found), text
    assert any("greater than or equal to 0" in p.message for p in found), text


def test_unknown_tables_and_columns_with_did_you_mean(tmp_path: Path) -> None:
    path = pack(tmp_path, """
      - id: bad
        kind: match
        title: Bad
        left: {table: wms.shipment_line, where: "stauts = 'SHIPPED'"}
        right: {table: erp.shipment_lines, where: "qtty > 0"}
        keys: [order_id]
        missing_right: {exception: x, severity: high, value_at_risk: left.qty * left.unit_prize}
    """)
    found = problems(path)
    rendered = [p.render() for p in found]
    assert any("unknown entity 'shipment_line'" in r and "shipment_lines" in r for r in rendered), rendered
    where = next(p for p in found if "qtty" in p.message)
    assert where.line == 12 and where.hint == "did you mean 'qty'?"


def test_aggregated_side_exposes_only_its_aggregates(tmp_path: Path) -> None:
    path = pack(tmp_path, """
      - id: agg
        kind: match
        title: Agg
        left: {table: wms.shipment_lines, aggregate: {qty: sum}}
        right: {table: erp.shipment_lines, aggregate: {qty: sum, carrier: sum}}
        keys: [order_id]
        compare:
          - {field: qty, exception: y, severity: high, value_at_risk: left.qty * left.lot}
    """)
    rendered = [p.render() for p in problems(path)]
    assert any("cannot sum 'carrier'" in r for r in rendered), rendered
    assert any("left.lot" in r and "aggregated" in r for r in rendered), rendered


def test_aggregate_expressions_and_lookup_chains_are_checked(tmp_path: Path) -> None:
    """`aggregate: {v: sum(qty * unit_price)}` reads the side's columns (lookup fields too) and must
    aggregate; a lookup's `by` may name an earlier lookup's field, never a later or unknown one."""
    good = pack(tmp_path, """
      - id: worth
        kind: match
        title: Worth
        left:
          table: wms.shipment_lines
          lookups: [{table: erp.order_lines, by: [order_id, line_no], fields: [unit_price]}]
          aggregate: {shipment_value: "sum(qty * unit_price)"}
        right: {table: tms.deliveries}
        keys: [shipment_id]
        missing_right: {exception: x, severity: low, value_at_risk: left.shipment_value}
      - id: chained
        kind: check
        title: Chained
        table: edi.edi_acks
        lookups:
          - {table: edi.edi_documents, by: {control_number: acked_control_number}, fields: {ref: reference}}
          - table: wms.shipment_lines
            by: {shipment_id: ref}
            lookups: [{table: erp.order_lines, by: [order_id, line_no], fields: [unit_price]}]
            fields: {value: "sum(qty * unit_price)"}
        keys: [{name: document, expr: acked_control_number}]
        require: "status <> 'R'"
        outcome: {exception: y, severity: low, value_at_risk: value}
    """, name="good.yaml")
    assert load_rules([good]).ids() == ["worth", "chained"]
    bad = pack(tmp_path, """
      - id: shape
        kind: match
        title: Shape
        left: {table: wms.shipment_lines, aggregate: {shipment_value: "qty * unit_price"}}
        right: {table: tms.deliveries}
        keys: [shipment_id]
        missing_right: {exception: x, severity: low}
      - id: worth
        kind: match
        title: Worth
        left: {table: wms.shipment_lines, aggregate: {shipment_value: "sum(qty * unit_prize)"}}
        right: {table: tms.deliveries, aggregate: {late: "max(delivered_att)"}}
        keys: [shipment_id]
        missing_right: {exception: x, severity: low}
      - id: chained
        kind: check
        title: Chained
        table: edi.edi_acks
        lookups:
          - {table: wms.shipment_lines, by: {shipment_id: ref}, fields: {site: site}}
          - {table: edi.edi_documents, by: {control_number: acked_control_number}, fields: {ref: reference}}
        keys: [{name: document, expr: acked_control_number}]
        require: "status <> 'R'"
        outcome: {exception: y, severity: low}
    """, name="bad.yaml")
    rendered = [p.render() for p in problems(bad)]
    assert any("'qty * unit_price' is neither an aggregate" in r for r in rendered), rendered
    assert any("unknown column 'unit_prize'" in r for r in rendered), rendered  # no lookup brings a price
    assert any("delivered_att" in r and "delivered_at" in r for r in rendered), rendered
    assert any("'ref' is not a column of edi.edi_acks" in r for r in rendered), rendered


def test_snippets_must_parse_and_be_expressions(tmp_path: Path) -> None:
    path = pack(tmp_path, """
      - id: sql
        kind: check
        title: SQL
        table: wms.shipment_lines
        keys: [shipment_id]
        require: "tracking_no IS NOT NULL; DROP TABLE erp.orders"
        where: "shipment_id IN (SELECT shipment_id FROM tms.deliveries)"
        outcome: {exception: x, severity: low}
    """)
    rendered = " ".join(p.render() for p in problems(path))
    assert "R013" in rendered and "subqueries are not allowed" in rendered


def test_tolerance_must_suit_the_type(tmp_path: Path) -> None:
    path = pack(tmp_path, """
      - id: tol
        kind: match
        title: Tol
        left: {table: wms.shipment_lines}
        right: {table: tms.deliveries}
        keys: [shipment_id]
        compare:
          - {field: carrier, tolerance: {abs: 1}, exception: a, severity: low}
          - {field: shipped_at, right: right.picked_up_at, tolerance: {abs: 1}, exception: b, severity: low}
      - id: bounds
        kind: match
        title: Bounds
        left: {table: wms.shipment_lines}
        right: {table: tms.deliveries}
        keys: [shipment_id]
        compare:
          - {field: tracking_no, tolerance: {lower: 2, upper: 1}, exception: c, severity: low}
    """)
    rendered = " ".join(p.render() for p in problems(path))
    assert "compared as text" in rendered
    assert "is a time: give window" in rendered
    assert "lower bound 2.0 is above upper bound 1.0" in rendered


def test_duplicate_rule_ids_across_packs_and_inconsistent_keys(tmp_path: Path) -> None:
    a = pack(tmp_path, GOOD_RULE, "a.yaml")
    b = pack(tmp_path, GOOD_RULE.replace("keys: [order_id, line_no]", "keys: [order_id]"), "b.yaml")
    found = problems(a, b)
    dup = next(p for p in found if p.code == "R010")
    assert dup.file == str(b) and "first defined in" in (dup.hint or "")
    assert any(p.code == "R018" and "shipped-not-posted" in p.message for p in found)


def test_unknown_parameters_in_packs_and_in_the_config(tmp_path: Path) -> None:
    path = pack(tmp_path, GOOD_RULE.replace("$window", "$windw"))
    found = problems(path, config=Config(parameters={"windo": "2h"}))
    assert any(p.message == "unknown parameter $windw" and p.hint == "did you mean 'window'?" for p in found)
    assert any("'windo' is not used" in p.message for p in found)


def test_config_parameters_override_pack_defaults(tmp_path: Path) -> None:
    ruleset = load_rules([pack(tmp_path, GOOD_RULE)], Config(parameters={"window": "2d"}))
    assert ruleset.rules[0].rule.missing_right.older_than == 2 * 86400  # type: ignore[union-attr]


def test_yaml_syntax_errors_and_duplicate_keys_are_located(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: [\n", encoding="utf-8")
    twice = pack(tmp_path, GOOD_RULE.replace("    title: Posted\n", "    title: Posted\n    title: Again\n"), "t.yaml")
    found = problems(broken, twice)
    assert any(p.code == "R001" and p.file == str(broken) for p in found)
    assert any(p.code == "R002" and "appears twice" in p.message for p in found)


AS_OF_RULE = """
  - id: in-transit-long
    kind: check
    title: In transit
    table: erp.transfers
    where: "shipped_at <= $as_of AND (received_at IS NULL OR received_at > $as_of)"
    keys: [{name: document, expr: transfer_id}]
    require: "FALSE"
    outcome: {exception: in-transit, severity: low}
"""


def test_as_of_is_a_built_in_parameter_bound_when_the_rule_runs(tmp_path: Path) -> None:
    """`$as_of` in a snippet is the run's as-of time: the same rows give each as-of its own answer."""
    ruleset = load_rules([pack(tmp_path, AS_OF_RULE)])
    assert ruleset.rules[0].parameters == {}  # the run's time, not one of the rule's settings
    rows = [{"transfer_id": "T-1", "item_id": "1", "qty": 1, "shipped_at": "2024-03-01T00:00:00Z",
             "received_at": "2024-03-05T00:00:00Z"},
            {"transfer_id": "T-2", "item_id": "1", "qty": 1, "shipped_at": "2024-03-04T00:00:00Z"}]
    found = {}
    for day in (2, 4, 6):
        db = Database()
        try:
            build_tables(db, {"erp.transfers": rows}, ["erp.transfers"])
            run_rules(db, ruleset.rules, as_of=datetime(2024, 3, day, 12, tzinfo=UTC), run_id="t")
            found[day] = [r[0] for r in db.rows("SELECT document FROM main.exceptions ORDER BY document")]
        finally:
            db.close()
    assert found == {2: ["T-1"], 4: ["T-1", "T-2"], 6: ["T-2"]}


def test_note_is_for_match_outcomes_and_only_a_rule_with_one_may_show_it(tmp_path: Path) -> None:
    single = AS_OF_RULE.replace("severity: low}", "severity: low, note: transfer_id}")
    assert [p.code for p in problems(pack(tmp_path, single))] == ["R075"]
    unnoted = GOOD_RULE.replace("severity: high}", "severity: high, message: \"{note}\"}")
    assert [p.code for p in problems(pack(tmp_path, unnoted, "u.yaml"))] == ["R038"]
    noted = GOOD_RULE.replace("severity: high}", "severity: high, note: \"'off by ' || "
                              "CAST(left.qty - right.qty AS VARCHAR)\", message: \"{order_id}: {note}\"}")
    assert load_rules([pack(tmp_path, noted, "n.yaml")]).ids() == ["posted"]
