"""Properties: nothing is lost, and normalisation behaves like the config says."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.config import load_project
from recon.db import Database
from recon.load.loader import Loader
from recon.normalise import base_clean, compile_steps

CONFIG = """
sources:
  lines:
    system: erp
    entity: order_lines
    path: lines.csv
    columns:
      order_id: id
      line_no: line
      qty: qty
      unit_price: price
"""

good_cell = {
    "id": st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True),
    "line": st.integers(1, 999).map(str),
    "qty": st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False).map(str),
    "price": st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False).map(str),
}
bad_cell = {
    "id": st.just(""),
    "line": st.sampled_from(["x", "1.5", "ten"]),
    "qty": st.sampled_from(["abc", "1,2,3", "--1"]),
    "price": st.sampled_from(["$", "1e", "one"]),
}


@st.composite
def rows(draw):
    out = []
    for _ in range(draw(st.integers(0, 25))):
        bad = draw(st.sets(st.sampled_from(list(good_cell)), max_size=2))
        out.append({c: draw(bad_cell[c] if c in bad else good_cell[c]) for c in good_cell})
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows())
def test_rows_read_equal_loaded_plus_rejected_and_rejects_name_row_and_field(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("p")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(good_cell), lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)
    (folder / "lines.csv").write_text(buffer.getvalue())
    (folder / "recon.yaml").write_text(CONFIG)
    db = Database()
    report = Loader(load_project(folder / "recon.yaml"), db, "p").load_all()
    load = report.files[0]
    assert load.rows_read == len(data)
    assert load.rows_read == load.rows_loaded + load.rows_rejected
    assert db.scalar("SELECT count(*) FROM erp.order_lines") == load.rows_loaded
    expected_bad = {i + 2 for i, r in enumerate(data) if any(r[c] == "" or r[c] in ("x", "1.5", "ten", "abc", "1,2,3",
                    "--1", "$", "1e", "one") for c in r)}
    rejected = db.rows('SELECT "row", field, reason FROM rejects')
    assert {r[0] for r in rejected} == expected_bad
    assert all(r[1] in good_cell.values() or r[1] in ("order_id", "line_no", "qty", "unit_price") for r in rejected)
    assert all(r[2] for r in rejected)


def _apply(steps, value, lookups=None):
    db = _apply.db
    expr = compile_steps(base_clean("$v"), steps, lookups or {})
    return db.scalar(f"SELECT {expr}", {"v": value})


_apply.db = Database()
key_text = st.text(alphabet="0123456789ABCabc -_'\";", max_size=12)


@given(key_text)
def test_normalisers_are_idempotent(value):
    for steps in (["trim"], ["upper"], ["strip_leading_zeros"], [{"zero_pad": 8}], [{"add_prefix": "SO-"}],
                  ["collapse_spaces"], [{"strip_prefix": "SO-"}, "strip_leading_zeros"]):
        assert _apply(steps + steps, value) == _apply(steps, value)


@given(st.integers(0, 10**9), st.integers(0, 6))
def test_zero_padded_and_plain_keys_meet(number, zeros):
    padded = "0" * zeros + str(number)
    assert _apply(["strip_leading_zeros"], padded) == str(number)
    assert _apply([{"zero_pad": 12}], padded.lstrip("0") or "0") == _apply([{"zero_pad": 12}], str(number))


@given(st.text(alphabet=" \t\r\n\u00a0", max_size=6))
def test_empty_and_blank_cells_are_null(value):
    assert _apply([], value) is None
    assert _apply([], value + "L7" + value) == "L7"


@given(key_text)
def test_data_values_with_quotes_and_sql_are_just_text(value):
    # Data is bound as a parameter, never spliced into SQL: any text survives a round trip.
    assert _apply(["upper"], value) == (value.strip().upper() or None)


def test_map_leaves_unknown_codes_alone():
    lookups = {"plants": {"P100": "DC-EAST"}}
    assert _apply([{"map": "plants"}], "P100", lookups) == "DC-EAST"
    assert _apply([{"map": "plants"}], "P999", lookups) == "P999"


def test_paths_are_relative_to_config(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "lines.csv").write_text("id,line,qty,price\nA,1,2,3\n")
    (tmp_path / "recon.yaml").write_text(CONFIG.replace("path: lines.csv", "path: sub/lines.csv"))
    db = Database()
    report = Loader(load_project(tmp_path / "recon.yaml"), db, "p").load_all()
    assert report.files[0].file == "sub/lines.csv" and report.files[0].rows_loaded == 1
