"""The output folder: replaced as a whole, never written over files recon did not write, never a mix.

The kill -9 test at each output-writing step is in tests/store/test_safety.py (it needs a real
`recon run` process); these check the folder rules with CliRunner and the staging directly.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main
from recon.report import outputs

from .fixtures import PROJECT, PROJECT_FILES


@pytest.fixture
def project(make_project) -> Path:
    return make_project(PROJECT, PROJECT_FILES)


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_a_run_refuses_an_out_folder_holding_other_files(project, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    result = invoke("run", "--config", str(project), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "[O004]" in result.output and "notes.txt" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_a_run_replaces_a_previous_runs_folder_as_a_whole(project, tmp_path):
    out = tmp_path / "o"
    first = json.loads(invoke("run", "--config", str(project), "--out", str(out), "--json").stdout)
    stale = out / "exceptions" / "old-team.csv"
    stale.write_text("left over\n")
    second = json.loads(invoke("run", "--config", str(project), "--out", str(out), "--json").stdout)
    assert first["run_id"] != second["run_id"]
    assert not stale.exists()
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == sorted(second["outputs"])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".o.")) == []


def test_report_refuses_a_folder_whose_files_come_from_two_runs(project, tmp_path):
    invoke("run", "--config", str(project), "--out", str(tmp_path / "a"))
    invoke("run", "--config", str(project), "--out", str(tmp_path / "b"))
    shutil.copy(tmp_path / "b" / "exceptions.parquet", tmp_path / "a" / "exceptions.parquet")
    result = invoke("report", "--dir", str(tmp_path / "a"), "--config", str(project))
    assert result.exit_code == 2, result.output
    assert "[O006]" in result.output and "exceptions.parquet" in result.output
    b_id = json.loads((tmp_path / "b" / "summary.json").read_text())["run_id"]
    assert b_id in result.output


def test_report_refuses_a_folder_with_another_runs_queue_file(project, tmp_path):
    invoke("run", "--config", str(project), "--out", str(tmp_path / "a"))
    invoke("run", "--config", str(project), "--out", str(tmp_path / "b"))
    queue = sorted((tmp_path / "b" / "exceptions").glob("*.csv"))[0]
    shutil.copy(queue, tmp_path / "a" / "exceptions" / queue.name)
    before = (tmp_path / "a" / "report.html").read_bytes()
    result = invoke("report", "--dir", str(tmp_path / "a"), "--config", str(project))
    assert result.exit_code == 2 and f"exceptions/{queue.name}" in result.output, result.output
    assert (tmp_path / "a" / "report.html").read_bytes() == before  # nothing re-rendered


def test_a_previous_folder_moved_aside_by_a_killed_publish_comes_back(tmp_path):
    """The fallback publish (two renames, no atomic exchange) has a window where --out is moved
    aside; the next run into the same folder puts it back before anything else."""
    final = tmp_path / "o"
    dead = 2**22 + 12345  # above the default pid_max: no such process
    aside = tmp_path / f".o.recon-{dead}-old"
    aside.mkdir()
    (aside / "summary.json").write_text("{}")
    leftover = tmp_path / f".o.recon-{dead}-new"
    leftover.mkdir()
    outputs.recover(final)
    assert (final / "summary.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_staging_of_a_live_process_is_left_alone(tmp_path):
    live = tmp_path / f".o.recon-{os.getppid()}-new"
    live.mkdir()
    outputs.recover(tmp_path / "o")
    assert live.is_dir()


def test_a_failed_write_leaves_the_previous_folder_and_no_staging(tmp_path):
    final = tmp_path / "o"
    final.mkdir()
    (final / "summary.json").write_text("previous")
    with pytest.raises(RuntimeError), outputs.Staging(final) as stage:
        (stage.path / "summary.json").write_text("new")
        raise RuntimeError("disk full")
    assert (final / "summary.json").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]
