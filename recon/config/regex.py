"""Whether DuckDB accepts a `replace` normaliser's pattern and replacement, asked when the config is read.

Why: the pattern reaches DuckDB only when the first file is mapped, where an unbalanced
parenthesis or a look-behind (RE2 has none) failed the source's load, or the whole run on an EDI
source, long after `recon validate` had said the config was fine. DuckDB itself is asked, on one
empty row, so the check is exactly the engine's (RE2's syntax and its rewrite rules, such as a
`\\1` without a group), not Python's `re`, which accepts patterns RE2 refuses.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def replace_problem(pattern: str, replacement: str) -> str | None:
    """DuckDB's reason for refusing `regexp_replace(x, pattern, replacement, 'g')`, or None.

    DuckDB is imported here, not with the module: reading a config (and compiling rules, which
    reads it) loads no engine unless a `replace` normaliser asks (tests/test_registries.py).
    """
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SELECT regexp_replace('', ?, ?, 'g')", [pattern, replacement])
    except duckdb.Error as exc:
        return str(exc).splitlines()[0].removeprefix("Invalid Input Error: ")
    finally:
        con.close()
    return None


__all__ = ["replace_problem"]
