"""Options shared by several commands, as decorator factories, and the error boundary.

Library errors become exit codes and messages here, at the edge; tracebacks only with --debug.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import duckdb
from rich.console import Console

from recon.errors import EXIT_USAGE, ReconError

F = TypeVar("F", bound=Callable[..., Any])


def config_option(f: F) -> F:
    return click.option(
        "--config", "-c", "config", type=click.Path(dir_okay=False), default=None,
        help="Project config (default: $RECON_CONFIG, else ./recon.yaml).",
    )(f)


def as_of_option(f: F) -> F:
    return click.option(
        "--as-of", "as_of", default=None, metavar="TIMESTAMP",
        help="Measure ages and overdue windows from this time (ISO 8601; default: config as_of, else now).",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")(f)


def csv_raw_option(f: F) -> F:
    return click.option(
        "--csv-raw", "csv_raw", is_flag=True,
        help="Write CSV values as they are, without the leading ' that keeps spreadsheets from running cells "
             "starting with = + - @ as formulas (for programs reading the files; config: outputs.neutralise_csv).",
    )(f)


def debug_option(f: F) -> F:
    return click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")(f)


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def handles_errors(f: F) -> F:
    """Turn ReconError into its exit code and a readable message; anything else into exit 2."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        as_json = kwargs.get("as_json", False)
        try:
            return f(*args, **kwargs)
        except ReconError as exc:
            if debug:
                raise
            if as_json:
                print_json({"error": exc.title, "exit_code": exc.exit_code,
                            "problems": [p.to_dict() for p in exc.problems]})
            else:
                console = stderr_console()
                console.print(f"[bold red]error:[/] {exc.title}", markup=True)
                for problem in exc.problems:
                    console.print("  " + problem.render(), markup=False)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt, SystemExit):
            raise
        except duckdb.OutOfMemoryException as exc:
            # Not a bug: the data needs more than the configured bound (engine.memory_limit).
            if debug:
                raise
            message = str(exc).strip().splitlines()[0]
            stderr_console().print(
                f"[bold red]error:[/] DuckDB ran out of its memory limit: {message}\n"
                "  raise engine.memory_limit in recon.yaml (default 1.5GiB; e.g. 4GB or 50%), or set "
                "engine.threads: 1 to need less at once",
                markup=True, highlight=False,
            )
            sys.exit(EXIT_USAGE)
        except Exception as exc:
            if debug:
                raise
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            stderr_console().print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {message}\n"
                "  this is a bug in recon; rerun with --debug for the traceback and report it",
                markup=True, highlight=False,
            )
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]
