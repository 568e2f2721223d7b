"""The analyst's view and cron's one line, both rendered from the same summary dict.

Only the CLI calls these (the library never prints); they take a rich Console so tests can
render into a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from recon.display import markup
from recon.report import summary as facts
from recon.report.budgets import checks_from_verdict

SEVERITY_STYLES = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "dim"}


def _money(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.2f}"


def value_text(summary: Mapping[str, Any]) -> str:
    return facts.value_text(summary["value_at_risk"])


def _hours(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.1f} h"


def _business_days(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.1f} bd"


# How a source's rows were shaped besides loaded and rejected; `exploded` counts the rows an
# `explode:` added (read + exploded = loaded + rejected + the others).
SHAPES = ("rows_filtered", "rows_superseded", "rows_pivoted", "rows_exploded")


def sources_table(summary: Mapping[str, Any]) -> Table:
    table = Table(title=markup(f"recon run {summary['run_id']} (as of {summary['as_of']})"), title_justify="left")
    # Filtered and superseded rows are columns only where a source has any (most sites have none).
    shaped = any(k in s for s in summary["sources"] for k in SHAPES)
    columns = [("source", "left"), ("system.entity", "left"), ("files", "right"), ("read", "right"),
               ("loaded", "right"), ("rejected", "right")]
    columns += [(k.removeprefix("rows_"), "right") for k in SHAPES] if shaped else []
    for name, justify in [*columns, ("status", "left")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for s in summary["sources"]:
        status = "[green]ok[/]" if s["status"] == "ok" else "[bold red]failed[/]"
        rejected = f"[yellow]{s['rows_rejected']}[/]" if s["rows_rejected"] else "0"
        tables = s.get("tables") or []
        fed = f"{s['system']}.{s['entity']}"
        if s["entity"] == "*" and tables:
            fed = f"{s['system']}.* ({len(tables)} tables)"
        shape = [str(s.get(k, 0)) for k in SHAPES] if shaped else []
        table.add_row(markup(s["source"]), markup(fed), str(s["files"]), str(s["rows_read"]),
                      str(s["rows_loaded"]), rejected, *shape, status)
    return table


def exceptions_table(summary: Mapping[str, Any]) -> Table:
    ex = summary["exceptions"]
    table = Table(title="exceptions", title_justify="left")
    for name, justify in [("workflow", "left"), ("exception type", "left"), ("count", "right"),
                          ("value at risk", "right")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    rows = sorted(ex["by_type"].items(), key=lambda kv: (kv[1].get("workflow") or "", -kv[1]["count"], kv[0]))
    for name, entry in rows:
        table.add_row(markup(entry.get("workflow") or ""), markup(name), f"{entry['count']:,}",
                      _money(entry["value_at_risk"]))
    return table


def queues_table(summary: Mapping[str, Any]) -> Table:
    table = Table(title="queues", title_justify="left")
    for name, justify in [("owner", "left"), ("count", "right"), ("value at risk", "right"), ("file", "left")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for owner, entry in summary["exceptions"]["by_owner"].items():
        table.add_row(markup(owner), f"{entry['count']:,}", _money(entry["value_at_risk"]),
                      markup(entry.get("file") or ""))
    return table


def latency_table(summary: Mapping[str, Any]) -> Table:
    table = Table(title="workflow latency", title_justify="left")
    for name, justify in [("clock", "left"), ("pairs", "right"), ("median", "right"), ("p95", "right"),
                          ("target p95", "right"), ("status", "left")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    styles = {"met": "[green]met[/]", "missed": "[bold red]missed[/]"}
    for entry in summary["latency"].values():
        in_days = bool(entry["slo"]) and "p95_business_days" in entry["slo"]
        show, unit = (_business_days, "business_days") if in_days else (_hours, "hours")
        target = entry["slo"][f"p95_{unit}"] if entry["slo"] else None
        status = styles.get(entry["status"], markup(entry["status"]))
        if entry.get("late") or entry.get("overdue"):  # an event-pair SLO's breaching chains (recon.events.slo)
            status += f" ({entry['late']:,} late, {entry['overdue']:,} overdue)"
        table.add_row(markup(entry["label"]), f"{entry['pairs']:,}", show(entry.get(f"median_{unit}")),
                      show(entry.get(f"p95_{unit}")), show(target) if target else "-", status)
    return table


def severity_line(summary: Mapping[str, Any]) -> str:
    ex = summary["exceptions"]
    parts = [f"[{SEVERITY_STYLES.get(s, '')}]{markup(s)} {n:,}[/]" if n else f"{markup(s)} 0"
             for s, n in ex["by_severity"].items()]
    value = markup(value_text(summary))
    return f"[bold]{ex['total']:,} exceptions[/] ({', '.join(parts)}); value at risk [bold]{value}[/]"


def incomplete_lines(summary: Mapping[str, Any]) -> list[str]:
    """What an incomplete run did not check, for the top and the bottom of the terminal summary."""
    if summary.get("complete", True) is not False:
        return []
    lines = ["[bold white on red] INCOMPLETE [/] [bold red]not everything was checked[/]; "
             "earlier exceptions of these rules stay open, unverified:"]
    lines += [f"  [red]✗[/] source {markup(f['source'])}{'' if f.get('required', True) else ' (optional)'}: "
              f"{markup(f['reason'])}" for f in summary.get("failed_sources", [])]
    lines += [f"  [red]✗[/] rule {markup(r['rule'])} not evaluated: {markup(r['reason'])}"
              for r in summary.get("not_evaluated", [])]
    return lines


def disabled_lines(summary: Mapping[str, Any], shown: int = 10) -> list[str]:
    """The rules this run did not run because they are disabled (config overrides, --select/--exclude)."""
    disabled = summary.get("disabled_rules") or []
    if not disabled:
        return []
    lines = [f"[yellow]{len(disabled)} rule{'s' if len(disabled) != 1 else ''} disabled[/], not run "
             "(their earlier exceptions stay open, unverified):"]
    lines += [f"  [yellow]-[/] {markup(r['rule'])}: {markup(r['reason'])}" for r in disabled[:shown]]
    if len(disabled) > shown:
        lines.append(f"  … and {len(disabled) - shown} more (summary.json: disabled_rules)")
    return lines


def incomplete_text(summary: Mapping[str, Any]) -> str | None:
    """`INCOMPLETE (2 sources failed, 3 rules not evaluated)` for one-line outputs, else None."""
    if summary.get("complete", True) is not False:
        return None
    failed, skipped = len(summary.get("failed_sources", [])), len(summary.get("not_evaluated", []))
    return (f"INCOMPLETE ({failed} source{'s' if failed != 1 else ''} failed, "
            f"{skipped} rule{'s' if skipped != 1 else ''} not evaluated)")


def render_summary(summary: Mapping[str, Any], out_dir: str, console: Console) -> None:
    """Sources, exceptions by type, queues, latency and the bar's verdict, in that order."""
    for line in [*incomplete_lines(summary), *disabled_lines(summary)]:
        console.print(line)
    console.print(sources_table(summary))
    for s in summary["sources"]:
        for snapshot in s.get("snapshots", []):
            console.print(f"{markup(s['source'])}: snapshot {markup(snapshot)}", markup=True)
        for problem in s["problems"]:
            console.print(f"[bold red]{markup(s['source'])}[/]: {markup(problem)}", markup=True)
    rejects = summary.get("rejects", {})
    if rejects.get("total"):
        console.print(f"[yellow]warning:[/] {rejects['total']:,} rows rejected while loading; see rejects.csv")
    for warning in summary.get("rules", {}).get("warnings", []):
        console.print(f"[yellow]warning:[/] {markup(warning)}", markup=True)
    if "exceptions" not in summary:
        console.print(f"outputs: {markup(out_dir)}")
        return
    if summary["exceptions"]["total"]:
        console.print(exceptions_table(summary))
        console.print(queues_table(summary))
    console.print(latency_table(summary))
    console.print(severity_line(summary))
    if summary.get("matching", {}).get("auto_match_rate") is not None:
        m = summary["matching"]
        console.print(f"records compared {m['records_compared']:,}, auto-match rate {m['auto_match_rate'] * 100:.1f}%")
    for line in verdict_lines(summary):
        console.print(line)
    for line in incomplete_lines(summary):
        console.print(line)
    console.print(f"outputs: {markup(out_dir)}")


def verdict_lines(summary: Mapping[str, Any]) -> list[str]:
    checks = checks_from_verdict(summary.get("verdict", {}))
    lines = []
    broken = [c for c in checks if c.broken]
    if broken:
        lines.append("[bold red]over the limits[/] (exit 1):")
        lines += [f"  [red]✗[/] {markup(c.message())}" for c in broken]
    elif checks and summary.get("complete", True) is False:
        lines.append(f"within the limits on what was checked: {len(checks)} check{'s' if len(checks) != 1 else ''} "
                     "passed, on partial data")
    elif checks:
        lines.append(f"[green]within the limits[/]: {len(checks)} check{'s' if len(checks) != 1 else ''} passed")
    lines += [f"  [yellow]![/] warning: {markup(c.message())}" for c in checks if c.warned]
    lines += [f"  [yellow]?[/] {markup(c.message())}" for c in checks if c.status == "unmeasured"]
    return lines


def quiet_line(summary: Mapping[str, Any], out_dir: str) -> str:
    """Cron's one line: verdict, counts, value, rejects, where the outputs are."""
    totals = summary["totals"]
    head = f"recon {summary['run_id']}"
    if "exceptions" not in summary:
        return (f"{head}: {totals['rows_loaded']} rows loaded, {totals['rows_rejected']} rejected, "
                f"{totals['sources_failed']} sources failed; outputs in {out_dir}")
    ex = summary["exceptions"]
    checks = checks_from_verdict(summary.get("verdict", {}))
    broken = [c for c in checks if c.broken]
    verdict = "FAIL" if broken else "ok"
    incomplete = incomplete_text(summary)
    if incomplete:  # never "ok": what it did not check is unknown
        verdict = f"{incomplete}{'; FAIL' if broken else ''}"
    severities = ", ".join(f"{n} {s}" for s, n in ex["by_severity"].items() if n)
    line = (f"{head}: {verdict}; {ex['total']} exceptions{f' ({severities})' if severities else ''}, "
            f"{value_text(summary)} at risk; "
            f"{totals['rows_rejected']} rows rejected, {totals['sources_failed']} sources failed")
    if broken:
        line += "; broken: " + "; ".join(c.message() for c in broken)
    warned = [c for c in checks if c.warned]
    if warned:
        line += "; warnings: " + "; ".join(c.message() for c in warned)
    disabled = len(summary.get("disabled_rules") or [])
    if disabled:
        line += f"; {disabled} rule{'s' if disabled != 1 else ''} disabled"
    if incomplete:
        line += "; not checked: " + "; ".join(
            [f"source {f['source']}" for f in summary.get("failed_sources", [])]
            + [f"rule {r['rule']}" for r in summary.get("not_evaluated", [])])
    return f"{line}; outputs in {out_dir}"
