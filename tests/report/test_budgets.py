"""The bar as pure logic: --fail-on, count/value/rate budgets, new-only, acknowledged exceptions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from recon.config.schema import Budget, Config
from recon.report.budgets import BROKEN, OK, UNMEASURED, Group, evaluate, severity_or_worse, verdict

GROUPS = [
    Group("ship-vs-post", "shipped-not-posted", "high", 3, 1500.0, new=True),
    Group("ship-vs-post", "shipped-not-posted", "high", 2, 700.0, new=False),
    Group("ship-vs-post", "ship-qty-mismatch", "medium", 4, 80.0),
    Group("invoice", "invoice-without-shipment", "critical", 1, 5400.0, acked=True),
    Group("edi-ack", "edi-rejected", "low", 6, 0.0),
]


def budget(**kwargs: object) -> Budget:
    return Budget.model_validate(kwargs)


def statuses(checks):
    return [(c.name, c.measure, c.actual, c.status) for c in checks]


def test_fail_on_counts_that_severity_or_worse_and_ignores_acked():
    assert severity_or_worse("high") == ("critical", "high")
    [check] = evaluate(GROUPS, [], "high")
    assert (check.actual, check.status) == (5, BROKEN)  # 5 high; the critical one is acknowledged
    [check] = evaluate(GROUPS, [], "critical")
    assert (check.actual, check.status) == (0, OK)
    assert evaluate(GROUPS, [], None) == []


def test_max_zero_allows_zero_and_breaks_on_one():
    checks = evaluate(GROUPS, [budget(exception_type="edi-rejected", max=6), budget(rule="ship-vs-post", max=8)])
    assert statuses(checks) == [("exception type edi-rejected", "count", 6, OK),
                                ("rule ship-vs-post", "count", 9, BROKEN)]


def test_severity_budget_counts_exactly_that_severity():
    [check] = evaluate(GROUPS, [budget(severity="medium", max=4)])
    assert (check.actual, check.status) == (4, OK)


def test_value_at_risk_budget():
    [check] = evaluate(GROUPS, [budget(exception_type="shipped-not-posted", max_value_at_risk=2000)])
    assert (check.actual, check.status) == (2200.0, BROKEN)
    assert check.message() == "exception type shipped-not-posted: 2,200.00 at risk (max 2,000.00)"


def test_rate_budget_uses_the_records_the_rules_compared():
    records = {"ship-vs-post": 1000, "edi-ack": 100, "invoice": 500}
    checks = evaluate(GROUPS, [budget(rule="edi-ack", max_rate="5%"), budget(exception_type="ship-qty-mismatch",
                                                                          max_rate="0.5%"),
                               budget(max_rate="1%")], records=records)
    assert statuses(checks) == [
        ("rule edi-ack", "rate", 0.06, BROKEN),
        ("exception type ship-qty-mismatch", "rate", 0.004, OK),
        ("all exceptions", "rate", round(15 / 1600, 6), OK),
    ]
    assert checks[0].message() == "rule edi-ack: 6.00% of records compared (max 5.00%)"


def test_rate_without_records_is_unmeasured_not_passed_or_failed():
    [check] = evaluate(GROUPS, [budget(rule="edi-ack", max_rate="5%")], records=None)
    assert check.status == UNMEASURED and check.actual is None
    assert verdict([check], None)["passed"] is True
    assert "not measured" in check.message()


def test_new_only_counts_new_and_reopened_exceptions_only():
    [check] = evaluate(GROUPS, [budget(exception_type="shipped-not-posted", max=2, new_only=True)])
    assert (check.actual, check.status, check.new_only) == (3, BROKEN, True)
    assert check.name == "exception type shipped-not-posted (new only)"


def test_one_budget_with_several_limits_gives_one_check_each_in_order():
    checks = evaluate(GROUPS, [budget(severity="high", max=10, max_value_at_risk=1000)], "low")
    assert [(c.name.split(" (")[0], c.measure, c.status) for c in checks] == [
        ("--fail-on low", "count", BROKEN), ("severity high", "count", OK), ("severity high", "value_at_risk", BROKEN)]


def test_verdict_shape():
    checks = evaluate(GROUPS, [budget(rule="edi-ack", max=0)], "critical")
    assert verdict(checks, "critical") == {
        "passed": False,
        "fail_on": "critical",
        "checks": [
            {"name": "--fail-on critical (severity critical or worse)", "scope": {"severity": "critical",
                                                                                  "or_worse": "true"},
             "measure": "count", "limit": 0, "actual": 0, "status": "ok", "new_only": False},
            {"name": "rule edi-ack", "scope": {"rule": "edi-ack"}, "measure": "count", "limit": 0, "actual": 6,
             "status": "broken", "new_only": False},
        ],
    }


@pytest.mark.parametrize("raw, message", [
    ({"rule": "x"}, "at least one of max, max_value_at_risk or max_rate"),
    ({"rule": "x", "severity": "high", "max": 1}, "not rule and severity"),
    ({"max_rate": 0.5}, "write it as 0.5%"),
    ({"max_rate": "half"}, "write it as 0.5%"),
    ({"severity": "urgent", "max": 1}, "severity"),
    ({"max": -1}, "greater than or equal to 0"),
])
def test_budget_config_errors_say_what_to_write(raw, message):
    with pytest.raises(ValidationError) as exc:
        Config.model_validate({"budgets": [raw]})
    assert message in str(exc.value)


def test_budget_percent_is_read_as_a_fraction():
    assert budget(max_rate="0.5%").max_rate == 0.005
    assert budget(max_rate=" 2 % ").max_rate == 0.02
