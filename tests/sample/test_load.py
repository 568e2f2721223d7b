"""A generated sample loads cleanly and its truth is exactly what the documented semantics find."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from recon.score import score

from . import oracle
from .conftest import AS_OF, Loaded, load


def test_every_source_loads_without_rejects(sample_dir: Path, loaded: Loaded) -> None:
    by_source = {s["source"]: s for s in loaded.report.by_source()}
    assert set(by_source) == set(loaded.project.config.sources)
    for name, s in by_source.items():
        assert s["status"] == "ok", (name, s["problems"])
        assert s["rows_rejected"] == 0, name
        assert s["rows_read"] == s["rows_loaded"] > 0, name
    assert loaded.report.findings == []
    # rows read are the rows written (no header, no blank line counted or lost)
    for name, source in loaded.project.config.sources.items():
        if source.format == "x12":
            continue
        lines = (sample_dir / source.path).read_text(encoding="utf-8").splitlines()
        written = len(lines) - (1 if source.path.endswith(".csv") else 0)
        assert by_source[name]["rows_read"] == written, name


def test_keys_are_normalised_across_systems(loaded: Loaded) -> None:
    db = loaded.db
    assert db.scalar("SELECT count(*) FROM erp.orders WHERE order_id LIKE '0%'") == 0
    assert db.scalar("SELECT count(*) FROM wms.orders WHERE order_id NOT IN (SELECT order_id FROM erp.orders)") == 0
    assert db.rows("SELECT DISTINCT site FROM wms.stock ORDER BY 1") == [("P100",), ("P200",), ("P300",)]
    assert db.scalar("SELECT count(*) FROM tms.deliveries WHERE shipment_id <> upper(shipment_id)") == 0
    carriers = "('UPSN', 'FDEG', 'ODFL', 'SAIA', 'RLCA')"
    assert db.scalar(f"SELECT count(*) FROM tms.deliveries WHERE carrier NOT IN {carriers}") == 0
    assert db.scalar("SELECT count(*) FROM wms.stock WHERE lot = ''") == 0  # empty lots are NULL, like missing ones
    assert db.scalar("SELECT count(*) FROM erp.orders WHERE customer_po <> upper(customer_po)") == 0
    edi_invoices = db.scalar("SELECT count(DISTINCT invoice_id) FROM edi.invoice_lines")
    matched = db.scalar("SELECT count(DISTINCT invoice_id) FROM edi.invoice_lines "
                        "WHERE invoice_id IN (SELECT invoice_id FROM erp.invoice_lines)")
    assert edi_invoices == matched > 0


def assert_truth_is_what_the_docs_find(folder: Path, as_of: datetime) -> None:
    loaded = load(folder / "recon.yaml")
    truth = pd.read_csv(folder / "truth.csv", dtype=str, keep_default_na=False)
    for queries in (oracle.QUERIES, oracle.VARIANTS):
        found = oracle.expected(loaded.db, as_of.isoformat(), queries)
        result = score(truth[truth.exception_type.isin(queries)], found)
        bad = {t.exception_type: (t.missed, t.false_alarms) for t in result.types if not t.perfect}
        assert result.perfect, bad


@pytest.mark.parametrize("seed", [7, 8, 19])
def test_truth_matches_the_documented_semantics(make_sample: Callable[..., Path], seed: int) -> None:
    assert_truth_is_what_the_docs_find(make_sample(seed=seed), AS_OF)


def test_truth_holds_across_chunks_and_a_clock_change(make_sample: Callable[..., Path]) -> None:
    # small chunks exercise the streaming path; 9 March 2026 is the week US clocks moved forward
    as_of = datetime(2026, 3, 9, 15, 30, tzinfo=UTC)
    assert_truth_is_what_the_docs_find(make_sample(seed=5, orders=900, chunk_size=250, as_of=as_of), as_of)
