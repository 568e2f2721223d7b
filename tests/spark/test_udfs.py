"""The pandas UDFs score exactly as DuckDB's built-ins and recon's DuckDB Arrow UDFs do.

A fuzzy match is decided by `score >= threshold` and by ties between scores, so "close" is not
enough: the scores are compared for equality, pair by pair, and then through Spark itself.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from recon.rules.fuzzy import scorer_function
from recon.spark import udfs
from recon.spark.transpile import to_spark

PAIRS = [("Acme Corporation", "ACME Corp."), ("Silver Park HVAC Supply Co.", "Silver Park HVAC"),
         ("DELTA HOME CTRS LLC", "Delta Home Centers"), ("", "abc"), ("same", "same"), ("martha", "marhta"),
         ("dixon", "dicksonx"), (None, "x")]
LEFT = pd.Series([p[0] for p in PAIRS], dtype=object)
RIGHT = pd.Series([p[1] for p in PAIRS], dtype=object)


def duck(function: str, pairs: list[tuple[str | None, str | None]] = PAIRS) -> list[float | None]:
    con = duckdb.connect()
    con.execute("CREATE TABLE p (i INTEGER, a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(pairs)])
    return [r[0] for r in con.execute(f"SELECT CAST({function}(a, b) AS DOUBLE) FROM p ORDER BY i").fetchall()]


def as_list(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in series]


@pytest.mark.parametrize(("udf", "duckdb_name"), [
    (udfs.jaro_winkler, "jaro_winkler_similarity"), (udfs.jaro, "jaro_similarity"),
    (udfs.damerau_levenshtein, "damerau_levenshtein"), (udfs.jaccard, "jaccard"),
])
def test_duckdb_builtins(udf: Any, duckdb_name: str) -> None:
    pairs = [p for p in PAIRS if p[0] != ""] if duckdb_name == "jaccard" else PAIRS  # DuckDB's jaccard refuses ""
    left = pd.Series([p[0] for p in pairs], dtype=object)
    right = pd.Series([p[1] for p in pairs], dtype=object)
    assert as_list(udf(left, right)) == duck(duckdb_name, pairs)


@pytest.mark.parametrize("scorer", ["token_set_ratio", "ratio", "WRatio", "partial_ratio"])
def test_rapidfuzz_scorers(scorer: str) -> None:
    arrow = scorer_function(scorer)(pa.array(LEFT.tolist(), pa.string()), pa.array(RIGHT.tolist(), pa.string()))
    assert as_list(udfs.rapidfuzz_scorer(scorer)(LEFT, RIGHT)) == arrow.to_pylist()


def test_round_double_is_duckdb_round() -> None:
    values = [0.05, 0.15, 0.25, 0.35, 0.65, 12.45, -0.15, 2.5, 1e20, None]
    con = duckdb.connect()
    expected = [con.execute("SELECT round(CAST(? AS DOUBLE), 1)", [v]).fetchall()[0][0] for v in values]
    got = udfs.round_double(pd.Series(values, dtype="float64"), pd.Series([1] * len(values)))
    assert as_list(got) == expected


def test_registered_in_spark(spark: Any) -> None:
    udfs.register(spark, ["token_set_ratio"])
    spark.createDataFrame([(i, a, b) for i, (a, b) in enumerate(PAIRS)], "i INT, a STRING, b STRING") \
        .createOrReplaceTempView("p")
    sql = to_spark("SELECT jaro_winkler_similarity(a, b) AS j, recon_rf_token_set_ratio(a, b) AS t "
                   "FROM p ORDER BY i")
    assert "recon_jaro_winkler_similarity" in sql.lower()  # Spark's own built-in scores differently
    rows = spark.sql(sql).collect()
    assert [r["j"] for r in rows] == duck("jaro_winkler_similarity")
    arrow = scorer_function("token_set_ratio")(pa.array(LEFT.tolist(), pa.string()),
                                               pa.array(RIGHT.tolist(), pa.string()))
    assert [r["t"] for r in rows] == arrow.to_pylist()
