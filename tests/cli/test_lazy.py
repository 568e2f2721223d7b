"""The instant CLI: `recon --version` and `recon --help` import no command and no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from recon.cli import COMMANDS, main, shorten
from recon.lazyref import resolve

HEAVY = ("pandas", "duckdb", "pyarrow", "numpy", "rapidfuzz", "sqlglot", "pydantic", "jinja2")

PROBE = """
import json, sys
from recon.cli import main
try:
    main(sys.argv[1:], prog_name="recon")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r} or m.startswith("recon.cli."))),
      file=sys.stderr)
"""


def imported_by(*args: str) -> list[str]:
    """The heavy libraries and command modules a fresh interpreter imports for `recon ARGS`."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_import_no_command_and_no_heavy_library(args: tuple[str, ...]) -> None:
    assert imported_by(*args) == []


def test_a_command_imports_only_its_own_module() -> None:
    loaded = imported_by("problems", "--help")
    assert "recon.cli.problems" in loaded
    assert not {"recon.cli.run", "recon.cli.score", "recon.cli.trace"} & set(loaded)
    assert "pandas" not in loaded


@pytest.mark.parametrize("ref", COMMANDS, ids=lambda c: c.name)
def test_registry_names_each_command_with_its_own_help(ref) -> None:
    command = resolve(ref.ref)
    assert isinstance(command, click.Command)
    assert command.name == ref.name
    assert ref.short_help == command.get_short_help_str(limit=1000)


def test_help_lists_every_registered_command_once() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == [c.name for c in COMMANDS]
    for ref in COMMANDS:
        assert ref.short_help in result.output


def test_an_unknown_command_is_a_usage_error_with_a_suggestion() -> None:
    result = CliRunner().invoke(main, ["histroy"])
    assert result.exit_code == 2
    assert "No such command" in result.output and "history" in result.output


def test_shorten_cuts_at_a_word_and_marks_the_cut() -> None:
    assert shorten("short enough", 20) == "short enough"
    assert shorten("The last runs with their counts", 20) == "The last runs..."
    assert len(shorten("word " * 40, 30)) <= 30
