"""What Spark SQL recon agrees to run: one query over temp views, nothing that reaches outside.

DuckDB turns its file access off before the rules (`Database.restrict_file_access`); Spark has
no such switch. Spark SQL reads files through a path used as a table (csv.`/etc/passwd`, also
turned off by `spark.sql.runSQLOnFiles: false` in the session), through `read_files`, and calls
arbitrary Java through `reflect`/`java_method`; statements such as `LOAD DATA`, `ADD JAR` or
`CREATE FUNCTION ... USING JAR` do more. Rule snippets are checked when the rule pack is
validated (recon.rules.snippets refuses file functions and subqueries), but the SQL Spark runs is
the transpiled text, so every statement is checked here, on its Spark form, just before it runs:

- exactly one statement, and a query (SELECT, UNION, ... with its CTEs);
- every table a bare name (a temp view recon registered, or a CTE): no schema, catalog or file
  format qualifier, no table-valued function, no `IDENTIFIER(...)` that builds a name from text;
- no function that reads files, runs Java or builds names from text (`REFUSED_FUNCTIONS`).

A refused statement raises `SqlRefused` carrying problem E014: the rule fails alone, or the
file's load fails, as any other error of that step would.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from recon.errors import Problem

# Spark functions that read files (read_files; the protobuf descriptors), call Java methods
# (reflect, java_method, try_reflect) or turn text into a table name (identifier).
REFUSED_FUNCTIONS = frozenset({"reflect", "java_method", "try_reflect", "read_files", "from_protobuf",
                               "to_protobuf", "identifier"})


class SqlRefused(Exception):
    """A statement recon will not hand to Spark; `problem` (E014) says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


def _function_name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def refusal(sql: str) -> str | None:
    """Why `sql` (Spark SQL) may not run, or None when it is one query over bare table names."""
    try:
        statements = sqlglot.parse(sql, read="spark")
    except SqlglotError as exc:
        return f"cannot be checked ({str(exc).splitlines()[0]})"
    if len(statements) != 1 or statements[0] is None:
        return "one statement is expected"
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        return f"only a query may run, not {tree.key.upper()}"
    for node in tree.find_all(exp.Func):
        name = _function_name(node)
        if name in REFUSED_FUNCTIONS:
            return f"{name}() reads files, runs Java or builds a table name from text"
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            return f"{table.this.sql(dialect='spark')} is not a table recon loaded"
        if table.args.get("db") or table.args.get("catalog"):
            return f"{table.sql(dialect='spark')} is not a table recon loaded (a qualified name or a file path)"
    return None


def check(sql: str, what: str) -> str:
    """`sql` itself when Spark may run it, else SqlRefused naming `what` (a rule, a file's mapping)."""
    reason = refusal(sql)
    if reason is not None:
        raise SqlRefused(Problem.of("E014", what=what, reason=reason))
    return sql


__all__ = ["REFUSED_FUNCTIONS", "SqlRefused", "check", "refusal"]
