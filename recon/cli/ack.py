"""`recon ack`: mark a known issue so it stays listed but outside the run's limits until a date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import click
from rich import box
from rich.table import Table

from recon.cli.history import resolve_state
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
    stderr_console,
    stdout_console,
)
from recon.display import markup
from recon.store import acks as ack_store
from recon.store.audit import who
from recon.store.state import open_state


@click.command()
@click.argument("exception_ids", nargs=-1, metavar="[EXCEPTION_ID]...")
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="DATE",
              help="Keep it outside the limits up to and including this day (YYYY-MM-DD, the config's time zone).")
@click.option("--note", default=None, metavar="TEXT", help="Why it is acknowledged (required when acking).")
@click.option("--force", is_flag=True, help="Ack an id no recorded run has found yet.")
@click.option("--by", "by", default=None, metavar="NAME", help="Who decided (default: the login name).")
@click.option("--list", "list_", is_flag=True, help="List the acks, active and expired.")
@click.option("--remove", is_flag=True, help="Remove the acks of the given ids.")
@config_option
@state_option
@json_option
@csv_option
@debug_option
@handles_errors
def ack(exception_ids: tuple[str, ...], until: datetime | None, note: str | None, force: bool, by: str | None,
        list_: bool, remove: bool, config: str | None, state: str | None, as_json: bool, as_csv: bool,
        debug: bool) -> None:
    """Acknowledge exceptions: still listed, but outside the run's limits until DATE.

    \b
      recon ack 3f2a9c0d1e4b5a67 --until 2026-12-15 --note "carrier rebills monthly"
      recon ack --list
      recon ack --remove 3f2a9c0d1e4b5a67

    --csv prints the --list as CSV.
    """
    one_format(as_json, as_csv)
    if as_csv and not list_:
        raise click.UsageError("--csv goes with --list")
    if list_ and (remove or exception_ids or until or note):
        raise click.UsageError("--list takes no ids, --until, --note or --remove")
    if not list_ and not exception_ids:
        raise click.UsageError("give one or more EXCEPTION_IDs (or --list)")
    if remove and (until or note):
        raise click.UsageError("--remove takes only the ids")
    if not (list_ or remove) and (until is None or not note):
        raise click.UsageError("an ack needs --until DATE and --note TEXT")
    path = resolve_state(config, state)
    today = datetime.now(UTC).date()
    if list_:
        with open_state(path, read_only=True) as store:
            rows = ack_store.listing(store, today)
        if as_json:
            print_json({"state": str(path), "acks": rows})
        elif as_csv:
            print_csv(rows)
        else:
            render_list(rows, str(path))
        return
    with open_state(path, read_only=False) as store:
        if remove:
            removed = ack_store.remove(store, list(exception_ids), by=who(by))
            result: dict[str, Any] = {"removed": removed}
        else:
            assert until is not None and note is not None
            made = ack_store.add(store, list(exception_ids), until.date(), note, force=force, by=who(by))
            result = {"acked": [{"exception_id": a.exception_id, "until": a.until.isoformat(), "note": a.note}
                                for a in made]}
    if as_json:
        print_json({"state": str(path), **result})
        return
    console = stdout_console()
    if remove:
        console.print(f"removed {len(result['removed'])} ack(s): {markup(', '.join(result['removed']))}")
        return
    console.print(f"acked {len(result['acked'])} exception(s) until {until.date().isoformat()}: "
                  f"{markup(', '.join(a['exception_id'] for a in result['acked']))}")
    if until.date() < today:
        stderr_console().print(f"[yellow]warning:[/] {until.date().isoformat()} is in the past; the ack only "
                               "applies to runs with an earlier as-of", markup=True)


def render_list(rows: list[dict[str, Any]], path: str) -> None:
    console = stdout_console()
    if not rows:
        console.print(f"no acks in {markup(path)}")
        return
    table = Table(title=f"acks ({markup(path)})", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("exception id", "until", "state", "type", "key", "note"):
        table.add_column(name, overflow="fold", no_wrap=name == "until")
    for r in rows:
        state = "[green]active[/]" if r["state"] == "active" else "[dim]expired[/]"
        if r["in_latest_run"] is False:
            state += " [dim](gone from the latest run)[/]"
        until = r["until"].isoformat() if isinstance(r["until"], date) else str(r["until"])
        table.add_row(markup(r["exception_id"]), markup(until), state, markup(r["exception_type"] or "?"),
                      markup(r["key"] or ""), markup(r["note"]))
    console.print(table)
