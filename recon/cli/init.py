"""`recon init [PATH...]`: write a commented recon.yaml from the extract files under PATH.

Non-interactive (cron- and CI-friendly): it decides what it can, writes a TODO for the rest,
validates what it wrote and prints which bundled rules will run.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console

from recon import api
from recon.cli.options import debug_option, handles_errors, json_option, print_json, stderr_console, stdout_console
from recon.display import markup
from recon.errors import EXIT_USAGE
from recon.scaffold import Scaffold, scaffold


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--config", "-c", "config", type=click.Path(dir_okay=False, path_type=Path), default=Path("recon.yaml"),
              show_default=True, help="Where to write the config (relative source paths are relative to it).")
@click.option("--dry-run", is_flag=True, help="Print the config on stdout and write nothing.")
@click.option("--force", is_flag=True, help="Replace an existing config.")
@json_option
@debug_option
@handles_errors
def init(paths: tuple[Path, ...], config: Path, dry_run: bool, force: bool, as_json: bool, debug: bool) -> None:
    """Write a commented recon.yaml from your own extract files.

    PATH is a file or a folder (default: the current folder). Every file is sniffed (delimiter,
    header, JSON shape, X12 by its content), classified as a canonical entity of a system, and its
    columns mapped to canonical fields; key normalisers and lookup stubs come from comparing the
    systems' values. What could not be decided is a TODO in the file. Then the bundled rules that
    will run, and what each skipped one needs, are listed. Exit 2 when the config exists (--force
    replaces it) or what was written does not validate.
    """
    if config.exists() and not (force or dry_run):
        raise click.UsageError(f"{config} exists; --force replaces it, --dry-run prints the new one")
    result = scaffold(list(paths) or [Path(".")], config)
    problems = []
    if dry_run:
        click.echo(result.text, nl=False)
    else:
        write_atomically(config, result.text)
        problems = api.validate(config).problems
    if as_json:
        print_json({**summary(result), "config": str(config), "written": not dry_run,
                    "problems": [p.to_dict() for p in problems]})
    else:
        console = stderr_console() if dry_run else stdout_console()
        render(result, config, dry_run, console)
        for problem in problems:
            stderr_console().print("  " + markup(problem.render()))
    sys.exit(EXIT_USAGE if problems else 0)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def summary(result: Scaffold) -> dict[str, object]:
    plan = result.plan
    return {
        "files": result.files,
        "sources": [{"name": s.name, "system": s.system, "entity": s.entity, "path": s.path,
                     "columns": {f: c.column or c.expr for f, c in s.columns.items()}} for s in plan.sources],
        "unclassified": [{"path": u.shown, "reason": u.reason} for u in plan.unclassified],
        "todos": plan.todos,
        "rules": [{"rule": c.rule_id, "workflow": c.workflow, "runs": c.runs, "needs_tables": list(c.missing_tables),
                   "unmapped_fields": list(c.empty_fields)} for c in result.coverage],
    }


def render(result: Scaffold, config: Path, dry_run: bool, console: Console) -> None:
    plan = result.plan
    verb = "would write" if dry_run else "wrote"
    console.print(f"[bold]{verb} {markup(config)}[/]: {len(plan.sources)} sources from {result.files} files")
    for s in plan.sources:
        what = f"{s.system}.{s.entity}" if s.entity else f"{s.system} ({s.format}, every entity it carries)"
        console.print(f"  {markup(s.name)}: {markup(what)} <- {markup(s.path)}")
    if plan.unclassified:
        console.print(f"[yellow]not classified ({len(plan.unclassified)}), left out:[/]")
        for u in plan.unclassified:
            console.print(f"  {markup(u.shown)}: {markup(u.reason)}")
    if plan.todos:
        console.print(f"[yellow]TODO ({len(plan.todos)})[/], marked in the file:")
        for todo in plan.todos:
            console.print(f"  - {markup(todo)}")
    runs = [c for c in result.coverage if c.runs]
    console.print(f"[bold]rule coverage[/]: {len(runs)} of {len(result.coverage)} bundled rules will run")
    for c in result.coverage:
        if not c.runs:
            console.print(f"  [dim]skipped[/] {markup(c.rule_id)}: needs {markup(', '.join(c.missing_tables))}")
    for c in runs:
        if c.empty_fields:
            console.print(f"  [dim]runs, reads unmapped[/] {markup(c.rule_id)}: {markup(', '.join(c.empty_fields))}")
