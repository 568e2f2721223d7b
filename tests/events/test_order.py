"""The order of main.events' rows: EVENTS_ORDER exactly (ties, NULL files and ids), each row with its own source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recon.catalogue import ensure_table
from recon.db import Database
from recon.events.build import EVENT_COLUMNS, EVENTS_ORDER, build, event_selects, loaded_tables
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


DOCUMENT = st.tuples(st.sampled_from(["850", "856", "810", " 862", "997"]), st.sampled_from(["1", "2", "3"]),
                     st.sampled_from(["outbound", "IN", "received", "x", None]), st.sampled_from(["ACME", "BOLT"]),
                     TIMES, st.sampled_from(["in_850.x12", "out.x12", None]), st.sampled_from(["l1", "l2", None]))
ACK = st.tuples(st.sampled_from(["850", "856", "810"]), st.sampled_from(["1", "2", "3"]),
                st.sampled_from(["ACME", "BOLT"]), TIMES, st.sampled_from(["in_997.x12", "out.x12", None]),
                st.sampled_from(["l1", None]))


@settings(max_examples=25, deadline=None)
@given(docs=st.lists(DOCUMENT, max_size=10), acks=st.lists(ACK, max_size=6), orders=ROWS)
def test_edi_events_whose_types_vary_by_row_keep_their_texts(docs: list[tuple], acks: list[tuple],
                                                             orders: list[tuple]) -> None:
    """EDI documents and acks: event types by transaction set and direction (an ack's by its document's),
    several files and load ids in a table, NULLs: main.events is the rows of its sources with their own
    texts, in EVENTS_ORDER, as the sources' texts sorted as text give them."""
    db = Database(None)
    try:
        ensure_table(db, "edi", "edi_documents", {"sent_at": "VARCHAR"})
        ensure_table(db, "edi", "edi_acks")
        ensure_table(db, "erp", "orders")
        for n, (ts, number, direction, partner, at, file, load) in enumerate(docs, 1):
            db.execute("INSERT INTO edi.edi_documents (transaction_set, control_number, direction, partner_id, "
                       "reference, sent_at, _source_file, _source_row, _load_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [ts, number, direction, partner, f"SO-{number}", at, file, n, load])
        for n, (ts, number, partner, at, file, load) in enumerate(acks, 1):
            db.execute("INSERT INTO edi.edi_acks (acked_transaction_set, acked_control_number, partner_id, acked_at, "
                       "_source_file, _source_row, _load_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [ts, number, partner, at, file, n, load])
        for n, (order_id, ordered_at, released_at, file, load) in enumerate(orders, 1):
            db.execute("INSERT INTO erp.orders (order_id, ordered_at, released_at, _source_file, _source_row, "
                       "_load_id) VALUES (?, ?, ?, ?, ?, ?)", [order_id, ordered_at, released_at, file, n, load])
        build(db, config())
        parts, _ = event_selects(config(), loaded_tables(db))
        cols = ", ".join(EVENT_COLUMNS)
        texts = db.rows(f"SELECT {cols} FROM (SELECT e.* EXCLUDE (_node), c.correlation_id FROM "
                        f"({' UNION ALL '.join(p.select for p in parts)}) e LEFT JOIN main.correlation c "
                        f"ON c.node = e._node) ORDER BY {EVENTS_ORDER}")
        assert db.rows("SELECT * FROM main.events") == texts  # _source_row is unique per table: no ties
    finally:
        db.close()
