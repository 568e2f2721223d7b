"""Completeness on Spark: the same failed sources, the same rules not evaluated, the same X12
envelope exceptions as on DuckDB (recon.completeness runs between load and rules on both)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from recon import api
from recon.errors import EXIT_INCOMPLETE
from recon.sample import generate
from tests.load.x12.helpers import po_interchange
from tests.spark.test_parity import spark_engine_yaml

AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)


def _both(config: Path, out: Path) -> dict[str, Any]:
    return {engine: api.run(config, out=out / engine, dry_run=True, engine=engine, as_of=AS_OF)
            for engine in ("duckdb", "spark")}


def test_a_missing_extract_is_incomplete_on_both_engines(spark: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, orders=60, seed=5, as_of=AS_OF)
    config = site / "recon.yaml"
    config.write_text(config.read_text() + spark_engine_yaml())
    (site / "erp" / "billing.csv").unlink()
    runs = _both(config, tmp_path / "out")
    duck, on_spark = (runs[e].summary for e in ("duckdb", "spark"))
    assert runs["spark"].exit_code == runs["duckdb"].exit_code == EXIT_INCOMPLETE
    for key in ("complete", "failed_sources", "not_evaluated"):
        assert on_spark[key] == duck[key], key
    assert {r["rule"] for r in duck["not_evaluated"]} >= {"invoice-matches-shipment", "invoice-line-unique"}


def test_a_reused_isa13_in_a_file_is_the_same_exception_on_both_engines(spark: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "edi").mkdir(parents=True)
    # Within one file: the Spark loader parses each file in its own task, so an ISA13 reused across
    # two files is found on DuckDB only (tests/test_completeness.py; a known gap of recon.spark.x12).
    (site / "edi" / "a.x12").write_text(po_interchange(control=7) + po_interchange(control=7))
    (site / "edi" / "b.x12").write_text(po_interchange(control=8))
    config = site / "recon.yaml"
    config.write_text("sources:\n  partners: {system: edi, path: edi/*.x12, format: x12}\nrules: [bundled/edi]\n"
                      + spark_engine_yaml())
    runs = _both(config, tmp_path / "out")

    def envelope(run: Any) -> list[tuple[Any, ...]]:
        return duckdb.connect().execute(
            "SELECT exception_id, exception_type, document, left_value, left_lineage FROM read_parquet(?) "
            "WHERE rule_id LIKE 'edi-envelope-%' ORDER BY exception_id", [str(run.out_dir / "exceptions.parquet")]
        ).fetchall()

    duck, on_spark = envelope(runs["duckdb"]), envelope(runs["spark"])
    assert [r[1] for r in duck] == ["edi-envelope-warning"] and "X12-ISA13-DUPLICATE" in duck[0][3]
    assert on_spark == duck
    (source,) = runs["spark"].summary["sources"]
    assert (source["files"], source["entity"]) == (2, "*") and "edi.edi_findings" in source["tables"]
    shutil.rmtree(site)
