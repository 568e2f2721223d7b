"""An EDI source's load time reaches `main.loads`: the parse on its findings row, each table's insert on
its own row, so the source's rows add up to the time it took (they once all read 0)."""

from __future__ import annotations

import time
from pathlib import Path

from recon.config import load_project
from recon.db import Database
from recon.load.loader import Loader

from .test_size_limit import big_file


def test_an_x12_source_records_its_parse_and_its_inserts(make_project, tmp_path: Path) -> None:
    config = make_project("sources:\n  edi_in:\n    system: edi\n    format: x12\n    path: edi/*.edi\n")
    (tmp_path / "edi").mkdir()
    big_file(tmp_path / "edi", 0.3)
    db = Database()
    started = time.perf_counter()
    Loader(load_project(config), db, "t1").load_all()
    took = time.perf_counter() - started
    rows = db.rows("SELECT entity, seconds FROM main.loads WHERE source = 'edi_in' ORDER BY entity")
    seconds = dict(rows)
    assert {"edi_findings", "orders", "order_lines"} <= set(seconds)
    assert all(s > 0 for s in seconds.values()), rows
    # Nothing counted twice: the rows add up to no more than the whole load took.
    assert sum(seconds.values()) <= took
