"""Properties of the engine on generated data (hypothesis).

- a discrepancy injected into clean data is found, and only it;
- noise within the tolerance never creates an exception;
- results do not depend on row order;
- keys full of quotes, semicolons and SQL keywords match like any other text (data never becomes SQL).
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules.helpers import config, keys_of, run_rule, without_lineage

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=8)  # each example runs three rules twice
SHIPPED = "2024-03-08T10:00:00Z"  # two days before AS_OF: past every window
NASTY = st.sampled_from(["O'1", 'a"b', "x; DROP TABLE erp.orders; --", "SELECT", "NULL", "' OR '1'='1", "$as_of",
                         "{order_id}", "%s", "\\", "ü-ß", "a  b", ")", "--"])
ORDER_IDS = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
                      .filter(lambda s: s != "" and s == s.strip()), NASTY)  # loaded keys are trimmed


@st.composite
def clean_shipments(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """Order lines shipped in 1-3 partial WMS shipments and posted in 1-2 ERP goods issues, same totals."""
    orders = draw(st.lists(ORDER_IDS, min_size=1, max_size=6, unique=True))
    wms, erp = [], []
    n = 0
    for order in orders:
        for line in range(1, draw(st.integers(1, 3)) + 1):
            total = draw(st.integers(2, 40))
            parts = draw(st.integers(1, min(3, total)))
            cut = sorted(draw(st.lists(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1,
                                       unique=True))) if parts > 1 else []
            for qty in [b - a for a, b in zip([0, *cut], [*cut, total], strict=True)]:
                n += 1
                wms.append({"shipment_id": f"SH{n}", "order_id": order, "line_no": line, "qty": qty,
                            "status": "SHIPPED", "shipped_at": SHIPPED})
            posted = draw(st.integers(1, total)) if total > 1 else total
            for qty in [q for q in (posted, total - posted) if q]:
                erp.append({"shipment_id": f"D{n}-{qty}", "order_id": order, "line_no": line, "qty": qty})
    return {"wms.shipment_lines": wms, "erp.shipment_lines": erp}


@SETTINGS
@given(clean_shipments())
def test_clean_data_has_no_exceptions(tables: dict[str, list[dict[str, Any]]]) -> None:
    assert run_rule("shipment-posted-in-erp", tables) == []


@SETTINGS
@given(clean_shipments(), st.data())
def test_an_injected_discrepancy_is_found_and_only_it(tables: dict[str, list[dict[str, Any]]],
                                                       data: st.DataObject) -> None:
    erp = tables["erp.shipment_lines"]
    victim = data.draw(st.sampled_from(erp))
    key = (victim["order_id"], str(victim["line_no"]))  # line numbers come back as text
    if data.draw(st.booleans()):
        victim["qty"] += data.draw(st.sampled_from([-1, 1, 2, 7]))
        if victim["qty"] == 0:
            victim["qty"] = 100
        expected = {("ship-qty-mismatch", *key)}
    else:
        tables["erp.shipment_lines"] = [r for r in erp if (r["order_id"], str(r["line_no"])) != key]
        expected = {("shipped-not-posted", *key)}
    found = run_rule("shipment-posted-in-erp", tables)
    assert keys_of(found, "order_id", "line_no") == expected


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["100", "200", "300"]), st.sampled_from(["P100", "P200"]),
                          st.sampled_from([None, "L1", "L2"]), st.integers(0, 500)), min_size=1, max_size=12,
                unique_by=lambda t: t[:3]),
       st.integers(0, 5), st.data())
def test_noise_within_tolerance_never_creates_an_exception(stock: list[tuple[Any, ...]], tolerance: int,
                                                           data: st.DataObject) -> None:
    erp = [{"item_id": i, "site": s, "lot": lot, "qty": q} for i, s, lot, q in stock]
    wms = [{**row, "qty": row["qty"] + data.draw(st.integers(-tolerance, tolerance))} for row in erp]
    found = run_rule("stock-matches", {"erp.stock": erp, "wms.stock": wms}, config(stock_qty_tolerance=tolerance))
    assert found == []
    wms[0]["qty"] = erp[0]["qty"] + tolerance + 1
    found = run_rule("stock-matches", {"erp.stock": erp, "wms.stock": wms}, config(stock_qty_tolerance=tolerance))
    assert keys_of(found, "item_id", "site", "lot") == {("stock-variance", *stock[0][:3])}


@FEW
@given(clean_shipments(), st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_row_order(tables: dict[str, list[dict[str, Any]]], seed: int) -> None:
    rng = random.Random(seed)
    tables["erp.shipment_lines"] = tables["erp.shipment_lines"][1:]  # something to find
    tables["wms.shipment_lines"][0]["qty"] += 1
    invoices = [{"invoice_id": f"I{i % 3}", "line_no": i, "order_id": r["order_id"], "order_line_no": r["line_no"],
                 "qty": r["qty"], "amount": r["qty"] * 2} for i, r in enumerate(tables["wms.shipment_lines"])]
    tables["erp.invoice_lines"] = invoices + invoices[:2]  # duplicates too
    shuffled = {name: rng.sample(rows, len(rows)) for name, rows in tables.items()}
    for rule in ("shipment-posted-in-erp", "invoice-matches-shipment", "invoice-line-unique"):
        assert without_lineage(run_rule(rule, tables)) == without_lineage(run_rule(rule, shuffled)), rule


@SETTINGS
@given(ORDER_IDS, ORDER_IDS)
def test_keys_with_quotes_and_sql_are_matched_like_any_string(posted: str, missing: str) -> None:
    if posted == missing:
        missing = posted + "'x"
    wms = [{"shipment_id": sid, "order_id": order, "line_no": 1, "qty": 1, "status": "SHIPPED", "shipped_at": SHIPPED}
           for sid, order in (("S1", posted), ("S2", missing))]
    erp = [{"shipment_id": "D1", "order_id": posted, "line_no": 1, "qty": 1}]
    found = run_rule("shipment-posted-in-erp", {"wms.shipment_lines": wms, "erp.shipment_lines": erp})
    assert [(r["exception_type"], r["order_id"]) for r in found] == [("shipped-not-posted", missing)]
    assert missing in found[0]["message"]
