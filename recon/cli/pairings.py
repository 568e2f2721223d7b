"""`recon match`: pair two keys a match rule could not pair; every later run treats them as one key."""

from __future__ import annotations

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
from recon.errors import Problem, did_you_mean
from recon.rules import manual
from recon.rules.registry import load_project_rules
from recon.rules.schema import MatchRule
from recon.store import audit, pairings
from recon.store.acks import AckError
from recon.store.state import open_state
from recon.store.step import state_path


def check_pairing(project: Any, rule_id: str, left: str, right: str) -> None:
    """The rule exists, pairs by exact keys, and each key has one value per key of the rule."""
    ruleset = load_project_rules(project)
    loaded = ruleset.get(rule_id)
    if loaded is None:
        matches = [r.id for r in ruleset.rules if isinstance(r.rule, MatchRule)]
        raise AckError([Problem.of("A009", rule=rule_id, hint=did_you_mean(rule_id, matches))],
                       title="cannot match")
    rule = loaded.rule
    if not isinstance(rule, MatchRule):
        raise AckError([Problem.of("A010", rule=rule_id, reason=f"it is a {rule.kind} rule")], title="cannot match")
    if rule.fuzzy:
        raise AckError([Problem.of("A010", rule=rule_id, reason="it pairs fuzzy levels by score")],
                       title="cannot match")
    names = [k.name for k in rule.keys]
    problems = [Problem.of("A011", side=side, key=key, got=len(key.split(manual.SEPARATOR)), rule=rule_id,
                           want=len(names), names=", ".join(names))
                for side, key in (("left", left), ("right", right)) if manual.split_key(key, names) is None]
    if problems:
        raise AckError(problems, title="cannot match")


@click.command()
@click.argument("keys", nargs=-1, metavar="LEFT_KEY RIGHT_KEY")
@click.option("--rule", "rule_id", default=None, metavar="RULE", help="The match rule that could not pair them.")
@click.option("--note", default=None, metavar="TEXT", help="Why they are the same (for the audit trail).")
@click.option("--by", "by", default=None, metavar="NAME", help="Who decided (default: the login name).")
@click.option("--remove", is_flag=True, help="Remove the pairing of --rule LEFT_KEY RIGHT_KEY.")
@click.option("--list", "list_", is_flag=True, help="List the pairings.")
@config_option
@state_option
@json_option
@csv_option
@debug_option
@handles_errors
def match(keys: tuple[str, ...], rule_id: str | None, note: str | None, by: str | None, remove: bool, list_: bool,
          config: str | None, state: str | None, as_json: bool, as_csv: bool, debug: bool) -> None:
    """Pair two keys a match rule could not pair: later runs compare them as one record.

    \b
      recon match --rule payment-applied INV-1001 INV-1010 --note "customer paid the wrong invoice number"
      recon match --rule shipment-posted "SO-1|10" "SO-1|20"    # keys of several fields: joined by |
      recon match --list
      recon match --remove --rule payment-applied INV-1001 INV-1010

    Keys are the rule's key values after its normalisers (as exceptions.csv shows them).
    """
    one_format(as_json, as_csv)
    if as_csv and not list_:
        raise click.UsageError("--csv goes with --list")
    if list_ and (keys or rule_id or remove):
        raise click.UsageError("--list takes no keys, --rule or --remove")
    if not list_ and (len(keys) != 2 or not rule_id):
        raise click.UsageError("give --rule RULE LEFT_KEY RIGHT_KEY (or --list)")
    project = load_project(config)
    path = Path(state) if state else state_path(project)
    if list_:
        with open_state(path, read_only=True) as store:
            rows = pairings.listing(store)
        if as_json:
            print_json({"state": str(path), "manual_matches": rows})
        elif as_csv:
            print_csv(rows)
        else:
            render_list(rows, str(path))
        return
    assert rule_id is not None
    left, right = (k.strip() for k in keys)
    who, when = audit.who(by), audit.now()
    if not remove:
        check_pairing(project, rule_id, left, right)
    with open_state(path, read_only=False) as store:
        if remove:
            pairings.remove(store, rule_id, left, right, by=who, when=when, note=note)
        else:
            pairings.add(store, rule_id, left, right, note=(note or "").strip() or None, by=who, when=when)
    verb = "removed the pairing" if remove else "paired"
    if as_json:
        print_json({"state": str(path), "rule_id": rule_id, "left_key": left, "right_key": right,
                    "removed" if remove else "matched": True, "by": who})
        return
    stdout_console().print(f"{verb} {markup(left)} ↔ {markup(right)} for rule {markup(rule_id)}"
                           + ("" if remove else "; the next run compares them as one record"))


def render_list(rows: list[dict[str, Any]], path: str) -> None:
    console = stdout_console()
    if not rows:
        console.print(f"no manual matches in {markup(path)}")
        return
    table = Table(title=f"manual matches ({markup(path)})", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    for name in ("rule", "left key", "right key", "by", "at", "note"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(markup(r["rule_id"]), markup(r["left_key"]), markup(r["right_key"]),
                      markup(r["created_by"] or ""), markup(str(r["created_at"])[:16]), markup(r["note"] or ""))
    console.print(table)
