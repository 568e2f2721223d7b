"""An EDIFACT source through the loader: every message loaded or rejected, stray segments rejected, lineage kept."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from pathlib import Path

from recon.config import load_project
from recon.db import Database
from recon.load.loader import Loader
from recon.load.x12 import X12Options
from tests.load.edifact.helpers import FIXTURES, ORDER_BODY, interchange, message, write

CONFIG = """
version: 1
sources:
  eu:
    system: edi
    path: edi/*.edifact
    edifact:
      our_ids: [DISTCO]
"""


def _load(config: Path) -> tuple[Database, object]:
    db = Database()
    return db, Loader(load_project(config), db, "t1").load_all()


def test_edifact_source_loads_every_message_or_rejects_it(make_project: Callable[..., Path]) -> None:
    orders = (FIXTURES / "orders_d96a.edifact").read_text()
    broken = orders.replace("UNT+21+1'", "UNT+20+1'").replace("UNZ+1+100", "FTX+AAI+++STRAY'\nUNZ+1+100")
    config = make_project(CONFIG, {
        "edi/orders.edifact": orders.replace("+100'", "+101'"),
        "edi/broken.edifact": broken,
        "edi/desadv.edifact": (FIXTURES / "desadv_d96a.edifact").read_bytes(),
        "edi/invoic.edifact": (FIXTURES / "invoic_d93a.edifact").read_text(),
    })
    db, report = _load(config)
    loads = {f.entity: f for f in report.files}  # type: ignore[attr-defined]
    docs = loads["edi_documents"]
    assert (docs.rows_read, docs.rows_loaded, docs.rows_rejected) == (5, 3, 2)
    rejects = db.rows('SELECT "row", field, raw_value, reason FROM main.rejects ORDER BY "row"')
    assert [r[:3] for r in rejects] == [(23, "UNT0074", "ORDERS"), (24, None, "FTX")]
    assert all("(edi/broken.edifact)" in r[3] for r in rejects)
    assert rejects[0][3].startswith("EDIFACT-UNT-COUNT") and rejects[1][3].startswith("EDIFACT-STRAY-SEGMENT")
    assert db.rows("SELECT order_id, customer_id, _source_row, _interchange_control FROM edi.orders") == [
        ("PO-1001", "C100", 4, "101")]
    assert db.rows("SELECT count(*), min(transaction_set) FROM edi.shipment_lines") == [(2, "856")]
    assert db.rows("SELECT DISTINCT direction FROM edi.edi_documents WHERE functional_id = 'INVOIC'") == [
        ("outbound",)]


def test_a_parse_is_freed_as_soon_as_nothing_refers_to_it(tmp_path: Path) -> None:
    """The EDIFACT reader refers to its parse weakly: no reference cycle keeps a parse's rows and Arrow
    chunks alive after its result was handed over (the loader releases the tables entity by entity)."""
    from recon.load.x12.parser import _Parser

    gc.disable()  # what a cycle would need to be freed
    try:
        parser = _Parser(X12Options(), {})
        parser.parse_file(write(tmp_path, interchange([message("ORDERS", "1", ORDER_BODY)])))
        result = parser.result()
        alive = weakref.ref(parser)
        del parser
        assert alive() is None
        assert result.tables["orders"].num_rows == 1
    finally:
        gc.enable()


def test_an_entity_whose_mapping_fails_fails_alone(make_project: Callable[..., Path], monkeypatch) -> None:
    """A mapping that DuckDB cannot run over one entity's cells (a named I005) fails that entity's load;
    the source's other entities load, and the run is not ended by an internal error."""
    from recon.errors import Problem
    from recon.load.readers import UnreadableFile

    real = Loader.insert_mapped

    def failing(self, load, *args, **kwargs):
        if load.entity == "shipment_lines":
            raise UnreadableFile(Problem.of("I005", reason="boom", file=load.file, path="sources.eu.columns"))
        return real(self, load, *args, **kwargs)

    monkeypatch.setattr(Loader, "insert_mapped", failing)
    config = make_project(CONFIG, {
        "edi/orders.edifact": (FIXTURES / "orders_d96a.edifact").read_text(),
        "edi/desadv.edifact": (FIXTURES / "desadv_d96a.edifact").read_bytes(),
    })
    db, report = _load(config)
    loads = {f.entity: f for f in report.files}  # type: ignore[attr-defined]
    assert loads["shipment_lines"].status == "failed" and loads["shipment_lines"].problem.code == "I005"
    assert loads["orders"].status == "ok" and db.scalar("SELECT count(*) FROM edi.orders") == 1
    assert db.scalar("SELECT count(*) FROM duckdb_tables() WHERE temporary") == 0  # no raw table left behind
