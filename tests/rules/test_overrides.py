"""`overrides:` in recon.yaml: rules and packs switched off, re-parameterised, retargeted, and their
problems located in recon.yaml; `--select`/`--exclude` (recon.rules.selection)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main
from recon.config import load_project
from recon.config.schema import PackOverride, RuleOverride
from recon.coverage import DISABLED, coverage
from recon.errors import ConfigError
from recon.rules import overrides, selection
from recon.rules.compiler import CompileContext, compile_rule
from recon.rules.registry import load_project_rules
from recon.sample.generate import generate

MATCH = {
    "id": "r", "kind": "match", "title": "t",
    "left": {"table": "erp.invoice_lines"}, "right": {"table": "wms.shipment_lines", "where": "status = 'SHIPPED'"},
    "keys": ["order_id"],
    "missing_right": {"exception": "a", "severity": "critical", "owner": "finance"},
    "missing_left": {"exception": "b", "severity": "high"},
    "compare": [{"field": "qty", "exception": "c", "severity": "high", "tolerance": {"abs": 0}}],
}


def test_severity_and_owner_reach_every_outcome_and_the_specific_wins() -> None:
    rule = RuleOverride.model_validate({"severity": "low", "owner": "billing",
                                        "exceptions": {"b": {"severity": "medium"}},
                                        "missing_right": {"severity": "high"}})
    applied = overrides.apply(MATCH, "r", "p", {}, {"r": rule})
    raw = applied.raw
    assert (raw["missing_right"]["severity"], raw["missing_left"]["severity"], raw["compare"][0]["severity"]) == (
        "high", "medium", "low")
    assert {raw[k]["owner"] for k in ("missing_right", "missing_left")} == {"billing"}
    assert MATCH["missing_right"]["severity"] == "critical"  # the pack's rule itself is untouched
    assert applied.origins[("missing_left", "severity")] == ("overrides", "rules", "r", "exceptions", "b", "severity")


def test_mappings_merge_lists_replace_and_compare_merges_by_field() -> None:
    rule = RuleOverride.model_validate({"right": {"table": "erp.shipment_lines"}, "keys": ["order_id", "line_no"],
                                        "compare": {"qty": {"tolerance": {"abs": 2}}}})
    raw = overrides.apply(MATCH, "r", "p", {}, {"r": rule}).raw
    assert raw["right"] == {"table": "erp.shipment_lines", "where": "status = 'SHIPPED'"}
    assert raw["keys"] == ["order_id", "line_no"]
    assert raw["compare"] == [{"field": "qty", "exception": "c", "severity": "high", "tolerance": {"abs": 2}}]


def test_pack_settings_apply_under_the_rules_own() -> None:
    pack = PackOverride(severity="low", parameters={"x": 1})
    rule = RuleOverride.model_validate({"severity": "medium", "parameters": {"x": 2}})
    applied = overrides.apply(MATCH, "r", "p", {"p": pack}, {"r": rule})
    assert applied.raw["missing_left"]["severity"] == "medium" and applied.parameters == {"x": 2}
    assert overrides.apply(MATCH, "other", "p", {"p": pack}, {}).raw["missing_left"]["severity"] == "low"
    assert overrides.apply(MATCH, "r", "q", {}, {}).raw is MATCH  # nothing to apply: the rule as written


def test_a_problem_inside_an_overridden_value_moves_to_the_config() -> None:
    origins = {("left", "where"): ("overrides", "rules", "r", "left", "where"),
               ("compare", 0, "tolerance"): ("overrides", "rules", "r", "compare", "qty", "tolerance")}
    assert overrides.relocate(("compare", 0, "tolerance", "abs"), origins) == (
        "overrides", "rules", "r", "compare", "qty", "tolerance", "abs")
    assert overrides.relocate(("left", "where"), origins) == ("overrides", "rules", "r", "left", "where")
    assert overrides.relocate(("right", "where"), origins) is None


CONFIG = """
overrides:
  packs:
    transport: {enabled: false}
  rules:
    shipment-has-tracking: {enabled: true}
    shipment-posted-in-erp:
      parameters: {post_window: 2d}
      owner: warehouse
    invoice-matches-shipment:
      severity: low
      right: {table: erp.shipment_lines, where: null}
      exceptions:
        shipped-not-invoiced: {older_than: 5bd}
calendars:
  default: {weekdays: [mon, tue, wed, thu, fri]}
"""


def _rules(make_project: Callable[..., Path], config: str):  # type: ignore[no-untyped-def]
    project = load_project(make_project(config))
    return project, load_project_rules(project)


def test_overrides_change_what_the_rule_compiles_to(make_project: Callable[..., Path]) -> None:
    project, ruleset = _rules(make_project, CONFIG)
    posted = ruleset.get("shipment-posted-in-erp")
    assert posted is not None and posted.parameters["post_window"] == "2d"
    assert {o.owner for _, o in posted.rule.outcomes()} == {"warehouse"}
    sql = compile_rule(posted, CompileContext.from_config(project.config)).sql
    assert "INTERVAL 172800 SECOND" in sql and "'warehouse'" in sql
    invoiced = ruleset.get("invoice-matches-shipment")
    assert invoiced is not None and invoiced.rule.right.table == "erp.shipment_lines"
    assert invoiced.rule.right.where is None
    assert {o.severity for _, o in invoiced.rule.outcomes()} == {"low"}
    assert invoiced.overridden == ["exceptions.shipped-not-invoiced.older_than", "right.table", "right.where",
                                   "severity"]
    assert '"erp"."shipment_lines"' in compile_rule(invoiced, CompileContext.from_config(project.config)).sql


def test_a_disabled_pack_and_rule_are_kept_and_said_to_be_disabled(make_project: Callable[..., Path]) -> None:
    project, ruleset = _rules(make_project, CONFIG)
    disabled = {r.id: r.disabled for r in ruleset.rules if not r.enabled}
    assert set(disabled) == {"shipment-in-tms", "shipment-delivered", "carrier-status-matches-tms"}
    assert all("overrides.packs.transport.enabled: false" in why for why in disabled.values())
    assert ruleset.get("shipment-has-tracking").enabled  # type: ignore[union-attr]  # its own enabled wins
    statuses = {c.rule_id: c.status for c in coverage(ruleset.rules, project.config)}
    assert statuses["shipment-in-tms"] == DISABLED and statuses["shipment-has-tracking"] != DISABLED


BAD = """
overrides:
  packs:
    transprt: {enabled: false}
  rules:
    invoice-matches-shipmnt: {enabled: false}
    invoice-matches-shipment:
      parameters: {invoice_cutof: 5d}
      exceptions:
        shipped-not-invoice: {severity: low}
      left: {wher: "qty > 0"}
      compare: {qty: {tolerance: {abs: -1}}}
    shipment-posted-in-erp:
      left: {where: "shipped_qty > 0"}
"""


def test_bad_overrides_are_problems_located_in_the_config(make_project: Callable[..., Path]) -> None:
    with pytest.raises(ConfigError) as caught:
        _rules(make_project, BAD)
    found = {(p.code, p.path, p.line): p for p in caught.value.problems}
    rule = "overrides.rules.invoice-matches-shipment"
    expected = {("R071", "overrides.packs.transprt", 3), ("R070", "overrides.rules.invoice-matches-shipmnt", 5),
                ("R033", f"{rule}.parameters.invoice_cutof", 7),
                ("R072", f"{rule}.exceptions.shipped-not-invoice", 9),
                ("R003", f"{rule}.left.wher", 10), ("R005", f"{rule}.compare.qty.tolerance.abs", 11),
                ("R012", "overrides.rules.shipment-posted-in-erp.left.where", 13)}
    assert set(found) == expected
    assert all(p.file and p.file.endswith("recon.yaml") for p in found.values())
    hints = " ".join(str(p.hint) for p in found.values())
    for meant in ("'transport'", "'invoice-matches-shipment'", "'invoice_cutoff'", "'shipped-not-invoiced'",
                  "'where'"):
        assert f"did you mean {meant}?" in hints


def test_an_override_cannot_change_a_rules_id_or_kind(make_project: Callable[..., Path]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_project(make_project("overrides: {rules: {stock-matches: {kind: check}}}\n"))
    assert [p.code for p in caught.value.problems] == ["C005"]
    assert "cannot change a rule's kind" in caught.value.problems[0].message


def test_selection_by_id_pack_workflow_and_glob() -> None:
    ruleset = load_project_rules(None)
    chosen = selection.select(ruleset, ["edi-order-*", "pack:inventory"], ["stock-matches"])
    enabled = {r.id for r in chosen.rules if r.enabled}
    assert enabled == {"edi-order-in-erp", "edi-order-lines-match-erp", "inventory-advice-matches-stock",
                       "transfer-received"}
    assert len(chosen.rules) == len(ruleset.rules)  # the others kept, as disabled
    assert chosen.get("stock-matches").disabled == "excluded (--exclude stock-matches)"  # type: ignore[union-attr]
    assert chosen.get("released-order-ships").disabled.startswith("not selected")  # type: ignore[union-attr]
    assert {r.id for r in selection.select(ruleset, ["transport"]).rules if r.enabled} == {
        r.id for r in ruleset.rules if r.workflow == "transport"}
    assert selection.select(ruleset) is ruleset
    with pytest.raises(ConfigError) as caught:
        selection.select(ruleset, ["stock-match"], ["nothing-*"])
    assert [(p.code, p.hint) for p in caught.value.problems] == [
        ("R073", "did you mean 'stock-matches'?"), ("R073", "`recon rules list` shows every rule id and pack")]


def test_rules_list_shows_enabled_and_overridden(make_project: Callable[..., Path]) -> None:
    config = make_project(CONFIG)
    result = CliRunner().invoke(main, ["rules", "list", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["shipment-in-tms"]["enabled"] is False
    assert "overrides.packs.transport" in rows["shipment-in-tms"]["disabled_reason"]
    assert rows["shipment-posted-in-erp"]["overridden"] == ["owner", "parameters.post_window"]
    assert rows["stock-matches"] == {**rows["stock-matches"], "enabled": True, "overridden": []}
    result = CliRunner().invoke(main, ["rules", "list", "--config", str(config), "--csv"])
    assert "shipment-posted-in-erp" in result.output and "owner parameters.post_window" in result.output
    result = CliRunner().invoke(main, ["rules", "list", "--config", str(config)])
    total = len(rows)
    assert f"{total} rules ({total - 3} enabled, 3 disabled)" in result.output


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("overrides-sample")
    generate(out, orders=120, seed=3, as_of=datetime(2026, 11, 20, 6, tzinfo=UTC))
    return out / "recon.yaml"


def test_run_select_reports_the_rest_as_disabled_and_resolves_none_of_it(sample: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.duckdb"
    first = CliRunner().invoke(main, ["run", "-c", str(sample), "--out", str(tmp_path / "a"), "--state", str(state),
                                      "--as-of", "2026-11-20T06:00:00Z", "-q"])
    assert first.exit_code == 0, first.output
    before = json.loads((tmp_path / "a" / "summary.json").read_text())
    second = CliRunner().invoke(main, ["run", "-c", str(sample), "--out", str(tmp_path / "b"), "--state", str(state),
                                       "--as-of", "2026-11-20T07:00:00Z", "-q", "--exclude", "transport",
                                       "--select", "order-to-cash,transport"])
    assert second.exit_code == 0, second.output
    assert "rules disabled" in second.output
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    status = {r["rule_id"]: r["status"] for r in summary["rules"]["rules"]}
    assert status["shipment-in-tms"] == status["edi-order-in-erp"] == "disabled"
    assert status["shipment-posted-in-erp"] == "ok"
    assert summary["rules"]["rules_disabled"] == sum(1 for s in status.values() if s == "disabled") > 0
    assert summary["complete"] is True  # switched off on purpose: not an incomplete night
    reasons = {r["rule"]: r["reason"] for r in summary["disabled_rules"]}
    assert reasons["shipment-in-tms"] == "excluded (--exclude transport)"
    assert reasons["edi-order-in-erp"].startswith("not selected")
    # the disabled rules checked nothing: their earlier exceptions stay open, unverified, not resolved
    assert summary["lifecycle"]["resolved"] == 0
    assert summary["lifecycle"]["unverified"] == before["exceptions"]["total"] - summary["exceptions"]["total"] > 0


def test_a_parameter_outside_its_packs_choices_is_a_problem(make_project: Callable[..., Path]) -> None:
    config = """
    parameters: {invoice_clock: goods_issue}
    overrides:
      rules:
        invoice-matches-shipment: {parameters: {invoice_clock_unit: weeks}}
    """
    with pytest.raises(ConfigError) as caught:
        _rules(make_project, config)
    found = {(p.code, p.path) for p in caught.value.problems}
    assert found == {("R074", "parameters.invoice_clock"),
                     ("R074", "overrides.rules.invoice-matches-shipment.parameters.invoice_clock_unit")}
    assert "one of: shipment, posting" in " ".join(p.message for p in caught.value.problems)
    _, ruleset = _rules(make_project, "parameters: {invoice_clock: posting, invoice_clock_unit: days}\n")
    assert ruleset.get("invoice-matches-shipment").parameters["invoice_clock"] == "posting"  # type: ignore[union-attr]
