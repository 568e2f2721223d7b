"""The summary of a run, computed in SQL from the run's DuckDB: counts, value at risk, latency.

Every reporter (summary.json, report.html, the terminal, the e-mail subject) reads this one
dict, so they can never disagree about a number. Functions named `*_sql` return SQL text and
are pure; the others hand that text to `recon.db.Database` and shape the rows.

What the reporters read, and what they do when it is not there:

- `main.exceptions` (the rule engine; contract in `recon.rules.contract`): missing means no
  rule ran, so the run reports zero exceptions rather than failing.
- `summary["rules"]["rules"]` (the rule engine's per-rule report): `records_compared` and
  `records_matched` per rule give the auto-match rate; without them those read "n/a".
- `main.exception_status` (the run store: lifecycle status and `acked` per exception id):
  acked and explained exceptions stay outside the bar and `new_only` budgets count only new and
  reopened ones (an explanation whose values moved reopens too); without it every exception
  counts as new and none as acked or explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from recon.calendars import DEFAULT_CALENDAR, BusinessCalendar
from recon.config.schema import SEVERITIES, Config
from recon.config.slo import SloTarget
from recon.db import Database
from recon.report.budgets import Group
from recon.rules.contract import COLUMNS, order_by
from recon.sql import ident

EXCEPTIONS = "_report_exceptions"
LIFECYCLE = ("main", "exception_status")
UNASSIGNED = "unassigned"

# The three clocks of order-to-cash, with the join that pairs their two ends. Each side is
# reduced to one time per key first, so a duplicate extract row cannot double a pair.
#
# They scan the biggest canonical tables (millions of rows at 1M orders), so they are written
# for speed (bench/notes.md, "Reports phase"); the hours are exactly those of
# `date_diff('second', a, b) / 3600.0` between the two reduced sides
# (tests/report/test_summary.py checks this against that formulation, edge cases included):
# - Times become whole epoch seconds with `_seconds` (integer arithmetic on epoch_us), not
#   `date_diff('second', ...)`, which on TIMESTAMPTZ goes through an ICU calendar per row and
#   took two thirds of the reports step. date_diff counts the second boundaries crossed, i.e.
#   floor(b) - floor(a) in epoch seconds; the floor of the earliest time is the earliest floor.
# - Shipment lines are reduced once, for all three clocks: SHIPPED has one row per
#   (shipment_id, order_id, line_no) of either shipment table, with each side's earliest time
#   (NULL where that side has no row), from one GROUP BY over both tables.
# - Where both ends share a key, one GROUP BY or a filter replaces two GROUP BYs and a join. A
#   join never pairs NULL keys while a GROUP BY groups them, hence the IS NOT NULL filters.
SHIPPED = "_report_shipped"


def _seconds(expr: str) -> str:
    """Whole epoch seconds of a TIMESTAMPTZ (floor, also before 1970), as BIGINT."""
    return f"(epoch_us({expr}) // 1000000 - CAST(epoch_us({expr}) % 1000000 < 0 AS BIGINT))"


def shipped_sql(erp: bool = True) -> str:
    """SHIPPED's query: wms.shipment_lines (and erp.shipment_lines if loaded) reduced per key."""
    keys = "shipment_id, order_id, line_no"
    union = f"SELECT {keys}, shipped_at AS wms_t, NULL::TIMESTAMPTZ AS erp_t FROM wms.shipment_lines"
    if erp:
        union += f" UNION ALL SELECT {keys}, NULL, shipped_at FROM erp.shipment_lines"
    return (f"SELECT {keys}, {_seconds('min(wms_t)')} AS wms_s, {_seconds('min(erp_t)')} AS erp_s "
            f"FROM ({union}) GROUP BY {keys}")


LATENCY: dict[str, dict[str, str]] = {
    "release_to_ship": {
        "label": "order release to shipment",
        "from": "erp.orders.released_at",
        "to": "wms.shipment_lines.shipped_at",
        "tables": "erp.orders wms.shipment_lines",
        "sql": f"""
            WITH a AS (SELECT order_id, {_seconds('min(released_at)')} AS s FROM erp.orders GROUP BY order_id)
            SELECT a.s AS from_s, b.wms_s AS to_s FROM a JOIN {SHIPPED} AS b USING (order_id)""",
    },
    "ship_to_post": {
        "label": "shipment to ERP goods-issue posting",
        "from": "wms.shipment_lines.shipped_at",
        "to": "erp.shipment_lines.shipped_at",
        "tables": "wms.shipment_lines erp.shipment_lines",
        "sql": f"""
            SELECT wms_s AS from_s, erp_s AS to_s FROM {SHIPPED}
            WHERE shipment_id IS NOT NULL AND order_id IS NOT NULL AND line_no IS NOT NULL""",
    },
    "ship_to_invoice": {
        "label": "shipment to invoice",
        "from": "wms.shipment_lines.shipped_at",
        "to": "erp.invoice_lines.invoiced_at",
        "tables": "wms.shipment_lines erp.invoice_lines",
        "sql": f"""
            SELECT min(wms_s) AS from_s, min(invoice_s) AS to_s FROM (
                SELECT order_id, line_no, wms_s, NULL::BIGINT AS invoice_s FROM {SHIPPED}
                WHERE order_id IS NOT NULL AND line_no IS NOT NULL
                UNION ALL
                SELECT order_id, order_line_no, NULL, {_seconds('invoiced_at')} FROM erp.invoice_lines
                WHERE order_id IS NOT NULL AND order_line_no IS NOT NULL)
            GROUP BY order_id, line_no""",
    },
}


def money(value: Any) -> float:
    """DECIMAL sums as floats rounded to cents: exact sums in SQL, stable text in JSON."""
    if value is None:
        return 0.0
    return float(round(Decimal(value), 2)) if not isinstance(value, float) else round(value, 2)


def exceptions_view_sql(present: Mapping[str, str] | None, lifecycle: Mapping[str, str] | None = None) -> str:
    """A view with every contract column typed as the contract says, whatever the table has.

    `present` is the columns main.exceptions has (None: no table, the view is empty). A missing
    column reads as NULL, so an older or partial exceptions table still renders. `lifecycle` is
    the columns of the store's status table, if there is one: it adds `lifecycle` (new, open,
    reopened), `acked`, `ack_until` and `ack_note`; without it they are NULL and false.
    """
    cols = []
    for column in COLUMNS:
        source = f"e.{ident(column.name)}" if present and column.name in present else "NULL"
        cols.append(f"CAST({source} AS {column.type}) AS {ident(column.name)}")
    extra = {"lifecycle": ("status", "VARCHAR"), "acked": ("acked", "BOOLEAN"), "ack_until": ("ack_until", "DATE"),
             "ack_note": ("ack_note", "VARCHAR"), "explained": ("explained", "BOOLEAN"),
             "reason_code": ("reason_code", "VARCHAR"), "reason_note": ("reason_note", "VARCHAR"),
             "explanation_changed": ("explanation_changed", "BOOLEAN")}
    for name, (column, duck_type) in extra.items():
        source = f"l.{ident(column)}" if lifecycle and column in lifecycle else "NULL"
        if duck_type == "BOOLEAN":
            source = f"coalesce({source}, false)"
        cols.append(f"CAST({source} AS {duck_type}) AS {ident(name)}")
    select = ",\n       ".join(cols)
    if present is None:
        return f"CREATE OR REPLACE TEMP VIEW {EXCEPTIONS} AS SELECT {select} FROM (SELECT 1) AS e WHERE false"
    join = ""
    if lifecycle:
        picked = ", ".join(f"any_value({ident(c)}) AS {ident(c)}" for c, _ in extra.values() if c in lifecycle)
        join = (f" LEFT JOIN (SELECT exception_id, {picked} FROM {lifecycle_table()} WHERE status <> 'resolved' "
                f"GROUP BY exception_id) AS l USING (exception_id)")
    return f"CREATE OR REPLACE TEMP VIEW {EXCEPTIONS} AS SELECT {select} FROM main.exceptions AS e{join}"


def lifecycle_table() -> str:
    return f"{ident(LIFECYCLE[0])}.{ident(LIFECYCLE[1])}"


def prepare(db: Database) -> None:
    """Create the reporting view over whatever the rules (and the store) left in the database."""
    present = dict(db.columns("main.exceptions")) if db.table_exists("main", "exceptions") else None
    lifecycle = dict(db.columns(lifecycle_table())) if db.table_exists(*LIFECYCLE) else None
    db.execute(exceptions_view_sql(present, lifecycle))


def owner_name(owner: str | None) -> str:
    return owner or UNASSIGNED


def _counts(db: Database, column: str, extra: str = "") -> dict[str, dict[str, Any]]:
    rows = db.rows(f"SELECT coalesce({column}, '{UNASSIGNED}') AS k, count(*), sum(value_at_risk){extra} "
                   f"FROM {EXCEPTIONS} GROUP BY ALL ORDER BY k")
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        out[row[0]] = {"count": row[1], "value_at_risk": money(row[2])}
        if extra:
            out[row[0]]["workflow"] = row[3]
    return out


def exception_sections(db: Database, currency: str) -> dict[str, Any]:
    """`exceptions` (counts by severity, workflow, type, rule, owner) and `value_at_risk`.

    Values in different currencies are never added up: `total` and `currency` are set when
    every value is in one currency (`currency` from the config counts for rows without one),
    otherwise `total` is null and `by_currency` carries the sums.
    """
    by_severity = {s: 0 for s in SEVERITIES}
    for severity, count in db.rows(f"SELECT severity, count(*) FROM {EXCEPTIONS} GROUP BY ALL ORDER BY ALL"):
        by_severity[severity or UNASSIGNED] = count
    by_currency = {c: money(v) for c, v in db.rows(
        f"SELECT coalesce(currency, ?) AS c, sum(value_at_risk) FROM {EXCEPTIONS} WHERE value_at_risk IS NOT NULL "
        f"GROUP BY c ORDER BY c", [currency])}
    single = list(by_currency) if len(by_currency) == 1 else [currency] if not by_currency else []
    return {
        "exceptions": {
            "total": db.scalar(f"SELECT count(*) FROM {EXCEPTIONS}"),
            "by_severity": by_severity,
            "by_workflow": _counts(db, "workflow"),
            "by_type": _counts(db, "exception_type", ", any_value(workflow)"),
            "by_rule": _counts(db, "rule_id", ", any_value(workflow)"),
            "by_owner": _counts(db, "owner"),
        },
        "value_at_risk": {
            "total": by_currency.get(single[0], 0.0) if single else None,
            "currency": single[0] if single else None,
            "by_currency": by_currency,
        },
    }


def value_text(section: Mapping[str, Any]) -> str:
    """`7,494.50 USD`, or `7,494.50 USD + 10.00 EUR` when several currencies are at risk."""
    if section.get("total") is not None:
        return f"{section['total']:,.2f} {section.get('currency') or ''}".strip()
    return " + ".join(f"{v:,.2f} {c}" for c, v in section.get("by_currency", {}).items()) or "0.00"


def groups(db: Database) -> list[Group]:
    """The exceptions aggregated to the grain the bar needs (see `recon.report.budgets`)."""
    rows = db.rows(
        f"SELECT rule_id, exception_type, severity, "
        f"coalesce(lifecycle, 'new') IN ('new', 'reopened') OR explanation_changed AS new, acked, explained, "
        f"count(*), sum(value_at_risk) FROM {EXCEPTIONS} GROUP BY ALL ORDER BY ALL")
    return [Group(r[0] or "", r[1] or "", r[2] or "", r[6], money(r[7]), bool(r[3]), bool(r[4]), bool(r[5]))
            for r in rows]


def matching_section(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """Rules run, records compared and matched, overall and per workflow, from the rule engine's report.

    A rule that ran but did not report `records_compared` leaves its workflow (and the totals)
    at n/a rather than pretending it compared nothing; skipped and failed rules compare nothing.
    """
    by_rule: dict[str, dict[str, Any]] = {}
    by_workflow: dict[str, dict[str, Any]] = {}
    for entry in (rules or {}).get("rules", []):
        w = by_workflow.setdefault(entry.get("workflow") or "(none)", {
            "rules_run": 0, "rules_not_run": 0, "records_compared": 0, "records_matched": 0})
        if entry.get("status") != "ok":
            w["rules_not_run"] += 1
            continue
        w["rules_run"] += 1
        compared, matched = entry.get("records_compared"), entry.get("records_matched")
        if compared is None:
            w["records_compared"] = w["records_matched"] = None
            continue
        by_rule[entry["rule_id"]] = {"workflow": entry.get("workflow"), "records_compared": int(compared),
                                     "records_matched": None if matched is None else int(matched)}
        if w["records_compared"] is not None:
            w["records_compared"] += int(compared)
            w["records_matched"] = None if matched is None or w["records_matched"] is None \
                else w["records_matched"] + int(matched)
    for w in by_workflow.values():
        w["auto_match_rate"] = _rate(w["records_matched"], w["records_compared"])
    measured = bool(by_workflow) and all(w["records_compared"] is not None for w in by_workflow.values())
    compared = sum(w["records_compared"] for w in by_workflow.values()) if measured else None
    matched = sum(w["records_matched"] or 0 for w in by_workflow.values()) if measured else None
    return {"rules_run": sum(w["rules_run"] for w in by_workflow.values()),
            "rules_not_run": sum(w["rules_not_run"] for w in by_workflow.values()),
            "records_compared": compared, "records_matched": matched, "auto_match_rate": _rate(matched, compared),
            "by_workflow": dict(sorted(by_workflow.items())), "by_rule": dict(sorted(by_rule.items()))}


def manual_matches(db: Database) -> list[dict[str, Any]]:
    """The pairings of `recon match` this run applied (`main.manual_matches`, recon.rules.manual)."""
    if not db.table_exists("main", "manual_matches"):
        return []
    return db.dicts("SELECT rule_id, left_key, right_key, note FROM main.manual_matches ORDER BY ALL")


def _rate(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 6) if whole and part is not None else None


def rejects_section(db: Database, run_id: str, sources: list[dict[str, Any]]) -> dict[str, Any]:
    """Rejected rows per source (from the load report) and the reasons, most frequent first."""
    by_source = {s["source"]: s["rows_rejected"] for s in sources if s["rows_rejected"]}
    by_reason: dict[str, int] = {}
    if db.table_exists("main", "rejects"):
        rows = db.rows("SELECT reason, count(*) AS n FROM main.rejects WHERE starts_with(load_id, ?) "
                       "GROUP BY reason ORDER BY n DESC, reason", [f"{run_id}:"])
        by_reason = {r[0] or "": r[1] for r in rows}
    return {"total": sum(by_source.values()), "by_source": dict(sorted(by_source.items())), "by_reason": by_reason}


def _hours(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def latency_section(db: Database, slo: Mapping[str, SloTarget | None],
                    calendars: Mapping[str, BusinessCalendar] | None = None) -> dict[str, Any]:
    """Median and 95th percentile of each workflow clock (quantile_cont), against its SLO.

    Each clock's pairs are (from, to) epoch seconds; a clock whose target is in business days is
    also measured in business days on that target's calendar (`median_business_days`, ...)."""
    present = {name: all(db.table_exists(*t.split(".")) for t in spec["tables"].split())
               for name, spec in LATENCY.items() if not _event_pair(slo.get(name))}
    if any(present.values()):  # every clock with its tables reads the shipment lines
        db.execute(f"CREATE OR REPLACE TEMP TABLE {SHIPPED} AS "
                   f"{shipped_sql(erp=db.table_exists('erp', 'shipment_lines'))}")
    out: dict[str, Any] = {}
    try:
        for name, spec in LATENCY.items():
            if name not in present:  # given `from`/`to`: measured over the event table below
                continue
            pairs, median, p95, days = 0, None, None, []
            calendar = _business_calendar(slo.get(name), calendars)
            if present[name]:
                business = ""  # the clock in business days, only for a target in business days
                if calendar is not None:
                    elapsed = calendar.elapsed_sql("to_timestamp(from_s)", "to_timestamp(to_s)")
                    business = f", quantile_cont({elapsed}, [0.5, 0.95])"
                pairs, quantiles, *days = db.rows(  # one list quantile: the values are gathered once, not twice
                    f"SELECT count(*), quantile_cont((to_s - from_s) / 3600.0, [0.5, 0.95]){business} "
                    f"FROM ({spec['sql']}) WHERE from_s IS NOT NULL AND to_s IS NOT NULL")[0]
                median, p95 = quantiles or (None, None)
            out[name] = {"label": spec["label"], "from": spec["from"], "to": spec["to"], "pairs": pairs,
                         "median_hours": _hours(median), "p95_hours": _hours(p95)}
            if calendar is not None:
                median_days, p95_days = (days[0] if days else None) or (None, None)
                out[name].update(median_business_days=_hours(median_days), p95_business_days=_hours(p95_days))
    finally:
        db.execute(f"DROP TABLE IF EXISTS {SHIPPED}")
    out.update(event_clocks(db, slo))
    return apply_slo(out, slo)


def _event_pair(target: SloTarget | None) -> bool:
    return target is not None and target.event_pair


def event_clocks(db: Database, slo: Mapping[str, SloTarget | None]) -> dict[str, Any]:
    """The event-pair SLOs the events step measured per order chain (`main.slo_clocks`, recon.events.slo),
    in the shape of the built-in clocks plus the breaching chains (`late`, `overdue`)."""
    if not db.table_exists("main", "slo_clocks"):
        return {}
    out: dict[str, Any] = {}
    for row in db.dicts("SELECT * FROM main.slo_clocks ORDER BY name"):
        target = slo.get(row["name"])
        entry = {"label": row["label"], "from": row["from"], "to": row["to"], "pairs": row["pairs"],
                 "median_hours": _hours(row["median_hours"]), "p95_hours": _hours(row["p95_hours"])}
        if target is not None and target.unit == "business_days":
            entry.update(median_business_days=_hours(row["median_business_days"]),
                         p95_business_days=_hours(row["p95_business_days"]))
        entry.update(late=row["late"], overdue=row["overdue"])
        out[row["name"]] = entry
    return out


def apply_slo(latency: Mapping[str, Any], slo: Mapping[str, SloTarget | None]) -> dict[str, Any]:
    """Attach each clock's target and status (met, missed, no-target, no-data). Pure, so a stored
    run can be judged again against a changed SLO."""
    out: dict[str, Any] = {}
    for name, entry in latency.items():
        target = slo.get(name)
        unit = "business_days" if target is not None and target.unit == "business_days" else "hours"
        keys = (f"median_{unit}", f"p95_{unit}")
        goal = dict(zip(keys, (target.median, target.p95), strict=True)) if target else None
        if goal is not None and unit == "business_days":
            goal["calendar"] = target.calendar or DEFAULT_CALENDAR  # type: ignore[union-attr]
        if not entry["pairs"]:
            status = "no-data"
        elif target is None or (target.median is None and target.p95 is None):
            status = "no-target"
        elif any(goal[k] is not None and entry.get(k) is None for k in keys):  # type: ignore[index]
            status = "not-measured"  # a stored run measured in hours, judged against a target in business days
        else:
            missed = any(goal[k] is not None and entry[k] > goal[k] for k in keys)  # type: ignore[index]
            status = "missed" if missed else "met"
        out[name] = {**entry, "slo": goal, "status": status}
    return out


def _business_calendar(target: SloTarget | None,
                       calendars: Mapping[str, BusinessCalendar] | None) -> BusinessCalendar | None:
    if target is None or target.unit != "business_days" or not calendars:
        return None
    return calendars.get(target.calendar or DEFAULT_CALENDAR)


def slo_targets(config: Config) -> dict[str, SloTarget | None]:
    """The built-in clocks' targets (None where not set) and every event-pair SLO's."""
    return {**{name: getattr(config.slo, name) for name in LATENCY}, **config.slo.event_pairs()}


def top_exceptions_sql(limit: int) -> str:
    """The largest values at risk first; ties by the contract's file order so the list is stable."""
    return f"SELECT * FROM {EXCEPTIONS} ORDER BY value_at_risk DESC NULLS LAST, {order_by()} LIMIT {int(limit)}"


def as_of_day(as_of: str, timezone: str) -> date:
    """The as-of date on the config's local calendar (the day the business thinks it is)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(as_of).astimezone(ZoneInfo(timezone)).date()
