"""`recon diff`: exactly the exceptions that appeared, disappeared or changed between two runs."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.errors import ReconError
from recon.store.diff import diff_runs, pick_runs
from recon.store.state import open_state

from .conftest import SHIPMENTS, Project


def _diff(project: Project, a: str | None = None, b: str | None = None):
    with open_state(project.state) as store:
        return diff_runs(store, *pick_runs(store, a, b))


def test_appeared_disappeared_and_totals(project: Project) -> None:
    project.untracked("SH1", "SH2")
    _, first = project.run("2026-11-20T06:00:00Z")
    project.untracked("SH2", "SH4")
    _, second = project.run("2026-11-21T06:00:00Z")
    ids = project.ids()
    d = _diff(project)
    assert (d.a, d.b) == (first["run_id"], second["run_id"])  # the two most recent, older first
    assert [(i["change"], i["shipment_id"], i["exception_id"]) for i in d.items] == [
        ("appeared", "SH4", ids["SH4"]), ("disappeared", "SH1", ids["SH1"])]
    # SH1 (qty 1) left, SH4 (qty 4) came: value at risk qty * 10 moves by +40 - 10
    assert d.totals == [{"exception_type": "shipped-without-tracking", "owner": "operations", "appeared": 1,
                         "disappeared": 1, "changed": 0, "value_change": 30.0}]


def test_a_changed_value_is_a_change_not_a_new_exception(project: Project) -> None:
    project.untracked("SH3")
    project.run("2026-11-20T06:00:00Z")
    csv = project.root / "wms" / "shipments.csv"
    csv.write_text(csv.read_text().replace("SH3,SO-1003,10,3,", "SH3,SO-1003,10,7,"))
    project.run("2026-11-21T06:00:00Z")
    [item] = _diff(project).items
    assert item["change"] == "changed" and item["shipment_id"] == "SH3"
    assert (item["value_at_risk_a"], item["value_at_risk_b"], item["value_change"]) == (30.0, 70.0, 40.0)


def test_runs_are_named_by_id_or_prefix_and_unknown_ones_are_a_problem(project: Project) -> None:
    project.untracked("SH1")
    _, first = project.run("2026-11-20T06:00:00Z")
    project.untracked()
    _, second = project.run("2026-11-21T06:00:00Z")
    d = _diff(project, first["run_id"][:-2], second["run_id"])
    assert [(i["change"], i["shipment_id"]) for i in d.items] == [("disappeared", "SH1")]
    assert [(i["change"], i["shipment_id"]) for i in _diff(project, first["run_id"], first["run_id"]).items] == []
    with pytest.raises(ReconError) as err:
        _diff(project, "no-such-run")
    assert err.value.problems[0].code == "S011"


def test_one_run_is_not_enough(project: Project) -> None:
    project.untracked("SH1")
    project.run("2026-11-20T06:00:00Z")
    with pytest.raises(ReconError) as err:
        _diff(project)
    assert err.value.problems[0].code == "S010"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.sets(st.sampled_from(SHIPMENTS)), after=st.sets(st.sampled_from(SHIPMENTS)))
def test_random_discrepancies_between_two_runs_are_reported_exactly(tmp_path_factory, before, after) -> None:
    project = Project(tmp_path_factory.mktemp("p"))
    project.untracked(*before)
    project.run("2026-11-20T06:00:00Z")
    project.untracked(*after)
    project.run("2026-11-21T06:00:00Z")
    d = _diff(project)
    assert {i["shipment_id"] for i in d.items if i["change"] == "appeared"} == after - before
    assert {i["shipment_id"] for i in d.items if i["change"] == "disappeared"} == before - after
    assert not [i for i in d.items if i["change"] == "changed"]


def test_the_cli_prints_a_table_json_and_csv(project: Project) -> None:
    project.untracked("SH1")
    project.run("2026-11-20T06:00:00Z")
    project.untracked("SH2")
    project.run("2026-11-21T06:00:00Z")
    ids = project.ids()
    table = project.cli("diff")
    assert table.exit_code == 0, table.output
    assert "1 appeared, 1 disappeared, 0 changed" in table.output
    assert ids["SH1"] in table.output and ids["SH2"] in table.output  # ids in full, never cut in a pipe
    data = json.loads(project.cli("diff", "--json").stdout)
    assert data["counts"] == {"appeared": 1, "disappeared": 1, "changed": 0}
    rows = list(csv.DictReader(io.StringIO(project.cli("diff", "--csv").stdout)))
    assert {(r["change"], r["shipment_id"]) for r in rows} == {("appeared", "SH2"), ("disappeared", "SH1")}
    assert project.cli("diff", "--json", "--csv").exit_code == 2
    unknown = project.cli("diff", "nope")
    assert unknown.exit_code == 2 and "S011" in unknown.output
