"""The compiler is a pure function from rules to SQL text: golden files make every change visible."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recon.rules.compiler import CompileContext, compile_rule
from recon.rules.registry import load_project_rules
from tests.rules.helpers import bundled_rule, config

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RECON_UPDATE_GOLDEN") == "1"  # RECON_UPDATE_GOLDEN=1 pytest tests/rules


@pytest.mark.parametrize("rule_id", load_project_rules(None).ids())
def test_golden_sql(rule_id: str) -> None:
    """Compiled with the sample's ownership and default parameters: the exceptions (`<rule>.sql`) and
    the records compared and matched (`<rule>.stats.sql`)."""
    cfg = config()
    compiled = compile_rule(bundled_rule(rule_id, cfg), CompileContext.from_config(cfg))
    for suffix, sql in ((".sql", compiled.sql), (".stats.sql", compiled.stats_sql)):
        path = GOLDEN / f"{rule_id}{suffix}"
        if UPDATE:
            path.write_bytes((sql + "\n").encode("utf-8"))
        assert path.is_file(), f"no golden file; run RECON_UPDATE_GOLDEN=1 pytest {__file__}"
        golden = path.read_bytes().decode("utf-8")  # bytes: a normaliser's '\r\n' must survive
        assert sql + "\n" == golden, f"{rule_id}: compiled SQL changed; review and update {path.name}"


def test_compilation_is_pure_and_deterministic() -> None:
    loaded = bundled_rule("invoice-matches-shipment")
    ctx = CompileContext.from_config(config())
    assert compile_rule(loaded, ctx) == compile_rule(loaded, ctx)


def test_as_of_and_run_id_are_bound_parameters_never_now() -> None:
    for rule_id in load_project_rules(None).ids():
        compiled = compile_rule(bundled_rule(rule_id))
        for sql in (compiled.sql, compiled.sql_with_stats):
            assert "$as_of" in sql and "$run_id" in sql
        for sql in (compiled.sql, compiled.stats_sql, compiled.sql_with_stats):
            assert "now()" not in sql.lower() and "current_timestamp" not in sql.lower()


def test_fix_in_follows_ownership() -> None:
    posted = bundled_rule("shipment-posted-in-erp")
    with_owner = compile_rule(posted, CompileContext.from_config(config())).sql
    assert "'erp' AS fix_in" in with_owner and "'wms' AS fix_in" not in with_owner
    flipped = config()
    flipped = flipped.model_copy(update={"ownership": {**flipped.ownership, "shipment_lines": "erp"}})
    assert "'wms' AS fix_in" in compile_rule(posted, CompileContext.from_config(flipped)).sql


def test_a_lookup_on_a_table_not_loaded_compiles_to_an_empty_relation() -> None:
    loaded = bundled_rule("shipment-posted-in-erp")
    sql = compile_rule(loaded, CompileContext(missing_tables=frozenset({"erp.order_lines"}))).sql
    assert '"erp"."order_lines"' not in sql and "WHERE FALSE" in sql
