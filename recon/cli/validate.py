"""`recon validate`: check the config, its sources' files and headers, and what each rule can read.

No data is loaded. Besides errors (exit 2) it prints the rules' coverage: for every rule, whether
the sources provide each table and field it reads. A rule that cannot be evaluated, and a mapping
that looks typed but is not, are warnings (exit 0) unless `--strict` makes them errors.
"""

from __future__ import annotations

import sys

import click
from rich.table import Table

from recon import api
from recon.cli.options import config_option, debug_option, handles_errors, json_option, print_json, stdout_console
from recon.coverage import DISABLED, NOT_APPLICABLE, NOT_EVALUATED, SKIPPED, RuleCoverage
from recon.display import markup
from recon.errors import EXIT_OK, ConfigError


def coverage_table(items: list[RuleCoverage]) -> Table:
    table = Table(title="rule coverage", title_justify="left")
    table.add_column("rule")
    table.add_column("status")
    styles = {NOT_EVALUATED: "[bold red]not evaluated[/]", NOT_APPLICABLE: "[dim]not applicable[/]",
              SKIPPED: "[dim]skipped[/]", DISABLED: "[yellow]disabled[/]"}
    for item in items:
        status = styles.get(item.status, "[green]ok[/]")
        table.add_row(markup(item.rule_id), status + (f": {markup(item.reason)}" if item.reason else ""))
    return table


@click.command()
@config_option
@click.option("--no-files", is_flag=True, help="Check the config only; do not look at the data files.")
@click.option("--strict", is_flag=True, help="Treat warnings (rules that cannot be evaluated, lints) as errors.")
@json_option
@debug_option
@handles_errors
def validate(config: str | None, no_files: bool, strict: bool, as_json: bool, debug: bool) -> None:
    """Check recon.yaml, its files and headers, and print which rules the sources let run."""
    result = api.validate(config, files=not no_files)
    if result.problems or (strict and result.warnings):
        raise ConfigError([*result.problems, *(result.warnings if strict else [])])
    assert result.project is not None
    sources = result.project.config.sources
    if as_json:
        print_json({"ok": True, "config": str(result.project.path), "sources": sorted(sources),
                    "coverage": [c.to_dict() for c in result.coverage],
                    "warnings": [w.to_dict() for w in result.warnings]})
        sys.exit(EXIT_OK)
    console = stdout_console()
    if result.coverage:
        console.print(coverage_table(result.coverage))
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {markup(warning.render())}")
    console.print(f"[green]ok[/]: {markup(str(result.project.path))} ({len(sources)} sources"
                  f"{f', {len(result.warnings)} warnings' if result.warnings else ''})")
    sys.exit(EXIT_OK)
