"""`recon edi inspect PATH...`: envelopes, transaction sets and findings of X12 files.

Exit codes (of this command): 0 every file parsed without findings, 1 there were findings,
2 a file could not be read at all (missing, empty, not EDI).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from recon.cli.options import (
    csv_option,
    debug_option,
    handles_errors,
    json_option,
    one_format,
    print_csv,
    print_json,
    stdout_console,
)
from recon.load.x12 import X12Options
from recon.load.x12.inspect import inspect_files, render_inspect

# The header of --csv when there are no findings (the keys of a finding's to_dict otherwise).
FINDING_COLUMNS = ["code", "severity", "file", "message", "interchange_control", "group_control", "set_control",
                   "transaction_set", "segment_position", "segment_id", "element"]


@click.group()
def edi() -> None:
    """EDI (ANSI X12) tools."""


@edi.command("inspect")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--our-id", "our_ids", multiple=True, metavar="ID",
    help="An ISA/GS sender id that is us (documents from it are outbound); repeatable.",
)
@json_option
@csv_option
@debug_option
@handles_errors
def inspect_command(paths: tuple[Path, ...], our_ids: tuple[str, ...], as_json: bool, as_csv: bool,
                    debug: bool) -> None:
    """Parse X12 files and report interchanges, transaction sets, rows and findings.

    Exit 0 when every file parsed without findings, 1 when there were findings, 2 when a file
    could not be read at all. --csv prints the findings, one line each.
    """
    one_format(as_json, as_csv)
    report = inspect_files(list(paths), X12Options(our_ids=list(our_ids)), {p: str(p) for p in paths})
    if as_json:
        print_json(report)
    elif as_csv:
        print_csv(report["findings"], FINDING_COLUMNS if not report["findings"] else None)
    else:
        render_inspect(report, stdout_console())
    sys.exit(report["exit_code"])
