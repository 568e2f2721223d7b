"""`recon rules list/show/test/docs` and `recon explain RULE_ID`: the rule registry at the terminal.

Without --config (and no ./recon.yaml) these show the bundled packs with their default
parameters; with a config, the packs and parameter values that config runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markdown import Markdown
from rich.table import Table

from recon.asof import parse_as_of
from recon.cli.options import (
    as_of_option,
    config_option,
    csv_option,
    debug_option,
    handles_errors,
    json_option,
    one_format,
    print_csv,
    print_json,
    stdout_console,
)
from recon.derive import plan_derive
from recon.display import markup, plain
from recon.engines import dialect_names
from recon.errors import EXIT_BAR_BROKEN, EXIT_OK
from recon.rules import docs as rule_docs
from recon.rules import registry
from recon.rules.cases import run_case_file
from recon.sql import bind, literal


@click.group("rules")
def rules() -> None:
    """The rule packs: list them, read a rule's documentation, run the case files, write the docs."""


@rules.command("list")
@config_option
@json_option
@csv_option
@debug_option
@handles_errors
def list_rules(config: str | None, as_json: bool, as_csv: bool, debug: bool) -> None:
    """Every rule with its workflow, kind, the exception types it raises, and whether the config
    enables it and overrides any of it (`overrides:` in recon.yaml)."""
    one_format(as_json, as_csv)
    ruleset, _ = registry.ruleset_for(config)
    rows = [{"id": r.id, "workflow": r.workflow, "kind": r.rule.kind, "title": r.rule.title,
             "exceptions": list(dict.fromkeys(o["exception"] for o in rule_docs.outcomes(r))),
             "pack": str(r.file), "enabled": r.enabled, "disabled_reason": r.disabled,
             "overridden": r.overridden} for r in ruleset.rules]
    if as_json:
        print_json(rows)
        return
    if as_csv:
        print_csv([{**row, "exceptions": " ".join(row["exceptions"]), "overridden": " ".join(row["overridden"])}
                   for row in rows])
        return
    enabled = sum(1 for row in rows if row["enabled"])
    table = Table(title=f"{len(rows)} rules ({enabled} enabled, {len(rows) - enabled} disabled)",
                  title_justify="left")
    for name in ("rule", "workflow", "kind", "exceptions", "status"):  # the ids you type: folded, never cut
        table.add_column(name, overflow="fold")
    table.add_column("title", overflow="fold")
    for row in rows:
        status = "enabled" if row["enabled"] else "[yellow]disabled[/]"
        if row["overridden"]:
            status += "\noverridden: " + ", ".join(markup(p) for p in row["overridden"])
        table.add_row(markup(row["id"]), markup(row["workflow"]), markup(row["kind"]),
                      "\n".join(markup(e) for e in row["exceptions"]), status, markup(row["title"]))
    stdout_console().print(table)


@rules.command("show")
@click.argument("rule_id")
@config_option
@json_option
@debug_option
@handles_errors
def show(rule_id: str, config: str | None, as_json: bool, debug: bool) -> None:
    """A rule's documentation: what it checks, why, how to fix, an example, and its outcomes."""
    ruleset, _ = registry.ruleset_for(config)
    loaded = registry.find(ruleset, rule_id)
    if as_json:
        print_json({"id": loaded.id, "workflow": loaded.workflow, "kind": loaded.rule.kind,
                    "title": loaded.rule.title, "tables": rule_docs.tables(loaded),
                    "parameters": loaded.parameters, "outcomes": rule_docs.outcomes(loaded),
                    "doc": loaded.rule.doc.model_dump() if loaded.rule.doc else None,
                    "pack": f"{loaded.file}:{loaded.line}"})
        return
    console = stdout_console()
    console.print(Markdown(plain(rule_docs.rule_markdown(loaded, level=2).split("\n", 2)[2], multiline=True)))
    console.print(f"\ndefined in {markup(loaded.file)}:{loaded.line}; "
                  f"`recon explain {markup(loaded.id)}` shows its SQL")


@rules.command("test")
@click.argument("rule_ids", nargs=-1)
@config_option
@json_option
@debug_option
@handles_errors
def test(rule_ids: tuple[str, ...], config: str | None, as_json: bool, debug: bool) -> None:
    """Run the case files (cases/<rule-id>.yaml beside each pack); exit 1 when a case fails."""
    ruleset, _ = registry.ruleset_for(config)
    packs = [path for path, _ in ruleset.packs]
    results = []
    for path in registry.case_files(ruleset):
        if rule_ids and path.stem.split("--")[0] not in rule_ids:
            continue
        results += run_case_file(path, packs)
    failed = [r for r in results if not r.ok]
    if as_json:
        print_json({"cases": len(results), "failed": [r.explain() for r in failed]})
    else:
        for r in failed:
            click.echo(plain(r.explain(), multiline=True))
        click.echo(f"{len(results) - len(failed)} of {len(results)} cases pass")
    sys.exit(EXIT_BAR_BROKEN if failed else EXIT_OK)


@rules.command("docs")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for rules.md and exceptions.md (default: the docs/ folder beside rules/).")
@click.option("--check", is_flag=True, help="Exit 1 when the files are not up to date; write nothing.")
@debug_option
@handles_errors
def write_docs(out: str | None, check: bool, debug: bool) -> None:
    """Generate docs/rules.md and docs/exceptions.md from the bundled packs."""
    ruleset = registry.load_project_rules(None)
    folder = Path(out) if out else registry.BUNDLED_DIR.parent / "docs"
    files = {folder / "rules.md": rule_docs.render_rules_md(ruleset),
             folder / "exceptions.md": rule_docs.render_exceptions_md(ruleset)}
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if check:
        for path in stale:
            click.echo(f"{plain(path)} is out of date; run `recon rules docs`")
        sys.exit(EXIT_BAR_BROKEN if stale else EXIT_OK)
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {plain(path)}")


@click.command("explain")
@click.argument("rule_id")
@config_option
@click.option("--dialect", "--engine", "dialect", default="duckdb", show_default=True,
              type=click.Choice(dialect_names()), help="SQL dialect (spark: what the Spark engine runs).")
@click.option("--runnable", is_flag=True,
              help="Bind $as_of and $run_id, so the SQL runs on its own (`recon query` runs it on a kept run).")
@as_of_option
@click.option("--run-id", "run_id", default="explain", show_default=True, help="The $run_id --runnable binds.")
@debug_option
@handles_errors
def explain(rule_id: str, config: str | None, dialect: str, runnable: bool, as_of: str | None, run_id: str,
            debug: bool) -> None:
    """Print the SQL a rule (or a `derive:` step) compiles to ($as_of and $run_id are bound when it runs)."""
    ruleset, cfg = registry.ruleset_for(config)
    step = next((s for s in plan_derive(cfg)[0] if s.id == rule_id), None) if cfg and rule_id in cfg.derive else None
    if step is not None:  # a derive step: the statement the run executes after loading
        click.echo(plain(f"-- derive step {step.id}: {step.mode} {step.target}, reads {', '.join(step.inputs)}\n"
                         f"{step.statement()}", multiline=True))
        return
    compiled = registry.explain(ruleset, rule_id, cfg, dialect)
    sql = compiled.sql
    if runnable:
        zone = cfg.timezone if cfg else "UTC"
        moment = parse_as_of(as_of if as_of is not None else (cfg.as_of if cfg else None), zone)
        sql = bind(sql, {"as_of": f"TIMESTAMPTZ {literal(moment.isoformat())}", "run_id": literal(run_id)})
    click.echo(plain(sql, multiline=True))
