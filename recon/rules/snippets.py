"""SQL snippets written in rule packs: parsed with sqlglot, checked, and re-rendered with quoted names.

A snippet is one expression (`status = 'SHIPPED'`, `left.qty * right.unit_price`), never a
statement or a subquery: other tables come in through lookups, so every column a rule touches is
known before anything runs. Rendering goes through the parsed tree, so every column reference in
the compiled SQL is a quoted identifier chosen by the compiler.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

DIALECT = "duckdb"


class SnippetError(ValueError):
    """A snippet that is not one valid SQL expression."""


class FileAccessError(SnippetError):
    """A snippet that calls a function reading files, globbing folders or running other SQL."""


# DuckDB functions that reach outside the loaded tables: every reader (`read_text`, `read_csv`,
# `read_parquet`, ... all start with `read_`), every scanner (`parquet_scan`, `delta_scan`),
# globbing and the metadata readers, and `query`/`query_table`, which run SQL from a string. Most
# are table functions that DuckDB would refuse in an expression anyway; naming them here turns a
# rule pack that tries into a validation problem instead of a rule that fails at run time. The run
# also disables DuckDB's file access before the rules (recon.db.Database.restrict_file_access).
FILE_FUNCTION_PREFIXES = ("read_", "parquet_", "iceberg_", "delta_", "sniff_")
FILE_FUNCTION_SUFFIXES = ("_scan",)
FILE_FUNCTIONS = frozenset({"glob", "query", "query_table", "load_extension", "install_extension", "getenv",
                            # Spark's: Java methods, protobuf descriptor files, names built from text
                            "reflect", "java_method", "try_reflect", "from_protobuf", "to_protobuf",
                            "identifier"})


def file_function(name: str) -> bool:
    """True for a function name that reads files or runs SQL text (see FILE_FUNCTIONS)."""
    name = name.lower()
    return name in FILE_FUNCTIONS or name.startswith(FILE_FUNCTION_PREFIXES) or name.endswith(
        FILE_FUNCTION_SUFFIXES)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> exp.Expression:
    """One snippet's tree (cached: callers never modify it; `render` works on a copy)."""
    try:
        tree = sqlglot.parse_one(str(text), read=DIALECT)
    except ParseError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise SnippetError(f"not a SQL expression: {first}") from None
    if tree is None or isinstance(tree, exp.Query | exp.Command | exp.DDL | exp.DML):
        raise SnippetError("a snippet is one expression, not a statement")
    for func in tree.find_all(exp.Func):
        name = func.name if isinstance(func, exp.Anonymous) else func.sql_name()
        if file_function(name):
            raise FileAccessError(f"{name.lower()}() reads files or runs SQL text; a rule reads only the tables "
                                  "recon loaded (list other files as sources in recon.yaml)")
    if tree.find(exp.Query) is not None:
        raise SnippetError("subqueries are not allowed in a snippet; bring other tables in with a lookup")
    return tree


def column_refs(tree: exp.Expression) -> list[tuple[str | None, str]]:
    """(qualifier or None, name) of every column reference, lambda parameters excepted."""
    lambda_params: set[str] = set()
    for lam in tree.find_all(exp.Lambda):
        lambda_params.update(p.name for p in lam.expressions)
    out = []
    for col in tree.find_all(exp.Column):
        qualifier = col.table or None
        if qualifier is None and col.name in lambda_params:
            continue
        out.append((qualifier, col.name))
    return out


def has_aggregate(tree: exp.Expression) -> bool:
    return tree.find(exp.AggFunc) is not None


def render(tree: exp.Expression, rename: Callable[[str | None, str], str]) -> str:
    """DuckDB SQL for `tree` with each column reference replaced by the quoted name `rename` gives."""
    lambda_params: set[str] = set()
    for lam in tree.find_all(exp.Lambda):
        lambda_params.update(p.name for p in lam.expressions)

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            qualifier = node.table or None
            if qualifier is None and node.name in lambda_params:
                return node
            return exp.column(rename(qualifier, node.name), quoted=True)
        return node

    return tree.copy().transform(swap).sql(dialect=DIALECT)
