"""Source semantics of real exports: row filters, dated snapshots, latest record wins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon import api
from recon.config import load_project
from recon.db import Database
from recon.errors import ConfigError
from recon.load.loader import Loader

CARRIER = """
sources:
  carrier:
    system: tms
    entity: deliveries
    path: tms/events_*.csv
    where: "EVENT = 'DL'"
    columns:
      shipment_id: SHIPMENT
      delivered_at: EVENT_AT
      pod_signed_by: SIGNER
"""

EVENTS = """
SHIPMENT,EVENT,EVENT_AT,SIGNER
SH1,PU,2026-11-18T08:00:00Z,
SH1,DL,2026-11-19T10:00:00Z,ANNA
SH2,PU,not a time,
SH2,DL,bad time,BOB
SH3,IT,2026-11-19T10:00:00Z,
,DL,2026-11-19T10:00:00Z,EVE
"""


def _load(config_path, as_of=None):
    project = load_project(config_path)
    db = Database()
    report = Loader(project, db, "t1", as_of=as_of).load_all()
    return db, report


def test_rows_the_where_leaves_out_are_filtered_never_rejected(make_project):
    db, report = _load(make_project(CARRIER, {"tms/events_1.csv": EVENTS}))
    (load,) = report.files
    assert load.status == "ok"
    # 6 rows: 2 delivered rows load, 3 pickup / in-transit rows are filtered, whatever their cells
    # hold ("not a time" is not a reject), and the delivered rows with a bad time or no key are rejects.
    assert (load.rows_read, load.rows_loaded, load.rows_filtered, load.rows_rejected) == (6, 1, 3, 2)
    assert db.rows("SELECT shipment_id, pod_signed_by FROM tms.deliveries") == [("SH1", "ANNA")]
    rejects = db.rows('SELECT "row", field, reason FROM main.rejects ORDER BY "row"')
    assert rejects == [(5, "delivered_at", "not an ISO timestamp"), (7, "shipment_id", "missing key field")]
    (source,) = report.by_source()
    assert source["rows_filtered"] == 3 and source["rows_rejected"] == 2
    assert db.rows("SELECT rows_filtered FROM main.loads") == [(3,)]


def test_a_source_without_filters_reports_no_filtered_key(make_project):
    config = CARRIER.replace("    where: \"EVENT = 'DL'\"\n", "")
    _, report = _load(make_project(config, {"tms/events_1.csv": "SHIPMENT,EVENT,EVENT_AT,SIGNER\nSH1,DL,,\n"}))
    (source,) = report.by_source()
    assert "rows_filtered" not in source and "rows_superseded" not in source


@pytest.mark.parametrize(("where", "reason"), [
    ("count(*) > 1", "an aggregate is not allowed"),
    ("EVENT = 'DL'; DROP TABLE x", "not several statements"),
    ("SELECT 1", "not a query"),
    ("t.EVENT = 'DL'", "names a table"),
    ("EVENT = (SELECT 1)", "a subquery is not allowed"),
    ("EVENT = = 'DL'", "not a valid row condition"),
])
def test_a_where_that_is_not_a_row_condition_fails_validation(make_project, where, reason):
    config = CARRIER.replace("EVENT = 'DL'", where.replace('"', '\\"'))
    with pytest.raises(ConfigError) as info:
        load_project(make_project(config, {"tms/events_1.csv": EVENTS}))
    (problem,) = info.value.problems
    assert problem.code == "C030" and reason in problem.message and problem.path == "sources.carrier.where"


def test_validate_names_a_where_column_the_file_lacks_and_a_where_duckdb_cannot_bind(make_project):
    config = CARRIER.replace("EVENT = 'DL'", "EVNT = 'DL'")
    result = api.validate(make_project(config, {"tms/events_1.csv": EVENTS}))
    (problem,) = result.problems
    assert problem.code == "I030" and "'EVNT'" in problem.message and "EVENT" in (problem.hint or "")
    config = CARRIER.replace("EVENT = 'DL'", "no_such_function(EVENT)")
    result = api.validate(make_project(config, {"tms/events_1.csv": EVENTS}))
    assert [p.code for p in result.problems] == ["C030"]


def test_a_where_that_fails_on_the_cells_fails_the_source_with_a_named_problem(make_project):
    config = CARRIER.replace("EVENT = 'DL'", "CAST(SIGNER AS INTEGER) > 0")
    _, report = _load(make_project(config, {"tms/events_1.csv": EVENTS}))
    (load,) = report.files
    assert load.status == "failed" and load.problem is not None and load.problem.code == "I031"


@given(st.lists(st.tuples(st.sampled_from(["PU", "IT", "DL", "XX"]), st.sampled_from(["", "5", "x"])),
                max_size=30))
def test_row_balance_holds_whatever_the_filter_leaves(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("balance")
    (folder / "tms").mkdir()
    lines = ["SHIPMENT,EVENT,EVENT_AT,SIGNER"] + [f"S{i},{e},{'2026-11-19' if v == '5' else v}," for i, (e, v)
                                                  in enumerate(rows)]
    (folder / "tms" / "events_1.csv").write_text("\n".join(lines) + "\n")
    (folder / "recon.yaml").write_text(CARRIER)
    db, report = _load(folder / "recon.yaml")
    (load,) = report.files
    delivered = sum(1 for e, _ in rows if e == "DL")
    assert load.rows_filtered == len(rows) - delivered
    assert load.rows_read == load.rows_loaded + load.rows_filtered + load.rows_rejected == len(rows)
    rejected_rows = {r[0] for r in db.rows('SELECT "row" FROM main.rejects')}
    filtered_rows = {i + 2 for i, (e, _) in enumerate(rows) if e != "DL"}
    assert not rejected_rows & filtered_rows


STOCK = """
timezone: Europe/Berlin
sources:
  stock:
    system: wms
    entity: stock
    path: wms/stock_{date:%Y%m%d}.csv
    select: SELECT
    columns: {item_id: ITEM, site: SITE, qty: QTY}
"""

SNAPSHOTS = {
    "wms/stock_20261118.csv": "ITEM,SITE,QTY\nA,DC1,1\n",
    "wms/stock_20261120.csv": "ITEM,SITE,QTY\nA,DC1,3\n",
    "wms/stock_20261121.csv": "ITEM,SITE,QTY\nA,DC1,4\n",
    "wms/stock_notes.csv": "ITEM,SITE,QTY\nZ,DC1,99\n",
}


@pytest.mark.parametrize(("select", "as_of", "chosen"), [
    ("as_of", datetime(2026, 11, 20, 6, tzinfo=UTC), "wms/stock_20261120.csv"),
    ("latest_not_after_as_of", datetime(2026, 11, 20, 6, tzinfo=UTC), "wms/stock_20261120.csv"),
    ("latest_not_after_as_of", datetime(2026, 11, 19, 12, tzinfo=UTC), "wms/stock_20261118.csv"),
    ("latest_not_after_as_of", datetime(2026, 12, 1, tzinfo=UTC), "wms/stock_20261121.csv"),
    # 23:30 UTC on the 20th is already the 21st in Berlin, where the site counts its days.
    ("as_of", datetime(2026, 11, 20, 23, 30, tzinfo=UTC), "wms/stock_20261121.csv"),
])
def test_the_snapshot_for_the_as_of_date_is_chosen_and_named(make_project, select, as_of, chosen):
    db, report = _load(make_project(STOCK.replace("SELECT", select), SNAPSHOTS), as_of=as_of)
    (load,) = report.files
    assert load.file == chosen and load.status == "ok"
    assert db.rows("SELECT _source_file FROM wms.stock") == [(chosen,)]
    (source,) = report.by_source()
    assert source["snapshots"] == [f"{chosen} ({load.snapshot})"]


def test_select_all_loads_every_dated_file_oldest_first(make_project):
    _, report = _load(make_project(STOCK.replace("SELECT", "all"), SNAPSHOTS))
    assert [f.file for f in report.files] == [f for f in sorted(SNAPSHOTS) if "notes" not in f]


@pytest.mark.parametrize(("select", "as_of", "why"), [
    ("as_of", datetime(2026, 11, 19, 6, tzinfo=UTC), "no snapshot dated 2026-11-19 (newest: 2026-11-21)"),
    ("latest_not_after_as_of", datetime(2026, 11, 1, tzinfo=UTC), "no snapshot dated on or before 2026-11-01"),
])
def test_a_missing_snapshot_fails_the_source_with_a_named_problem(make_project, select, as_of, why):
    _, report = _load(make_project(STOCK.replace("SELECT", select), SNAPSHOTS), as_of=as_of)
    (load,) = report.files
    assert load.status == "failed" and load.problem is not None and load.problem.code == "I032"
    assert why in load.problem.message and "4 file(s)" in load.problem.message


@pytest.mark.parametrize(("path", "select", "code"), [
    ("wms/stock_{date:%Y%m}.csv", "as_of", "C031"),
    ("wms/stock_{date:%Y%m%d%Q}.csv", "as_of", "C031"),
    ("wms/stock_*.csv", "as_of", "C032"),
])
def test_dated_paths_are_checked_before_any_file_is_read(make_project, path, select, code):
    config = STOCK.replace("wms/stock_{date:%Y%m%d}.csv", path).replace("SELECT", select)
    with pytest.raises(ConfigError) as info:
        load_project(make_project(config, SNAPSHOTS))
    assert [p.code for p in info.value.problems] == [code]


def test_validate_checks_the_snapshot_of_the_configured_as_of(make_project):
    config = "as_of: 2026-11-19T06:00:00Z\n" + STOCK.replace("SELECT", "as_of")
    result = api.validate(make_project(config, SNAPSHOTS))
    assert [p.code for p in result.problems] == ["I032"]


SHIPMENTS = """
sources:
  tpl:
    system: wms
    entity: shipment_lines
    path: wms/ship_{date:%Y%m%d}.csv
    latest_by: {by: BY}
    columns:
      {shipment_id: SHIP, order_id: ORDER, line_no: LINE, qty: QTY, status: STATUS, seq: {column: SEQ, type: integer}}
"""


def test_a_re_sent_record_supersedes_the_older_copy(make_project):
    files = {
        "wms/ship_20261119.csv": "SHIP,ORDER,LINE,QTY,STATUS,SEQ\nS1,O1,1,5,PICKED,2\nS2,O1,2,1,SHIPPED,1\n",
        "wms/ship_20261120.csv": "SHIP,ORDER,LINE,QTY,STATUS,SEQ\nS1,O1,1,5,SHIPPED,1\n",
    }
    db, report = _load(make_project(SHIPMENTS.replace("BY", "file_date"), files))
    assert db.rows("SELECT shipment_id, status, _source_file FROM wms.shipment_lines ORDER BY 1") == [
        ("S1", "SHIPPED", "wms/ship_20261120.csv"), ("S2", "SHIPPED", "wms/ship_20261119.csv")]
    first, second = report.files
    assert (first.rows_read, first.rows_loaded, first.rows_superseded) == (2, 1, 1)
    assert (second.rows_read, second.rows_loaded, second.rows_superseded) == (1, 1, 0)
    assert db.rows('SELECT file, "row", "key", kept_file, kept_row FROM main.superseded') == [
        ("wms/ship_20261119.csv", 2, "S1 / O1 / 1", "wms/ship_20261120.csv", 2)]
    assert report.by_source()[0]["rows_superseded"] == 1
    # By a sequence column instead, the PICKED copy (seq 2) is the current one.
    db, _ = _load(make_project(SHIPMENTS.replace("BY", "seq"), files))
    assert db.rows("SELECT status FROM wms.shipment_lines WHERE shipment_id = 'S1'") == [("PICKED",)]


def test_latest_by_names_are_checked(make_project):
    config = SHIPMENTS.replace("BY", "sequence").replace("{by:", "{keys: [shipment], by:")
    with pytest.raises(ConfigError) as info:
        load_project(make_project(config, {}))
    assert [(p.code, p.path) for p in info.value.problems] == [
        ("C033", "sources.tpl.latest_by.keys"), ("C033", "sources.tpl.latest_by.by")]


@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["A", "B", "C"]), st.integers(1, 3)),
                min_size=1, max_size=25),
       st.sampled_from(["file", "file_date", "seq"]))
def test_latest_by_keeps_exactly_one_current_record_per_key(tmp_path_factory, rows, by):
    folder = tmp_path_factory.mktemp("latest")
    (folder / "wms").mkdir()
    for day in range(3):
        body = "".join(f"S{key},O,1,{seq},NEW,{seq}\n" for d, key, seq in rows if d == day)
        (folder / "wms" / f"ship_2026112{day}.csv").write_text("SHIP,ORDER,LINE,QTY,STATUS,SEQ\n" + body)
    (folder / "recon.yaml").write_text(SHIPMENTS.replace("BY", by))
    db, report = _load(folder / "recon.yaml")
    keys = {key for _, key, _ in rows}
    assert db.rows("SELECT count(*), count(DISTINCT shipment_id) FROM wms.shipment_lines") == [(len(keys), len(keys))]
    assert sum(f.rows_superseded for f in report.files) == len(rows) - len(keys)
    assert all(f.balanced for f in report.files)
    if by == "file_date":  # the current copy is from the newest file holding the key, its last row
        for key in keys:
            day = max(d for d, k, _ in rows if k == key)
            last = [s for d, k, s in rows if k == key and d == day][-1]
            assert db.rows(f"SELECT qty::INT FROM wms.shipment_lines WHERE shipment_id = 'S{key}'") == [(last,)]
    if by == "seq":
        for key in keys:
            assert db.rows(f"SELECT max(seq) FROM wms.shipment_lines WHERE shipment_id = 'S{key}'") == [
                (max(s for _, k, s in rows if k == key),)]


def test_spark_refuses_where_and_latest_by_at_validate_time(make_project):
    config = "engine: spark\n" + CARRIER
    with pytest.raises(ConfigError) as info:
        load_project(make_project(config, {"tms/events_1.csv": EVENTS}))
    assert [(p.code, p.path) for p in info.value.problems] == [("C034", "sources.carrier.where")]



def test_filtered_superseded_and_the_snapshot_are_shown_in_every_summary(make_project, tmp_path):
    from click.testing import CliRunner

    from recon.cli import main

    config = "rules: []\n" + CARRIER + STOCK.replace("SELECT", "as_of").split("sources:\n", 1)[1]
    project = make_project(config, {"tms/events_1.csv": EVENTS, **SNAPSHOTS})
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["run", "--config", str(project), "--out", str(out), "--as-of",
                                       "2026-11-20T06:00:00Z"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "filtered" in result.stdout and "superseded" in result.stdout
    assert "snapshot wms/stock_20261120.csv (2026-11-20)" in result.stdout
    summary = __import__("json").loads((out / "summary.json").read_text())
    carrier, stock = summary["sources"]
    assert carrier["rows_filtered"] == 3 and summary["totals"]["rows_filtered"] == 3
    assert stock["snapshots"] == ["wms/stock_20261120.csv (2026-11-20)"]
    html = (out / "report.html").read_text()
    assert ">filtered</th>" in html and "snapshot wms/stock_20261120.csv (2026-11-20)" in html
