"""`recon diff`: the exceptions that appeared, disappeared or changed between two recorded runs."""

from __future__ import annotations

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
    stdout_console,
)
from recon.display import markup
from recon.store.diff import CHANGES, KEYS, diff_runs, pick_runs
from recon.store.state import open_state


@click.command()
@click.argument("run_a", required=False)
@click.argument("run_b", required=False)
@config_option
@state_option
@json_option
@csv_option
@debug_option
@handles_errors
def diff(run_a: str | None, run_b: str | None, config: str | None, state: str | None, as_json: bool, as_csv: bool,
         debug: bool) -> None:
    """Compare two recorded runs: exceptions that appeared, disappeared or changed.

    Without ids: the two most recent runs. With one id: that run and the run before it. Ids may
    be shortened to any unique prefix. --csv prints one line per differing exception.
    """
    one_format(as_json, as_csv)
    with open_state(resolve_state(config, state), read_only=True) as store:
        a, b = pick_runs(store, run_a, run_b)
        result = diff_runs(store, a, b)
    if as_json:
        print_json(result.to_dict())
    elif as_csv:
        print_csv(result.items)
    else:
        render(result.to_dict())


def _key(item: dict[str, Any]) -> str:
    return " ".join(f"{k}={item[k]}" for k in KEYS if item.get(k) is not None)


def _values(item: dict[str, Any], side: str) -> str:
    """What the rule compared in one run (left / right), or the value at risk when it compared no values."""
    left, right = item[f"left_value_{side}"], item[f"right_value_{side}"]
    if left is not None or right is not None:
        shown = f"{left if left is not None else '∅'} / {right if right is not None else '∅'}"
    else:
        risk = item[f"value_at_risk_{side}"]
        shown = "" if risk is None else f"at risk {risk:,.2f}"
    return " ".join(p for p in (shown, _status(item, side)) if p)


def _status(item: dict[str, Any], side: str) -> str:
    """What the analyst had said in that run: `(explained: timing)`, `(acked)`; nothing when nothing."""
    status, reason = item.get(f"analyst_status_{side}"), item.get(f"reason_code_{side}")
    if not status:
        return ""
    return f"({status}: {reason})" if reason else f"({status})"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:+,.2f}"


def render(data: dict[str, Any]) -> None:
    console = stdout_console()
    counts = data["counts"]
    console.print(f"recon diff {markup(data['run_a'])} → {markup(data['run_b'])}: "
                  + ", ".join(f"{counts[c]} {c}" for c in CHANGES))
    if not data["items"]:
        return
    totals = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="per type and owner", title_justify="left")
    for name in ("type", "owner", *CHANGES, "value at risk Δ"):
        totals.add_column(name, justify="left" if name in ("type", "owner") else "right", no_wrap=True)
    for t in data["totals"]:
        totals.add_row(markup(t["exception_type"]), markup(t["owner"]), *(str(t[c]) for c in CHANGES),
                       _money(t["value_change"]))
    console.print(totals)
    items = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="exceptions", title_justify="left")
    for name in ("change", "id", "type", "key", "before", "after", "value at risk Δ"):
        items.add_column(name, justify="right" if name == "value at risk Δ" else "left",
                         no_wrap=name in ("change", "id"))
    for i in data["items"]:
        before = "" if i["change"] == "appeared" else _values(i, "a")
        after = "" if i["change"] == "disappeared" else _values(i, "b")
        items.add_row(i["change"], markup(i["exception_id"]), markup(i["exception_type"]), markup(_key(i)),
                      markup(before), markup(after), _money(i["value_change"]))
    console.print(items)
