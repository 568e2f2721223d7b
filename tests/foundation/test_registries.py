"""The registries are the one list: config validation, the rule schema and the CLI offer exactly their names.

Each test reads what a user can type (a pydantic literal, a click choice) and compares it with
the registry, so a list spelt out by hand somewhere else fails here.
"""

from __future__ import annotations

import typing
from pathlib import Path

import click
import pytest
from pydantic import ValidationError

from recon.cli import main as cli_main
from recon.config.schema import EngineOptions
from recon.db import Database
from recon.engines import ENGINES, dialect_names
from recon.rules import fuzzy
from recon.rules.schema import FuzzyLevel
from recon.rules.scorers import SCORERS, python_scorers, spark_functions
from recon.spark.transpile import UDF_NAMES, to_spark

ROOT = Path(__file__).resolve().parents[2]


def literal_values(model: type, field: str) -> list[str]:
    return list(typing.get_args(model.model_fields[field].annotation))


def cli_choices(command: str, option: str) -> list[str]:
    group = cli_main
    for part in command.split():
        group = group.commands[part]  # type: ignore[attr-defined]
    param = next(p for p in group.params if option in p.opts)
    assert isinstance(param.type, click.Choice)
    return list(param.type.choices)


# -- scorers -------------------------------------------------------------------------------------------

def test_rule_schema_accepts_exactly_the_registered_scorers() -> None:
    assert literal_values(FuzzyLevel, "scorer") == list(SCORERS)
    with pytest.raises(ValidationError, match="Input should be 'exact'"):
        FuzzyLevel(field="name", scorer="soundex", threshold=80)


@pytest.mark.parametrize("name", list(SCORERS))
def test_every_scorer_runs_in_duckdb_and_scores_equal_text_100(name: str) -> None:
    scorer = SCORERS[name]
    db = Database()
    fuzzy.register(db, python_scorers([name]))
    same = db.scalar(f"SELECT {scorer.sql(repr('Acme Corp'), repr('Acme Corp'))}")
    other = db.scalar(f"SELECT {scorer.sql(repr('Acme Corp'), repr('Zenith Ltd'))}")
    assert same == pytest.approx(100.0)
    assert other is None or other < 100.0
    level = {"field": "name", "scorer": name} | ({"threshold": 80} if scorer.threshold else {})
    FuzzyLevel.model_validate(level)
    with pytest.raises(ValidationError, match="threshold"):
        FuzzyLevel.model_validate({**level, "threshold": None} if scorer.threshold else {**level, "threshold": 80})


def test_every_function_a_scorer_needs_on_spark_is_registered_there() -> None:
    """Each DuckDB-only function the scorers call is renamed by the transpiler and has a Spark UDF."""
    everything = spark_functions(list(SCORERS))
    for name, scorer in SCORERS.items():
        spark_sql = to_spark(f"SELECT {scorer.sql('a', 'b')} FROM t")
        for function in scorer.spark_udfs:
            assert function in everything
            assert UDF_NAMES.get(function, function).lower() in spark_sql.lower(), name
        if scorer.duckdb_udf is not None:  # a Python scorer keeps its UDF's name on Spark
            assert scorer.duckdb_udf[0] in scorer.spark_udfs
            assert scorer.duckdb_udf[0] not in spark_functions([])


def test_rules_docs_name_every_scorer() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [name for name in SCORERS if f"`{name}`" not in text and f"`scorer: {name}`" not in text]
    assert not missing, f"docs/rules.md does not mention the scorers {missing}"


# -- engines -------------------------------------------------------------------------------------------

def test_config_and_cli_offer_exactly_the_registered_engines() -> None:
    assert literal_values(EngineOptions, "name") == list(ENGINES)
    assert cli_choices("run", "--engine") == list(ENGINES)
    assert cli_choices("explain", "--dialect") == dialect_names()
    with pytest.raises(ValidationError, match="Input should be 'duckdb' or 'spark'"):
        EngineOptions(name="flink")  # type: ignore[arg-type]


def test_every_engine_has_a_runner_and_its_sql_dialect() -> None:
    for engine in ENGINES.values():
        assert callable(engine.runner())  # imports the engine's module, not pyspark itself
        if engine.transpile is None:
            assert engine.dialect == "duckdb"
        else:
            assert engine.transpile()("SELECT 1 AS x") == "SELECT 1 AS x"


def test_config_docs_name_every_engine() -> None:
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    spelt = " \\| ".join(ENGINES)
    assert f"`name: {spelt}`" in text
