"""Acks persist across runs, keep an exception listed but outside the bar until their date, and can go."""

from __future__ import annotations

import json

DAY1, DAY2, DAY3 = "2026-11-20T06:00:00Z", "2026-11-21T06:00:00Z", "2026-11-22T06:00:00Z"


def test_acked_exception_stays_outside_the_bar_until_its_date(project):
    project.untracked("SH1")
    first, _ = project.run(DAY1, "--fail-on", "high")
    assert first.exit_code == 1
    (sid,) = project.ids().values()
    acked = project.cli("ack", sid, "--until", "2026-11-21", "--note", "carrier sends tracking late")
    assert acked.exit_code == 0, acked.output

    still, summary = project.run(DAY2, "--fail-on", "high")  # as-of day == until: covered
    assert still.exit_code == 0, still.output
    assert summary["lifecycle"]["acked"] == 1 and summary["lifecycle"]["open"] == 1  # listed, not hidden

    expired, summary = project.run(DAY3, "--fail-on", "high")
    assert expired.exit_code == 1
    assert summary["lifecycle"]["acked"] == 0


def test_an_ack_covers_only_its_exception(project):
    project.untracked("SH1", "SH2")
    project.run(DAY1)
    ids = project.ids()
    assert project.cli("ack", ids["SH1"], "--until", "2026-12-31", "--note", "known").exit_code == 0
    result, summary = project.run(DAY2, "--fail-on", "high")
    assert result.exit_code == 1 and summary["lifecycle"]["acked"] == 1


def test_ack_list_and_remove(project):
    project.untracked("SH1", "SH2")
    project.run(DAY1)
    ids = project.ids()
    assert project.cli("ack", ids["SH1"], ids["SH2"], "--until", "2026-11-25", "--note", "rebilled").exit_code == 0
    listed = json.loads(project.cli("ack", "--list", "--json").stdout)["acks"]
    assert sorted(a["exception_id"] for a in listed) == sorted(ids.values())
    assert all(a["exception_type"] == "shipped-without-tracking" and a["note"] == "rebilled" for a in listed)
    assert {a["key"] for a in listed} == {"SH1", "SH2"}
    text = project.cli("ack", "--list")
    assert text.exit_code == 0 and ids["SH1"] in text.stdout

    removed = project.cli("ack", "--remove", ids["SH1"])
    assert removed.exit_code == 0, removed.output
    listed = json.loads(project.cli("ack", "--list", "--json").stdout)["acks"]
    assert [a["exception_id"] for a in listed] == [ids["SH2"]]
    again = project.cli("ack", "--remove", ids["SH1"])
    assert again.exit_code == 2 and "has no ack" in again.output


def test_ack_refuses_unknown_ids_and_incomplete_requests(project):
    project.untracked("SH1")
    project.run(DAY1)
    unknown = project.cli("ack", "0123456789abcdef", "--until", "2026-12-01", "--note", "typo?")
    assert unknown.exit_code == 2 and "no recorded run found exception 0123456789abcdef" in unknown.output
    forced = project.cli("ack", "0123456789abcdef", "--until", "2026-12-01", "--note", "ahead", "--force")
    assert forced.exit_code == 0, forced.output
    assert project.cli("ack", project.ids()["SH1"], "--until", "2026-12-01").exit_code == 2  # no note
    assert project.cli("ack", project.ids()["SH1"], "--note", "x").exit_code == 2  # no date
    assert project.cli("ack", "--until", "2026-12-01", "--note", "x").exit_code == 2  # no id
    assert project.cli("ack", "x", "--until", "01/12/2026", "--note", "x").exit_code == 2  # bad date


def test_reacking_replaces_date_and_note_and_is_logged(project):
    from recon.store.state import open_state

    project.untracked("SH1")
    project.run(DAY1)
    sid = project.ids()["SH1"]
    project.cli("ack", sid, "--until", "2026-11-21", "--note", "first")
    project.cli("ack", sid, "--until", "2026-11-30", "--note", "second")
    with open_state(project.state) as store:
        acks = store.db.rows(f"SELECT until::VARCHAR, note FROM {store.t('acks')}")
        log = store.db.rows(f"SELECT action, note FROM {store.t('ack_log')} ORDER BY logged_at, note")
    assert acks == [("2026-11-30", "second")]
    assert log == [("ack", "first"), ("ack", "second")]
