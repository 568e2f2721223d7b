"""`recon diff`: what changed between two recorded runs, exception by exception.

An analyst judges a night (or a rule change) by what it added and removed, not by two totals
that may hide as many new exceptions as resolved ones. The exception id hashes the rule, the
type and the business key, so the same finding has the same id in both runs: an id only in the
newer run appeared, an id only in the older one disappeared, and an id in both whose compared
values, severity, owner or value at risk moved changed. Everything is one SQL query over the
state store's `exceptions` table; nothing is recomputed from extracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from recon.db import Database
from recon.errors import Problem
from recon.store.state import StateError, StateStore

CHANGES = ("appeared", "disappeared", "changed")
# Columns whose difference between the two runs makes an exception "changed": what the rule found,
# and what the analyst had said of it (explained, acked, reopened; its reason code). State files
# written before recon kept the analyst's status lack the last two; they are then not compared.
COMPARED = ("severity", "owner", "field", "left_value", "right_value", "difference", "value_at_risk", "currency",
            "analyst_status", "reason_code")
KEYS = ("order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id", "customer_po",
        "document")


@dataclass
class RunDiff:
    """The exceptions that differ between run `a` (older) and run `b` (newer), and their totals."""

    a: str
    b: str
    items: list[dict[str, Any]] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)  # per exception type and owner

    def counts(self) -> dict[str, int]:
        return {c: sum(1 for i in self.items if i["change"] == c) for c in CHANGES}

    def to_dict(self) -> dict[str, Any]:
        return {"run_a": self.a, "run_b": self.b, "counts": self.counts(), "totals": self.totals,
                "items": self.items}


def pick_runs(store: StateStore, a: str | None, b: str | None) -> tuple[str, str]:
    """(older, newer): the ids or unique prefixes given, else the two most recent runs that did not fail."""
    runs = [r["run_id"] for r in store.runs(include_failed=False)]
    if b is None and a is not None:
        a, b = None, a  # `recon diff RUN` compares RUN with the run before it
    chosen_b = _resolve(runs, b) if b else (runs[0] if runs else None)
    if chosen_b is None:
        raise StateError([Problem.of("S010", wanted="two recorded runs", found=len(runs))], "cannot compare runs")
    if a:
        chosen_a = _resolve(runs, a)
    else:
        older = runs[runs.index(chosen_b) + 1:]
        if not older:
            raise StateError([Problem.of("S010", wanted=f"a run before {chosen_b}", found=len(runs))],
                             "cannot compare runs")
        chosen_a = older[0]
    return chosen_a, chosen_b


def _resolve(runs: list[str], wanted: str) -> str:
    matches = [r for r in runs if r == wanted] or [r for r in runs if r.startswith(wanted)]
    if len(matches) != 1:
        raise StateError([Problem.of("S011", run=wanted, matches=len(matches), known=", ".join(runs[:5]) or "none")],
                         "cannot compare runs")
    return matches[0]


def diff_sql(table: str, compared: tuple[str, ...] = COMPARED) -> str:
    """The differing exceptions of runs $a and $b of the store's `exceptions` table `table`."""
    changed = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in compared)
    keys = ", ".join(f"coalesce(b.{k}, a.{k}) AS {k}" for k in KEYS)
    before_after = ", ".join(f"a.{c} AS {c}_a, b.{c} AS {c}_b" if c in compared else f"NULL AS {c}_a, NULL AS {c}_b"
                             for c in COMPARED if c not in ("severity", "owner"))
    return f"""
        WITH a AS (SELECT * FROM {table} WHERE run_id = $a),
             b AS (SELECT * FROM {table} WHERE run_id = $b)
        SELECT CASE WHEN a.exception_id IS NULL THEN 'appeared'
                    WHEN b.exception_id IS NULL THEN 'disappeared' ELSE 'changed' END AS change,
               coalesce(b.exception_id, a.exception_id) AS exception_id,
               coalesce(b.rule_id, a.rule_id) AS rule_id,
               coalesce(b.exception_type, a.exception_type) AS exception_type,
               coalesce(b.owner, a.owner) AS owner, coalesce(b.severity, a.severity) AS severity,
               a.severity AS severity_a, a.owner AS owner_a, {keys}, {before_after},
               coalesce(b.value_at_risk, 0) - coalesce(a.value_at_risk, 0) AS value_change,
               coalesce(b.message, a.message) AS message
        FROM a FULL JOIN b ON a.exception_id = b.exception_id
        WHERE a.exception_id IS NULL OR b.exception_id IS NULL OR {changed}
        ORDER BY CASE change WHEN 'appeared' THEN 0 WHEN 'disappeared' THEN 1 ELSE 2 END,
                 exception_type, exception_id"""


def diff_runs(store: StateStore, a: str, b: str) -> RunDiff:
    return diff_table(store.db, store.t("exceptions"), a, b)


def diff_table(db: Database, table: str, a: str, b: str) -> RunDiff:
    """The diff of runs `a` and `b` of any table with the store's exception columns (a dry run's
    exceptions beside a recorded run's, for `recon run --dry-run --compare-to last`)."""
    present = {name for name, _ in db.columns(table)}
    rows = db.dicts(diff_sql(table, tuple(c for c in COMPARED if c in present)), {"a": a, "b": b})
    items = [{k: _plain(v) for k, v in r.items()} for r in rows]
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        key = (item["exception_type"] or "", item["owner"] or "")
        t = totals.setdefault(key, {"exception_type": key[0], "owner": key[1], **dict.fromkeys(CHANGES, 0),
                                    "value_change": 0.0})
        t[item["change"]] += 1
        t["value_change"] = round(t["value_change"] + (item["value_change"] or 0.0), 2)
    return RunDiff(a, b, items, [totals[k] for k in sorted(totals)])


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


__all__ = ["CHANGES", "COMPARED", "KEYS", "RunDiff", "diff_runs", "diff_sql", "diff_table", "pick_runs"]
