"""Spark's line numbers are true line numbers on a file Spark splits, without a pass to count them first.

`SparkReaders.lines` numbers a row by its place in its file split plus the lines before the split,
counted on the driver (`lines_before`). Spark splits by the session's `spark.sql.files.*` sizes,
so these tests make the sizes small (a few hundred bytes) instead of writing files over 4 MB:
every file here is read in several splits, with line ends, blank lines and CRLFs astride them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon import api
from recon.spark.readers import SparkReaders, lines_before
from tests.spark.conftest import TEST_CONF

SMALL_SPLITS = {"spark.sql.files.maxPartitionBytes": "256", "spark.sql.files.openCostInBytes": "16"}


@pytest.fixture
def small_splits(spark: Any) -> Iterator[Any]:
    """The session with files split every 256 bytes (restored afterwards: the session is shared)."""
    for key, value in SMALL_SPLITS.items():
        spark.conf.set(key, value)
    yield spark
    for key in SMALL_SPLITS:
        spark.conf.unset(key)


def reader(spark: Any) -> SparkReaders:
    readers = SparkReaders()
    readers.spark = spark
    return readers


def hadoop_lines(data: str) -> list[str]:
    """The lines Hadoop's line reader gives: ended by \\n, \\r or \\r\\n, no line after a final end."""
    lines = re.split(r"\r\n|\r|\n", data)
    return lines[:-1] if data.endswith(("\n", "\r")) else lines


LINE = st.tuples(st.sampled_from(["", " ", "a", "x" * 37, "é;b;c", "{\"k\": 1}"]),
                 st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\r\n"]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, min_size=1, max_size=120), st.booleans())
def test_lines_are_numbered_as_the_file_reads(small_splits: Any, tmp_path: Path, lines: list[tuple[str, str]],
                                              unterminated: bool) -> None:
    data = "".join(text + end for text, end in lines) + ("tail" if unterminated else "")
    path = tmp_path / "f.txt"
    path.write_bytes(data.encode("utf-8"))
    got = sorted((r["_line"], r["value"]) for r in reader(small_splits).lines(path, "utf-8").collect())
    assert got == list(enumerate(hadoop_lines(data), 1))


def test_numbering_a_split_file_runs_no_spark_job(small_splits: Any, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("".join(f"{i};row {i}\r\n" for i in range(200)))
    tracker = small_splits.sparkContext.statusTracker()
    before = set(tracker.getJobIdsForGroup(None))
    frame = reader(small_splits).lines(path, "utf-8")
    assert set(tracker.getJobIdsForGroup(None)) == before  # nothing read yet: the mapping's pass is the only one
    assert frame.rdd.getNumPartitions() >= 5
    assert sorted(r["_line"] for r in frame.where("value LIKE '150;%'").collect()) == [151]


def test_lines_before_counts_line_ends_completed_by_the_split_start(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"a\r\nb\rc\n\nd")
    # line starts at bytes 0, 3, 5, 7, 8; a split starting at s follows the lines starting at or before s
    assert lines_before(path, [0, 1, 2, 3, 4, 5, 8]) == {0: 0, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 8: 5}


CONFIG = """
version: 1
rules: []
engine:
  spark:
    master: "local[2]"
    conf: {CONF}
sources:
  lines:
    system: erp
    entity: order_lines
    path: lines.csv
    options: {delimiter: ";"}
    columns: {order_id: id, line_no: line, qty: qty}
  ship:
    system: wms
    entity: shipment_lines
    path: ship.jsonl
    columns: {shipment_id: id, order_id: order, line_no: line, qty: qty, carrier: carrier}
"""


@pytest.fixture
def engines(spark: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A CSV and a JSON-lines file Spark reads in many splits, loaded by both engines."""
    rows = ["id;line;qty"]
    for i in range(300):
        rows.append(f"O{i};{i % 7};{i}" if i % 41 else f"O{i};bad")  # a wrong column count now and then
        if i % 53 == 0:
            rows.append("")  # a blank line: skipped, but it counts
    (tmp_path / "lines.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode())
    objects = []
    for i in range(300):
        item: dict[str, Any] = {"id": f"S{i}", "order": f"O{i}", "line": i % 5, "qty": i}
        if i >= 280:
            item["carrier"] = "UPSN"  # a key first seen near the end of the file
        objects.append(json.dumps(item) if i % 61 else "not json")
        if i % 47 == 0:
            objects.append("")
    (tmp_path / "ship.jsonl").write_text("\n".join(objects) + "\n")
    conf = json.dumps({**TEST_CONF, **SMALL_SPLITS})
    (tmp_path / "recon.yaml").write_text(CONFIG.replace("{CONF}", conf))
    try:
        yield {e: api.run(tmp_path / "recon.yaml", out=tmp_path / f"out-{e}", dry_run=True, engine=e)
               for e in ("duckdb", "spark")}
    finally:
        for key in SMALL_SPLITS:
            spark.conf.unset(key)


def test_split_files_load_with_duckdbs_line_numbers(engines: dict[str, Any]) -> None:
    queries = [
        'SELECT file, "row", field, raw_value, reason FROM main.rejects ORDER BY file, "row"',
        "SELECT order_id, line_no, qty, _source_row FROM erp.order_lines ORDER BY _source_row",
        "SELECT shipment_id, carrier, _source_row FROM wms.shipment_lines ORDER BY _source_row",
    ]
    for query in queries:
        expected = engines["duckdb"].db.rows(query)
        assert engines["spark"].db.rows(query) == expected
    rejects = engines["duckdb"].db.rows('SELECT file, "row" FROM main.rejects ORDER BY 1, 2')
    assert ("lines.csv", 44) in rejects and ("ship.jsonl", 64) in rejects  # past blank lines, in a later split
    carriers = engines["spark"].db.rows("SELECT count(*) FROM wms.shipment_lines WHERE carrier = 'UPSN'")
    assert carriers == [(20,)]


# The CSV source of CONFIG alone, with an encoding and one text column.
ENCODED = (CONFIG.split("  ship:")[0].replace('{delimiter: ";"}', '{delimiter: ";", encoding: ENCODING}')
           .replace("line_no: line, qty: qty", "line_no: line, item_id: item, qty: qty"))


@pytest.mark.parametrize(("encoding", "codec", "bom", "end"), [
    ("latin-1", "latin-1", b"", "\r\n"),
    ("utf-16", "utf-16-le", b"", "\n"),  # no byte order mark: little-endian, as DuckDB reads it
    ("utf-16", "utf-16-le", b"\xff\xfe", "\r\n"),
])
def test_blank_lines_keep_line_numbers_in_every_encoding(spark: Any, tmp_path: Path, encoding: str, codec: str,
                                                         bom: bytes, end: str) -> None:
    """Blank and blank-looking lines count in every encoding (Spark's CSV source, which decoded
    Latin-1 and UTF-16 before, dropped them and numbered every later line too low)."""
    rows = ["id;line;item;qty"]
    for i in range(120):
        rows.append(f"O{i};{i % 7};Müller-é{i};{i}" if i % 23 else f"O{i};bad")
        if i % 17 == 0:
            rows.append("" if i % 2 else "  \t")
    data = end.join(rows) + end
    (tmp_path / "lines.csv").write_bytes(bom + data.encode(codec))
    conf = json.dumps({**TEST_CONF, **SMALL_SPLITS})
    (tmp_path / "recon.yaml").write_text(ENCODED.replace("{CONF}", conf).replace("ENCODING", encoding))
    try:
        runs = {e: api.run(tmp_path / "recon.yaml", out=tmp_path / f"out-{e}", dry_run=True, engine=e)
                for e in ("duckdb", "spark")}
    finally:
        for key in SMALL_SPLITS:
            spark.conf.unset(key)
    for query in ('SELECT file, "row", field, raw_value, reason FROM main.rejects ORDER BY file, "row"',
                  "SELECT order_id, line_no, item_id, qty, _source_row FROM erp.order_lines ORDER BY _source_row"):
        assert runs["spark"].db.rows(query) == runs["duckdb"].db.rows(query)
    rejected = [r for (r,) in runs["duckdb"].db.rows('SELECT "row" FROM main.rejects ORDER BY 1')]
    assert rejected[-1] > 100 and len(rejected) == 10  # past several blank lines (a blank-looking one is a record)
    assert runs["duckdb"].db.rows("SELECT item_id FROM erp.order_lines WHERE order_id = 'O1'") == [("Müller-é1",)]
