"""Vectorised pandas UDFs for the DuckDB functions Spark lacks (or has, but scoring differently).

The rule SQL is transpiled, not rewritten, so a function DuckDB has and Spark does not
(`jaro_winkler_similarity`, `jaccard`, recon's `recon_rf_*` rapidfuzz scorers) is registered in
the Spark session under the name the transpiled SQL calls: recon's own UDFs keep their names,
DuckDB's get a `recon_` prefix (`transpile.UDF_NAMES`), because a Spark built-in of the same
name would win over a UDF (Spark 4.3's jaro_winkler_similarity does, with other scores).
Each UDF gets whole Arrow batches and scores them with rapidfuzz in C++, like the DuckDB Arrow
UDFs in `recon.rules.fuzzy`.
Scores must equal DuckDB's to the last bit, or a fuzzy match could flip between engines: the
tests compare them pair by pair.

`recon_round_double` exists for the same reason: DuckDB rounds a DOUBLE on its exact binary
value, half away from zero (0.15 is 0.1499… and rounds to 0.1), while Spark's `round` goes
through the shortest decimal text (0.15 rounds to 0.2). Ages in hours are such doubles.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from recon.rules.scorers import SCORERS, spark_functions
from recon.spark.transpile import ROUND_DOUBLE, UDF_NAMES

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _pairs(left: pd.Series, right: pd.Series) -> tuple[list[str], list[str], np.ndarray]:
    missing = (left.isna() | right.isna()).to_numpy()
    return left.fillna("").astype(str).tolist(), right.fillna("").astype(str).tolist(), missing


def _scored(scores: np.ndarray, missing: np.ndarray) -> pd.Series:
    out = pd.Series(scores, dtype="float64")
    out[missing] = np.nan
    return out


def jaro_winkler(left: pd.Series, right: pd.Series) -> pd.Series:
    """DuckDB's jaro_winkler_similarity (prefix weight 0.1, up to 4 characters), 0-1."""
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    a, b, missing = _pairs(left, right)
    return _scored(process.cpdist(a, b, scorer=JaroWinkler.normalized_similarity, dtype=np.float64), missing)


def jaro(left: pd.Series, right: pd.Series) -> pd.Series:
    """DuckDB's jaro_similarity, 0-1."""
    from rapidfuzz import process
    from rapidfuzz.distance import Jaro

    a, b, missing = _pairs(left, right)
    return _scored(process.cpdist(a, b, scorer=Jaro.normalized_similarity, dtype=np.float64), missing)


def damerau_levenshtein(left: pd.Series, right: pd.Series) -> pd.Series:
    """DuckDB's damerau_levenshtein: an edit count (unrestricted transpositions)."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    a, b, missing = _pairs(left, right)
    return _scored(process.cpdist(a, b, scorer=DamerauLevenshtein.distance, dtype=np.float64), missing)


def jaccard(left: pd.Series, right: pd.Series) -> pd.Series:
    """DuckDB's jaccard: |A∩B| / |A∪B| over the sets of characters of the two strings."""
    a, b, missing = _pairs(left, right)
    scores = np.empty(len(a), dtype=np.float64)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        sx, sy = set(x), set(y)
        union = len(sx | sy)
        scores[i] = len(sx & sy) / union if union else 0.0
    return _scored(scores, missing)


def rapidfuzz_scorer(scorer: str) -> Callable[[pd.Series, pd.Series], pd.Series]:
    """The `recon_rf_<scorer>` function of `recon.rules.fuzzy`, over pandas Series."""
    if scorer not in SCORERS or SCORERS[scorer].origin != "rapidfuzz":
        raise ValueError(f"unknown rapidfuzz scorer {scorer!r}")

    def score(left: pd.Series, right: pd.Series) -> pd.Series:
        from rapidfuzz import fuzz, process, utils

        a, b, missing = _pairs(left, right)
        scores = process.cpdist(a, b, scorer=getattr(fuzz, scorer), processor=utils.default_process,
                                dtype=np.float64)
        return _scored(scores, missing)

    return score


def round_double(values: pd.Series, digits: pd.Series) -> pd.Series:
    """DuckDB's round(DOUBLE, n): the exact binary value rounded half away from zero."""
    out = np.empty(len(values), dtype=np.float64)
    for i, (v, n) in enumerate(zip(values.tolist(), digits.tolist(), strict=True)):
        if v is None or n is None or (isinstance(v, float) and not np.isfinite(v)):
            out[i] = np.nan if v is None or n is None else v
            continue
        step = Decimal(1).scaleb(-int(n))
        out[i] = float(Decimal(v).quantize(step, rounding=ROUND_HALF_UP))
    return pd.Series(out, dtype="float64")


def register(spark: SparkSession, scorers: tuple[str, ...] | list[str] = ()) -> None:
    """Register what the scorers (`recon.rules.scorers`) need: DuckDB's functions, the given Python scorers."""
    from pyspark.sql.functions import pandas_udf

    functions = {UDF_NAMES.get(name, name): load() for name, load in spark_functions(scorers).items()}
    for name, func in functions.items():
        spark.udf.register(name, pandas_udf(func, "double"))  # type: ignore[call-overload]
    spark.udf.register(ROUND_DOUBLE, pandas_udf(round_double, "double"))  # type: ignore[call-overload]


__all__ = ["damerau_levenshtein", "jaccard", "jaro", "jaro_winkler", "rapidfuzz_scorer", "register", "round_double"]
