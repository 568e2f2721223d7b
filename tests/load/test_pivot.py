"""Event-log sources: `pivot:` folds one row per event into one row per key, losing no line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.config import load_project
from recon.db import Database
from recon.errors import ConfigError
from recon.load.loader import Loader

FEED = """
sources:
  carrier:
    system: tms
    entity: deliveries
    path: tms/events_*.csv
    where: "EVENT <> 'XX'"
    pivot:
      by: [SHIPMENT]
      fields:
        PICKED: "first(EVENT_AT) where EVENT = 'PU'"
        DELIVERED: "last(EVENT_AT) where EVENT = 'DL'"
        SIGNER: "last(SIGNER) where EVENT = 'DL'"
    columns:
      shipment_id: SHIPMENT
      picked_up_at: PICKED
      delivered_at: DELIVERED
      pod_signed_by: SIGNER
"""

DAY1 = """
SHIPMENT,EVENT,EVENT_AT,SIGNER
SH1,PU,2026-11-18T08:00:00Z,
SH1,IT,2026-11-18T12:00:00Z,
SH2,PU,2026-11-18T09:00:00Z,
SH1,XX,junk,
,DL,2026-11-18T10:00:00Z,NOBODY
SH3,DL,not a time,CAT
"""

DAY2 = """
SHIPMENT,EVENT,EVENT_AT,SIGNER
SH1,DL,2026-11-19T10:00:00Z,ANNA
SH1,DL,2026-11-19T11:00:00Z,BEN
SH2,IT,2026-11-19T09:00:00Z,
"""


def _load(path):
    db = Database()
    report = Loader(load_project(path), db, "t1").load_all()
    return db, report


def test_an_event_log_becomes_one_row_per_key_with_first_and_last_events(make_project):
    db, report = _load(make_project(FEED, {"tms/events_1.csv": DAY1, "tms/events_2.csv": DAY2}))
    rows = db.rows("SELECT shipment_id, picked_up_at, delivered_at, pod_signed_by, _source_file, _source_row "
                   "FROM tms.deliveries ORDER BY 1")
    assert rows == [
        ("SH1", datetime(2026, 11, 18, 8, tzinfo=UTC), datetime(2026, 11, 19, 11, tzinfo=UTC), "BEN",
         "tms/events_2.csv", 3),
        ("SH2", datetime(2026, 11, 18, 9, tzinfo=UTC), None, None, "tms/events_2.csv", 4),
    ]
    day1, day2 = report.files
    # Day 1: SH1 PU+IT and SH2 PU are folded into rows carried by day 2's lines; the XX row is
    # filtered; the keyless delivery and SH3's unreadable time are rejected on their own lines.
    assert (day1.rows_read, day1.rows_loaded, day1.rows_filtered, day1.rows_pivoted, day1.rows_rejected) == \
        (6, 0, 1, 3, 2)
    assert (day2.rows_read, day2.rows_loaded, day2.rows_pivoted, day2.rows_rejected) == (3, 2, 1, 0)
    assert db.rows('SELECT file, "row", field, reason FROM main.rejects ORDER BY file, "row"') == [
        ("tms/events_1.csv", 6, "shipment_id", "missing key field"),
        ("tms/events_1.csv", 7, "delivered_at", "not an ISO timestamp")]
    pivoted = db.rows('SELECT file, "row", "key", kept_file, kept_row FROM main.pivoted ORDER BY file, "row"')
    assert pivoted[0] == ("tms/events_1.csv", 2, "SH1", "tms/events_2.csv", 3)
    assert len(pivoted) == 4
    (source,) = report.by_source()
    assert source["rows_pivoted"] == 4 and source["rows_filtered"] == 1


def test_order_by_decides_first_and_last(make_project):
    config = FEED.replace("    pivot:\n", "    pivot:\n      order_by: EVENT_AT\n")
    day2 = DAY2.replace("SH1,DL,2026-11-19T10:00:00Z,ANNA\nSH1,DL,2026-11-19T11:00:00Z,BEN",
                        "SH1,DL,2026-11-19T11:00:00Z,BEN\nSH1,DL,2026-11-19T10:00:00Z,ANNA")
    db, _ = _load(make_project(config, {"tms/events_1.csv": DAY1, "tms/events_2.csv": day2}))
    assert db.rows("SELECT pod_signed_by FROM tms.deliveries WHERE shipment_id = 'SH1'") == [("BEN",)]


@pytest.mark.parametrize(("change", "code", "path"), [
    (("first(EVENT_AT) where EVENT = 'PU'", "sum(EVENT_AT)"), "C030", "sources.carrier.pivot.fields.PICKED"),
    (('"last(SIGNER)', '"last(count(*))'), "C030", "sources.carrier.pivot.fields.SIGNER"),
    (("pod_signed_by: SIGNER", "pod_signed_by: SIGNED_BY"), "C035", "sources.carrier.columns.pod_signed_by"),
])
def test_pivot_specs_are_checked_before_any_file_is_read(make_project, change, code, path):
    with pytest.raises(ConfigError) as info:
        load_project(make_project(FEED.replace(*change), {}))
    assert [(p.code, p.path) for p in info.value.problems] == [(code, path)]


def test_an_event_column_the_file_lacks_fails_the_file(make_project):
    _, report = _load(make_project(FEED, {"tms/events_1.csv": DAY1.replace("SIGNER", "SIGNED")}))
    (load,) = report.files
    assert load.status == "failed" and load.problem is not None and load.problem.code == "I030"
    assert "'SIGNER'" in load.problem.message


@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from(["S1", "S2", "S3", ""]),
                          st.sampled_from(["PU", "DL", "XX"]), st.sampled_from(["2026-11-18", "bad"])),
                max_size=30))
def test_every_event_is_loaded_filtered_pivoted_or_rejected(tmp_path_factory, events):
    folder = tmp_path_factory.mktemp("events")
    (folder / "tms").mkdir()
    for day in (0, 1):
        body = "".join(f"{k},{e},{t},X\n" for d, k, e, t in events if d == day)
        (folder / "tms" / f"events_{day}.csv").write_text("SHIPMENT,EVENT,EVENT_AT,SIGNER\n" + body)
    (folder / "recon.yaml").write_text(FEED)
    db, report = _load(folder / "recon.yaml")
    assert all(f.status == "ok" and f.balanced for f in report.files)
    kept = [(k, e, t) for _, k, e, t in events if e != "XX"]
    keys = {k for k, _, _ in kept if k}
    loaded = {r[0] for r in db.rows("SELECT shipment_id FROM tms.deliveries")}
    assert loaded <= keys
    assert sum(f.rows_pivoted for f in report.files) == len([k for k, _, _ in kept if k]) - len(keys)
    assert db.rows("SELECT count(*) FROM tms.deliveries") == [(len(loaded),)]
