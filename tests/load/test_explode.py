"""Nested JSON sources: `explode:` turns one record into a row per array element, losing no record."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recon.config import load_project
from recon.config.explode import parse_explode
from recon.config.schema import ColumnSpec
from recon.db import Database
from recon.errors import ConfigError
from recon.load.loader import Loader

CONFIG = """
sources:
  tms_loads:
    system: tms
    entity: deliveries
    path: {path}
    format: {fmt}
    explode: stops[].shipment_ids[]
    columns:
      shipment_id: stops.shipment_ids
      load_id: load_id
      carrier: carrier.scac
      delivered_at: stops.delivered_at
      stop_no: {{column: stops.seq, type: integer}}
"""

LOADS = [
    {"load_id": "L1", "carrier": {"scac": "ABCD"},
     "stops": [{"seq": 1, "delivered_at": "2026-12-01T10:00:00Z", "shipment_ids": ["S1", "S2"]},
               {"seq": 2, "delivered_at": "2026-12-01T12:00:00Z", "shipment_ids": ["S3"]}]},
    {"load_id": "L2", "stops": []},
    {"load_id": "L3", "stops": [{"seq": 1, "delivered_at": "garbage", "shipment_ids": ["S4"]},
                                {"seq": 2, "shipment_ids": None}]},
]


def _load(path):
    db = Database()
    report = Loader(load_project(path), db, "t1").load_all()
    return db, report


def test_a_jsonl_record_explodes_into_one_row_per_leaf_with_its_parents_fields(make_project):
    lines = "\n".join(json.dumps(r) for r in [LOADS[0], {}, LOADS[1], LOADS[2]]).replace("{}", "")
    db, report = _load(make_project(CONFIG.format(path="loads.jsonl", fmt="jsonl"), {"loads.jsonl": lines + "\n"}))
    assert db.rows("SELECT shipment_id, load_id, carrier, delivered_at, stop_no, _source_row, _source_path "
                   "FROM tms.deliveries ORDER BY _source_row, _source_path") == [
        ("S1", "L1", "ABCD", datetime(2026, 12, 1, 10, tzinfo=UTC), 1, 1, "stops[0].shipment_ids[0]"),
        ("S2", "L1", "ABCD", datetime(2026, 12, 1, 10, tzinfo=UTC), 1, 1, "stops[0].shipment_ids[1]"),
        ("S3", "L1", "ABCD", datetime(2026, 12, 1, 12, tzinfo=UTC), 2, 1, "stops[1].shipment_ids[0]"),
    ]
    # The blank line 2 is blank; L2 (line 3) explodes to nothing; L3's one shipment has a bad time.
    assert db.rows('SELECT "row", field, reason FROM main.rejects ORDER BY "row"') == [
        (3, None, "nothing to explode: stops[].shipment_ids[] has no element in this record (an array on the "
                  "path is empty, null, missing or not an array)"),
        (4, "delivered_at", "not an ISO timestamp (at stops[0].shipment_ids[0])"),
    ]
    (load,) = report.files
    assert (load.rows_read, load.rows_exploded, load.rows_loaded, load.rows_rejected) == (3, 2, 3, 2)
    assert load.balanced and load.lines is not None and load.lines.blank == 1
    assert db.rows("SELECT rows_read, rows_exploded FROM main.loads") == [(3, 2)]


def test_a_json_array_file_numbers_records_by_element(make_project):
    db, report = _load(make_project(CONFIG.format(path="loads.json", fmt="json"), {"loads.json": json.dumps(LOADS)}))
    rows = db.rows("SELECT shipment_id, _source_row, _source_path FROM tms.deliveries ORDER BY 1")
    assert rows == [("S1", 1, "stops[0].shipment_ids[0]"), ("S2", 1, "stops[0].shipment_ids[1]"),
                    ("S3", 1, "stops[1].shipment_ids[0]")]
    assert [r[0] for r in db.rows('SELECT "row" FROM main.rejects ORDER BY 1')] == [2, 3]
    assert report.files[0].balanced


def test_where_filters_exploded_rows_and_keys_between_arrays_are_objects(make_project):
    config = """
    sources:
      tms:
        system: tms
        entity: deliveries
        path: t.jsonl
        format: jsonl
        explode: trip.stops[].items[]
        where: "\\"trip.stops.kind\\" = 'DL'"
        columns:
          shipment_id: trip.stops.items.ref
          load_id: trip.id
    """
    record = {"trip": {"id": "T1", "stops": [{"kind": "PU", "items": [{"ref": "A"}]},
                                             {"kind": "DL", "items": [{"ref": "B"}, {"ref": "C"}]}]}}
    db, report = _load(make_project(config, {"t.jsonl": json.dumps(record) + "\n"}))
    assert db.rows("SELECT shipment_id, load_id, _source_path FROM tms.deliveries ORDER BY 1") == [
        ("B", "T1", "trip.stops[1].items[0]"), ("C", "T1", "trip.stops[1].items[1]")]
    (load,) = report.files
    assert (load.rows_read, load.rows_exploded, load.rows_filtered, load.rows_loaded) == (1, 2, 1, 2)


def test_a_mapped_address_no_record_holds_fails_the_file_naming_what_is_there(make_project):
    config = CONFIG.format(path="loads.jsonl", fmt="jsonl").replace("stops.delivered_at", "stops.delivered")
    _db, report = _load(make_project(config, {"loads.jsonl": json.dumps(LOADS[0]) + "\n"}))
    (load,) = report.files
    assert load.status == "failed" and load.problem is not None and load.problem.code == "I004"
    assert "stops.delivered_at" in (load.problem.hint or "")


# -- validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "levels"), [
    ("stops[].shipment_ids[]", [("stops", ("stops",)), ("stops.shipment_ids", ("shipment_ids",))]),
    ("a.b[]", [("a.b", ("a", "b"))]),
    ('"x.y"[].z[]', [("x.y", ("x.y",)), ("x.y.z", ("z",))]),
])
def test_explode_paths_parse_into_levels(text, levels):
    path = parse_explode(text)
    assert path.error is None
    assert [(lv.name, lv.keys) for lv in path.levels] == levels


@pytest.mark.parametrize("text", ["stops", "stops[].ids", "", "a..b[]", "a[]b[]", "a[].", "[]"])
def test_malformed_explode_paths_say_why(text):
    assert parse_explode(text).error


def _problems(make_project, config, files=None):
    with pytest.raises(ConfigError) as err:
        load_project(make_project(config, files or {}))
    return [(p.code, p.path) for p in err.value.problems]


def test_validation_names_a_bad_path_an_unexplodable_format_and_the_spark_engine(make_project):
    bad = CONFIG.format(path="l.jsonl", fmt="jsonl").replace("stops[].shipment_ids[]", "stops[].shipment_ids")
    assert ("C040", "sources.tms_loads.explode") in _problems(make_project, bad)
    csv = CONFIG.format(path="l.csv", fmt="csv")
    assert ("C034", "sources.tms_loads.explode") in _problems(make_project, csv)
    spark = CONFIG.format(path="l.jsonl", fmt="jsonl") + "engine: spark\n"
    assert ("C034", "sources.tms_loads.explode") in _problems(make_project, spark)


UNNEST = """
sources:
  tms_loads:
    system: tms
    entity: deliveries
    path: loads.jsonl
    format: jsonl
    columns:
      shipment_id: {expr: "unnest(json_extract_string(stops, '$[*].shipment_ids[*]'))"}
      load_id: load_id
"""


def test_the_unnest_mapping_that_crashed_a_run_fails_validation_with_a_named_problem(make_project):
    assert _problems(make_project, UNNEST) == [("C041", "sources.tms_loads.columns.shipment_id.expr")]
    aggregate = UNNEST.replace("unnest(json_extract_string(stops, '$[*].shipment_ids[*]'))", "max(load_id)")
    assert _problems(make_project, aggregate) == [("C041", "sources.tms_loads.columns.shipment_id.expr")]
    window = UNNEST.replace("unnest(json_extract_string(stops, '$[*].shipment_ids[*]'))",
                            "load_id || row_number() OVER ()")
    load_project(make_project(window))  # one value per row: fine


def test_a_row_count_change_validation_cannot_see_fails_the_file_not_the_run(make_project):
    # The loader's own guard, behind validation: a mapping that makes rows (here an unnest slipped in
    # after validation) fails its file with I040; nothing is half loaded and no internal error is raised.
    files = {"loads.jsonl": "\n".join(json.dumps(r) for r in LOADS) + "\n"}
    project = load_project(make_project(UNNEST.replace(
        "{expr: \"unnest(json_extract_string(stops, '$[*].shipment_ids[*]'))\"}", "load_id"), files))
    source = project.config.sources["tms_loads"]
    sneaky = source.model_copy(update={"columns": {**source.columns, "shipment_id": ColumnSpec(
        expr="unnest(json_extract_string(stops, '$[*].shipment_ids[*]'))")}})
    config = project.config.model_copy(update={"sources": {"tms_loads": sneaky}})
    db = Database()
    report = Loader(replace(project, config=config), db, "t1").load_all()
    (load,) = report.files
    assert load.status == "failed" and load.problem is not None and load.problem.code == "I040"
    assert db.scalar("SELECT count(*) FROM tms.deliveries") == 0


# -- conservation over random nesting -------------------------------------------------------------

_ids = st.one_of(st.none(), st.just("x"), st.lists(st.one_of(st.none(), st.sampled_from(["A", "B", "C"])),
                                                    max_size=3))
_stop = st.one_of(st.none(), st.just(7), st.fixed_dictionaries({}, optional={"shipment_ids": _ids}))
_record = st.fixed_dictionaries({"load_id": st.sampled_from(["L1", "L2"])},
                                optional={"stops": st.one_of(st.none(), st.just({}), st.lists(_stop, max_size=3))})
_line = st.one_of(_record.map(json.dumps), st.just(""), st.just("[1]"), st.just("{broken"))


def _expected(record: dict) -> list[tuple[str | None, str]]:
    leaves = []
    stops = record.get("stops")
    for i, stop in enumerate(stops if isinstance(stops, list) else []):
        ids = stop.get("shipment_ids") if isinstance(stop, dict) else None
        for j, leaf in enumerate(ids if isinstance(ids, list) else []):
            leaves.append((leaf, f"stops[{i}].shipment_ids[{j}]"))
    return leaves


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, max_size=8))
@example(lines=["", '{"load_id": "L1", "stops": [{"shipment_ids": ["A"]}]}'])  # a leading blank line is line 1
def test_every_record_is_loaded_exploded_or_rejected(make_project, lines):
    config = """
    sources:
      tms:
        system: tms
        entity: deliveries
        path: l.jsonl
        format: jsonl
        explode: stops[].shipment_ids[]
        columns:
          shipment_id: stops.shipment_ids
          load_id: load_id
    """
    db, report = _load(make_project(config, {"l.jsonl": ("\n".join(lines) + "\n").encode()}))
    (load,) = report.files
    assert load.status == "ok", load.problem
    records = [json.loads(line) for line in lines if line.startswith('{"')]
    leaves = [(n, leaf, at) for n, line in enumerate(lines, start=1) if line.startswith('{"')
              for leaf, at in _expected(json.loads(line))]
    assert load.rows_read == sum(1 for line in lines if line.strip())
    empty = sum(1 for r in records if not _expected(r))
    produced = len(leaves)
    assert load.rows_exploded == produced - (len(records) - empty)
    assert load.rows_read + load.rows_exploded == load.rows_loaded + load.rows_rejected
    assert sorted(db.rows("SELECT _source_row, shipment_id, _source_path FROM tms.deliveries")) == \
        sorted((n, leaf, at) for n, leaf, at in leaves if leaf is not None)
    rejected = db.rows('SELECT "row", reason FROM main.rejects')
    assert sum(1 for _, reason in rejected if reason.startswith("nothing to explode")) == empty
    assert sum(1 for _, reason in rejected if reason.startswith("missing key field")) == \
        sum(1 for _, leaf, _ in leaves if leaf is None)


def test_an_exploded_event_list_pivots_into_one_row_per_shipment(make_project):
    config = """
    sources:
      carrier:
        system: tms
        entity: deliveries
        path: events.jsonl
        explode: events[]
        pivot:
          by: [shipment]
          fields:
            PICKED: "first(\\"events.at\\") where \\"events.code\\" = 'PU'"
            DELIVERED: "last(\\"events.at\\") where \\"events.code\\" = 'DL'"
        columns: {shipment_id: shipment, picked_up_at: PICKED, delivered_at: DELIVERED}
    """
    records = [{"shipment": "S1", "events": [{"code": "PU", "at": "2026-12-01T08:00:00Z"},
                                             {"code": "DL", "at": "2026-12-02T10:00:00Z"}]},
               {"shipment": "S2", "events": []}]
    db, report = _load(make_project(config, {"events.jsonl": "\n".join(json.dumps(r) for r in records) + "\n"}))
    assert db.rows("SELECT shipment_id, picked_up_at, delivered_at FROM tms.deliveries") == [
        ("S1", datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 2, 10, tzinfo=UTC))]
    (load,) = report.files
    assert (load.rows_read, load.rows_exploded, load.rows_pivoted, load.rows_loaded, load.rows_rejected) == \
        (2, 1, 1, 1, 1)
    assert load.balanced
