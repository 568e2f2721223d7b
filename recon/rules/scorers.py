"""The registry of fuzzy scorers: what `scorer:` in a rule's `fuzzy:` level may name.

Each scorer says once how it scores a candidate pair in DuckDB SQL (0-100), which Python
function DuckDB must have registered for that SQL to run (None for DuckDB's own functions),
and which functions Spark needs for the same SQL after transpiling (keyed by the name the
DuckDB SQL calls). The rule schema's `scorer` literal, the match compiler, the DuckDB UDF
registration and the Spark UDF registration all read this table, so adding a scorer is one
entry here (plus, for a Python scorer, the module with its functions).

Implementations are loaders (`recon.lazyref.lazy`) called only when a run needs them:
this module is read by the rule schema, which must not pull in rapidfuzz, pyarrow or pyspark.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from recon.lazyref import Loader, lazy


def clean(expr: str) -> str:
    """The text a similarity compares: trimmed and case-folded, so `ACME ` and `acme` agree."""
    return f"lower(trim(CAST({expr} AS VARCHAR)))"


@dataclass(frozen=True)
class Scorer:
    """One way to score a candidate pair of values, 0 (nothing alike) to 100 (equal).

    `sql(left, right)` is the DuckDB score expression over the two raw pair expressions.
    `duckdb_udf` is `(SQL function name, loader)` when the SQL calls a function DuckDB lacks: the
    loader returns an Arrow-in, Arrow-out pairwise function, registered before the rule runs.
    `spark_udfs` maps each function the DuckDB SQL calls that Spark lacks (or scores differently)
    to the loader of a pandas UDF computing the same values to the bit.
    `threshold` is False for a scorer that either holds or not (exact): it takes no threshold.
    """

    name: str
    sql: Callable[[str, str], str]
    origin: str  # whose scorer it is, for docs: "recon", "DuckDB", "rapidfuzz"
    duckdb_udf: tuple[str, Loader] | None = None
    spark_udfs: Mapping[str, Loader] = field(default_factory=dict)
    threshold: bool = True


def _similarity(function: str) -> Callable[[str, str], str]:
    """A DuckDB similarity (0-1) over cleaned text, as 0-100."""
    return lambda lv, rv: f"100.0 * {function}({clean(lv)}, {clean(rv)})"


def _edit_distance(function: str) -> Callable[[str, str], str]:
    """A DuckDB edit distance, as 100 less the share of the longer text that must change."""
    def sql(lv: str, rv: str) -> str:
        a, b = clean(lv), clean(rv)
        return f"100.0 * (1 - {function}({a}, {b}) / greatest(length({a}), length({b}), 1))"
    return sql


def rapidfuzz_udf_name(name: str) -> str:
    """The SQL name of a rapidfuzz scorer's UDF; Spark registers it under the same name."""
    return f"recon_rf_{name.lower()}"


def _rapidfuzz(name: str) -> Scorer:
    """A `rapidfuzz.fuzz` scorer: an Arrow UDF in DuckDB (recon.rules.fuzzy), a pandas UDF in Spark."""
    udf = rapidfuzz_udf_name(name)
    return Scorer(
        name, lambda lv, rv: f"{udf}(CAST({lv} AS VARCHAR), CAST({rv} AS VARCHAR))", "rapidfuzz",
        duckdb_udf=(udf, lazy("recon.rules.fuzzy:scorer_function", name)),
        spark_udfs={udf: lazy("recon.spark.udfs:rapidfuzz_scorer", name)},
    )


def _spark(name: str) -> Loader:
    return lazy(f"recon.spark.udfs:{name}")


SCORERS: dict[str, Scorer] = {s.name: s for s in (
    Scorer("exact", lambda lv, rv: f"CASE WHEN ({lv}) IS NOT NULL AND ({lv}) = ({rv}) THEN 100.0 END", "recon",
           threshold=False),
    Scorer("jaro_winkler", _similarity("jaro_winkler_similarity"), "DuckDB",
           spark_udfs={"jaro_winkler_similarity": _spark("jaro_winkler")}),
    Scorer("jaro", _similarity("jaro_similarity"), "DuckDB", spark_udfs={"jaro_similarity": _spark("jaro")}),
    Scorer("levenshtein", _edit_distance("levenshtein"), "DuckDB"),  # Spark's levenshtein counts alike
    Scorer("damerau_levenshtein", _edit_distance("damerau_levenshtein"), "DuckDB",
           spark_udfs={"damerau_levenshtein": _spark("damerau_levenshtein")}),
    Scorer("jaccard", _similarity("jaccard"), "DuckDB", spark_udfs={"jaccard": _spark("jaccard")}),
    *(_rapidfuzz(name) for name in ("ratio", "partial_ratio", "token_sort_ratio", "token_set_ratio", "WRatio",
                                    "QRatio")),
)}


def python_scorers(names: set[str] | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Of these scorers, the ones DuckDB needs a Python UDF for, sorted (what a compiled rule registers)."""
    return tuple(sorted(n for n in set(names) if SCORERS[n].duckdb_udf is not None))


def spark_functions(used: set[str] | list[str] | tuple[str, ...] = ()) -> dict[str, Loader]:
    """DuckDB function name -> loader of its pandas UDF, for the Spark session.

    DuckDB's own functions are always included (a rule's `where` may call them too); a Python
    scorer's UDF only when a rule uses that scorer.
    """
    out: dict[str, Loader] = {}
    for scorer in SCORERS.values():
        if scorer.duckdb_udf is None or scorer.name in used:
            out.update(scorer.spark_udfs)
    return out


def duckdb_builtins_for_spark() -> tuple[str, ...]:
    """DuckDB functions scorers call that Spark must replace with a UDF of its own name."""
    return tuple(fn for s in SCORERS.values() if s.duckdb_udf is None for fn in s.spark_udfs)


def describe_scorers() -> str:
    """The scorers for docs, by whose they are: "`exact`, DuckDB's `jaro_winkler`, ... or rapidfuzz's `QRatio`"."""
    groups: dict[str, list[str]] = {}
    for scorer in SCORERS.values():
        groups.setdefault(scorer.origin, []).append(f"`{scorer.name}`")
    parts = [", ".join(names) if origin == "recon" else f"{origin}'s {', '.join(names)}"
             for origin, names in groups.items()]
    return "`scorer:` " + (", ".join(parts[:-1]) + ", or " + parts[-1] if len(parts) > 1 else parts[0])


__all__ = ["SCORERS", "Scorer", "clean", "describe_scorers", "duckdb_builtins_for_spark", "python_scorers",
           "rapidfuzz_udf_name", "spark_functions"]
