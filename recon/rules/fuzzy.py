"""rapidfuzz scorers as vectorised Arrow UDFs, for the fuzzy levels DuckDB has no built-in for.

DuckDB's own `jaro_winkler_similarity`, `levenshtein` and friends are used where they fit (they
are as fast as rapidfuzz and need no Python); token-based scorers (`token_set_ratio` and the
like) come from here. DuckDB hands a whole vector of candidate pairs to one call, and
`rapidfuzz.process.cpdist` scores them pairwise in C++: no per-row Python work. The compiler only
ever calls these over candidate pairs that already share a blocking key. Which scorers exist, and
which of them need a UDF, is `recon.rules.scorers`; `register` installs what a rule needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process, utils

from recon.db import Database
from recon.rules.scorers import SCORERS, rapidfuzz_udf_name


def udf_name(scorer: str) -> str:
    return rapidfuzz_udf_name(scorer)


def scorer_function(scorer: str) -> Callable[[pa.Array, pa.Array], pa.Array]:
    """An Arrow-in, Arrow-out pairwise scorer (0-100); a NULL on either side scores NULL."""
    if scorer not in SCORERS or SCORERS[scorer].origin != "rapidfuzz":
        raise ValueError(f"unknown rapidfuzz scorer {scorer!r}")
    func = getattr(fuzz, scorer)

    def score(left: pa.Array, right: pa.Array) -> pa.Array:
        missing = pc.or_(pc.is_null(left), pc.is_null(right))
        lefts = pc.fill_null(left, "").to_pylist()
        rights = pc.fill_null(right, "").to_pylist()
        scores = process.cpdist(lefts, rights, scorer=func, processor=utils.default_process, dtype=np.float64)
        return pa.array(scores, type=pa.float64(), mask=missing.to_numpy(zero_copy_only=False))

    return score


def register(db: Database, scorers: Iterable[str]) -> None:
    """Register the Python UDF of each scorer that has one (VARCHAR, VARCHAR -> DOUBLE); again is harmless."""
    for scorer in sorted(set(scorers)):
        udf = SCORERS[scorer].duckdb_udf
        if udf is None:  # DuckDB's own function
            continue
        name, load = udf
        db.register_function(name, load(), ["VARCHAR", "VARCHAR"], "DOUBLE", vectorized=True,
                             null_handling="special")
