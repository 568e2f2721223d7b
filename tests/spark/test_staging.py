"""Staging a compiled rule for Spark: shared CTEs become checkpointed steps, the rest stays one query."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlglot

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


def test_exact_rule_shares_only_pairs() -> None:
    steps = steps_of("shipment-posted-in-erp")
    assert [s.name for s in steps] == ["_r1_pairs", None]
