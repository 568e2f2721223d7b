"""The mapping's nested selects give what the one flat expression per field gives, on dirty cells.

`mapped_select` cleans each cell once in an inner select and normalises and types it from that
column; the flat form substitutes the cleaning into every place that reads it (what the mapping
compiled to before). Both run on the same cells: blanks, no-break spaces, tabs, signs,
separators, digits of other scripts, null markers. The cleaning and `strip_leading_zeros` are
also checked against Python's own string functions.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.config import load_project
from recon.db import Database
from recon.load.mapping import FieldPlan, flagged_select, mapped_select, plan_fields, rejects_select
from recon.normalise import base_clean, compile_steps
from recon.sql import ident

CONFIG = """
lookups:
  units: {"EA": "EACH", "0": "ZERO"}
sources:
  lines:
    system: erp
    entity: order_lines
    path: lines.csv
    options: {null_values: ["N/A", "-", "null"], decimal: ",", thousands: "."}
    columns:
      order_id: {column: a, normalise: [strip_leading_zeros]}
      line_no: b
      item_id: {column: c, normalise: [upper, {strip_prefix: "M-"}, strip_leading_zeros, {zero_pad: 4}]}
      qty: d
      unit_price: e
      uom: {column: f, normalise: [{map: units}, collapse_spaces]}
      lot: a
      order_count: {column: b, type: integer}
      flag: {column: c, type: boolean}
  heads:
    system: erp
    entity: orders
    path: heads.csv
    columns:
      order_id: {expr: "a || b", normalise: [trim, lower]}
      ordered_at: c
      released_at: {column: d, format: "%Y%m%d%H%M%S"}
      customer_id: e
      placed_on: {column: f, type: date}
      total: {column: a, type: decimal}
"""
COLUMNS = ("a", "b", "c", "d", "e", "f")

# Characters a cell of a real extract carries: spaces of several kinds at either end, signs and
# separators, zeros, letters, digits of other scripts (Arabic-Indic, Devanagari, fullwidth).
_ALPHABET = " \t\r\n\u00a0" + "0000123456789" + "+-.,_eE:TZ" + "aM-EAxé" + "\u0663\u0967\uff11"
_MARKERS = st.sampled_from(["N/A", "-", "null", " N/A ", "\u00a0-", "NULL", ""])
_SHAPED = st.sampled_from(["000010", "10", "10.000", "10,5", "1.234,5", "1.234.567", "12.34", "1_000", "+7",
                           "-0", "0000", "2026-11-20T06:00:00", "2026-11-20 06:00:00+02", "20261120060000",
                           "2026-11-20", "M-000123", "m-0", " ea ", "EA", "true", "0", "\u0663\u0664",
                           "99999999999", "123456789"])
cells = st.one_of(st.none(), _MARKERS, _SHAPED, st.text(alphabet=_ALPHABET, max_size=12),
                  st.builds(lambda pad, core, end: pad + core + end, st.sampled_from(["", " ", "\t", "\u00a0", "\r\n"]),
                            _SHAPED, st.sampled_from(["", " ", "\t", "\u00a0", "\n"])))


def _flat(plan: FieldPlan) -> str:
    """The field's typed value as one expression over the raw row: the cleaning substituted in place."""
    norm = plan.norm_sql.replace(ident(plan.name + "__raw"), f"({plan.raw_sql})")
    typed = plan.typed_sql.replace(ident(plan.name + "__norm"), f"({norm})")
    return typed.replace(ident(plan.name + "__raw"), f"({plan.raw_sql})")


def _plans(tmp_path: Path) -> dict[str, list[FieldPlan]]:
    (tmp_path / "recon.yaml").write_text(CONFIG)
    config = load_project(tmp_path / "recon.yaml").config
    return {name: plan_fields(config, source, source.entity or "") for name, source in config.sources.items()}


_DB = Database()


def _cells(db: Database, rows: list[tuple]) -> None:
    """The generated rows as the text table `cells` (the raw table a mapping reads), numbered from 0."""
    db.execute("CREATE OR REPLACE TEMP TABLE cells (_source_row BIGINT, "
               + ", ".join(f"{c} VARCHAR" for c in COLUMNS) + ")")
    db.con.executemany(f"INSERT INTO cells VALUES (?{', ?' * len(COLUMNS)})", [(i, *r) for i, r in enumerate(rows)])


# Few examples of many rows: each row is its own case, and the flat form takes DuckDB long to plan.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(*(cells for _ in COLUMNS)), min_size=1, max_size=80))
def test_nested_mapping_equals_the_flat_expressions(tmp_path_factory, rows):
    plans = _plans(tmp_path_factory.mktemp("m"))
    db = _DB
    _cells(db, rows)
    for fields in plans.values():
        nested = db.rows(f"SELECT * FROM ({mapped_select(fields, 'cells')}) ORDER BY _rid")
        flat_cols = ", ".join(f"{p.raw_sql} AS {ident(p.name + '__raw')}, {_flat(p)} AS {ident(p.name)}"
                              for p in fields)
        flat = db.rows(f"SELECT row_number() OVER () AS _rid, _source_row, {flat_cols} FROM cells ORDER BY _rid")
        assert nested == flat
        assert len(nested) == len(rows)


def _clean(value: str | None, markers: tuple[str, ...] = ()) -> str | None:
    text = None if value is None else value.strip(" \t\r\n\u00a0")
    return None if text is None or text == "" or text in markers else text


# The edge test masks a code point's bit 7 (`c & ~128 <= 32`): characters on both sides of each
# boundary it draws (32/33, 127/128, 160/161, 255/256, 288/289, 416/417) and the C1 controls.
_EDGES = "\x1f\x20\x21\x7f\x80\x85\x9f\u00a1\u00ff\u0100\u0120\u0121\u01a0\u01a1"


@given(st.lists(st.one_of(st.none(), st.text(alphabet=" \t\r\n\u00a0\u2003\x0b\x0c0aé-" + _EDGES, max_size=8)),
                max_size=20))
def test_cleaning_trims_exactly_the_five_characters_and_nothing_else(values):
    db = _DB
    got = db.rows(f"SELECT {base_clean('v', ['-', 'a'])} FROM (SELECT unnest($v::VARCHAR[]) AS v)", {"v": values})
    assert [r[0] for r in got] == [_clean(v, ("-", "a")) for v in values]


@given(st.lists(st.one_of(st.none(), st.text(alphabet="000 1a\u0660", max_size=8)), max_size=20))
def test_strip_leading_zeros_keeps_one_zero_of_a_zero_and_empty_stays_empty(values):
    db = _DB
    expr = compile_steps("v", ["strip_leading_zeros", {"add_prefix": "K"}], {})
    got = db.rows(f"SELECT {expr} FROM (SELECT unnest($v::VARCHAR[]) AS v)", {"v": values})

    def oracle(v: str | None) -> str | None:
        if v is None:
            return None
        stripped = v.lstrip("0") or v[:1]
        return "K" + stripped if not stripped.startswith("K") else stripped

    assert [r[0] for r in got] == [oracle(v) for v in values]


_MANY_MARKERS = ("NULL", "N/A", "-", "#N/A", "none", "?", "n/a")


@given(st.lists(st.one_of(st.none(), st.sampled_from(_MANY_MARKERS), st.text(alphabet=" \u00a0N/A-#?ln", max_size=6)),
                max_size=20))
def test_many_null_markers_clean_as_few_do_and_plan_no_join(values):
    """Five or more markers: DuckDB would plan `IN (...)` as a join per field (3x the cleaning)."""
    db = _DB
    sql = f"SELECT {base_clean('v', list(_MANY_MARKERS))} FROM (SELECT unnest($v::VARCHAR[]) AS v)"
    assert [r[0] for r in db.rows(sql, {"v": values})] == [_clean(v, _MANY_MARKERS) for v in values]
    plan = "\n".join(str(r[-1]) for r in db.rows("EXPLAIN " + sql.replace("$v", "['x']")))
    assert "JOIN" not in plan.upper(), plan


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(*(cells for _ in COLUMNS)), min_size=1, max_size=80))
def test_flagged_rows_give_the_full_mappings_rows_and_rejects(tmp_path_factory, rows):
    """`flagged_select` (raw text kept only on rows with a reject) against `mapped_select` over every row.

    The same typed values in the same order; `_bad` exactly on the rows `rejects_select` names;
    and `rejects_select` over the flagged bad rows gives the same rejects, raw values and reasons.
    """
    plans = _plans(tmp_path_factory.mktemp("f"))
    db = _DB
    _cells(db, rows)
    for fields in plans.values():
        typed = ", ".join(ident(p.name) for p in fields)
        db.execute(f"CREATE OR REPLACE TEMP TABLE full_map AS {mapped_select(fields, 'cells', row_id=None)}")
        db.execute(f"CREATE OR REPLACE TEMP TABLE flagged AS {flagged_select(fields, 'cells')}")
        assert db.rows(f"SELECT _source_row, {typed} FROM flagged ORDER BY rowid") == \
            db.rows(f"SELECT _source_row, {typed} FROM full_map ORDER BY rowid")
        expected = db.rows(f"SELECT * FROM ({rejects_select(fields, 'full_map', row_id='rowid')}) ORDER BY ALL")
        db.execute("CREATE OR REPLACE TEMP VIEW bad_rows AS SELECT rowid AS _m, * FROM flagged WHERE _bad")
        assert db.rows(f"SELECT * FROM ({rejects_select(fields, 'bad_rows', row_id='_m')}) ORDER BY ALL") == expected
        assert sorted(r[0] for r in db.rows("SELECT rowid FROM flagged WHERE _bad")) == \
            sorted({r[0] for r in expected})
        raws = " OR ".join(f"{ident(p.name + '__raw')} IS NOT NULL" for p in fields)
        assert db.scalar(f"SELECT count(*) FROM flagged WHERE NOT _bad AND ({raws})") == 0
