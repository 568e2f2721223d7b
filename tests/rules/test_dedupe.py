"""A side's `dedupe:`: each value of its columns once, the row a window over every row would keep."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.rules.compile_match import MatchCompiler

from .helpers import bundled_rule, config, run_rule

VALUES = st.one_of(st.none(), st.sampled_from(["A", "B", "b", ""]))
ROWS = st.lists(st.tuples(VALUES, VALUES, VALUES, st.one_of(st.none(), st.integers(0, 3)),
                          st.sampled_from(["x.csv", "y.csv"]), st.integers(1, 12)), max_size=40)


def deduplicated(rows: list[tuple[object, ...]]) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(the compiler's CTEs' rows, a window's over every row) for rows of (k1, k2, a, b, file, row)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k1 VARCHAR, k2 VARCHAR, a VARCHAR, b INTEGER, _source_file VARCHAR, "
                "_source_row INTEGER)")
    if rows:
        con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows)
    cols = ['"k1" AS "k__k1"', '"a"', '-b AS "b"', "{'f': \"_source_file\", 'r': \"_source_row\"} AS \"_row\""]
    names = ['"k__k1"', '"a"', '"b"', '"_row"']
    ctes = MatchCompiler.dedupe_ctes("l", ["k1", "k2"], ["a", "b"], cols, names, "t AS t")
    got = con.execute(f"WITH {', '.join(ctes)} SELECT * FROM \"l_rows\" ORDER BY ALL").fetchall()
    window = con.execute(
        f"SELECT {', '.join(cols)} FROM t QUALIFY row_number() OVER (PARTITION BY k1, k2 ORDER BY a, b, "
        "(_source_file || ':' || CAST(_source_row AS VARCHAR))) = 1 ORDER BY ALL").fetchall()
    return got, window


@settings(max_examples=60, deadline=None)
@given(rows=ROWS)
def test_dedupe_keeps_the_row_a_window_over_every_row_keeps(rows: list[tuple[object, ...]]) -> None:
    """NULL keys are one value; ties go to the smaller `file:row` as text (x.csv:10 before x.csv:9);
    the order reads the row's own columns (b), not what the side makes of them (-b)."""
    got, window = deduplicated(rows)
    assert got == window


def test_dedupe_ties_and_nulls() -> None:
    rows = [(None, "1", "B", 1, "x.csv", 9), (None, "1", "B", 1, "x.csv", 10), ("K", None, "A", 2, "x.csv", 3),
            ("K", None, "A", 1, "y.csv", 1), ("K", "2", None, 5, "x.csv", 4), ("K", "2", "C", 7, "x.csv", 5),
            ("L", "1", "Z", None, "x.csv", 6)]
    got, window = deduplicated(rows)
    assert got == window
    assert [(r[0], r[1], r[2], r[3]["r"]) for r in got] == [
        ("K", "A", -1, 1), ("K", "C", -7, 5), ("L", "Z", None, 6), (None, "B", -1, 10)]


def test_bundled_rule_counts_a_duplicated_invoice_line_once() -> None:
    """invoice-matches-shipment dedupes erp.invoice_lines by (invoice_id, line_no): a line loaded twice
    is invoiced once, so it matches its shipment; a second, different invoice line for it counts."""
    cfg = config()
    assert bundled_rule("invoice-matches-shipment", cfg).rule.left.dedupe == ["invoice_id", "line_no"]
    line = {"invoice_id": "I1", "line_no": "1", "order_id": "O1", "order_line_no": "1", "item_id": "A",
            "qty": 5, "uom": "EA", "currency": "USD", "invoiced_at": "2024-03-01T00:00:00Z"}
    shipped = {"order_id": "O1", "line_no": "1", "item_id": "A", "qty": 5, "uom": "EA", "status": "SHIPPED",
               "shipped_at": "2024-03-01T00:00:00Z", "shipment_id": "S1"}
    tables = {"erp.invoice_lines": [line, dict(line)], "wms.shipment_lines": [shipped],
              "erp.order_lines": [{"order_id": "O1", "line_no": "1", "item_id": "A", "qty": 5, "uom": "EA",
                                   "unit_price": 2, "currency": "USD"}]}
    assert run_rule("invoice-matches-shipment", tables, cfg) == []
    tables["erp.invoice_lines"] = [line, {**line, "invoice_id": "I2"}]
    found = run_rule("invoice-matches-shipment", tables, cfg)
    assert [(r["exception_type"], r["left_value"], r["right_value"]) for r in found] == [
        ("invoice-qty-mismatch", "10", "5")]
