"""`recon score`: compare a run's exceptions with a sample's truth.csv (precision and recall per type)."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from recon.cli.options import debug_option, handles_errors, json_option, print_json, stdout_console
from recon.display import markup, plain
from recon.errors import EXIT_BAR_BROKEN, EXIT_OK
from recon.score import Score, score_files


@click.command()
@click.option("--truth", "truth", required=True, type=click.Path(dir_okay=False), metavar="TRUTH_CSV",
              help="The answer key written by `recon sample` (DIR/truth.csv).")
@click.option("--exceptions", "exceptions", required=True, type=click.Path(dir_okay=False), metavar="EXCEPTIONS_CSV",
              help="A run's exceptions (RUN_OUT/exceptions.csv).")
@click.option("--details", is_flag=True, help="List up to 10 missed and 10 unexpected exceptions per type.")
@json_option
@debug_option
@handles_errors
def score(truth: str, exceptions: str, details: bool, as_json: bool, debug: bool) -> None:
    """Score exceptions against truth: exit 0 when precision and recall are 1.0 for every type, else 1.

    A found exception matches a truth row when the type is equal and every key column the truth
    row fills is equal. Exit 2 when a file is missing or unreadable.
    """
    result = score_files(truth, exceptions)
    if as_json:
        print_json(result.to_dict())
    else:
        render(result, details)
    sys.exit(EXIT_OK if result.perfect else EXIT_BAR_BROKEN)


def _num(value: float) -> str:
    text = f"{value:.3f}"
    return f"[green]{text}[/]" if value == 1.0 else f"[bold red]{text}[/]"


def render(result: Score, details: bool) -> None:
    console = stdout_console()
    table = Table(title="score against truth", title_justify="left")
    for name, justify in [("exception type", "left"), ("truth", "right"), ("found", "right"), ("tp", "right"),
                          ("fp", "right"), ("fn", "right"), ("precision", "right"), ("recall", "right")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    rows = [*result.types, result.total]
    for i, t in enumerate(rows):
        table.add_row(markup(t.exception_type), str(t.truth), str(t.found), str(t.tp), str(t.fp), str(t.fn),
                      _num(t.precision), _num(t.recall), end_section=i == len(rows) - 2)
    console.print(table)
    if details:
        for t in result.types:
            for label, rows_ in (("missed", t.missed), ("unexpected", t.false_alarms)):
                for r in rows_:
                    keys = ", ".join(f"{k}={v}" for k, v in r.items())
                    console.print(plain(f"{t.exception_type}: {label}: {keys}"), markup=False)
    verdict = "[green]perfect[/]" if result.perfect else "[bold red]not perfect[/]"
    console.print(f"{verdict}: precision {result.total.precision:.3f}, recall {result.total.recall:.3f} "
                  f"over {len(result.types)} exception types")
