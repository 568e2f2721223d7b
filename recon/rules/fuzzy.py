"""rapidfuzz scorers as vectorised Arrow UDFs, for the fuzzy levels DuckDB has no built-in for.

DuckDB's own `jaro_winkler_similarity`, `levenshtein` and friends are used where they fit (they
are as fast as rapidfuzz and need no Python); token-based scorers (`token_set_ratio` and the
like) come from here. DuckDB hands a whole vector of candidate pairs to one call, and
`rapidfuzz.process.cpdist` scores them pairwise in C++: no per-row Python work. The compiler only
ever calls these over candidate pairs that already share a blocking key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process, utils

from recon.db import Database
from recon.rules.schema import RAPIDFUZZ_SCORERS


def udf_name(scorer: str) -> str:
    return f"recon_rf_{scorer.lower()}"


def scorer_function(scorer: str) -> Callable[[pa.Array, pa.Array], pa.Array]:
    """An Arrow-in, Arrow-out pairwise scorer (0-100); a NULL on either side scores NULL."""
    if scorer not in RAPIDFUZZ_SCORERS:
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
    """Make each scorer callable from SQL as `recon_rf_<scorer>(a, b)` in this database (again is harmless)."""
    for scorer in sorted(set(scorers)):
        db.register_function(udf_name(scorer), scorer_function(scorer), ["VARCHAR", "VARCHAR"], "DOUBLE",
                             vectorized=True, null_handling="special")
