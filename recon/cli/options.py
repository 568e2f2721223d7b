"""Options shared by several commands, as decorator factories, and the error boundary.

Library errors become exit codes and messages here, at the edge; tracebacks only with --debug.
"""

from __future__ import annotations

import csv
import functools
import json
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console

from recon.display import lines, markup, plain
from recon.environment import EnvironmentProblem, environment_error
from recon.errors import Problem, ReconError

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


def state_option(f: F) -> F:
    return click.option(
        "--state", "state", type=click.Path(dir_okay=False), default=None,
        help="The state file (default: `state:` of the config, recon-state.duckdb beside it).",
    )(f)


def csv_option(f: F) -> F:
    return click.option("--csv", "as_csv", is_flag=True,
                        help="Print the listing as CSV on stdout (one header line, every value in full).")(f)


def csv_raw_option(f: F) -> F:
    return click.option(
        "--csv-raw", "csv_raw", is_flag=True,
        help="Write CSV values as they are, without the leading ' that keeps spreadsheets from running cells "
             "starting with = + - @ as formulas (for programs reading the files; config: outputs.neutralise_csv).",
    )(f)


def debug_option(f: F) -> F:
    return click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")(f)


# Width of the console when stdout is a pipe or a file: wide enough that no table cuts an id or
# a count (`recon history | cat`); a program reading the output wants every value whole.
PIPE_WIDTH = 1000


def stdout_console() -> Console:
    """Rich console on stdout: the terminal's width on a terminal, never truncating in a pipe."""
    console = Console(highlight=False, soft_wrap=True)
    if console.is_terminal:
        return console
    return Console(highlight=False, soft_wrap=True, width=PIPE_WIDTH)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def print_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    """Rows as CSV on stdout, columns in first-seen order; lists and objects become JSON text.

    Values are written as they are (no spreadsheet neutralisation): this is for programs."""
    names = columns or list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def one_format(as_json: bool, as_csv: bool) -> None:
    """--json and --csv ask for two outputs at once: a usage error (exit 2)."""
    if as_json and as_csv:
        raise click.UsageError("--json and --csv exclude each other; give one")


def handles_errors(f: F) -> F:
    """Turn every error into its documented exit code and a readable message.

    ReconError carries its own code; an OSError (a read-only --out, a full disk, a lock file that
    cannot be created) is the environment, exit 2 naming the file; DuckDB out of memory is exit 2
    with what to raise; anything else is a bug, exit 2 with an "internal error" line. `--debug`
    adds the traceback and changes nothing else: the exit code is the same with or without it.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        as_json = kwargs.get("as_json", False)
        try:
            return f(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # the boundary: every error leaves as an exit code
            if debug:  # the traceback quotes data too: shown escaped like everything else
                for line in lines("".join(traceback.format_exception(exc))):
                    stderr_console().print(line, markup=False)
            error = as_recon_error(exc)
            if as_json:
                print_json({"error": error.title, "exit_code": error.exit_code,
                            "problems": [p.to_dict() for p in error.problems]})
            else:
                console = stderr_console()
                label = "internal error" if isinstance(error, InternalError) else "error"
                console.print(f"[bold red]{label}:[/] {markup(error.title)}", markup=True)
                for problem in error.problems:
                    console.print("  " + plain(problem.render()), markup=False)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


class InternalError(ReconError):
    """An error recon did not expect: a bug (exit 2, so cron sees a failure, never "bar broken")."""


def as_recon_error(exc: Exception) -> ReconError:
    """The ReconError that `exc` stands for at the CLI's edge."""
    if isinstance(exc, ReconError):
        return exc
    message = _first_line(exc)
    if _is_out_of_memory(exc):
        # Not a bug: the data needs more than the configured bound (engine.memory_limit).
        return EnvironmentProblem([Problem.of("V010", reason=message)], title="out of memory")
    if isinstance(exc, OSError):
        return environment_error(exc)
    return InternalError([Problem.of("N999", kind=type(exc).__name__, reason=message)], title=type(exc).__name__)


def _is_out_of_memory(exc: Exception) -> bool:
    """DuckDB's out-of-memory error, told without importing DuckDB (a command that never opened a
    database must not pay for loading it at its error boundary)."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(exc, duckdb.OutOfMemoryException)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
