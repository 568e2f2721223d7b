"""`recon problems show/docs`: the catalogue of problem codes at the terminal."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from recon.cli.options import debug_option, handles_errors, json_option, print_json, stdout_console
from recon.errors import EXIT_BAR_BROKEN, EXIT_OK, ConfigError, Problem, did_you_mean
from recon.problems import CATALOGUE, RAISED
from recon.problems import docs as problem_docs


@click.group("problems")
def problems() -> None:
    """The problem codes recon reports: look one up, or write docs/problem-codes.md."""


@problems.command("show")
@click.argument("code")
@json_option
@debug_option
@handles_errors
def show(code: str, as_json: bool, debug: bool) -> None:
    """What a problem code (such as C011 or X12-SE01-COUNT) means and how to fix it."""
    entry = CATALOGUE.get(code.strip().upper())
    if entry is None:
        raise ConfigError([Problem.of("U003", code=code, hint=did_you_mean(code, list(CATALOGUE)))],
                          title="unknown problem code")
    if as_json:
        print_json(asdict(entry))
        return
    console = stdout_console()
    console.print(f"[bold]{entry.code}[/] {entry.title}", highlight=False)
    if entry.template:
        console.print(f"message: {problem_docs.shown_template(entry.template)}", markup=False, highlight=False)
    console.print(entry.means, markup=False, highlight=False)
    if entry.hint:
        console.print(f"hint: {problem_docs.shown_template(entry.hint)}", markup=False, highlight=False)
    label = "exit" if entry.raised in RAISED else "severity"
    console.print(f"{label}: {problem_docs.exit_text(entry)}", markup=False, highlight=False)


@problems.command("docs")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: docs/problem-codes.md of the source checkout).")
@click.option("--check", is_flag=True, help="Exit 1 when the file is not up to date; write nothing.")
@debug_option
@handles_errors
def write_docs(out: str | None, check: bool, debug: bool) -> None:
    """Generate docs/problem-codes.md from the catalogue in recon/problems."""
    path = Path(out) if out else problem_docs.DOCS_FILE
    if check:
        stale = problem_docs.stale(path)
        if stale:
            click.echo(f"{path} is out of date; run `recon problems docs`")
        sys.exit(EXIT_BAR_BROKEN if stale else EXIT_OK)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(problem_docs.render(), encoding="utf-8")
    click.echo(f"wrote {path}")
