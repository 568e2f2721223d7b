"""`recon history`: the last runs with counts, and the trend per exception type."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.table import Table

from recon.cli.options import (
    config_option,
    csv_option,
    debug_option,
    handles_errors,
    json_option,
    one_format,
    print_csv,
    print_json,
    state_option,
    stdout_console,
)
from recon.config import load_project
from recon.display import markup
from recon.report import metrics
from recon.report.csvsafe import safe_select_sql
from recon.store import metrics as metric_store
from recon.store.audit import listing as audit_trail
from recon.store.history import history as run_history
from recon.store.state import open_state
from recon.store.step import state_path

SPARKS = "▁▂▃▄▅▆▇█"


def resolve_state(config: str | None, state: str | None) -> Path:
    """--state wins; otherwise the config says where its state lives (a bad config is exit 2)."""
    return Path(state) if state else state_path(load_project(config))


@click.command()
@config_option
@state_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many of the most recent runs to show.")
@click.option("--type", "exception_type", default=None, metavar="TYPE", help="Only this exception type.")
@click.option("--audit", is_flag=True,
              help="The audit trail instead: every resolve, match, ack and their removal, who, when and why.")
@click.option("--subject", default=None, metavar="ID",
              help="With --audit: only the decisions on this exception id (or rule, for matches).")
@click.option("--metrics", "show_metrics", is_flag=True,
              help="The operating metrics of the last runs instead (auto-match and duplicate rates, inventory "
                   "variance, MTTR, ageing, SLO attainment; docs/operations.md) and their trends.")
@json_option
@csv_option
@debug_option
@handles_errors
def history(config: str | None, state: str | None, limit: int, exception_type: str | None, audit: bool,
            subject: str | None, show_metrics: bool, as_json: bool, as_csv: bool, debug: bool) -> None:
    """The last runs with their counts, and the trend of each exception type.

    --csv prints the runs, one line each (the trend per type is in --json). --audit lists the
    analysts' decisions instead (oldest first). --metrics lists the operating metrics of the last
    runs (--csv: one line per value, spreadsheet-safe; --json: the values and one trend per metric).
    """
    one_format(as_json, as_csv)
    if subject and not audit:
        raise click.UsageError("--subject goes with --audit")
    if show_metrics and (audit or exception_type):
        raise click.UsageError("--metrics does not go with --audit or --type")
    path = resolve_state(config, state)
    if show_metrics:
        metrics_history(path, limit, as_json, as_csv)
        return
    if audit:
        with open_state(path, read_only=True) as store:
            trail = audit_trail(store, subject=subject)
        if as_json:
            print_json({"state": str(path), "audit": trail})
        elif as_csv:
            print_csv(trail)
        else:
            render_audit(trail, str(path))
        return
    with open_state(path, read_only=True) as store:
        data = run_history(store, limit=limit, exception_type=exception_type)
    if as_json:
        print_json(data)
        return
    if as_csv:
        print_csv(data["runs"])
        return
    render(data)


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 24:.1f}d" if value >= 48 else f"{value:.0f}h"


def _spark(series: list[int] | list[float]) -> str:
    top = max(series) if series else 0
    if not top:
        return "▁" * len(series)
    return "".join(SPARKS[min(len(SPARKS) - 1, round(v / top * (len(SPARKS) - 1)))] for v in series)


def render(data: dict[str, Any]) -> None:
    console = stdout_console()
    if not data["runs"]:
        console.print(f"no runs recorded in {markup(data['state'])} yet; `recon run` records one")
        return
    runs = Table(title=f"recon history ({markup(data['state'])})", title_justify="left", box=box.SIMPLE_HEAD,
                 pad_edge=False, collapse_padding=True)
    for name, justify in [("run", "left"), ("as of", "left"), ("status", "left"), ("rej", "right"),
                          ("exc", "right"), ("new", "right"), ("open", "right"), ("reop", "right"),
                          ("res", "right")]:
        runs.add_column(name, justify=justify, overflow="fold", min_width=len(name))  # type: ignore[arg-type]
    colour = {"ok": "green", "bar-broken": "yellow", "failed": "bold red"}
    for r in data["runs"]:
        status = f"[{colour.get(r['status'], 'red')}]{markup(r['status'])}[/]"
        if r.get("sources_failed"):
            status += f" [red]({r['sources_failed']} sources failed)[/]"
        new = f"[bold]{r['new']}[/]" if r["new"] else "0"
        as_of = markup(str(r["as_of"])[:16].replace("T", " "))
        runs.add_row(markup(r["run_id"]), as_of, status, str(r["rows_rejected"]), str(r["exceptions"]), new,
                     str(r["open"]), str(r["reopened"]), str(r["resolved"]))
    console.print(runs)
    for r in data["runs"]:
        if r["status"] == "failed" and r.get("error"):
            console.print(f"[red]{markup(r['run_id'])} failed:[/] {markup(r['error'].splitlines()[0])}", markup=True)
    if not data["types"]:
        return
    types = Table(title="exception types (oldest → newest run)", title_justify="left", box=box.SIMPLE_HEAD,
                 pad_edge=False, collapse_padding=True)
    for name, justify in [("type", "left"), ("trend", "left"), ("now", "right"), ("±", "right"),
                          ("new", "right"), ("res", "right"), ("oldest", "right"), ("mttr", "right")]:
        types.add_column(name, justify=justify, overflow="fold", min_width=len(name))  # type: ignore[arg-type]
    arrows = {"up": "[red]↑[/]", "down": "[green]↓[/]", "flat": "→", "new": "[yellow]new[/]"}
    for t in data["types"]:
        change = t["change"]
        shown = "—" if change is None else (f"+{change}" if change > 0 else str(change))
        mttr = _hours(t["mttr_hours"])
        trend = f"{_spark(t['counts'])} {arrows[t['trend']]}"
        types.add_row(markup(t["exception_type"]), trend, str(t["latest"]), shown, str(t["latest_new"]),
                      str(t["latest_resolved"]), _hours(t["oldest_open_hours"]), mttr)
    console.print(types)


def metrics_history(path: Path, limit: int, as_json: bool, as_csv: bool) -> None:
    """`--metrics`: the metric rows of the last `limit` runs that have them, oldest first."""
    with open_state(path, read_only=True) as store:
        rows = metric_store.history(store, limit=limit)
        if as_csv:  # through the formula-injection neutraliser: sites and owners come from the data
            sql = metric_store.history_sql(store, limit=limit) if rows else None
            if sql is not None:
                described = [(r[0], r[1]) for r in store.db.rows(f"DESCRIBE {sql}")]
                cells = store.db.rows(safe_select_sql(sql, described))
                text = [{k: v.isoformat() if isinstance(v, datetime) else v
                         for k, v in zip(metric_store.COLUMNS, row, strict=True)} for row in cells]
            else:
                text = []
            print_csv(text, list(metric_store.COLUMNS))
            return
    runs = list(dict.fromkeys((r["run_id"], r["as_of"]) for r in rows))
    data = {"state": str(path), "runs": [{"run_id": r, "as_of": a} for r, a in runs], "metrics": rows,
            "trend": metrics.stored_trend(rows)}
    if as_json:
        print_json(data)
        return
    render_metrics(data)


def _metric_text(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ratio":
        return f"{value * 100:.2f}%"
    if unit == "hours":
        return _hours(value)
    if unit in ("count", "units"):
        return f"{value:,.0f}"
    return f"{value:,.2f} {unit}"


def render_metrics(data: dict[str, Any]) -> None:
    console = stdout_console()
    if not data["runs"]:
        console.print(f"no metrics recorded in {markup(data['state'])} yet; `recon run` records them")
        return
    first, last = data["runs"][0], data["runs"][-1]
    table = Table(title=f"operating metrics, {len(data['runs'])} runs ({markup(first['as_of'][:10])} → "
                        f"{markup(last['as_of'][:10])}, {markup(data['state'])})",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for name, justify in [("metric", "left"), ("trend", "left"), ("first", "right"), ("latest", "right")]:
        table.add_column(name, justify=justify, overflow="fold", min_width=len(name))  # type: ignore[arg-type]
    for series in data["trend"]:
        values = [p["value"] for p in series["points"]]
        shown = [v for v in values if v is not None]
        table.add_row(markup(series["label"]), _spark([v or 0 for v in values]),
                      _metric_text(shown[0] if shown else None, series["unit"]),
                      _metric_text(values[-1], series["unit"]))
    console.print(table)
    console.print("per workflow, site, owner and age bucket: --json or --csv; definitions: docs/operations.md")


def render_audit(rows: list[dict[str, Any]], path: str) -> None:
    console = stdout_console()
    if not rows:
        console.print(f"no decisions recorded in {markup(path)} yet")
        return
    table = Table(title=f"audit trail ({markup(path)})", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("when", "action", "subject", "reason", "until", "by", "note"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(markup(str(r["logged_at"])[:19]), markup(r["action"]), markup(r["subject"] or ""),
                      markup(r["reason_code"] or ""), markup(str(r["until"]) if r["until"] else ""),
                      markup(r["by_user"] or ""), markup(r["note"] or ""))
    console.print(table)
