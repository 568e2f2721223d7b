"""A lookup's normalised key computed once per row, below the joins: the same exceptions, less work."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.rules import compile_match, compile_parts
from recon.rules.compile_parts import CompileContext, lookup_key
from recon.rules.compiler import compile_rule
from recon.sql import ident

from .helpers import bundled_rule, config, run_rule

OLD = "2024-03-01T00:00:00Z"
# Spellings that one normalised key gathers (case, blanks, a no-break space), an empty value that
# normalises to NULL, and NULL itself.
SHIPMENT = st.one_of(st.none(), st.sampled_from(["SH1", "sh1", " SH1\u00a0", "SH2", " sh2", "", "  "]))
ORDER = st.sampled_from(["O1", "O2"])
LINE = st.sampled_from([1, 2])
WMS_LINE = st.fixed_dictionaries({
    "shipment_id": SHIPMENT, "order_id": ORDER, "line_no": LINE, "item_id": st.sampled_from(["A", "B"]),
    "qty": st.integers(0, 5), "uom": st.just("EA"), "site": st.sampled_from(["S1", "S2"]),
    "status": st.sampled_from(["SHIPPED", "PACKED"]), "shipped_at": st.just(OLD)})
DELIVERY = st.fixed_dictionaries({
    "shipment_id": SHIPMENT, "picked_up_at": st.just(OLD),
    "delivered_at": st.one_of(st.none(), st.just(OLD)), "pod_signed_by": st.one_of(st.none(), st.just("X"))})
ASN_LINE = st.fixed_dictionaries({
    "shipment_id": SHIPMENT, "item_id": st.sampled_from(["A", "B"]), "qty": st.integers(0, 5), "uom": st.just("EA"),
    "transaction_set": st.sampled_from(["856", "945"]), "customer_po": st.one_of(st.none(), st.just("PO1")),
    "order_line_no": st.one_of(st.none(), LINE), "shipped_at": st.just(OLD)})
ORDER_LINE = st.fixed_dictionaries({"order_id": ORDER, "line_no": LINE, "item_id": st.just("A"), "qty": st.just(1),
                                    "uom": st.just("EA"), "unit_price": st.sampled_from([1, 2.5]),
                                    "currency": st.just("USD")})


def in_the_join(ours: str, lookup: Any, earlier: dict[str, str], hidden: dict[str, str],
                ctx: CompileContext) -> str:
    """The shape before: the normalised key written into each join's condition."""
    return lookup_key(earlier.get(ours, f"b.{ident(ours)}"), lookup, ctx)


def both_ways(rule_id: str, tables: dict[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], ...]:
    compiled = run_rule(rule_id, tables)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compile_parts, "_our_key", in_the_join)
        joined = run_rule(rule_id, tables)
    return compiled, joined


def test_one_normalisation_for_both_lookups() -> None:
    """shipment-delivered joins two lookups on the delivery's normalised shipment id: one hidden column."""
    sql = compile_rule(bundled_rule("shipment-delivered"), CompileContext.from_config(config())).sql
    assert sql.count('AS "_lk_key0" FROM "tms"."deliveries" AS b) AS b') == 1
    assert sql.count('IS NOT DISTINCT FROM b."_lk_key0"') == 2
    assert "_lk_key1" not in sql
    assert 'IS NOT DISTINCT FROM NULLIF(upper(trim(CAST(b."shipment_id"' not in sql


@settings(max_examples=15, deadline=None)
@given(deliveries=st.lists(DELIVERY, max_size=6), lines=st.lists(WMS_LINE, max_size=6),
       order_lines=st.lists(ORDER_LINE, max_size=3))
def test_check_rule_same_exceptions(deliveries: list[dict[str, Any]], lines: list[dict[str, Any]],
                                    order_lines: list[dict[str, Any]]) -> None:
    tables = {"tms.deliveries": deliveries, "wms.shipment_lines": lines, "erp.order_lines": order_lines}
    compiled, joined = both_ways("shipment-delivered", tables)
    assert compiled == joined


@settings(max_examples=15, deadline=None)
@given(asn=st.lists(ASN_LINE, max_size=6), lines=st.lists(WMS_LINE, max_size=6),
       order_lines=st.lists(ORDER_LINE, max_size=3))
def test_match_rule_same_exceptions(asn: list[dict[str, Any]], lines: list[dict[str, Any]],
                                    order_lines: list[dict[str, Any]]) -> None:
    tables = {"edi.shipment_lines": asn, "wms.shipment_lines": lines, "erp.order_lines": order_lines}
    compiled, joined = both_ways("asn-matches-shipment", tables)
    assert compiled == joined


CARRIER_DELIVERY = st.fixed_dictionaries({
    "shipment_id": SHIPMENT, "carrier": st.sampled_from(["UPS", "DHL"]),
    "delivered_at": st.one_of(st.none(), st.sampled_from([OLD, "2024-03-03T00:00:00Z"]))})


def test_rule_key_reads_the_hidden_column() -> None:
    """A rule key normalised as a lookup's `by` on the same column reads the lookup's hidden column."""
    ctx = CompileContext.from_config(config())
    for rule_id in ("asn-matches-shipment", "carrier-status-matches-tms"):
        sql = compile_rule(bundled_rule(rule_id), ctx).sql
        assert sql.count('"_lk_key0" AS "k__shipment_id"') == 1, rule_id


@settings(max_examples=20, deadline=None)
@given(rule_id=st.sampled_from(["asn-matches-shipment", "carrier-status-matches-tms"]),
       asn=st.lists(ASN_LINE, max_size=6), carrier=st.lists(CARRIER_DELIVERY, max_size=6),
       deliveries=st.lists(DELIVERY, max_size=6), lines=st.lists(WMS_LINE, max_size=6),
       order_lines=st.lists(ORDER_LINE, max_size=3))
def test_rule_key_on_the_hidden_column_same_exceptions(rule_id: str, asn: list[dict[str, Any]],
                                                       carrier: list[dict[str, Any]], deliveries: list[dict[str, Any]],
                                                       lines: list[dict[str, Any]],
                                                       order_lines: list[dict[str, Any]]) -> None:
    """The rule key read from the hidden column or normalised again: the same exceptions."""
    tables = {"edi.shipment_lines": asn, "edi.deliveries": carrier, "tms.deliveries": deliveries,
              "wms.shipment_lines": lines, "erp.order_lines": order_lines}
    hidden = run_rule(rule_id, tables)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(compile_match, "hidden_keys", lambda rows, ctx: {})
        again = run_rule(rule_id, tables)
    assert hidden == again
