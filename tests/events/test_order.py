"""The order of main.events' rows: EVENTS_ORDER exactly (ties, NULL files and ids), each row with its own source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recon.catalogue import ensure_table
from recon.db import Database
from recon.events.build import build
from tests.events.conftest import config

TIMES = st.sampled_from(["2026-11-02 08:00:00+00", "2026-11-02 09:00:00+00", None])
# Orders that share chains, orders without any (NULL correlation id), files and load ids that sort every way
# against the systems and event types (NULL included, a quote in a name).
ROW = st.tuples(st.sampled_from(["SO-1", "1", "SO-2", "PO-2", "", None]), TIMES, TIMES,
                st.sampled_from(["a.csv", "b.csv", "z's.csv", None]), st.sampled_from(["l1", "l2", None]))
ROWS = st.lists(ROW, max_size=12)
EVENTS = (("order-received", 1), ("order-released", 2))


def _key(row: tuple[object, ...]) -> tuple[tuple[bool, object], ...]:
    """EVENTS_ORDER in Python: correlation_id, event_at, event_type, system, _source_file, _source_row;
    NULL last, as DuckDB's ORDER BY puts it."""
    return tuple((v is None, v if v is not None else 0) for v in (row[0], row[4], row[1], row[2], row[12], row[13]))


@settings(max_examples=25, deadline=None)
@given(erp=ROWS, wms=ROWS, kept=st.booleans())
def test_events_are_in_events_order_with_their_sources_texts(tmp_path_factory: object, erp: list[tuple],
                                                             wms: list[tuple], kept: bool) -> None:
    db = Database(None)
    try:
        expected = []
        for system, rows in (("erp", erp), ("wms", wms)):
            ensure_table(db, system, "orders")
            for n, (order_id, ordered_at, released_at, file, load) in enumerate(rows, 1):
                db.execute(f"INSERT INTO {system}.orders (order_id, ordered_at, released_at, _source_file, "
                           "_source_row, _load_id) VALUES (?, ?, ?, ?, ?, ?)",
                           [order_id, ordered_at, released_at, file, n, load])
                times = (ordered_at, released_at)
                expected += [(event, system, "orders", file, n, load, order_id) for event, i in EVENTS if times[i - 1]]
        target = Path(str(tmp_path_factory.mktemp("kept"))) / "main.events.parquet" if kept else None  # type: ignore[attr-defined]
        build(db, config(), target)
        rows = db.rows("SELECT * FROM main.events")
        assert rows == sorted(rows, key=_key)  # _source_row is unique per table and file: no two rows tie
        got = [(r[1], r[2], r[3], r[12], r[13], r[14], r[5]) for r in rows]
        assert sorted(got, key=repr) == sorted(expected, key=repr)
        assert all(isinstance(r[4], dt.datetime) for r in rows)
    finally:
        db.close()
