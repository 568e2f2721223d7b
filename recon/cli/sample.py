"""`recon sample`: write a synthetic distributor's extracts, recon.yaml and the answer key."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from recon.asof import parse_as_of
from recon.cli.options import debug_option, handles_errors, json_option, print_json, stderr_console, stdout_console
from recon.display import markup, plain
from recon.errors import ConfigError, Problem
from recon.sample import SampleResult, generate
from recon.sample.generate import PROFILES

DEFAULT_AS_OF = "2026-11-20T06:00:00+00:00"
# The foreign profile's default: the Monday morning after Thanksgiving, so its business-day clock
# spans a weekend and two company holidays.
DEFAULT_AS_OF_BY_PROFILE = {"classic": DEFAULT_AS_OF, "foreign": "2026-11-30T12:00:00+00:00"}


@click.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--orders", type=click.IntRange(min=1), default=300, show_default=True,
              help="Number of orders over the two weeks before --as-of.")
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, orders and as-of: same bytes.")
@click.option("--as-of", "as_of", default=None, metavar="TIMESTAMP",
              help=f"The extract time (ISO 8601; without an offset: UTC). Default: {DEFAULT_AS_OF} (foreign: "
                   f"{DEFAULT_AS_OF_BY_PROFILE['foreign']}).")
@click.option("--profile", type=click.Choice(PROFILES), default="classic", show_default=True,
              help="Whose extracts: classic (docs/sample.md) or foreign (an Oracle-style ERP, a 3PL with daily "
                   "files, a carrier event feed: other shapes and conventions, the same kinds of discrepancy).")
@click.option("--force", is_flag=True, help="Overwrite a recon.yaml in --out that recon sample did not write.")
@click.option("--edifact-share", "edifact_share", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Share of the EDI partners that trade in UN/EDIFACT (ORDERS, DESADV, INVOIC, CONTRL) instead "
                   "of X12.")
@json_option
@debug_option
@handles_errors
def sample(out: str, orders: int, seed: int, as_of: str | None, profile: str, force: bool, edifact_share: float,
           as_json: bool, debug: bool) -> None:
    """Generate ERP, WMS, TMS and X12 (or EDIFACT) extracts with injected discrepancies, recon.yaml and truth.csv.

    Then: recon run --config OUT/recon.yaml --out RUN_OUT and
    recon score --truth OUT/truth.csv --exceptions RUN_OUT/exceptions.csv.
    """
    if as_of is None:
        as_of = DEFAULT_AS_OF_BY_PROFILE[profile]
    if profile != "classic" and edifact_share:
        raise click.UsageError("--edifact-share is an option of the classic profile")
    try:
        moment = parse_as_of(as_of, "UTC")
    except ValueError:
        raise ConfigError([Problem.of("U001", value=as_of)], title="bad option") from None
    console = stderr_console()
    if console.is_terminal and not as_json:
        with Progress(TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("orders", total=orders)
            result = generate(Path(out), orders=orders, seed=seed, as_of=moment, force=force,
                              edifact_share=edifact_share, profile=profile,
                              progress=lambda done, total: bar.update(task, completed=done))
    else:
        result = generate(Path(out), orders=orders, seed=seed, as_of=moment, force=force, edifact_share=edifact_share,
                          profile=profile)
    if as_json:
        print_json(summary(result))
    else:
        render(result)


def summary(result: SampleResult) -> dict[str, object]:
    return {
        "out": str(result.out), "orders": result.orders, "seed": result.seed, "as_of": result.as_of.isoformat(),
        "files": result.rows, "truth": result.truth, "shortfall": result.shortfall,
        "seconds": round(result.seconds, 3),
    }


def render(result: SampleResult) -> None:
    console = stdout_console()
    files = Table(title=f"sample: {result.orders} orders, seed {result.seed}, as of {result.as_of.isoformat()}",
                  title_justify="left")
    files.add_column("file")
    files.add_column("rows", justify="right")
    for name, n in result.rows.items():
        files.add_row(markup(name) + (" (interchanges)" if name.endswith((".x12", ".edifact")) else ""), str(n))
    console.print(files)
    truth = Table(title="injected (truth.csv)", title_justify="left")
    truth.add_column("exception type")
    truth.add_column("rows", justify="right")
    for name, n in result.truth.items():
        truth.add_row(markup(name), str(n))
    truth.add_row("total", str(sum(result.truth.values())), end_section=True)
    console.print(truth)
    if result.shortfall:
        short = ", ".join(f"{k} ({v})" for k, v in sorted(result.shortfall.items()))
        console.print(f"[yellow]warning:[/] too few candidates to place: {markup(short)}", markup=True)
    config = f"{result.out}/recon.yaml"
    console.print(plain(f"wrote {result.out} in {result.seconds:.1f}s; next: recon run --config {config}"),
                  markup=False)
