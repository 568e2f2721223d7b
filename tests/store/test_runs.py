"""Three successive runs with changing inputs: new, open (with age), resolved, reopened; reruns; history."""

from __future__ import annotations

import json

from recon import api
from recon.store.state import open_state

DAY1, DAY2, DAY3 = "2026-11-20T06:00:00Z", "2026-11-21T06:00:00Z", "2026-11-22T06:00:00Z"


def test_three_runs_give_new_open_resolved_reopened_and_ages(project):
    project.untracked("SH1", "SH2")
    _, s1 = project.run(DAY1)
    ids = project.ids()
    assert {k: s1["lifecycle"][k] for k in ("new", "open", "reopened", "resolved")} == \
        {"new": 2, "open": 0, "reopened": 0, "resolved": 0}

    project.untracked("SH2", "SH3")
    _, s2 = project.run(DAY2)
    lc = s2["lifecycle"]
    assert (lc["new"], lc["open"], lc["reopened"], lc["resolved"]) == (1, 1, 0, 1)
    assert lc["previous_run_id"] == s1["run_id"]
    assert lc["by_type"]["shipped-without-tracking"]["oldest_open_hours"] == 24.0
    assert lc["mttr_hours"] == {"shipped-without-tracking": 24.0}

    project.untracked("SH1", "SH3")
    ctx = api.run(project.config, as_of=DAY3, out=project.root / "out" / "3")
    lc = ctx.summary["lifecycle"]
    assert (lc["new"], lc["open"], lc["reopened"], lc["resolved"]) == (0, 1, 1, 1)
    assert lc["mttr_hours"] == {"shipped-without-tracking": 36.0}  # SH1 after 24h, SH2 after 48h
    ids = {**ids, **project.ids()}
    rows = {r["exception_id"]: r for r in ctx.db.dicts("SELECT * FROM main.exception_status")}
    assert rows[ids["SH1"]]["status"] == "reopened"
    assert rows[ids["SH1"]]["first_seen_at"].isoformat() == "2026-11-20T06:00:00+00:00"
    assert float(rows[ids["SH1"]]["hours_open"]) == 0.0
    assert rows[ids["SH3"]]["status"] == "open"
    assert float(rows[ids["SH3"]]["hours_open"]) == 24.0
    assert rows[ids["SH2"]]["status"] == "resolved"
    assert float(rows[ids["SH2"]]["hours_open"]) == 48.0
    # every present exception of the run has a status row the reports can join
    present = {r[0] for r in ctx.db.rows("SELECT exception_id FROM main.exceptions")}
    assert present == {e for e, r in rows.items() if r["status"] != "resolved"}


def test_rerun_of_the_same_inputs_and_as_of_replaces_the_earlier_run(project):
    project.untracked("SH1")
    _, s1 = project.run(DAY1)
    project.untracked("SH1", "SH2")
    _, s2 = project.run(DAY2)
    _, again = project.run(DAY2)
    assert again["lifecycle"]["replaces_run_id"] == s2["run_id"]
    assert again["lifecycle"]["previous_run_id"] == s1["run_id"]  # not the run it replaces
    assert (again["lifecycle"]["new"], again["lifecycle"]["open"]) == (1, 1)
    with open_state(project.state) as store:
        runs = store.runs()
        per_run = dict(store.db.rows(f"SELECT run_id, count(*) FROM {store.t('exceptions')} GROUP BY ALL"))
    assert [r["run_id"] for r in runs] == [again["run_id"], s1["run_id"]]
    assert runs[0]["replaced_run_id"] == s2["run_id"]
    assert per_run == {again["run_id"]: 2, s1["run_id"]: 1}


def test_a_different_input_with_the_same_as_of_is_a_new_run(project):
    project.untracked("SH1")
    project.run(DAY1)
    project.untracked("SH2")
    _, second = project.run(DAY1)
    assert second["lifecycle"]["replaces_run_id"] is None
    with open_state(project.state) as store:
        assert len(store.runs()) == 2


def test_dry_run_computes_the_lifecycle_but_writes_nothing(project):
    project.untracked("SH1")
    _, dry = project.run(DAY1, "--dry-run")
    assert dry["lifecycle"]["new"] == 1 and dry["lifecycle"]["dry_run"] is True
    assert not project.state.exists()
    _, s1 = project.run(DAY1)
    before = project.state.read_bytes()
    project.untracked("SH2")
    _, dry = project.run(DAY2, "--dry-run")
    assert (dry["lifecycle"]["new"], dry["lifecycle"]["resolved"]) == (1, 1)
    assert project.state.read_bytes() == before
    with open_state(project.state) as store:
        assert [r["run_id"] for r in store.runs()] == [s1["run_id"]]


def test_run_record_has_inputs_hashes_and_counts(project):
    project.untracked("SH1", "SH2")
    project.run(DAY1)
    with open_state(project.state) as store:
        run = store.runs()[0]
        inputs = store.db.dicts(f"SELECT * FROM {store.t('run_inputs')}")
        sources = store.db.dicts(f"SELECT * FROM {store.t('run_sources')}")
    assert run["status"] == "ok" and run["exit_code"] == 0 and run["exceptions"] == 2
    assert run["rows_loaded"] == 4 and run["files"] == 1 and run["ended_at"] >= run["started_at"]
    assert len(run["config_hash"]) == 64 and len(run["fingerprint"]) == 64
    assert json.loads(run["rule_packs"]) and all(len(h) == 64 for h in json.loads(run["rule_packs"]).values())
    assert [(i["file"], i["size_bytes"]) for i in inputs] == [
        ("wms/shipments.csv", (project.root / "wms" / "shipments.csv").stat().st_size)]
    assert len(inputs[0]["sha256"]) == 64
    assert sources[0]["source"] == "wms_ship" and sources[0]["rows_loaded"] == 4


def test_failed_run_is_recorded_but_not_part_of_the_lifecycle(project):
    project.untracked("SH1")
    _, s1 = project.run(DAY1)
    (project.root / "wms" / "shipments.csv").write_bytes(b"\xff\xfe\x00garbage\x00")
    failed = project.cli("run", "--as-of", DAY2, "--strict", "--out", str(project.root / "out" / "f"))
    assert failed.exit_code == 3, failed.output
    project.untracked("SH1")
    _, s3 = project.run(DAY3)
    assert s3["lifecycle"]["previous_run_id"] == s1["run_id"]
    assert s3["lifecycle"]["open"] == 1
    history = json.loads(project.cli("history", "--json").stdout)
    assert [r["status"] for r in history["runs"]] == ["ok", "failed", "ok"]
    assert history["runs"][1]["exit_code"] == 3 and history["runs"][1]["error"]


def test_history_shows_runs_and_trends(project):
    for as_of, missing in ((DAY1, ("SH1", "SH2")), (DAY2, ("SH2", "SH3")), (DAY3, ("SH1", "SH3", "SH4"))):
        project.untracked(*missing)
        project.run(as_of)
    result = project.cli("history", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["new"], r["open"], r["reopened"], r["resolved"]) for r in data["runs"]] == [
        (1, 1, 1, 1), (1, 1, 0, 1), (2, 0, 0, 0)]
    (trend,) = data["types"]
    assert trend["exception_type"] == "shipped-without-tracking"
    assert trend["counts"] == [2, 2, 3] and trend["change"] == 1 and trend["trend"] == "up"
    assert trend["mttr_hours"] == 36.0 and trend["resolutions"] == 2
    text = project.cli("history", "--limit", "2")
    assert text.exit_code == 0, text.output
    assert data["runs"][0]["run_id"] in text.stdout and data["runs"][2]["run_id"] not in text.stdout
    assert "shipped-without-tracking" in text.stdout
    only = json.loads(project.cli("history", "--json", "--type", "no-such-type").stdout)
    assert only["types"] == [] and [r["exceptions"] for r in only["runs"]] == [0, 0, 0]


def test_history_before_any_run_and_state_path_from_config(project):
    config = project.config.read_text()
    project.config.write_text("state: var/nightly.duckdb\n" + config)
    empty = project.cli("history")
    assert empty.exit_code == 0 and "no runs recorded" in empty.stdout
    project.untracked("SH1")
    project.run(DAY1)
    assert (project.root / "var" / "nightly.duckdb").exists() and not project.state.exists()
    assert (project.root / "var" / "nightly.duckdb.lock").exists()
    data = json.loads(project.cli("history", "--json").stdout)
    assert len(data["runs"]) == 1


def test_a_state_file_with_integer_line_numbers_is_widened_and_keeps_its_history(project):
    """State files written before line numbers became text hold line_no INTEGER: widened on open."""
    import duckdb

    project.untracked("SH2")
    project.run("2026-11-20T08:00:00Z")
    con = duckdb.connect(str(project.state))
    con.execute("ALTER TABLE exceptions ALTER COLUMN line_no SET DATA TYPE INTEGER")
    assert con.execute("SELECT typeof(line_no) FROM exceptions LIMIT 1").fetchall() == [("INTEGER",)]
    con.close()
    project.untracked("SH2")
    _, second = project.run("2026-11-21T08:00:00Z")
    assert second["lifecycle"]["open"] == 1 and second["lifecycle"]["new"] == 0  # the same exception id
    con = duckdb.connect(str(project.state))
    assert con.execute("SELECT DISTINCT typeof(line_no) FROM exceptions").fetchall() == [("VARCHAR",)]
    con.close()


def test_the_previous_runs_value_at_risk_and_the_part_this_run_resolved(project):
    project.untracked("SH1", "SH2")  # value at risk is qty * 10: SH1 10, SH2 20, SH3 30
    _, s1 = project.run(DAY1)
    assert s1["value_at_risk"]["total"] == 30.0
    assert "previous_value_at_risk" not in s1["lifecycle"]  # nothing to compare with
    project.untracked("SH2", "SH3")
    _, s2 = project.run(DAY2)
    lc = s2["lifecycle"]
    assert lc["previous_value_at_risk"] == {"USD": 30.0}
    assert lc["resolved_value_at_risk"] == {"USD": 10.0}  # SH1, at its value in the previous run
