"""A run keeps its working database beside the state; `recon query` and `recon trace` read it."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

import pytest

from recon import api
from recon.store.kept import kept_runs, prune, runs_folder

from .conftest import SHIPMENTS, Project

AS_OF = "2026-11-20T06:00:00+00:00"


def ran(project: Project) -> str:
    project.untracked("SH2")
    _, summary = project.run(AS_OF)
    return summary["run_id"]


def test_a_run_keeps_its_tables_and_query_reads_them(project: Project) -> None:
    run_id = ran(project)
    assert kept_runs(project.state) == [run_id]
    files = sorted(p.name for p in (runs_folder(project.state) / run_id).iterdir())
    assert {"wms.shipment_lines.parquet", "main.exceptions.parquet", "main.rejects.parquet",
            "main.loads.parquet"} <= set(files)
    result = project.cli("query", "SELECT shipment_id, tracking_no FROM wms.shipment_lines ORDER BY 1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["run_id"] == run_id and data["columns"] == ["shipment_id", "tracking_no"]
    assert [r["shipment_id"] for r in data["rows"]] == ["SH1", "SH2", "SH3", "SH4"]
    assert data["rows"][1]["tracking_no"] is None
    exceptions = project.cli("query", "SELECT rule_id, shipment_id FROM main.exceptions", "--csv")
    assert list(csv.DictReader(io.StringIO(exceptions.stdout))) == [
        {"rule_id": "shipped-with-tracking", "shipment_id": "SH2"}]
    table = project.cli("query", "SELECT count(*) AS n FROM main.rejects")
    assert table.exit_code == 0 and run_id in table.stdout


def test_query_refuses_anything_but_one_select(project: Project) -> None:
    ran(project)
    for sql in ("DELETE FROM wms.shipment_lines", "COPY wms.shipment_lines TO 'x.csv'",
                "SELECT 1; SELECT 2", "ATTACH 'other.duckdb' AS o", "SET threads = 1"):
        result = project.cli("query", sql)
        assert result.exit_code == 2, sql
        assert "S008" in result.output, (sql, result.output)
    outside = project.cli("query", f"SELECT * FROM read_csv({str(project.config)!r})")
    assert outside.exit_code == 2 and "S009" in outside.output
    broken = project.cli("query", "SELEC 1")
    assert broken.exit_code == 2 and "S009" in broken.output


def test_query_names_what_is_missing(project: Project) -> None:
    nothing = project.cli("query", "SELECT 1")
    assert nothing.exit_code == 2 and "S006" in nothing.output
    run_id = ran(project)
    unknown = project.cli("query", "SELECT 1", "--run", "20200101T000000Z-000000")
    assert unknown.exit_code == 2 and "S007" in unknown.output and run_id in unknown.output
    chosen = project.cli("query", "SELECT 1 AS one", "--run", run_id, "--json")
    assert json.loads(chosen.stdout)["run_id"] == run_id


def test_trace_tells_the_story_from_the_kept_run_until_asked_to_reload(project: Project) -> None:
    run_id = ran(project)
    (project.root / "wms" / "shipments.csv").write_text("shipment,order,line,qty,shipped,tracking\n")
    kept = json.loads(project.cli("trace", "SH3", "--json").stdout)
    assert kept["found"] and kept["loaded_from"] == f"run {run_id}"
    fresh = project.cli("trace", "SH3", "--json", "--reload")
    assert fresh.exit_code == 1 and json.loads(fresh.stdout)["loaded_from"] == "extracts"


def test_keep_tables_days_zero_keeps_none(project: Project) -> None:
    ran(project)
    project.config.write_text(project.config.read_text() + "outputs: {keep_tables_days: 0}\n")
    project.run("2026-11-21T06:00:00+00:00")
    assert kept_runs(project.state) == []
    assert json.loads(project.cli("trace", "SH1", "--json").stdout)["loaded_from"] == "extracts"


def test_prune_removes_old_copies_but_never_the_one_just_kept(tmp_path: Path) -> None:
    folder = runs_folder(tmp_path / "recon-state.duckdb")
    folder.mkdir()
    old, older, latest = (folder / n for n in ("20261101T000000Z-a", "20261001T000000Z-b", "20261120T000000Z-c"))
    now = time.time()
    for path, age_days in ((old, 8), (older, 40), (latest, 50)):
        path.mkdir()
        (path / "erp.orders.parquet").write_bytes(b"x")
        os.utime(path, (now - age_days * 86400, now - age_days * 86400))
    assert sorted(prune(folder, keep_days=7, spare=latest, now=now)) == [older, old]
    assert [p.name for p in folder.iterdir()] == [latest.name]


def test_explain_runnable_binds_parameters_and_runs_on_the_kept_run(project: Project) -> None:
    ran(project)
    pack = project.root / "rules" / "transport.yaml"
    sql = project.cli("explain", "shipped-with-tracking", "--runnable", "--as-of", AS_OF, "--run-id", "r1")
    assert sql.exit_code == 0, sql.output
    assert "$as_of" not in sql.stdout and "$run_id" not in sql.stdout and pack.is_file()
    rows = json.loads(project.cli("query", sql.stdout, "--json").stdout)["rows"]
    assert [(r["run_id"], r["shipment_id"], r["exception_type"]) for r in rows] == [
        ("r1", "SH2", "shipped-without-tracking")]


def test_run_state_option_keeps_runtime_files_where_it_says(project: Project, tmp_path: Path) -> None:
    project.untracked()
    elsewhere = tmp_path / "runtime" / "state.duckdb"
    result = project.cli("run", "--as-of", AS_OF, "--out", str(project.root / "out" / "x"), "--state",
                         str(elsewhere), "--json")
    assert result.exit_code == 0, result.output
    assert elsewhere.is_file() and kept_runs(elsewhere)
    assert not project.state.exists() and not runs_folder(project.state).exists()


def test_the_events_are_written_into_the_kept_folder_once(project: Project) -> None:
    """main.events is sorted straight into its kept file; the run's database reads it there afterwards."""
    project.untracked("SH2")
    result = api.run(project.config, as_of=AS_OF, out=project.root / "out")
    folder = runs_folder(project.state)
    assert [p.name for p in folder.iterdir()] == [result.plan.run_id]  # no partial folder left
    kept_file = folder / result.plan.run_id / "main.events.parquet"
    events = result.db.rows(f"SELECT * FROM read_parquet('{kept_file}')")
    assert len(events) == 4 and events == result.db.rows("SELECT * FROM main.events")
    assert str(kept_file) in result.db.scalar("SELECT sql FROM duckdb_views() WHERE view_name = 'events'")
    data = json.loads(project.cli("query", "SELECT shipment_id FROM main.events ORDER BY 1", "--json").stdout)
    assert [r["shipment_id"] for r in data["rows"]] == list(SHIPMENTS)


def test_a_run_that_fails_after_the_events_leaves_no_partial_folder(project: Project, monkeypatch) -> None:
    project.untracked()

    def broken(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(api, "outputs_step", broken)
    with pytest.raises(OSError):
        api.run(project.config, as_of=AS_OF, out=project.root / "out")
    assert list(runs_folder(project.state).iterdir()) == []


def test_keep_tables_days_zero_builds_the_events_as_a_table(project: Project) -> None:
    project.untracked()
    project.config.write_text(project.config.read_text() + "outputs: {keep_tables_days: 0}\n")
    result = api.run(project.config, as_of=AS_OF, out=project.root / "out")
    assert not runs_folder(project.state).exists() or list(runs_folder(project.state).iterdir()) == []
    assert result.db.scalar("SELECT table_type FROM information_schema.tables WHERE table_name = 'events'") == \
        "BASE TABLE"
    assert result.db.scalar("SELECT count(*) FROM main.events") == 4
