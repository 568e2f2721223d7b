"""Lookups joined to an aggregated side's groups instead of its rows: the same exceptions, less work."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.rules.compile_match import MatchCompiler
from recon.rules.compile_parts import CompileContext
from recon.rules.compiler import compile_rule

from .helpers import bundled_rule, config, run_rule

OLD = "2024-03-01T00:00:00Z"
ORDER = st.one_of(st.none(), st.sampled_from(["O1", "O2"]))
LINE = st.one_of(st.none(), st.sampled_from(["1", "2"]))
QTY = st.integers(0, 12)
UOM = st.one_of(st.none(), st.sampled_from(["EA", "CS", "each"]))
SHIPPED = st.fixed_dictionaries({"order_id": ORDER, "line_no": LINE, "qty": QTY, "uom": UOM,
                                 "item_id": st.sampled_from(["A", "B"]), "site": st.sampled_from(["S1", "S2"]),
                                 "status": st.sampled_from(["SHIPPED", "PACKED"]), "shipped_at": st.just(OLD),
                                 "shipment_id": st.sampled_from(["SH1", "SH2"])})
ORDER_LINE = st.fixed_dictionaries({"order_id": ORDER, "line_no": LINE, "qty": QTY, "uom": UOM,
                                    "item_id": st.sampled_from(["A", "B"]),
                                    "unit_price": st.one_of(st.none(), st.sampled_from([1, 2.5, 7])),
                                    "currency": st.one_of(st.none(), st.sampled_from(["EUR", "USD"]))})


def late(rule_id: str) -> dict[str, list[int]]:
    compiler = MatchCompiler(bundled_rule(rule_id), CompileContext.from_config(config()))
    return {which: sorted(compiler.late_lookups(which)) for which in ("left", "right")}


def both_ways(rule_id: str, tables: dict[str, list[dict[str, Any]]],
              monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rule's exceptions as compiled, and with every lookup joined to the rows (as before)."""
    compiled = run_rule(rule_id, tables)
    with monkeypatch.context() as m:
        m.setattr(MatchCompiler, "late_lookups", lambda self, which: {})
        early = run_rule(rule_id, tables)
    return compiled, early


def test_which_lookups_join_the_groups() -> None:
    """Only a lookup keyed by bare keys of the rule whose fields the side reads as min/max of themselves."""
    assert late("shipment-posted-in-erp") == {"left": [0], "right": [0]}
    # the left side is deduplicated (`dedupe:` orders its rows by the lookup's fields too); the
    # shipment postings' lookup on the right feeds the side's clock (`event_at`): both stay on the rows
    assert late("invoice-matches-shipment") == {"left": [], "right": [0]}
    # the transfers' lookup is keyed by `lot`, whose key is an expression (CASE WHEN $stock_lots ...)
    assert late("stock-matches") == {"left": [0], "right": [0]}
    # keys under a normaliser (`shipment_id: [trim, upper]`) group rows whose own values differ
    assert late("shipment-in-tms") == {"left": [], "right": []}
    # the stock's lookup feeds the side's `where`
    assert late("inventory-advice-matches-stock") == {"left": [1], "right": [0]}


def test_the_rows_no_longer_join_the_lookup() -> None:
    sql = compile_rule(bundled_rule("shipment-posted-in-erp"), CompileContext.from_config(config())).sql
    rows = sql[sql.index('"l_rows" AS ('):sql.index('"r_rows" AS (')]
    side = sql[sql.index('"l_side" AS ('):sql.index('"r_side" AS (')]
    assert '"erp"."order_lines"' not in rows
    assert 'FROM "l_rows" GROUP BY "k__order_id", "k__line_no") AS g LEFT JOIN (SELECT "order_id"' in side


@settings(max_examples=20, deadline=None)
@given(shipped=st.lists(SHIPPED, max_size=8), posted=st.lists(SHIPPED, max_size=6),
       order_lines=st.lists(ORDER_LINE, max_size=6))
def test_same_exceptions_as_joining_every_row(shipped: list[dict[str, Any]], posted: list[dict[str, Any]],
                                               order_lines: list[dict[str, Any]]) -> None:
    """NULL keys (one group, found by a NULL lookup key as before), order lines missing or twice for
    one key (min per key), prices and currencies missing, units that do not convert."""
    tables = {"wms.shipment_lines": shipped, "erp.shipment_lines": [{**p, "status": "POSTED"} for p in posted],
              "erp.order_lines": order_lines}
    with pytest.MonkeyPatch.context() as monkeypatch:
        compiled, early = both_ways("shipment-posted-in-erp", tables, monkeypatch)
    assert compiled == early


def test_same_exceptions_on_a_known_case(monkeypatch: pytest.MonkeyPatch) -> None:
    line = {"order_id": "O1", "line_no": "1", "item_id": "A", "qty": 5, "uom": "EA", "site": "S1",
            "status": "SHIPPED", "shipped_at": OLD, "shipment_id": "SH1"}
    tables = {"wms.shipment_lines": [line, {**line, "qty": 3}, {**line, "order_id": None}],
              "erp.shipment_lines": [{**line, "status": "POSTED", "qty": 7}],
              "erp.order_lines": [{"order_id": "O1", "line_no": "1", "item_id": "A", "qty": 8, "uom": "EA",
                                   "unit_price": 2, "currency": "EUR"},
                                  {"order_id": None, "line_no": "1", "item_id": "A", "qty": 1, "uom": "EA",
                                   "unit_price": 4, "currency": "USD"}]}
    compiled, early = both_ways("shipment-posted-in-erp", tables, monkeypatch)
    assert compiled == early
    assert sorted((r["exception_type"], r["order_id"], r["value_at_risk"], r["currency"]) for r in compiled) == [
        ("ship-qty-mismatch", "O1", 2, "EUR"), ("shipped-not-posted", None, 20, "USD")]
