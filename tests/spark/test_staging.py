"""Staging a compiled rule for Spark: shared CTEs become checkpointed steps, the rest stays one query."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlglot
from sqlglot import exp

from recon.rules.compiler import CompileContext, compile_rule
from recon.rules.registry import load_project_rules
from recon.spark.rules import staged

PARAMS = {"as_of": datetime(2026, 11, 20, 6, tzinfo=UTC), "run_id": "R"}


def steps_of(rule_id: str) -> list:
    ruleset = load_project_rules(None)
    loaded = next(r for r in ruleset.rules if r.id == rule_id)
    return staged(compile_rule(loaded, CompileContext()).sql, PARAMS, "_r1_")


def test_fuzzy_rounds_are_checkpointed_once_each() -> None:
    steps = steps_of("edi-order-in-erp")
    names = [s.name for s in steps[:-1]]
    assert steps[-1].name is None
    # every CTE read more than once is its own step: the sides, each round's candidates and matches
    assert {"_r1_l_side", "_r1_r_side", "_r1_c0", "_r1_m1", "_r1_c1", "_r1_m2", "_r1_matched"} <= set(names)
    for step in steps:
        sqlglot.parse_one(step.sql, read="spark")  # valid Spark SQL
    later = " ".join(s.sql for s in steps[names.index("_r1_m1") + 1:])
    assert "`_r1_m1`" in later and "$as_of" not in later and "'R'" in steps[-1].sql


def test_exact_rule_shares_only_pairs_and_its_unit_conversions() -> None:
    # both sides read the conversion relations (quantities in base units, recon.rules.units): they are
    # computed once, like the pairs; nothing else of an exact rule is a step of its own
    steps = steps_of("shipment-posted-in-erp")
    assert [s.name for s in steps] == ["_r1_uom_conv", "_r1_uom_base", "_r1_pairs", None]


def test_steps_named_by_content_are_shared_between_rules() -> None:
    """Every converting rule's conversion relations are the same text: one view each for the run."""
    def named(rule_id: str, prefix: str) -> list:
        loaded = next(r for r in load_project_rules(None).rules if r.id == rule_id)
        return staged(compile_rule(loaded, CompileContext()).sql, PARAMS, prefix, by_content="_v_")

    shipped, stock = named("shipment-posted-in-erp", "_r1_"), named("stock-matches", "_r2_")
    assert [s.name for s in shipped[:2]] == [s.name for s in stock[:2]]
    assert shipped[0].name.startswith("_v_uom_conv_") and shipped[1].name.startswith("_v_uom_base_")
    assert f"`{shipped[0].name}`" in shipped[1].sql  # uom_base reads uom_conv by its shared name
    # the rules' own pairs differ, so do their views; the final query reads them by those names
    assert shipped[2].name.startswith("_v_pairs_") and shipped[2].name != stock[2].name
    assert f"`{shipped[2].name}`" in shipped[-1].sql and "_r1_" not in shipped[-1].sql


def test_converted_sides_join_their_unit_factors_by_broadcast() -> None:
    """Spark's plan only: each join of a side's rows to its factor relation carries a broadcast
    hint (WMS, ERP and the order lines' lookup on both sides); the DuckDB SQL has none."""
    loaded = next(r for r in load_project_rules(None).rules if r.id == "shipment-posted-in-erp")
    sql = compile_rule(loaded, CompileContext()).sql
    steps = staged(sql, PARAMS, "_r1_")
    assert "BROADCAST" not in sql
    assert [s.sql.count("/*+ BROADCAST(f) */") for s in steps] == [0, 0, 4, 0]
    for select in sqlglot.parse_one(steps[2].sql, read="spark").find_all(exp.Select):
        if select.args.get("hint"):
            joined = [j.this for j in select.args.get("joins") or []]
            assert any(isinstance(t, exp.Subquery) and t.alias == "f" for t in joined)


def test_a_step_with_a_volatile_function_keeps_its_rules_name() -> None:
    sql = ("WITH a AS (SELECT random() AS x), b AS (SELECT 1 AS y)\n"
           "SELECT * FROM a AS p, a AS q, b AS r, b AS s")
    steps = staged(sql, PARAMS, "_r7_", by_content="_v_")
    assert steps[0].name == "_r7_a" and steps[1].name.startswith("_v_b_")


def window_columns_under_a_star(spark_sql: str) -> list[str]:
    """`SELECT *` over a subquery that carries window values: sqlglot's form of QUALIFY for Spark.

    sqlglot writes QUALIFY for Spark as a subquery holding the windows as columns (`_w`, `_w_2`),
    filtered outside it; a star there keeps those columns, which the DuckDB query never had (so a
    UNION ALL of such a branch with another fails on Spark: NUM_COLUMNS_MISMATCH)."""
    found = []
    for select in sqlglot.parse_one(spark_sql, read="spark").find_all(exp.Select):
        if not any(isinstance(e, exp.Star) for e in select.expressions):
            continue
        source = select.args.get("from_") or select.args.get("from")
        inner = source.this if source is not None else None
        if isinstance(inner, exp.Subquery) and isinstance(inner.this, exp.Select):
            found += [n for n in inner.this.named_selects if n.startswith("_w")]
    return found


@pytest.mark.parametrize("stats", [False, True], ids=["exceptions", "with-stats"])
def test_no_rule_keeps_qualify_window_columns_on_spark(stats: bool) -> None:
    """Every bundled rule, every step: the columns on Spark are those of the DuckDB query."""
    leaks = {}
    for loaded in load_project_rules(None).rules:
        compiled = compile_rule(loaded, CompileContext())
        sql = compiled.sql_with_stats if stats else compiled.sql
        if not sql:
            continue
        for step in staged(sql, PARAMS, "_r1_"):
            if found := window_columns_under_a_star(step.sql):
                leaks[f"{loaded.id}:{step.name}"] = found
    assert not leaks
