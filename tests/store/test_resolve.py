"""`recon resolve`: an explained exception leaves the bar while its values hold, and reopens when they move."""

from __future__ import annotations

import csv
import json

from recon.store.state import open_state

DAY1, DAY2, DAY3, DAY4 = ("2026-11-20T06:00:00Z", "2026-11-21T06:00:00Z", "2026-11-22T06:00:00Z",
                          "2026-11-23T06:00:00Z")


def test_resolve_then_the_next_run_shows_explained_with_the_reason(posting):
    posting.ship({"S1": 5, "S2": 3}, {"S1": 4, "S2": 3})  # S1: 5 shipped, 4 posted
    first, summary = posting.run(DAY1, "--fail-on", "high")
    assert first.exit_code == 1 and summary["exceptions"]["total"] == 1
    sid = posting.ids()["S1"]
    done = posting.cli("resolve", sid, "--reason", "written-off", "--note", "credit note CN-114", "--by", "ana")
    assert done.exit_code == 0, done.output
    assert "explained 1 exception(s) as written-off" in done.stdout

    second, summary = posting.run(DAY2, "--fail-on", "high")
    assert second.exit_code == 0, second.output  # explained: outside the bar
    assert summary["lifecycle"]["explained"] == 1 and summary["exceptions"]["total"] == 1  # still listed
    row = posting.exceptions(DAY2)["S1"]
    assert (row["status"], row["reason_code"]) == ("explained", "written-off")
    queue = (posting.root / "out" / DAY2.replace(":", "") / "exceptions" / "operations.csv").read_text()
    assert ",explained,,,written-off,credit note CN-114" in queue


def test_a_changed_compared_value_reopens_the_explanation_and_keeps_its_history(posting):
    posting.ship({"S1": 5}, {"S1": 4})
    posting.run(DAY1)
    sid = posting.ids()["S1"]
    assert posting.cli("resolve", sid, "--reason", "data-entry").exit_code == 0
    posting.run(DAY2, "--fail-on", "high")
    assert posting.exceptions(DAY2)["S1"]["status"] == "explained"

    posting.ship({"S1": 7}, {"S1": 4})  # the WMS quantity moves: not what was explained
    reopened, summary = posting.run(DAY3, "--fail-on", "high")
    assert reopened.exit_code == 1  # back in the bar
    row = posting.exceptions(DAY3)["S1"]
    assert row["exception_id"] == sid and row["status"] == "reopened" and row["reason_code"] == "data-entry"
    assert summary["lifecycle"]["explained"] == 0 and summary["lifecycle"]["explanations_reopened"] == 1
    with open_state(posting.state) as store:  # the decision is kept, not erased
        assert store.db.rows(f"SELECT reason_code FROM {store.t('resolutions')}") == [("data-entry",)]

    posting.ship({"S1": 5}, {"S1": 4})  # back to the explained values: explained again
    posting.run(DAY4)
    assert posting.exceptions(DAY4)["S1"]["status"] == "explained"


def test_a_parking_reason_needs_an_end_date_and_acks_until_then(posting):
    posting.ship({"S1": 5}, {"S1": 4})
    posting.run(DAY1)
    sid = posting.ids()["S1"]
    refused = posting.cli("resolve", sid, "--reason", "timing")
    assert refused.exit_code == 2 and "A005" in refused.output and "--until" in refused.output
    assert posting.cli("resolve", sid, "--reason", "timing", "--until", "2026-11-21").exit_code == 0
    parked, summary = posting.run(DAY2, "--fail-on", "high")
    assert parked.exit_code == 0 and summary["lifecycle"]["acked"] == 1
    assert posting.exceptions(DAY2)["S1"]["status"] == "acked"
    expired, _ = posting.run(DAY3, "--fail-on", "high")
    assert expired.exit_code == 1 and posting.exceptions(DAY3)["S1"]["status"] == "open"


def test_unknown_reason_code_is_a_named_problem_and_the_config_adds_codes(posting):
    posting.ship({"S1": 5}, {"S1": 4})
    posting.run(DAY1)
    sid = posting.ids()["S1"]
    unknown = posting.cli("resolve", sid, "--reason", "rebill")
    assert unknown.exit_code == 2 and "A004" in unknown.output and "written-off" in unknown.output
    posting.config.write_text(posting.config.read_text() + "reason_codes:\n  rebill:\n"
                              "    description: The carrier rebills next month\n")
    assert posting.cli("resolve", sid, "--reason", "rebill").exit_code == 0
    bad = posting.config.read_text().replace("  rebill:", "  Re Bill:")
    posting.config.write_text(bad)
    invalid = posting.cli("resolve", sid, "--reason", "rebill")
    assert invalid.exit_code == 2 and "reason_codes" in invalid.output


def test_bulk_resolve_by_type_age_and_csv_and_unknown_ids(posting):
    posting.ship({"S1": 5, "S2": 3, "S3": 1}, {"S1": 4, "S4": 2})  # S1 mismatch, S2 S3 unposted, S4 unshipped
    posting.run(DAY1)
    ids = posting.ids()
    by_type = posting.cli("resolve", "--type", "shipped-not-posted", "--reason", "fixed-at-source", "--json")
    assert by_type.exit_code == 0, by_type.output
    assert sorted(json.loads(by_type.stdout)["resolved"]) == sorted([ids["S2"], ids["S3"]])
    none = posting.cli("resolve", "--rule", "shipment-posted", "--older-than", "30d", "--reason", "written-off")
    assert none.exit_code == 0 and "nothing resolved" in none.stdout
    reviewed = posting.root / "reviewed.csv"
    with reviewed.open("w", newline="") as handle:
        csv.writer(handle).writerows([["exception_id", "note"], [ids["S4"], "ok"]])
    from_csv = posting.cli("resolve", "--from-csv", str(reviewed), "--reason", "duplicate-confirmed", "--json")
    assert json.loads(from_csv.stdout)["resolved"] == [ids["S4"]]
    typo = posting.cli("resolve", "0123456789abcdef", "--reason", "written-off")
    assert typo.exit_code == 2 and "A002" in typo.output
    (posting.root / "bad.csv").write_text("id\nx\n")
    assert "A008" in posting.cli("resolve", "--from-csv", str(posting.root / "bad.csv"), "--reason",
                                 "written-off").output
    assert posting.cli("resolve", ids["S1"]).exit_code == 2  # no --reason

    _, summary = posting.run(DAY2)
    assert summary["lifecycle"]["explained"] == 3
    listed = json.loads(posting.cli("resolve", "--list", "--json").stdout)["explanations"]
    assert {r["exception_id"] for r in listed} == {ids["S2"], ids["S3"], ids["S4"]}


def test_withdraw_brings_the_exception_back_and_everything_is_audited(posting):
    posting.ship({"S1": 5}, {"S1": 4})
    posting.run(DAY1)
    sid = posting.ids()["S1"]
    assert posting.cli("resolve", sid, "--reason", "written-off", "--by", "ana").exit_code == 0
    assert posting.cli("ack", sid, "--until", "2026-12-01", "--note", "waiting").exit_code == 0
    assert posting.cli("ack", "--remove", sid).exit_code == 0
    withdrawn = posting.cli("resolve", "--withdraw", sid, "--note", "wrong invoice", "--by", "bob")
    assert withdrawn.exit_code == 0, withdrawn.output
    again = posting.cli("resolve", "--withdraw", sid)
    assert again.exit_code == 2 and "A006" in again.output
    result, _ = posting.run(DAY2, "--fail-on", "high")
    assert result.exit_code == 1 and posting.exceptions(DAY2)["S1"]["status"] == "open"

    trail = json.loads(posting.cli("history", "--audit", "--json").stdout)["audit"]
    assert [(e["action"], e["subject"]) for e in trail] == [
        ("resolve", sid), ("ack", sid), ("unack", sid), ("unresolve", sid)]
    assert trail[0]["by_user"] == "ana" and trail[0]["reason_code"] == "written-off"
    assert trail[3]["by_user"] == "bob" and trail[3]["note"] == "wrong invoice"
    as_csv = posting.cli("history", "--audit", "--csv").stdout.splitlines()
    assert as_csv[0].startswith("logged_at,action,subject") and len(as_csv) == 5
    assert "unresolve" in posting.cli("history", "--audit").stdout


def test_a_manual_match_removes_the_missing_pair_and_surfaces_a_field_mismatch(posting):
    posting.ship({"S1": 5, "S2": 3}, {"S1": 5, "S9": 2})  # S2 was posted under another shipment id, S9
    _, summary = posting.run(DAY1)
    assert sorted(posting.exceptions(DAY1)) == ["S2", "S9"]  # shipped-not-posted, posted-not-shipped
    made = posting.cli("match", "--rule", "shipment-posted", "S2", "S9", "--note", "re-keyed in the ERP",
                       "--by", "ana")
    assert made.exit_code == 0, made.output

    _, summary = posting.run(DAY2)
    rows = posting.exceptions(DAY2)
    assert list(rows) == ["S2"] and rows["S2"]["exception_type"] == "post-qty-mismatch"  # 3 shipped, 2 posted
    assert (rows["S2"]["left_value"], rows["S2"]["right_value"]) == ("3", "2")
    assert summary["matching"]["manual_matches"] == [
        {"rule_id": "shipment-posted", "left_key": "S2", "right_key": "S9", "note": "re-keyed in the ERP"}]
    report = (posting.root / "out" / DAY2.replace(":", "") / "report.html").read_text()
    assert "Matched by hand" in report and "re-keyed in the ERP" in report

    posting.ship({"S1": 5, "S2": 3}, {"S1": 5, "S9": 3})  # the ERP corrects the quantity: nothing left
    _, summary = posting.run(DAY3)
    assert summary["exceptions"]["total"] == 0

    listed = json.loads(posting.cli("match", "--list", "--json").stdout)["manual_matches"]
    assert [(m["left_key"], m["right_key"], m["created_by"]) for m in listed] == [("S2", "S9", "ana")]
    assert posting.cli("match", "--remove", "--rule", "shipment-posted", "S2", "S9").exit_code == 0
    _, summary = posting.run(DAY4)
    assert summary["exceptions"]["total"] == 2 and "manual_matches" not in summary["matching"]
    trail = json.loads(posting.cli("history", "--audit", "--json").stdout)["audit"]
    assert [(e["action"], e["subject"]) for e in trail] == [("match", "shipment-posted:S2→S9"),
                                                            ("unmatch", "shipment-posted:S2→S9")]


def test_match_refuses_unknown_rules_wrong_key_shapes_and_unknown_pairings(posting):
    posting.ship({"S1": 5}, {"S1": 5})
    unknown = posting.cli("match", "--rule", "shipment-postd", "S1", "S2")
    assert unknown.exit_code == 2 and "A009" in unknown.output and "shipment-posted" in unknown.output
    shape = posting.cli("match", "--rule", "shipment-posted", "S1|10", "S2")
    assert shape.exit_code == 2 and "A011" in shape.output
    missing = posting.cli("match", "--remove", "--rule", "shipment-posted", "S1", "S2")
    assert missing.exit_code == 2 and "A012" in missing.output
    assert posting.cli("match", "S1", "S2").exit_code == 2  # no --rule


def test_the_spark_engine_refuses_a_run_with_manual_matches(posting):
    posting.ship({"S1": 5}, {"S9": 5})
    posting.run(DAY1)
    assert posting.cli("match", "--rule", "shipment-posted", "S1", "S9").exit_code == 0
    refused = posting.cli("run", "--as-of", DAY2, "--engine", "spark", "--out", str(posting.root / "spark"))
    assert refused.exit_code == 2 and "A013" in refused.output and "shipment-posted" in refused.output


def test_dry_run_compare_to_last_lists_exactly_the_exceptions_whose_difference_crosses_a_new_tolerance(posting):
    # differences 0, 1, 2, 3 and 5; with the tolerance at 0 all but S0 are mismatches
    posting.ship({"S0": 10, "S1": 11, "S2": 12, "S3": 13, "S5": 15}, {f"S{i}": 10 for i in (0, 1, 2, 3, 5)})
    posting.run(DAY1)
    ids = posting.ids()
    with open_state(posting.state) as store:
        before = store.db.scalar(f"SELECT count(*) FROM {store.t('runs')}")
    posting.config.write_text(posting.config.read_text() + "parameters: {qty_tolerance: 2}\n")
    compared = posting.cli("run", "--dry-run", "--compare-to", "last", "--json")
    assert compared.exit_code in (0, 1), compared.output
    data = json.loads(compared.stdout)
    assert data["inputs"] == "re-read"
    assert {(i["change"], i["exception_id"]) for i in data["items"]} == {
        ("disappeared", ids["S1"]), ("disappeared", ids["S2"])}  # 1 and 2 are within 2 now; 3 and 5 are not
    with open_state(posting.state) as store:  # nothing recorded
        assert store.db.scalar(f"SELECT count(*) FROM {store.t('runs')}") == before
    assert not list((posting.root / "out").glob("*/summary.json"))[1:]  # only DAY1's outputs

    # the extracts move on: the run's kept tables are the inputs now
    posting.ship({"S7": 1}, {})
    posting.config.write_text(posting.config.read_text().replace("qty_tolerance: 2", "qty_tolerance: 4"))
    kept = posting.cli("run", "--dry-run", "--compare-to", "last", "--json")
    data = json.loads(kept.stdout)
    assert data["inputs"] == "kept"
    assert {(i["change"], i["exception_id"]) for i in data["items"]} == {
        ("disappeared", ids["S1"]), ("disappeared", ids["S2"]), ("disappeared", ids["S3"])}
    text = posting.cli("run", "--dry-run", "--compare-to", "last")
    assert "its kept tables" in text.stdout and "3 disappeared" in text.stdout

    tighter = posting.config.read_text().replace("qty_tolerance: 4", "qty_tolerance: 0")
    posting.config.write_text(tighter)
    same = json.loads(posting.cli("run", "--dry-run", "--compare-to", "last", "--json").stdout)
    assert same["items"] == []  # today's rules as they were: nothing changes

    assert posting.cli("run", "--compare-to", "last").exit_code == 2  # needs --dry-run


def test_compare_to_last_needs_a_recorded_run_with_its_inputs(posting):
    posting.ship({"S1": 5}, {"S1": 4})
    nothing = posting.cli("run", "--dry-run", "--compare-to", "last")
    assert nothing.exit_code == 2 and "S010" in nothing.output
    posting.config.write_text(posting.config.read_text() + "outputs: {keep_tables_days: 0}\n")
    posting.run(DAY1)
    posting.ship({"S1": 6}, {"S1": 4})
    gone = posting.cli("run", "--dry-run", "--compare-to", "last")
    assert gone.exit_code == 2 and "S012" in gone.output


def test_recon_diff_reports_a_change_of_the_analysts_status_and_only_that(posting):
    posting.ship({"S1": 5, "S2": 3}, {"S1": 4, "S2": 2})  # two mismatches
    posting.run(DAY1)
    ids = posting.ids()
    assert posting.cli("resolve", ids["S1"], "--reason", "written-off").exit_code == 0
    posting.run(DAY2)
    shown = posting.cli("diff", "--json")
    assert shown.exit_code == 0, shown.output
    items = json.loads(shown.stdout)["items"]
    assert [(i["exception_id"], i["change"]) for i in items] == [(ids["S1"], "changed")]  # S2: as it was
    assert (items[0]["analyst_status_a"], items[0]["analyst_status_b"]) == (None, "explained")
    assert items[0]["reason_code_b"] == "written-off"
    assert items[0]["left_value_a"] == items[0]["left_value_b"]  # the values did not move
    table = posting.cli("diff")
    assert "(explained: written-off)" in table.stdout

    assert posting.cli("resolve", ids["S1"], "--withdraw").exit_code == 0
    posting.run(DAY3)
    back = json.loads(posting.cli("diff", "--json").stdout)["items"]
    assert [(i["analyst_status_a"], i["analyst_status_b"]) for i in back] == [("explained", None)]
