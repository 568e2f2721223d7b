"""`recon trace KEY`: one order's story across every system, with the exceptions on it."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.table import Table

from recon import api
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
from recon.display import markup, plain
from recon.errors import EXIT_BAR_BROKEN

SYSTEM_COLOURS = {"erp": "cyan", "wms": "green", "tms": "magenta", "edi": "yellow"}
STATUS_COLOURS = {"new": "bold red", "reopened": "red", "open": "yellow", "resolved": "green"}


@click.command()
@click.argument("key")
@config_option
@click.option("--details", is_flag=True, help="Show every field of every row under its line.")
@click.option("--fields", "fields", is_flag=True,
              help="Survivorship: each field of the chain's records in its system of record, and the systems "
                   "that hold another value.")
@state_option
@click.option("--reload", is_flag=True,
              help="Read the extracts again instead of the tables the latest run kept (after they changed).")
@json_option
@csv_option
@debug_option
@handles_errors
def trace(key: str, config: str | None, details: bool, fields: bool, state: str | None, reload: bool,
          as_json: bool, as_csv: bool, debug: bool) -> None:
    """Show one order's timeline across every loaded system, and the exceptions on it.

    KEY is an order number, customer PO, shipment id, invoice number or tracking number, in any
    form the systems use: 0000001042, SO-1042 and so-1042 all find order 1042. The rows are the
    tables the latest run kept (instant); --reload reads the extracts again. KEY may also be a
    correlation id (order:10000017). The order chain comes from the run's event table: its
    business events in order, and its gaps (an event whose prerequisite is missing) in red.
    Exit 1 when nothing matches.
    """
    one_format(as_json, as_csv)
    result = api.trace(config, key, reload=reload, state=state, fields=fields)
    if as_json:
        print_json(result.to_dict())
    elif as_csv:  # the timeline, one line per source row (its fields as JSON); exceptions are in --json
        print_csv(result.to_dict()["events"])
    else:
        render(result.to_dict(), details)
    if not result.found:
        sys.exit(EXIT_BAR_BROKEN)


def _when(value: Any, inherited: bool) -> str:
    if inherited:
        return "[dim]  ↳[/]"  # no time of its own: it belongs to the moment above
    if value is None:
        return "[dim]—[/]"
    text = str(value).replace("T", " ")
    text = text[:16] if len(text) > 10 else text
    return markup(text)


def render(data: dict[str, Any], details: bool = False) -> None:
    console = stdout_console()
    if data["found"] and not data["matched"]:  # a correlation id: the chain only
        render_chains(console, data.get("chains"))
        return
    if not data["found"]:
        console.print(f"[bold]{markup(data['key'])}[/]: no order, PO, shipment, invoice, tracking number or EDI "
                      "reference matches in any loaded system", markup=True)
        if data["sources_failed"]:
            console.print(f"[red]sources that failed to load:[/] {markup(', '.join(data['sources_failed']))}")
        return
    refs = data["references"]
    console.print(f"[bold]trace {markup(data['key'])}[/]", markup=True)
    for label, name in (("orders/POs", "orders"), ("shipments", "shipments"), ("tracking", "tracking"),
                        ("invoices", "invoices")):
        if refs.get(name):
            console.print(plain(f"  {label}: {', '.join(map(str, refs[name]))}"), markup=False)
    matched = ", ".join(f"{m['table']}.{m['column']} = {m['value']}" for m in data["matched"][:8])
    more = f" (+{len(data['matched']) - 8})" if len(data["matched"]) > 8 else ""
    console.print(f"  [dim]found via {markup(matched)}{more} in the {markup(data['loaded_from'])}"
                  f"{' tables (--reload reads the extracts)' if data['loaded_from'] != 'extracts' else ''}[/]",
                  markup=True)
    table = Table(title_justify="left", show_lines=False, title="timeline")
    table.add_column("when", no_wrap=True)
    table.add_column("system", overflow="fold")
    table.add_column("what")
    table.add_column("source", overflow="fold")
    for e in data["events"]:
        colour = SYSTEM_COLOURS.get(e["system"], "white")
        what = markup(e["what"])
        if details:
            fields = ", ".join(f"{k}={v}" for k, v in sorted(e["fields"].items()) if not k.startswith("_"))
            what += f"\n[dim]{markup(fields)}[/]"
        table.add_row(_when(e["at"], e["at_inherited"]), f"[{colour}]{markup(e['system'])}.{markup(e['entity'])}[/]",
                      what, f"[dim]{markup(e['source'])}[/]")
    console.print(table)
    render_chains(console, data.get("chains"))
    if data["sources_failed"]:
        console.print(f"[red]sources that failed to load (their rows are missing above):[/] "
                      f"{markup(', '.join(data['sources_failed']))}", markup=True)
    state = data["state"]
    if not state.get("latest_run_id"):
        console.print("[dim]no recorded run yet: `recon run` records the exceptions that trace shows[/]")
        return
    if not data["exceptions"]:
        console.print(f"[green]no exceptions[/] on it in the recorded runs (latest {markup(state['latest_run_id'])})")
        return
    exc = Table(title=f"exceptions (lifecycle as of run {markup(state['latest_run_id'])})", title_justify="left")
    for name in ("status", "type", "severity", "key", "first seen", "open for", "ack", "message", "id"):
        exc.add_column(name, overflow="fold")
    for x in data["exceptions"]:
        status = x["status"]
        key = " ".join(str(x[k]) for k in ("order_id", "line_no", "shipment_id", "invoice_id", "customer_po",
                                           "document") if x.get(k) is not None)
        hours = x.get("hours_open")
        open_for = "—" if hours is None or status == "resolved" else (
            f"{float(hours) / 24:.1f}d" if float(hours) >= 48 else f"{float(hours):.0f}h")
        ack = f"until {x['ack_until']}" if x.get("ack_until") else ""
        exc.add_row(f"[{STATUS_COLOURS.get(status, 'white')}]{markup(status)}[/]", markup(x["exception_type"]),
                    markup(x["severity"] or ""), markup(key), markup(str(x.get("first_seen_at") or "")[:10]), open_for,
                    markup(ack), markup(x.get("message") or ""), f"[dim]{markup(x['exception_id'])}[/]")
    console.print(exc)


def render_chains(console: Any, chains: list[dict[str, Any]] | None) -> None:
    """Each order chain: its business events in time order, its gaps in red, and with --fields its
    survivorship table (conflicting values in red)."""
    if chains is None:
        console.print("[dim]no event table in these tables (kept by a run before recon built one): "
                      "run again, or --reload, for the order chain[/]")
        return
    for chain in chains:
        gaps = chain["gaps"]
        head = f"[bold]chain {markup(chain['correlation_id'])}[/]: {len(chain['events'])} events"
        head += f", [bold red]{len(gaps)} gap{'s' if len(gaps) != 1 else ''}[/]" if gaps else ", no gaps"
        console.print(head, markup=True)
        for gap in gaps:
            console.print(f"  [bold red]✗ gap:[/] no {markup(gap['missing'])} before {markup(gap['needed_by'])}",
                          markup=True)
        table = Table(show_header=True, box=None, pad_edge=False)
        for name in ("when", "event", "system", "record", "rows", "source"):
            table.add_column(name, overflow="fold")
        for e in chain["events"]:
            colour = SYSTEM_COLOURS.get(e["system"], "white")
            table.add_row(_when(e["event_at"], False), markup(e["event_type"]), f"[{colour}]{markup(e['system'])}[/]",
                          markup(str(e["record"] or "")), str(e["rows"]), f"[dim]{markup(e['source'])}[/]")
        console.print(table)
        if "fields" in chain:
            _render_fields(console, chain["fields"])


def _render_fields(console: Any, fields: list[dict[str, Any]]) -> None:
    table = Table(title="fields (survivorship)", title_justify="left")
    for name in ("record", "field", "system of record", "value", "elsewhere"):
        table.add_column(name, overflow="fold")
    for f in fields:
        record = f"{f['entity']} {f['item']}".strip()
        value = ", ".join(f["value"]) if f["value"] is not None else "—"
        elsewhere = "; ".join(f"{s}: {', '.join(v)}" for s, v in sorted(f["systems"].items())
                              if s != f["system_of_record"])
        style = "red" if f["conflicts"] else "dim"
        table.add_row(markup(record), markup(f["field"]), markup(f["system_of_record"] or "(none)"), markup(value),
                      f"[{style}]{markup(elsewhere)}[/]" if elsewhere else "")
    console.print(table)
