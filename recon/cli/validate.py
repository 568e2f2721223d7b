"""`recon validate`: check the config, its sources' files and headers; no data is loaded."""

from __future__ import annotations

import sys

import click

from recon import api
from recon.cli.options import config_option, debug_option, handles_errors, json_option, print_json, stdout_console
from recon.display import markup
from recon.errors import EXIT_USAGE, ConfigError


@click.command()
@config_option
@click.option("--no-files", is_flag=True, help="Check the config only; do not look at the data files.")
@json_option
@debug_option
@handles_errors
def validate(config: str | None, no_files: bool, as_json: bool, debug: bool) -> None:
    """Check recon.yaml (and that every source's files exist with the mapped columns)."""
    result = api.validate(config, files=not no_files)
    if result.problems:
        raise ConfigError(result.problems)
    assert result.project is not None
    sources = result.project.config.sources
    if as_json:
        print_json({"ok": True, "config": str(result.project.path), "sources": sorted(sources)})
    else:
        stdout_console().print(f"[green]ok[/]: {markup(result.project.path)} ({len(sources)} sources)")
    sys.exit(0 if result.ok else EXIT_USAGE)
