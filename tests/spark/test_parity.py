"""The parity test: the bundled rule packs on a generated sample, DuckDB and Spark (local[2]).

Both engines must produce the same exceptions, ids included, and the same load bookkeeping.
Run ids differ by design (each run has its own); everything else is compared byte for byte.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from recon import api
from recon.cli import main
from recon.sample import generate
from tests.spark.conftest import TEST_CONF

SEED = 11
AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)


def spark_engine_yaml() -> str:
    conf = "\n".join(f"      {k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in TEST_CONF.items())
    return f'\nengine:\n  name: spark\n  spark:\n    master: "local[2]"\n    conf:\n{conf}\n'


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "distributor"
    generate(out, orders=200, seed=SEED, as_of=AS_OF)
    config = out / "recon.yaml"
    # Overrides and a disabled rule reach both engines the same way (they change the rules, not the engine).
    overrides = ("\noverrides:\n  rules:\n    customer-po-unique: {enabled: false}\n"
                 "    shipment-posted-in-erp: {severity: medium, owner: warehouse}\n")
    config.write_text(config.read_text() + spark_engine_yaml() + overrides)
    return config


@pytest.fixture(scope="module")
def runs(sample: Path, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("runs")
    # The Spark run is recorded in the state file (history, lifecycle), the DuckDB one is not.
    return {engine: api.run(sample, out=out / engine, dry_run=engine == "duckdb", engine=engine)
            for engine in ("duckdb", "spark")}


def exceptions(path: Path) -> list[tuple[Any, ...]]:
    return duckdb.connect().execute(
        f"SELECT * EXCLUDE (run_id) FROM read_parquet('{path}') ORDER BY exception_id").fetchall()


def test_overrides_and_disabled_rules_on_both_engines(runs: dict[str, Any]) -> None:
    for engine in ("duckdb", "spark"):
        rules = {r["rule_id"]: r for r in runs[engine].summary["rules"]["rules"]}
        assert rules["customer-po-unique"]["status"] == "disabled", engine
        assert runs[engine].summary["disabled_rules"][0]["rule"] == "customer-po-unique", engine
        owners = duckdb.connect().execute(
            f"SELECT DISTINCT owner, severity FROM read_parquet('{runs[engine].out_dir / 'exceptions.parquet'}') "
            "WHERE rule_id = 'shipment-posted-in-erp'").fetchall()
        assert owners == [("warehouse", "medium")], engine


def test_same_exceptions_ids_included(runs: dict[str, Any]) -> None:
    duck, spark = (exceptions(runs[e].out_dir / "exceptions.parquet") for e in ("duckdb", "spark"))
    assert len(duck) > 40  # the sample injects discrepancies of every type
    assert spark == duck


def test_same_files_in_contract_order(runs: dict[str, Any]) -> None:
    """exceptions.csv is written by the same code from main.exceptions: same bytes but the run id."""
    duck, spark = ((runs[e].out_dir / "exceptions.csv").read_text() for e in ("duckdb", "spark"))
    assert spark.replace(runs["spark"].run_id, "RUN") == duck.replace(runs["duckdb"].run_id, "RUN")


def test_same_rule_summary(runs: dict[str, Any]) -> None:
    duck, spark = (runs[e].rules.summary() for e in ("duckdb", "spark"))
    for key in ("rules_run", "rules_skipped", "rules_failed", "exceptions", "value_at_risk", "by_type",
                "by_severity", "by_owner"):
        assert spark[key] == duck[key], key
    fields = ("rule_id", "status", "exceptions", "records_compared", "records_matched")
    assert [tuple(r.get(f) for f in fields) for r in spark["rules"]] == \
           [tuple(r.get(f) for f in fields) for r in duck["rules"]]
    assert all(r.get("records_compared") is not None for r in spark["rules"] if r["status"] == "ok")


def test_same_loads(runs: dict[str, Any]) -> None:
    def loads(ctx: Any) -> list[tuple[Any, ...]]:
        return sorted((f.source, f.entity, f.file, f.rows_read, f.rows_loaded, f.rows_rejected, f.status)
                      for f in ctx.load.files)

    assert loads(runs["spark"]) == loads(runs["duckdb"])


def test_same_loaded_tables(runs: dict[str, Any]) -> None:
    """Every loaded table holds the same typed rows with the same lineage (the DuckDB views over Spark's Parquet)."""
    duck, spark = runs["duckdb"].db, runs["spark"].db
    tables = duck.rows("SELECT table_schema, table_name FROM information_schema.tables "
                       "WHERE table_schema NOT IN ('main', 'temp') ORDER BY ALL")
    assert tables
    for schema, name in tables:
        cols = [c for c, _ in duck.columns(f"{schema}.{name}") if c != "_load_id"]
        select = ", ".join(f'"{c}"' for c in cols)
        order = ", ".join(str(i + 1) for i in range(len(cols)))
        a = duck.rows(f"SELECT {select} FROM {schema}.{name} ORDER BY {order}")
        b = spark.rows(f"SELECT {select} FROM {schema}.{name} ORDER BY {order}")
        assert b == a, f"{schema}.{name}"


def test_reports_run_on_spark_results(runs: dict[str, Any]) -> None:
    """Downstream is the same code: the report and summary exist and agree on the totals."""
    spark, duck = runs["spark"], runs["duckdb"]
    assert (spark.out_dir / "report.html").exists()
    assert spark.summary["exceptions"]["total"] == duck.summary["exceptions"]["total"]
    assert spark.summary["value_at_risk"] == duck.summary["value_at_risk"]
    assert spark.summary.get("matching") == duck.summary.get("matching")  # records compared, match rates
    # The operating metrics are measured on the driver over Spark's tables (views in its DuckDB): the same values.
    assert spark.summary["metrics"]["values"] == duck.summary["metrics"]["values"]
    assert {m["metric"] for m in spark.summary["metrics"]["values"] if m["value"] is not None} >= {
        "auto_match_rate", "duplicate_rate", "inventory_variance_value", "exceptions_aged", "slo_attainment"}


def test_explain_prints_spark_sql(sample: Path) -> None:
    result = CliRunner().invoke(main, ["explain", "edi-order-in-erp", "--config", str(sample), "--engine", "spark"])
    assert result.exit_code == 0, result.output
    assert "`erp__orders`" in result.output and "RECON_RF_TOKEN_SET_RATIO" in result.output.upper()


def test_history_records_the_spark_run(sample: Path, runs: dict[str, Any]) -> None:
    """The state file stays on the driver and records a Spark run like any other."""
    state = duckdb.connect(str(sample.parent / "recon-state.duckdb"), read_only=True)
    recorded = state.execute("SELECT run_id, exceptions FROM runs").fetchall()
    assert recorded == [(runs["spark"].run_id, runs["duckdb"].rules.total)]
    kept = state.execute("SELECT count(*) FROM run_metrics WHERE run_id = ?", [runs["spark"].run_id]).fetchall()
    assert kept == [(len(runs["spark"].summary["metrics"]["values"]),)]
    ids = {r[0] for r in state.execute("SELECT exception_id FROM exceptions").fetchall()}
    assert ids == {r[0] for r in exceptions(runs["duckdb"].out_dir / "exceptions.parquet")}


def test_same_events_and_chains(runs: dict[str, Any]) -> None:
    """The events step (recon.events) runs after either engine, on the run's DuckDB: the same event table,
    correlation ids and exceptions' chains from Spark's tables as from DuckDB's."""
    duck, spark = runs["duckdb"].db, runs["spark"].db
    events = "SELECT * EXCLUDE (_load_id) FROM main.events ORDER BY ALL"
    assert duck.rows(events) and spark.rows(events) == duck.rows(events)
    chains = "SELECT * FROM main.correlation ORDER BY ALL"
    assert spark.rows(chains) == duck.rows(chains)
    tagged = "SELECT exception_id, correlation_id FROM main.exceptions ORDER BY ALL"
    assert spark.rows(tagged) == duck.rows(tagged)
