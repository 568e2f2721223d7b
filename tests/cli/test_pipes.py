"""Output fit for pipes: every listing command has --json and --csv, and no table cuts an id
when stdout is not a terminal (CliRunner's stdout is not one)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main
from tests.load.x12.helpers import po_interchange, write
from tests.store.conftest import Project


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def recorded(tmp_path: Path) -> Project:
    """A project with two recorded runs and one ack."""
    project = Project(tmp_path)
    project.untracked("SH2")
    project.run("2026-11-19T06:00:00+00:00")
    project.untracked("SH2", "SH3")
    project.run("2026-11-20T06:00:00+00:00")
    ids = project.ids()
    result = project.cli("ack", ids["SH2"], "--until", "2099-01-01", "--note", "carrier rebills, monthly")
    assert result.exit_code == 0, result.output
    return project


def test_history_csv_and_json_list_the_same_runs_in_full(recorded: Project) -> None:
    as_json = json.loads(recorded.cli("history", "--json").stdout)
    result = recorded.cli("history", "--csv")
    assert result.exit_code == 0, result.output
    runs = rows_of(result.stdout)
    assert [r["run_id"] for r in runs] == [r["run_id"] for r in as_json["runs"]]
    assert [int(r["exceptions"]) for r in runs] == [r["exceptions"] for r in as_json["runs"]] == [2, 1]


def test_history_table_in_a_pipe_shows_whole_run_ids(recorded: Project) -> None:
    as_json = json.loads(recorded.cli("history", "--json").stdout)
    table = recorded.cli("history").stdout
    for run in as_json["runs"]:
        assert run["run_id"] in table
    assert "…" not in table


def test_json_and_csv_together_is_a_usage_error(recorded: Project) -> None:
    result = recorded.cli("history", "--json", "--csv")
    assert result.exit_code == 2
    assert "exclude each other" in result.output


def test_ack_list_csv(recorded: Project) -> None:
    ids = recorded.ids()
    result = recorded.cli("ack", "--list", "--csv")
    assert result.exit_code == 0, result.output
    (row,) = rows_of(result.stdout)
    assert row["exception_id"] == ids["SH2"] and row["note"] == "carrier rebills, monthly"
    assert row["until"] == "2099-01-01"
    table = recorded.cli("ack", "--list").stdout
    assert ids["SH2"] in table and "carrier rebills, monthly" in table


def test_ack_csv_without_list_is_a_usage_error(recorded: Project) -> None:
    result = recorded.cli("ack", "x", "--until", "2099-01-01", "--note", "n", "--csv")
    assert result.exit_code == 2 and "--csv goes with --list" in result.output


def test_trace_csv_lists_the_timeline_with_source_rows(recorded: Project) -> None:
    result = recorded.cli("trace", "SH3", "--csv")
    assert result.exit_code == 0, result.output
    events = rows_of(result.stdout)
    assert events and all(e["system"] == "wms" and e["entity"] == "shipment_lines" for e in events)
    assert json.loads(events[0]["fields"])["shipment_id"] == "SH3"


def test_rules_list_csv_and_table_keep_every_id_whole() -> None:
    runner = CliRunner()
    ids = [r["id"] for r in json.loads(runner.invoke(main, ["rules", "list", "--json"]).stdout)]
    result = runner.invoke(main, ["rules", "list", "--csv"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in rows_of(result.stdout)] == ids
    table = runner.invoke(main, ["rules", "list"]).stdout
    assert all(rule_id in table for rule_id in ids)
    assert "…" not in table


def test_rules_list_on_a_narrow_terminal_folds_ids_instead_of_cutting_them() -> None:
    from rich.console import Console

    import recon.cli.rules as rules_cli

    ids = [r["id"] for r in json.loads(CliRunner().invoke(main, ["rules", "list", "--json"]).stdout)]
    buffer = io.StringIO()
    narrow = Console(file=buffer, width=70, force_terminal=True, color_system=None)
    original = rules_cli.stdout_console
    rules_cli.stdout_console = lambda: narrow  # type: ignore[assignment]
    try:
        CliRunner().invoke(main, ["rules", "list"])
    finally:
        rules_cli.stdout_console = original  # type: ignore[assignment]
    text = buffer.getvalue()
    assert "…" not in text
    joined = "".join(line.split("│")[1].strip() if "│" in line else "\n" for line in text.splitlines())
    for rule_id in ids:
        assert rule_id in joined


def test_edi_inspect_csv_lists_every_finding(tmp_path: Path) -> None:
    bad = write(tmp_path, po_interchange().replace("GE*1*1", "GE*2*1"), "bad.edi")
    runner = CliRunner()
    findings = json.loads(runner.invoke(main, ["edi", "inspect", "--json", str(bad)]).stdout)["findings"]
    result = runner.invoke(main, ["edi", "inspect", "--csv", str(bad)])
    assert result.exit_code == 1, result.output
    rows = rows_of(result.stdout)
    assert [r["code"] for r in rows] == [f["code"] for f in findings] == ["X12-GE01-COUNT"]
    assert rows[0]["file"] == str(bad)
