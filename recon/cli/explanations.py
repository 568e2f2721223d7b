"""`recon resolve`: explain exceptions with a reason code; they stay explained while their values do not change.

(The module is not called `resolve`: that name would shadow `recon.cli`'s lazy `resolve` once imported.)
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.table import Table

from recon.cli.options import (
    config_option,
    debug_option,
    handles_errors,
    json_option,
    print_json,
    state_option,
    stdout_console,
)
from recon.config import load_project
from recon.config.schema import duration_hours
from recon.display import markup
from recon.errors import Problem
from recon.store import audit
from recon.store import resolutions as explanations
from recon.store.acks import AckError
from recon.store.state import open_state
from recon.store.step import state_path


def _hours(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return duration_hours(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def ids_from_csv(path: Path) -> list[str]:
    """The `exception_id` column of a CSV (exceptions.csv or a queue file, filtered in a spreadsheet)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if "exception_id" not in (reader.fieldnames or []):
                raise AckError([Problem.of("A008", csv_file=str(path),
                                           present=", ".join(reader.fieldnames or []) or "none")],
                               title="cannot read the ids")
            return [row["exception_id"] for row in reader if row.get("exception_id")]
    except (OSError, UnicodeDecodeError) as exc:
        raise AckError([Problem.of("A007", csv_file=str(path), reason=exc)], title="cannot read the ids") from None


@click.command()
@click.argument("exception_ids", nargs=-1, metavar="[EXCEPTION_ID]...")
@click.option("--reason", "reason", default=None, metavar="CODE",
              help="A reason code of the config's catalogue (reason_codes:; defaults: timing, data-entry, "
                   "duplicate-confirmed, written-off, fixed-at-source, known-issue).")
@click.option("--note", default=None, metavar="TEXT", help="What was found, for the next analyst.")
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="DATE",
              help="The explanation holds up to and including this day (required for a code that only parks).")
@click.option("--by", "by", default=None, metavar="NAME", help="Who decided (default: the login name).")
@click.option("--type", "exception_type", default=None, metavar="TYPE",
              help="Bulk: every exception of this type in the latest run.")
@click.option("--rule", default=None, metavar="RULE", help="Bulk: every exception of this rule in the latest run.")
@click.option("--older-than", "older_than", default=None, metavar="AGE", callback=_hours,
              help="Bulk: only exceptions at least this old in the latest run (4h, 2d, 1w).")
@click.option("--from-csv", "from_csv", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              metavar="FILE", help="Bulk: the exception_id column of this CSV (e.g. a filtered queue file).")
@click.option("--withdraw", is_flag=True, help="Withdraw the explanations of the given ids.")
@click.option("--list", "list_", is_flag=True, help="List the explanations.")
@config_option
@state_option
@json_option
@debug_option
@handles_errors
def resolve(exception_ids: tuple[str, ...], reason: str | None, note: str | None, until: datetime | None,
            by: str | None, exception_type: str | None, rule: str | None, older_than: float | None,
            from_csv: Path | None, withdraw: bool, list_: bool, config: str | None, state: str | None,
            as_json: bool, debug: bool) -> None:
    """Explain exceptions with a reason code: closed while their compared values stay the same.

    \b
      recon resolve 3f2a9c0d1e4b5a67 --reason written-off --note "credit note CN-114"
      recon resolve --type ship-qty-mismatch --older-than 7d --reason data-entry
      recon resolve --from-csv finance-reviewed.csv --reason timing --until 2026-12-15
      recon resolve --withdraw 3f2a9c0d1e4b5a67
      recon resolve --list

    If a later run finds other values (the amount moved), the exception is reopened.
    """
    filters = exception_type or rule or older_than is not None
    if list_ and (exception_ids or reason or withdraw or filters or from_csv):
        raise click.UsageError("--list takes no ids, filters or --reason")
    if withdraw and (reason or until or filters or from_csv):
        raise click.UsageError("--withdraw takes only the ids (and --note, --by)")
    if not list_ and not withdraw and not reason:
        raise click.UsageError("give --reason CODE (or --list, or --withdraw)")
    if not list_ and not (exception_ids or filters or from_csv):
        raise click.UsageError("give one or more EXCEPTION_IDs, a filter (--type, --rule, --older-than) or --from-csv")
    project = load_project(config)
    path = Path(state) if state else state_path(project)
    if list_:
        with open_state(path, read_only=True) as store:
            rows = explanations.listing(store)
        if as_json:
            print_json({"state": str(path), "explanations": rows})
        else:
            render_list(rows, str(path))
        return
    who, when = audit.who(by), audit.now()
    ids = list(exception_ids) + (ids_from_csv(from_csv) if from_csv else [])
    with open_state(path, read_only=False) as store:
        if withdraw:
            done = explanations.remove(store, ids, by=who, when=when, note=note)
            result: dict[str, Any] = {"withdrawn": done}
        else:
            assert reason is not None
            code = explanations.check_reason(reason, project.config.reason_codes, until.date() if until else None)
            if filters:
                ids += explanations.select_ids(store, exception_type=exception_type, rule=rule,
                                               older_than_hours=older_than)
            if not ids:
                result = {"resolved": [], "reason_code": reason, "resolves": code.resolves}
            else:
                made = explanations.add(store, ids, reason, note=note, until=until.date() if until else None,
                                        by=who, when=when)
                result = {"resolved": [r.exception_id for r in made], "reason_code": reason,
                          "resolves": code.resolves}
    if as_json:
        print_json({"state": str(path), "by": who, **result})
        return
    console = stdout_console()
    if withdraw:
        console.print(f"withdrew {len(result['withdrawn'])} explanation(s): {markup(', '.join(result['withdrawn']))}")
        return
    if not result["resolved"]:
        console.print("no exception of the latest run matches the filters; nothing resolved")
        return
    verb = "explained" if result["resolves"] else "parked"
    console.print(f"{verb} {len(result['resolved'])} exception(s) as {markup(reason or '')}: "
                  f"{markup(', '.join(result['resolved'][:20]))}"
                  + (f" and {len(result['resolved']) - 20} more" if len(result["resolved"]) > 20 else ""))


def render_list(rows: list[dict[str, Any]], path: str) -> None:
    console = stdout_console()
    if not rows:
        console.print(f"no explanations in {markup(path)}")
        return
    table = Table(title=f"explanations ({markup(path)})", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("exception id", "reason", "until", "by", "at", "note"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(markup(r["exception_id"]), markup(r["reason_code"]),
                      markup(str(r["until"]) if r["until"] else "—"), markup(r["created_by"] or ""),
                      markup(str(r["created_at"])[:16]), markup(r["note"] or ""))
    console.print(table)
