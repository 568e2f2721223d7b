"""The registry of engines: what runs a run's load and rules, and in which SQL dialect.

Everything recon compiles is DuckDB SQL; an engine either runs it as is (duckdb) or transpiles
it (`transpile`, DuckDB SQL -> its dialect) and runs it elsewhere, leaving its results in the
run's DuckDB so summary, lifecycle, reports and the state file are the same code for all. The
config's `engine.name`, `recon run --engine`, `recon rules explain --dialect` and `recon.api.run`
all read this table: adding an engine is its module (a runner, a transpiler) plus one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.lazyref import Loader, lazy


@dataclass(frozen=True)
class Engine:
    """One engine. `runner()` returns `run(plan, db, ruleset, store, listeners)`, which loads and
    matches into the run's DuckDB `db`, notes the load with `store.note_load`, assesses completeness
    between the two (recon.completeness) and returns `(LoadResult, RulesResult)` (see
    `recon.api.run`; `listeners` are recon.steps.Listeners); `transpile()`
    returns `to_dialect(duckdb_sql, pretty=False) -> str`, None when the engine runs DuckDB SQL."""

    name: str
    dialect: str  # the sqlglot dialect of the SQL it runs
    runner: Loader
    transpile: Loader | None
    summary: str  # one line for docs and --help


ENGINES: dict[str, Engine] = {e.name: e for e in (
    Engine("duckdb", "duckdb", lazy("recon.api:load_and_match"), None,
           "in process, under engine.memory_limit, spilling beyond it"),
    Engine("spark", "spark", lazy("recon.spark.engine:load_and_match"), lazy("recon.spark.transpile:to_spark"),
           "a Spark cluster (or local[*]); needs pyspark and Java 17+ (docs/scale-out.md)"),
)}
DEFAULT_ENGINE = "duckdb"


def engine_names() -> list[str]:
    return list(ENGINES)


def dialect_names() -> list[str]:
    """The SQL dialects `recon rules explain` prints: each engine's."""
    return list(dict.fromkeys(e.dialect for e in ENGINES.values()))


__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "dialect_names", "engine_names"]
