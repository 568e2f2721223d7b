"""The bar: does this run's set of exceptions pass `--fail-on` and the configured budgets?

Pure: it reads aggregated exception groups and the records each rule compared, never the
database, so every verdict can be unit-tested and re-evaluated later from a stored run.
A budget limit of "max 0" means zero is allowed and one is not; acknowledged exceptions
(known issues, see the run store) and explained ones (`recon resolve`) never count against the bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from recon.config.schema import SEVERITIES, Budget

OK, BROKEN, UNMEASURED = "ok", "broken", "unmeasured"


@dataclass(frozen=True)
class Group:
    """Exceptions sharing rule, type, severity and lifecycle: the grain the bar is checked at."""

    rule_id: str
    exception_type: str
    severity: str
    count: int
    value_at_risk: float
    new: bool = True
    acked: bool = False
    explained: bool = False  # closed with a resolving reason code (recon resolve) and unchanged since


@dataclass(frozen=True)
class Check:
    """One limit of one budget (or the --fail-on bar) with what the run measured."""

    name: str
    scope: dict[str, str]
    measure: str  # count, value_at_risk or rate
    limit: float
    actual: float | None
    status: str
    new_only: bool = False
    level: str = "fail"  # fail: a broken check breaks the bar; warn: it is reported and nothing more

    @property
    def broken(self) -> bool:
        """Broken at the fail tier: what sets exit 1."""
        return self.status == BROKEN and self.level == "fail"

    @property
    def warned(self) -> bool:
        """Broken at the warn tier: shown in every report, exit code untouched."""
        return self.status == BROKEN and self.level == "warn"

    def message(self) -> str:
        if self.status == UNMEASURED:
            why = ("the run's load facts are not stored with it" if self.measure in (*UNITS, "rejects_rate")
                   else "the rules did not report how many records they compared")
            return f"{self.name}: not measured ({why})"
        return f"{self.name}: {_fmt(self.measure, self.actual)} (max {_fmt(self.measure, self.limit, unit=False)})"

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "scope": self.scope, "measure": self.measure, "limit": self.limit,
               "actual": self.actual, "status": self.status, "new_only": self.new_only}
        if self.level != "fail":
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class LoadFacts:
    """What the load and the rule step measured that budgets other than exception budgets limit."""

    rows_read: Mapping[str, int]  # source -> rows read
    rows_rejected: Mapping[str, int]  # source -> rows rejected
    failed_sources: int = 0
    not_evaluated: int = 0


UNITS = {"rejected_rows": ("rejected row", "rejected rows"), "failed_sources": ("failed source", "failed sources"),
         "not_evaluated": ("rule not evaluated", "rules not evaluated")}


def _fmt(measure: str, value: float | None, unit: bool = True) -> str:
    if value is None:
        return "n/a"
    if measure == "rejects_rate":
        return f"{value * 100:.2f}%" + (" of rows read rejected" if unit else "")
    if measure in UNITS:
        one, many = UNITS[measure]
        return f"{int(value)}" + (f" {one if int(value) == 1 else many}" if unit else "")
    if measure == "rate":
        return f"{value * 100:.2f}%" + (" of records compared" if unit else "")
    if measure == "value_at_risk":
        return f"{value:,.2f}" + (" at risk" if unit else "")
    return f"{int(value)}" + (f" exception{'s' if int(value) != 1 else ''}" if unit else "")


def severity_or_worse(severity: str) -> tuple[str, ...]:
    """`high` -> (critical, high): the severities a `--fail-on high` bar fails on."""
    return SEVERITIES[: SEVERITIES.index(severity) + 1]


def budget_scope(budget: Budget) -> dict[str, str]:
    for key in ("rule", "exception_type", "severity"):
        value = getattr(budget, key)
        if value is not None:
            return {key: value}
    return {}


def budget_name(budget: Budget) -> str:
    if budget.measure == "rejected_rows":
        return f"rejected rows of {f'source {budget.source}' if budget.source else 'every source'}"
    if budget.measure != "exceptions":
        return budget.measure.replace("_", " ")
    scope = budget_scope(budget)
    where = " ".join(f"{k.replace('_', ' ')} {v}" for k, v in scope.items()) or "all exceptions"
    return f"{where}{' (new only)' if budget.new_only else ''}"


def _in_scope(group: Group, scope: Mapping[str, str], severities: Sequence[str] | None = None) -> bool:
    if "rule" in scope and group.rule_id != scope["rule"]:
        return False
    if "exception_type" in scope and group.exception_type != scope["exception_type"]:
        return False
    if severities is not None:
        return group.severity in severities
    return "severity" not in scope or group.severity == scope["severity"]


def _records_for(scope: Mapping[str, str], groups: Sequence[Group], records: Mapping[str, int] | None) -> int | None:
    """The denominator of a rate: what the rules behind this scope compared."""
    if not records:
        return None
    if "rule" in scope:
        return records.get(scope["rule"])
    if "exception_type" in scope:
        rules = {g.rule_id for g in groups if g.exception_type == scope["exception_type"]}
        return sum(records.get(r, 0) for r in rules)
    return sum(records.values())


def evaluate(
    groups: Iterable[Group],
    budgets: Sequence[Budget],
    fail_on: str | None = None,
    records: Mapping[str, int] | None = None,
    load: LoadFacts | None = None,
) -> list[Check]:
    """Every check of the bar, in a stable order: --fail-on first, then budgets as configured.

    `records` maps rule id to records compared; without it, rate budgets are `unmeasured`
    (reported, never silently passed or failed). `load` feeds the rejected-rows, failed-sources
    and not-evaluated budgets; without it (a stored run re-rendered) they are `unmeasured` too.
    """
    counted = [g for g in groups if not (g.acked or g.explained)]
    checks: list[Check] = []
    if fail_on:
        worse = severity_or_worse(fail_on)
        actual = sum(g.count for g in counted if g.severity in worse)
        checks.append(Check(f"--fail-on {fail_on} (severity {fail_on} or worse)",
                            {"severity": fail_on, "or_worse": "true"}, "count", 0, actual, BROKEN if actual else OK))
    for budget in budgets:
        if budget.measure != "exceptions":
            checks += _load_checks(budget, load)
            continue
        scope = budget_scope(budget)
        name = budget_name(budget)
        chosen = [g for g in counted if _in_scope(g, scope) and (g.new or not budget.new_only)]
        count = sum(g.count for g in chosen)
        level = budget.level
        if budget.max is not None:
            checks.append(Check(name, scope, "count", budget.max, count,
                                BROKEN if count > budget.max else OK, budget.new_only, level))
        if budget.max_value_at_risk is not None:
            value = round(sum(g.value_at_risk for g in chosen), 2)
            checks.append(Check(name, scope, "value_at_risk", budget.max_value_at_risk, value,
                                BROKEN if value > budget.max_value_at_risk else OK, budget.new_only, level))
        if budget.max_rate is not None:
            compared = _records_for(scope, counted, records)
            if compared is None:
                checks.append(Check(name, scope, "rate", budget.max_rate, None, UNMEASURED, budget.new_only, level))
            else:
                rate = round(count / compared, 6) if compared else 0.0
                checks.append(Check(name, scope, "rate", budget.max_rate, rate,
                                    BROKEN if rate > budget.max_rate else OK, budget.new_only, level))
    return checks


def _load_checks(budget: Budget, load: LoadFacts | None) -> list[Check]:
    """The checks of a rejected-rows, failed-sources or not-evaluated budget."""
    name, measure, level = budget_name(budget), budget.measure, budget.level
    scope = {"source": budget.source} if budget.source else {}
    limits = [(measure, budget.max)] if budget.max is not None else []
    if budget.max_rate is not None:
        limits.append(("rejects_rate", budget.max_rate))
    out = []
    for kind, limit in limits:
        actual: float | None = None
        if load is not None:
            if measure == "failed_sources":
                actual = load.failed_sources
            elif measure == "not_evaluated":
                actual = load.not_evaluated
            else:
                names = [budget.source] if budget.source else list(load.rows_read)
                rejected = sum(load.rows_rejected.get(n, 0) for n in names)
                read = sum(load.rows_read.get(n, 0) for n in names)
                actual = rejected if kind == measure else (round(rejected / read, 6) if read else 0.0)
        status = UNMEASURED if actual is None else BROKEN if actual > limit else OK
        out.append(Check(name, scope, kind, limit, actual, status, False, level))
    return out


def verdict(checks: Sequence[Check], fail_on: str | None) -> dict[str, Any]:
    """The `verdict` section of summary.json: only fail-tier checks decide `passed`."""
    return {
        "passed": not any(c.broken for c in checks),
        "fail_on": fail_on,
        "checks": [c.to_dict() for c in checks],
    }


def checks_from_verdict(section: Mapping[str, Any]) -> list[Check]:
    """Back from summary.json, for renderers that only have the stored summary."""
    return [Check(c["name"], dict(c["scope"]), c["measure"], c["limit"], c["actual"], c["status"],
                  c.get("new_only", False), c.get("level", "fail")) for c in section.get("checks", [])]
