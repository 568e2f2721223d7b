"""`recon run` and `recon report` as cron, CI and an analyst see them (CliRunner, real files)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main

from .fixtures import PROJECT, PROJECT_FILES


@pytest.fixture
def project(make_project) -> Path:
    return make_project(PROJECT, PROJECT_FILES)


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["run", *args])


def test_fail_on_high_breaks_the_bar_with_exit_1_and_says_why(project, tmp_path):
    result = run("--config", str(project), "--out", str(tmp_path / "o"), "--fail-on", "high")
    assert result.exit_code == 1, result.output
    assert "over the limits (exit 1)" in result.stdout
    assert "--fail-on high (severity high or worse): 1 exception (max 0)" in result.stdout
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["verdict"]["passed"] is False and summary["verdict"]["fail_on"] == "high"


def test_below_the_bar_exits_0(project, tmp_path):
    result = run("--config", str(project), "--out", str(tmp_path / "o"), "--fail-on", "critical")
    assert result.exit_code == 0, result.output
    assert "within the limits: 1 check passed" in result.stdout


def test_budgets_in_the_config_break_the_bar_and_are_listed(make_project, tmp_path):
    config = make_project(PROJECT + """
budgets:
  - {exception_type: ship-qty-mismatch, max: 0}
  - {rule: shipped-not-posted, max_value_at_risk: 100}
  - {severity: high, max: 1}
""", PROJECT_FILES)
    result = run("--config", str(config), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1, result.output
    assert "exception type ship-qty-mismatch: 1 exception (max 0)" in result.stdout
    assert "severity high" not in result.stdout.split("over the limits")[1]  # 1 high is within its budget
    checks = json.loads((tmp_path / "o" / "summary.json").read_text())["verdict"]["checks"]
    assert [c["status"] for c in checks] == ["broken", "ok", "ok"]


def test_quiet_prints_one_line_and_keeps_the_exit_code(project, tmp_path):
    result = run("--config", str(project), "--out", str(tmp_path / "o"), "--quiet", "--fail-on", "medium")
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1
    line = result.stdout.strip()
    assert re.match(r"recon \S+: FAIL; 2 exceptions \(1 high, 1 medium\), 50\.00 USD at risk; 1 rows rejected", line)
    assert line.endswith(f"outputs in {tmp_path / 'o'}")


def test_json_log_lines_on_stderr_one_object_per_event(project, tmp_path):
    result = run("--config", str(project), "--out", str(tmp_path / "o"), "--log-format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stderr.splitlines()]
    names = [e["event"] for e in events]
    assert names[0] == "run_start" and names[-1] == "run_end"
    assert names.count("source_loaded") == 4 and names.count("rule_run") == 1 and "outputs_written" in names
    assert len({e["run_id"] for e in events}) == 1
    loaded = {e["source"]: e for e in events if e["event"] == "source_loaded"}
    assert loaded["erp_lines"]["rows_rejected"] == 1 and loaded["erp_lines"]["table"] == "erp.order_lines"
    end = events[-1]
    assert (end["exit_code"], end["exceptions"], end["value_at_risk"]) == (0, 2, 50.0)
    written = next(e for e in events if e["event"] == "outputs_written")["files"]
    assert {"report.html", "summary.json", "exceptions.csv", "exceptions/operations.csv"} <= set(written)
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["ts"]) for e in events)
    # Streamed: each source and rule event comes when it happened, before the outputs are written.
    assert max(names.index("source_loaded"), names.index("rule_run")) < names.index("outputs_written")
    built = next(e for e in events if e["event"] == "events_built")  # the event table and order chains
    assert built["events"] >= 0 and built["chains"] >= 1 and "seconds" in built
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)


def test_text_log_lines(project, tmp_path):
    result = run("--config", str(project), "--out", str(tmp_path / "o"), "--log-format", "text", "-q")
    lines = result.stderr.splitlines()
    assert re.match(r"\S+Z info run_start run_id=\S+ ", lines[0])
    assert any(" source_loaded " in line and "source=erp_lines" in line and "rows_rejected=1" in line
               for line in lines)


def test_outputs_go_to_out_run_id_by_default(project):
    result = run("--config", str(project), "--json")
    summary = json.loads(result.stdout)
    folder = project.parent / "out" / summary["run_id"]
    assert sorted(summary["outputs"]) == sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_same_inputs_and_as_of_give_identical_files_apart_from_run_id_and_timestamp(project, tmp_path,
                                                                                      monkeypatch):
    copies = []
    for name in ("one", "two"):
        copy = tmp_path / name
        shutil.copytree(project.parent, copy)
        monkeypatch.chdir(copy)
        result = run("--config", "recon.yaml", "--out", "o", "--json")
        assert result.exit_code == 0, result.output
        copies.append((copy / "o", json.loads(result.stdout)))

    def masked(folder: Path, summary: dict, name: str) -> str:
        text = (folder / name).read_text(encoding="utf-8").replace(summary["run_id"], "RUN")
        return text.replace(summary["started_at"], "STARTED")

    (a, sa), (b, sb) = copies
    for name in sa["outputs"]:
        if not name.endswith(".parquet"):
            assert masked(a, sa, name) == masked(b, sb, name), name


def test_report_rerenders_a_stored_run_identically(project, tmp_path):
    out = tmp_path / "o"
    run("--config", str(project), "--out", str(out), "--fail-on", "high")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "report.html").unlink()
    result = CliRunner().invoke(main, ["report", "--dir", str(out), "--config", str(project), "--fail-on", "high"])
    assert result.exit_code == 1, result.output
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_report_judges_a_stored_run_against_the_current_config(project, tmp_path):
    run("--config", str(project), "--out", str(tmp_path / "o"))
    result = CliRunner().invoke(main, ["report", "--dir", str(tmp_path / "o"), "--out", str(tmp_path / "again"),
                                       "--config", str(project), "--fail-on", "medium", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["verdict"]["checks"][0]["actual"] == 2
    assert (tmp_path / "again" / "exceptions.csv").read_text() == (tmp_path / "o" / "exceptions.csv").read_text()


def test_report_by_run_id_reads_the_configured_out_folder(project):
    summary = json.loads(run("--config", str(project), "--json").stdout)
    result = CliRunner().invoke(main, ["report", "--config", str(project), "--run", summary["run_id"]])
    assert result.exit_code == 0, result.output
    assert "2 exceptions" in result.stdout


def test_report_of_an_unknown_run_is_a_usage_error(project):
    result = CliRunner().invoke(main, ["report", "--config", str(project), "--run", "nope"])
    assert result.exit_code == 2
    assert "no outputs for run 'nope'" in result.output
    result = CliRunner().invoke(main, ["report", "--config", str(project)])
    assert result.exit_code == 2 and "give one of --run RUN_ID or --dir FOLDER" in result.output
