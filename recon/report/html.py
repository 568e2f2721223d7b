"""report.html: one self-contained page for finance, readable in a browser, a mail client and on paper.

Mail clients strip scripts, external resources and most CSS, so the template uses tables for
layout, inline styles and system fonts only; colour is never the only carrier of meaning (every
heat cell also prints its count and value). Every value from the data goes through jinja2's
autoescape: a customer note containing `<script>` is shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from recon.config.schema import SEVERITIES
from recon.db import Database
from recon.report import heatmap
from recon.report.budgets import checks_from_verdict
from recon.report.summary import EXCEPTIONS, LATENCY, as_of_day, top_exceptions_sql, value_text
from recon.rules.contract import KEY_COLUMNS, order_by

TOP_N = 15          # top exceptions listed (cards); the rest are in the queue files
OWNER_TOP = 3       # exception ids per owner on the first screen
QUEUE_OWNERS = 6    # owners with their largest ids and their work list by type
QUEUE_TYPES = 5     # exception types per owner in the work lists
ACKED_N = 5         # acknowledged exceptions listed
SOURCES_LISTED = 10  # sources with rejects or a failure listed one by one
_INDENT = re.compile(r"\n[ \t]+")
SEVERITY_COLOURS = {"critical": "#7a0016", "high": "#cf222e", "medium": "#bf8700", "low": "#57606a"}


@dataclass
class Queue:
    """One owner's work: what the first screen and the queue section show."""

    owner: str
    count: int
    value_at_risk: float
    file: str | None
    types: list[dict[str, Any]]
    oldest_hours: float | None = None
    new: int = 0
    top: list[dict[str, Any]] = field(default_factory=list)

    @property
    def more_types(self) -> int:
        return max(0, len(self.types) - QUEUE_TYPES)


@dataclass
class Change:
    """Since the previous run: new and resolved exceptions with their value, and the total's move."""

    previous_run_id: str | None
    new: int = 0
    new_value: float | None = 0.0
    resolved: int = 0
    resolved_value: float | None = None
    delta: float | None = None  # value at risk now minus the previous run's, in one currency only


@dataclass
class ReportView:
    """Everything the template shows; built from the summary dict plus the exceptions relation."""

    summary: Mapping[str, Any]
    currency: str
    as_of_date: date
    type_sites: heatmap.Grid
    site_days: heatmap.Grid
    top: list[dict[str, Any]]
    queues: list[Queue]
    change: Change | None = None
    acked: list[dict[str, Any]] = field(default_factory=list)
    acked_total: int = 0  # acked or explained
    include_data: bool = True
    explained_total: int = 0

    @property
    def ack_until(self) -> str:
        """A suggested end date for an ack: a week after the as-of date."""
        return (self.as_of_date + timedelta(days=7)).isoformat()


def _key(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The filled key columns, with line_no next to the document it numbers (an order's line, or an
    invoice's line when there is no order), so `invoice_id 9000 · line_no 1` reads as one key."""
    columns = [k for k in KEY_COLUMNS if k != "line_no"]
    owner = "order_id" if row.get("order_id") is not None else "invoice_id"
    columns.insert(columns.index(owner) + 1, "line_no")
    return [(k, str(row[k])) for k in columns if row.get(k) is not None]


def _rows(db: Database, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    rows = db.dicts(sql, params)
    for row in rows:
        row["business_key"] = _key(row)
    return rows


def _change(db: Database, summary: Mapping[str, Any]) -> Change | None:
    """The move since the previous run, from the lifecycle section (recon.store) and the view."""
    lc = summary.get("lifecycle") or {}
    if not lc.get("previous_run_id"):
        return None
    new, new_value = db.rows(f"SELECT count(*), coalesce(sum(value_at_risk), 0) FROM {EXCEPTIONS} "
                             f"WHERE coalesce(lifecycle, 'new') IN ('new', 'reopened')")[0]
    values = summary.get("value_at_risk") or {}
    currency = values.get("currency")  # None: several currencies, whose values are never added up
    change = Change(lc["previous_run_id"], int(new), round(float(new_value), 2) if currency else None,
                    int(lc.get("resolved", 0)))
    previous = lc.get("previous_value_at_risk")
    resolved = lc.get("resolved_value_at_risk")
    if currency and isinstance(resolved, Mapping) and set(resolved) <= {currency}:
        change.resolved_value = round(sum(float(v) for v in resolved.values()), 2)
    if currency and isinstance(previous, Mapping) and set(previous) <= {currency}:
        change.delta = round(float(values.get("total") or 0) - float(previous.get(currency, 0)), 2)
    return change


def build_view(db: Database, summary: Mapping[str, Any], *, currency: str, timezone: str,
               include_data: bool = True, top_n: int = TOP_N) -> ReportView:
    """Query the reporting view (see `recon.report.summary.prepare`) for what the page lists.

    Every list is capped (TOP_N, OWNER_TOP, QUEUE_TYPES, ACKED_N, the heat maps' rows and
    columns), so the page stays under Gmail's clipping size whatever the data; the page says how
    many more each list has and where they are.
    """
    as_of = as_of_day(summary["as_of"], timezone)
    type_sites = heatmap.type_site_grid(db.rows(heatmap.points_by_type_site_sql(EXCEPTIONS)))
    site_days = heatmap.site_day_grid(db.rows(heatmap.points_by_site_day_sql(EXCEPTIONS), [timezone]), as_of)
    top = _rows(db, top_exceptions_sql(top_n)) if include_data else []
    queues = []
    for owner, entry in summary["exceptions"]["by_owner"].items():
        where = "coalesce(owner, 'unassigned') = ?"
        types = db.dicts(
            f"SELECT exception_type, severity, string_agg(DISTINCT fix_in, ', ' ORDER BY fix_in) AS fix_in, "
            f"count(*) AS count, max(age_hours) AS oldest_hours, coalesce(sum(value_at_risk), 0) AS value_at_risk "
            f"FROM {EXCEPTIONS} WHERE {where} GROUP BY exception_type, severity "
            f"ORDER BY value_at_risk DESC, count DESC, exception_type, severity", [owner])
        oldest, new = db.rows(f"SELECT max(age_hours), count(*) FILTER (WHERE coalesce(lifecycle, 'new') "
                              f"IN ('new', 'reopened')) FROM {EXCEPTIONS} WHERE {where}", [owner])[0]
        first = _rows(db, f"SELECT * FROM {EXCEPTIONS} WHERE {where} AND NOT acked AND NOT explained "
                          f"ORDER BY value_at_risk DESC NULLS LAST, {order_by()} LIMIT {OWNER_TOP}",
                      [owner]) if include_data else []
        queues.append(Queue(owner, entry["count"], entry["value_at_risk"], entry.get("file"), types,
                            None if oldest is None else float(oldest), int(new or 0), first))
    queues.sort(key=lambda q: (-q.value_at_risk, -q.count, q.owner))
    acked_total, explained_total = db.rows(f"SELECT count(*) FILTER (WHERE acked OR explained), "
                                           f"count(*) FILTER (WHERE explained) FROM {EXCEPTIONS}")[0]
    acked = _rows(db, f"SELECT * FROM {EXCEPTIONS} WHERE acked OR explained ORDER BY value_at_risk DESC NULLS LAST, "
                      f"{order_by()} LIMIT {ACKED_N}") if include_data else []
    return ReportView(summary, currency, as_of, type_sites, site_days, top, queues, _change(db, summary),
                      acked, int(acked_total or 0), include_data, int(explained_total or 0))


def latency_unit(latency: Mapping[str, Any]) -> tuple[str, float]:
    """One unit for the whole latency table: days when any figure reaches two days, else hours."""
    figures = [v for entry in latency.values() for v in (
        entry.get("median_hours"), entry.get("p95_hours"),
        *((entry.get("slo") or {}).get(k) for k in ("median_hours", "p95_hours"))) if v is not None]
    return ("days", 24.0) if any(abs(float(v)) >= 48 for v in figures) else ("hours", 1.0)


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _money(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.2f}"


def _compact(value: Any) -> str:
    """12.3k, 14k, 112k, 1.2M: a heat cell on a phone has room for four characters."""
    v = float(value or 0)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            scaled = v / limit
            return (f"{scaled:.0f}" if abs(scaled) >= 100 else f"{scaled:.1f}".removesuffix(".0")) + suffix
    return f"{v:.0f}" if abs(v) >= 1 or v == 0 else f"{v:.2f}".rstrip("0")


def _signed(value: Any) -> str:
    """+1,234.00 / −56.00 / ±0.00: a change, never mistaken for a level."""
    v = round(float(value or 0), 2)
    return "±0.00" if v == 0 else f"{'+' if v > 0 else '−'}{abs(v):,.2f}"


def _percent(value: Any) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.1f}%"


def _hours(value: Any) -> str:
    if value is None:
        return "n/a"
    v = float(value)
    return f"{v / 24:.1f} d" if abs(v) >= 48 else f"{v:.1f} h"


def _day(label: str) -> str:
    """`2026-11-20` → `Fri 20` for a narrow column head (the month is in the note); others unchanged."""
    try:
        day = date.fromisoformat(label)
    except ValueError:
        return label
    return f"{day:%a} {day.day}"


def _most_frequent(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


BAR_HEIGHT = 24  # px of the tallest bar of a trend


def metric_text(value: Any, unit: str) -> str:
    """A metric's value as the report prints it: 96.1%, 12.5 h, 23, 1,923.43 USD; n/a when not measured."""
    if value is None:
        return "n/a"
    v = float(value)
    if unit == "ratio":
        return f"{v * 100:.2f}%" if 0 < abs(v) < 0.01 else f"{v * 100:.1f}%"
    if unit == "hours":
        return _hours(v)
    if unit in ("count", "units"):
        return f"{v:,.0f}"
    return f"{v:,.2f} {unit}"


def bar_heights(points: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """Pixel heights of a trend's bars, the largest value BAR_HEIGHT tall; zero gets 1 px so the
    point shows, a run that did not measure it None (no bar)."""
    values = [p.get("value") for p in points]
    top = max((abs(float(v)) for v in values if v is not None), default=0.0)
    return [None if v is None else max(1, round(abs(float(v)) / top * BAR_HEIGHT)) if top else 1 for v in values]


def environment() -> Environment:
    env = Environment(loader=PackageLoader("recon.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(number=_number, money=_money, compact=_compact, percent=_percent, hours=_hours, day=_day,
                       most_frequent=_most_frequent, signed=_signed)
    # A source whose rows a `where` filtered, `latest_by` superseded or `pivot` folded: the table shows them.
    env.tests["shaped"] = lambda src: any(k in src for k in ("rows_filtered", "rows_superseded", "rows_pivoted",
                                                                      "rows_exploded"))
    env.tests["snapshotted"] = lambda src: bool(src.get("snapshots"))  # listed one by one, with its snapshot
    # Fixed orders, not the order of dict keys: a summary read back from summary.json has its keys sorted.
    env.globals.update(severity_colours=SEVERITY_COLOURS, palette=heatmap.PALETTE, value_text=value_text,
                       severities=SEVERITIES, latency_order=list(LATENCY),
                       latency_unit=latency_unit, no_value=heatmap.NO_VALUE, queue_owners=QUEUE_OWNERS,
                       queue_types=QUEUE_TYPES, sources_listed=SOURCES_LISTED, bar_heights=bar_heights,
                       metric_text=metric_text, bar_height=BAR_HEIGHT)
    return env


def render(view: ReportView) -> str:
    """The page, with the template's indentation dropped: HTML collapses it anyway, and Gmail clips
    messages over 102 KB, so every byte of a mailed report counts."""
    checks = checks_from_verdict(view.summary.get("verdict", {}))
    html = environment().get_template("report.html.j2").render(
        view=view, s=view.summary, checks=checks,
        broken=[c for c in checks if c.broken], unmeasured=[c for c in checks if c.status == "unmeasured"],
        warned=[c for c in checks if getattr(c, "warned", False)],
        incomplete=view.summary.get("complete", True) is False,
        failed=[src for src in view.summary.get("sources", []) if src.get("status", "ok") != "ok"],
    )
    return _INDENT.sub("\n", html)
