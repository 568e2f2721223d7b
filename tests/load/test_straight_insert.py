"""A file without rejects is inserted straight from its mapping; the result is the table path's, exactly.

`Loader._insert_clean` skips the temp table a mapping used to be stored in before its copy into the
canonical table. A file with a reject (or a mapping that makes rows, see test_explode) goes the
table way. Both ways must give the same canonical rows in the same order and the same rejects
(file, line, field, raw value, reason): compared here over dirty cells.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.config import load_project
from recon.db import Database
from recon.load.loader import Loader

CONFIG = """
sources:
  lines:
    system: erp
    entity: order_lines
    path: lines.csv
    options: {null_values: ["N/A", "-"]}
    columns:
      order_id: {column: id, normalise: [strip_leading_zeros]}
      line_no: line
      item_id: {column: item, normalise: [upper]}
      description: item
      qty: qty
      unit_price: price
      requested_at: {column: at, type: timestamp}
"""
HEADER = ["id", "line", "item", "qty", "price", "at"]

# Cells a person or a system writes: clean, padded, NBSP, underscores, signs, exponents, extra
# decimals, null markers, non-ASCII digits, empty, a NUL byte.
_dirt = ["", " ", "\u00a0", "N/A", "-", "\u0661", "\x00"]
_number = st.sampled_from(["7", " 7 ", "\u00a07", "1_000", "+3", "-2", "1e3", "2.5", "0.123456789", "1,5",
                           "007", "\u0663", "x", *_dirt])
_cell = {
    "id": st.sampled_from(["A1", "00042", " B7 ", "a\u00a0", "1_2", *_dirt]),
    "line": st.sampled_from(["1", "10", " 3", "1.0", "1.5", "+2", "1e1", "\u0662", "0010", *_dirt]),
    "item": st.sampled_from(["sku-1", " Sku-2 ", "ÄÖ", "x_y", *_dirt]),
    "qty": _number,
    "price": _number,
    "at": st.sampled_from(["2026-11-20", "2026-11-20T06:00:00", "2026-11-20 06:00:00+01:00", "20261120",
                           "2026-02-30", "yesterday", *_dirt]),
}
_clean = {"id": "A1", "line": "1", "item": "sku", "qty": "2", "price": "3.5", "at": "2026-11-20"}


def _write(folder: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / "lines.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (folder / "recon.yaml").write_text(CONFIG, encoding="utf-8")


def _load(folder: Path, *, straight: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """Canonical rows (file order), rejects and counts of one load; `straight=False` forces the table way."""
    with monkeypatch.context() as patch:
        if not straight:
            patch.setattr(Loader, "_insert_clean", lambda self, sql, expected: None)
        db = Database()
        load = Loader(load_project(folder / "recon.yaml"), db, "run").load_all().files[0]
    canonical = db.rows("SELECT * EXCLUDE (_load_id) FROM erp.order_lines ORDER BY rowid")
    rejects = db.rows('SELECT file, "row", field, raw_value, reason FROM main.rejects ORDER BY rowid')
    return canonical, rejects, (load.status, load.rows_read, load.rows_loaded, load.rows_rejected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.fixed_dictionaries(_cell), max_size=12), clean=st.integers(0, 3))
def test_the_straight_insert_and_the_table_way_agree_on_rows_and_rejects(tmp_path_factory, monkeypatch, data, clean):
    folder = tmp_path_factory.mktemp("s")
    _write(folder, [dict(_clean, id=f"C{i}") for i in range(clean)] + data)
    straight = _load(folder, straight=True, monkeypatch=monkeypatch)
    assert straight == _load(folder, straight=False, monkeypatch=monkeypatch)
    status, read, loaded, rejected = straight[2]
    assert status == "ok" and read == loaded + rejected == clean + len(data)


def test_a_file_without_rejects_is_not_stored_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The point of the straight insert: no temp table of mapped rows when no row has a reject;
    # a file with one reject still gets it, and its clean rows are loaded.
    statements: list[str] = []
    real = Database.execute

    def spy(self: Database, sql: str, params: Any = None) -> None:
        statements.append(sql)
        real(self, sql, params)

    monkeypatch.setattr(Database, "execute", spy)
    _write(tmp_path, [dict(_clean, id=f"C{i}") for i in range(3)])
    canonical, rejects, counts = _load(tmp_path, straight=True, monkeypatch=monkeypatch)
    assert counts == ("ok", 3, 3, 0) and [r[0] for r in canonical] == ["C0", "C1", "C2"] and rejects == []
    assert not [s for s in statements if s.startswith("CREATE TEMP TABLE _mapped")]

    statements.clear()
    _write(tmp_path, [dict(_clean, id="C0"), dict(_clean, id="C1", qty="ten"), dict(_clean, id="C2")])
    canonical, rejects, counts = _load(tmp_path, straight=True, monkeypatch=monkeypatch)
    assert counts == ("ok", 3, 2, 1) and [r[0] for r in canonical] == ["C0", "C2"]
    assert rejects == [("lines.csv", 3, "qty", "ten", rejects[0][4])]
    assert [s for s in statements if s.startswith("CREATE TEMP TABLE _mapped")]
