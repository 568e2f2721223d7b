"""Rule and mapping SQL on Spark cannot touch the file system or run Java (recon.spark.guard).

DuckDB's file access is off during the rules; Spark has no such switch, so every statement is
checked on its Spark form before it runs, and the session refuses a path used as a table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from recon.spark.guard import SqlRefused, check, refusal
from recon.spark.rules import Step, rule_frame, staged
from recon.spark.transpile import to_spark

PARAMS = {"as_of": datetime(2026, 11, 20, 6, tzinfo=UTC), "run_id": "R"}


@pytest.mark.parametrize("sql", [
    "SELECT * FROM csv.`/etc/passwd`",
    "SELECT * FROM text.`/etc/passwd`",
    "SELECT * FROM parquet.`/tmp/x.parquet` UNION ALL SELECT 1",
    "SELECT * FROM read_files('/etc/passwd', format => 'text')",
    "SELECT reflect('java.lang.System', 'getenv', 'HOME')",
    "SELECT java_method('java.nio.file.Files', 'readString', '/etc/passwd')",
    "SELECT try_reflect('java.lang.System', 'getenv', 'HOME')",
    "SELECT * FROM IDENTIFIER('csv.`/etc/passwd`')",
    "LOAD DATA LOCAL INPATH '/etc/passwd' INTO TABLE t",
    "ADD JAR /tmp/evil.jar",
    "CREATE TEMPORARY FUNCTION f AS 'x.Y' USING JAR '/tmp/evil.jar'",
    "SET spark.sql.runSQLOnFiles = true",
    "SELECT 1; SELECT * FROM csv.`/etc/passwd`",
    "WITH a AS (SELECT * FROM spark_catalog.default.secrets) SELECT * FROM a",
])
def test_statements_that_reach_outside_are_refused(sql: str) -> None:
    with pytest.raises(SqlRefused) as refused:
        check(sql, "rule r1")
    assert refused.value.problem.code == "E014"
    assert refused.value.problem.message.startswith("rule r1: ")


def test_recons_own_rule_sql_passes(spark: Any) -> None:
    """Every bundled rule's Spark steps (CTEs, fuzzy UDFs, windows, lateral explodes) pass the check."""
    from recon.rules.compiler import CompileContext, compile_rule
    from recon.rules.registry import load_project_rules

    for loaded in load_project_rules(None).rules:
        compiled = compile_rule(loaded, CompileContext())
        for step in staged(compiled.sql_with_stats or compiled.sql, PARAMS, "_r1_"):
            assert refusal(step.sql) is None, (loaded.id, step.sql)


def test_a_refused_step_never_reaches_spark(spark: Any, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    steps = [Step("_r1_leak", f"SELECT value FROM text.`{secret}`"), Step(None, "SELECT * FROM `_r1_leak`")]
    with pytest.raises(SqlRefused, match=r"rule leak: text\."):
        rule_frame(spark, steps, "rule leak")
    assert not spark.catalog.tableExists("_r1_leak")


def test_the_session_refuses_a_path_as_a_table(spark: Any, tmp_path: Path) -> None:
    """Belt and braces: with the check bypassed, Spark itself does not read the file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    with pytest.raises(Exception, match=r"(?i)table or view|TABLE_OR_VIEW_NOT_FOUND|cannot be found"):
        spark.sql(f"SELECT value FROM text.`{secret}`").collect()


def test_a_duckdb_snippet_that_turns_into_java_on_spark_is_refused() -> None:
    """reflect() is not a DuckDB function; sqlglot would pass it through to Spark as is."""
    sql = to_spark("SELECT order_id FROM erp.orders WHERE reflect('java.lang.System', 'getenv', 'HOME') IS NOT NULL")
    assert "reflect" in sql.lower()
    assert refusal(sql) is not None
