"""EDIFACT on Spark: a sample whose partners trade in EDIFACT and X12 gives the same rows and exceptions as DuckDB.

The same parser runs per file on the executors (`recon.spark.x12`), for the `edifact` source
(`format: edifact`, its `edifact:` options) as for the X12 one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recon import api
from recon.sample import generate
from tests.spark.test_parity import AS_OF, exceptions, spark_engine_yaml


@pytest.fixture(scope="module")
def runs(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("edifact") / "distributor"
    generate(out, orders=200, seed=5, as_of=AS_OF, edifact_share=0.5)
    config = out / "recon.yaml"
    config.write_text(config.read_text() + spark_engine_yaml())
    (out / "edi" / "inbound_orders.edifact").write_text(
        (out / "edi" / "inbound_orders.edifact").read_text().replace("UNT+", "UNT+9", 1))  # one message rejected
    runs_dir = tmp_path_factory.mktemp("runs")
    return {engine: api.run(config, out=runs_dir / engine, dry_run=True, engine=engine)
            for engine in ("duckdb", "spark")}


def test_same_exceptions(runs: dict[str, Any]) -> None:
    duck, spark = (exceptions(runs[e].out_dir / "exceptions.parquet") for e in ("duckdb", "spark"))
    assert len(duck) > 40
    assert spark == duck


def test_same_edifact_loads_and_rejects(runs: dict[str, Any]) -> None:
    def loads(ctx: Any) -> list[tuple[Any, ...]]:
        return sorted((f.source, f.entity, f.file, f.rows_read, f.rows_loaded, f.rows_rejected, f.status)
                      for f in ctx.load.files if f.source == "edifact")

    duck = loads(runs["duckdb"])
    assert {e for _, e, *_ in duck} >= {"orders", "order_lines", "shipment_lines", "invoice_lines", "edi_acks",
                                        "edi_documents"}
    assert next(r for r in duck if r[1] == "edi_documents")[5] == 1  # the rejected ORDERS
    assert loads(runs["spark"]) == duck


def test_same_edi_tables(runs: dict[str, Any]) -> None:
    duck, spark = runs["duckdb"].db, runs["spark"].db
    for name in ("orders", "order_lines", "shipment_lines", "invoice_lines", "edi_documents", "edi_acks"):
        cols = [c for c, _ in duck.columns(f"edi.{name}") if c != "_load_id"]
        select = ", ".join(f'"{c}"' for c in cols)
        order = ", ".join(str(i + 1) for i in range(len(cols)))
        a = duck.rows(f"SELECT {select} FROM edi.{name} ORDER BY {order}")
        assert a, name
        assert spark.rows(f"SELECT {select} FROM edi.{name} ORDER BY {order}") == a, name


def test_edifact_rows_are_there(runs: dict[str, Any], tmp_path: Path) -> None:
    rows = runs["duckdb"].db.rows("SELECT DISTINCT functional_id FROM edi.edi_documents ORDER BY 1")
    assert [r[0] for r in rows if r[0] in ("CONTRL", "DESADV", "INVOIC", "ORDERS")] == [
        "CONTRL", "DESADV", "INVOIC", "ORDERS"]


def test_every_edi_load_records_its_time_on_both_engines(runs: dict[str, Any]) -> None:
    """The shared parse is timed on the findings row and each table on its own (they once read 0 s)."""
    for engine in ("duckdb", "spark"):
        seconds = {f.entity: f.seconds for f in runs[engine].load.files if f.source == "edifact"}
        assert seconds["edi_findings"] > 0 and all(s > 0 for s in seconds.values()), (engine, seconds)
