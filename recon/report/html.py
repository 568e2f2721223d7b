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
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from recon.config.schema import SEVERITIES
from recon.db import Database
from recon.report import heatmap
from recon.report.budgets import checks_from_verdict
from recon.report.summary import EXCEPTIONS, LATENCY, as_of_day, top_exceptions_sql, value_text
from recon.rules.contract import KEY_COLUMNS, order_by

TOP_N = 20
_INDENT = re.compile(r"\n[ \t]+")
SEVERITY_COLOURS = {"critical": "#7a0016", "high": "#cf222e", "medium": "#bf8700", "low": "#57606a"}


@dataclass
class Queue:
    owner: str
    count: int
    value_at_risk: float
    file: str | None
    types: list[dict[str, Any]]


@dataclass
class ReportView:
    """Everything the template shows; built from the summary dict plus the exceptions relation."""

    summary: Mapping[str, Any]
    currency: str
    as_of_date: date
    strips: list[heatmap.Strip]
    site_days: heatmap.Grid
    top: list[dict[str, Any]]
    queues: list[Queue]
    acked: list[dict[str, Any]] = field(default_factory=list)
    include_data: bool = True


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


def build_view(db: Database, summary: Mapping[str, Any], *, currency: str, timezone: str,
               include_data: bool = True, top_n: int = TOP_N) -> ReportView:
    """Query the reporting view (see `recon.report.summary.prepare`) for what the page lists."""
    as_of = as_of_day(summary["as_of"], timezone)
    strips = heatmap.workflow_strips(db.rows(heatmap.points_by_workflow_sql(EXCEPTIONS)))
    site_days = heatmap.site_day_grid(db.rows(heatmap.points_by_site_day_sql(EXCEPTIONS), [timezone]), as_of)
    top = _rows(db, top_exceptions_sql(top_n)) if include_data else []
    queues = []
    for owner, entry in summary["exceptions"]["by_owner"].items():
        types = db.dicts(
            f"SELECT exception_type, severity, string_agg(DISTINCT fix_in, ', ' ORDER BY fix_in) AS fix_in, "
            f"count(*) AS count, max(age_hours) AS oldest_hours, coalesce(sum(value_at_risk), 0) AS value_at_risk "
            f"FROM {EXCEPTIONS} WHERE coalesce(owner, 'unassigned') = ? GROUP BY exception_type, severity "
            f"ORDER BY count DESC, value_at_risk DESC, exception_type, severity", [owner])
        queues.append(Queue(owner, entry["count"], entry["value_at_risk"], entry.get("file"), types))
    queues.sort(key=lambda q: (-q.count, q.owner))
    acked = _rows(db, f"SELECT * FROM {EXCEPTIONS} WHERE acked ORDER BY {order_by()}") if include_data else []
    return ReportView(summary, currency, as_of, strips, site_days, top, queues, acked, include_data)


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _money(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.2f}"


def _compact(value: Any) -> str:
    """12.3k, 1.2M: a heat cell has room for four characters."""
    v = float(value or 0)
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            return f"{v / limit:.1f}{suffix}"
    return f"{v:.0f}"


def _percent(value: Any) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.1f}%"


def _hours(value: Any) -> str:
    if value is None:
        return "n/a"
    v = float(value)
    return f"{v / 24:.1f} d" if abs(v) >= 48 else f"{v:.1f} h"


def _day(label: str) -> str:
    """`2026-11-20` → `Fri 11-20` for a column head; `earlier` and `undated` unchanged."""
    try:
        day = date.fromisoformat(label)
    except ValueError:
        return label
    return f"{day:%a} {day:%m-%d}"


def _most_frequent(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def environment() -> Environment:
    env = Environment(loader=PackageLoader("recon.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(number=_number, money=_money, compact=_compact, percent=_percent, hours=_hours, day=_day,
                       most_frequent=_most_frequent)
    # A source whose rows a `where` filtered, `latest_by` superseded or `pivot` folded: the table shows them.
    env.tests["shaped"] = lambda src: any(k in src for k in ("rows_filtered", "rows_superseded", "rows_pivoted"))
    # Fixed orders, not the order of dict keys: a summary read back from summary.json has its keys sorted.
    env.globals.update(severity_colours=SEVERITY_COLOURS, palette=heatmap.PALETTE, value_text=value_text,
                       severities=SEVERITIES, latency_order=list(LATENCY))
    return env


def render(view: ReportView) -> str:
    """The page, with the template's indentation dropped: HTML collapses it anyway, and Gmail clips
    messages over 102 KB, so every byte of a mailed report counts."""
    checks = checks_from_verdict(view.summary.get("verdict", {}))
    html = environment().get_template("report.html.j2").render(
        view=view, s=view.summary, checks=checks,
        broken=[c for c in checks if c.broken], unmeasured=[c for c in checks if c.status == "unmeasured"],
        warned=[c for c in checks if c.warned], incomplete=view.summary.get("complete", True) is False,
    )
    return _INDENT.sub("\n", html)
