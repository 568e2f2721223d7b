"""`recon query "SQL"`: read-only SQL over a run's canonical tables, rejects and exceptions."""

from __future__ import annotations

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
from recon.store.query import query as run_query


@click.command()
@click.argument("sql")
@config_option
@state_option
@click.option("--run", "run_id", default=None, metavar="RUN_ID", help="A kept run (default: the latest).")
@json_option
@csv_option
@debug_option
@handles_errors
def query(sql: str, config: str | None, state: str | None, run_id: str | None, as_json: bool, as_csv: bool,
          debug: bool) -> None:
    """Run read-only SQL over a run's canonical tables, rejects and exceptions.

    \b
    Tables: <system>.<entity> (erp.orders, wms.shipment_lines, ...), main.rejects, main.loads,
    main.exceptions, main.events and main.correlation (the business events and order chains) of
    the run, as the run loaded them; nothing is read again. Only SELECT runs.
      recon query "SELECT site, count(*) FROM wms.stock GROUP BY ALL"
      recon query "SELECT * FROM main.rejects" --csv > rejects.csv
    """
    one_format(as_json, as_csv)
    result = run_query(resolve_state(config, state), sql, run_id)
    if as_json:
        print_json({"run_id": result.run_id, "columns": result.columns, "rows": result.records()})
        return
    if as_csv:
        print_csv(result.records(), result.columns)
        return
    table = Table(title=f"run {markup(result.run_id)}: {len(result.rows)} rows", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for name in result.columns:
        table.add_column(markup(name), overflow="fold")
    for row in result.rows:
        table.add_row(*("[dim]NULL[/]" if v is None else markup(str(v)) for v in row))
    stdout_console().print(table)
