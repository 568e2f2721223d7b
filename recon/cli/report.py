"""`recon report --run RUN_ID`: render a stored run's outputs again, without reloading extracts.

Useful after changing budgets or SLOs (the run is judged again against the current config), to
re-send the e-mail, or to regenerate report.html after an upgrade of recon.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from recon.cli.options import (
    config_option,
    csv_raw_option,
    debug_option,
    handles_errors,
    json_option,
    print_json,
    stdout_console,
)
from recon.config import config_path, load_project
from recon.config.schema import SEVERITIES, Config
from recon.errors import EXIT_BAR_BROKEN, EXIT_OK, ConfigError, Problem
from recon.report import rerender
from recon.report.terminal import render_summary


@click.command()
@config_option
@click.option("--run", "run_id", default=None, metavar="RUN_ID",
              help="The run to re-render: its outputs are read from <out>/<RUN_ID>/ of the config.")
@click.option("--dir", "run_dir", type=click.Path(file_okay=False), default=None,
              help="Or the run's output folder itself (for runs written with --out DIR).")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Write the re-rendered outputs here instead of over the run's own.")
@click.option("--fail-on", "fail_on", type=click.Choice(SEVERITIES), default=None,
              help="Judge the run against this severity limit too (exit 1 when exceeded).")
@click.option("--email-to", "email_to", multiple=True, metavar="ADDRESS", help="E-mail the re-rendered report.")
@csv_raw_option
@json_option
@debug_option
@handles_errors
def report(config: str | None, run_id: str | None, run_dir: str | None, out: str | None, fail_on: str | None,
           email_to: tuple[str, ...], csv_raw: bool, as_json: bool, debug: bool) -> None:
    """Re-render report.html, summary.json and the queue files of a stored run."""
    if bool(run_id) == bool(run_dir):
        raise click.UsageError("give one of --run RUN_ID or --dir FOLDER")
    if run_id:
        project = load_project(config)
        folder = project.resolve(project.config.out) / run_id
        if not folder.is_dir():
            raise ConfigError([Problem.of("O003", run=run_id, folder=folder.parent)],
                              title="unknown run")
        settings = project.config
    else:
        folder = Path(run_dir)  # type: ignore[arg-type]
        settings = _optional_config(config)
    result = rerender(folder, settings, fail_on=fail_on, out_dir=Path(out) if out else None,
                      neutralise=False if csv_raw else None)
    if email_to or settings.email.to or settings.email.routes:
        result.email(list(email_to) or None)
    if as_json:
        print_json(result.summary)
    else:
        render_summary(result.summary, str(result.out_dir), stdout_console())
    sys.exit(EXIT_OK if result.passed else EXIT_BAR_BROKEN)


def _optional_config(given: str | None) -> Config:
    """With --dir the config is optional: the given one, else ./recon.yaml if there, else defaults."""
    if given or config_path(None).is_file():
        return load_project(given).config
    return Config()
