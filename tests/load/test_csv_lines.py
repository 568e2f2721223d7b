"""CSV and JSONL rows are accounted on the file's physical lines: nothing merged, lost or renumbered."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.config import load_project
from recon.config.schema import ReaderOptions
from recon.db import Database
from recon.load.loader import Loader
from recon.load.readers import read_csv

CONFIG = """
sources:
  people:
    system: crm
    entity: orders
    path: {path}
    {options}
    columns:
      order_id: id
      customer_name: name
"""


def _load(make_project, path: str, content: str | bytes, options: str = ""):
    config = make_project(CONFIG.format(path=path, options=options), {path: content})
    db = Database()
    report = Loader(load_project(config), db, "t").load_all()
    return db, report.files[0]


def _stray_file(rows: int, at: int) -> str:
    body = "".join(f'{n},1,1,"12 inch\n' if n == at else f'{n},1,1,"Smith, John"\n' for n in range(1, rows + 1))
    return "id,a,b,name\n" + body


def test_a_stray_quote_costs_its_own_line_only(make_project):
    db, load = _load(make_project, "people.csv", _stray_file(30_000, 25_000))
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (30_000, 29_999, 1)
    assert db.rows('SELECT "row", raw_value, reason FROM rejects') == [
        (25_001, '25000,1,1,"12 inch', "unterminated quoted field (no closing quote)")]
    # Every later row keeps its own line: id n is on line n + 1.
    assert db.scalar("SELECT count(*) FROM crm.orders WHERE _source_row <> order_id::BIGINT + 1") == 0
    assert db.rows("SELECT order_id, customer_name FROM crm.orders WHERE _source_row = 25002") == [
        ("25001", "Smith, John")]
    assert load.lines.total == 30_001 and load.lines.header == 1 and load.lines.records == 30_000


def test_a_stray_quote_near_the_top_does_not_unquote_the_file(make_project):
    db, load = _load(make_project, "people.csv", _stray_file(30_000, 10))
    assert (load.rows_loaded, load.rows_rejected) == (29_999, 1)
    assert db.rows('SELECT "row" FROM rejects') == [(11,)]
    assert db.scalar("SELECT count(*) FROM crm.orders WHERE customer_name = 'Smith, John'") == 29_999


def test_explicit_delimiter_and_quote_are_never_sniffed(make_project):
    content = 'id;name\n1;a\n2;"b\n3;c\n4;d\n5;e\n'
    db, load = _load(make_project, "people.csv", content, "options: {delimiter: ';', quote: '\"'}")
    assert load.status == "ok"
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (5, 4, 1)
    assert db.rows('SELECT "row", reason FROM rejects') == [(3, "unterminated quoted field (no closing quote)")]
    assert db.rows("SELECT order_id, _source_row FROM crm.orders ORDER BY 2") == [
        ("1", 2), ("3", 4), ("4", 5), ("5", 6)]


def test_blank_lines_and_multi_line_fields_keep_editor_line_numbers(make_project):
    content = 'id,name\n1,"two\nlines"\n\n2,b\n3,"x"\n\n\n4,"a\n\nb"\n5,e\n'
    db, load = _load(make_project, "people.csv", content)
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (5, 5, 0)
    assert db.rows("SELECT order_id, customer_name, _source_row FROM crm.orders ORDER BY 3") == [
        ("1", "two\nlines", 2), ("2", "b", 5), ("3", "x", 6), ("4", "a\n\nb", 9), ("5", "e", 12)]
    lines = load.lines
    assert (lines.total, lines.header, lines.blank, lines.continuation, lines.records) == (12, 1, 3, 3, 5)


def test_blank_lines_alone_take_the_fast_path_and_keep_numbers(make_project):
    db, load = _load(make_project, "people.csv", "id,name\n1,a\n\n2,b\n3\n\n4,d\n")
    assert (load.rows_loaded, load.rows_rejected) == (3, 1)
    assert db.rows("SELECT order_id, _source_row FROM crm.orders ORDER BY 2") == [("1", 2), ("2", 4), ("4", 7)]
    assert db.rows('SELECT "row" FROM rejects') == [(5,)]


def test_a_line_over_max_line_size_is_one_reject_naming_it(make_project):
    big = "x" * 3_000_000
    content = f"id,name\n1,a\n2,{big}\n3,c\n"
    db, load = _load(make_project, "people.csv", content)  # 3 MB is under the 16 MB default
    assert (load.rows_loaded, load.rows_rejected) == (3, 0)
    db, load = _load(make_project, "people.csv", content, "options: {max_line_size: 1048576}")
    assert load.status == "ok" and (load.rows_loaded, load.rows_rejected) == (2, 1)
    (row, raw, reason), = db.rows('SELECT "row", raw_value, reason FROM rejects')
    assert row == 3 and reason == "line longer than max_line_size (1048576 bytes)" and len(raw) < 300
    assert db.rows("SELECT order_id, _source_row FROM crm.orders ORDER BY 2") == [("1", 2), ("3", 4)]


def test_a_line_longer_than_the_read_buffer_is_still_a_reject(make_project):
    # DuckDB drops a line longer than its buffer without a word; the buffer grows to the file then.
    content = "id,name\n1,a\n2," + "x" * 5_000_000 + "\n3,c\n"
    db, load = _load(make_project, "people.csv", content, "options: {max_line_size: 1048576}")
    assert (load.rows_read, load.rows_loaded, load.rows_rejected) == (3, 2, 1)
    assert db.rows('SELECT "row" FROM rejects') == [(3,)]


def test_a_jsonl_line_over_max_line_size_is_one_reject(make_project):
    rows = [json.dumps({"id": str(n), "name": "x" * (2_000_000 if n == 2 else 3)}) for n in range(1, 5)]
    db, load = _load(make_project, "people.jsonl", "\n".join(rows) + "\n\n", "options: {max_line_size: 1048576}")
    assert load.status == "ok" and (load.rows_read, load.rows_loaded, load.rows_rejected) == (4, 3, 1)
    assert db.rows('SELECT "row", reason FROM rejects') == [(2, "line longer than max_line_size (1048576 bytes)")]
    assert db.rows("SELECT order_id, _source_row FROM crm.orders ORDER BY 2") == [("1", 1), ("3", 3), ("4", 4)]
    assert (load.lines.total, load.lines.blank) == (5, 1)


def test_an_empty_file_is_said_to_be_empty_and_a_header_alone_loads_nothing(make_project):
    _, load = _load(make_project, "people.csv", "")
    assert load.status == "failed" and load.problem.code == "I020" and "empty" in load.problem.message
    _, load = _load(make_project, "people.csv", "id,name\n")
    assert load.status == "ok" and (load.rows_read, load.rows_loaded, load.rows_rejected) == (0, 0, 0)


def test_duplicate_header_names_are_a_problem_naming_both_columns(make_project):
    _, load = _load(make_project, "people.csv", "id,name,NAME\n1,a,b\n")
    assert load.status == "failed" and load.problem.code == "I021"
    assert "columns 2 ('name') and 3 ('NAME')" in load.problem.message
    # A duplicate the mapping does not read is harmless.
    _, load = _load(make_project, "people.csv", "id,name,x,x\n1,a,b,c\n")
    assert load.status == "ok" and load.rows_loaded == 1


def test_utf16_big_endian_fails_the_file_instead_of_loading_nothing(make_project):
    """DuckDB reads UTF-16 little-endian whatever the byte order mark: a big-endian file loaded as
    one line of other characters, 0 rows and status ok (every row lost). Now it fails, saying why."""
    text = "id,name\n1,Zoë\n2,Ann\n"
    for data in (b"\xfe\xff" + text.encode("utf-16-be"), text.encode("utf-16-be")):
        _, load = _load(make_project, "people.csv", data, "options: {encoding: utf-16}")
        assert load.status == "failed" and load.problem.code == "I025"
        assert "iconv -f UTF-16BE" in load.problem.hint
    for data in (b"\xff\xfe" + text.encode("utf-16-le"), text.encode("utf-16-le")):
        db, load = _load(make_project, "people.csv", data, "options: {encoding: utf-16}")
        assert load.status == "ok" and load.rows_loaded == 2
        assert db.rows("SELECT customer_name FROM crm.orders ORDER BY 1") == [("Ann",), ("Zoë",)]


def test_utf16_without_a_bom_read_as_utf8_gets_a_hint(make_project):
    data = "id,name\n1,Zoë\n".encode("utf-16-le")
    _, load = _load(make_project, "people.csv", data)
    assert load.status == "failed" and load.problem.code == "I023"
    assert load.problem.hint == "set options: {encoding: utf-16}"
    assert "\x00" not in load.problem.render()
    db, load = _load(make_project, "people.csv", data, "options: {encoding: utf-16}")
    assert load.status == "ok" and db.rows("SELECT customer_name FROM crm.orders") == [("Zoë",)]


# -- property: every physical line is loaded, rejected or accounted for, on its true number -------

LIMIT = 2048
_text = st.text(alphabet='a ,"\né', max_size=6)


def _quoted(value: str) -> str:
    if any(c in value for c in ',"\n') or value.startswith(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_items(draw):
    """(kind, text, fields): good records (maybe several lines), stray quotes, blanks, long and short lines."""
    kind = draw(st.sampled_from(["good", "good", "good", "stray", "blank", "long", "short"]))
    n = draw(st.integers(1, 10**6))
    if kind == "good":
        # A quoted value never starts with the delimiter: such a line could close a stray
        # quote above it (a legal CSV reading), which this property does not try to predict.
        fields = [str(n), *(draw(_text).lstrip(",") for _ in range(2))]
        return kind, ",".join(_quoted(f) for f in fields), fields
    if kind == "stray":
        # Three fields before the unclosed one: joined with any later lines it has too many
        # fields to pass for a record spanning them, so it can only be its own reject.
        return kind, f'{n},a,b,"unclosed {draw(_text).replace(chr(10), "").replace(chr(34), "")}', None
    if kind == "long":
        return kind, f"{n}," + "y" * (LIMIT + 10) + ",z", None
    if kind == "short":
        return kind, str(n), None
    return kind, "", None


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(csv_items(), max_size=25))
def test_every_physical_line_is_loaded_or_rejected_once_on_its_true_number(items, tmp_path_factory):
    path = Path(tmp_path_factory.mktemp("csv")) / "f.csv"
    text = "c0,c1,c2\n" + "".join(t + "\n" for _, t, _ in items)
    path.write_text(text, encoding="utf-8")
    expected_loaded, expected_rejected, line = {}, set(), 2
    for kind, t, fields in items:
        if kind == "good":
            expected_loaded[line] = fields
        elif kind != "blank":
            expected_rejected.add(line)
        line += t.count("\n") + 1
    db = Database()
    raw = read_csv(db, path, "f.csv", ReaderOptions(max_line_size=LIMIT))
    loaded = {r[0]: [v or "" for v in r[1:]] for r in db.rows(f"SELECT * FROM {raw.table}")}
    rejected = [r[0] for r in db.rows(f"SELECT _source_row FROM {raw.rejects}")]
    assert len(rejected) == len(set(rejected)) and not set(rejected) & set(loaded)
    assert loaded == expected_loaded
    assert set(rejected) == expected_rejected
    lines = raw.lines
    assert lines.total == line - 1 == text.count("\n")
    assert lines.records == len(loaded) + len(rejected) == raw.rows_read
    assert lines.blank == sum(1 for k, _, _ in items if k == "blank")
