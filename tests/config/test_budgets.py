"""Budget tiers and load budgets as config: what validates, and the named problems (the verdict they
give is tested in tests/report/test_budgets.py and tests/test_completeness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.config import load_project
from recon.errors import ConfigError

BASE = """\
sources:
  erp_orders: {system: erp, entity: orders, path: orders.csv, columns: {order_id: ORDER_NO}}
budgets:
  - BUDGET
"""


def budget(tmp_path: Path, text: str):
    path = tmp_path / "recon.yaml"
    path.write_text(BASE.replace("BUDGET", text))
    return load_project(path).config.budgets[0]


def problem(tmp_path: Path, text: str) -> tuple[str, str, str | None]:
    with pytest.raises(ConfigError) as caught:
        budget(tmp_path, text)
    (found,) = caught.value.problems
    return found.code, found.message, found.hint


def test_defaults_an_exceptions_budget_at_the_fail_tier(tmp_path: Path) -> None:
    parsed = budget(tmp_path, "{severity: high, max: 0}")
    assert (parsed.measure, parsed.level) == ("exceptions", "fail")


def test_load_budgets_and_the_warn_tier(tmp_path: Path) -> None:
    parsed = budget(tmp_path, '{measure: rejected_rows, source: erp_orders, max_rate: "0.5%", level: warn}')
    assert (parsed.measure, parsed.source, parsed.max_rate, parsed.level) == ("rejected_rows", "erp_orders",
                                                                              0.005, "warn")
    assert budget(tmp_path, "{measure: not_evaluated, max: 2}").max == 2


@pytest.mark.parametrize(("text", "words"), [
    ("{measure: failed_sources, max: 0, source: erp_orders}", "a failed_sources budget does not take source"),
    ('{measure: not_evaluated, max_rate: "1%"}', "a not_evaluated budget does not take max_rate"),
    ("{measure: rejected_rows, rule: r, max: 1}", "a rejected_rows budget does not take rule"),
    ("{severity: high, max: 0, source: erp_orders}", "source applies to a rejected_rows budget"),
    ("{max: 1, level: error}", "'warn' or 'fail'"),
])
def test_a_key_that_does_not_fit_the_measure_is_an_invalid_value(tmp_path: Path, text: str, words: str) -> None:
    code, message, _ = problem(tmp_path, text)
    assert code == "C005" and words in message, message


def test_a_rejected_rows_budget_names_a_source_of_the_config(tmp_path: Path) -> None:
    code, message, hint = problem(tmp_path, "{measure: rejected_rows, source: erp_order, max: 1}")
    assert (code, message, hint) == ("C022", "unknown source 'erp_order'", "did you mean 'erp_orders'?")
