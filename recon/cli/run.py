"""`recon run`: load, match and report, with a progress bar for people and exit codes for cron."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from recon import api
from recon.cli.options import (
    as_of_option,
    config_option,
    debug_option,
    handles_errors,
    json_option,
    print_json,
    stderr_console,
    stdout_console,
)
from recon.errors import EXIT_OK


@click.command()
@config_option
@as_of_option
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Write outputs exactly into this folder (default: <out>/<run_id>/ beside the config).")
@click.option("--strict", is_flag=True, help="Stop with exit 3 when any input file cannot be read.")
@click.option("--quiet", "-q", is_flag=True, help="One line of output; for cron.")
@json_option
@debug_option
@handles_errors
def run(config: str | None, as_of: str | None, out: str | None, strict: bool, quiet: bool, as_json: bool,
        debug: bool) -> None:
    """Load every source, run the rules and write the reports."""
    show_progress = not (quiet or as_json) and stderr_console().is_terminal
    if show_progress:
        with _progress() as bar:
            task = bar.add_task("loading", total=None)

            def on_file(source: str, file: str, done: int, total: int) -> None:
                bar.update(task, description=f"loading {source}: {file}")
                bar.advance(task)

            ctx = api.run(config, as_of=as_of, out=out, strict=strict, progress=on_file)
    else:
        ctx = api.run(config, as_of=as_of, out=out, strict=strict)
    if as_json:
        print_json(ctx.summary)
    elif quiet:
        totals = ctx.summary["totals"]
        click.echo(f"recon {ctx.run_id}: {totals['rows_loaded']} rows loaded, {totals['rows_rejected']} rejected, "
                   f"{totals['sources_failed']} sources failed; outputs in {ctx.out_dir}")
    else:
        render_summary(ctx.summary, str(ctx.out_dir))
    sys.exit(ctx.exit_code or EXIT_OK)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=stderr_console(), transient=True)


def render_summary(summary: dict[str, Any], out_dir: str) -> None:
    console = stdout_console()
    table = Table(title=f"recon run {summary['run_id']} (as of {summary['as_of']})", title_justify="left")
    for name, justify in [("source", "left"), ("system.entity", "left"), ("files", "right"), ("read", "right"),
                          ("loaded", "right"), ("rejected", "right"), ("status", "left")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for s in summary["sources"]:
        status = "[green]ok[/]" if s["status"] == "ok" else "[bold red]failed[/]"
        rejected = f"[yellow]{s['rows_rejected']}[/]" if s["rows_rejected"] else "0"
        table.add_row(s["source"], f"{s['system']}.{s['entity']}", str(s["files"]), str(s["rows_read"]),
                      str(s["rows_loaded"]), rejected, status)
    console.print(table)
    for s in summary["sources"]:
        for problem in s["problems"]:
            console.print(f"[bold red]{s['source']}[/]: {problem}", markup=True)
    console.print(f"outputs: {out_dir}")
